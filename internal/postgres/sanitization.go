package postgres

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// Retirement and disposal: the seats that block retiring, the sanitization
// record written with a disposal, and the disposals list and export.

// checkRetirable refuses to retire an asset that still holds license seats
// (lifecycle.Retirable). Moves lifecycle.Transition refuses anyway (an
// assigned asset) are left to it, so its message comes first.
func checkRetirable(ctx context.Context, tx pgx.Tx, a itam.Asset) error {
	assigned := a.AssignedPersonID != nil || a.AssignedLocationID != nil
	if lifecycle.Transition(a.Status, itam.StatusRetired, assigned) != nil {
		return nil
	}
	rows, _ := tx.Query(ctx, `SELECT coalesce(l.name, p.name, 'a license') FROM license_seats s
		JOIN licenses l ON l.id = s.license_id LEFT JOIN software_products p ON p.id = l.product_id
		WHERE s.asset_id = $1 AND s.reclaimed_at IS NULL ORDER BY s.assigned_at, s.id`, a.ID)
	seats, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lifecycle.HeldSeat, error) {
		var s lifecycle.HeldSeat
		return s, r.Scan(&s.License)
	})
	if err != nil {
		return err
	}
	return lifecycle.Retirable(a, seats)
}

// DisposeAsset records how a RETIRED asset left the organization; DISPOSED
// is terminal. The sanitization record (required when the asset's category
// carries storage) is written in the same transaction.
func (s *AssetStore) DisposeAsset(ctx context.Context, id uuid.UUID, d itam.Disposal, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		p, err := itam.RequirePrincipal(ctx)
		if err != nil {
			return lifecycle.Change{}, err
		}
		var hasStorage bool
		if err := tx.QueryRow(ctx, `SELECT c.has_storage FROM models m JOIN categories c ON c.id = m.category_id WHERE m.id = $1`,
			before.ModelID).Scan(&hasStorage); err != nil {
			return lifecycle.Change{}, err
		}
		ch, san, err := lifecycle.Dispose(before, d, hasStorage, time.Now())
		if err != nil || san == nil {
			return ch, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO sanitization_records (org_id, asset_id, method, performed_at, verified_by, tool,
			certificate_reference, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			p.OrgID, before.ID, string(san.Method), san.PerformedAt, san.VerifiedBy, san.Tool, san.CertificateReference, p.Subject)
		return ch, err
	})
}

// SanitizationStore reads sanitization records and disposals.
type SanitizationStore struct{ db *DB }

// NewSanitizationStore returns a SanitizationStore over db.
func NewSanitizationStore(db *DB) *SanitizationStore { return &SanitizationStore{db: db} }

const sanitizationColumns = `s.id, s.asset_id, s.method, s.performed_at, s.verified_by, s.tool, s.certificate_reference, s.recorded_by, s.recorded_at`

func scanSanitization(r pgx.CollectableRow) (*itam.SanitizationRecord, error) {
	var s itam.SanitizationRecord
	return &s, r.Scan(&s.ID, &s.AssetID, &s.Method, &s.PerformedAt, &s.VerifiedBy, &s.Tool, &s.CertificateReference, &s.RecordedBy, &s.RecordedAt)
}

// byIDs reads the records where col (s.id or s.asset_id) is one of ids,
// keyed by that column. Records of disposed assets are for those who read
// every record: an EMPLOYEE gets none (null), not an error, so an asset
// page they may read still answers.
func (s *SanitizationStore) byIDs(ctx context.Context, col string, ids []uuid.UUID) (map[uuid.UUID]*itam.SanitizationRecord, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*itam.SanitizationRecord, len(ids))
	if !p.CanReadAll() || len(ids) == 0 {
		return out, nil
	}
	recs, err := query(ctx, s.db, p.OrgID, "SELECT "+sanitizationColumns+" FROM sanitization_records s WHERE "+col+" = ANY($1::uuid[])",
		[]any{ids}, scanSanitization)
	for _, r := range recs {
		if col == "s.id" {
			out[r.ID] = r
		} else {
			out[r.AssetID] = r
		}
	}
	return out, err
}

// SanitizationsByIDs returns records by their own ids (node(id:)).
func (s *SanitizationStore) SanitizationsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.SanitizationRecord, error) {
	return s.byIDs(ctx, "s.id", ids)
}

