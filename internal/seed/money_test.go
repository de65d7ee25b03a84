package seed

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunMoney checks the money a run adds: the profiles where they apply,
// five years of monthly rates, ledger entries on every asset within its
// life, and contracts of 20–200 assets covering every asset one to three
// times, with leases ending over the next two years.
func TestRunMoney(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)
	const assets = 2000
	res, err := Run(ctx, pool, Options{OrgSlug: "money", Assets: assets, RandSeed: 7, SoftwareProducts: -1})
	require.NoError(t, err)
	t.Logf("%d assets: money %s of %s: %+v", assets, res.Money, res.Duration, res.Inserted)
	org := res.OrgID
	q := func(sql string) int64 { t.Helper(); return count(t, pool, sql, org) }
	in := res.Inserted

	// Profiles: the default, and five categories with their own.
	require.EqualValues(t, len(profileDefs), in.DepreciationProfiles)
	require.EqualValues(t, len(profileDefs), q(`SELECT count(*) FROM depreciation_profiles WHERE org_id = $1`))
	require.EqualValues(t, 1, q(`SELECT count(*) FROM organizations o JOIN depreciation_profiles p ON p.id = o.default_depreciation_profile_id
		WHERE o.id = $1 AND p.name LIKE 'Standard hardware%'`))
	require.EqualValues(t, 5, q(`SELECT count(*) FROM categories WHERE org_id = $1 AND depreciation_profile_id IS NOT NULL`))

	// Rates: each pair on the first of every month of five years.
	require.EqualValues(t, 2*(12*moneyYears+1), in.ExchangeRates)
	require.EqualValues(t, 2*(12*moneyYears+1), q(`SELECT count(*) FROM exchange_rates WHERE org_id = $1 AND to_currency = 'USD'
		AND from_currency IN ('EUR', 'GBP') AND extract(day FROM valid_from) = 1 AND valid_from > current_date - interval '5 years 1 month'`))

	// Ledger: about four entries per asset besides its purchase, every
	// asset with some, dated within its life; a disposal fee for exactly
	// the disposed ones; three currencies.
	require.EqualValues(t, in.CostEntries, q(`SELECT count(*) FROM cost_entries WHERE org_id = $1 AND kind <> 'PURCHASE'`))
	require.InDelta(t, 4*assets, in.CostEntries, 0.15*4*assets)
	require.EqualValues(t, assets, q(`SELECT count(*) FROM cost_entries WHERE org_id = $1 AND kind = 'PURCHASE'`), "the trigger's")
	require.Zero(t, q(`SELECT count(*) FROM assets a WHERE org_id = $1
		AND NOT EXISTS (SELECT 1 FROM cost_entries e WHERE e.asset_id = a.id AND e.kind <> 'PURCHASE')`))
	require.Zero(t, q(`SELECT count(*) FROM cost_entries e JOIN assets a ON a.id = e.asset_id WHERE e.org_id = $1
		AND (e.entry_date < a.purchase_date OR e.entry_date > coalesce(a.disposal_date, current_date) OR e.currency <> a.purchase_currency)`))
	require.Equal(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND status = 'DISPOSED'`),
		q(`SELECT count(*) FROM cost_entries e JOIN assets a ON a.id = e.asset_id AND a.status = 'DISPOSED' WHERE e.org_id = $1 AND e.kind = 'DISPOSAL'`))
	require.EqualValues(t, q(`SELECT count(*) FROM cost_entries WHERE org_id = $1 AND kind = 'DISPOSAL'`),
		q(`SELECT count(*) FROM assets WHERE org_id = $1 AND status = 'DISPOSED'`))
	require.EqualValues(t, 5, q(`SELECT count(DISTINCT kind) FROM cost_entries WHERE org_id = $1 AND kind <> 'PURCHASE'`))
	require.EqualValues(t, 3, q(`SELECT count(DISTINCT currency) FROM cost_entries WHERE org_id = $1`))
	require.Zero(t, q(`SELECT count(*) FROM cost_entries WHERE org_id = $1 AND entry_date < current_date - interval '5 years 1 day'`))

	// Contracts: 20 to 219 assets each (a remainder joins its neighbour),
	// every asset on one to three, all kinds and intervals, in the
	// assets' currencies, leases ending within two years.
	require.EqualValues(t, in.Contracts, q(`SELECT count(*) FROM contracts WHERE org_id = $1`))
	require.EqualValues(t, in.ContractAssets, q(`SELECT count(*) FROM contract_assets WHERE org_id = $1`))
	require.EqualValues(t, in.ContractCharges, q(`SELECT count(*) FROM contract_charges WHERE org_id = $1`))
	require.Zero(t, q(`SELECT count(*) FROM (SELECT contract_id FROM contract_assets WHERE org_id = $1 GROUP BY 1 HAVING count(*) NOT BETWEEN 20 AND 219) x`))
	require.Zero(t, q(`SELECT count(*) FROM contracts c WHERE org_id = $1 AND NOT EXISTS (SELECT 1 FROM contract_charges h WHERE h.contract_id = c.id)`))
	require.EqualValues(t, 1, q(`SELECT min(n) FROM (SELECT count(ca.asset_id) n FROM assets a LEFT JOIN contract_assets ca ON ca.asset_id = a.id WHERE a.org_id = $1 GROUP BY a.id) x`))
	require.EqualValues(t, 3, q(`SELECT max(n) FROM (SELECT count(*) n FROM contract_assets WHERE org_id = $1 GROUP BY asset_id) x`))
	require.InDelta(t, 1.7*assets, in.ContractAssets, 0.1*1.7*assets)
	require.EqualValues(t, 5, q(`SELECT count(DISTINCT kind) FROM contracts WHERE org_id = $1`))
	require.EqualValues(t, 3, q(`SELECT count(DISTINCT every) FROM contract_charges WHERE org_id = $1`))
	require.EqualValues(t, 3, q(`SELECT count(DISTINCT currency) FROM contract_charges WHERE org_id = $1`))
	require.Zero(t, q(`SELECT count(*) FROM contract_assets ca JOIN contracts c ON c.id = ca.contract_id JOIN contract_charges h ON h.contract_id = c.id
		JOIN assets a ON a.id = ca.asset_id WHERE ca.org_id = $1 AND h.currency <> a.purchase_currency`))
	require.Zero(t, q(`SELECT count(*) FROM contracts WHERE org_id = $1 AND kind = 'LEASE'
		AND (end_date IS NULL OR end_date <= current_date OR end_date > current_date + 730)`))
	require.Zero(t, q(`SELECT count(*) FROM contract_assets ca JOIN contracts c ON c.id = ca.contract_id JOIN assets a ON a.id = ca.asset_id
		WHERE ca.org_id = $1 AND c.kind = 'LEASE' AND a.status IN ('RETIRED', 'DISPOSED', 'LOST', 'STOLEN')`), "nothing gone is leased")
	require.Zero(t, q(`SELECT count(*) FROM contract_assets ca JOIN assets a ON a.id = ca.asset_id WHERE ca.org_id = $1 AND a.org_id <> ca.org_id`))
	leased := `SELECT count(*) FROM assets a WHERE org_id = $1 AND EXISTS (SELECT 1 FROM contract_assets ca JOIN contracts c ON c.id = ca.contract_id
		WHERE ca.asset_id = a.id AND c.kind = 'LEASE')`
	require.Positive(t, q(leased))
	require.Equal(t, q(leased), q(leased+` AND a.end_of_life IS NULL`), "a lease's end is its assets' end of life")
	require.Equal(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND end_of_life IS NULL`), q(leased), "the others keep theirs")

	// A rerun reuses the profiles and rates and adds ledger and contracts
	// for its own assets only.
	again, err := Run(ctx, pool, Options{OrgSlug: "money", Assets: 100, RandSeed: 7, SoftwareProducts: -1})
	require.NoError(t, err)
	require.Zero(t, again.Inserted.DepreciationProfiles)
	require.Zero(t, again.Inserted.ExchangeRates)
	require.InDelta(t, 400, again.Inserted.CostEntries, 100)
	require.Zero(t, q(`SELECT count(*) FROM assets a WHERE org_id = $1
		AND NOT EXISTS (SELECT 1 FROM contract_assets ca WHERE ca.asset_id = a.id)`))

	// NoMoney adds none.
	none, err := Run(ctx, pool, Options{OrgSlug: "plain", Assets: 50, RandSeed: 7, SoftwareProducts: -1, NoMoney: true})
	require.NoError(t, err)
	require.Zero(t, none.Inserted.CostEntries+none.Inserted.Contracts+none.Inserted.ExchangeRates+none.Inserted.DepreciationProfiles)
}
