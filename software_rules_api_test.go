package main

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/syncjob"
)

// rulesAPI is the server with a working River client that runs software
// re-normalization (and nothing else), and a channel of finished jobs.
type rulesAPI struct {
	*api
	owner    *pgxpool.Pool
	finished <-chan *river.Event
	products map[string]string // org slug → global id of its "Slack" product
}

func newRulesAPI(t *testing.T) *rulesAPI {
	t.Helper()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	owner := openOwner(t, dbURL)
	a := &rulesAPI{owner: owner, products: map[string]string{}}
	for _, slug := range []string{"acme", "globex"} {
		org, _, err := seed.EnsureOrg(ctx, owner, slug, "")
		require.NoError(t, err)
		a.products[slug] = relay.ID(relay.TypeSoftwareProduct, insertProduct(t, owner, org, "Salesforce", "Slack"))
	}
	db, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	insert, err := syncjob.NewClient(syncjob.Deps{DB: db, Log: slog.New(slog.DiscardHandler)}, syncjob.Options{})
	require.NoError(t, err)
	// The worker has its own pool, so its queries do not count as the API's.
	jobDB, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(jobDB.Close)
	work, err := syncjob.NewClient(syncjob.Deps{DB: jobDB, Log: slog.New(slog.DiscardHandler),
		SoftwareRules: postgres.NewSoftwareRuleStore(jobDB, postgres.RiverEnqueuer{Client: insert})}, syncjob.Options{Workers: true, NoSync: true})
	require.NoError(t, err)
	events, cancel := work.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed)
	t.Cleanup(cancel)
	a.finished = events
	require.NoError(t, work.Start(ctx))
	t.Cleanup(func() {
		stop, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = work.Stop(stop)
	})
	srv := httptest.NewServer(httpapi.NewServer(newLogger(io.Discard, "error"), db, v, metrics.New(db.Pool), "",
		httpapi.WithConnectors(nil, postgres.RiverEnqueuer{Client: insert}, "")))
	t.Cleanup(srv.Close)
	a.api = &api{t: t, srv: srv, db: db}
	db.Queries = func() { a.rounds.Add(1) }
	return a
}

const ruleFields = `id position kind pattern edition versionPattern starter version product { name }`

