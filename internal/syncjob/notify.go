package syncjob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/notify"
	"github.com/itam-dev/itam/internal/postgres"
)

// DefaultNotifyScanEvery is how often the leader looks for what is due:
// hourly, so a notification follows a change within the hour while the
// scan, a handful of indexed queries per organization, stays cheap.
const DefaultNotifyScanEvery = time.Hour

// webhookWorkers bounds concurrent webhook deliveries per process.
const webhookWorkers = 4

// ScanNotificationsWorker records the notifications that are due in every
// organization (postgres.NotificationStore.ScanAll).
type ScanNotificationsWorker struct {
	river.WorkerDefaults[jobs.ScanNotificationsArgs]
	store *postgres.NotificationStore
	log   *slog.Logger
	now   func() time.Time
}

// Timeout bounds one pass.
func (w *ScanNotificationsWorker) Timeout(*river.Job[jobs.ScanNotificationsArgs]) time.Duration {
	return quickJobTimeout
}

// Work scans every organization.
func (w *ScanNotificationsWorker) Work(ctx context.Context, _ *river.Job[jobs.ScanNotificationsArgs]) error {
	n, err := w.store.ScanAll(ctx, w.now().UTC())
	if n > 0 {
		w.log.InfoContext(ctx, "recorded notifications", "count", n)
	}
	return err
}

// DeliverWorker posts one notification to one webhook, signed, and
// records the attempt; failures are retried with exponential backoff
// (Schedule) for notify.RetryWindow after the first attempt.
type DeliverWorker struct {
	river.WorkerDefaults[jobs.DeliverWebhookArgs]
	Store *postgres.WebhookStore
	Log   *slog.Logger
	// Schedule is the backoff between attempts (notify.Backoff; tests
	// shorten it).
	Schedule notify.RetrySchedule
	// Now is the clock signatures and the retry window read.
	Now    func() time.Time
	client *http.Client
}

// NewDeliverWorker returns a DeliverWorker whose requests go through the
// egress guard of e: every address dialled, after DNS, must be public or
// allowed, so a hook whose name later resolves to a private address (DNS
// rebinding) is refused at delivery. Redirects are not followed: a
// receiver that moved must be updated, not chased.
func NewDeliverWorker(store *postgres.WebhookStore, e connectors.Egress, log *slog.Logger) *DeliverWorker {
	c := vendorhttp.NewTransport(e).Client(notify.DeliveryTimeout)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &DeliverWorker{Store: store, Log: log, Schedule: notify.Backoff, Now: time.Now, client: c}
}

// Timeout leaves the request its own timeout plus time to record it.
func (w *DeliverWorker) Timeout(*river.Job[jobs.DeliverWebhookArgs]) time.Duration {
	return notify.DeliveryTimeout + 20*time.Second
}

// NextRetry applies the schedule to the attempt that just failed.
func (w *DeliverWorker) NextRetry(job *river.Job[jobs.DeliverWebhookArgs]) time.Time {
	return w.Now().Add(w.Schedule(job.Attempt))
}