// SanitizationsOfAssets returns each asset's record, keyed by asset id
// (Asset.sanitization for a page of assets in one query).
func (s *SanitizationStore) SanitizationsOfAssets(ctx context.Context, assets []uuid.UUID) (map[uuid.UUID]*itam.SanitizationRecord, error) {
	return s.byIDs(ctx, "s.asset_id", assets)
}

// disposalRow is what the disposals list selects.
const disposalColumns = `a.id, a.asset_tag, a.serial_number, m.name, a.disposal_date, a.disposal_method, a.disposal_certificate,
	s.id, s.method, s.performed_at, s.verified_by, s.tool, s.certificate_reference, s.recorded_by, s.recorded_at`

func scanDisposal(r pgx.CollectableRow) (*itam.DisposalRecord, error) {
	var d itam.DisposalRecord
	var sid *uuid.UUID
	var method *itam.SanitizationMethod
	var at, recAt *time.Time
	var verified, recBy *string
	var san itam.SanitizationRecord
	err := r.Scan(&d.AssetID, &d.AssetTag, &d.SerialNumber, &d.ModelName, &d.Date, &d.Method, &d.Certificate,
		&sid, &method, &at, &verified, &san.Tool, &san.CertificateReference, &recBy, &recAt)
	if err == nil && sid != nil {
		san.ID, san.AssetID, san.Method, san.PerformedAt, san.VerifiedBy, san.RecordedBy, san.RecordedAt = *sid, d.AssetID, *method, *at, *verified, *recBy, *recAt
		d.Sanitization = &san
	}
	return &d, err
}

// disposalSpec lists disposed assets newest disposal first (then by id),
// with their model and sanitization.
func disposalSpec(f itam.DisposalFilter) (listSpec[*itam.DisposalRecord], error) {
	args := &sqlArgs{}
	where := []string{"a.status = 'DISPOSED'", "a.disposal_date IS NOT NULL"}
	if f.From != nil {
		where = append(where, "a.disposal_date >= "+args.add(*f.From)+"::date")
	}
	if f.To != nil {
		where = append(where, "a.disposal_date <= "+args.add(*f.To)+"::date")
	}
	if len(f.Methods) > 0 {
		for _, m := range f.Methods {
			if !slices.Contains(lifecycle.DisposalMethods, m) {
				return listSpec[*itam.DisposalRecord]{}, itam.Invalid("filter.methods", "unknown disposal method %q", m)
			}
		}
		where = append(where, "a.disposal_method::text = ANY("+args.add(texts(f.Methods))+"::text[])")
	}
	if len(f.SanitizationMethods) > 0 {
		where = append(where, "s.method = ANY("+args.add(texts(f.SanitizationMethods))+"::text[])")
	}
	key := func(d *itam.DisposalRecord) string { return d.Date.Format(time.DateOnly) }
	return listSpec[*itam.DisposalRecord]{columns: disposalColumns,
		from:   "assets a JOIN models m ON m.id = a.model_id LEFT JOIN sanitization_records s ON s.asset_id = a.id",
		idExpr: "a.id", where: where, args: args, sort: sortKey[*itam.DisposalRecord]{"a.disposal_date", "date", key},
		dir: itam.Desc, id: func(d *itam.DisposalRecord) string { return d.AssetID.String() }, scan: scanDisposal}, nil
}

// Disposals lists disposed assets matching f, newest disposal first, for
// ADMIN, MANAGER and AUDITOR.
func (s *SanitizationStore) Disposals(ctx context.Context, f itam.DisposalFilter, page itam.PageArgs) (itam.Page[*itam.DisposalRecord], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[*itam.DisposalRecord]{}, err
	}
	if err := itam.RequireDisposalRead(p); err != nil {
		return itam.Page[*itam.DisposalRecord]{}, err
	}
	spec, err := disposalSpec(f)
	if err != nil {
		return itam.Page[*itam.DisposalRecord]{}, err
	}
	return list(ctx, s.db, p.OrgID, spec, page)
}

// CountDisposals counts what Disposals lists.
func (s *SanitizationStore) CountDisposals(ctx context.Context, f itam.DisposalFilter) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	if err := itam.RequireDisposalRead(p); err != nil {
		return 0, err
	}
	spec, err := disposalSpec(f)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, spec.from, spec.where, spec.args)
}