func TestSoftwareRulesAPIRolesAndRuns(t *testing.T) {
	t.Parallel()
	a := newRulesAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	create := `mutation($in: CreateSoftwareTitleRuleInput!) { createSoftwareTitleRule(input: $in) {
		softwareTitleRule { ` + ruleFields + ` } normalizationRun { id state reason actor } } }`
	in := func(kind, pattern string) map[string]any {
		return map[string]any{"in": map[string]any{"kind": kind, "pattern": pattern, "productId": a.products["acme"]}}
	}

	d := a.ok(admin, create, in("EXACT", "Slack"))
	rule := get(d, "createSoftwareTitleRule.softwareTitleRule").(map[string]any)
	require.Equal(t, float64(1), rule["position"])
	require.Equal(t, "Slack", get(rule, "product.name"))
	require.Equal(t, false, rule["starter"])
	run := get(d, "createSoftwareTitleRule.normalizationRun").(map[string]any)
	require.Equal(t, "createSoftwareTitleRule", run["reason"])
	require.Equal(t, "admin@acme.test", run["actor"])

	// The job runs the re-normalization to completion.
	select {
	case ev := <-a.finished:
		require.Equal(t, river.EventKindJobCompleted, ev.Kind, "job %s", ev.Job.Kind)
		require.Equal(t, "software.normalize", ev.Job.Kind)
	case <-time.After(30 * time.Second):
		t.Fatal("the normalization job did not finish")
	}
	node := a.ok(admin, `query($id: ID!) { node(id: $id) { ... on SoftwareNormalizationRun { state titlesTotal titlesDone finishedAt } } }`,
		map[string]any{"id": run["id"]})
	require.Equal(t, "COMPLETED", get(node, "node.state"))
	require.NotNil(t, get(node, "node.finishedAt"))

	// Writes are ADMIN only; reads are ADMIN, MANAGER and AUDITOR.
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		tok := mint(t, "acme", role, "someone@acme.test")
		a.code(tok, create, in("EXACT", "Zoom"), "FORBIDDEN", "")
		a.code(tok, `mutation { renormalizeSoftware { normalizationRun { id } } }`, nil, "FORBIDDEN", "")
		a.code(tok, `mutation($id: ID!) { moveSoftwareTitleRule(id: $id, position: 1) { softwareTitleRule { id } } }`,
			map[string]any{"id": rule["id"]}, "FORBIDDEN", "")
		list := `{ softwareTitleRules { totalCount nodes { pattern } } softwareNormalizationRuns { totalCount } }`
		if role == itam.RoleEmployee {
			a.code(tok, list, nil, "FORBIDDEN", "")
			a.code(tok, `{ unmatchedSoftwareTitles { totalCount } }`, nil, "FORBIDDEN", "")
			continue
		}
		got := a.ok(tok, list, nil)
		require.Equal(t, float64(1), get(got, "softwareTitleRules.totalCount"), role)
		require.Equal(t, float64(1), get(got, "softwareNormalizationRuns.totalCount"), role)
		a.ok(tok, `{ unmatchedSoftwareTitles(filter: {minDevices: 1}) { totalCount } }`, nil)
	}

	// Bad input is BAD_USER_INPUT on its field and writes nothing.
	a.code(admin, create, in("REGEX", "^Slack ("), "BAD_USER_INPUT", "pattern")
	bad := in("EXACT", "Zoom")
	bad["in"].(map[string]any)["versionPattern"] = `\d+`
	a.code(admin, create, bad, "BAD_USER_INPUT", "versionPattern")
	bad = in("EXACT", "Zoom")
	bad["in"].(map[string]any)["position"] = 5
	a.code(admin, create, bad, "BAD_USER_INPUT", "position")
	bad = in("EXACT", "Zoom")
	bad["in"].(map[string]any)["productId"] = a.products["globex"]
	a.code(admin, create, bad, "BAD_USER_INPUT", "productId")
	a.code(admin, `mutation($id: ID!) { moveSoftwareTitleRule(id: $id, position: 2) { softwareTitleRule { id } } }`,
		map[string]any{"id": rule["id"]}, "BAD_USER_INPUT", "position")
	a.code(admin, `{ unmatchedSoftwareTitles(filter: {minDevices: 0}) { totalCount } }`, nil, "BAD_USER_INPUT", "filter.minDevices")
	require.Equal(t, float64(1), get(a.ok(admin, `{ softwareTitleRules { totalCount } }`, nil), "softwareTitleRules.totalCount"))

	// testSoftwareTitleRules resolves samples and writes nothing.
	res := a.ok(mint(t, "acme", itam.RoleAuditor, "auditor@acme.test"), `query($t: [SoftwareTitleSample!]!) {
		testSoftwareTitleRules(titles: $t) { title identifier rule { pattern } product { name } normalizedVersion } }`,
		map[string]any{"t": []any{map[string]any{"title": "SLACK", "version": "4.36"}, map[string]any{"title": "Zoom", "identifier": "us.zoom.xos"}}})
	results := get(res, "testSoftwareTitleRules").([]any)
	require.Equal(t, "Slack", get(results[0], "product.name"))
	require.Equal(t, "Slack", get(results[0], "rule.pattern"))
	require.Equal(t, "4.36", get(results[0], "normalizedVersion"))
	require.Nil(t, get(results[1], "rule"))
	require.Equal(t, "us.zoom.xos", get(results[1], "identifier"))

	// Another organization sees neither the rule nor the run.
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	for _, id := range []any{rule["id"], run["id"]} {
		require.Nil(t, get(a.ok(other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}), "node"))
	}
	require.Equal(t, float64(0), get(a.ok(other, `{ softwareTitleRules { totalCount } softwareNormalizationRuns { totalCount } }`, nil),
		"softwareTitleRules.totalCount"))
	a.code(other, `mutation($id: ID!) { moveSoftwareTitleRule(id: $id, position: 1) { softwareTitleRule { id } } }`,
		map[string]any{"id": rule["id"]}, "NOT_FOUND", "")

	// Reorder and delete through the API keep positions dense.
	second := get(a.ok(admin, create, in("PREFIX", "Sla")), "createSoftwareTitleRule.softwareTitleRule.id")
	moved := a.ok(admin, `mutation($id: ID!) { moveSoftwareTitleRule(id: $id, position: 1) { softwareTitleRule { position } normalizationRun { reason } } }`,
		map[string]any{"id": second})
	require.Equal(t, float64(1), get(moved, "moveSoftwareTitleRule.softwareTitleRule.position"))
	deleted := a.ok(admin, `mutation($id: ID!) { deleteSoftwareTitleRule(input: {id: $id}) { deletedId normalizationRun { id } } }`,
		map[string]any{"id": second})
	require.Equal(t, second, get(deleted, "deleteSoftwareTitleRule.deletedId"))
	left := a.ok(admin, `{ softwareTitleRules { nodes { pattern position } } }`, nil)
	require.Equal(t, []any{map[string]any{"pattern": "Slack", "position": float64(1)}}, get(left, "softwareTitleRules.nodes"))

	var runs int
	require.NoError(t, a.owner.QueryRow(context.Background(), `SELECT count(*) FROM software_normalization_runs`).Scan(&runs))
	require.GreaterOrEqual(t, runs, 2)
}