// Work delivers and records one attempt. A subscription or notification
// that is gone, or a subscription switched off, ends the delivery (a test
// ping goes to inactive subscriptions too).
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[jobs.DeliverWebhookArgs]) error {
	ctx = withPrincipalOf(ctx, worker(job.Args.OrgID, "webhooks", itam.ActorSystem))
	t, err := w.Store.Target(ctx, job.Args)
	if itam.ErrorCode(err) == itam.CodeNotFound {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if !t.Subscription.Active && t.Notification != nil {
		return river.JobCancel(errors.New("the subscription was switched off"))
	}
	now := w.Now()
	msg := notify.Message{DeliveryID: notify.NewDeliveryID(job.ID), Organization: t.Organization, Notification: t.Notification, SentAt: now}
	body, err := notify.Body(t.Subscription.Format, msg)
	if err != nil {
		return river.JobCancel(err)
	}
	// failure is "" only for a 2xx answer (post), so every other outcome
	// below has a sentence to record and to return.
	status, failure, took := w.post(ctx, t, msg, body, now)
	rec := postgres.Attempt{Job: job.Args, JobID: job.ID, Event: msg.Event(), Attempt: job.Attempt, Error: failure, Duration: took, At: now}
	if status > 0 {
		rec.StatusCode = &status
	}
	first, err := w.Store.FirstAttemptAt(ctx, job.ID, now)
	if err != nil {
		return err
	}
	var result error
	switch {
	case failure == "" && notify.Succeeded(status):
		rec.State = notify.DeliverySucceeded
	case status > 0 && !notify.Retryable(status):
		rec.State, result = notify.DeliveryFailed, river.JobCancel(fmt.Errorf("receiver answered %d: not retried", status))
	default:
		next, ok := w.Schedule.NextRetry(job.Attempt, first, now)
		if !ok {
			rec.State, result = notify.DeliveryFailed, river.JobCancel(fmt.Errorf("gave up after %d attempts over %s", job.Attempt, notify.RetryWindow))
		} else {
			rec.State, rec.NextRetryAt = notify.DeliveryRetrying, &next
			result = fmt.Errorf("delivery attempt %d failed: %s", job.Attempt, failure)
		}
	}
	if err := w.Store.RecordAttempt(ctx, rec); err != nil {
		return err
	}
	return result
}

// post sends the signed request; it returns the answer's status (0 when
// there was none) and, for a failure, a text safe to store: never the URL
// (Slack and Teams URLs are credentials themselves) nor the secret.
func (w *DeliverWorker) post(ctx context.Context, t *postgres.DeliveryTarget, msg notify.Message, body []byte, now time.Time) (int, string, time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, notify.DeliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Subscription.URL, bytes.NewReader(body))
	if err != nil {
		return 0, "the subscription's URL cannot be requested", 0
	}
	ts := now.Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "itam-webhooks/1")
	req.Header.Set(notify.HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(notify.HeaderSignature, notify.Sign(t.Secret, ts, body))
	req.Header.Set(notify.HeaderEvent, msg.Event())
	req.Header.Set(notify.HeaderDelivery, msg.DeliveryID)
	start := time.Now()
	resp, err := w.client.Do(req)
	took := time.Since(start)
	if err != nil {
		return 0, classify(err), took
	}
	defer resp.Body.Close()
	// Read a little of the answer so the connection can be reused; its
	// content is the receiver's business and is not stored.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return resp.StatusCode, "the receiver redirected: redirects are not followed, update the subscription's URL", took
	case !notify.Succeeded(resp.StatusCode):
		return resp.StatusCode, "the receiver answered " + strconv.Itoa(resp.StatusCode), took
	}
	return resp.StatusCode, "", took
}

// classify turns a transport error into a fixed sentence.
func classify(err error) string {
	var ne net.Error
	switch {
	case vendorhttp.IsBlocked(err):
		return "the URL resolves to an address that is not allowed: loopback and private targets are refused (ITAM_CONNECTOR_ALLOW_PRIVATE)"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("no answer within %s", notify.DeliveryTimeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	}
	var tooLarge *connectors.TooLargeError
	if errors.As(err, &tooLarge) {
		return "the receiver's answer was too large"
	}
	return "the request failed (connection, DNS or TLS error)"
}

// addNotifyWorkers registers the notification workers d has stores for
// and returns their periodic job (the scan, on the leader only).
func addNotifyWorkers(workers *river.Workers, d Deps, opt Options) []*river.PeriodicJob {
	if d.Webhooks != nil {
		river.AddWorker(workers, NewDeliverWorker(d.Webhooks, d.Egress, d.Log))
	}
	if d.Notifications == nil {
		return nil
	}
	river.AddWorker(workers, &ScanNotificationsWorker{store: d.Notifications, log: d.Log, now: time.Now})
	every := opt.NotifyScanEvery
	if every <= 0 {
		every = DefaultNotifyScanEvery
	}
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(every),
		func() (river.JobArgs, *river.InsertOpts) { return jobs.ScanNotificationsArgs{}, nil }, &river.PeriodicJobOpts{RunOnStart: true})}
}
