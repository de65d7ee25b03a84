package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// Provenance, software and conflicts are per-asset details read through
// dataloaders: each ByAssetIDs method answers a whole page in one query.

// ProvenanceByAssetIDs returns each asset's field provenance, by field name.
func (c *Catalog) ProvenanceByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]itam.FieldProvenance, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		asset uuid.UUID
		fp    itam.FieldProvenance
	}
	rows, err := query(ctx, c.db, p.OrgID, `SELECT asset_id, field, source, observed_at, locked FROM field_provenance
		WHERE asset_id = ANY($1::uuid[]) ORDER BY field`, []any{ids}, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.asset, &x.fp.Field, &x.fp.Source, &x.fp.ObservedAt, &x.fp.Locked)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]itam.FieldProvenance, len(ids))
	for _, r := range rows {
		out[r.asset] = append(out[r.asset], r.fp)
	}
	return out, nil
}

// SoftwareByAssetIDs returns what each asset has installed, by title.
func (c *Catalog) SoftwareByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]itam.SoftwareInstallation, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		asset uuid.UUID
		s     itam.SoftwareInstallation
	}
	rows, err := query(ctx, c.db, p.OrgID, `SELECT asset_id, title, version, identifier, source, first_seen_at, last_seen_at
		FROM software_installations WHERE asset_id = ANY($1::uuid[]) ORDER BY lower(title), source`, []any{ids}, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.asset, &x.s.Title, &x.s.Version, &x.s.Identifier, &x.s.Source, &x.s.FirstSeenAt, &x.s.LastSeenAt)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]itam.SoftwareInstallation, len(ids))
	for _, r := range rows {
		out[r.asset] = append(out[r.asset], r.s)
	}
	return out, nil
}

const conflictColumns = `x.id, x.asset_id, x.field, x.kept_source, x.kept_value, x.other_source, x.other_value, x.first_seen_at, x.last_seen_at`

func scanConflict(r pgx.CollectableRow) (*itam.SyncConflict, error) {
	var c itam.SyncConflict
	var kept, other []byte
	if err := r.Scan(&c.ID, &c.AssetID, &c.Field, &c.KeptSource, &kept, &c.OtherSource, &other, &c.FirstSeenAt, &c.LastSeenAt); err != nil {
		return nil, err
	}
	_ = json.Unmarshal(kept, &c.KeptValue)
	_ = json.Unmarshal(other, &c.OtherValue)
	return &c, nil
}

// ConflictsByAssetIDs returns each asset's recorded source disagreements.
func (c *Catalog) ConflictsByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*itam.SyncConflict, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, c.db, p.OrgID, "SELECT "+conflictColumns+" FROM sync_conflicts x WHERE x.asset_id = ANY($1::uuid[]) ORDER BY x.field, x.other_source",
		[]any{ids}, scanConflict)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*itam.SyncConflict, len(ids))
	for _, r := range rows {
		out[r.AssetID] = append(out[r.AssetID], r)
	}
	return out, nil
}

// SyncConflictsByIDs returns the conflicts among ids, for node(id:); like
// syncConflicts, only callers who read every record may (else FORBIDDEN).
func (c *Catalog) SyncConflictsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.SyncConflict, error) {
	if _, err := itam.RequireReadAll(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, c.db, conflictColumns, "sync_conflicts x", ids, scanConflict, func(c *itam.SyncConflict) uuid.UUID { return c.ID })
}

// ConflictFilter narrows syncConflicts (itam.ConflictFilter).
type ConflictFilter = itam.ConflictFilter

func conflictWhere(f ConflictFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if f.AssetID != nil {
		where = append(where, "x.asset_id = "+args.add(*f.AssetID))
	}
	if f.Field != nil {
		where = append(where, "x.field = "+args.add(*f.Field))
	}
	if f.Source != nil {
		s := args.add(*f.Source)
		where = append(where, fmt.Sprintf("(x.kept_source = %[1]s OR x.other_source = %[1]s)", s))
	}
	return where, args
}

