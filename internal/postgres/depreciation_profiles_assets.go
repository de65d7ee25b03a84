package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// What applies to assets: each asset's candidate profiles (its own, its
// model's, its category's, the organization's default) are read together
// and costs.EffectiveProfile picks one, so the inheritance rule lives in
// one place.

// profileChainFrom joins an asset (alias a) to its model (m), category (c)
// and organization (o), whose columns hold the candidate profiles.
const profileChainFrom = `assets a JOIN models m ON m.id = a.model_id JOIN categories c ON c.id = m.category_id
	JOIN organizations o ON o.id = a.org_id`

// profileCandidates are the candidate profile columns, most specific first.
const profileCandidates = `a.depreciation_profile_id, m.depreciation_profile_id, c.depreciation_profile_id, o.default_depreciation_profile_id`

// candidates is one row's profileCandidates.
type candidates [4]*uuid.UUID

func (c *candidates) dest() []any { return []any{&c[0], &c[1], &c[2], &c[3]} }

func (c candidates) effective() (*uuid.UUID, costs.ProfileSource) {
	return costs.EffectiveProfile(c[0], c[1], c[2], c[3])
}

// EffectiveProfiles returns the profile that applies to each of the assets
// ids and its source, in one round trip for any number of assets (the
// assets' candidates and the profiles they name, as one batch). Assets
// with no profile anywhere map to an empty AssetProfile; unknown ids are
// absent. Money: not for EMPLOYEE.
func (s *DepreciationProfileStore) EffectiveProfiles(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]costs.AssetProfile, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	chains := make(map[uuid.UUID]candidates, len(ids))
	profiles := map[uuid.UUID]*costs.Profile{}
	where := " WHERE a.id = ANY($1::uuid[])"
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		type row struct {
			id uuid.UUID
			c  candidates
		}
		queueRows(b, "SELECT a.id, "+profileCandidates+" FROM "+profileChainFrom+where, []any{ids},
			func(r pgx.CollectableRow) (row, error) {
				var x row
				return x, r.Scan(append([]any{&x.id}, x.c.dest()...)...)
			}, func(x row) { chains[x.id] = x.c })
		queueRows(b, "SELECT "+profileColumns+" FROM depreciation_profiles x WHERE x.id IN (SELECT unnest(ARRAY["+profileCandidates+"]) FROM "+
			profileChainFrom+where+")", []any{ids}, scanProfile, func(x *costs.Profile) { profiles[x.ID] = x })
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]costs.AssetProfile, len(chains))
	for id, c := range chains {
		var ap costs.AssetProfile
		if pid, src := c.effective(); pid != nil {
			ap = costs.AssetProfile{Profile: profiles[*pid], Source: src}
		}
		out[id] = ap
	}
	return out, nil
}

// CountGroupKey identifies an assetCounts group by its key values, so a
// value computed for the groups (AssetBookValues) finds its group.
func CountGroupKey(g itam.AssetCountGroup) string {
	s := func(v fmt.Stringer, ok bool) string {
		if !ok {
			return "-"
		}
		return v.String()
	}
	status := "-"
	if g.Status != nil {
		status = string(*g.Status)
	}
	return strings.Join([]string{status,
		s(g.CategoryID, g.CategoryID != nil), s(g.LocationID, g.LocationID != nil),
		s(g.OwnerTeamID, g.OwnerTeamID != nil), s(g.ModelID, g.ModelID != nil),
		s(g.AssigneeTeamID, g.AssigneeTeamID != nil), s(g.AssigneeLocationID, g.AssigneeLocationID != nil)}, "|")
}

// AssetBookValues is the book value at the end of asOf of each assetCounts
// group (same groupBy and filter), summed per currency and keyed by
// CountGroupKey; groups without a priced asset are absent. One statement
// groups the assets by the group keys and by everything a book value
// depends on (price, currency, candidate profiles, in-service and purchase
// dates) with a count, and each distinct combination is valued once in Go
// (costs.Valuer: one schedule per profile and cost) and multiplied by its
// count: exact decimals, no per-asset work. Money: not for EMPLOYEE.
func (s *AssetStore) AssetBookValues(ctx context.Context, groupBy []itam.AssetGroupBy, f *itam.AssetFilter, asOf time.Time) (map[string][]itam.Money, error) {
	if _, err := costs.RequireRead(ctx); err != nil {
		return nil, err
	}
	p, where, args, err := s.where(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := itam.CheckGrouping(groupBy); err != nil {
		return nil, err
	}
	exprs := make([]string, len(groupBy))
	for i, g := range groupBy {
		exprs[i] = groupExprs[g]
	}
	dims := "ARRAY[]::text[]"
	if len(exprs) > 0 {
		dims = "ARRAY[" + strings.Join(exprs, ", ") + "]"
	}
	where = append(slices.Clone(where), "a.purchase_price IS NOT NULL", "a.purchase_currency IS NOT NULL")
	value := "a.purchase_price, a.purchase_currency, " + profileCandidates + ", a.in_service_date, a.purchase_date"
	group := value
	if len(exprs) > 0 {
		group = strings.Join(exprs, ", ") + ", " + value
	}
	sql := fmt.Sprintf("SELECT %s, %s, count(*) FROM %s WHERE %s GROUP BY %s", dims, value, profileChainFrom+assigneeJoin(groupBy), strings.Join(where, " AND "), group)
	type row struct {
		dims              []*string
		price             decimal.Decimal
		currency          string
		c                 candidates
		inService, bought *time.Time
		n                 int64
	}
	var rows []row
	profiles := map[uuid.UUID]*costs.Profile{}
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, sql, args.list, func(r pgx.CollectableRow) (row, error) {
			var x row
			dest := append([]any{&x.dims, &x.price, &x.currency}, x.c.dest()...)
			return x, r.Scan(append(dest, &x.inService, &x.bought, &x.n)...)
		}, func(x row) { rows = append(rows, x) })
		// An organization has few profiles: all of them, in the same round trip.
		queueRows(b, "SELECT "+profileColumns+" FROM depreciation_profiles x", nil, scanProfile, func(x *costs.Profile) { profiles[x.ID] = x })
	})
	if err != nil {
		return nil, err
	}
	// Rows share few group keys and currencies: each key is rendered once
	// and sums stay plain decimals until the end.
	type sumKey struct{ group, currency string }
	sums := map[sumKey]decimal.Decimal{}
	keys := map[string]string{}
	valuer := costs.NewValuer(asOf)
	for _, r := range rows {
		dk := strings.Join(derefAll(r.dims), "\x01")
		key, ok := keys[dk]
		if !ok {
			var g itam.AssetCountGroup
			for j, d := range groupBy {
				setGroupKey(&g, d, r.dims[j])
			}
			key = CountGroupKey(g)
			keys[dk] = key
		}
		var prof *costs.Profile
		if id, _ := r.c.effective(); id != nil {
			prof = profiles[*id]
		}
		cost := itam.Money{Amount: r.price, Currency: strings.TrimSpace(r.currency)}
		v := valuer.BookValue(prof, &cost, costs.InServiceDate(r.inService, r.bought))
		k := sumKey{key, v.Currency}
		sums[k] = sums[k].Add(v.Amount.Mul(decimal.NewFromInt(r.n)))
	}
	totals := map[string]costs.Totals{}
	for k, amount := range sums {
		totals[k.group] = totals[k.group].Add(itam.Money{Amount: amount, Currency: k.currency})
	}
	out := make(map[string][]itam.Money, len(totals))
	for k, t := range totals {
		out[k] = t
	}
	return out, nil
}
