package postgres

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/secretbox"
)

const (
	plainToken  = "kandji-SECRET-token-7f3a9c"
	plainSecret = "jamf-client-SECRET-91be"
)

type connFixture struct {
	*fixture
	store *ConnectorStore
	svc   *connector.Service
	river *river.Client[pgx.Tx]
	box   *secretbox.Box
}

func newConnFixture(t *testing.T) *connFixture {
	t.Helper()
	f := newFixture(t)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	require.NoError(t, err)
	// An insert-only River client over the app's own pool: InsertTx runs in
	// the store's transaction, as in production.
	rc, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	store := NewConnectorStore(f.db, box, RiverEnqueuer{Client: rc})
	return &connFixture{fixture: f, store: store, svc: connector.NewService(store, nil), river: rc, box: box}
}

func (f *connFixture) jobs() int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'connector.sync'`).Scan(&n))
	return n
}

func kandjiInput(name string) connector.Input {
	return connector.Input{
		Kind: "KANDJI", Name: name, BaseURL: ptr("https://acme.api.kandji.io"),
		Credentials: map[string]string{"apiToken": plainToken},
		Schedule:    &connector.Schedule{IntervalMinutes: ptr(60)},
	}
}

func (f *connFixture) create(o orgFixture, in connector.Input) *itam.Connector {
	f.t.Helper()
	c, _, err := f.svc.Create(f.admin(o), in)
	require.NoError(f.t, err)
	return c
}

func system(org uuid.UUID) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "sync", ActorKind: itam.ActorSystem})
}

func TestConnectorCRUD(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	ctx := f.admin(f.a)
	before := time.Now()
	c := f.create(f.a, kandjiInput("Kandji"))
	require.Equal(t, "KANDJI", c.Kind)
	require.Equal(t, "https://acme.api.kandji.io", *c.BaseURL)
	require.Nil(t, c.AuthURL)
	require.True(t, c.Enabled)
	require.Equal(t, 30, c.StaleAfterDays)
	require.Equal(t, time.Hour, *c.ScheduleInterval)
	require.NotNil(t, c.NextSyncAt)
	require.WithinDuration(t, before.Add(time.Hour), *c.NextSyncAt, time.Minute)
	require.False(t, c.HasWebhookSecret)
	require.Equal(t, 1, c.Version)
	require.Equal(t, map[string]any{}, c.Options)

	// The row holds sealed bytes, never the plaintext.
	var raw []byte
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT credentials FROM connectors WHERE id = $1`, c.ID).Scan(&raw))
	require.False(t, bytes.Contains(raw, []byte(plainToken)))

	got, err := f.store.Connector(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, c, got)

	// Cron schedule, generated webhook secret, Jamf with a user account.
	j, secret, err := f.svc.Create(ctx, connector.Input{
		Kind: "JAMF_PRO", Name: "Jamf", BaseURL: ptr("https://acme.jamfcloud.com/"),
		Credentials: map[string]string{"username": "api", "password": plainSecret},
		Schedule:    &connector.Schedule{Cron: ptr("30 2 * * *")}, GenerateWebhookSecret: true,
		Options: map[string]any{"pageSize": 100}, DefaultOwnerTeamID: &f.a.team, AuthoritativeForPeople: true, StaleAfterDays: ptr(14),
	})
	require.NoError(t, err)
	require.Len(t, secret, 43)
	require.True(t, j.HasWebhookSecret)
	require.Equal(t, "https://acme.jamfcloud.com", *j.BaseURL)
	require.Equal(t, 2, j.NextSyncAt.UTC().Hour())
	require.Equal(t, 30, j.NextSyncAt.UTC().Minute())
	require.EqualValues(t, 100, j.Options["pageSize"])

	page, err := f.store.Connectors(ctx, itam.PageArgs{First: ptr(1)})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, "Jamf", page.Items[0].Name)
	require.True(t, page.HasNextPage)
	page, err = f.store.Connectors(ctx, itam.PageArgs{First: ptr(5), After: &page.Cursors[0]})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, "Kandji", page.Items[0].Name)
	n, err := f.store.CountConnectors(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)

	// Update: rename, switch to cron, disable; stale version is CONFLICT.
	u, _, err := f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 1, Name: itam.Some("Kandji EU"),
		Schedule: itam.Some(connector.Schedule{Cron: ptr("@hourly")}), Enabled: itam.Some(false)})
	require.NoError(t, err)
	require.Equal(t, 2, u.Version)
	require.Equal(t, "Kandji EU", u.Name)
	require.Nil(t, u.ScheduleInterval)
	require.Equal(t, "@hourly", *u.ScheduleCron)
	require.False(t, u.Enabled)
	_, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 1, Name: itam.Some("x")})
	requireCode(t, err, itam.CodeConflict, "version")

	// A no-op update writes nothing.
	same, _, err := f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 2, Name: itam.Some("Kandji EU")})
	require.NoError(t, err)
	require.Equal(t, 2, same.Version)

	// Credentials are replaced only when given; old ones stay otherwise.
	cfg, err := f.store.ConnectorSecrets(system(f.a.id), c.ID)
	require.NoError(t, err)
	require.Equal(t, plainToken, cfg.Credentials["apiToken"])
	_, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 2, Credentials: map[string]string{"apiToken": "new-token-123"}})
	require.NoError(t, err)
	cfg, err = f.store.ConnectorSecrets(system(f.a.id), c.ID)
	require.NoError(t, err)
	require.Equal(t, "new-token-123", cfg.Credentials["apiToken"])
	require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, *cfg), "new-token-123")

	// Moving the connector to another host needs the credentials again.
	_, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 3, BaseURL: itam.Some("https://evil.example.com")})
	requireCode(t, err, itam.CodeInvalid, "credentials")
	u, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 3, BaseURL: itam.Some("https://acme.api.eu.kandji.io"),
		Credentials: map[string]string{"apiToken": plainToken}})
	require.NoError(t, err)
	require.Equal(t, 4, u.Version)

	// Webhook secret: set, then remove.
	u, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 4, WebhookSecret: itam.Some("a-long-enough-webhook-secret")})
	require.NoError(t, err)
	require.True(t, u.HasWebhookSecret)
	wt, err := f.store.WebhookTarget(system(f.a.id), c.ID)
	require.NoError(t, err)
	require.Equal(t, "a-long-enough-webhook-secret", string(wt.Secret))
	u, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 5, WebhookSecret: itam.Optional[string]{Set: true}})
	require.NoError(t, err)
	require.False(t, u.HasWebhookSecret)

	// Delete with a stale version is refused; then it goes, runs with it.
	_, err = f.store.DeleteConnector(ctx, c.ID, ptr(1))
	requireCode(t, err, itam.CodeConflict, "version")
	_, err = f.store.DeleteConnector(ctx, c.ID, nil)
	require.NoError(t, err)
	_, err = f.store.Connector(ctx, c.ID)
	requireCode(t, err, itam.CodeNotFound, "")
}