// SyncConflicts lists disagreements between sources, most recently seen first.
func (c *Catalog) SyncConflicts(ctx context.Context, f ConflictFilter, page itam.PageArgs) (itam.Page[*itam.SyncConflict], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return itam.Page[*itam.SyncConflict]{}, err
	}
	where, args := conflictWhere(f)
	return list(ctx, c.db, p.OrgID, listSpec[*itam.SyncConflict]{
		columns: conflictColumns, from: "sync_conflicts x", idExpr: "x.id",
		where: where, args: args, dir: itam.Desc, scan: scanConflict,
		sort: sortKey[*itam.SyncConflict]{"x.last_seen_at", "timestamptz", func(c *itam.SyncConflict) string { return c.LastSeenAt.Format(time.RFC3339Nano) }},
		id:   func(c *itam.SyncConflict) string { return c.ID.String() },
	}, page)
}

// CountSyncConflicts counts what SyncConflicts lists.
func (c *Catalog) CountSyncConflicts(ctx context.Context, f ConflictFilter) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	where, args := conflictWhere(f)
	return count(ctx, c.db, p.OrgID, "sync_conflicts x", where, args)
}

// FieldPrecedence returns the precedence of every synced field: the
// organization's own list where it set one, else the default.
func (c *Catalog) FieldPrecedence(ctx context.Context) ([]itam.FieldPrecedence, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		field   string
		sources []string
	}
	rows, err := query(ctx, c.db, p.OrgID, `SELECT field, sources FROM field_precedence`, nil, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.field, &x.sources)
	})
	if err != nil {
		return nil, err
	}
	custom := map[string][]string{}
	for _, r := range rows {
		custom[r.field] = r.sources
	}
	out := make([]itam.FieldPrecedence, 0, len(reconcile.SyncedFields))
	for _, f := range reconcile.SyncedFields {
		if s, ok := custom[f]; ok {
			out = append(out, itam.FieldPrecedence{Field: f, Sources: s})
		} else {
			out = append(out, itam.FieldPrecedence{Field: f, Sources: slices.Clone(reconcile.DefaultPrecedence[f]), IsDefault: true})
		}
	}
	return out, nil
}

// knownSource reports whether s names a precedence source: a fixed one,
// a connector kind, or one connector ("KIND:<uuid>").
func knownSource(s string) bool {
	if s == reconcile.SourceManual || s == reconcile.SourceProcurement || s == reconcile.SourceAuthoritative {
		return true
	}
	kind, id, one := strings.Cut(s, ":")
	if !slices.Contains(ConnectorKinds, kind) {
		return false
	}
	if !one {
		return true
	}
	u, err := uuid.Parse(id)
	return err == nil && u.String() == id // the form sources are recorded in

}

// requireSyncedField refuses a field name syncs do not set.
func requireSyncedField(field string) error {
	if !slices.Contains(reconcile.SyncedFields, field) {
		return itam.Invalid("field", "%q is not a synced field (%s)", field, strings.Join(reconcile.SyncedFields, ", "))
	}
	return nil
}

// SetFieldPrecedence sets which sources are believed for field, most trusted
// first (ADMIN only). Sources are "manual", "procurement", "authoritative",
// a connector kind (JAMF_PRO…) or one connector ("JAMF_PRO:<id>"). An empty
// list restores the default.
func (c *Catalog) SetFieldPrecedence(ctx context.Context, field string, sources []string) (itam.FieldPrecedence, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return itam.FieldPrecedence{}, err
	}
	if err := requireSyncedField(field); err != nil {
		return itam.FieldPrecedence{}, err
	}
	seen := map[string]bool{}
	for i, s := range sources {
		if !knownSource(s) {
			return itam.FieldPrecedence{}, itam.Invalid(fmt.Sprintf("sources[%d]", i), "unknown source %q", s)
		}
		if seen[s] {
			return itam.FieldPrecedence{}, itam.Invalid(fmt.Sprintf("sources[%d]", i), "%q is listed twice", s)
		}
		seen[s] = true
	}
	err = c.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if len(sources) == 0 {
			_, err := tx.Exec(ctx, `DELETE FROM field_precedence WHERE field = $1`, field)
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO field_precedence (org_id, field, sources) VALUES ($1, $2, $3)
			ON CONFLICT (org_id, field) DO UPDATE SET sources = excluded.sources`, p.OrgID, field, sources)
		return err
	})
	if err != nil {
		return itam.FieldPrecedence{}, err
	}
	if len(sources) == 0 {
		return itam.FieldPrecedence{Field: field, Sources: slices.Clone(reconcile.DefaultPrecedence[field]), IsDefault: true}, nil
	}
	return itam.FieldPrecedence{Field: field, Sources: sources}, nil
}
