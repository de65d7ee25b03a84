package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/testkit"
)

// connAPI is a server with connectors enabled; it keeps every response
// body and log line so tests can prove no secret ever leaves.
type connAPI struct {
	*api
	owner *pgxpool.Pool
	logs  *testkit.LockedBuffer
}

func newConnAPI(t *testing.T) *connAPI {
	t.Helper()
	// The vendor fakes listen on 127.0.0.1: allowed explicitly, the guard stays on.
	return newConnAPIWith(t, connectors.AllowLoopback())
}

// newConnAPIWith is newConnAPI with the vendor network policy egress.
func newConnAPIWith(t *testing.T, egress connectors.Egress) *connAPI {
	t.Helper()
	box, err := secretbox.New(bytes.Repeat([]byte{7}, secretbox.KeySize))
	require.NoError(t, err)
	logs := &testkit.LockedBuffer{}
	a := newAPIFrom(t, logs, "debug", func(db *postgres.DB) []httpapi.ServerOption {
		rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		return []httpapi.ServerOption{httpapi.WithConnectors(box, postgres.RiverEnqueuer{Client: rc}, "https://itam.example.com"),
			httpapi.WithConnectorEgress(egress)}
	})
	a.keep = true
	return &connAPI{api: a, owner: a.owner(), logs: logs}
}

// noLeak fails if any response or log line so far contains one of secrets.
func (a *connAPI) noLeak(secrets ...string) {
	a.t.Helper()
	a.mu.Lock()
	all := strings.Join(a.bodies, "\n")
	a.mu.Unlock()
	logs := a.logs.String()
	for _, s := range secrets {
		require.NotContains(a.t, all, s, "a secret reached a GraphQL response")
		require.NotContains(a.t, logs, s, "a secret reached the logs")
	}
}

const connectorFields = `id kind name baseUrl authUrl schedule { intervalMinutes cron } nextSyncAt enabled
	defaultOwnerTeam { name } authoritativeForPeople staleAfterDays hasWebhookSecret webhookUrl options version createdAt updatedAt
	lastSync { id status mode trigger } syncRuns(first: 10) { totalCount nodes { id status } }`

const runFields = `id connectorId connector { id name } mode status trigger targetExternalId queuedAt startedAt finishedAt
	pagesFetched recordsSeen created updated unchanged staleMarked errorCount errors { externalId message } message`

