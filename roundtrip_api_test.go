package main

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// seedRoundTrip fills acme with a varied organization through the API:
// two manufacturers and models (one with a model number), locations,
// teams, suppliers, people (one with a manager, one with a number and a
// title, one offboarded: four in all) and assets using every field, with the text that
// breaks naive CSV: commas, quotes, line breaks, a leading '=' or '-',
// non-ASCII. It returns how many assets and people acme holds.
func seedRoundTrip(t *testing.T, a *api, admin string) (assets, people int) {
	t.Helper()
	ids := a.inventory(admin)
	d := a.ok(admin, `mutation {
		m: createManufacturer(input: {name: "Äpple Inc."}) { manufacturer { id } }
		l: createLocation(input: {kind: SITE, name: "Zürich, HQ", address: {city: "Zürich", country: "ch"}}) { location { id } }
		s: createSupplier(input: {name: "Müller & Söhne"}) { supplier { id } }
		t: createTeam(input: {name: "Ops \"Night\" Shift"}) { team { id } }
	}`, nil)
	apple, zurich, muller, ops := str(d, "m.manufacturer.id"), str(d, "l.location.id"), str(d, "s.supplier.id"), str(d, "t.team.id")
	d = a.ok(admin, `mutation($m: ID!, $c: ID!, $t: ID!, $l: ID!, $g: ID!) {
		mb: createModel(input: {name: "MacBook Pro 14\"", modelNumber: "A2992", manufacturerId: $m, categoryId: $c}) { model { id } }
		z: createPerson(input: {name: "Zoë O'Brien-Łukasz", email: "zoe@example.com", employeeNumber: "-0042", title: "=Head, of \"IT\"",
			teamId: $t, managerId: $g, locationId: $l}) { person { id } }
		x: createPerson(input: {name: "Xavier Gone", email: "xavier@example.com", status: OFFBOARDED}) { person { id } }
	}`, map[string]any{"m": apple, "c": ids["category"], "t": ops, "l": zurich, "g": ids["grace"]})
	mac, zoe := str(d, "mb.model.id"), str(d, "z.person.id")
	a.ok(admin, `mutation($m: ID!) { updateModel(input: {id: $m, version: 1, modelNumber: "LAT-7440"}) { model { id } } }`, map[string]any{"m": ids["model"]})

	for _, in := range []map[string]any{
		{"assetTag": "LT-0001", "serialNumber": "SN-1", "name": "Ada's laptop", "modelId": ids["model"], "condition": "FAIR",
			"assigneeId": ids["ada"], "ownerId": ids["team"], "locationId": ids["location"], "purchaseDate": "2024-03-01",
			"purchasePrice": map[string]any{"amount": "1299.5", "currency": "EUR"}, "supplierId": ids["supplier"],
			"orderNumber": "PO-7", "invoiceNumber": "INV-9", "warrantyEnd": "2027-03-01",
			"notes": "=SUM(A1:A9), \"quoted\", déjà vu\nsecond line; third, with commas"},
		{"assetTag": "LT-0002", "modelId": ids["model"], "ownerId": ids["team"]},
		{"assetTag": "MB-Ω1", "serialNumber": "-C02XYZ", "name": "Zoë's \"Mac\", 14-inch", "modelId": mac, "condition": "GOOD",
			"assigneeId": zoe, "ownerId": ops, "locationId": zurich, "purchaseDate": "2023-12-31",
			"purchasePrice": map[string]any{"amount": "2499", "currency": "CHF"}, "supplierId": muller,
			"orderNumber": "+41 PO", "invoiceNumber": "@inv", "warrantyEnd": "2026-12-31", "notes": "'=already quoted"},
		{"assetTag": "MB-2", "serialNumber": "C02ABC", "modelId": mac, "status": "ORDERED", "condition": "POOR",
			"locationId": zurich, "purchasePrice": map[string]any{"amount": "0.99", "currency": "USD"}, "notes": "  spaced  "},
	} {
		a.ok(admin, createAsset, map[string]any{"in": in})
	}
	return 4, 4
}

// exported downloads what an export query's link serves.
func exported(t *testing.T, a *api, tok, query, field string) []byte {
	t.Helper()
	d := a.ok(tok, query, nil)
	res, body := getAuthed(t, a.srv.URL+str(d, field+".url"), tok)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	return body
}

// dryRun uploads file as an import of kind, waits for its dry run and
// returns the run's report.
func (a *importAPI) dryRun(tok, kind, name string, file []byte) map[string]any {
	a.t.Helper()
	r := a.upload(tok, startImportMutation, map[string]any{"kind": kind}, name, file)
	require.Empty(a.t, r.Errors)
	a.waitJob("import.plan")
	run := get(a.ok(tok, importRunQuery, map[string]any{"id": str(r.Data, "startImport.id")}), "importRun").(map[string]any)
	require.Equal(a.t, "READY", run["status"], run["error"])
	return run
}

// requireAllUnchanged checks a dry run found every one of n rows
// UNCHANGED, naming the values of any row that is not.
func requireAllUnchanged(t *testing.T, run map[string]any, n int) {
	t.Helper()
	for _, r := range get(run, "rows.nodes").([]any) {
		row := r.(map[string]any)
		require.Equal(t, "UNCHANGED", row["action"], "line %v (%v): values %v errors %v", row["line"], row["key"], row["values"], row["errors"])
	}
	totals := run["totals"].(map[string]any)
	require.Equal(t, float64(n), totals["rows"], fmt.Sprint(totals))
	require.Equal(t, float64(n), totals["unchanged"], fmt.Sprint(totals))
	for _, k := range []string{"create", "update", "error", "duplicates", "referencesCreated"} {
		require.Zero(t, totals[k], "%s: %v", k, totals)
	}
}

// TestExportImportRoundTrip: what the export writes, CSV or XLSX, the
// import reads back as the organization already holds it: every row
// UNCHANGED, nothing to create.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	assets, people := seedRoundTrip(t, a.api, admin)

	for _, tc := range []struct {
		kind, format string
		rows         int
	}{
		{"ASSETS", "CSV", assets}, {"ASSETS", "XLSX", assets},
		{"PEOPLE", "CSV", people}, {"PEOPLE", "XLSX", people},
	} {
		field := "exportAssets"
		if tc.kind == "PEOPLE" {
			field = "exportPeople"
		}
		file := exported(t, a.api, admin, "{ "+field+"(format: "+tc.format+") { url } }", field)
		t.Logf("%s %s", tc.kind, tc.format)
		requireAllUnchanged(t, a.dryRun(admin, tc.kind, "export."+strings.ToLower(tc.format), file), tc.rows)
	}
}
