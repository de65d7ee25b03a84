package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

const organizationColumns = `o.id, o.slug, o.name, o.asset_tag_prefix, o.default_currency, o.default_owner_team_id, o.default_depreciation_profile_id, o.software_reclaim_after_days, o.created_at, o.updated_at`

func scanOrganization(r pgx.CollectableRow) (*itam.Organization, error) {
	var o itam.Organization
	return &o, r.Scan(&o.ID, &o.Slug, &o.Name, &o.AssetTagPrefix, &o.DefaultCurrency, &o.DefaultOwnerTeamID, &o.DefaultDepreciationProfileID, &o.SoftwareReclaimAfterDays, &o.CreatedAt, &o.UpdatedAt)
}

// OrgIDByClaim resolves a token's org claim before any tenant is known: a
// slug through a SECURITY DEFINER function that reveals only the id, or an
// id in UUID form (itam.ParseOrgClaim) by reading it under itself, which
// row-level security shows only when it exists. Unknown ones are NOT_FOUND.
// One round trip either way.
func (db *DB) OrgIDByClaim(ctx context.Context, claim string) (uuid.UUID, error) {
	if id, ok := itam.ParseOrgClaim(claim); ok {
		return queryOne(ctx, db, id, "organization", "SELECT o.id FROM organizations o WHERE o.id = $1", []any{id},
			func(r pgx.CollectableRow) (uuid.UUID, error) {
				var id uuid.UUID
				return id, r.Scan(&id)
			})
	}
	db.count()
	var id *uuid.UUID
	if err := db.Pool.QueryRow(ctx, `SELECT itam.org_id_by_slug($1)`, claim).Scan(&id); err != nil {
		return uuid.Nil, err
	}
	if id == nil {
		return uuid.Nil, itam.NotFound("organization")
	}
	return *id, nil
}

// OrganizationStore reads and changes the caller's organization.
type OrganizationStore struct{ db *DB }

// NewOrganizationStore returns an OrganizationStore over db.
func NewOrganizationStore(db *DB) *OrganizationStore { return &OrganizationStore{db: db} }

// Organization returns the caller's organization (row-level security shows
// no other).
func (s *OrganizationStore) Organization(ctx context.Context) (*itam.Organization, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "organization", "SELECT "+organizationColumns+" FROM organizations o WHERE o.id = $1",
		[]any{p.OrgID}, scanOrganization)
}

// UpdateOrganization changes the caller's organization settings (ADMIN
// only). A null asset tag prefix means none; the default owner team must be
// one of the organization's teams.
func (s *OrganizationStore) UpdateOrganization(ctx context.Context, in itam.OrganizationPatch) (*itam.Organization, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.Organization
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, "SELECT "+organizationColumns+" FROM organizations o WHERE o.id = $1 FOR UPDATE", p.OrgID)
		cur, err := pgx.CollectExactlyOneRow(rows, scanOrganization)
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.NotFound("organization")
		}
		if err != nil {
			return err
		}
		o, err := in.Apply(*cur)
		if err != nil {
			return err
		}
		if in.DefaultOwnerTeamID.Set && o.DefaultOwnerTeamID != nil {
			var ok bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE id = $1)`, *o.DefaultOwnerTeamID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return itam.Invalid("defaultOwnerTeamId", "unknown team")
			}
		}
		if in.DefaultDepreciationProfileID.Set {
			if err := profileExists(ctx, o.DefaultDepreciationProfileID, "defaultDepreciationProfileId")(tx); err != nil {
				return err
			}
		}
		if in.SoftwareReclaimAfterDays != nil {
			if err := licenses.ValidateReclaimAfterDays(*in.SoftwareReclaimAfterDays); err != nil {
				return err
			}
			o.SoftwareReclaimAfterDays = *in.SoftwareReclaimAfterDays
		}
		if unchanged(cur, &o) {
			out = cur
			return nil
		}
		out, err = returningOne(ctx, tx, scanOrganization, `UPDATE organizations o SET name = $2, asset_tag_prefix = $3, default_currency = $4,
			default_owner_team_id = $5, software_reclaim_after_days = $6, default_depreciation_profile_id = $7, updated_at = now()
			WHERE o.id = $1 RETURNING `+organizationColumns,
			o.ID, o.Name, o.AssetTagPrefix, o.DefaultCurrency, o.DefaultOwnerTeamID, o.SoftwareReclaimAfterDays, o.DefaultDepreciationProfileID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
