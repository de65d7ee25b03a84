package syncjob

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/postgres"
)

// SyncWorker runs one sync: it resumes from the run's committed cursor,
// applies each page in its own transaction, and ends the run together with
// its job. An attempt works for one time slice and then requeues itself
// from its cursor, so no attempt outlives River's rescue delay: a worker
// killed outright is rescued, and its sync resumed elsewhere, within
// minutes. Vendor rate limits snooze the job; refused credentials and
// unknown devices fail the run at once; anything else is retried by River
// and resumes where it stopped.
type SyncWorker struct {
	river.WorkerDefaults[jobs.SyncArgs]
	d Deps
	// slice is how long an attempt applies pages before it requeues itself;
	// timeout bounds an attempt, between the slice and River's rescue delay.
	slice, timeout time.Duration
}

// Timeout bounds one attempt. It is shorter than River's rescue delay, so
// an attempt still running when the rescuer looks is one whose process died.
func (w *SyncWorker) Timeout(*river.Job[jobs.SyncArgs]) time.Duration { return w.timeout }

// errDeviceNotFound is why a targeted sync of a device the vendor does not
// know fails: retrying cannot make it appear.
var errDeviceNotFound = errors.New("device not found at the vendor")

// Work runs one attempt of the sync.
func (w *SyncWorker) Work(ctx context.Context, job *river.Job[jobs.SyncArgs]) (err error) {
	started := time.Now()
	a := job.Args
	defer func() { err = w.afterAttempt(ctx, job, err) }()
	sctx := withPrincipalOf(ctx, worker(a.OrgID, "connector:"+a.ConnectorID.String(), itam.ActorConnector))
	run, err := w.d.Connectors.RunForWorker(sctx, a.RunID)
	if err != nil {
		return err
	}
	if run.Status == itam.SyncCancelled || run.FinishedAt != nil {
		return nil
	}
	sc, err := w.d.Connectors.ConnectorSecrets(sctx, a.ConnectorID)
	if err != nil {
		return w.fail(sctx, job, fmt.Sprintf("loading the connector: %v", err), err)
	}
	// History names the connector by its name; provenance by kind and id.
	sctx = withPrincipalOf(ctx, worker(a.OrgID, sc.Connector.Name, itam.ActorConnector))
	kind, cfg := connectorcheck.VendorConfig(sc)
	cfg.Logger, cfg.Egress = w.d.Log, w.d.Egress
	src, err := connectors.New(kind, cfg)
	if err != nil {
		return w.fail(sctx, job, err.Error(), err)
	}
	run, err = w.d.Sync.StartRun(sctx, a.RunID)
	if err != nil {
		return err
	}
	target := postgres.SyncTarget{Connector: sc.Connector, RunID: a.RunID}

	if id := run.TargetExternalID; id != nil {
		dev, err := src.FetchDevice(sctx, *id)
		if vendorhttp.IsNotFound(err) || err == nil && dev == nil {
			return w.fail(sctx, job, fmt.Sprintf("device %q not found at the vendor", *id), errDeviceNotFound)
		}
		if err != nil {
			return w.vendorError(sctx, job, err)
		}
		if _, err := w.d.Sync.ApplyPage(sctx, target, []connectors.Device{*dev}, ""); err != nil {
			return w.pageError(sctx, a.RunID, err)
		}
		return w.finish(sctx, job)
	}

	req := connectors.PageRequest{Mode: connectors.Mode(run.Mode)}
	if run.Mode == itam.SyncIncremental {
		// SyncConnector fixed the run's lower bound when it queued it.
		if req.Since = run.Since; req.Since == nil {
			req.Mode = connectors.Full // nothing to be incremental from
		}
	}
	people, hasPeople := src.(connectors.PeopleSource)
	var stored string
	if run.Cursor != nil {
		stored = *run.Cursor
	}
	pos := parseCursor(stored, hasPeople)
	if pos.people {
		// The directory first, so the devices' assignees resolve against it.
		if done, err := w.syncPeople(sctx, job, people, target, req, pos.cursor, started); err != nil || !done {
			return err
		}
		pos = runCursor{}
	}
	req.Cursor = pos.cursor
	// The next page is fetched (and decoded) while this one is applied: the
	// vendor and the database work at the same time. Only the committed
	// cursor counts, so a crash still resumes after the last applied page.
	type fetched struct {
		page connectors.Page
		err  error
	}
	fctx, stopFetch := context.WithCancel(sctx)
	defer stopFetch()
	fetch := func(req connectors.PageRequest) <-chan fetched {
		ch := make(chan fetched, 1)
		go func() {
			p, err := src.FetchPage(fctx, req)
			ch <- fetched{p, err}
		}()
		return ch
	}
	next := fetch(req)
	for {
		f := <-next
		if f.err != nil {
			return w.vendorError(sctx, job, f.err)
		}
		page := f.page
		// When the slice is over, this page is the attempt's last: nothing
		// is fetched ahead that the next attempt would fetch again.
		sliceOver := time.Since(started) >= w.slice
		if !page.Done && !sliceOver {
			req.Cursor = page.NextCursor
			next = fetch(req)
		}
		if _, err := w.d.Sync.ApplyPage(sctx, target, page.Devices, deviceCursor(page.NextCursor, hasPeople)); err != nil {
			return w.pageError(sctx, a.RunID, err)
		}
		if page.Done {
			break
		}
		if sliceOver {
			// The job goes back to the queue (a snooze costs no attempt)
			// and the next attempt, here or on another worker, resumes
			// after the page just committed.
			return river.JobSnooze(0)
		}
	}
	if req.Mode == connectors.Full {
		if _, err := w.d.Sync.MarkMissing(sctx, target, missingAfterFullSyncs(src)); err != nil {
			return err
		}
	}
	return w.finish(sctx, job)
}

