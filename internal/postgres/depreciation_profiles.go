package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Depreciation profiles: loading and saving what internal/costs has
// validated. ADMIN writes them (they set policy for the whole
// organization); ADMIN, MANAGER and AUDITOR read them. Every change writes
// its cost_history row in the same transaction.

func init() {
	constraintFields["depreciation_profiles_org_name"] = constraintField{"name", "a depreciation profile with this name already exists"}
}

const profileColumns = `x.id, x.name, x.method, x.useful_life_months, x.salvage_value, x.salvage_currency, x.salvage_percent,
	x.rate, x.convention, x.version, x.created_at, x.updated_at`

func scanProfile(r pgx.CollectableRow) (*costs.Profile, error) {
	var p costs.Profile
	var salvage decimal.NullDecimal
	var currency *string
	err := r.Scan(&p.ID, &p.Name, &p.Method, &p.UsefulLifeMonths, &salvage, &currency, &p.SalvagePercent,
		&p.Rate, &p.Convention, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if salvage.Valid && currency != nil {
		p.SalvageValue = &itam.Money{Amount: salvage.Decimal, Currency: strings.TrimSpace(*currency)}
	}
	return &p, nil
}

// profileArgs are a profile's columns for INSERT and UPDATE, from name on.
func profileArgs(p *costs.Profile) []any {
	amount, currency := priceArgs(p.SalvageValue)
	return []any{p.Name, string(p.Method), p.UsefulLifeMonths, amount, currency, p.SalvagePercent, p.Rate, string(p.Convention)}
}

var profilesTable = filtered[*costs.Profile, itam.NameFilter]{
	catalogTable: catalogTable[*costs.Profile]{
		what: "depreciation profile", name: "depreciation_profiles", columns: profileColumns, scan: scanProfile,
		id:      func(p *costs.Profile) uuid.UUID { return p.ID },
		label:   func(p *costs.Profile) string { return p.Name },
		version: func(p *costs.Profile) int { return p.Version },
	},
	read:  costs.RequireRead,
	where: nameWhere,
}

// ListProfiles returns one page of profiles matching f, by name.
func (s *DepreciationProfileStore) ListProfiles(ctx context.Context, f itam.NameFilter, page itam.PageArgs) (itam.Page[*costs.Profile], error) {
	return profilesTable.listBy(ctx, s.db, f, page)
}

// CountProfiles returns how many profiles match f.
func (s *DepreciationProfileStore) CountProfiles(ctx context.Context, f itam.NameFilter) (int, error) {
	return profilesTable.countBy(ctx, s.db, f)
}

// ProfilesByIDs returns the profiles among ids (money: not for EMPLOYEE).
func (s *DepreciationProfileStore) ProfilesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*costs.Profile, error) {
	if _, err := costs.RequireRead(ctx); err != nil {
		return nil, err
	}
	return profilesTable.byIDs(ctx, s.db, ids)
}

// ProfileNodes is ProfilesByIDs for node(id:): a caller who may not read
// money finds nothing (null), not an error.
func (s *DepreciationProfileStore) ProfileNodes(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*costs.Profile, error) {
	if _, err := costs.RequireRead(ctx); err != nil {
		if itam.ErrorCode(err) == itam.CodeForbidden {
			return map[uuid.UUID]*costs.Profile{}, nil
		}
		return nil, err
	}
	return profilesTable.byIDs(ctx, s.db, ids)
}

// DefaultProfileID is the organization's default profile, nil when none.
func (s *DepreciationProfileStore) DefaultProfileID(ctx context.Context) (*uuid.UUID, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "organization", "SELECT o.default_depreciation_profile_id FROM organizations o WHERE o.id = $1",
		[]any{p.OrgID}, func(r pgx.CollectableRow) (*uuid.UUID, error) {
			var id *uuid.UUID
			return id, r.Scan(&id)
		})
}

