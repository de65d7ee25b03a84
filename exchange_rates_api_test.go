package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const (
	ledSetRateQ = `mutation($f: String!, $t: String!, $r: Decimal!, $v: Date!) {
		setExchangeRate(from: $f, to: $t, rate: $r, validFrom: $v) { exchangeRate { from to rate validFrom } } }`
	ledDeleteRateQ = `mutation($f: String!, $t: String!, $v: Date!) { deleteExchangeRate(from: $f, to: $t, validFrom: $v) { deletedId } }`
	ledRatesQ      = `query($f: Int, $a: String, $filter: ExchangeRateFilter) { exchangeRates(first: $f, after: $a, filter: $filter) {
		totalCount pageInfo { hasNextPage endCursor } nodes { from to rate validFrom } } }`
)

func ledRate(from, to, rate, validFrom string) map[string]any {
	return map[string]any{"f": from, "t": to, "r": rate, "v": validFrom}
}

// rateHistory is the cost history of exchange rates as stored (rates have
// no global id for costHistory), oldest first.
func (l *ledAPI) rateHistory() []struct {
	action  string
	changes map[string]map[string]any
} {
	l.t.Helper()
	rows, err := l.owner.Query(context.Background(), `SELECT action, changes FROM cost_history WHERE entity_type = 'ExchangeRate' ORDER BY id`)
	require.NoError(l.t, err)
	defer rows.Close()
	var out []struct {
		action  string
		changes map[string]map[string]any
	}
	for rows.Next() {
		var action string
		var raw []byte
		require.NoError(l.t, rows.Scan(&action, &raw))
		var ch map[string]map[string]any
		require.NoError(l.t, json.Unmarshal(raw, &ch))
		out = append(out, struct {
			action  string
			changes map[string]map[string]any
		}{action, ch})
	}
	require.NoError(l.t, rows.Err())
	return out
}