func TestConnectorsThroughAPI(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	vendor := kandjitest.New(t, kandjitest.Options{Token: "kandji-plaintext-token-55aa", Devices: 7})
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	employee := mint(t, "acme", itam.RoleEmployee, "ada@acme.test")
	otherAdmin := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	team := str(a.ok(admin, `mutation { createTeam(input: {name: "Endpoint"}) { team { id } } }`, nil), "createTeam.team.id")

	create := `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { webhookSecret connector { ` + connectorFields + ` } } }`
	in := map[string]any{
		"kind": "KANDJI", "name": "Kandji", "baseUrl": vendor.URL, "credentials": map[string]any{"apiToken": vendor.Token()},
		"schedule": map[string]any{"intervalMinutes": 120}, "options": map[string]any{"pageSize": 5, "fetchSoftware": false},
		"defaultOwnerTeamId": team, "authoritativeForPeople": true, "staleAfterDays": 10, "generateWebhookSecret": true,
	}
	d := a.ok(admin, create, map[string]any{"in": in})
	c := get(d, "createConnector.connector")
	id := str(c, "id")
	hookSecret := str(d, "createConnector.webhookSecret")
	require.Len(t, hookSecret, 43)
	require.Equal(t, "KANDJI", str(c, "kind"))
	require.Equal(t, vendor.URL, str(c, "baseUrl"))
	require.Nil(t, get(c, "authUrl"))
	require.EqualValues(t, 120, get(c, "schedule.intervalMinutes"))
	require.Nil(t, get(c, "schedule.cron"))
	require.NotEmpty(t, str(c, "nextSyncAt"))
	require.Equal(t, "Endpoint", str(c, "defaultOwnerTeam.name"))
	require.Equal(t, true, get(c, "hasWebhookSecret"))
	_, rowID, _ := relay.Parse(id)
	require.Equal(t, "https://itam.example.com/webhooks/"+rowID.String(), str(c, "webhookUrl"))
	require.EqualValues(t, 5, get(c, "options.pageSize"))
	require.Nil(t, get(c, "lastSync"))
	require.EqualValues(t, 0, get(c, "syncRuns.totalCount"))

	// Validation names the field; the credential values never come back.
	bad := func(edit func(map[string]any), field string) {
		m := map[string]any{}
		for k, v := range in {
			m[k] = v
		}
		m["name"] = "Another"
		delete(m, "generateWebhookSecret")
		edit(m)
		a.code(admin, create, map[string]any{"in": m}, "BAD_USER_INPUT", field)
	}
	bad(func(m map[string]any) { m["credentials"] = map[string]any{} }, "credentials.apiToken")
	bad(func(m map[string]any) { m["credentials"] = "token" }, "credentials")
	bad(func(m map[string]any) { m["credentials"] = map[string]any{"apiToken": 12} }, "credentials.apiToken")
	bad(func(m map[string]any) { m["schedule"] = map[string]any{"cron": "every tuesday"} }, "schedule.cron")
	bad(func(m map[string]any) { m["options"] = []any{1} }, "options")
	bad(func(m map[string]any) { m["options"] = map[string]any{"pageSize": "lots"} }, "options.pageSize")
	bad(func(m map[string]any) { delete(m, "baseUrl") }, "baseUrl")
	a.code(admin, create, map[string]any{"in": in}, "CONFLICT", "name")

	// testConnector authenticates and reads one page, writing nothing.
	test := `mutation($id: ID!) { testConnector(id: $id) { ok message devicesSeen sample { externalId serialNumber name model osName osVersion userEmail lastCheckIn } } }`
	d = a.ok(admin, test, map[string]any{"id": id})
	require.Equal(t, true, get(d, "testConnector.ok"), "%v", d)
	require.EqualValues(t, 5, get(d, "testConnector.devicesSeen"))
	require.Len(t, get(d, "testConnector.sample"), 5)
	require.Equal(t, kandjitest.GenerateDevice(0).SerialNumber, str(d, "testConnector.sample.0.serialNumber"))
	require.Contains(t, str(d, "testConnector.message"), "more")
	var runs int
	require.NoError(t, a.owner.QueryRow(context.Background(), `SELECT count(*) FROM sync_runs`).Scan(&runs))
	require.Zero(t, runs)
	var assets int
	require.NoError(t, a.owner.QueryRow(context.Background(), `SELECT count(*) FROM assets`).Scan(&assets))
	require.Zero(t, assets)

	// syncConnector queues one run and one job; a second is CONFLICT.
	sync := `mutation($id: ID!, $mode: SyncMode!) { syncConnector(id: $id, mode: $mode) { ` + runFields + ` } }`
	d = a.ok(admin, sync, map[string]any{"id": id, "mode": "FULL"})
	run := get(d, "syncConnector")
	runID := str(run, "id")
	require.Equal(t, "QUEUED", str(run, "status"))
	require.Equal(t, "FULL", str(run, "mode"))
	require.Equal(t, "manual", str(run, "trigger"))
	require.Equal(t, id, str(run, "connectorId"))
	require.Equal(t, "Kandji", str(run, "connector.name"))
	require.Equal(t, []any{}, get(run, "errors"))
	a.code(admin, sync, map[string]any{"id": id, "mode": "INCREMENTAL"}, "CONFLICT", "id")
	var jobs int
	require.NoError(t, a.owner.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'connector.sync'`).Scan(&jobs))
	require.Equal(t, 1, jobs)

	d = a.ok(admin, `{ connectors(first: 10) { totalCount nodes { `+connectorFields+` } } }`, nil)
	require.EqualValues(t, 1, get(d, "connectors.totalCount"))
	require.Equal(t, runID, str(d, "connectors.nodes.0.lastSync.id"))
	require.EqualValues(t, 1, get(d, "connectors.nodes.0.syncRuns.totalCount"))
	d = a.ok(admin, `query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Connector { name } ... on SyncRun { status } } }`,
		map[string]any{"ids": []string{id, runID}})
	require.Equal(t, "Kandji", str(d, "nodes.0.name"))
	require.Equal(t, "QUEUED", str(d, "nodes.1.status"))

	// MANAGER and AUDITOR read runs, not connectors; EMPLOYEE reads neither.
	runsQ := `query($c: ID!) { syncRuns(connectorId: $c) { totalCount nodes { ` + runFields + ` } } }`
	for _, tok := range []string{manager, auditor} {
		a.code(tok, `{ connectors { totalCount } }`, nil, "FORBIDDEN", "")
		a.code(tok, create, map[string]any{"in": in}, "FORBIDDEN", "")
		a.code(tok, sync, map[string]any{"id": id, "mode": "FULL"}, "FORBIDDEN", "")
		a.code(tok, test, map[string]any{"id": id}, "FORBIDDEN", "")
		a.code(tok, `mutation($id: ID!) { cancelSyncRun(id: $id) { status } }`, map[string]any{"id": runID}, "FORBIDDEN", "")
		d = a.ok(tok, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
		require.Nil(t, d["node"])
		d = a.ok(tok, runsQ, map[string]any{"c": id})
		require.EqualValues(t, 1, get(d, "syncRuns.totalCount"))
		require.Nil(t, get(d, "syncRuns.nodes.0.connector"))
		require.Equal(t, id, str(d, "syncRuns.nodes.0.connectorId"))
	}
	a.code(employee, runsQ, map[string]any{"c": id}, "FORBIDDEN", "")
	a.code(employee, `{ connectors { totalCount } }`, nil, "FORBIDDEN", "")

	// Another organization sees and changes nothing.
	d = a.ok(otherAdmin, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []string{id, runID}})
	require.Equal(t, []any{nil, nil}, d["nodes"])
	d = a.ok(otherAdmin, `{ connectors { totalCount } }`, nil)
	require.EqualValues(t, 0, get(d, "connectors.totalCount"))
	d = a.ok(otherAdmin, runsQ, map[string]any{"c": id})
	require.EqualValues(t, 0, get(d, "syncRuns.totalCount"))
	a.code(otherAdmin, `mutation($id: ID!) { updateConnector(input: {id: $id, version: 1, name: "mine"}) { connector { id } } }`, map[string]any{"id": id}, "NOT_FOUND", "")
	a.code(otherAdmin, `mutation($id: ID!) { deleteConnector(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, "NOT_FOUND", "")
	a.code(otherAdmin, test, map[string]any{"id": id}, "NOT_FOUND", "")
	a.code(otherAdmin, sync, map[string]any{"id": id, "mode": "FULL"}, "NOT_FOUND", "")
	a.code(otherAdmin, `mutation($id: ID!) { cancelSyncRun(id: $id) { status } }`, map[string]any{"id": runID}, "NOT_FOUND", "")

	// Cancel, then a webhook with the generated secret queues a targeted run.
	d = a.ok(admin, `mutation($id: ID!) { cancelSyncRun(id: $id) { status finishedAt message } }`, map[string]any{"id": runID})
	require.Equal(t, "CANCELLED", str(d, "cancelSyncRun.status"))
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/webhooks/"+rowID.String(), strings.NewReader(`{"device_id": "`+kandjitest.DeviceID(3)+`"}`))
	req.Header.Set("X-Webhook-Secret", hookSecret)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusAccepted, res.StatusCode)
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Connector { lastSync { trigger targetExternalId status } } } }`, map[string]any{"id": id})
	require.Equal(t, "webhook", str(d, "node.lastSync.trigger"))
	require.Equal(t, kandjitest.DeviceID(3), str(d, "node.lastSync.targetExternalId"))
	req, _ = http.NewRequest(http.MethodPost, a.srv.URL+"/webhooks/"+rowID.String(), strings.NewReader(`{"device_id": "x"}`))
	req.Header.Set("X-Webhook-Secret", "wrong")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusUnauthorized, res.StatusCode)

	// Wrong credentials: the test reports the refusal, and still no secret leaks.
	upd := `mutation($in: UpdateConnectorInput!) { updateConnector(input: $in) { webhookSecret connector { ` + connectorFields + ` } } }`
	d = a.ok(admin, upd, map[string]any{"in": map[string]any{"id": id, "version": 1, "credentials": map[string]any{"apiToken": "wrong-plaintext-token-99"},
		"schedule": map[string]any{"cron": "0 3 * * 1-5"}, "options": nil}})
	c = get(d, "updateConnector.connector")
	require.EqualValues(t, 2, get(c, "version"))
	require.Equal(t, "0 3 * * 1-5", str(c, "schedule.cron"))
	require.Nil(t, get(c, "schedule.intervalMinutes"))
	require.Equal(t, map[string]any{}, get(c, "options"))
	require.Nil(t, get(d, "updateConnector.webhookSecret"))
	d = a.ok(admin, test, map[string]any{"id": id})
	require.Equal(t, false, get(d, "testConnector.ok"))
	require.Contains(t, str(d, "testConnector.message"), "refused")
	require.Equal(t, []any{}, get(d, "testConnector.sample"))

	// Moving to another host without re-entering credentials is refused.
	a.code(admin, upd, map[string]any{"in": map[string]any{"id": id, "version": 2, "baseUrl": "https://attacker.example.com"}}, "BAD_USER_INPUT", "credentials")
	a.code(admin, upd, map[string]any{"in": map[string]any{"id": id, "version": 1, "name": "stale"}}, "CONFLICT", "version")

	d = a.ok(admin, `mutation($id: ID!) { deleteConnector(input: {id: $id, version: 2}) { deletedId } }`, map[string]any{"id": id})
	require.Equal(t, id, str(d, "deleteConnector.deletedId"))
	d = a.ok(admin, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id})
	require.Nil(t, d["node"])

	a.noLeak(vendor.Token(), "wrong-plaintext-token-99")
	// The webhook secret is shown once, at creation, and never again.
	a.mu.Lock()
	shown := 0
	for _, r := range a.bodies {
		shown += strings.Count(r, hookSecret)
	}
	a.mu.Unlock()
	require.Equal(t, 1, shown)
	require.NotContains(t, a.logs.String(), hookSecret)
}

func TestSecretKeyConfig(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, bad := range []string{"not-a-key", strings.Repeat("ab", 16), strings.Repeat("ab", 33)} {
		_, err := config.Load(env("ITAM_SECRET_KEY", bad))
		require.ErrorContains(t, err, "ITAM_SECRET_KEY")
		require.NotContains(t, err.Error(), bad)
	}
	key := strings.Repeat("ab", 32)
	cfg, err := config.Load(env("ITAM_SECRET_KEY", key, "ITAM_PUBLIC_URL", "https://itam.example.com/"))
	require.NoError(t, err)
	require.Len(t, cfg.SecretKey, secretbox.KeySize)
	require.Equal(t, "https://itam.example.com", cfg.PublicURL)
	log := slog.New(slog.DiscardHandler)
	box, err := loadSecretBox(cfg, log)
	require.NoError(t, err)
	require.NotNil(t, box)

	// Dev mode: a key generated under the data directory, kept across starts.
	dir := t.TempDir()
	cfg, err = config.Load(env("ITAM_DATA_DIR", dir))
	require.NoError(t, err)
	box, err = loadSecretBox(cfg, log)
	require.NoError(t, err)
	sealed, err := box.Seal([]byte("x"))
	require.NoError(t, err)
	fi, err := os.Stat(filepath.Join(dir, "secret-key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	again, err := loadSecretBox(cfg, log)
	require.NoError(t, err)
	_, err = again.Open(sealed)
	require.NoError(t, err)

	// Configured for production without a key: connectors are disabled, no file written.
	dir = t.TempDir()
	cfg, err = config.Load(env("ITAM_DATA_DIR", dir, "DATABASE_URL", "postgres://x/y", "ITAM_JWT_SECRET", strings.Repeat("42", 32)))
	require.NoError(t, err)
	box, err = loadSecretBox(cfg, log)
	require.NoError(t, err)
	require.Nil(t, box)
	_, err = os.Stat(filepath.Join(dir, "secret-key"))
	require.True(t, os.IsNotExist(err))
}
