package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/syncjob"
)

// importAPI is the server with a River client working the imports queue,
// and a channel of the jobs it finished.
type importAPI struct {
	*api
	finished <-chan *river.Event
}

func newImportAPI(t *testing.T) *importAPI {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	owner := openOwner(t, dbURL)
	for _, slug := range []string{"acme", "globex"} {
		_, _, err := seed.EnsureOrg(ctx, owner, slug, "")
		require.NoError(t, err)
	}
	db, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	insert, err := syncjob.NewClient(syncjob.Deps{DB: db, Log: slog.New(slog.DiscardHandler)}, syncjob.Options{})
	require.NoError(t, err)
	jobDB, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(jobDB.Close)
	work, err := syncjob.NewClient(syncjob.Deps{DB: jobDB, Log: slog.New(slog.DiscardHandler)}, syncjob.Options{Workers: true, NoSync: true})
	require.NoError(t, err)
	events, cancel := work.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	t.Cleanup(cancel)
	require.NoError(t, work.Start(ctx))
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = work.Stop(stop)
	})
	srv := httptest.NewServer(httpapi.NewServer(newLogger(io.Discard, "error"), db, v, metrics.New(db.Pool), "",
		httpapi.WithConnectors(nil, postgres.RiverEnqueuer{Client: insert}, "")))
	t.Cleanup(srv.Close)
	return &importAPI{api: &api{t: t, srv: srv, db: db, dbURL: dbURL}, finished: events}
}