// TestExchangeRateAPI: an ADMIN sets, replaces and deletes rates (codes
// upper-cased, exact rates), each change in the cost history; the list
// goes by pair, newest validFrom first, in pages; bad input is refused
// with its field and writes nothing.
func TestExchangeRateAPI(t *testing.T) {
	l := newLedAPI(t)
	d := l.ok(l.admin, ledSetRateQ, ledRate("eur", "usd", "1.10", "2025-01-01"))
	require.Equal(t, map[string]any{"from": "EUR", "to": "USD", "rate": "1.1", "validFrom": "2025-01-01"}, get(d, "setExchangeRate.exchangeRate"))
	// The same day again replaces the rate.
	d = l.ok(l.admin, ledSetRateQ, ledRate("EUR", "USD", "1.085012345678", "2025-01-01"))
	require.Equal(t, "1.085012345678", str(d, "setExchangeRate.exchangeRate.rate"), "twelve places kept")
	// Setting it once more to the same value records nothing.
	l.ok(l.admin, ledSetRateQ, ledRate("EUR", "USD", "1.085012345678", "2025-01-01"))
	for _, r := range []map[string]any{
		ledRate("EUR", "USD", "1.12", "2025-02-01"), ledRate("EUR", "USD", "1.09", "2024-12-01"),
		ledRate("USD", "JPY", "150", "2025-01-01"), ledRate("BHD", "USD", "2.659", "2025-01-01"),
	} {
		l.ok(l.admin, ledSetRateQ, r)
	}
	h := l.rateHistory()
	require.Len(t, h, 6)
	require.Equal(t, "CREATE", h[0].action)
	require.Equal(t, map[string]any{"from": nil, "to": "1.1"}, h[0].changes["rate"])
	require.Equal(t, map[string]any{"from": nil, "to": "EUR"}, h[0].changes["from"])
	require.Equal(t, "UPDATE", h[1].action)
	require.Equal(t, map[string]map[string]any{"rate": {"from": "1.1", "to": "1.085012345678"}}, h[1].changes, "the rate replaced, from → to")

	d = l.ok(l.admin, ledRatesQ, map[string]any{"f": 50})
	var got []string
	for _, n := range get(d, "exchangeRates.nodes").([]any) {
		got = append(got, str(n, "from")+str(n, "to")+" "+str(n, "validFrom"))
	}
	require.Equal(t, []string{"BHDUSD 2025-01-01", "EURUSD 2025-02-01", "EURUSD 2025-01-01", "EURUSD 2024-12-01", "USDJPY 2025-01-01"}, got)
	var paged []string
	var after any
	for range 10 { // bounded: a cursor that never advances fails instead of spinning
		d := l.ok(l.admin, ledRatesQ, map[string]any{"f": 2, "a": after})
		for _, n := range get(d, "exchangeRates.nodes").([]any) {
			paged = append(paged, str(n, "from")+str(n, "to")+" "+str(n, "validFrom"))
		}
		if !get(d, "exchangeRates.pageInfo.hasNextPage").(bool) {
			break
		}
		after = get(d, "exchangeRates.pageInfo.endCursor")
	}
	require.Equal(t, got, paged, "pages of 2 join into the whole list")
	d = l.ok(l.admin, ledRatesQ, map[string]any{"filter": map[string]any{"from": "eur"}})
	require.EqualValues(t, 3, get(d, "exchangeRates.totalCount"))
	// ExchangeRate.history: the same story through the API, for each rate of the page.
	d = l.ok(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), `{ exchangeRates(filter: {from: "EUR"}) { nodes { validFrom
		history { totalCount nodes { action changes { field from to } } } } } }`, nil)
	require.Equal(t, "2025-01-01", str(d, "exchangeRates.nodes.1.validFrom"))
	require.EqualValues(t, 2, get(d, "exchangeRates.nodes.1.history.totalCount"))
	require.Equal(t, "UPDATE", str(d, "exchangeRates.nodes.1.history.nodes.1.action"))
	require.Equal(t, []any{map[string]any{"field": "rate", "from": "1.1", "to": "1.085012345678"}},
		get(d, "exchangeRates.nodes.1.history.nodes.1.changes"))
	require.EqualValues(t, 1, get(d, "exchangeRates.nodes.0.history.totalCount"))
	d = l.ok(l.admin, ledRatesQ, map[string]any{"filter": map[string]any{"to": "USD"}})
	require.EqualValues(t, 4, get(d, "exchangeRates.totalCount"))
	l.code(l.admin, ledRatesQ, map[string]any{"filter": map[string]any{"to": "DOLLARS"}}, "BAD_USER_INPUT", "filter.to")

	n, hn := l.rows("exchange_rates"), l.rows("cost_history")
	for _, tc := range []struct {
		vars  map[string]any
		field string
	}{
		{ledRate("EURO", "USD", "1", "2025-01-01"), "from"},
		{ledRate("EUR", "XYZ", "1", "2025-01-01"), "to"},
		{ledRate("EUR", "eur", "1", "2025-01-01"), "to"},
		{ledRate("EUR", "USD", "0", "2025-01-01"), "rate"},
		{ledRate("EUR", "USD", "-1.1", "2025-01-01"), "rate"},
		{ledRate("EUR", "USD", "one", "2025-01-01"), "rate"},
		{ledRate("EUR", "USD", "1.0850123456789", "2025-01-01"), "rate"}, // would round silently in numeric(24,12)
		{ledRate("EUR", "USD", "1e12", "2025-01-01"), "rate"},
		{ledRate("EUR", "USD", "1", "01/01/2025"), "validFrom"},
	} {
		l.code(l.admin, ledSetRateQ, tc.vars, "BAD_USER_INPUT", tc.field)
	}
	l.code(l.admin, ledDeleteRateQ, ledRate("EUR", "USD", "", "2030-01-01"), "NOT_FOUND", "")
	l.code(l.admin, ledDeleteRateQ, ledRate("EUR", "EUR", "", "2025-01-01"), "BAD_USER_INPUT", "to")
	require.Equal(t, n, l.rows("exchange_rates"), "nothing written")
	require.Equal(t, hn, l.rows("cost_history"), "no history")

	d = l.ok(l.admin, ledDeleteRateQ, ledRate("eur", "usd", "", "2024-12-01"))
	require.NotEmpty(t, str(d, "deleteExchangeRate.deletedId"))
	require.Equal(t, n-1, l.rows("exchange_rates"))
	h = l.rateHistory()
	last := h[len(h)-1]
	require.Equal(t, "DELETE", last.action)
	require.Equal(t, map[string]any{"from": "1.09", "to": nil}, last.changes["rate"])
	require.Equal(t, map[string]any{"from": "2024-12-01", "to": nil}, last.changes["validFrom"])

	// Another organization sees none of acme's rates, and deletes none.
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	require.EqualValues(t, 0, get(l.ok(globex, ledRatesQ, nil), "exchangeRates.totalCount"))
	l.code(globex, ledDeleteRateQ, ledRate("EUR", "USD", "", "2025-01-01"), "NOT_FOUND", "")
	l.ok(globex, ledSetRateQ, ledRate("EUR", "USD", "2", "2025-01-01"))
	d = l.ok(l.admin, ledRatesQ, map[string]any{"filter": map[string]any{"from": "EUR"}})
	require.EqualValues(t, 2, get(d, "exchangeRates.totalCount"))
	require.Equal(t, "1.085012345678", str(d, "exchangeRates.nodes.1.rate"), "acme's own rate, not globex's")
}