func TestConnectorValidation(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	ctx := f.admin(f.a)
	f.create(f.a, kandjiInput("Kandji"))
	cases := []struct {
		name  string
		edit  func(*connector.Input)
		code  itam.Code
		field string
	}{
		{"unknown kind", func(in *connector.Input) { in.Kind = "MOBILEIRON" }, itam.CodeInvalid, "kind"},
		{"blank name", func(in *connector.Input) { in.Name = "  " }, itam.CodeInvalid, "name"},
		{"duplicate name, other case", func(in *connector.Input) { in.Name = "KANDJI" }, itam.CodeConflict, "name"},
		{"no base url", func(in *connector.Input) { in.BaseURL = nil }, itam.CodeInvalid, "baseUrl"},
		{"bad base url", func(in *connector.Input) { in.BaseURL = ptr("ftp://x") }, itam.CodeInvalid, "baseUrl"},
		{"credentials in url", func(in *connector.Input) { in.BaseURL = ptr("https://u:p@x.example.com") }, itam.CodeInvalid, "baseUrl"},
		{"bad auth url", func(in *connector.Input) { in.AuthURL = ptr("not a url") }, itam.CodeInvalid, "authUrl"},
		{"missing token", func(in *connector.Input) { in.Credentials = map[string]string{} }, itam.CodeInvalid, "credentials.apiToken"},
		{"blank token", func(in *connector.Input) { in.Credentials = map[string]string{"apiToken": " "} }, itam.CodeInvalid, "credentials.apiToken"},
		{"unknown credential", func(in *connector.Input) { in.Credentials["apiKey"] = "x" }, itam.CodeInvalid, "credentials.apiKey"},
		{"jamf nothing", func(in *connector.Input) { in.Kind, in.Credentials = "JAMF_PRO", map[string]string{} }, itam.CodeInvalid, "credentials.clientId"},
		{"jamf half client", func(in *connector.Input) {
			in.Kind, in.Credentials = "JAMF_PRO", map[string]string{"clientId": "id"}
		}, itam.CodeInvalid, "credentials.clientSecret"},
		{"jamf half user", func(in *connector.Input) {
			in.Kind, in.Credentials = "JAMF_PRO", map[string]string{"username": "u"}
		}, itam.CodeInvalid, "credentials.password"},
		{"intune missing tenant", func(in *connector.Input) {
			in.Kind, in.Credentials = "INTUNE", map[string]string{"clientId": "a", "clientSecret": "b"}
		}, itam.CodeInvalid, "credentials.tenantId"},
		{"fleet missing token", func(in *connector.Input) { in.Kind, in.Credentials = "FLEET", nil }, itam.CodeInvalid, "credentials.apiToken"},
		{"both schedules", func(in *connector.Input) { in.Schedule.Cron = ptr("* * * * *") }, itam.CodeInvalid, "schedule"},
		{"zero interval", func(in *connector.Input) { in.Schedule.IntervalMinutes = ptr(0) }, itam.CodeInvalid, "schedule.intervalMinutes"},
		{"bad cron", func(in *connector.Input) { in.Schedule = &connector.Schedule{Cron: ptr("61 * * * *")} }, itam.CodeInvalid, "schedule.cron"},
		{"six-field cron", func(in *connector.Input) { in.Schedule = &connector.Schedule{Cron: ptr("0 0 1 * * *")} }, itam.CodeInvalid, "schedule.cron"},
		{"stale days", func(in *connector.Input) { in.StaleAfterDays = ptr(0) }, itam.CodeInvalid, "staleAfterDays"},
		{"short webhook secret", func(in *connector.Input) { in.WebhookSecret = ptr("short") }, itam.CodeInvalid, "webhookSecret"},
		{"both webhook secrets", func(in *connector.Input) {
			in.WebhookSecret, in.GenerateWebhookSecret = ptr("a-long-enough-webhook-secret"), true
		}, itam.CodeInvalid, "webhookSecret"},
		{"other org's team", func(in *connector.Input) { in.DefaultOwnerTeamID = &f.b.team }, itam.CodeInvalid, "defaultOwnerTeamId"},
	}
	for _, tc := range cases {
		in := kandjiInput("New")
		tc.edit(&in)
		_, _, err := f.svc.Create(ctx, in)
		requireCode(t, err, tc.code, tc.field)
		require.NotContains(t, err.Error(), plainToken, tc.name)
	}
	require.Equal(t, 1, f.count("connectors", f.a.id), "refused creates write nothing")

	// The credentials are never quoted back in a validation error.
	in := kandjiInput("New")
	in.Credentials = map[string]string{"apiToken": plainToken, "bogus": plainSecret}
	_, _, err := f.svc.Create(ctx, in)
	requireCode(t, err, itam.CodeInvalid, "credentials.bogus")
	require.NotContains(t, err.Error(), plainSecret)
}