// CreateProfile validates and saves a profile and records its creation.
func (s *DepreciationProfileStore) CreateProfile(ctx context.Context, in costs.Profile) (*costs.Profile, error) {
	p, err := costs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*costs.Profile, error) {
		out, err := returningOne(ctx, tx, scanProfile, `INSERT INTO depreciation_profiles AS x (org_id, name, method, useful_life_months,
			salvage_value, salvage_currency, salvage_percent, rate, convention) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+profileColumns,
			append([]any{p.OrgID}, profileArgs(&in)...)...)
		if err != nil {
			return nil, err
		}
		return out, insertCostHistory(ctx, tx, p, costs.HistoryDepreciationProfile, out.ID, costs.HistoryCreate,
			costs.Diff(nil, out, costs.ProfileFields))
	})
}

// UpdateProfile applies a patch (costs.ProfilePatch.Apply); the caller's
// version must be current. A patch that changes nothing writes nothing.
func (s *DepreciationProfileStore) UpdateProfile(ctx context.Context, id uuid.UUID, version int, in costs.ProfilePatch) (*costs.Profile, error) {
	p, err := costs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*costs.Profile, error) {
		cur, err := profilesTable.lock(ctx, tx, id, &version)
		if err != nil {
			return nil, err
		}
		next, err := in.Apply(*cur)
		if err != nil {
			return nil, err
		}
		changes := costs.Diff(cur, &next, costs.ProfileFields)
		if len(changes) == 0 {
			return cur, nil
		}
		out, err := returningOne(ctx, tx, scanProfile, `UPDATE depreciation_profiles x SET name = $2, method = $3, useful_life_months = $4,
			salvage_value = $5, salvage_currency = $6, salvage_percent = $7, rate = $8, convention = $9,
			version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+profileColumns,
			append([]any{id}, profileArgs(&next)...)...)
		if err != nil {
			return nil, err
		}
		return out, insertCostHistory(ctx, tx, p, costs.HistoryDepreciationProfile, id, costs.HistoryUpdate, changes)
	})
}

// DeleteProfile removes a profile nothing uses any more (checking version
// when given); in use, it is CONFLICT naming what uses it (costs.ProfileUse).
// Its history stays, closed by a DELETE entry.
func (s *DepreciationProfileStore) DeleteProfile(ctx context.Context, id uuid.UUID, version *int) (*costs.Profile, error) {
	p, err := costs.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*costs.Profile, error) {
		cur, err := profilesTable.lock(ctx, tx, id, version)
		if err != nil {
			return nil, err
		}
		var use costs.ProfileUse
		if err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM organizations WHERE default_depreciation_profile_id = $1),
			(SELECT count(*) FROM categories WHERE depreciation_profile_id = $1),
			(SELECT count(*) FROM models WHERE depreciation_profile_id = $1),
			(SELECT count(*) FROM assets WHERE depreciation_profile_id = $1)`, id).
			Scan(&use.Default, &use.Categories, &use.Models, &use.Assets); err != nil {
			return nil, err
		}
		if err := use.CheckDelete(); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM depreciation_profiles WHERE id = $1", id); err != nil {
			return nil, err
		}
		return cur, insertCostHistory(ctx, tx, p, costs.HistoryDepreciationProfile, id, costs.HistoryDelete,
			costs.Diff(cur, nil, costs.ProfileFields))
	})
}

// profileExists checks inside a write's transaction that id (when set) is
// one of the organization's profiles (row-level security hides the
// others): NOT_FOUND naming field otherwise, so nothing is written.
func profileExists(ctx context.Context, id *uuid.UUID, field string) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		_, err := lookupProfile(ctx, tx, id, field)
		return err
	}
}

// lookupProfile loads profile id (nil: none) inside tx, NOT_FOUND naming
// field when the organization has no such profile.
func lookupProfile(ctx context.Context, tx pgx.Tx, id *uuid.UUID, field string) (*costs.Profile, error) {
	if id == nil {
		return nil, nil
	}
	rows, _ := tx.Query(ctx, "SELECT "+profileColumns+" FROM depreciation_profiles x WHERE x.id = $1", *id)
	p, err := pgx.CollectExactlyOneRow(rows, scanProfile)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFoundIn(field, "depreciation profile")
	}
	return p, err
}

// checkAssetProfile checks an asset's own profile as it is about to be
// stored: it must exist, and fit the asset's price (costs.CheckAssetProfile).
func checkAssetProfile(ctx context.Context, tx pgx.Tx, a *itam.Asset) error {
	prof, err := lookupProfile(ctx, tx, a.DepreciationProfileID, "depreciationProfileId")
	if err != nil || prof == nil || a.PurchasePrice == nil {
		return err
	}
	return costs.CheckAssetProfile(*prof, *a.PurchasePrice)
}
