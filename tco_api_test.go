package main

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const ctrTCOQ = `query($ids: [ID!]!, $from: Date, $to: Date, $cur: String) { nodes(ids: $ids) { ... on Asset {
	totalCostOfOwnership(from: $from, to: $to, reportingCurrency: $cur) { from to reportingCurrency
		byKind { kind total { amount currency } } total { amount currency }
		ratesUsed { from to rate validFrom } } } } }`

// tcoOf reads the TCO of assets and returns, per asset, "KIND CUR" (and
// "TOTAL CUR") → amount.
func (c *ctrAPI) tcoOf(tok string, vars map[string]any, assets ...string) []map[string]decimal.Decimal {
	c.t.Helper()
	vars["ids"] = assets
	d := c.ok(tok, ctrTCOQ, vars)
	out := make([]map[string]decimal.Decimal, len(assets))
	for i := range assets {
		m := map[string]decimal.Decimal{}
		b := get(d, "nodes."+string(rune('0'+i))+".totalCostOfOwnership")
		for _, k := range get(b, "byKind").([]any) {
			for _, t := range get(k, "total").([]any) {
				m[str(k, "kind")+" "+str(t, "currency")] = decimal.RequireFromString(str(t, "amount"))
			}
		}
		for _, t := range get(b, "total").([]any) {
			m["TOTAL "+str(t, "currency")] = decimal.RequireFromString(str(t, "amount"))
		}
		out[i] = m
	}
	return out
}

func ctrDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

// requireAmounts compares amounts by value (100 and 100.00 are equal).
func ctrAmounts(t *testing.T, want map[string]string, got map[string]decimal.Decimal) {
	t.Helper()
	require.Len(t, got, len(want), "%v", got)
	for k, v := range want {
		require.Contains(t, got, k)
		require.True(t, ctrDec(v).Equal(got[k]), "%s: want %s, got %s", k, v, got[k])
	}
}

// TestTCOMixedCurrenciesAndShares: an asset's TCO counts its ledger
// entries and its share of each covering contract's charges and entries,
// per kind and per currency (EUR and USD never summed together); the
// shares of a contract covering three assets sum exactly to each charge.
func TestTCOMixedCurrenciesAndShares(t *testing.T) {
	c := newCtrAPI(t)
	a1 := c.asset(map[string]any{"purchaseDate": "2024-01-10", "purchasePrice": ctrMoney("1000", "EUR")})
	a2, a3 := c.asset(nil), c.asset(nil)
	ctr := c.contract(map[string]any{"kind": "SUPPORT", "start": "2024-01-01", "end": "2024-03-31",
		"assetIds": []string{a1, a2, a3}, "charges": []any{ctrMonthly("100.00", "USD")}})
	ctx := context.Background()
	_, err := c.owner.Exec(ctx, `INSERT INTO cost_entries (org_id, asset_id, kind, entry_date, amount, currency) VALUES ($1, $2, 'REPAIR', '2024-06-01', 50, 'USD')`,
		c.org, ctrID(a1))
	require.NoError(t, err)
	_, err = c.owner.Exec(ctx, `INSERT INTO cost_entries (org_id, contract_id, kind, entry_date, amount, currency) VALUES ($1, $2, 'OTHER', '2024-02-15', 10, 'USD')`,
		c.org, ctrID(ctr))
	require.NoError(t, err)

	got := c.tcoOf(c.admin, map[string]any{"from": "2024-01-01", "to": "2024-12-31"}, a1, a2, a3)
	// Shares go by asset id: the first gets the odd cents.
	byID := []string{a1, a2, a3}
	slices.SortFunc(byID, func(x, y string) int { return strings.Compare(ctrID(x).String(), ctrID(y).String()) })
	support := map[string]string{byID[0]: "100.02", byID[1]: "99.99", byID[2]: "99.99"}
	other := map[string]string{byID[0]: "3.34", byID[1]: "3.33", byID[2]: "3.33"}
	ctrAmounts(t, map[string]string{"PURCHASE EUR": "1000", "REPAIR USD": "50", "SUPPORT USD": support[a1], "OTHER USD": other[a1],
		"TOTAL EUR": "1000", "TOTAL USD": ctrDec("50").Add(ctrDec(support[a1])).Add(ctrDec(other[a1])).String()}, got[0])
	sumSupport, sumOther := decimal.Zero, decimal.Zero
	for _, m := range got {
		sumSupport, sumOther = sumSupport.Add(m["SUPPORT USD"]), sumOther.Add(m["OTHER USD"])
	}
	require.True(t, ctrDec("300").Equal(sumSupport), "3 × 100.00 exactly, got %s", sumSupport)
	require.True(t, ctrDec("10").Equal(sumOther), "got %s", sumOther)

	// The period bounds what counts; the default is all time until today.
	got = c.tcoOf(c.admin, map[string]any{"from": "2024-02-01", "to": "2024-02-29"}, a1)
	require.NotContains(t, got[0], "PURCHASE EUR")
	d := c.ok(c.admin, ctrTCOQ, map[string]any{"ids": []string{a1}})
	require.Nil(t, get(d, "nodes.0.totalCostOfOwnership.from"))
	require.NotEmpty(t, str(d, "nodes.0.totalCostOfOwnership.to"))
	require.Len(t, get(d, "nodes.0.totalCostOfOwnership.total"), 2)
	c.code(c.admin, ctrTCOQ, map[string]any{"ids": []string{a1}, "from": "2024-02-01", "to": "2024-01-01"}, "BAD_USER_INPUT", "to")
	c.code(c.admin, ctrTCOQ, map[string]any{"ids": []string{a1}, "from": "2010-01-01", "to": "2024-01-01"}, "BAD_USER_INPUT", "to")

	// Roles: AUDITOR reads, EMPLOYEE is refused.
	c.tcoOf(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), map[string]any{}, a1)
	hers := c.asset(map[string]any{"assigneeId": c.ids["ada"]})
	c.code(mint(t, "acme", itam.RoleEmployee, "ada@example.com"), `query($a: ID!) { node(id: $a) { ... on Asset { totalCostOfOwnership { total { amount } } } } }`,
		map[string]any{"a": hers}, "FORBIDDEN", "")
}

