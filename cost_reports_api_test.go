package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// repFixture is one organization's costs in 2025 (and around it), written
// as the owner where the ledger and contract mutations are other slices':
//
//	A1 Laptop (model M1, category C1, team T1, Berlin): PURCHASE 1000 USD (Feb 1, CDW),
//	   REPAIR 150 EUR (Jun 10, Dell Direct), MAINTENANCE 80 USD (2024-12-31: outside)
//	A2 Laptop (M1, C1, owner Ada): PURCHASE 500 EUR (Mar 1)
//	A3 Monitor (M2, C2, team T2): REPAIR 3000 JPY (Dec 31), MAINTENANCE 99 USD (2026-01-01: outside)
//	K1 SUPPORT (Dell Direct) covering A1, A2, A3: 100 USD monthly from 2024-11-15 to 2025-02-15
//	   (2025: Jan 15 and Feb 15), its own entry OTHER 30 USD (May 5, no supplier)
//	K2 MAINTENANCE (CDW) covering nothing: 50 GBP yearly from Apr 1
//	a license: SUBSCRIPTION 120 USD (Jul 1, CDW)
type repFixture struct {
	a                    *api
	admin                string
	ids                  map[string]string
	c1First              bool // C1's id sorts before C2's: it takes K1's remainder
	owner                *pgxpool.Pool
	org                  uuid.UUID
	supplierCDW, dellDir uuid.UUID
}