// missingAfterFullSyncs is how many consecutive full syncs must miss a
// device before it is marked missing: offset paging can skip a device when
// records shift mid-run, so such a source needs two misses in a row.
func missingAfterFullSyncs(src connectors.Source) int {
	if op, ok := src.(connectors.OffsetPaging); ok && op.OffsetPaging() {
		return 2
	}
	return 1
}

// finish ends the run SUCCEEDED (PARTIAL with record errors) and completes
// its job in the same transaction.
func (w *SyncWorker) finish(ctx context.Context, job *river.Job[jobs.SyncArgs]) error {
	run, err := w.d.Connectors.RunForWorker(ctx, job.Args.RunID)
	if err != nil {
		return err
	}
	status := itam.SyncSucceeded
	if run.ErrorCount > 0 {
		status = itam.SyncPartial
	}
	return w.end(ctx, job, status, "", rivertype.JobStateCompleted, nil)
}

// fail ends the run FAILED and cancels the job: retrying cannot help.
func (w *SyncWorker) fail(ctx context.Context, job *river.Job[jobs.SyncArgs], message string, cause error) error {
	if err := w.end(ctx, job, itam.SyncFailed, message, rivertype.JobStateCancelled, cause); err != nil {
		return err
	}
	return river.JobCancel(cause)
}

// end ends the run and, in the same transaction, its job (see endJobTx).
func (w *SyncWorker) end(ctx context.Context, job *river.Job[jobs.SyncArgs], status itam.SyncStatus, message string, state rivertype.JobState, cause error) error {
	_, err := w.d.Connectors.FinishRunTx(ctx, job.Args.RunID, status, message, endJobTx(ctx, job, state, cause))
	return err
}

// afterAttempt ends the run when the attempt's error ends the job: a cancel
// from the River UI or API (river.ErrJobCancelledRemotely) or the last
// attempt failing. Everything else leaves the run to the next attempt.
func (w *SyncWorker) afterAttempt(ctx context.Context, job *river.Job[jobs.SyncArgs], err error) error {
	var snooze *rivertype.JobSnoozeError
	var cancel *rivertype.JobCancelError
	if err == nil || errors.As(err, &snooze) || errors.As(err, &cancel) {
		return err
	}
	a := job.Args
	// The attempt's context may be cancelled; the run must end anyway.
	ectx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer done()
	ectx = withPrincipalOf(ectx, worker(a.OrgID, "connector:"+a.ConnectorID.String(), itam.ActorConnector))
	var endErr error
	switch {
	case errors.Is(context.Cause(ctx), river.ErrJobCancelledRemotely):
		endErr = w.end(ectx, job, itam.SyncCancelled, "the sync job was cancelled in the job queue", rivertype.JobStateCancelled, river.ErrJobCancelledRemotely)
	case job.Attempt >= job.MaxAttempts:
		endErr = w.end(ectx, job, itam.SyncFailed, fmt.Sprintf("giving up after %d attempts: %v", job.Attempt, err), rivertype.JobStateDiscarded, err)
	}
	if endErr != nil {
		w.d.Log.ErrorContext(ctx, "sync: ending the run", "run", a.RunID, "err", endErr)
	}
	return err
}

func (w *SyncWorker) pageError(ctx context.Context, runID uuid.UUID, err error) error {
	if errors.Is(err, postgres.ErrRunCancelled) {
		return nil
	}
	_ = w.d.Connectors.RecordAttemptError(ctx, runID, "applying a page: "+err.Error())
	return err
}

// vendorError decides what a vendor failure means for the job.
func (w *SyncWorker) vendorError(ctx context.Context, job *river.Job[jobs.SyncArgs], err error) error {
	runID := job.Args.RunID
	var rl *connectors.RateLimitError
	var ce *connectors.ConfigError
	var blocked *connectors.BlockedAddressError
	var tooLarge *connectors.TooLargeError
	var forbidden *connectors.ForbiddenError
	switch {
	case errors.As(err, &rl):
		_ = w.d.Connectors.RecordAttemptError(ctx, runID, fmt.Sprintf("rate limited by the vendor; resuming in %s", rl.RetryAfter.Round(time.Second)))
		return river.JobSnooze(rl.RetryAfter)
	case errors.Is(err, connectors.ErrUnauthorized):
		return w.fail(ctx, job, "the vendor refused the credentials: check them and sync again ("+err.Error()+")", err)
	case errors.As(err, &forbidden):
		// Valid credentials lacking a privilege: retrying cannot help, and
		// the message says which privilege to grant the API account.
		return w.fail(ctx, job, forbidden.Error(), err)
	case errors.As(err, &ce):
		return w.fail(ctx, job, "connector configuration: "+ce.Error(), err)
	// The egress policy and the response cap answer the same on every
	// retry: fail the run once, saying what to change.
	case errors.As(err, &blocked):
		return w.fail(ctx, job, blocked.Error(), err)
	case errors.As(err, &tooLarge):
		return w.fail(ctx, job, tooLarge.Error()+" (ITAM_CONNECTOR_MAX_RESPONSE_BYTES)", err)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return err
	}
	if job.Attempt >= job.MaxAttempts {
		return w.fail(ctx, job, "giving up after "+fmt.Sprint(job.Attempt)+" attempts: "+err.Error(), err)
	}
	_ = w.d.Connectors.RecordAttemptError(ctx, runID, fmt.Sprintf("attempt %d failed, will retry: %v", job.Attempt, err))
	return err
}
