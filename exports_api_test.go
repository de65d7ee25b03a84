package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

const exportAssetsQ = `query($f: AssetFilter, $c: [AssetExportColumn!], $fmt: ExportFormat!) {
	exportAssets(filter: $f, columns: $c, format: $fmt) { url expiresAt format columns } }`

// exportAPI is a server whose link signer reads a clock the test moves.
type exportAPI struct {
	*api
	now atomic.Pointer[time.Time]
}

func newExportAPI(t *testing.T) *exportAPI {
	t.Helper()
	e := &exportAPI{}
	start := time.Now()
	e.now.Store(&start)
	s, err := exports.NewSigner(exports.RandomKey(), 5*time.Minute)
	require.NoError(t, err)
	e.api = newAPIWith(t, io.Discard, "error", httpapi.WithExportLinks(s.WithClock(func() time.Time { return *e.now.Load() })))
	return e
}

// link asks for an asset export and returns its URL's path and query.
func (e *exportAPI) link(tok string, vars map[string]any) string {
	e.t.Helper()
	d := e.ok(tok, exportAssetsQ, vars)
	u := str(d, "exportAssets.url")
	require.True(e.t, strings.HasPrefix(u, exports.DownloadPath+"?token="), u)
	return u
}

func csvRows(t *testing.T, body []byte) [][]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err, string(body))
	return recs
}