// TestTCOConversion: with a reporting currency every line is converted at
// the rate valid on its own date (not today's), ratesUsed lists exactly
// the rates applied, a missing rate is refused naming the pair and day,
// and an unknown currency is refused.
func TestTCOConversion(t *testing.T) {
	c := newCtrAPI(t)
	asset := c.asset(map[string]any{"purchaseDate": "2024-01-31", "purchasePrice": ctrMoney("500", "EUR")})
	c.contract(map[string]any{"kind": "LEASE", "start": "2024-01-31", "assetIds": []string{asset}, "charges": []any{ctrMonthly("100", "USD")}})
	for _, r := range []struct{ rate, from string }{{"0.9", "2024-01-01"}, {"0.8", "2024-03-01"}, {"0.5", "2025-01-01"}} {
		_, err := c.owner.Exec(context.Background(), `INSERT INTO exchange_rates (org_id, from_currency, to_currency, rate, valid_from) VALUES ($1, 'USD', 'EUR', $2, $3)`,
			c.org, r.rate, r.from)
		require.NoError(t, err)
	}
	vars := map[string]any{"ids": []string{asset}, "from": "2024-01-01", "to": "2024-03-31", "cur": "eur"}
	d := c.ok(c.admin, ctrTCOQ, vars)
	b := get(d, "nodes.0.totalCostOfOwnership")
	require.Equal(t, "EUR", str(b, "reportingCurrency"))
	require.Len(t, get(b, "total"), 1)
	require.True(t, ctrDec("760").Equal(ctrDec(str(b, "total.0.amount"))), "500 + 90 (Jan 31) + 90 (Feb 29) + 80 (Mar 31), got %s", str(b, "total.0.amount"))
	var used []string
	for _, r := range get(b, "ratesUsed").([]any) {
		used = append(used, str(r, "from")+"→"+str(r, "to")+" "+ctrDec(str(r, "rate")).String()+" "+str(r, "validFrom"))
	}
	slices.Sort(used)
	require.Equal(t, []string{"USD→EUR 0.8 2024-03-01", "USD→EUR 0.9 2024-01-01"}, used)
	got := c.tcoOf(c.admin, map[string]any{"from": "2024-01-01", "to": "2024-03-31", "cur": "EUR"}, asset)
	ctrAmounts(t, map[string]string{"PURCHASE EUR": "500", "LEASE EUR": "260", "TOTAL EUR": "760"}, got[0])

	// Without a rate to GBP the report is refused, never guessed.
	r := c.code(c.admin, ctrTCOQ, map[string]any{"ids": []string{asset}, "from": "2024-01-01", "to": "2024-03-31", "cur": "GBP"}, "BAD_USER_INPUT", "reportingCurrency")
	require.Contains(t, r.Errors[0].Message, "GBP")
	require.Contains(t, r.Errors[0].Message, "2024-01-31")
	c.code(c.admin, ctrTCOQ, map[string]any{"ids": []string{asset}, "cur": "EURO"}, "BAD_USER_INPUT", "reportingCurrency")
	c.code(c.admin, ctrTCOQ, map[string]any{"ids": []string{asset}, "cur": "JPY"}, "BAD_USER_INPUT", "reportingCurrency")
}

