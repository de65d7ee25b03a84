package syncjob

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
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/notify"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/testkit"
)

const hookSecret = "whsec-test-0123456789"

// hookEnv is a database with two organizations, the notification stores
// over an insert-only River client, and a log buffer.
type hookEnv struct {
	t          *testing.T
	owner      *pgxpool.Pool
	deps       Deps
	orgA, orgB uuid.UUID
	logs       *testkit.LockedBuffer
}

func newHookEnv(t *testing.T) *hookEnv {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	a, _, err := seed.EnsureOrg(ctx, owner, "acme", "Acme")
	require.NoError(t, err)
	b, _, err := seed.EnsureOrg(ctx, owner, "globex", "Globex")
	require.NoError(t, err)
	db, err := postgres.Open(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	logs := &testkit.LockedBuffer{}
	e := &hookEnv{t: t, owner: owner, orgA: a, orgB: b, logs: logs}
	e.deps = Deps{DB: db, Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})), Egress: connectors.AllowLoopback()}
	insert, err := NewClient(e.deps, Options{})
	require.NoError(t, err)
	enq := postgres.RiverEnqueuer{Client: insert}
	// Receivers are httptest servers on 127.0.0.1: allowed explicitly.
	e.deps.Webhooks = postgres.NewWebhookStore(db, box, enq, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")})
	e.deps.Notifications = postgres.NewNotificationStore(db, enq)
	return e
}

func (e *hookEnv) admin(org uuid.UUID) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "admin@test"})
}

func (e *hookEnv) subscribe(org uuid.UUID, url string, format notify.Format) *notify.Subscription {
	e.t.Helper()
	secret := hookSecret
	s, err := e.deps.Webhooks.CreateSubscription(e.admin(org), notify.SubscriptionInput{URL: &url, Secret: &secret, Events: notify.Kinds, Format: &format})
	require.NoError(e.t, err)
	return s
}

// failingSync makes a connector of org whose last two syncs failed, so the
// next scan records one SYNC_FAILING notification, and runs the scan,
// which queues its deliveries.
func (e *hookEnv) failingSync(org uuid.UUID, name string) {
	e.t.Helper()
	ctx := context.Background()
	var c uuid.UUID
	require.NoError(e.t, e.owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', $2, '\x00') RETURNING id`, org, name).Scan(&c))
	for i := range 2 {
		_, err := e.owner.Exec(ctx, `INSERT INTO sync_runs (org_id, connector_id, mode, status, queued_at, finished_at)
			VALUES ($1, $2, 'FULL', 'FAILED', now() - $3 * interval '1 minute', now())`, org, c, 10-i)
		require.NoError(e.t, err)
	}
	n, err := e.deps.Notifications.Scan(itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "notifications", ActorKind: itam.ActorSystem}), time.Now().UTC())
	require.NoError(e.t, err)
	require.Equal(e.t, 1, n)
}

// deliveryJobs returns the queued delivery jobs as the worker gets them.
func (e *hookEnv) deliveryJobs() []*river.Job[jobs.DeliverWebhookArgs] {
	e.t.Helper()
	rows, err := e.owner.Query(context.Background(), `SELECT id, args FROM river_job WHERE kind = 'notify.deliver' ORDER BY id`)
	require.NoError(e.t, err)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*river.Job[jobs.DeliverWebhookArgs], error) {
		j := &river.Job[jobs.DeliverWebhookArgs]{JobRow: &rivertype.JobRow{}}
		var raw []byte
		if err := r.Scan(&j.ID, &raw); err != nil {
			return nil, err
		}
		return j, json.Unmarshal(raw, &j.Args)
	})
	require.NoError(e.t, err)
	return out
}

type attemptRow struct {
	Attempt    int
	State      string
	StatusCode *int
	Error      *string
	NextRetry  *time.Time
}