func TestExportAssets(t *testing.T) {
	t.Parallel()
	e := newExportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := e.inventory(admin)
	e.ok(admin, `mutation($m: ID!) { updateModel(input: {id: $m, version: 1, modelNumber: "LAT-7440"}) { model { id } } }`, map[string]any{"m": ids["model"]})
	e.ok(admin, createAsset, map[string]any{"in": map[string]any{"assetTag": "LT-0001", "serialNumber": "SN-1", "name": "Ada's laptop",
		"modelId": ids["model"], "condition": "FAIR", "assigneeId": ids["ada"], "ownerId": ids["team"], "locationId": ids["location"],
		"purchaseDate": "2024-03-01", "purchasePrice": map[string]any{"amount": "1299.5", "currency": "EUR"}, "supplierId": ids["supplier"],
		"orderNumber": "PO-7", "invoiceNumber": "INV-9", "warrantyEnd": "2027-03-01", "notes": "=not a formula"}})
	e.ok(admin, createAsset, map[string]any{"in": map[string]any{"assetTag": "LT-0002", "modelId": ids["model"], "ownerId": ids["team"]}})
	e.ok(mint(t, "globex", itam.RoleAdmin, "a@globex.test"), createAsset, map[string]any{"in": map[string]any{"assetTag": "GX-1",
		"modelId": e.inventory(mint(t, "globex", itam.RoleAdmin, "a@globex.test"))["model"]}})
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")

	d := e.ok(auditor, exportAssetsQ, map[string]any{"fmt": "CSV"})
	require.Equal(t, exports.Names(exports.Columns(exports.KindAssets)), strs(get(d, "exportAssets.columns")))
	exp, err := time.Parse(time.RFC3339, str(d, "exportAssets.expiresAt"))
	require.NoError(t, err)
	require.WithinDuration(t, e.now.Load().Add(5*time.Minute), exp, 2*time.Second)

	res, body := getAuthed(t, e.srv.URL+str(d, "exportAssets.url"), auditor)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="itam-assets-`+time.Now().UTC().Format("20060102")+`.csv"`, res.Header.Get("Content-Disposition"))
	require.Equal(t, [][]string{
		{"assetTag", "serialNumber", "name", "model", "modelNumber", "manufacturer", "category", "status", "condition", "assignee", "location",
			"ownerTeam", "purchaseDate", "purchasePrice", "purchaseCurrency", "orderNumber", "invoiceNumber", "supplier", "warrantyEnd", "notes"},
		{"LT-0001", "SN-1", "Ada's laptop", "Latitude 7440", "LAT-7440", "Dell", "Laptops", "DEPLOYED", "FAIR", "Ada@Example.com", "Berlin",
			"Engineering", "2024-03-01", "1299.50", "EUR", "PO-7", "INV-9", "CDW", "2027-03-01", "'=not a formula"},
		{"LT-0002", "", "", "Latitude 7440", "LAT-7440", "Dell", "Laptops", "IN_STOCK", "NEW", "", "", "Engineering", "", "", "", "", "", "", "", ""},
	}, csvRows(t, body), "canonical import text; another organization's asset absent")

	// Columns chosen, a filter, XLSX.
	u := e.link(auditor, map[string]any{"fmt": "XLSX", "c": []string{"SERIAL_NUMBER", "ASSET_TAG", "PURCHASE_PRICE"}, "f": map[string]any{"statusIn": []string{"DEPLOYED"}}})
	res, body = getAuthed(t, e.srv.URL+u, auditor)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", res.Header.Get("Content-Type"))
	require.Contains(t, res.Header.Get("Content-Disposition"), `.xlsx"`)
	f, err := excelize.OpenReader(bytes.NewReader(body))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Export")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"serialNumber", "assetTag", "purchasePrice"}, {"SN-1", "LT-0001", "1299.50"}}, rows)

	// Roles: MANAGER and ADMIN too; EMPLOYEE neither asks nor downloads.
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager} {
		tok := mint(t, "acme", role, "x@acme.test")
		res, _ := getAuthed(t, e.srv.URL+e.link(tok, map[string]any{"fmt": "CSV"}), tok)
		require.Equal(t, http.StatusOK, res.StatusCode, role)
	}
	employee := mint(t, "acme", itam.RoleEmployee, "Ada@Example.com")
	e.code(employee, exportAssetsQ, map[string]any{"fmt": "CSV"}, "FORBIDDEN", "")
	e.code(employee, `{ exportPeople(format: CSV) { url } }`, nil, "FORBIDDEN", "")
	e.code(employee, `{ exportLicenses(format: CSV) { url } }`, nil, "FORBIDDEN", "")
	e.code(auditor, exportAssetsQ, map[string]any{"fmt": "CSV", "f": map[string]any{"search": strings.Repeat("x", 300)}}, "BAD_USER_INPUT", "filter.search")
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestExportLinkRefusals: a link opens only for its own user, organization
// and role, before it expires and unaltered; every refusal is plain text
// and streams nothing.
func TestExportLinkRefusals(t *testing.T) {
	t.Parallel()
	e := newExportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := e.inventory(admin)
	e.ok(admin, createAsset, map[string]any{"in": map[string]any{"assetTag": "SECRET-1", "modelId": ids["model"], "ownerId": ids["team"]}})
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	u := e.link(auditor, map[string]any{"fmt": "CSV"})
	token, err := url.ParseQuery(strings.TrimPrefix(u, exports.DownloadPath+"?"))
	require.NoError(t, err)
	tok := token.Get("token")
	body, sig, _ := strings.Cut(tok, ".")
	adminLink := e.link(admin, map[string]any{"fmt": "CSV"})
	adminBody, _, _ := strings.Cut(strings.TrimPrefix(adminLink, exports.DownloadPath+"?token="), ".")

	for _, c := range []struct {
		name, path, bearer string
		status             int
	}{
		{"no bearer token", u, "", http.StatusUnauthorized},
		{"no link", exports.DownloadPath, auditor, http.StatusUnauthorized},
		{"altered claims", exports.DownloadPath + "?token=" + adminBody + "." + sig, auditor, http.StatusUnauthorized},
		{"altered signature", exports.DownloadPath + "?token=" + body + "." + flipFirst(sig), auditor, http.StatusUnauthorized},
		{"another user of the organization", u, mint(t, "acme", itam.RoleAuditor, "other@acme.test"), http.StatusForbidden},
		{"the same subject in another organization", u, mint(t, "globex", itam.RoleAuditor, "auditor@acme.test"), http.StatusForbidden},
		{"the same user with another role", u, mint(t, "acme", itam.RoleEmployee, "auditor@acme.test"), http.StatusForbidden},
	} {
		res, got := getAuthed(t, e.srv.URL+c.path, c.bearer)
		require.Equal(t, c.status, res.StatusCode, c.name)
		require.NotContains(t, string(got), "SECRET-1", c.name)
		if c.bearer != "" {
			require.Equal(t, "text/plain; charset=utf-8", res.Header.Get("Content-Type"), c.name)
		}
	}
	later := e.now.Load().Add(5*time.Minute + time.Second)
	e.now.Store(&later)
	res, got := getAuthed(t, e.srv.URL+u, auditor)
	require.Equal(t, http.StatusGone, res.StatusCode)
	require.Equal(t, "this download link has expired: export again\n", string(got))
}