// TestSoftwareRulesAPIAssetSoftware: Asset.software shows current
// installations with the rule that resolved them; includeEnded adds the
// ended ones, for every asset of a page in one batched query.
func TestSoftwareRulesAPIAssetSoftware(t *testing.T) {
	t.Parallel()
	a := newRulesAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	var assets []uuid.UUID
	for range 2 {
		d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"]}})
		id, err := relay.DecodeAs("id", str(d, "createAsset.asset.id"), relay.TypeAsset)
		require.NoError(t, err)
		assets = append(assets, id)
	}
	d := a.ok(admin, `mutation($in: CreateSoftwareTitleRuleInput!) { createSoftwareTitleRule(input: $in) { softwareTitleRule { id } } }`,
		map[string]any{"in": map[string]any{"kind": "PREFIX", "pattern": "Slack", "productId": a.products["acme"]}})
	ruleID := str(d, "createSoftwareTitleRule.softwareTitleRule.id")
	rule, err := relay.DecodeAs("id", ruleID, relay.TypeSoftwareTitleRule)
	require.NoError(t, err)
	ctx := context.Background()
	for _, asset := range assets {
		_, err := a.owner.Exec(ctx, `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, product_id, rule_id, normalized_version)
			SELECT org_id, id, 'JAMF_PRO:x', 'slack', 'Slack', '4.41', $2, $3, '4.41' FROM assets WHERE id = $1`, asset, uuid.Must(relay.DecodeAs("p", a.products["acme"], relay.TypeSoftwareProduct)), rule)
		require.NoError(t, err)
		_, err = a.owner.Exec(ctx, `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, ended_at)
			SELECT org_id, id, 'JAMF_PRO:x', 'old', 'Old App', '1', now() FROM assets WHERE id = $1`, asset)
		require.NoError(t, err)
	}
	q := `{ assets { nodes {
		now: software { title normalizedVersion endedAt matchedBy { id pattern } }
		all: software(includeEnded: true) { title endedAt } } } }`
	start := a.rounds.Load()
	got := a.ok(admin, q, nil)
	rounds := a.rounds.Load() - start
	for _, n := range get(got, "assets.nodes").([]any) {
		now := get(n, "now").([]any)
		require.Len(t, now, 1)
		require.Equal(t, "Slack", get(now[0], "title"))
		require.Equal(t, "4.41", get(now[0], "normalizedVersion"))
		require.Nil(t, get(now[0], "endedAt"))
		require.Equal(t, ruleID, get(now[0], "matchedBy.id"))
		all := get(n, "all").([]any)
		require.Len(t, all, 2)
		require.Equal(t, "Old App", get(all[0], "title"))
		require.NotNil(t, get(all[0], "endedAt"))
	}
	// The same query over twice the assets costs the same round trips.
	for range 2 {
		a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"]}})
	}
	start = a.rounds.Load()
	a.ok(admin, q, nil)
	require.Equal(t, rounds, a.rounds.Load()-start, "batched: no query per asset")

	require.NotZero(t, rounds)
}

