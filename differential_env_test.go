package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/seed"
)

// diffEnv is one seeded database served twice: plain runs every field
// through gqlgen's executor, compiled writes struct-bound subtrees through
// compiled plans (graph.Options.CompiledExecution). The differential corpus
// and the fuzz test send each operation to both and require the same bytes.
type diffEnv struct {
	plain, compiled http.Handler
	// callers are who every operation is sent as, in this order, so a plan
	// the compiled handler cached for one caller is reused by the next.
	callers []diffCaller
	// refs are the global ids the corpus's variables name as "@name".
	refs map[string]string
}

type diffCaller struct{ name, token string }

// diffSeed is the seeded inventory: acme gets every relation kind (people
// and teams as owners, people and locations as assignees, software, money,
// connectors with runs), globex a smaller one so a plan cached for one
// organization is replayed against another's rows.
var diffSeed = []seed.Options{
	{OrgSlug: "acme", Assets: 240, People: 60, RandSeed: 14, SoftwareProducts: 80, InstallsPerAsset: 3},
	{OrgSlug: "globex", Assets: 40, People: 20, RandSeed: 15, SoftwareProducts: -1},
}

func newDiffEnv(t testing.TB) *diffEnv {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer owner.Close()
	orgs := map[string]uuid.UUID{}
	for _, o := range diffSeed {
		res, err := seed.Run(ctx, owner, o)
		require.NoError(t, err)
		orgs[o.OrgSlug] = res.OrgID
	}
	refs := diffFixtures(t, owner, orgs["acme"])

	db, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	m := metrics.New(db.Pool)
	server := func(compiled bool) http.Handler {
		return httpapi.NewServer(newLogger(io.Discard, "error"), db, v, m, "",
			httpapi.WithGraphQL(graph.Options{CompiledExecution: compiled}))
	}

	// The EMPLOYEE is the person with the most assets assigned, so their
	// pages are not empty.
	var employee string
	require.NoError(t, owner.QueryRow(ctx, `SELECT p.email FROM people p JOIN assets a ON a.assigned_person_id = p.id
		WHERE p.org_id = $1 AND p.email IS NOT NULL GROUP BY p.id ORDER BY count(*) DESC, p.email LIMIT 1`, orgs["acme"]).Scan(&employee))
	refs["employeePerson"] = personID(t, owner, orgs["acme"], employee)
	e := &diffEnv{
		plain:    server(false),
		compiled: server(true),
		callers: []diffCaller{
			{"admin", mint(t, "acme", itam.RoleAdmin, "admin@acme.test")},
			{"employee", mint(t, "acme", itam.RoleEmployee, employee)},
			{"auditor", mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")},
			{"manager", mint(t, "acme", itam.RoleManager, "manager@acme.test")},
			{"globex-admin", mint(t, "globex", itam.RoleAdmin, "admin@globex.test")},
		},
		refs: refs,
	}
	e.activity(t)
	return e
}

func personID(t testing.TB, owner *pgxpool.Pool, org uuid.UUID, email string) string {
	t.Helper()
	var id uuid.UUID
	require.NoError(t, owner.QueryRow(context.Background(), `SELECT id FROM people WHERE org_id = $1 AND email = $2`, org, email).Scan(&id))
	return relay.ID(relay.TypePerson, id)
}

// activity does through the API what the seed does not: an audit campaign
// with a scan, a disposal with its sanitization, a checkout awaiting the
// EMPLOYEE's acceptance, a purchase order and an offboarding, so their lists are not empty.
func (e *diffEnv) activity(t testing.TB) {
	t.Helper()
	admin := e.callers[0].token
	do := func(q string, vars map[string]any) {
		t.Helper()
		_, _, body := diffDo(e.plain, admin, e.requestBody(t, q, vars))
		require.NotContains(t, string(body), `"errors"`, q)
	}
	do(`mutation($loc: ID!) { c: createAuditCampaign(input: {name: "Differential", dueDate: "2030-01-01", locationId: $loc}) { auditCampaign { id } } }`,
		map[string]any{"loc": "@location"})
	do(`mutation($id: ID!) { disposeAsset(input: {id: $id, date: "2025-01-15", method: RECYCLED, certificate: "C-1",
		sanitization: {method: PURGE, performedAt: "2025-01-10T00:00:00Z", verifiedBy: "qa@acme.test", tool: "nwipe"}}) { asset { id } } }`,
		map[string]any{"id": "@disposableAsset"})
	do(`mutation($id: ID!, $p: ID!) { assignAsset(input: {id: $id, assigneeId: $p, expectedReturnDate: "2030-01-01", requireAcceptance: true}) { asset { id } } }`,
		map[string]any{"id": "@checkoutAsset", "p": "@employeePerson"})
	do(`mutation($s: ID!, $m: ID!) { createPurchaseOrder(input: {supplierId: $s, orderNumber: "PO-DIFF-1", orderDate: "2025-01-01", currency: "USD",
		lines: [{modelId: $m, quantity: 2, unitPrice: {amount: "100.00", currency: "USD"}}]}) { purchaseOrder { id } } }`,
		map[string]any{"s": "@supplier", "m": "@model"})
	do(`mutation($p: ID!, $d: Date!) { offboardPerson(input: {personId: $p, effectiveDate: $d}) { checklist { id } } }`,
		map[string]any{"p": "@leaver", "d": time.Now().UTC().Format(time.DateOnly)})
}

// diffFixtures adds, as the owner, what the seed does not make and the
// corpus needs: assets owned by a person, an asset with every nullable field
// null, a connector with runs and conflicts. It returns the global ids the
// corpus names.
func diffFixtures(t testing.TB, owner *pgxpool.Pool, org uuid.UUID) map[string]string {
	t.Helper()
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		_, err := owner.Exec(ctx, q, args...)
		require.NoError(t, err, q)
	}
	// Every tenth asset with an assignee is owned by that person instead of
	// a team (Owner = Person | Team).
	exec(`UPDATE assets SET owner_person_id = assigned_person_id, owner_team_id = NULL
		WHERE org_id = $1 AND assigned_person_id IS NOT NULL AND right(asset_tag, 1) = '3'`, org)
	// One asset with every nullable column null.
	exec(`UPDATE assets SET serial_number = NULL, name = NULL, assigned_person_id = NULL, assigned_location_id = NULL,
		location_id = NULL, purchase_date = NULL, purchase_price = NULL, purchase_currency = NULL,
		supplier_id = NULL, order_number = NULL, invoice_number = NULL, warranty_end = NULL, end_of_life = NULL, notes = NULL,
		status = 'IN_STOCK'
		WHERE id = (SELECT id FROM assets WHERE org_id = $1 ORDER BY asset_tag LIMIT 1)`, org)

	var connector, asset uuid.UUID
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, base_url, credentials)
		VALUES ($1, 'JAMF_PRO', 'Jamf', 'https://acme.jamfcloud.example', '\x00') RETURNING id`, org).Scan(&connector))
	exec(`INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'INTUNE', 'Intune', '\x00')`, org)
	for i, st := range []string{"SUCCEEDED", "FAILED", "SUCCEEDED", "RUNNING"} {
		exec(`INSERT INTO sync_runs (org_id, connector_id, mode, status, message, started_at)
			VALUES ($1, $2, 'FULL', $3, $4, timestamptz '2026-01-01 00:00:00+00' + $5 * interval '1 hour')`,
			org, connector, st, fmt.Sprintf(`Get "https://acme.jamfcloud.example/api/v1/computers-inventory": run %d`, i), i)
	}
	require.NoError(t, owner.QueryRow(ctx, `SELECT id FROM assets WHERE org_id = $1 ORDER BY asset_tag OFFSET 5 LIMIT 1`, org).Scan(&asset))
	exec(`INSERT INTO sync_conflicts (org_id, asset_id, field, kept_source, kept_value, other_source, other_value)
		VALUES ($1, $2, 'name', 'JAMF_PRO:x', '"a"', 'INTUNE:y', '"b"')`, org, asset)

	refs := map[string]string{
		"connector":    relay.ID(relay.TypeConnector, connector),
		"organization": relay.ID(relay.TypeOrganization, org),
		"asset":        relay.ID(relay.TypeAsset, asset),
	}
	one := func(name, typ, q string) {
		t.Helper()
		var id uuid.UUID
		require.NoError(t, owner.QueryRow(ctx, q, org).Scan(&id), q)
		refs[name] = relay.ID(typ, id)
	}
	one("nullAsset", relay.TypeAsset, `SELECT id FROM assets WHERE org_id = $1 ORDER BY asset_tag LIMIT 1`)
	one("personOwnedAsset", relay.TypeAsset, `SELECT id FROM assets WHERE org_id = $1 AND owner_person_id IS NOT NULL ORDER BY asset_tag LIMIT 1`)
	one("locationAssignedAsset", relay.TypeAsset, `SELECT id FROM assets WHERE org_id = $1 AND assigned_location_id IS NOT NULL ORDER BY asset_tag LIMIT 1`)
	one("person", relay.TypePerson, `SELECT assigned_person_id FROM assets WHERE org_id = $1 AND assigned_person_id IS NOT NULL ORDER BY asset_tag LIMIT 1`)
	one("team", relay.TypeTeam, `SELECT owner_team_id FROM assets WHERE org_id = $1 AND owner_team_id IS NOT NULL ORDER BY asset_tag LIMIT 1`)
	one("location", relay.TypeLocation, `SELECT location_id FROM assets WHERE org_id = $1 AND location_id IS NOT NULL ORDER BY asset_tag LIMIT 1`)
	one("model", relay.TypeModel, `SELECT model_id FROM assets WHERE org_id = $1 ORDER BY asset_tag LIMIT 1`)
	one("disposableAsset", relay.TypeAsset, `SELECT id FROM assets WHERE org_id = $1 AND status = 'RETIRED' ORDER BY asset_tag LIMIT 1`)
	one("checkoutAsset", relay.TypeAsset, `SELECT id FROM assets WHERE org_id = $1 AND status = 'IN_STOCK' AND assigned_person_id IS NULL
		AND assigned_location_id IS NULL ORDER BY asset_tag OFFSET 2 LIMIT 1`)
	one("supplier", relay.TypeSupplier, `SELECT id FROM suppliers WHERE org_id = $1 ORDER BY name LIMIT 1`)
	// The leaver holds assets and is not the EMPLOYEE caller (who holds the most).
	one("leaver", relay.TypePerson, `SELECT assigned_person_id FROM assets WHERE org_id = $1 AND assigned_person_id IS NOT NULL
		GROUP BY assigned_person_id ORDER BY count(*), assigned_person_id LIMIT 1`)
	one("product", relay.TypeSoftwareProduct, `SELECT product_id FROM licenses WHERE org_id = $1 ORDER BY name, id LIMIT 1`)
	one("contract", relay.TypeContract, `SELECT id FROM contracts WHERE org_id = $1 ORDER BY start_date, id LIMIT 1`)
	one("costEntry", relay.TypeCostEntry, `SELECT id FROM cost_entries WHERE org_id = $1 ORDER BY entry_date, id LIMIT 1`)
	one("license", relay.TypeLicense, `SELECT id FROM licenses WHERE org_id = $1 ORDER BY name, id LIMIT 1`)
	one("manufacturer", relay.TypeManufacturer, `SELECT manufacturer_id FROM assets WHERE org_id = $1 ORDER BY asset_tag LIMIT 1`)
	one("category", relay.TypeCategory, `SELECT c.id FROM categories c JOIN models m ON m.category_id = c.id
		JOIN assets a ON a.model_id = m.id WHERE a.org_id = $1 ORDER BY a.asset_tag LIMIT 1`)
	return refs
}

// do sends one GraphQL request body to h as the caller and returns the
// status, content type and body exactly as written.
func diffDo(h http.Handler, token string, body []byte) (int, string, []byte) {
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes()
}

// requestBody is the POST body of an operation with its variables, "@name"
// strings in them replaced by the fixture's global id.
func (e *diffEnv) requestBody(t testing.TB, query string, vars map[string]any) []byte {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": e.resolveRefs(t, vars)})
	require.NoError(t, err)
	return body
}

func (e *diffEnv) resolveRefs(t testing.TB, v any) any {
	switch x := v.(type) {
	case string:
		if name, ok := strings.CutPrefix(x, "@"); ok {
			id, found := e.refs[name]
			require.True(t, found, "no fixture %q", name)
			return id
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, v := range x {
			out[k] = e.resolveRefs(t, v)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, v := range x {
			out[i] = e.resolveRefs(t, v)
		}
		return out
	}
	return v
}