func (e *hookEnv) attempts(org uuid.UUID) []attemptRow {
	e.t.Helper()
	rows, err := e.owner.Query(context.Background(), `SELECT attempt, state, status_code, error, next_retry_at FROM webhook_deliveries WHERE org_id = $1 ORDER BY at, attempt`, org)
	require.NoError(e.t, err)
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[attemptRow])
	require.NoError(e.t, err)
	return out
}

// received is one request a test receiver got.
type received struct {
	header http.Header
	body   []byte
}

// receiver answers with the statuses in order (then the last one) and
// sends every request it gets on got.
func receiver(t *testing.T, statuses ...int) (*httptest.Server, chan received) {
	got := make(chan received, 16)
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{header: r.Header.Clone(), body: b}
		i := int(n.Add(1)) - 1
		w.WriteHeader(statuses[min(i, len(statuses)-1)])
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// verify checks a delivery with nothing but the documented recipe:
// X-Itam-Signature = "sha256=" + hex(HMAC-SHA256(secret, X-Itam-Timestamp + "." + body)).
func verify(r received) bool {
	mac := hmac.New(sha256.New, []byte(hookSecret))
	mac.Write([]byte(r.header.Get("X-Itam-Timestamp") + "." + string(r.body)))
	return hmac.Equal([]byte(r.header.Get("X-Itam-Signature")), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
}

// A receiver answering 500 gets the delivery again, and the attempt after
// it succeeds; both attempts are recorded, each signed verifiably, with
// the same delivery id; the secret appears in no record and no log.
func TestDeliveryRetriedAfter500Then200(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	srv, got := receiver(t, http.StatusInternalServerError, http.StatusOK)
	e.subscribe(e.orgA, srv.URL+"/hook", notify.FormatJSON)
	e.failingSync(e.orgA, "Jamf")

	w := NewDeliverWorker(e.deps.Webhooks, e.deps.Egress, e.deps.Log)
	now := time.Now()
	w.Now = func() time.Time { return now }
	js := e.deliveryJobs()
	require.Len(t, js, 1)
	job := js[0]

	job.Attempt = 1
	err := w.Work(context.Background(), job)
	require.Error(t, err, "a 500 is retried")
	var cancel *river.JobCancelError
	require.NotErrorAs(t, err, &cancel)
	require.Equal(t, now.Add(notify.Backoff(1)), w.NextRetry(job), "exponential backoff from 30 s")
	first := <-got

	now = now.Add(notify.Backoff(1))
	job.Attempt = 2
	require.NoError(t, w.Work(context.Background(), job))
	second := <-got

	for _, r := range []received{first, second} {
		require.True(t, verify(r), "signature verifiable with the documented recipe")
		require.Equal(t, "SYNC_FAILING", r.header.Get("X-Itam-Event"))
		var body map[string]any
		require.NoError(t, json.Unmarshal(r.body, &body))
		require.Equal(t, "SYNC_FAILING", body["event"])
		require.Equal(t, "acme", body["organization"])
	}
	require.Equal(t, first.header.Get("X-Itam-Delivery"), second.header.Get("X-Itam-Delivery"), "one delivery id across attempts")
	require.NotEqual(t, first.header.Get("X-Itam-Timestamp"), second.header.Get("X-Itam-Timestamp"), "each attempt signed when sent")

	as := e.attempts(e.orgA)
	require.Len(t, as, 2)
	require.Equal(t, 1, as[0].Attempt)
	require.Equal(t, "RETRYING", as[0].State)
	require.Equal(t, 500, *as[0].StatusCode)
	require.NotNil(t, as[0].NextRetry)
	require.Equal(t, 2, as[1].Attempt)
	require.Equal(t, "SUCCEEDED", as[1].State)
	require.Equal(t, 200, *as[1].StatusCode)
	require.Nil(t, as[1].Error)

	var dump string
	require.NoError(t, e.owner.QueryRow(context.Background(), `SELECT coalesce(string_agg(d::text, ' '), '') FROM webhook_deliveries d`).Scan(&dump))
	require.NotContains(t, dump, hookSecret)
	require.NotContains(t, e.logs.String(), hookSecret)
}

// A delivery failing past the 24-hour window is given up and recorded
// FAILED; a 410 ends it at once.
func TestDeliveryGivesUpAfterTheWindow(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	srv, got := receiver(t, http.StatusServiceUnavailable, http.StatusGone)
	e.subscribe(e.orgA, srv.URL, notify.FormatSlack)
	e.failingSync(e.orgA, "Jamf")
	w := NewDeliverWorker(e.deps.Webhooks, e.deps.Egress, e.deps.Log)
	start := time.Now()
	w.Now = func() time.Time { return start }
	job := e.deliveryJobs()[0]
	job.Attempt = 1
	require.Error(t, w.Work(context.Background(), job))
	var body map[string]string
	require.NoError(t, json.Unmarshal((<-got).body, &body))
	require.Contains(t, body["text"], "Sync failing: Jamf", "Slack's {\"text\"} shape")

	w.Now = func() time.Time { return start.Add(notify.RetryWindow - time.Minute) }
	job.Attempt = 9
	err := w.Work(context.Background(), job)
	var cancel *river.JobCancelError
	require.ErrorAs(t, err, &cancel, "410 Gone ends the delivery")
	<-got
	as := e.attempts(e.orgA)
	require.Equal(t, "FAILED", as[len(as)-1].State)

	srv2, got2 := receiver(t, http.StatusBadGateway)
	e.subscribe(e.orgB, srv2.URL, notify.FormatTeams)
	e.failingSync(e.orgB, "Intune")
	js := e.deliveryJobs()
	job = js[len(js)-1]
	require.Equal(t, e.orgB, job.Args.OrgID)
	job.Attempt = 1
	w.Now = func() time.Time { return start }
	require.Error(t, w.Work(context.Background(), job))
	<-got2
	w.Now = func() time.Time { return start.Add(notify.RetryWindow) }
	job.Attempt = 2
	require.ErrorAs(t, w.Work(context.Background(), job), &cancel, "no retry past 24 h after the first attempt")
	<-got2
	as = e.attempts(e.orgB)
	require.Len(t, as, 2)
	require.Equal(t, "FAILED", as[1].State)
	require.Nil(t, as[1].NextRetry)
}

// A notification recorded while no worker runs is delivered, once, by a
// client started afterwards: the job was committed with the notification.
func TestDeliveryQueuedWhileNoServerRuns(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	srv, got := receiver(t, http.StatusNoContent)
	e.subscribe(e.orgA, srv.URL, notify.FormatJSON)
	e.failingSync(e.orgA, "Jamf") // committed with its job; nothing works jobs yet
	require.Empty(t, got)
	require.Empty(t, e.attempts(e.orgA))

	c, err := NewClient(Deps{DB: e.deps.DB, Log: e.deps.Log, Egress: e.deps.Egress, Webhooks: e.deps.Webhooks}, Options{Workers: true, NoSync: true})
	require.NoError(t, err)
	done, cancelSub := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	defer cancelSub()
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, c.Start(ctx))
	t.Cleanup(func() {
		sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		_ = c.Stop(sctx)
		cancel()
	})
	select {
	case ev := <-done:
		require.Equal(t, river.EventKindJobCompleted, ev.Kind, "%+v", ev.Job)
		require.Equal(t, "notify.deliver", ev.Job.Kind)
	case <-time.After(time.Minute):
		t.Fatal("the queued delivery was not worked")
	}
	r := <-got
	require.True(t, verify(r))
	require.Empty(t, got, "delivered exactly once")
	as := e.attempts(e.orgA)
	require.Len(t, as, 1)
	require.Equal(t, "SUCCEEDED", as[0].State)
	require.Empty(t, e.attempts(e.orgB), "org A's event never goes to org B")
}

// The egress guard applies at delivery, on the address dialled: a hook
// saved while its address was allowed is refused once the policy (or the
// name's address, DNS rebinding) no longer allows it, and a redirect is
// never followed, so it cannot lead to a private address.
func TestDeliveryIsGuardedAtDialTime(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(target.Close)
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/metadata", http.StatusFound)
	}))
	t.Cleanup(redirect.Close)
	e.subscribe(e.orgA, target.URL, notify.FormatJSON)
	e.subscribe(e.orgB, redirect.URL, notify.FormatJSON)
	e.failingSync(e.orgA, "Jamf")
	e.failingSync(e.orgB, "Jamf")
	js := e.deliveryJobs()
	require.Len(t, js, 2)

	// The production policy: loopback refused when dialled.
	strict := NewDeliverWorker(e.deps.Webhooks, connectors.Egress{}, e.deps.Log)
	js[0].Attempt = 1
	require.Error(t, strict.Work(context.Background(), js[0]))
	require.Zero(t, hits.Load(), "nothing reached the refused address")
	as := e.attempts(e.orgA)
	require.Len(t, as, 1)
	require.Nil(t, as[0].StatusCode)
	require.Contains(t, *as[0].Error, "not allowed")
	require.NotContains(t, *as[0].Error, "127.0.0.1", "the error names no address")

	loose := NewDeliverWorker(e.deps.Webhooks, e.deps.Egress, e.deps.Log)
	js[1].Attempt = 1
	require.Error(t, loose.Work(context.Background(), js[1]))
	require.Zero(t, hits.Load(), "the redirect was not followed")
	as = e.attempts(e.orgB)
	require.Len(t, as, 1)
	require.Equal(t, http.StatusFound, *as[0].StatusCode)
	require.Contains(t, *as[0].Error, "redirects are not followed")
}