func newRepFixture(t *testing.T) *repFixture {
	a := newAPI(t)
	f := &repFixture{a: a, admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test")}
	ids := a.inventory(f.admin)
	d := a.ok(f.admin, `mutation {
		c: createCategory(input: {name: "Monitors", kind: MONITOR}) { category { id } }
		t: createTeam(input: {name: "Finance"}) { team { id } }
		s: createSupplier(input: {name: "Dell Direct"}) { supplier { id } }
	}`, nil)
	ids["category2"], ids["team2"], ids["supplier2"] = str(d, "c.category.id"), str(d, "t.team.id"), str(d, "s.supplier.id")
	d = a.ok(f.admin, `mutation($m: ID!, $c: ID!) { createModel(input: {name: "U2723", manufacturerId: $m, categoryId: $c}) { model { id } } }`,
		map[string]any{"m": ids["manufacturer"], "c": ids["category2"]})
	ids["model2"] = str(d, "createModel.model.id")
	asset := func(in map[string]any) string {
		return str(a.ok(f.admin, createAsset, map[string]any{"in": in}), "createAsset.asset.id")
	}
	ids["a1"] = asset(map[string]any{"modelId": ids["model"], "ownerId": ids["team"], "locationId": ids["location"], "supplierId": ids["supplier"],
		"purchaseDate": "2025-02-01", "purchasePrice": map[string]any{"amount": "1000.00", "currency": "USD"}})
	ids["a2"] = asset(map[string]any{"modelId": ids["model"], "ownerId": ids["ada"],
		"purchaseDate": "2025-03-01", "purchasePrice": map[string]any{"amount": "500", "currency": "EUR"}})
	ids["a3"] = asset(map[string]any{"modelId": ids["model2"], "ownerId": ids["team2"]})
	f.ids = ids
	c1, c2 := repID(ids["category"]), repID(ids["category2"])
	f.c1First = bytes.Compare(c1[:], c2[:]) < 0

	ctx := context.Background()
	owner, err := pgxpool.New(ctx, a.dbURL)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	f.owner = owner
	require.NoError(t, owner.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = 'acme'`).Scan(&f.org))
	f.supplierCDW, f.dellDir = repID(ids["supplier"]), repID(ids["supplier2"])
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := owner.Exec(ctx, sql, args...)
		require.NoError(t, err, sql)
	}
	entry := `INSERT INTO cost_entries (org_id, asset_id, license_id, contract_id, kind, entry_date, amount, currency, supplier_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`
	a1, a3 := repID(ids["a1"]), repID(ids["a3"])
	exec(entry, f.org, a1, nil, nil, "REPAIR", "2025-06-10", "150.00", "EUR", f.dellDir)
	exec(entry, f.org, a1, nil, nil, "MAINTENANCE", "2024-12-31", "80", "USD", nil)
	exec(entry, f.org, a3, nil, nil, "REPAIR", "2025-12-31", "3000", "JPY", nil)
	exec(entry, f.org, a3, nil, nil, "MAINTENANCE", "2026-01-01", "99", "USD", nil)
	var k1, k2, license uuid.UUID
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO contracts (org_id, kind, supplier_id, start_date, end_date) VALUES ($1, 'SUPPORT', $2, '2024-11-15', '2025-02-15') RETURNING id`, f.org, f.dellDir).Scan(&k1))
	exec(`INSERT INTO contract_charges (org_id, contract_id, position, amount, currency, every) VALUES ($1, $2, 0, 100.00, 'USD', 'MONTH')`, f.org, k1)
	for _, id := range []string{"a1", "a2", "a3"} {
		exec(`INSERT INTO contract_assets (org_id, contract_id, asset_id) VALUES ($1, $2, $3)`, f.org, k1, repID(ids[id]))
	}
	exec(entry, f.org, nil, nil, k1, "OTHER", "2025-05-05", "30", "USD", nil)
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO contracts (org_id, kind, supplier_id, start_date) VALUES ($1, 'MAINTENANCE', $2, '2025-04-01') RETURNING id`, f.org, f.supplierCDW).Scan(&k2))
	exec(`INSERT INTO contract_charges (org_id, contract_id, position, amount, currency, every) VALUES ($1, $2, 0, 50, 'GBP', 'YEAR')`, f.org, k2)
	require.NoError(t, owner.QueryRow(ctx, `WITH pub AS (INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Acme Soft') RETURNING id),
		prod AS (INSERT INTO software_products (org_id, publisher_id, name) SELECT $1, id, 'Acme Suite' FROM pub RETURNING id)
		INSERT INTO licenses (org_id, product_id, license_model, seats) SELECT $1, id, 'PER_USER', 10 FROM prod RETURNING id`, f.org).Scan(&license))
	exec(entry, f.org, nil, license, nil, "SUBSCRIPTION", "2025-07-01", "120", "USD", f.supplierCDW)
	for _, r := range [][]string{{"EUR", "USD", "1.10", "2025-01-01"}, {"EUR", "USD", "1.20", "2025-06-01"}, {"GBP", "USD", "1.25", "2025-01-01"}, {"JPY", "USD", "0.007", "2025-01-01"}} {
		exec(`INSERT INTO exchange_rates (org_id, from_currency, to_currency, rate, valid_from) VALUES ($1, $2, $3, $4, $5)`, f.org, r[0], r[1], r[2], r[3])
	}

	// Another organization's costs, never in acme's reports.
	gadmin := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	gids := a.inventory(gadmin)
	a.ok(gadmin, createAsset, map[string]any{"in": map[string]any{"modelId": gids["model"], "ownerId": gids["team"],
		"purchaseDate": "2025-02-01", "purchasePrice": map[string]any{"amount": "777", "currency": "USD"}}})
	return f
}

func repID(global string) uuid.UUID {
	_, id, _ := relay.Parse(global)
	return id
}

// repMoney renders a [Money] as "amount CUR" strings, amounts normalized.
func repMoney(t *testing.T, v any) []string {
	t.Helper()
	var out []string
	for _, m := range v.([]any) {
		amount, err := decimal.NewFromString(str(m, "amount"))
		require.NoError(t, err)
		out = append(out, amount.String()+" "+str(m, "currency"))
	}
	return out
}

// byKind renders a group's byKind as kind → totals.
func repByKind(t *testing.T, g any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, k := range get(g, "byKind").([]any) {
		out[str(k, "kind")] = repMoney(t, get(k, "total"))
	}
	return out
}

const repRollupQ = `query($groupBy: [CostGroupBy!]!, $from: Date!, $to: Date!, $filter: AssetFilter, $cur: String) {
	costRollup(groupBy: $groupBy, from: $from, to: $to, filter: $filter, reportingCurrency: $cur) {
		from to reportingCurrency total { amount currency }
		ratesUsed { from to rate validFrom }
		groups {
			model { id } category { id } team { id } location { id } supplier { id }
			owner { __typename ... on Person { id } ... on Team { id } }
			byKind { kind total { amount currency } } total { amount currency }
		}
	}
}`

func (f *repFixture) rollup(t *testing.T, tok string, vars map[string]any) map[string]any {
	t.Helper()
	if vars["from"] == nil {
		vars["from"], vars["to"] = "2025-01-01", "2025-12-31"
	}
	if vars["groupBy"] == nil {
		vars["groupBy"] = []string{}
	}
	return get(f.a.ok(tok, repRollupQ, vars), "costRollup").(map[string]any)
}

// repGroups indexes a report's groups by the id of one dimension ("" for null).
func repGroups(r map[string]any, list, dim string) map[string]any {
	out := map[string]any{}
	for _, g := range get(r, list).([]any) {
		out[str(g, dim+".id")] = g
	}
	return out
}

// k1Shares is K1's 200.00 USD charges split over its 3 assets, 2 in C1:
// the first group in key order takes the remainder cent.
func (f *repFixture) k1Shares() (c1, c2 string) { return k1SharesOf(f.c1First) }

// k1SharesOf is k1Shares for groups of 2 and 1 assets, the group of 2
// first in key order or not.
func k1SharesOf(twoFirst bool) (two, one string) {
	if twoFirst {
		return "133.34 USD", "66.66 USD"
	}
	return "133.33 USD", "66.67 USD"
}

func TestCostRollupTotalsAndGroups(t *testing.T) {
	f := newRepFixture(t)
	ids := f.ids

	t.Run("total, per kind, currencies never mixed", func(t *testing.T) {
		r := f.rollup(t, f.admin, map[string]any{})
		require.Equal(t, "2025-01-01", r["from"])
		require.Nil(t, r["reportingCurrency"])
		require.Empty(t, r["ratesUsed"])
		require.Equal(t, []string{"650 EUR", "50 GBP", "3000 JPY", "1350 USD"}, repMoney(t, r["total"]))
		groups := r["groups"].([]any)
		require.Len(t, groups, 1)
		require.Nil(t, get(groups[0], "category"))
		require.Equal(t, map[string][]string{
			"PURCHASE":     {"500 EUR", "1000 USD"},
			"MAINTENANCE":  {"50 GBP"},
			"REPAIR":       {"150 EUR", "3000 JPY"},
			"SUPPORT":      {"200 USD"},
			"SUBSCRIPTION": {"120 USD"},
			"OTHER":        {"30 USD"},
		}, repByKind(t, groups[0]))
	})

	t.Run("CATEGORY splits a contract exactly", func(t *testing.T) {
		r := f.rollup(t, f.admin, map[string]any{"groupBy": []string{"CATEGORY"}})
		g := repGroups(r, "groups", "category")
		require.Len(t, g, 3)
		c1, c2 := f.k1Shares()
		require.Equal(t, map[string][]string{"PURCHASE": {"500 EUR", "1000 USD"}, "REPAIR": {"150 EUR"}, "SUPPORT": {c1}, "OTHER": {"20 USD"}}, repByKind(t, g[ids["category"]]))
		require.Equal(t, map[string][]string{"REPAIR": {"3000 JPY"}, "SUPPORT": {c2}, "OTHER": {"10 USD"}}, repByKind(t, g[ids["category2"]]))
		// Licenses and contracts covering no asset: every asset dimension null.
		require.Equal(t, map[string][]string{"MAINTENANCE": {"50 GBP"}, "SUBSCRIPTION": {"120 USD"}}, repByKind(t, g[""]))
		require.Equal(t, []string{"650 EUR", "50 GBP", "3000 JPY", "1350 USD"}, repMoney(t, r["total"]))
		groups := r["groups"].([]any)
		require.Nil(t, get(groups[len(groups)-1], "category"), "the null group comes last")
	})

	t.Run("MODEL", func(t *testing.T) {
		g := repGroups(f.rollup(t, f.admin, map[string]any{"groupBy": []string{"MODEL"}}), "groups", "model")
		m1, m2 := repID(ids["model"]), repID(ids["model2"])
		c1, c2 := k1SharesOf(bytes.Compare(m1[:], m2[:]) < 0)
		require.Equal(t, map[string][]string{"PURCHASE": {"500 EUR", "1000 USD"}, "REPAIR": {"150 EUR"}, "SUPPORT": {c1}, "OTHER": {"20 USD"}}, repByKind(t, g[ids["model"]]))
		require.Equal(t, map[string][]string{"REPAIR": {"3000 JPY"}, "SUPPORT": {c2}, "OTHER": {"10 USD"}}, repByKind(t, g[ids["model2"]]))
	})

	t.Run("TEAM, LOCATION and OWNER", func(t *testing.T) {
		team := repGroups(f.rollup(t, f.admin, map[string]any{"groupBy": []string{"TEAM"}}), "groups", "team")
		require.Equal(t, []string{"PURCHASE", "REPAIR", "SUPPORT", "OTHER"}, repKinds(team[ids["team"]]))
		require.Equal(t, []string{"150 EUR"}, repByKind(t, team[ids["team"]])["REPAIR"])
		require.Equal(t, []string{"10 USD"}, repByKind(t, team[ids["team2"]])["OTHER"])
		// A2 belongs to a person: no team, with the licenses and K2.
		require.Equal(t, []string{"500 EUR"}, repByKind(t, team[""])["PURCHASE"])
		require.Equal(t, []string{"50 GBP"}, repByKind(t, team[""])["MAINTENANCE"])
		repRequireShares(t, "200", repByKind(t, team[ids["team"]])["SUPPORT"], repByKind(t, team[ids["team2"]])["SUPPORT"], repByKind(t, team[""])["SUPPORT"])

		loc := repGroups(f.rollup(t, f.admin, map[string]any{"groupBy": []string{"LOCATION"}}), "groups", "location")
		require.Len(t, loc, 2)
		require.Equal(t, []string{"1000 USD"}, repByKind(t, loc[ids["location"]])["PURCHASE"])
		require.Equal(t, []string{"500 EUR"}, repByKind(t, loc[""])["PURCHASE"])

		r := f.rollup(t, f.admin, map[string]any{"groupBy": []string{"OWNER"}})
		owners := map[string]any{}
		for _, g := range r["groups"].([]any) {
			owners[str(g, "owner.__typename")+":"+str(g, "owner.id")] = g
		}
		require.Len(t, owners, 4)
		require.Equal(t, []string{"500 EUR"}, repByKind(t, owners["Person:"+ids["ada"]])["PURCHASE"])
		require.Equal(t, []string{"1000 USD"}, repByKind(t, owners["Team:"+ids["team"]])["PURCHASE"])
		require.Equal(t, []string{"3000 JPY"}, repByKind(t, owners["Team:"+ids["team2"]])["REPAIR"])
		require.Equal(t, []string{"120 USD"}, repByKind(t, owners[":"])["SUBSCRIPTION"])
	})

	t.Run("SUPPLIER: the entry's, else its contract's", func(t *testing.T) {
		g := repGroups(f.rollup(t, f.admin, map[string]any{"groupBy": []string{"SUPPLIER"}}), "groups", "supplier")
		require.Equal(t, map[string][]string{"PURCHASE": {"1000 USD"}, "MAINTENANCE": {"50 GBP"}, "SUBSCRIPTION": {"120 USD"}}, repByKind(t, g[ids["supplier"]]))
		require.Equal(t, map[string][]string{"REPAIR": {"150 EUR"}, "SUPPORT": {"200 USD"}, "OTHER": {"30 USD"}}, repByKind(t, g[ids["supplier2"]]))
		require.Equal(t, map[string][]string{"PURCHASE": {"500 EUR"}, "REPAIR": {"3000 JPY"}}, repByKind(t, g[""]))
	})

	t.Run("two dimensions", func(t *testing.T) {
		r := f.rollup(t, f.admin, map[string]any{"groupBy": []string{"CATEGORY", "SUPPLIER"}})
		for _, g := range r["groups"].([]any) {
			if str(g, "category.id") == ids["category"] && str(g, "supplier.id") == ids["supplier2"] {
				c1, _ := f.k1Shares()
				require.Equal(t, map[string][]string{"REPAIR": {"150 EUR"}, "SUPPORT": {c1}, "OTHER": {"20 USD"}}, repByKind(t, g))
				return
			}
		}
		t.Fatal("no group for C1 × Dell Direct")
	})

	t.Run("filter: only costs on matching assets", func(t *testing.T) {
		r := f.rollup(t, f.admin, map[string]any{"filter": map[string]any{"categoryIds": []string{ids["category"]}}})
		// Matching assets come first in the split: the remainder is theirs.
		require.Equal(t, map[string][]string{"PURCHASE": {"500 EUR", "1000 USD"}, "REPAIR": {"150 EUR"}, "SUPPORT": {"133.34 USD"}, "OTHER": {"20 USD"}},
			repByKind(t, r["groups"].([]any)[0]))
		// A filter matching nothing: no costs at all (no license, no K2).
		r = f.rollup(t, f.admin, map[string]any{"filter": map[string]any{"search": "no such asset"}})
		require.Empty(t, r["total"])
		require.Len(t, r["groups"], 1, "not grouped: one group, also empty")
		require.Empty(t, get(r, "groups.0.total"))
	})

	t.Run("charges crossing the period's bounds count only inside", func(t *testing.T) {
		r := f.rollup(t, f.admin, map[string]any{"from": "2024-12-01", "to": "2025-01-31"})
		// Dec 15 and Jan 15 of K1, and A1's MAINTENANCE of Dec 31.
		require.Equal(t, map[string][]string{"SUPPORT": {"200 USD"}, "MAINTENANCE": {"80 USD"}}, repByKind(t, r["groups"].([]any)[0]))
		r = f.rollup(t, f.admin, map[string]any{"from": "2025-02-16", "to": "2025-03-31"})
		require.Equal(t, map[string][]string{"PURCHASE": {"500 EUR"}}, repByKind(t, r["groups"].([]any)[0]))
	})

	t.Run("cross-org: another organization sees only its own", func(t *testing.T) {
		r := f.rollup(t, mint(t, "globex", itam.RoleAuditor, "aud@globex.test"), map[string]any{"groupBy": []string{"CATEGORY"}})
		require.Equal(t, []string{"777 USD"}, repMoney(t, r["total"]))
		require.Len(t, r["groups"], 1)
	})
}

func repKinds(g any) []string {
	var out []string
	for _, k := range get(g, "byKind").([]any) {
		out = append(out, str(k, "kind"))
	}
	return out
}

// repRequireShares checks one-group shares of a USD amount sum to it exactly.
func repRequireShares(t *testing.T, total string, shares ...[]string) {
	t.Helper()
	sum := decimal.Zero
	for _, s := range shares {
		require.Len(t, s, 1)
		var amount, cur string
		for i, c := range s[0] {
			if c == ' ' {
				amount, cur = s[0][:i], s[0][i+1:]
			}
		}
		require.Equal(t, "USD", cur)
		sum = sum.Add(decimal.RequireFromString(amount))
	}
	require.True(t, sum.Equal(decimal.RequireFromString(total)), "shares sum to %s", sum)
}

func TestCostRollupConversion(t *testing.T) {
	f := newRepFixture(t)
	r := f.rollup(t, f.admin, map[string]any{"cur": "usd"})
	require.Equal(t, "USD", r["reportingCurrency"])
	// 1000 + 500 EUR × 1.10 (Mar 1) + 150 EUR × 1.20 (Jun 10: the June
	// rate, not the January one) + 3000 JPY × 0.007 + 50 GBP × 1.25 + 350.
	require.Equal(t, []string{"2163.5 USD"}, repMoney(t, r["total"]))
	require.Equal(t, map[string][]string{
		"PURCHASE": {"1550 USD"}, "MAINTENANCE": {"62.5 USD"}, "REPAIR": {"201 USD"}, "SUPPORT": {"200 USD"},
		"SUBSCRIPTION": {"120 USD"}, "OTHER": {"30 USD"},
	}, repByKind(t, r["groups"].([]any)[0]))
	var used []string
	for _, x := range r["ratesUsed"].([]any) {
		used = append(used, str(x, "from")+str(x, "to")+" "+str(x, "rate")+" "+str(x, "validFrom"))
	}
	require.Len(t, used, 4)
	require.Contains(t, used[0], "EURUSD 1.1")
	require.Contains(t, used[1], "EURUSD 1.2")
	require.Contains(t, used[1], "2025-06-01")

	// No JPY → EUR nor GBP → EUR rate: refused, naming the pair and the day.
	e := f.a.code(f.admin, repRollupQ, map[string]any{"groupBy": []string{}, "from": "2025-01-01", "to": "2025-12-31", "cur": "EUR"}, "BAD_USER_INPUT", "reportingCurrency")
	require.Regexp(t, `no exchange rate from (JPY|GBP) to EUR valid on 2025-(12-31|04-01)`, e.Errors[0].Message)
	// A period before the first rate is refused too, never guessed.
	f.a.code(f.admin, repRollupQ, map[string]any{"groupBy": []string{}, "from": "2024-12-01", "to": "2024-12-31", "cur": "EUR"}, "BAD_USER_INPUT", "reportingCurrency")
}

func TestCostRollupBadInputAndRoles(t *testing.T) {
	f := newRepFixture(t)
	q := func(groupBy []string, from, to, cur string) map[string]any {
		if groupBy == nil {
			groupBy = []string{}
		}
		v := map[string]any{"groupBy": groupBy, "from": from, "to": to}
		if cur != "" {
			v["cur"] = cur
		}
		return v
	}
	repSpendQ := `query($groupBy: [CostGroupBy!], $from: Date!, $to: Date!, $cur: String) {
		spendByPeriod(period: MONTH, from: $from, to: $to, groupBy: $groupBy, reportingCurrency: $cur) { buckets { start } } }`
	tests := []struct {
		name  string
		vars  map[string]any
		field string
	}{
		{"to before from", q(nil, "2025-02-01", "2025-01-31", ""), "to"},
		{"more than ten years", q(nil, "2015-01-01", "2025-12-31", ""), "to"},
		{"repeated groupBy", q([]string{"TEAM", "TEAM"}, "2025-01-01", "2025-12-31", ""), "groupBy"},
		{"four groupBy", q([]string{"TEAM", "MODEL", "OWNER", "SUPPLIER"}, "2025-01-01", "2025-12-31", ""), "groupBy"},
		{"unknown currency", q(nil, "2025-01-01", "2025-12-31", "XYZ"), "reportingCurrency"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.a.code(f.admin, repRollupQ, tt.vars, "BAD_USER_INPUT", tt.field)
			f.a.code(f.admin, repSpendQ, tt.vars, "BAD_USER_INPUT", tt.field)
		})
	}
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		t.Run(string(role), func(t *testing.T) {
			tok := mint(t, "acme", role, "ada@example.com")
			vars := q([]string{"CATEGORY"}, "2025-01-01", "2025-12-31", "")
			if role == itam.RoleEmployee {
				f.a.code(tok, repRollupQ, vars, "FORBIDDEN", "")
				f.a.code(tok, repSpendQ, vars, "FORBIDDEN", "")
				return
			}
			require.Len(t, get(f.a.ok(tok, repRollupQ, vars), "costRollup.groups"), 3)
			// Jan, Feb and May: C1 and C2; Mar, Apr, Jun, Jul, Dec: one group each.
			require.Len(t, get(f.a.ok(tok, repSpendQ, vars), "spendByPeriod.buckets"), 11)
		})
	}
}

const repSpendQ = `query($period: CostInterval!, $groupBy: [CostGroupBy!], $from: Date!, $to: Date!, $filter: AssetFilter, $cur: String) {
	spendByPeriod(period: $period, from: $from, to: $to, groupBy: $groupBy, filter: $filter, reportingCurrency: $cur) {
		period reportingCurrency ratesUsed { from to rate validFrom }
		buckets { start end category { id } byKind { kind total { amount currency } } total { amount currency } }
	}
}`

func TestSpendByPeriod(t *testing.T) {
	f := newRepFixture(t)
	spend := func(vars map[string]any) []any {
		t.Helper()
		if vars["from"] == nil {
			vars["from"], vars["to"] = "2025-01-01", "2025-12-31"
		}
		return get(f.a.ok(f.admin, repSpendQ, vars), "spendByPeriod.buckets").([]any)
	}
	totals := func(buckets []any) [][]string {
		out := make([][]string, len(buckets))
		for i, b := range buckets {
			out[i] = repMoney(t, get(b, "total"))
		}
		return out
	}

	months := spend(map[string]any{"period": "MONTH"})
	require.Len(t, months, 12, "every month, also those without spend")
	require.Equal(t, "2025-02-01", str(months[1], "start"))
	require.Equal(t, "2025-02-28", str(months[1], "end"))
	require.Equal(t, [][]string{{"100 USD"}, {"1100 USD"}, {"500 EUR"}, {"50 GBP"}, {"30 USD"}, {"150 EUR"}, {"120 USD"}, nil, nil, nil, nil, {"3000 JPY"}}, totals(months))
	require.Equal(t, map[string][]string{"PURCHASE": {"1000 USD"}, "SUPPORT": {"100 USD"}}, repByKind(t, months[1]))

	quarters := spend(map[string]any{"period": "QUARTER"})
	require.Equal(t, [][]string{{"500 EUR", "1200 USD"}, {"150 EUR", "50 GBP", "30 USD"}, {"120 USD"}, {"3000 JPY"}}, totals(quarters))
	require.Equal(t, "2025-06-30", str(quarters[1], "end"))

	years := spend(map[string]any{"period": "YEAR", "from": "2024-07-01", "to": "2025-12-31"})
	require.Len(t, years, 2)
	require.Equal(t, "2024-01-01", str(years[0], "start"))
	// 2024 counts only from July: K1's Nov 15 and Dec 15 and A1's Dec 31.
	require.Equal(t, [][]string{{"280 USD"}, {"650 EUR", "50 GBP", "3000 JPY", "1350 USD"}}, totals(years))

	// Grouped: only the periods and groups with spend, in period order.
	grouped := spend(map[string]any{"period": "QUARTER", "groupBy": []string{"CATEGORY"}})
	var seen []string
	for _, b := range grouped {
		seen = append(seen, str(b, "start")+" "+map[string]string{f.ids["category"]: "C1", f.ids["category2"]: "C2", "": "-"}[str(b, "category.id")])
	}
	c1, c2 := "C1", "C2"
	if !f.c1First {
		c1, c2 = c2, c1
	}
	require.Equal(t, []string{"2025-01-01 " + c1, "2025-01-01 " + c2, "2025-04-01 " + c1, "2025-04-01 " + c2, "2025-04-01 -", "2025-07-01 -", "2025-10-01 C2"}, seen)

	// Converted: each month in USD at its own rate, empty ones zero.
	r := get(f.a.ok(f.admin, repSpendQ, map[string]any{"period": "MONTH", "from": "2025-01-01", "to": "2025-12-31", "cur": "USD"}), "spendByPeriod").(map[string]any)
	require.Equal(t, "MONTH", r["period"])
	months = r["buckets"].([]any)
	require.Equal(t, [][]string{{"100 USD"}, {"1100 USD"}, {"550 USD"}, {"62.5 USD"}, {"30 USD"}, {"180 USD"}, {"120 USD"},
		{"0 USD"}, {"0 USD"}, {"0 USD"}, {"0 USD"}, {"21 USD"}}, totals(months))
	require.Len(t, r["ratesUsed"], 4)
	f.a.code(f.admin, repSpendQ, map[string]any{"period": "MONTH", "from": "2025-01-01", "to": "2025-12-31", "cur": "EUR"}, "BAD_USER_INPUT", "reportingCurrency")

	// Filtered to the monitor: its repair and its share of K1 (matching
	// assets first in the split: 66.67 of 200.00 over three).
	filtered := spend(map[string]any{"period": "YEAR", "filter": map[string]any{"modelIds": []string{f.ids["model2"]}}})
	require.Equal(t, map[string][]string{"REPAIR": {"3000 JPY"}, "SUPPORT": {"66.67 USD"}, "OTHER": {"10 USD"}}, repByKind(t, filtered[0]))
}

// TestCostReportPricing: a grouped report is priced per estimated group
// (and per period for spend), so a ten-year monthly spend grouped three
// ways with every dimension selected is refused before it runs, while the
// same report ungrouped runs.
func TestCostReportPricing(t *testing.T) {
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	q := `query($groupBy: [CostGroupBy!]) {
		spendByPeriod(period: MONTH, from: "2016-01-01", to: "2025-12-31", groupBy: $groupBy) {
			buckets { start end model { id name } category { id name } team { id name } location { id name }
				owner { ... on Person { id name } ... on Team { id name } } supplier { id name }
				byKind { kind total { amount currency } } total { amount currency } }
		}
	}`
	a.code(admin, q, map[string]any{"groupBy": []string{"CATEGORY", "TEAM", "OWNER"}}, "COMPLEXITY_LIMIT_EXCEEDED", "")
	require.Len(t, get(a.ok(admin, q, map[string]any{"groupBy": []string{}}), "spendByPeriod.buckets"), 120)
}