func TestConnectorRoles(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	c := f.create(f.a, kandjiInput("Kandji"))
	run, err := f.store.SyncConnector(f.admin(f.a), c.ID, itam.SyncFull, "manual", nil)
	require.NoError(t, err)
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		ctx := as(f.a.id, role, "someone@test")
		_, _, err := f.svc.Create(ctx, kandjiInput("X"))
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.Connector(ctx, c.ID)
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.Connectors(ctx, itam.PageArgs{})
		requireCode(t, err, itam.CodeForbidden, "")
		_, _, err = f.svc.Update(ctx, connector.Patch{ID: c.ID, Version: 1, Name: itam.Some("x")})
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.DeleteConnector(ctx, c.ID, nil)
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.SyncConnector(ctx, c.ID, itam.SyncFull, "manual", nil)
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.CancelSyncRun(ctx, run.ID)
		requireCode(t, err, itam.CodeForbidden, "")
		// Runs are readable by MANAGER and AUDITOR, not EMPLOYEE.
		_, err = f.store.SyncRun(ctx, run.ID)
		page, perr := f.store.SyncRuns(ctx, c.ID, itam.PageArgs{})
		if role == itam.RoleEmployee {
			requireCode(t, err, itam.CodeForbidden, "")
			requireCode(t, perr, itam.CodeForbidden, "")
		} else {
			require.NoError(t, err)
			require.NoError(t, perr)
			require.Len(t, page.Items, 1)
		}
	}
	// Secrets are for the sync engine only: not even an ADMIN user gets them.
	for _, ctx := range []context.Context{f.admin(f.a), as(f.a.id, itam.RoleManager, "m@test")} {
		_, err := f.store.ConnectorSecrets(ctx, c.ID)
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.WebhookTarget(ctx, c.ID)
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.RunForWorker(ctx, run.ID)
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.store.FinishRun(ctx, run.ID, itam.SyncSucceeded, "")
		requireCode(t, err, itam.CodeForbidden, "")
	}
	_, err = f.store.Connectors(context.Background(), itam.PageArgs{})
	requireCode(t, err, itam.CodeUnauthenticated, "")
}