// The server stops between a failed attempt and its retry: the retry is a
// River job in the database, not a timer in the process, so the next
// server (a new client on the same database) sends it. Nothing is lost and
// nothing is sent twice; both attempts carry the same delivery id.
func TestDeliveryRetryOutlivesAStoppedServer(t *testing.T) {
	t.Parallel()
	e := newHookEnv(t)
	srv, got := receiver(t, http.StatusInternalServerError, http.StatusNoContent)
	e.subscribe(e.orgA, srv.URL, notify.FormatJSON)
	e.failingSync(e.orgA, "Jamf")

	// serve runs a server's job client until the delivery job reaches one
	// of the event kinds, then stops it (waiting for it to stop).
	serve := func(want river.EventKind) {
		t.Helper()
		c, err := NewClient(Deps{DB: e.deps.DB, Log: e.deps.Log, Egress: e.deps.Egress, Webhooks: e.deps.Webhooks}, Options{Workers: true, NoSync: true})
		require.NoError(t, err)
		events, cancelSub := c.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
		defer cancelSub()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		require.NoError(t, c.Start(ctx))
		select {
		case ev := <-events:
			require.Equal(t, want, ev.Kind, "%+v", ev.Job)
			require.Equal(t, "notify.deliver", ev.Job.Kind)
		case <-time.After(time.Minute):
			t.Fatal("the delivery was not worked")
		}
		sctx, stop := context.WithTimeout(context.Background(), 10*time.Second)
		defer stop()
		require.NoError(t, c.Stop(sctx))
	}

	serve(river.EventKindJobFailed) // the receiver answers 500; the server stops
	as := e.attempts(e.orgA)
	require.Len(t, as, 1)
	require.Equal(t, "RETRYING", as[0].State)
	// The backoff (30 s) passes while no server runs.
	_, err := e.owner.Exec(context.Background(), `UPDATE river_job SET scheduled_at = now() WHERE kind = 'notify.deliver' AND state = 'retryable'`)
	require.NoError(t, err)

	serve(river.EventKindJobCompleted) // a new server sends the retry
	first, second := <-got, <-got
	require.Empty(t, got, "sent twice in all, once per attempt")
	require.True(t, verify(first) && verify(second))
	require.Equal(t, first.header.Get("X-Itam-Delivery"), second.header.Get("X-Itam-Delivery"), "one delivery, two attempts")
	as = e.attempts(e.orgA)
	require.Len(t, as, 2)
	require.Equal(t, "SUCCEEDED", as[1].State)
}