// waitJob waits for the next normalization job to finish and requires it
// completed.
func (a *rulesAPI) waitJob() {
	a.t.Helper()
	select {
	case ev := <-a.finished:
		require.Equal(a.t, river.EventKindJobCompleted, ev.Kind)
		require.Equal(a.t, "software.normalize", ev.Job.Kind)
	case <-time.After(30 * time.Second):
		a.t.Fatal("the normalization job did not finish")
	}
}

// TestSoftwareRulesAPIReorderRenormalizes: through the API and the real
// worker, the first matching rule resolves an installation, and moving
// another rule ahead of it moves the installation to that rule's product.
func TestSoftwareRulesAPIReorderRenormalizes(t *testing.T) {
	t.Parallel()
	a := newRulesAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"]}})
	assetID := str(d, "createAsset.asset.id")
	asset, err := relay.DecodeAs("id", assetID, relay.TypeAsset)
	require.NoError(t, err)
	ctx := context.Background()
	var beta uuid.UUID
	require.NoError(t, a.owner.QueryRow(ctx, `INSERT INTO software_products (org_id, publisher_id, name)
		SELECT org_id, id, 'Slack Beta' FROM software_publishers WHERE name = 'Salesforce' AND org_id = (SELECT org_id FROM assets WHERE id = $1)
		RETURNING id`, asset).Scan(&beta))
	_, err = a.owner.Exec(ctx, `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version)
		SELECT org_id, id, 'INTUNE:x', 'slack beta', 'Slack Beta', '5.0' FROM assets WHERE id = $1`, asset)
	require.NoError(t, err)
	create := `mutation($in: CreateSoftwareTitleRuleInput!) { createSoftwareTitleRule(input: $in) { softwareTitleRule { id } } }`
	matched := func() string {
		d := a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { software { matchedBy { pattern product { name } } } } } }`, map[string]any{"id": assetID})
		return str(d, "node.software.0.matchedBy.product.name")
	}

	a.ok(admin, create, map[string]any{"in": map[string]any{"kind": "PREFIX", "pattern": "Slack", "productId": a.products["acme"]}})
	a.waitJob()
	require.Equal(t, "Slack", matched())

	d = a.ok(admin, create, map[string]any{"in": map[string]any{"kind": "EXACT", "pattern": "Slack Beta",
		"productId": relay.ID(relay.TypeSoftwareProduct, beta)}})
	a.waitJob()
	require.Equal(t, "Slack", matched(), "the PREFIX rule comes first")

	a.ok(admin, `mutation($id: ID!) { moveSoftwareTitleRule(id: $id, position: 1) { softwareTitleRule { position } } }`,
		map[string]any{"id": str(d, "createSoftwareTitleRule.softwareTitleRule.id")})
	a.waitJob()
	require.Equal(t, "Slack Beta", matched(), "moved first, the EXACT rule wins")
	runs := a.ok(admin, `{ softwareNormalizationRuns(first: 1) { nodes { state reason titlesTotal titlesDone installationsChanged } } }`, nil)
	require.Equal(t, map[string]any{"state": "COMPLETED", "reason": "moveSoftwareTitleRule", "titlesTotal": float64(1), "titlesDone": float64(1),
		"installationsChanged": float64(1)}, get(runs, "softwareNormalizationRuns.nodes.0"))
}