// upload sends query as a GraphQL multipart request with file at
// variables.in.file.
func (a *api) upload(tok, query string, in map[string]any, name string, file []byte) gqlResponse {
	a.t.Helper()
	in["file"] = nil
	ops, err := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"in": in}})
	require.NoError(a.t, err)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(a.t, mw.WriteField("operations", string(ops)))
	require.NoError(a.t, mw.WriteField("map", `{"0": ["variables.in.file"]}`))
	fw, err := mw.CreateFormFile("0", name)
	require.NoError(a.t, err)
	_, err = fw.Write(file)
	require.NoError(a.t, err)
	require.NoError(a.t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, a.srv.URL+"/graphql", &body)
	require.NoError(a.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(a.t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(a.t, err)
	var out gqlResponse
	require.NoError(a.t, json.Unmarshal(raw, &out), string(raw))
	out.status = res.StatusCode
	return out
}

// waitJob waits for the worker to finish one job of kind.
func (a *importAPI) waitJob(kind string) {
	a.t.Helper()
	select {
	case ev := <-a.finished:
		require.Equal(a.t, river.EventKindJobCompleted, ev.Kind, "job %s: %v", ev.Job.Kind, ev.Job.Errors)
		require.Equal(a.t, kind, ev.Job.Kind)
	case <-time.After(60 * time.Second):
		a.t.Fatalf("the %s job did not finish", kind)
	}
}

const startImportMutation = `mutation($in: StartImportInput!) { startImport(input: $in) { id status fileName fileSize kind
	options { dateOrder upsertKey defaultCurrency sheet } } }`

const importRunQuery = `query($id: ID!) { importRun(id: $id) { id status version error skipInvalid
	progress { rowsDone rowsTotal }
	totals { rows create update unchanged error duplicates skipped referencesCreated referencesMatched }
	headers mapping { columns { column header field } unmapped { column header field takenBy } }
	rows(first: 100) { totalCount nodes { line action key target values { field value } errors { column header field message } duplicateOf } }
	errors: rows(actions: [ERROR]) { totalCount nodes { line } }
	references { kind name created id rows } } }`

// A messy file: lines 2 and 6 are new assets; 3 has a status and 4 a date
// no one can read; 5 repeats line 2's tag; column 9 maps to nothing.
const messyAssets = "Asset Tag,Serial,Model,Manufacturer,Category,Status,Location,Purchase Date,Purchase Cost,Colour\n" +
	"A-1,SN1,Latitude 5440,Dell,Laptops,In Stock,Paris,15/01/2024,\"€1,299.00\",red\n" +
	"A-2,SN2,Latitude 5440,Dell,Laptops,Broken-ish,Paris,,,\n" +
	"A-3,SN3,Latitude 5440,Dell,Laptops,,Paris,13/13/2024,,\n" +
	"a-1,SN4,Latitude 5440,Dell,Laptops,,Paris,,,\n" +
	"A-4,SN5,Latitude 5440,Dell,Laptops,,Berlin,,,\n"

func assetCount(a *api, tok string) float64 {
	return get(a.ok(tok, `{ assets { totalCount } }`, nil), "assets.totalCount").(float64)
}

// The whole import through the HTTP API: upload, dry run, a report that
// names every bad row's line and column, nothing written, commit refused
// while rows have errors, then committed with skipInvalid: exactly the
// valid rows applied.
func TestImportAPIDryRunAndCommit(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	manager := mint(t, "acme", itam.RoleManager, "manager@acme.test")
	before := assetCount(a.api, admin)

	r := a.upload(manager, startImportMutation, map[string]any{"kind": "ASSETS", "options": map[string]any{"defaultCurrency": "eur"}},
		"assets.csv", []byte(messyAssets))
	require.Empty(t, r.Errors)
	run := get(r.Data, "startImport").(map[string]any)
	require.Equal(t, "PLANNING", run["status"])
	require.Equal(t, "assets.csv", run["fileName"])
	require.Equal(t, float64(len(messyAssets)), run["fileSize"])
	require.Equal(t, map[string]any{"dateOrder": "DMY", "upsertKey": "ASSET_TAG", "defaultCurrency": "EUR", "sheet": nil}, run["options"])
	id := run["id"].(string)

	a.waitJob("import.plan")
	d := a.ok(admin, importRunQuery, map[string]any{"id": id})
	got := get(d, "importRun").(map[string]any)
	require.Equal(t, "READY", got["status"], got["error"])
	require.Equal(t, map[string]any{"rowsDone": float64(5), "rowsTotal": float64(5)}, got["progress"])
	totals := got["totals"].(map[string]any)
	require.Equal(t, float64(5), totals["rows"])
	require.Equal(t, float64(2), totals["create"])
	require.Equal(t, float64(3), totals["error"])
	require.Equal(t, float64(1), totals["duplicates"])
	require.Equal(t, []any{map[string]any{"column": float64(9), "header": "Colour", "field": nil, "takenBy": nil}}, get(got, "mapping.unmapped"))
	require.Contains(t, get(got, "mapping.columns"), map[string]any{"column": float64(1), "header": "Serial", "field": "serialNumber"})

	rows := get(got, "rows.nodes").([]any)
	require.Len(t, rows, 5)
	require.Equal(t, float64(5), get(got, "rows.totalCount"))
	line := func(n int) map[string]any { return rows[n-2].(map[string]any) }
	require.Equal(t, "CREATE", line(2)["action"])
	require.Contains(t, line(2)["values"], map[string]any{"field": "purchasePrice", "value": "1299.00"})
	require.Contains(t, line(2)["values"], map[string]any{"field": "purchaseDate", "value": "2024-01-15"})
	require.Equal(t, "CREATE", line(6)["action"])
	// Every error row names its line, column, header and why.
	for n, col := range map[int]float64{3: 5, 4: 7, 5: 0} {
		row := line(n)
		require.Equal(t, "ERROR", row["action"], "line %d", n)
		errs := row["errors"].([]any)
		require.NotEmpty(t, errs, "line %d", n)
		e := errs[0].(map[string]any)
		require.Equal(t, col, e["column"], "line %d: %v", n, errs)
		require.NotEmpty(t, e["header"], "line %d", n)
		require.NotEmpty(t, e["message"], "line %d", n)
	}
	require.Equal(t, float64(2), line(5)["duplicateOf"])
	require.Equal(t, float64(3), get(got, "errors.totalCount"))
	require.Len(t, get(got, "errors.nodes"), 3)
	require.NotEmpty(t, got["references"])

	// The dry run wrote nothing.
	require.Equal(t, before, assetCount(a.api, admin))

	// Commit is refused while rows have errors, and starts nothing.
	commit := `mutation($in: CommitImportInput!) { commitImport(input: $in) { id status skipInvalid } }`
	r = a.code(manager, commit, map[string]any{"in": map[string]any{"id": id}}, "BAD_USER_INPUT", "skipInvalid")
	require.Equal(t, "the dry run found 3 rows with errors: fix the file and import again, or commit with skipInvalid: true", r.Errors[0].Message)
	a.code(manager, commit, map[string]any{"in": map[string]any{"id": id, "skipInvalid": true, "version": 999}}, "CONFLICT", "version")
	require.Equal(t, "READY", str(a.ok(admin, `query($id: ID!) { importRun(id: $id) { status } }`, map[string]any{"id": id}), "importRun.status"))

	d = a.ok(manager, commit, map[string]any{"in": map[string]any{"id": id, "skipInvalid": true}})
	require.Equal(t, "COMMITTING", str(d, "commitImport.status"))
	a.waitJob("import.commit")
	d = a.ok(admin, `query($id: ID!) { importRun(id: $id) { status committedAt totals { skipped } } }`, map[string]any{"id": id})
	require.Equal(t, "COMMITTED", str(d, "importRun.status"))
	require.NotNil(t, get(d, "importRun.committedAt"))
	require.Equal(t, before+2, assetCount(a.api, admin))
	tags := a.ok(admin, `{ assets(first: 10, filter: {search: "A-"}) { nodes { assetTag serialNumber } } }`, nil)
	var applied []string
	for _, n := range get(tags, "assets.nodes").([]any) {
		applied = append(applied, n.(map[string]any)["assetTag"].(string))
	}
	require.ElementsMatch(t, []string{"A-1", "A-4"}, applied)

	// A committed run cannot be committed again.
	a.code(manager, commit, map[string]any{"in": map[string]any{"id": id, "skipInvalid": true}}, "CONFLICT", "id")

	// The run is listed.
	d = a.ok(admin, `{ importRuns(first: 5) { nodes { id status } } }`, nil)
	require.Equal(t, id, str(d, "importRuns.nodes.0.id"))
}

// EMPLOYEE and AUDITOR cannot import; AUDITOR reads the report; EMPLOYEE
// reads nothing; another organization sees no run at all.
func TestImportAPIRolesAndIsolation(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	employee := mint(t, "acme", itam.RoleEmployee, "employee@acme.test")
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	file := []byte("Asset Tag,Serial,Model,Manufacturer,Category\nB-1,SB1,Latitude 5440,Dell,Laptops\n")
	in := func() map[string]any { return map[string]any{"kind": "ASSETS"} }

	for _, tok := range []string{auditor, employee} {
		r := a.upload(tok, startImportMutation, in(), "assets.csv", file)
		require.NotEmpty(t, r.Errors)
		require.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"])
	}
	// Without a token the multipart request is refused like any other:
	// a cross-site form cannot send the Authorization header.
	r := a.upload("", startImportMutation, in(), "assets.csv", file)
	require.Equal(t, http.StatusUnauthorized, r.status)
	require.Equal(t, "UNAUTHENTICATED", r.Errors[0].Extensions["code"])

	r = a.upload(admin, startImportMutation, in(), "assets.csv", file)
	require.Empty(t, r.Errors)
	id := str(r.Data, "startImport.id")
	a.waitJob("import.plan")

	q := `query($id: ID!) { importRun(id: $id) { status totals { create } rows { nodes { line action } } } }`
	d := a.ok(auditor, q, map[string]any{"id": id})
	require.Equal(t, "READY", str(d, "importRun.status"))
	require.Equal(t, float64(1), get(d, "importRun.totals.create"), get(d, "importRun.rows"))
	a.code(auditor, `mutation($id: ID!) { commitImport(input: {id: $id}) { id } }`, map[string]any{"id": id}, "FORBIDDEN", "")
	a.code(employee, q, map[string]any{"id": id}, "FORBIDDEN", "")
	a.code(employee, `{ importRuns { nodes { id } } }`, nil, "FORBIDDEN", "")

	a.code(other, q, map[string]any{"id": id}, "NOT_FOUND", "")
	a.code(other, `mutation($id: ID!) { commitImport(input: {id: $id}) { id } }`, map[string]any{"id": id}, "NOT_FOUND", "")
	node := `query($id: ID!) { node(id: $id) { id ... on ImportRun { status } } }`
	require.Nil(t, get(a.ok(other, node, map[string]any{"id": id}), "node"))
	require.Empty(t, get(a.ok(other, `{ importRuns { nodes { id } } }`, nil), "importRuns.nodes"))
	require.Equal(t, "READY", str(a.ok(auditor, node, map[string]any{"id": id}), "node.status"))

	// totalCount counts every run of the organization, not the page.
	r = a.upload(admin, startImportMutation, in(), "more.csv", file)
	require.Empty(t, r.Errors)
	runs := `{ importRuns(first: 1) { totalCount nodes { id } } }`
	d = a.ok(auditor, runs, nil)
	require.Equal(t, float64(2), get(d, "importRuns.totalCount"))
	require.Len(t, get(d, "importRuns.nodes"), 1)
	require.Equal(t, float64(0), get(a.ok(other, runs, nil), "importRuns.totalCount"))
}

// A saved mapping round trip: saved, listed, applied by startImport to a
// file whose headers no automatic match knows, replaced, deleted.
func TestImportAPISavedMapping(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	manager := mint(t, "acme", itam.RoleManager, "manager@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	save := `mutation($in: SaveImportMappingInput!) { saveImportMapping(input: $in) { id kind name version
		columns { header field } options { dateOrder upsertKey } } }`
	in := map[string]any{"kind": "ASSETS", "name": "Legacy sheet", "options": map[string]any{"dateOrder": "MDY"},
		"columns": []any{map[string]any{"header": "Inv. Code", "field": "assetTag"}, map[string]any{"header": "Maker", "field": "manufacturer"}}}
	d := a.ok(manager, save, map[string]any{"in": in})
	m := get(d, "saveImportMapping").(map[string]any)
	require.Equal(t, "Legacy sheet", m["name"])
	require.Equal(t, float64(1), m["version"])
	require.Equal(t, map[string]any{"dateOrder": "MDY", "upsertKey": "ASSET_TAG"}, m["options"])
	require.Len(t, m["columns"], 2)
	id := m["id"].(string)
	a.code(auditor, save, map[string]any{"in": in}, "FORBIDDEN", "")
	a.code(manager, save, map[string]any{"in": map[string]any{"kind": "ASSETS", "name": "x",
		"columns": []any{map[string]any{"header": "Tag", "field": "colour"}}}}, "BAD_USER_INPUT", "columns[0].field")
	a.code(manager, save, map[string]any{"in": map[string]any{"kind": "ASSETS", "name": "x",
		"columns": []any{map[string]any{"header": "T\u0000g", "field": "assetTag"}}}}, "BAD_USER_INPUT", "columns[0].header")

	list := `{ importMappings(kind: ASSETS) { id name } }`
	require.Equal(t, id, str(a.ok(auditor, list, nil), "importMappings.0.id"))
	require.Empty(t, get(a.ok(other, list, nil), "importMappings"))
	require.Equal(t, "Legacy sheet", str(a.ok(auditor, `query($id: ID!) { node(id: $id) { ... on ImportMapping { name } } }`,
		map[string]any{"id": id}), "node.name"))

	// The file's "Inv. Code" column is the asset tag only by the saved mapping.
	r := a.upload(manager, startImportMutation+``, map[string]any{"kind": "ASSETS", "mappingId": id}, "legacy.csv",
		[]byte("Inv. Code,Maker,Model,Category,Purchase Date\nL-1,Dell,Latitude 5440,Laptops,12/31/2024\n"))
	require.Empty(t, r.Errors)
	require.Equal(t, "MDY", get(r.Data, "startImport.options.dateOrder"))
	a.waitJob("import.plan")
	d = a.ok(manager, `query($id: ID!) { importRun(id: $id) { status mapping { columns { column field } }
		rows { nodes { action key values { field value } errors { message } } } } }`,
		map[string]any{"id": str(r.Data, "startImport.id")})
	require.Equal(t, "READY", str(d, "importRun.status"))
	require.Equal(t, []any{
		map[string]any{"column": float64(0), "field": "assetTag"}, map[string]any{"column": float64(1), "field": "manufacturer"},
		map[string]any{"column": float64(2), "field": "model"}, map[string]any{"column": float64(3), "field": "category"},
		map[string]any{"column": float64(4), "field": "purchaseDate"},
	}, get(d, "importRun.mapping.columns"))
	require.Equal(t, "CREATE", str(d, "importRun.rows.nodes.0.action"), get(d, "importRun.rows.nodes.0.errors"))
	require.Equal(t, "L-1", str(d, "importRun.rows.nodes.0.key"))
	require.Contains(t, get(d, "importRun.rows.nodes.0.values"), map[string]any{"field": "purchaseDate", "value": "2024-12-31"})

	// Another organization's mapping is not found; a mapping of another kind does not apply.
	r = a.upload(other, startImportMutation, map[string]any{"kind": "ASSETS", "mappingId": id}, "legacy.csv", []byte("Inv. Code\nL-1\n"))
	require.Equal(t, "NOT_FOUND", r.Errors[0].Extensions["code"])
	r = a.upload(manager, startImportMutation, map[string]any{"kind": "PEOPLE", "mappingId": id}, "people.csv", []byte("Name\nAda\n"))
	require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"])
	require.Equal(t, "mappingId", r.Errors[0].Extensions["field"])

	// Saving the same name replaces it; a stale version is refused.
	in["columns"] = []any{map[string]any{"header": "Inv. Code", "field": "assetTag"}}
	in["version"] = 1
	d = a.ok(manager, save, map[string]any{"in": in})
	require.Equal(t, id, str(d, "saveImportMapping.id"))
	require.Equal(t, float64(2), get(d, "saveImportMapping.version"))
	a.code(manager, save, map[string]any{"in": in}, "CONFLICT", "version")

	del := `mutation($id: ID!) { deleteImportMapping(id: $id) { deletedId } }`
	a.code(auditor, del, map[string]any{"id": id}, "FORBIDDEN", "")
	a.code(other, del, map[string]any{"id": id}, "NOT_FOUND", "")
	require.Equal(t, id, str(a.ok(manager, del, map[string]any{"id": id}), "deleteImportMapping.deletedId"))
	require.Empty(t, get(a.ok(manager, list, nil), "importMappings"))
}

// A body over the upload limit is refused before it is read, as
// BAD_USER_INPUT on file, and no run is created.
func TestImportAPIRefusesOversizeUpload(t *testing.T) {
	t.Parallel()
	a := newAPI(t) // refused before any job could be queued
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	big := bytes.Repeat([]byte("x"), 51<<20) // the limit is 50 MB of file (+1 MB for the request around it)
	r := a.upload(admin, startImportMutation, map[string]any{"kind": "ASSETS"}, "big.csv", big)
	require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	require.Len(t, r.Errors, 1)
	require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"])
	require.Equal(t, "file", r.Errors[0].Extensions["field"])
	require.True(t, strings.Contains(r.Errors[0].Message, "at most 50 MB"), r.Errors[0].Message)
	require.Empty(t, get(a.ok(admin, `{ importRuns { nodes { id } } }`, nil), "importRuns.nodes"))
}
