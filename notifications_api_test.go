package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/syncjob"
)

const (
	createHookQ = `mutation($in: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $in) {
		webhookSubscription { id url events format active hasSecret version createdAt updatedAt } } }`
	hookFieldsQ = `{ webhookSubscriptions(first: 10) { totalCount nodes { id url events format active hasSecret version createdAt updatedAt } } }`
	feedQ       = `query($f: NotificationFilter) { notifications(first: 50, filter: $f) { totalCount nodes { id kind title message dueDate createdAt readAt
		subject { __typename id } } } }`
	hookSecretValue = "api-secret-0123456789"
)

// notifyNodeFixtures adds, as the owner, a notification about connector,
// a webhook subscription and one delivery attempt of it to org, for
// TestNodeResolvesEveryNodeType.
func notifyNodeFixtures(t *testing.T, owner *pgxpool.Pool, org, connector uuid.UUID, fixtures map[string]string) {
	t.Helper()
	n, s, d := ownerNotificationRows(t, owner, org, connector)
	fixtures["Notification"] = relay.ID(relay.TypeNotification, n)
	fixtures["WebhookSubscription"] = relay.ID(relay.TypeWebhookSubscription, s)
	fixtures["WebhookDelivery"] = relay.ID(relay.TypeWebhookDelivery, d)
}

