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
	"github.com/itam-dev/itam/internal/software"
)

// ProvenanceStore holds what syncs record about assets: each field's
// provenance, installed software, external ids, the conflicts between
// sources and the field precedence that settles them. The per-asset details
// are read through dataloaders: each ByAssetIDs method answers a whole page
// in one query.
type ProvenanceStore struct{ db *DB }

// NewProvenanceStore returns a ProvenanceStore over db.
func NewProvenanceStore(db *DB) *ProvenanceStore { return &ProvenanceStore{db: db} }

// ProvenanceByAssetIDs returns each asset's field provenance, by field name.
func (s *ProvenanceStore) ProvenanceByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]itam.FieldProvenance, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(ids), `SELECT asset_id, field, source, observed_at, locked FROM field_provenance
		WHERE asset_id = ANY($1::uuid[]) ORDER BY field`, []any{ids}, func(r pgx.CollectableRow) (uuid.UUID, itam.FieldProvenance, error) {
		var asset uuid.UUID
		var fp itam.FieldProvenance
		err := r.Scan(&asset, &fp.Field, &fp.Source, &fp.ObservedAt, &fp.Locked)
		return asset, fp, err
	})
}

// SoftwareByAssetIDs returns what each asset has installed now (ended
// installations left out), by title.
func (s *ProvenanceStore) SoftwareByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]software.Installation, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(ids), `SELECT asset_id, `+installationColumns+`
		FROM software_installations WHERE asset_id = ANY($1::uuid[]) AND ended_at IS NULL ORDER BY lower(title), source`, []any{ids}, func(r pgx.CollectableRow) (uuid.UUID, software.Installation, error) {
		var asset uuid.UUID
		x, err := scanInstallation(r, &asset)
		return asset, x, err
	})
}

// installationColumns are software_installations' columns scanInstallation reads.
const installationColumns = `asset_id, source, app_key, title, version, identifier, product_id, rule_id, edition, normalized_version, first_seen_at, last_seen_at, ended_at`

// scanInstallation reads installationColumns after the given leading columns.
func scanInstallation(r pgx.CollectableRow, lead ...any) (software.Installation, error) {
	var x software.Installation
	err := r.Scan(append(lead, &x.AssetID, &x.Source, &x.Key, &x.Title, &x.Version, &x.Identifier, &x.ProductID, &x.RuleID,
		&x.Edition, &x.NormalizedVersion, &x.FirstSeenAt, &x.LastSeenAt, &x.EndedAt)...)
	return x, err
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
func (s *ProvenanceStore) ConflictsByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]*itam.SyncConflict, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(ids), "SELECT "+conflictColumns+" FROM sync_conflicts x WHERE x.asset_id = ANY($1::uuid[]) ORDER BY x.field, x.other_source",
		[]any{ids}, func(r pgx.CollectableRow) (uuid.UUID, *itam.SyncConflict, error) {
			c, err := scanConflict(r)
			if err != nil {
				return uuid.Nil, nil, err
			}
			return c.AssetID, c, nil
		})
}

// SyncConflictsByIDs returns the conflicts among ids, for node(id:); like
// syncConflicts, only callers who read every record may (else FORBIDDEN).
func (s *ProvenanceStore) SyncConflictsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.SyncConflict, error) {
	if _, err := itam.RequireReadAll(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, conflictColumns, "sync_conflicts x", ids, scanConflict, func(c *itam.SyncConflict) uuid.UUID { return c.ID })
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
func (s *ProvenanceStore) SyncConflicts(ctx context.Context, f ConflictFilter, page itam.PageArgs) (itam.Page[*itam.SyncConflict], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return itam.Page[*itam.SyncConflict]{}, err
	}
	where, args := conflictWhere(f)
	return list(ctx, s.db, p.OrgID, listSpec[*itam.SyncConflict]{
		columns: conflictColumns, from: "sync_conflicts x", idExpr: "x.id",
		where: where, args: args, dir: itam.Desc, scan: scanConflict,
		sort: sortKey[*itam.SyncConflict]{"x.last_seen_at", "timestamptz", func(c *itam.SyncConflict) string { return c.LastSeenAt.Format(time.RFC3339Nano) }},
		id:   func(c *itam.SyncConflict) string { return c.ID.String() },
	}, page)
}

// CountSyncConflicts counts what SyncConflicts lists.
func (s *ProvenanceStore) CountSyncConflicts(ctx context.Context, f ConflictFilter) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	where, args := conflictWhere(f)
	return count(ctx, s.db, p.OrgID, "sync_conflicts x", where, args)
}

// FieldPrecedence returns the precedence of every synced field: the
// organization's own list where it set one, else the default.
func (s *ProvenanceStore) FieldPrecedence(ctx context.Context) ([]itam.FieldPrecedence, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		field   string
		sources []string
	}
	rows, err := query(ctx, s.db, p.OrgID, `SELECT field, sources FROM field_precedence`, nil, func(r pgx.CollectableRow) (row, error) {
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

// knownSource reports whether s names a precedence source: a fixed one
// (manual, procurement, authoritative, import), a connector kind, or one
// connector ("KIND:<uuid>").
func knownSource(s string) bool {
	switch s {
	case reconcile.SourceManual, reconcile.SourceProcurement, reconcile.SourceAuthoritative, reconcile.SourceImport:
		return true
	}
	kind, id, one := strings.Cut(s, ":")
	if !slices.Contains(itam.ConnectorKinds, kind) {
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
func (s *ProvenanceStore) SetFieldPrecedence(ctx context.Context, field string, sources []string) (itam.FieldPrecedence, error) {
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
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
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

// ExternalIDsByAssetIDs returns each asset's links to other systems.
func (s *ProvenanceStore) ExternalIDsByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]itam.ExternalID, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(ids), `SELECT asset_id, source, external_id, last_seen_at, connector_id, last_check_in,
		missing_since, stale_since FROM asset_external_ids
		WHERE asset_id = ANY($1::uuid[]) ORDER BY source, external_id`, []any{ids}, func(r pgx.CollectableRow) (uuid.UUID, itam.ExternalID, error) {
		var asset uuid.UUID
		var e itam.ExternalID
		err := r.Scan(&asset, &e.Source, &e.ExternalID, &e.LastSeenAt, &e.ConnectorID, &e.LastCheckIn, &e.MissingSince, &e.StaleSince)
		return asset, e, err
	})
}