// TestExportPeopleAndLicenses: the people and license exports, their
// columns and filter. (Cost columns follow itam.Principal.CanReadCosts;
// every role that may export reads costs today, so their refusal is
// proven in internal/exports TestSelect and TestLinks.)
func TestExportPeopleAndLicenses(t *testing.T) {
	t.Parallel()
	e := newExportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := e.inventory(admin)
	e.ok(admin, `mutation($p: ID!, $m: ID!) { updatePerson(input: {id: $p, version: 1, managerId: $m, title: "Engineer", employeeNumber: "E-1"}) { person { id } } }`,
		map[string]any{"p": ids["ada"], "m": ids["grace"]})
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	d := e.ok(auditor, `{ exportPeople(format: CSV, filter: {search: "ada"}) { url columns } }`, nil)
	res, body := getAuthed(t, e.srv.URL+str(d, "exportPeople.url"), auditor)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, [][]string{{"name", "email", "employeeNumber", "title", "team", "manager", "location", "status"},
		{"Ada Lovelace", "Ada@Example.com", "E-1", "Engineer", "Engineering", "grace@example.com", "Berlin", "ACTIVE"}}, csvRows(t, body))

	d = e.ok(auditor, `{ exportLicenses(format: CSV, columns: [NAME, PRODUCT, SEAT_COST]) { url columns } }`, nil)
	require.Equal(t, []string{"name", "product", "seatCost"}, strs(get(d, "exportLicenses.columns")))
	res, body = getAuthed(t, e.srv.URL+str(d, "exportLicenses.url"), auditor)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, [][]string{{"name", "product", "seatCost"}}, csvRows(t, body), "no licenses yet: the header only")
}

// flushRecorder is a ResponseWriter that records how much had been
// written at each flush.
type flushRecorder struct {
	*httptest.ResponseRecorder
	at []int
}

func (f *flushRecorder) Flush() {
	f.at = append(f.at, f.Body.Len())
	f.ResponseRecorder.Flush()
}

