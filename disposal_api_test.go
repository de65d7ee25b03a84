package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

const (
	retireQ  = `mutation($id: ID!) { transitionAsset(input: {id: $id, status: RETIRED}) { asset { status } } }`
	disposeQ = `mutation($in: DisposeAssetInput!) { disposeAsset(input: $in) { asset { id status disposal { method certificate }
		sanitization { id method performedAt verifiedBy tool certificateReference recordedBy asset { assetTag } } } } }`
	disposalsQ = `query($f: DisposalFilter) { disposals(first: 10, filter: $f) { totalCount nodes {
		assetTag serialNumber modelName date method certificate asset { id status } sanitization { method tool certificateReference } } } }`
)

// disposalAPI is an organization's inventory (Laptops carry storage) with
// an owner connection to look behind the API.
type disposalAPI struct {
	*api
	admin string
	ids   map[string]string
	owner *pgxpool.Pool
}

func newDisposalAPI(t *testing.T) *disposalAPI {
	t.Helper()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	owner, err := pgxpool.New(context.Background(), a.dbURL)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	return &disposalAPI{api: a, admin: admin, ids: a.inventory(admin), owner: owner}
}

// retired creates an asset of model (the laptop model when empty) and retires it.
func (d *disposalAPI) retired(model, serial string) (id, tag string) {
	d.t.Helper()
	if model == "" {
		model = d.ids["model"]
	}
	r := d.ok(d.admin, createAsset, map[string]any{"in": map[string]any{"modelId": model, "serialNumber": serial, "purchaseDate": "2022-01-10"}})
	id, tag = str(r, "createAsset.asset.id"), str(r, "createAsset.asset.assetTag")
	d.ok(d.admin, retireQ, map[string]any{"id": id})
	return id, tag
}

