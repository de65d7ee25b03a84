package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// LocationStore loads and saves locations and their tree.
type LocationStore struct{ db *DB }

// NewLocationStore returns a LocationStore over db.
func NewLocationStore(db *DB) *LocationStore { return &LocationStore{db: db} }

var locationsTable = filtered[*itam.Location, itam.LocationFilter]{
	catalogTable: catalogTable[*itam.Location]{
		what: "location", name: "locations", columns: locationColumns, scan: scanLocation,
		id:      func(l *itam.Location) uuid.UUID { return l.ID },
		label:   func(l *itam.Location) string { return l.Name },
		version: func(l *itam.Location) int { return l.Version },
	},
	where: locationsWhere,
}

func locationsWhere(_ itam.Principal, f itam.LocationFilter) ([]string, *sqlArgs, error) {
	args := &sqlArgs{}
	where := searchWhere(nil, args, f.Search, "x.name")
	if f.Kind != nil {
		if !slices.Contains(itam.LocationKinds, *f.Kind) {
			return nil, nil, itam.Invalid("filter.kind", "unknown location kind %q", *f.Kind)
		}
		where = append(where, "x.kind = "+args.add(string(*f.Kind))+"::text::location_kind")
	}
	if f.ParentID != nil {
		where = append(where, "x.parent_id = "+args.add(*f.ParentID))
	}
	if f.RootsOnly {
		where = append(where, "x.parent_id IS NULL")
	}
	if f.WithinID != nil {
		where = append(where, fmt.Sprintf("x.path @> ARRAY[%s::uuid]", args.add(*f.WithinID)))
	}
	return where, args, nil
}

// ListLocations returns one page of locations matching f, by name.
func (s *LocationStore) ListLocations(ctx context.Context, f itam.LocationFilter, page itam.PageArgs) (itam.Page[*itam.Location], error) {
	return locationsTable.listBy(ctx, s.db, f, page)
}

// CountLocations returns how many locations match f.
func (s *LocationStore) CountLocations(ctx context.Context, f itam.LocationFilter) (int, error) {
	return locationsTable.countBy(ctx, s.db, f)
}

// LocationChildren returns the direct children of each of parentIDs, by
// name, in one round trip; a location without children is absent.
func (s *LocationStore) LocationChildren(ctx context.Context, parentIDs []uuid.UUID) (map[uuid.UUID][]*itam.Location, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(parentIDs), "SELECT "+locationColumns+" FROM locations x WHERE x.parent_id = ANY($1::uuid[]) ORDER BY x.name, x.id",
		[]any{parentIDs}, func(r pgx.CollectableRow) (uuid.UUID, *itam.Location, error) {
			l, err := scanLocation(r)
			if err != nil {
				return uuid.Nil, nil, err
			}
			return *l.ParentID, l, nil
		})
}

// LocationAncestors returns the ancestors of each of ids, from the root down
// to the parent, in one round trip, read off the path column; a root (or an
// unknown id) is absent.
func (s *LocationStore) LocationAncestors(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*itam.Location, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(ids), `SELECT l.id, `+locationColumns+`
		FROM locations l
		CROSS JOIN LATERAL unnest(l.path[1:array_length(l.path, 1) - 1]) WITH ORDINALITY AS a(id, n)
		JOIN locations x ON x.id = a.id
		WHERE l.id = ANY($1::uuid[])
		ORDER BY l.id, a.n`, []any{ids}, func(r pgx.CollectableRow) (uuid.UUID, *itam.Location, error) {
		var of uuid.UUID
		l, err := scanLocation(prefixRow{r, []any{&of}})
		return of, l, err
	})
}

// LocationPath returns the ids from the root down to the location itself.
func (s *LocationStore) LocationPath(ctx context.Context, id uuid.UUID) ([]uuid.UUID, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "location", "SELECT path FROM locations WHERE id = $1", []any{id}, func(r pgx.CollectableRow) ([]uuid.UUID, error) {
		var path []uuid.UUID
		return path, r.Scan(&path)
	})
}