func ownerNotificationRows(t *testing.T, owner *pgxpool.Pool, org, connector uuid.UUID) (n, s, d uuid.UUID) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO notifications (org_id, kind, subject_type, subject_id, title, message, dedup_key)
		VALUES ($1, 'SYNC_FAILING', 'Connector', $2, 'Sync failing: Jamf', 'The last two syncs of connector Jamf failed.', $3) RETURNING id`, org, connector, "node:"+connector.String()).Scan(&n))
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO webhook_subscriptions (org_id, url, events, secret, created_by)
		VALUES ($1, 'https://hooks.example.com/node', '{SYNC_FAILING}', '\x00', 'owner') RETURNING id`, org).Scan(&s))
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO webhook_deliveries (org_id, subscription_id, notification_id, event, job_id, attempt, state, status_code, error, duration_ms, next_retry_at)
		VALUES ($1, $2, $3, 'SYNC_FAILING', 1, 1, 'RETRYING', 500, 'the receiver answered 500', 12, now() + interval '30 seconds') RETURNING id`, org, s, n).Scan(&d))
	return n, s, d
}

func orgID(t *testing.T, a *api, tok string) uuid.UUID {
	t.Helper()
	_, id, ok := relay.Parse(str(a.ok(tok, `{ organization { id } }`, nil), "organization.id"))
	require.True(t, ok)
	return id
}

// Webhook subscriptions: ADMIN only; private targets refused on save;
// bad input typed with nothing written; the secret never comes back in any
// field or log; another organization sees and changes nothing.
func TestWebhookSubscriptionsAPI(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	in := func(url string) map[string]any {
		return map[string]any{"in": map[string]any{"url": url, "events": []string{"WARRANTY_ENDING", "SYNC_FAILING", "WARRANTY_ENDING"}, "secret": hookSecretValue, "format": "SLACK"}}
	}

	for _, tc := range []struct {
		name, field string
		vars        map[string]any
	}{
		// This server allows loopback (ITAM_CONNECTOR_ALLOW_PRIVATE=127.0.0.0/8,
		// ::1 for the test receivers); everything else non-public is refused.
		{"unspecified", "url", in("https://0.0.0.0/hook")},
		{"unique local", "url", in("https://[fd00::1]/hook")},
		{"metadata", "url", in("https://169.254.169.254/latest")},
		{"private", "url", in("https://10.0.0.7/hook")},
		{"plain http", "url", in("http://hooks.example.com/hook")},
		{"no events", "events", map[string]any{"in": map[string]any{"url": "https://hooks.example.com", "events": []string{}, "secret": hookSecretValue}}},
		{"short secret", "secret", map[string]any{"in": map[string]any{"url": "https://hooks.example.com", "events": []string{"AUDIT_DUE"}, "secret": "short"}}},
	} {
		a.code(admin, createHookQ, tc.vars, "BAD_USER_INPUT", tc.field)
	}
	require.Equal(t, float64(0), get(a.ok(admin, `{ webhookSubscriptions { totalCount } }`, nil), "webhookSubscriptions.totalCount"), "nothing written")

	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		tok := mint(t, "acme", role, "someone@acme.test")
		a.code(tok, createHookQ, in("https://hooks.example.com/x"), "FORBIDDEN", "")
		a.code(tok, hookFieldsQ, nil, "FORBIDDEN", "")
		a.code(tok, `{ webhookDeliveries { totalCount } }`, nil, "FORBIDDEN", "")
	}

	d := a.ok(admin, createHookQ, in("https://hooks.example.com/itam"))
	id := str(d, "createWebhookSubscription.webhookSubscription.id")
	require.Equal(t, []any{"WARRANTY_ENDING", "SYNC_FAILING"}, get(d, "createWebhookSubscription.webhookSubscription.events"))
	require.Equal(t, "SLACK", str(d, "createWebhookSubscription.webhookSubscription.format"))
	require.Equal(t, true, get(d, "createWebhookSubscription.webhookSubscription.hasSecret"))
	a.ok(admin, hookFieldsQ, nil)
	a.ok(admin, `query($id: ID!) { node(id: $id) { ... on WebhookSubscription { id url events format active hasSecret version createdAt updatedAt } } }`, map[string]any{"id": id})
	d = a.ok(admin, `mutation($id: ID!) { updateWebhookSubscription(input: {id: $id, version: 1, active: false, secret: "another-secret-0123456789"}) {
		webhookSubscription { active version hasSecret } } }`, map[string]any{"id": id})
	require.Equal(t, false, get(d, "updateWebhookSubscription.webhookSubscription.active"))
	a.code(admin, `mutation($id: ID!) { updateWebhookSubscription(input: {id: $id, url: "https://192.168.1.1/x"}) { webhookSubscription { id } } }`,
		map[string]any{"id": id}, "BAD_USER_INPUT", "url")
	a.ok(admin, `mutation($id: ID!) { testWebhookSubscription(id: $id) { webhookSubscription { id } } }`, map[string]any{"id": id})
	a.noLeak(hookSecretValue, "another-secret-0123456789")

	// Another organization: null through node, NOT_FOUND to change, delete or test.
	require.Nil(t, get(a.ok(other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}), "node"))
	require.Equal(t, float64(0), get(a.ok(other, `{ webhookSubscriptions { totalCount } }`, nil), "webhookSubscriptions.totalCount"))
	a.code(other, `mutation($id: ID!) { updateWebhookSubscription(input: {id: $id, active: true}) { webhookSubscription { id } } }`, map[string]any{"id": id}, "NOT_FOUND", "id")
	a.code(other, `mutation($id: ID!) { deleteWebhookSubscription(input: {id: $id}) { deletedId } }`, map[string]any{"id": id}, "NOT_FOUND", "id")
	a.code(other, `mutation($id: ID!) { testWebhookSubscription(id: $id) { webhookSubscription { id } } }`, map[string]any{"id": id}, "NOT_FOUND", "id")
	a.code(other, `query($id: ID!) { webhookDeliveries(filter: {subscriptionId: $id}) { totalCount } }`, map[string]any{"id": id}, "NOT_FOUND", "filter.subscriptionId")

	d = a.ok(admin, `mutation($id: ID!) { deleteWebhookSubscription(input: {id: $id, version: 2}) { deletedId } }`, map[string]any{"id": id})
	require.Equal(t, id, str(d, "deleteWebhookSubscription.deletedId"))
}

// The feed: ADMIN, MANAGER and AUDITOR read it, EMPLOYEE is refused;
// MANAGER marks read for everyone, AUDITOR may not; another organization
// sees none of it; settings have defaults, bounds and an ADMIN-only change;
// deliveries list with their subscription and notification.
func TestNotificationsAPI(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	manager := mint(t, "acme", itam.RoleManager, "manager@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "auditor@acme.test")
	employee := mint(t, "acme", itam.RoleEmployee, "ada@acme.test")
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	org := orgID(t, a.api, admin)
	var connector uuid.UUID
	require.NoError(t, a.owner.QueryRow(context.Background(), `INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', 'Jamf', '\x00') RETURNING id`, org).Scan(&connector))
	n, s, _ := ownerNotificationRows(t, a.owner, org, connector)
	nid := relay.ID(relay.TypeNotification, n)

	for _, tok := range []string{admin, manager, auditor} {
		d := a.ok(tok, feedQ, nil)
		require.Equal(t, float64(1), get(d, "notifications.totalCount"))
		require.Equal(t, "SYNC_FAILING", str(d, "notifications.nodes.0.kind"))
	}
	d := a.ok(admin, feedQ, nil)
	require.Equal(t, "Connector", str(d, "notifications.nodes.0.subject.__typename"))
	require.Equal(t, relay.ID(relay.TypeConnector, connector), str(d, "notifications.nodes.0.subject.id"))
	a.code(employee, feedQ, nil, "FORBIDDEN", "")
	a.code(employee, `{ organization { notificationSettings { warrantyDays } } }`, nil, "FORBIDDEN", "")
	require.Equal(t, float64(0), get(a.ok(other, feedQ, nil), "notifications.totalCount"))
	require.Nil(t, get(a.ok(other, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": nid}), "node"))
	require.NotEmpty(t, a.do(admin, feedQ, map[string]any{"f": map[string]any{"kinds": []string{"NOPE"}}}).Errors, "unknown kind")

	mark := `mutation($in: MarkNotificationsReadInput!) { markNotificationsRead(input: $in) { marked } }`
	a.code(auditor, mark, map[string]any{"in": map[string]any{"all": true}}, "FORBIDDEN", "")
	a.code(manager, mark, map[string]any{"in": map[string]any{}}, "BAD_USER_INPUT", "ids")
	a.code(other, mark, map[string]any{"in": map[string]any{"ids": []string{nid}}}, "NOT_FOUND", "ids[0]")
	a.code(manager, mark, map[string]any{"in": map[string]any{"ids": []string{"bogus"}}}, "BAD_USER_INPUT", "ids")
	require.Equal(t, float64(1), get(a.ok(admin, feedQ, map[string]any{"f": map[string]any{"unread": true}}), "notifications.totalCount"), "nothing marked")
	require.Equal(t, float64(1), get(a.ok(manager, mark, map[string]any{"in": map[string]any{"ids": []string{nid}}}), "markNotificationsRead.marked"))
	require.Equal(t, float64(0), get(a.ok(auditor, feedQ, map[string]any{"f": map[string]any{"unread": true}}), "notifications.totalCount"), "read for everyone")
	require.NotEmpty(t, str(a.ok(auditor, feedQ, nil), "notifications.nodes.0.readAt"))

	settings := `{ organization { notificationSettings { warrantyDays contractDays licenseDays staleDeviceDays } } }`
	require.Equal(t, map[string]any{"warrantyDays": float64(30), "contractDays": float64(60), "licenseDays": float64(60), "staleDeviceDays": float64(30)},
		get(a.ok(auditor, settings, nil), "organization.notificationSettings"))
	update := `mutation($in: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $in) { notificationSettings { warrantyDays contractDays } } }`
	a.code(manager, update, map[string]any{"in": map[string]any{"warrantyDays": 10}}, "FORBIDDEN", "")
	a.code(admin, update, map[string]any{"in": map[string]any{"warrantyDays": 10, "contractDays": 366}}, "BAD_USER_INPUT", "contractDays")
	require.Equal(t, float64(30), get(a.ok(admin, settings, nil), "organization.notificationSettings.warrantyDays"), "nothing written")
	d = a.ok(admin, update, map[string]any{"in": map[string]any{"warrantyDays": 10}})
	require.Equal(t, float64(10), get(d, "updateNotificationSettings.notificationSettings.warrantyDays"))
	require.Equal(t, float64(60), get(d, "updateNotificationSettings.notificationSettings.contractDays"))
	require.Equal(t, float64(30), get(a.ok(other, settings, nil), "organization.notificationSettings.warrantyDays"), "org B keeps its own")

	deliveries := `query($f: WebhookDeliveryFilter) { webhookDeliveries(first: 10, filter: $f) { totalCount nodes { id event attempt state statusCode error durationMs at nextRetryAt
		subscription { id hasSecret } notification { id kind } } } }`
	sid := relay.ID(relay.TypeWebhookSubscription, s)
	d = a.ok(admin, deliveries, map[string]any{"f": map[string]any{"subscriptionId": sid, "failed": true}})
	require.Equal(t, float64(1), get(d, "webhookDeliveries.totalCount"))
	require.Equal(t, "RETRYING", str(d, "webhookDeliveries.nodes.0.state"))
	require.Equal(t, float64(500), get(d, "webhookDeliveries.nodes.0.statusCode"))
	require.Equal(t, sid, str(d, "webhookDeliveries.nodes.0.subscription.id"))
	require.Equal(t, nid, str(d, "webhookDeliveries.nodes.0.notification.id"))
	require.Equal(t, float64(0), get(a.ok(admin, deliveries, map[string]any{"f": map[string]any{"failed": false}}), "webhookDeliveries.totalCount"))
	require.Equal(t, float64(0), get(a.ok(other, deliveries, nil), "webhookDeliveries.totalCount"))
	a.code(other, deliveries, map[string]any{"f": map[string]any{"subscriptionId": "bogus"}}, "BAD_USER_INPUT", "filter.subscriptionId")
}

// End to end: a webhook created through the API receives, through River,
// the signed notification a scan records, and webhookDeliveries shows the
// attempt; another organization's hook receives nothing.
func TestWebhookDeliveryEndToEnd(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	other := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	got := make(chan *http.Request, 4)
	bodies := make(chan []byte, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	t.Cleanup(srv.Close)
	var otherHits atomic.Int32
	otherSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { otherHits.Add(1) }))
	t.Cleanup(otherSrv.Close)
	hook := func(tok, url string) {
		a.ok(tok, createHookQ, map[string]any{"in": map[string]any{"url": url, "events": []string{"SYNC_FAILING"}, "secret": hookSecretValue}})
	}
	hook(admin, srv.URL+"/itam")
	hook(other, otherSrv.URL+"/itam")

	org := orgID(t, a.api, admin)
	ctx := context.Background()
	var connector uuid.UUID
	require.NoError(t, a.owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', 'Jamf', '\x00') RETURNING id`, org).Scan(&connector))
	_, err := a.owner.Exec(ctx, `INSERT INTO sync_runs (org_id, connector_id, mode, status, finished_at) VALUES ($1, $2, 'FULL', 'FAILED', now()), ($1, $2, 'FULL', 'FAILED', now())`, org, connector)
	require.NoError(t, err)

	box, err := secretbox.New(bytes.Repeat([]byte{7}, secretbox.KeySize)) // newConnAPI's key
	require.NoError(t, err)
	deps := syncjob.Deps{DB: a.db, Log: slog.New(slog.DiscardHandler), Egress: connectors.AllowLoopback()}
	insert, err := syncjob.NewClient(deps, syncjob.Options{})
	require.NoError(t, err)
	enq := postgres.RiverEnqueuer{Client: insert}
	deps.Webhooks = postgres.NewWebhookStore(a.db, box, enq, nil)
	deps.Notifications = postgres.NewNotificationStore(a.db, enq)
	n, err := deps.Notifications.ScanAll(ctx, time.Now().UTC())
	require.NoError(t, err)
	require.Equal(t, 1, n)

	work, err := syncjob.NewClient(syncjob.Deps{DB: a.db, Log: deps.Log, Egress: deps.Egress, Webhooks: deps.Webhooks}, syncjob.Options{Workers: true, NoSync: true})
	require.NoError(t, err)
	events, cancel := work.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer cancel()
	require.NoError(t, work.Start(ctx))
	t.Cleanup(func() {
		sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = work.Stop(sctx)
	})
	select {
	case ev := <-events:
		require.Equal(t, river.EventKindJobCompleted, ev.Kind)
	case <-time.After(time.Minute):
		t.Fatal("no delivery")
	}
	r, body := <-got, <-bodies
	mac := hmac.New(sha256.New, []byte(hookSecretValue))
	mac.Write([]byte(r.Header.Get("X-Itam-Timestamp") + "." + string(body)))
	require.Equal(t, "sha256="+hex.EncodeToString(mac.Sum(nil)), r.Header.Get("X-Itam-Signature"))
	var payload map[string]any
	require.NoError(t, json.Unmarshal(body, &payload))
	require.Equal(t, "SYNC_FAILING", payload["event"])
	require.Equal(t, relay.ID(relay.TypeConnector, connector), get(payload, "notification.subject.id"))
	require.Zero(t, otherHits.Load(), "org A's event never goes to org B's hook")

	d := a.ok(admin, `{ webhookDeliveries { totalCount nodes { state statusCode attempt notification { kind subject { id } } } } }`, nil)
	require.Equal(t, float64(1), get(d, "webhookDeliveries.totalCount"))
	require.Equal(t, "SUCCEEDED", str(d, "webhookDeliveries.nodes.0.state"))
	require.Equal(t, float64(200), get(d, "webhookDeliveries.nodes.0.statusCode"))
	require.Equal(t, float64(0), get(a.ok(other, `{ webhookDeliveries { totalCount } }`, nil), "webhookDeliveries.totalCount"))
	a.noLeak(hookSecretValue)
}