func (d *disposalAPI) count(sql string, args ...any) int {
	d.t.Helper()
	var n int
	require.NoError(d.t, d.owner.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

func sanitization(overrides map[string]any) map[string]any {
	s := map[string]any{"method": "PURGE", "performedAt": "2025-03-01T10:00:00Z", "verifiedBy": "grace@example.com",
		"tool": "Blancco 7", "certificateReference": "BL-2025-0042"}
	for k, v := range overrides {
		s[k] = v
	}
	return s
}

// TestDisposalAPIStorageNeedsSanitization: a laptop (its category carries
// storage) cannot be disposed of without a sanitization record, bad records
// are refused by field, and nothing is written either way; with one it is
// disposed and the record reads back through the asset, node(id:) and
// disposals.
func TestDisposalAPIStorageNeedsSanitization(t *testing.T) {
	t.Parallel()
	d := newDisposalAPI(t)
	require.Equal(t, true, get(d.ok(d.admin, `query($id: ID!) { node(id: $id) { ... on Category { hasStorage } } }`,
		map[string]any{"id": d.ids["category"]}), "node.hasStorage"), "laptops carry storage by default")
	id, tag := d.retired("", "SN-WIPE-1")
	base := map[string]any{"id": id, "date": "2025-03-02", "method": "RECYCLED", "certificate": "R-77"}
	with := func(s map[string]any) map[string]any {
		in := map[string]any{}
		for k, v := range base {
			in[k] = v
		}
		if s != nil {
			in["sanitization"] = s
		}
		return in
	}
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, c := range []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"no sanitization", with(nil), "sanitization"},
		{"performed in the future", with(sanitization(map[string]any{"performedAt": future})), "sanitization.performedAt"},
		{"performed before the purchase", with(sanitization(map[string]any{"performedAt": "2021-12-31T00:00:00Z"})), "sanitization.performedAt"},
		{"nobody verified it", with(sanitization(map[string]any{"verifiedBy": "  "})), "sanitization.verifiedBy"},
		{"verifier too long", with(sanitization(map[string]any{"verifiedBy": strings.Repeat("v", 201)})), "sanitization.verifiedBy"},
		{"tool too long", with(sanitization(map[string]any{"tool": strings.Repeat("t", 201)})), "sanitization.tool"},
		{"reference too long", with(sanitization(map[string]any{"certificateReference": strings.Repeat("c", 201)})), "sanitization.certificateReference"},
	} {
		d.code(d.admin, disposeQ, map[string]any{"in": c.in}, "BAD_USER_INPUT", c.field)
	}
	require.Zero(t, d.count(`SELECT count(*) FROM sanitization_records`), "nothing written")
	require.Equal(t, 1, d.count(`SELECT count(*) FROM assets WHERE status = 'RETIRED'`), "the asset stays RETIRED")
	require.Zero(t, d.count(`SELECT count(*) FROM asset_history WHERE action = 'DISPOSE'`))
	r := d.do(d.admin, `mutation($in: DisposeAssetInput!) { disposeAsset(input: $in) { asset { id } } }`,
		map[string]any{"in": with(sanitization(map[string]any{"method": "SCRUB"}))})
	require.NotEmpty(t, r.Errors, "an unknown method is refused by the schema")

	// Managers dispose; the record is written with the disposal.
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	out := d.ok(manager, disposeQ, map[string]any{"in": with(sanitization(map[string]any{"tool": "  Blancco 7  "}))})
	asset := get(out, "disposeAsset.asset").(map[string]any)
	require.Equal(t, "DISPOSED", asset["status"])
	require.Equal(t, map[string]any{"id": str(asset, "sanitization.id"), "method": "PURGE", "performedAt": "2025-03-01T10:00:00Z",
		"verifiedBy": "grace@example.com", "tool": "Blancco 7", "certificateReference": "BL-2025-0042", "recordedBy": "it@acme.test",
		"asset": map[string]any{"assetTag": tag}}, asset["sanitization"])
	sid := str(asset, "sanitization.id")
	n := d.ok(d.admin, `query($id: ID!) { node(id: $id) { __typename ... on SanitizationRecord { method asset { id } } } }`, map[string]any{"id": sid})
	require.Equal(t, "SanitizationRecord", str(n, "node.__typename"))
	require.Equal(t, id, str(n, "node.asset.id"))

	// Queryable by every role that reads all records; not by EMPLOYEE.
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		l := d.ok(mint(t, "acme", role, "r@acme.test"), disposalsQ, nil)
		require.EqualValues(t, 1, get(l, "disposals.totalCount"), role)
		require.Equal(t, map[string]any{"assetTag": tag, "serialNumber": "SN-WIPE-1", "modelName": "Latitude 7440", "date": "2025-03-02",
			"method": "RECYCLED", "certificate": "R-77", "asset": map[string]any{"id": id, "status": "DISPOSED"},
			"sanitization": map[string]any{"method": "PURGE", "tool": "Blancco 7", "certificateReference": "BL-2025-0042"}}, get(l, "disposals.nodes.0"))
	}
	employee := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	d.code(employee, disposalsQ, nil, "FORBIDDEN", "")
	require.Nil(t, get(d.ok(employee, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sid}), "node"))

	// Another organization sees none of it.
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	require.EqualValues(t, 0, get(d.ok(globex, disposalsQ, nil), "disposals.totalCount"))
	require.Nil(t, get(d.ok(globex, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": sid}), "node"))
	d.code(globex, disposeQ, map[string]any{"in": with(sanitization(nil))}, "NOT_FOUND", "")
}

// TestDisposalAPICategoriesWithoutStorage: a category that carries no
// storage disposes without a record; hasStorage defaults from the kind and
// can be set either way.
func TestDisposalAPICategoriesWithoutStorage(t *testing.T) {
	t.Parallel()
	d := newDisposalAPI(t)
	const createCat = `mutation($in: CreateCategoryInput!) { createCategory(input: $in) { category { id hasStorage } } }`
	monitors := get(d.ok(d.admin, createCat, map[string]any{"in": map[string]any{"name": "Monitors", "kind": "MONITOR"}}), "createCategory.category").(map[string]any)
	require.Equal(t, false, monitors["hasStorage"])
	printers := get(d.ok(d.admin, createCat, map[string]any{"in": map[string]any{"name": "Printers", "kind": "PERIPHERAL", "hasStorage": true}}), "createCategory.category").(map[string]any)
	require.Equal(t, true, printers["hasStorage"], "printers with disks say so")
	phones := get(d.ok(d.admin, createCat, map[string]any{"in": map[string]any{"name": "Phones", "kind": "PHONE"}}), "createCategory.category").(map[string]any)
	require.Equal(t, true, phones["hasStorage"])
	r := d.ok(d.admin, `mutation($c: ID!, $m: ID!) { createModel(input: {name: "U2723QE", manufacturerId: $m, categoryId: $c}) { model { id } } }`,
		map[string]any{"c": monitors["id"], "m": d.ids["manufacturer"]})
	id, _ := d.retired(str(r, "createModel.model.id"), "MON-1")
	out := d.ok(d.admin, disposeQ, map[string]any{"in": map[string]any{"id": id, "date": "2025-03-02", "method": "DONATED"}})
	require.Equal(t, "DISPOSED", str(out, "disposeAsset.asset.status"))
	require.Nil(t, get(out, "disposeAsset.asset.sanitization"))

	// Turning storage off for laptops lets one go without a record.
	u := d.ok(d.admin, `mutation($id: ID!) { updateCategory(input: {id: $id, version: 1, hasStorage: false}) { category { hasStorage version } } }`,
		map[string]any{"id": d.ids["category"]})
	require.Equal(t, false, get(u, "updateCategory.category.hasStorage"))
	laptop, _ := d.retired("", "LT-1")
	d.ok(d.admin, disposeQ, map[string]any{"in": map[string]any{"id": laptop, "date": "2025-03-02", "method": "RESOLD"}})
	l := d.ok(d.admin, disposalsQ, map[string]any{"f": map[string]any{"methods": []string{"DONATED"}}})
	require.EqualValues(t, 1, get(l, "disposals.totalCount"))
	require.Equal(t, "MON-1", str(l, "disposals.nodes.0.serialNumber"))
	l = d.ok(d.admin, disposalsQ, map[string]any{"f": map[string]any{"sanitizationMethods": []string{"PURGE"}}})
	require.EqualValues(t, 0, get(l, "disposals.totalCount"), "assets without a record never match a sanitization method")
	d.code(d.admin, disposalsQ, map[string]any{"f": map[string]any{"from": "2025-03-02", "to": "2025-03-01"}}, "BAD_USER_INPUT", "filter.to")
}

// TestDisposalAPIRetireRefusedWhileSeatHeld: retiring a device that holds a
// license seat is refused, naming the license; reclaiming it lets it retire.
func TestDisposalAPIRetireRefusedWhileSeatHeld(t *testing.T) {
	t.Parallel()
	d := newDisposalAPI(t)
	r := d.ok(d.admin, createAsset, map[string]any{"in": map[string]any{"modelId": d.ids["model"]}})
	id := str(r, "createAsset.asset.id")
	r = d.ok(d.admin, `mutation { p: createSoftwarePublisher(input: {name: "Autodesk"}) { softwarePublisher { id } } }`, nil)
	r = d.ok(d.admin, `mutation($p: ID!) { createSoftwareProduct(input: {publisherId: $p, name: "AutoCAD"}) { softwareProduct { id } } }`,
		map[string]any{"p": str(r, "p.softwarePublisher.id")})
	r = d.ok(d.admin, `mutation($p: ID!) { createLicense(input: {productId: $p, name: "AutoCAD fleet", licenseModel: PER_DEVICE, seats: 5}) { license { id } } }`,
		map[string]any{"p": str(r, "createSoftwareProduct.softwareProduct.id")})
	r = d.ok(d.admin, `mutation($l: ID!, $a: ID!) { assignLicenseSeat(input: {licenseId: $l, assetId: $a}) { seat { id } } }`,
		map[string]any{"l": str(r, "createLicense.license.id"), "a": id})
	seat := str(r, "assignLicenseSeat.seat.id")

	res := d.code(d.admin, retireQ, map[string]any{"id": id}, "BAD_USER_INPUT", "status")
	require.Contains(t, res.Errors[0].Message, "holds 1 license seat (AutoCAD fleet): reclaim them first")
	require.Equal(t, "IN_STOCK", str(d.ok(d.admin, `query($id: ID!) { node(id: $id) { ... on Asset { status } } }`, map[string]any{"id": id}), "node.status"))

	d.ok(d.admin, `mutation($s: ID!) { reclaimLicenseSeat(input: {seatId: $s, reason: "retiring"}) { seat { id } } }`, map[string]any{"s": seat})
	require.Equal(t, "RETIRED", str(d.ok(d.admin, retireQ, map[string]any{"id": id}), "transitionAsset.asset.status"))
}

// TestDisposalAPICertificateExport: the CSV export of a period lists each
// disposal with its sanitization (REST and GraphQL alike), refuses periods
// over 366 days and bad dates with a JSON error, and only ADMIN, MANAGER
// and AUDITOR get it.
func TestDisposalAPICertificateExport(t *testing.T) {
	t.Parallel()
	d := newDisposalAPI(t)
	wiped, _ := d.retired("", "=SN-1")
	d.ok(d.admin, disposeQ, map[string]any{"in": map[string]any{"id": wiped, "date": "2025-03-02", "method": "DESTROYED", "certificate": "COD-1",
		"sanitization": sanitization(map[string]any{"method": "DESTROY", "tool": "Iron Mountain"})}})
	other, _ := d.retired("", "SN-2")
	d.ok(d.admin, disposeQ, map[string]any{"in": map[string]any{"id": other, "date": "2024-06-30", "method": "RECYCLED",
		"sanitization": sanitization(map[string]any{"method": "CLEAR", "performedAt": "2024-06-29T08:00:00Z", "tool": nil, "certificateReference": nil})}})
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")

	res, body := getAuthed(t, d.srv.URL+"/exports/disposals.csv?from=2025-01-01&to=2025-12-31", auditor)
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="disposals-2025-01-01-2025-12-31.csv"`, res.Header.Get("Content-Disposition"))
	recs, err := csv.NewReader(strings.NewReader(string(body))).ReadAll()
	require.NoError(t, err)
	tag := str(d.ok(d.admin, `query($id: ID!) { node(id: $id) { ... on Asset { assetTag } } }`, map[string]any{"id": wiped}), "node.assetTag")
	require.Equal(t, [][]string{
		{"asset_tag", "serial_number", "model", "disposal_date", "disposal_method", "disposal_certificate", "sanitization_method",
			"sanitization_performed_at", "sanitization_verified_by", "sanitization_tool", "sanitization_certificate_reference", "asset_id"},
		{tag, "'=SN-1", "Latitude 7440", "2025-03-02", "DESTROYED", "COD-1", "DESTROY", "2025-03-01T10:00:00Z", "grace@example.com",
			"Iron Mountain", "BL-2025-0042", wiped},
	}, recs, "only the period's disposal; formulas defused")

	gql := d.ok(auditor, `{ disposalCertificateExport(from: "2024-01-01", to: "2024-12-31") }`, nil)
	recs, err = csv.NewReader(strings.NewReader(str(gql, "disposalCertificateExport"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	require.Equal(t, []string{"2024-06-30", "RECYCLED", "", "CLEAR", "2024-06-29T08:00:00Z", "grace@example.com", "", ""}, recs[1][3:11])
	d.code(auditor, `{ disposalCertificateExport(from: "2024-01-01", to: "2025-01-02") }`, nil, "BAD_USER_INPUT", "to")
	d.code(mint(t, "acme", itam.RoleEmployee, "ada@example.com"), `{ disposalCertificateExport(from: "2024-01-01", to: "2024-12-31") }`, nil, "FORBIDDEN", "")

	for _, c := range []struct {
		name, tok, query string
		status           int
		code, field      string
	}{
		{"no token", "", "from=2025-01-01&to=2025-12-31", http.StatusUnauthorized, "UNAUTHENTICATED", ""},
		{"EMPLOYEE", mint(t, "acme", itam.RoleEmployee, "ada@example.com"), "from=2025-01-01&to=2025-12-31", http.StatusForbidden, "FORBIDDEN", ""},
		{"over 366 days", auditor, "from=2024-01-01&to=2025-01-02", http.StatusBadRequest, "BAD_USER_INPUT", "to"},
		{"to before from", auditor, "from=2025-02-01&to=2025-01-01", http.StatusBadRequest, "BAD_USER_INPUT", "to"},
		{"no from", auditor, "to=2025-01-01", http.StatusBadRequest, "BAD_USER_INPUT", "from"},
		{"not a date", auditor, "from=2025-13-01&to=2025-12-31", http.StatusBadRequest, "BAD_USER_INPUT", "from"},
	} {
		res, body := getAuthed(t, d.srv.URL+"/exports/disposals.csv?"+c.query, c.tok)
		require.Equal(t, c.status, res.StatusCode, c.name)
		require.Equal(t, "application/json", res.Header.Get("Content-Type"), c.name)
		var out gqlResponse
		require.NoError(t, json.Unmarshal(body, &out), c.name)
		require.Equal(t, c.code, out.Errors[0].Extensions["code"], c.name)
		if c.field != "" {
			require.Equal(t, c.field, out.Errors[0].Extensions["field"], c.name)
		}
	}
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager} {
		res, _ := getAuthed(t, d.srv.URL+"/exports/disposals.csv?from=2025-01-01&to=2025-12-31", mint(t, "acme", role, "x@acme.test"))
		require.Equal(t, http.StatusOK, res.StatusCode, role)
	}
	res, body = getAuthed(t, d.srv.URL+"/exports/disposals.csv?from=2024-01-01&to=2024-12-31", mint(t, "globex", itam.RoleAdmin, "a@globex.test"))
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, 1, strings.Count(string(body), "\n"), "another organization's export is only the header")
}

// sanitizationNodeFixture writes a sanitization record for asset as the
// owner (TestNodeResolvesEveryNodeType).
func sanitizationNodeFixture(t *testing.T, owner *pgxpool.Pool, org, asset uuid.UUID) string {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, owner.QueryRow(context.Background(), `INSERT INTO sanitization_records (org_id, asset_id, method, performed_at, verified_by, recorded_by)
		VALUES ($1, $2, 'CLEAR', now(), 'node@test', 'node@test') RETURNING id`, org, asset).Scan(&id))
	return relay.ID(relay.TypeSanitizationRecord, id)
}