// prefixRow scans its first columns into extra and the rest into the
// destinations its caller gives, so a row scanner can be reused on a query
// that selects a key in front of the usual columns.
type prefixRow struct {
	pgx.CollectableRow
	extra []any
}

func (r prefixRow) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append(r.extra[:len(r.extra):len(r.extra)], dest...)...)
}

// parentExists checks a parent location id names a location of the caller's
// organization (the path trigger would refuse it too, but without a field).
func parentExists(ctx context.Context, tx pgx.Tx, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM locations WHERE id = $1)`, *id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return itam.Invalid("parentId", "unknown parent location")
	}
	return nil
}

// CreateLocation adds a location, at the top level or under parentId.
func (s *LocationStore) CreateLocation(ctx context.Context, in itam.LocationInput) (*itam.Location, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	l := &itam.Location{Kind: in.Kind, Name: in.Name, ParentID: in.ParentID, Address: in.Address}
	if err := l.Validate(); err != nil {
		return nil, err
	}
	a := l.Address
	parentKnown := func(tx pgx.Tx) error { return parentExists(ctx, tx, l.ParentID) }
	return locationsTable.insert(ctx, s.db, p.OrgID, parentKnown, `INSERT INTO locations AS x (org_id, parent_id, kind, name, address_line1, address_line2,
		city, region, postal_code, country)
		VALUES ($1, $2, $3::text::location_kind, $4, $5, $6, $7, $8, $9, $10) RETURNING `+locationColumns,
		p.OrgID, l.ParentID, string(l.Kind), l.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country)
}

// UpdateLocation changes a location; the caller's version must be current.
// Moving it moves everything below it; moving it under itself or one of its
// descendants is BAD_USER_INPUT on parentId.
func (s *LocationStore) UpdateLocation(ctx context.Context, in itam.LocationPatch) (*itam.Location, error) {
	return locationsTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Location) (*itam.Location, error) {
		l := *cur
		if in.Kind.Set {
			if in.Kind.Value == nil {
				return nil, itam.Invalid("kind", "kind cannot be removed")
			}
			l.Kind = *in.Kind.Value
		}
		if err := itam.PatchRequired(&l.Name, "name", in.Name); err != nil {
			return nil, err
		}
		itam.Patch(&l.ParentID, in.ParentID)
		if in.Address.Set {
			if in.Address.Value == nil {
				l.Address = itam.Address{}
			} else {
				ap := in.Address.Value
				itam.Patch(&l.Address.Line1, ap.Line1)
				itam.Patch(&l.Address.Line2, ap.Line2)
				itam.Patch(&l.Address.City, ap.City)
				itam.Patch(&l.Address.Region, ap.Region)
				itam.Patch(&l.Address.PostalCode, ap.PostalCode)
				itam.Patch(&l.Address.Country, ap.Country)
			}
		}
		if err := l.Validate(); err != nil {
			return nil, err
		}
		if unchanged(cur, &l) {
			return cur, nil
		}
		if in.ParentID.Set {
			if err := parentExists(ctx, tx, l.ParentID); err != nil {
				return nil, err
			}
		}
		a := l.Address
		return returningOne(ctx, tx, scanLocation, `UPDATE locations x SET parent_id = $2, kind = $3::text::location_kind, name = $4,
			address_line1 = $5, address_line2 = $6, city = $7, region = $8, postal_code = $9, country = $10,
			version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+locationColumns,
			l.ID, l.ParentID, string(l.Kind), l.Name, a.Line1, a.Line2, a.City, a.Region, a.PostalCode, a.Country)
	})
}

// DeleteLocation removes a location; refused (CONFLICT) while it has
// children or people or assets reference it.
func (s *LocationStore) DeleteLocation(ctx context.Context, id uuid.UUID, version *int) (*itam.Location, error) {
	return locationsTable.remove(ctx, s.db, id, version)
}

// LocationsByIDs returns the locations among ids.
func (s *LocationStore) LocationsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Location, error) {
	return locationsTable.byIDs(ctx, s.db, ids)
}
