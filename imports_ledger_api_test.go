package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// importFile uploads file as an import of kind, waits for its dry run and
// returns the run's report.
func (a *importAPI) importFile(tok, kind, name, file string) map[string]any {
	a.t.Helper()
	r := a.upload(tok, startImportMutation, map[string]any{"kind": kind}, name, []byte(file))
	require.Empty(a.t, r.Errors)
	id := str(r.Data, "startImport.id")
	a.waitJob("import.plan")
	got := get(a.ok(tok, importRunQuery, map[string]any{"id": id}), "importRun").(map[string]any)
	require.Equal(a.t, "READY", got["status"], got["error"])
	return got
}

// commitPlan commits a READY run without skipping rows and waits for it.
func (a *importAPI) commitPlan(tok, id string) {
	a.t.Helper()
	d := a.ok(tok, `mutation($in: CommitImportInput!) { commitImport(input: $in) { status } }`, map[string]any{"in": map[string]any{"id": id}})
	require.Equal(a.t, "COMMITTING", str(d, "commitImport.status"))
	a.waitJob("import.commit")
	require.Equal(a.t, "COMMITTED", str(a.ok(tok, `query($id: ID!) { importRun(id: $id) { status } }`, map[string]any{"id": id}), "importRun.status"))
}

// A licenses CSV then its seats CSV through the API: the licenses (with
// their new product and publisher) are created, the seats assigned, and the
// same two files imported again plan UNCHANGED on every row.
func TestImportAPILicensesThenSeats(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	a.ok(admin, `mutation { createPerson(input: {name: "Ana Núñez", email: "ana@acme.test"}) { person { id } } }`, nil)

	const lics = "License,Product,Publisher,License Model,Seats,Total Cost,Currency,Term End\n" +
		"Slack Pro,Slack,Salesforce,Per User,2,\"1,200.00\",USD,31/12/2025\n" +
		"Intranet,Wiki,Atlassian,Site,,,,\n"
	got := a.importFile(admin, "LICENSES", "licenses.csv", lics)
	require.Equal(t, float64(2), get(got, "totals.create"), get(got, "rows.nodes"))
	a.commitPlan(admin, got["id"].(string))
	d := a.ok(admin, `{ licenses(first: 5) { nodes { name seats licenseModel product { name publisher { name } } } } }`, nil)
	require.ElementsMatch(t, []any{
		map[string]any{"name": "Slack Pro", "seats": float64(2), "licenseModel": "PER_USER", "product": map[string]any{"name": "Slack", "publisher": map[string]any{"name": "Salesforce"}}},
		map[string]any{"name": "Intranet", "seats": nil, "licenseModel": "SITE", "product": map[string]any{"name": "Wiki", "publisher": map[string]any{"name": "Atlassian"}}},
	}, get(d, "licenses.nodes"))

	const seats = "License,Email\nSlack Pro,ANA@acme.test\nIntranet,ana@acme.test\n"
	got = a.importFile(admin, "LICENSE_SEATS", "seats.csv", seats)
	require.Equal(t, float64(1), get(got, "totals.create"))
	require.Equal(t, float64(1), get(got, "totals.error"))
	require.Equal(t, "a SITE license has no seats to assign", str(got, "rows.nodes.1.errors.0.message"))
	d = a.ok(admin, `mutation($in: CommitImportInput!) { commitImport(input: $in) { status } }`,
		map[string]any{"in": map[string]any{"id": got["id"], "skipInvalid": true}})
	require.Equal(t, "COMMITTING", str(d, "commitImport.status"))
	a.waitJob("import.commit")
	d = a.ok(admin, `{ licenses(first: 5, filter: {search: "Slack"}) { nodes { assignedSeats } } }`, nil)
	require.Equal(t, float64(1), get(d, "licenses.nodes.0.assignedSeats"))

	// The same files again change nothing.
	got = a.importFile(admin, "LICENSES", "licenses.csv", lics)
	require.Equal(t, float64(2), get(got, "totals.unchanged"), get(got, "rows.nodes"))
	got = a.importFile(admin, "LICENSE_SEATS", "seats.csv", seats)
	require.Equal(t, float64(1), get(got, "totals.unchanged"), get(got, "rows.nodes"))
}