// TestTCOSeats: a seat the asset holds counts its price (an annual seat
// every year from its assignment); a PER_USER seat of the asset's person
// is shared among the person's assets (a total cost is split per seat).
func TestTCOSeats(t *testing.T) {
	c := newCtrAPI(t)
	mine1 := c.asset(map[string]any{"assigneeId": c.ids["ada"]})
	mine2 := c.asset(map[string]any{"assigneeId": c.ids["ada"]})
	device := c.asset(nil)
	_, perDevice := ctrLicense(c, "PER_DEVICE", map[string]any{"seats": 5, "seatCost": ctrMoney("120", "EUR"), "billingPeriod": "ANNUAL"})
	_, perUser := ctrLicense(c, "PER_USER", map[string]any{"seats": 3, "totalCost": ctrMoney("300.00", "EUR")})
	assign := `mutation($l: ID!, $a: ID, $p: ID) { assignLicenseSeat(input: {licenseId: $l, assetId: $a, personId: $p}) { seat { id } } }`
	c.ok(c.admin, assign, map[string]any{"l": perDevice, "a": device})
	c.ok(c.admin, assign, map[string]any{"l": perUser, "p": c.ids["ada"]})
	ctx := context.Background()
	_, err := c.owner.Exec(ctx, `UPDATE license_seats SET assigned_at = '2024-01-15T10:00:00Z' WHERE asset_id = $1`, ctrID(device))
	require.NoError(t, err)
	_, err = c.owner.Exec(ctx, `UPDATE license_seats SET assigned_at = '2024-02-01T10:00:00Z' WHERE person_id = $1`, ctrID(c.ids["ada"]))
	require.NoError(t, err)

	got := c.tcoOf(c.admin, map[string]any{"from": "2024-01-01", "to": "2025-06-30"}, device, mine1, mine2)
	ctrAmounts(t, map[string]string{"SUBSCRIPTION EUR": "240", "TOTAL EUR": "240"}, got[0])
	ctrAmounts(t, map[string]string{"SUBSCRIPTION EUR": "50", "TOTAL EUR": "50"}, got[1])
	ctrAmounts(t, map[string]string{"SUBSCRIPTION EUR": "50", "TOTAL EUR": "50"}, got[2])

	// A third device of hers: 100.00 shared three ways, exactly.
	mine3 := c.asset(map[string]any{"assigneeId": c.ids["ada"]})
	got = c.tcoOf(c.admin, map[string]any{"from": "2024-01-01", "to": "2025-06-30"}, mine1, mine2, mine3)
	sum := decimal.Zero
	for _, m := range got {
		sum = sum.Add(m["SUBSCRIPTION EUR"])
	}
	require.True(t, ctrDec("100").Equal(sum), "got %s", sum)
	// A reclaimed annual seat stops falling due.
	_, err = c.owner.Exec(ctx, `UPDATE license_seats SET reclaimed_at = '2025-01-15T09:00:00Z', reclaimed_by = 'x' WHERE asset_id = $1`, ctrID(device))
	require.NoError(t, err)
	got = c.tcoOf(c.admin, map[string]any{"from": "2024-01-01", "to": "2025-06-30"}, device)
	ctrAmounts(t, map[string]string{"SUBSCRIPTION EUR": "120", "TOTAL EUR": "120"}, got[0])
}

// TestTCOPageRoundTrips: a page of assets selecting contracts, expected end
// of life and TCO, and a page of contracts selecting their coverage,
// history and supplier, cost the same round trips for 2 as for 6 parents.
func TestTCOPageRoundTrips(t *testing.T) {
	c := newCtrAPI(t)
	var assets []string
	for i := 0; i < 6; i++ {
		assets = append(assets, c.asset(map[string]any{"purchaseDate": "2024-01-10", "purchasePrice": ctrMoney("100", "EUR")}))
	}
	for i := 0; i < 6; i++ {
		c.contract(map[string]any{"kind": "SUPPORT", "supplierId": c.ids["supplier"], "start": "2024-01-0" + string(rune('1'+i)),
			"assetIds": assets[i:], "charges": []any{ctrMonthly("10", "USD")}})
	}
	const assetsQ = `query($n: Int!) { assets(first: $n) { nodes { assetTag expectedEndOfLife
		totalCostOfOwnership(from: "2024-01-01", to: "2024-12-31") { total { amount currency } }
		contracts { id supplier { name } charges { every } coveredAssets(first: 2) { totalCount nodes { assetTag } } history { totalCount } } } } }`
	const contractsQ = `query($n: Int!) { contracts(first: $n) { totalCount nodes { id supplier { name }
		costLines(from: "2024-01-01", to: "2024-03-31") { date }
		coveredAssets { totalCount nodes { assetTag expectedEndOfLife contracts { id } } } coveredLicenses { totalCount }
		history { totalCount nodes { action } } } } }`
	for _, q := range []string{assetsQ, contractsQ} {
		rounds := func(n int) int64 {
			before := c.rounds.Load()
			c.ok(c.admin, q, map[string]any{"n": n})
			return c.rounds.Load() - before
		}
		two, six := rounds(2), rounds(6)
		require.Equal(t, two, six, "round trips must not grow with the page: %s", q)
	}
}