func TestConnectorTenantIsolation(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	ca := f.create(f.a, kandjiInput("Kandji"))
	cb := f.create(f.b, kandjiInput("Kandji")) // same name in another org is fine
	runB, err := f.store.SyncConnector(f.admin(f.b), cb.ID, itam.SyncFull, "manual", nil)
	require.NoError(t, err)

	ctx := f.admin(f.a)
	_, err = f.store.Connector(ctx, cb.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	page, err := f.store.Connectors(ctx, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	require.Equal(t, ca.ID, page.Items[0].ID)
	m, err := f.store.ConnectorsByIDs(ctx, []uuid.UUID{ca.ID, cb.ID})
	require.NoError(t, err)
	require.Len(t, m, 1)
	_, _, err = f.svc.Update(ctx, connector.Patch{ID: cb.ID, Version: 1, Name: itam.Some("mine")})
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.DeleteConnector(ctx, cb.ID, nil)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.SyncConnector(ctx, cb.ID, itam.SyncFull, "manual", nil)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.SyncRun(ctx, runB.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.CancelSyncRun(ctx, runB.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	runs, err := f.store.SyncRuns(ctx, cb.ID, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, runs.Items)
	last, err := f.store.LastSync(ctx, []uuid.UUID{ca.ID, cb.ID})
	require.NoError(t, err)
	require.Empty(t, last)
	_, err = f.store.ConnectorSecrets(system(f.a.id), cb.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.RunForWorker(system(f.a.id), runB.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.FinishRun(system(f.a.id), runB.ID, itam.SyncFailed, "x")
	requireCode(t, err, itam.CodeNotFound, "")

	// B's connector is untouched.
	got, err := f.store.Connector(f.admin(f.b), cb.ID)
	require.NoError(t, err)
	require.Equal(t, "Kandji", got.Name)
	require.Equal(t, 1, got.Version)
	org, err := f.store.ConnectorOrg(context.Background(), cb.ID)
	require.NoError(t, err)
	require.Equal(t, f.b.id, org)
	_, err = f.store.ConnectorOrg(context.Background(), uuid.New())
	requireCode(t, err, itam.CodeNotFound, "")
}