// TestExportStreams: a 20,000-row export is written page by page, each
// page flushed to the client before the next is read.
func TestExportStreams(t *testing.T) {
	t.Parallel()
	e := newExportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := e.inventory(admin)
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, e.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	var org uuid.UUID
	require.NoError(t, owner.QueryRow(ctx, `SELECT id FROM organizations WHERE slug = 'acme'`).Scan(&org))
	model, err := relay.DecodeAs("model", ids["model"], relay.TypeModel)
	require.NoError(t, err)
	team, err := relay.DecodeAs("team", ids["team"], relay.TypeTeam)
	require.NoError(t, err)
	const n = 20000
	_, err = owner.Exec(ctx, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, status)
		SELECT $1, 'B-' || lpad(i::text, 6, '0'), $2, (SELECT manufacturer_id FROM models WHERE id = $2), $3,
			CASE WHEN i % 2 = 0 THEN 'DEPLOYED' ELSE 'IN_STOCK' END::asset_status
		FROM generate_series(1, $4::int) i`, org, model, team, n)
	require.NoError(t, err)

	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	u := e.link(auditor, map[string]any{"fmt": "CSV", "c": []string{"ASSET_TAG", "STATUS"}})
	req := httptest.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+auditor)
	rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	e.srv.Config.Handler.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	recs := csvRows(t, rec.Body.Bytes())
	require.Len(t, recs, n+1)
	require.Equal(t, []string{"B-000001", "IN_STOCK"}, recs[1])
	require.Equal(t, []string{"B-020000", "DEPLOYED"}, recs[n])
	require.GreaterOrEqual(t, len(rec.at), n/exports.PageRows, "a flush per page")
	require.Less(t, rec.at[0], rec.Body.Len()/2, "the first page reached the client before most rows were read")

	// XLSX streams the same way, and reads back whole.
	u = e.link(auditor, map[string]any{"fmt": "XLSX", "c": []string{"ASSET_TAG", "STATUS"}})
	req = httptest.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+auditor)
	rec = &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	e.srv.Config.Handler.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code)
	require.GreaterOrEqual(t, len(rec.at), n/exports.PageRows, "a flush per page")
	require.Less(t, rec.at[0], rec.Body.Len()/2, "the first page reached the client before most rows were read")
	book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	require.NoError(t, err)
	defer book.Close()
	sheet, err := book.GetRows("Export")
	require.NoError(t, err)
	require.Len(t, sheet, n+1)
	require.Equal(t, []string{"B-020000", "DEPLOYED"}, sheet[n])

	// The filter is honoured on the same path.
	u = e.link(auditor, map[string]any{"fmt": "CSV", "c": []string{"ASSET_TAG"}, "f": map[string]any{"statusIn": []string{"DEPLOYED"}}})
	res, body := getAuthed(t, e.srv.URL+u, auditor)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Len(t, csvRows(t, body), n/2+1)
}

// TestExportTokenStaysOutOfTheLogs: a download link's token opens the file
// for its user until it expires, so no log line carries it: the request
// line records the path without its query, and a refused or served
// download adds nothing that quotes it.
func TestExportTokenStaysOutOfTheLogs(t *testing.T) {
	t.Parallel()
	logs := &lineWriter{lines: make(chan string, 1000)}
	s, err := exports.NewSigner(exports.RandomKey(), 5*time.Minute)
	require.NoError(t, err)
	a := newAPIWith(t, logs, "debug", httpapi.WithExportLinks(s))
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	a.inventory(admin)
	d := a.ok(admin, exportAssetsQ, map[string]any{"fmt": "XLSX"})
	u := str(d, "exportAssets.url")
	q, err := url.ParseQuery(strings.TrimPrefix(u, exports.DownloadPath+"?"))
	require.NoError(t, err)
	_, sig, ok := strings.Cut(q.Get("token"), ".")
	require.True(t, ok, u)

	for _, bearer := range []string{admin, mint(t, "acme", itam.RoleAdmin, "other@acme.test"), ""} {
		res, _ := getAuthed(t, a.srv.URL+u, bearer)
		require.NotEqual(t, http.StatusInternalServerError, res.StatusCode)
	}
	timeout := time.After(30 * time.Second) // a deadline for a broken build, not a wait for success
	for downloads := 0; downloads < 3; {
		select {
		case l := <-logs.lines:
			require.NotContains(t, l, sig, "a log line quotes the link's token")
			require.NotContains(t, l, "token=", l)
			var line map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &line), l)
			if line["msg"] == "http request" && line["path"] == exports.DownloadPath {
				downloads++
			}
		case <-timeout:
			t.Fatal("no request line for each download")
		}
	}
}

// flipFirst changes a token part's first character for another base64url
// one, so the part always differs (upper-casing it did not when its first
// characters were already upper case or digits).
func flipFirst(s string) string {
	c := byte('A')
	if s[0] == 'A' {
		c = 'B'
	}
	return string(c) + s[1:]
}
