package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// complianceEstate is one organization's software, written as the owner
// role: a PER_DEVICE product over-deployed on three devices with one seat,
// a seat held by a RETIRED device, and a license ending in 20 days.
type complianceEstate struct {
	org, product, license, ada uuid.UUID
	productID                  string
}

func newComplianceEstate(t *testing.T, a *api, slug string, extraDevices int) complianceEstate {
	t.Helper()
	ctx := context.Background()
	owner := a.owner()
	var e complianceEstate
	id := func(sql string, args ...any) uuid.UUID {
		t.Helper()
		var id uuid.UUID
		require.NoError(t, owner.QueryRow(ctx, sql, args...).Scan(&id))
		return id
	}
	e.org = a.orgID(mint(t, slug, itam.RoleAdmin, "admin@"+slug+".test"))
	team := id(`INSERT INTO teams (org_id, name) VALUES ($1, 'Software asset team') RETURNING id`, e.org)
	mfr := id(`INSERT INTO manufacturers (org_id, name) VALUES ($1, 'SW Dell') RETURNING id`, e.org)
	cat := id(`INSERT INTO categories (org_id, name, kind) VALUES ($1, 'SW Laptops', 'LAPTOP') RETURNING id`, e.org)
	model := id(`INSERT INTO models (org_id, name, manufacturer_id, category_id) VALUES ($1, 'Latitude', $2, $3) RETURNING id`, e.org, mfr, cat)
	e.ada = id(`INSERT INTO people (org_id, name, email) VALUES ($1, 'Ada', 'ada@`+slug+`.test') RETURNING id`, e.org)
	e.product = insertProduct(t, owner, e.org, "Adobe", "Acrobat Pro")
	e.productID = relay.ID(relay.TypeSoftwareProduct, e.product)
	e.license = id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats, seat_cost, cost_currency, term_end, auto_renew)
		VALUES ($1, $2, 'Acrobat 2026', 'PER_DEVICE', 2, 240, 'EUR', current_date + 20, true) RETURNING id`, e.org, e.product)
	device := func(tag, status string, person *uuid.UUID) uuid.UUID {
		return id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, assigned_person_id, owner_team_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, e.org, tag, model, mfr, status, person, team)
	}
	install := func(asset uuid.UUID, version string) {
		_, err := owner.Exec(ctx, `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, product_id)
			VALUES ($1, $2, 'intune', 'acrobat ' || $3, 'Adobe Acrobat DC (64-bit)', $3, $4)`, e.org, asset, version, e.product)
		require.NoError(t, err)
	}
	d1 := device("L-1", "DEPLOYED", &e.ada)
	install(d1, "24.1")
	install(d1, "24.2") // two versions, one device
	d2, d3 := device("L-2", "DEPLOYED", nil), device("L-3", "IN_STOCK", nil)
	install(d2, "24.1")
	install(d3, "23.0")
	retired := device("L-4", "RETIRED", nil)
	_, err := owner.Exec(ctx, `INSERT INTO license_seats (org_id, license_id, asset_id, assigned_by) VALUES ($1, $2, $3, 't'), ($1, $2, $4, 't')`,
		e.org, e.license, d1, retired)
	require.NoError(t, err)
	if extraDevices > 0 {
		_, err = owner.Exec(ctx, `WITH d AS (
			INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, owner_team_id)
			SELECT $1, 'X-' || g, $2, $3, 'DEPLOYED', $4 FROM generate_series(1, $5::int) g RETURNING id)
		INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, product_id)
		SELECT $1, d.id, 'jamf', 'com.adobe.acrobat.pro', '=HYPERLINK("x")', '24', $6 FROM d`, e.org, model, mfr, team, extraDevices, e.product)
		require.NoError(t, err)
	}
	return e
}

const complianceReport = `query($f: LicenseComplianceFilter) { licenseCompliance(filter: $f) {
	product { name } metric licenseModels entitled consumed assigned installedDevices unattributedDevices shortfall surplus status
	trueUpCost { amount currency } surplusCost { amount currency } } }`

func TestComplianceAPIRolesAndReport(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	e := newComplianceEstate(t, a, "acme", 0)
	g := newComplianceEstate(t, a, "globex", 0)
	evidence := `query($p: ID!, $after: String) { licenseEvidence(productId: $p, first: 2, after: $after) { totalCount
		pageInfo { hasNextPage endCursor }
		nodes { asset { assetTag model { name } } person { name } installations { title version } seat { assignedAt }
			license { name licenseModel } covered note } } }`
	reclaim := `{ reclaimCandidates { reason lastSeenAt frees { amount currency } license { name } seat { assignedAt } } }`
	expiring := `{ expiringLicenses(withinDays: 30) { termEnd daysLeft autoRenew atStake { amount currency } license { name seats } } }`

	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		tok := mint(t, "acme", role, "someone@acme.test")
		d := a.ok(tok, complianceReport, nil)
		require.Len(t, get(d, "licenseCompliance"), 1, "acme's product only")
		require.Equal(t, map[string]any{"product": map[string]any{"name": "Acrobat Pro"}, "metric": "DEVICE", "licenseModels": []any{"PER_DEVICE"},
			"entitled": 2.0, "consumed": 3.0, "assigned": 2.0, "installedDevices": 3.0, "unattributedDevices": 0.0, "shortfall": 1.0,
			"surplus": 0.0, "status": "OVER_DEPLOYED", "trueUpCost": []any{map[string]any{"amount": "240.00", "currency": "EUR"}},
			"surplusCost": []any{}}, get(d, "licenseCompliance.0"), role)

		d = a.ok(tok, reclaim, nil)
		require.Equal(t, []any{map[string]any{"reason": "ASSET_RETIRED", "lastSeenAt": nil, "frees": map[string]any{"amount": "240.00", "currency": "EUR"},
			"license": map[string]any{"name": "Acrobat 2026"}, "seat": map[string]any{"assignedAt": get(d, "reclaimCandidates.0.seat.assignedAt")}}},
			get(d, "reclaimCandidates"))

		d = a.ok(tok, expiring, nil)
		require.Equal(t, 20.0, get(d, "expiringLicenses.0.daysLeft"))
		require.Equal(t, true, get(d, "expiringLicenses.0.autoRenew"))
		require.Equal(t, map[string]any{"amount": "480.00", "currency": "EUR"}, get(d, "expiringLicenses.0.atStake"))
		require.Equal(t, map[string]any{"name": "Acrobat 2026", "seats": 2.0}, get(d, "expiringLicenses.0.license"))

		d = a.ok(tok, evidence, map[string]any{"p": e.productID})
		require.Equal(t, 4.0, get(d, "licenseEvidence.totalCount"), "three installed devices and the RETIRED one holding a seat")
		require.Equal(t, true, get(d, "licenseEvidence.pageInfo.hasNextPage"))
		rows := get(d, "licenseEvidence.nodes").([]any)
		d = a.ok(tok, evidence, map[string]any{"p": e.productID, "after": get(d, "licenseEvidence.pageInfo.endCursor")})
		require.Equal(t, false, get(d, "licenseEvidence.pageInfo.hasNextPage"))
		rows = append(rows, get(d, "licenseEvidence.nodes").([]any)...)
		notes := map[string]any{}
		for _, r := range rows {
			notes[str(r, "asset.assetTag")] = r
		}
		require.Equal(t, map[string]any{"asset": map[string]any{"assetTag": "L-1", "model": map[string]any{"name": "Latitude"}},
			"person": map[string]any{"name": "Ada"}, "installations": []any{
				map[string]any{"title": "Adobe Acrobat DC (64-bit)", "version": "24.1"}, map[string]any{"title": "Adobe Acrobat DC (64-bit)", "version": "24.2"}},
			"seat": map[string]any{"assignedAt": get(notes["L-1"], "seat.assignedAt")}, "license": map[string]any{"name": "Acrobat 2026", "licenseModel": "PER_DEVICE"},
			"covered": true, "note": "installed, covered by a seat"}, notes["L-1"])
		require.Equal(t, "installed, no seat: uncovered", str(notes["L-2"], "note"))
		require.Equal(t, false, get(notes["L-3"], "covered"))
		require.Equal(t, "device is RETIRED: does not consume; its seat can be reclaimed", str(notes["L-4"], "note"))
	}

	t.Run("EMPLOYEE is refused all of it", func(t *testing.T) {
		tok := mint(t, "acme", itam.RoleEmployee, "ada@acme.test")
		a.code(tok, complianceReport, nil, "FORBIDDEN", "")
		a.code(tok, reclaim, nil, "FORBIDDEN", "")
		a.code(tok, expiring, nil, "FORBIDDEN", "")
		a.code(tok, evidence, map[string]any{"p": e.productID}, "FORBIDDEN", "")
	})
	t.Run("another organization's data is invisible", func(t *testing.T) {
		tok := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
		d := a.ok(tok, complianceReport, map[string]any{"f": map[string]any{"productId": g.productID}})
		require.Empty(t, get(d, "licenseCompliance"))
		d = a.ok(tok, `query($p: ID) { reclaimCandidates(productId: $p) { reason } }`, map[string]any{"p": g.productID})
		require.Empty(t, get(d, "reclaimCandidates"))
		a.code(tok, evidence, map[string]any{"p": g.productID}, "NOT_FOUND", "")
		d = a.ok(mint(t, "globex", itam.RoleAuditor, "auditor@globex.test"), expiring, nil)
		require.Len(t, get(d, "expiringLicenses"), 1, "globex's own license only")
	})
	t.Run("bad input", func(t *testing.T) {
		tok := mint(t, "acme", itam.RoleManager, "m@acme.test")
		a.code(tok, evidence, map[string]any{"p": "nope"}, "BAD_USER_INPUT", "productId")
		a.code(tok, evidence, map[string]any{"p": relay.ID(relay.TypeLicense, e.license)}, "BAD_USER_INPUT", "productId")
		a.code(tok, `{ expiringLicenses(withinDays: 4000) { daysLeft } }`, nil, "BAD_USER_INPUT", "withinDays")
		a.code(tok, `{ reclaimCandidates(first: 501) { reason } }`, nil, "BAD_USER_INPUT", "first")
		a.code(tok, complianceReport, map[string]any{"f": map[string]any{"publisherId": e.productID}}, "BAD_USER_INPUT", "filter.publisherId")
	})
}

func TestComplianceAPIReclaimSetting(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	q := `mutation($d: Int) { updateOrganization(input: {softwareReclaimAfterDays: $d}) { organization { softwareReclaimAfterDays } } }`
	require.Equal(t, 90.0, get(a.ok(admin, `{ organization { softwareReclaimAfterDays } }`, nil), "organization.softwareReclaimAfterDays"))
	require.Equal(t, 30.0, get(a.ok(admin, q, map[string]any{"d": 30}), "updateOrganization.organization.softwareReclaimAfterDays"))
	a.code(admin, q, map[string]any{"d": 0}, "BAD_USER_INPUT", "softwareReclaimAfterDays")
	a.code(admin, q, map[string]any{"d": 3651}, "BAD_USER_INPUT", "softwareReclaimAfterDays")
	a.code(admin, q, map[string]any{"d": nil}, "BAD_USER_INPUT", "softwareReclaimAfterDays")
	a.code(mint(t, "acme", itam.RoleManager, "m@acme.test"), q, map[string]any{"d": 10}, "FORBIDDEN", "")
	require.Equal(t, 30.0, get(a.ok(admin, `{ organization { softwareReclaimAfterDays } }`, nil), "organization.softwareReclaimAfterDays"), "refusals changed nothing")
	require.Equal(t, 90.0, get(a.ok(mint(t, "globex", itam.RoleAdmin, "a@globex.test"), `{ organization { softwareReclaimAfterDays } }`, nil),
		"organization.softwareReclaimAfterDays"), "another organization keeps its own")
}

func TestComplianceAPIEvidenceCSV(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	const extra = 1200 // more than two export batches
	e := newComplianceEstate(t, a, "acme", extra)
	g := newComplianceEstate(t, a, "globex", 0)
	path := "/exports/license-evidence/" + e.productID + ".csv"

	before := a.rounds.Load()
	res, body := getAuthed(t, a.srv.URL+path, mint(t, "acme", itam.RoleAuditor, "auditor@acme.test"))
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	require.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
	require.Equal(t, `attachment; filename="license-evidence-`+e.productID+`.csv"`, res.Header.Get("Content-Disposition"))
	require.Empty(t, res.Header.Get("Content-Length"), "streamed, not buffered")
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, "row", recs[0][0])
	require.Len(t, recs, 1+4+extra, "header, the four devices and the extra ones")
	rounds := a.rounds.Load() - before
	// Three batches of at most 500 rows, each two round trips (the
	// product's licenses, the page), plus resolving the token's organization.
	require.GreaterOrEqual(t, rounds, int64(6), "read in batches of 500")
	require.LessOrEqual(t, rounds, int64(7), "a constant number of round trips per batch")
	byTag := map[string][]string{}
	for _, r := range recs[1:] {
		byTag[r[2]] = r
	}
	l1 := byTag["L-1"]
	require.Equal(t, []string{"device", "L-1", "DEPLOYED", "Ada", "Adobe Acrobat DC (64-bit) 24.1 (intune); Adobe Acrobat DC (64-bit) 24.2 (intune)",
		"Acrobat 2026", "PER_DEVICE", "true", "installed, covered by a seat"}, []string{l1[0], l1[2], l1[4], l1[6], l1[9], l1[12], l1[13], l1[14], l1[15]})
	require.Equal(t, "'=HYPERLINK(\"x\") 24 (jamf)", byTag["X-1"][9], "formulas are defused")

	for _, c := range []struct {
		name, tok, path string
		status          int
		code            string
	}{
		{"no token", "", path, http.StatusUnauthorized, "UNAUTHENTICATED"},
		{"EMPLOYEE", mint(t, "acme", itam.RoleEmployee, "ada@acme.test"), path, http.StatusForbidden, "FORBIDDEN"},
		{"another organization's product", mint(t, "acme", itam.RoleAdmin, "a@acme.test"), "/exports/license-evidence/" + g.productID + ".csv", http.StatusNotFound, "NOT_FOUND"},
		{"not a product id", mint(t, "acme", itam.RoleAdmin, "a@acme.test"), "/exports/license-evidence/nope.csv", http.StatusBadRequest, "BAD_USER_INPUT"},
		{"not .csv", mint(t, "acme", itam.RoleAdmin, "a@acme.test"), "/exports/license-evidence/" + e.productID, http.StatusNotFound, "NOT_FOUND"},
	} {
		res, body := getAuthed(t, a.srv.URL+c.path, c.tok)
		require.Equal(t, c.status, res.StatusCode, c.name)
		require.Equal(t, "application/json", res.Header.Get("Content-Type"), c.name)
		var out gqlResponse
		require.NoError(t, json.Unmarshal(body, &out), c.name)
		require.Equal(t, c.code, out.Errors[0].Extensions["code"], c.name)
	}
}

// A page of evidence costs the same round trips whatever its size: assets
// (with their relations), people, seats and licenses load in one batch each.
func TestComplianceAPIEvidenceNoNPlusOne(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	e := newComplianceEstate(t, a, "acme", 20)
	tok := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	q := `query($p: ID!, $n: Int) { licenseEvidence(productId: $p, first: $n) { totalCount nodes {
		asset { assetTag model { name manufacturer { name } } assignee { ... on Person { name } } } person { name }
		installations { title } seat { assignedAt } license { name } covered note } } }`
	rounds := func(n int) int64 {
		before := a.rounds.Load()
		d := a.ok(tok, q, map[string]any{"p": e.productID, "n": n})
		require.Len(t, get(d, "licenseEvidence.nodes"), n)
		return a.rounds.Load() - before
	}
	// The product's licenses, the page, the count, assets, their relations,
	// people, seats, licenses: a constant, whichever rows a page holds.
	const most = 9
	require.LessOrEqual(t, rounds(2), int64(most))
	require.LessOrEqual(t, rounds(20), int64(most), "20 rows cost no more than 2")
	require.LessOrEqual(t, rounds(24), int64(most), "every row")
}

// The report's products are read in one query and primed into the
// request's catalog loader: many more products cost no more round trips
// (the loader alone would split 1,200 of them over two batches).
func TestComplianceAPIReportProductsOneQuery(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	e := newComplianceEstate(t, a, "acme", 0)
	tok := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	rounds := func(n int) int64 {
		before := a.rounds.Load()
		require.Len(t, get(a.ok(tok, complianceReport, nil), "licenseCompliance"), n)
		return a.rounds.Load() - before
	}
	one := rounds(1)
	const more = 1200
	_, err := a.owner().Exec(context.Background(), `WITH p AS (
		INSERT INTO software_products (org_id, publisher_id, name)
		SELECT $1, (SELECT publisher_id FROM software_products WHERE id = $2), 'Product ' || g FROM generate_series(1, $3::int) g RETURNING id)
	INSERT INTO software_installations (org_id, asset_id, source, app_key, title, product_id)
	SELECT $1, (SELECT id FROM assets WHERE org_id = $1 ORDER BY asset_tag LIMIT 1), 'jamf', p.id::text, 'Tool', p.id FROM p`, e.org, e.product, more)
	require.NoError(t, err)
	require.Equal(t, one, rounds(1+more), "1,201 products cost what one does")
}
