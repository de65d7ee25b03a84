package syncjob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/reconcile"
	"github.com/itam-dev/itam/internal/redact"
)

// pushWorkers bounds concurrent push jobs per process. A job spends its
// time waiting: on its batch (push_batch.go), on the vendor, on River's
// snooze; its database work is three short statements, so fifty share the
// pool without exhausting it. What reaches the vendor is bounded apart:
// a vendor that batches (ServiceNow) gets up to pushWorkers records per
// request, the others at most singlePushes requests at once.
const pushWorkers = 50

// pushTimeout bounds one push attempt (a token and one or two requests).
const pushTimeout = time.Minute

// Pushers builds the writer for a connector: production asks the vendor
// registry for a Source that is also a connectors.Pusher.
type Pushers func(kind connectors.Kind, cfg connectors.Config) (connectors.Pusher, error)

// vendorPushers is the production Pushers.
func vendorPushers(kind connectors.Kind, cfg connectors.Config) (connectors.Pusher, error) {
	src, err := connectors.New(kind, cfg)
	if err != nil {
		return nil, err
	}
	p, ok := src.(connectors.Pusher)
	if !ok {
		return nil, errCannotPush
	}
	return p, nil
}

var errCannotPush = errors.New("this connector's vendor cannot write records back")

// PushWorker writes one asset's opted-in fields to its record at one ITSM
// connector (jobs.PushArgs): it sends only the fields whose values differ
// from what the record is believed to hold, so a retried or folded job
// pushes nothing twice and a value pulled from the ITSM is not sent back.
type PushWorker struct {
	river.WorkerDefaults[jobs.PushArgs]
	d     Deps
	store *postgres.PushStore

	once    sync.Once
	batches *pushBatcher
	singles chan struct{} // a slot per unbatched vendor request under way
}

// singlePushes bounds the pushes sent one record per request (vendors
// without a batch API, record creations) per process: their vendors limit
// requests per instance, and a burst of changes is better spread than
// thrown at them fifty at a time.
const singlePushes = 3

func (w *PushWorker) init() {
	w.once.Do(func() {
		if w.batches == nil {
			w.batches = newPushBatcher(pushWindow, pushWorkers)
		}
		w.singles = make(chan struct{}, singlePushes)
	})
}

// batcher is the worker's pushBatcher, made on first use.
func (w *PushWorker) batcher() *pushBatcher {
	w.init()
	return w.batches
}

// oneAtATime waits for a slot among singlePushes and returns its release.
func (w *PushWorker) oneAtATime(ctx context.Context) (func(), error) {
	w.init()
	select {
	case w.singles <- struct{}{}:
		return func() { <-w.singles }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Timeout bounds one attempt.
func (w *PushWorker) Timeout(*river.Job[jobs.PushArgs]) time.Duration { return pushTimeout }

// Work pushes, or creates the record when the asset is unlinked and the
// connector creates records.
func (w *PushWorker) Work(ctx context.Context, job *river.Job[jobs.PushArgs]) error {
	a := job.Args
	wctx := withPrincipalOf(ctx, worker(a.OrgID, "connector:"+a.ConnectorID.String(), itam.ActorConnector))
	sc, err := w.d.Connectors.ConnectorSecrets(wctx, a.ConnectorID)
	if itam.ErrorCode(err) == itam.CodeNotFound {
		return nil // deleted since: nothing to write to
	}
	if err != nil {
		return err
	}
	c := sc.Connector
	if !c.Enabled || len(c.PushFields) == 0 && !c.PushCreate {
		return nil
	}
	t, err := w.store.PushTarget(wctx, c.ID, a.AssetID)
	if itam.ErrorCode(err) == itam.CodeNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	cur := t.Values()
	fields := reconcile.ChangedFields(c.PushFields, cur, t.Known)
	create := t.ExternalID == ""
	switch {
	case create && !c.PushCreate:
		return nil
	case create:
		fields = c.PushFields // a new record gets every opted field
	case len(fields) == 0:
		return nil // the record already holds these values
	}
	rec := pushRecord(t, fields)
	var createdID string
	pusher, err := w.pusher(sc)
	bp, batches := pusher.(connectors.BatchPusher)
	switch {
	case err != nil:
	case !create && batches:
		// With the other jobs of this connector running now: one
		// request for them all, this record's own result.
		err = w.batcher().push(ctx, c.ID.String()+"/"+strconv.Itoa(c.Version), bp, rec)
	default:
		// One request per record: as few at once as before batching.
		release, aerr := w.oneAtATime(ctx)
		if aerr != nil {
			return aerr
		}
		if create {
			createdID, err = pusher.CreateRecord(ctx, rec)
			if err == nil && createdID == "" {
				err = errors.New("the vendor created the record but returned no id")
			}
		} else {
			err = pusher.PushRecord(ctx, rec)
		}
		release()
	}
	if err != nil {
		return w.pushError(wctx, job, fields, sc.Credentials, err)
	}
	pushed := reconcile.PushValues{}
	for _, k := range reconcile.PushValueKeys {
		for _, f := range fields {
			if reconcile.PushFieldOf(k) == f {
				pushed[k] = cur[k]
			}
		}
	}
	saved, err := w.store.SavePushed(wctx, c, t.AssetID, pushed, createdID)
	if err != nil {
		return err
	}
	if saved.Version != t.Version {
		// Changed while this push ran: its own job was folded into this
		// running one, so run again with the newer values.
		return river.JobSnooze(0)
	}
	return nil
}

func (w *PushWorker) pusher(sc *itam.ConnectorSecrets) (connectors.Pusher, error) {
	kind, cfg := connectorcheck.VendorConfig(sc)
	cfg.Logger, cfg.Egress = w.d.Log, w.d.Egress
	build := w.d.Pushers
	if build == nil {
		build = vendorPushers
	}
	return build(kind, cfg)
}

// pushError decides what a failed push means: refused by the vendor (or
// by its permissions, or impossible with this configuration) is recorded
// on the asset and the connector and not retried; a rate limit waits as
// told; anything else is retried by River with backoff.
func (w *PushWorker) pushError(ctx context.Context, job *river.Job[jobs.PushArgs], fields []string, creds map[string]string, err error) error {
	a := job.Args
	var refused *connectors.PushRefusedError
	var forbidden *connectors.ForbiddenError
	var rl *connectors.RateLimitError
	var ce *connectors.ConfigError
	status, msg := 0, ""
	switch {
	case errors.As(err, &rl):
		return river.JobSnooze(rl.RetryAfter)
	case errors.As(err, &refused):
		status, msg = refused.Status, refused.Message
	case errors.As(err, &forbidden):
		status, msg = http.StatusForbidden, forbidden.Error()
	case errors.Is(err, connectors.ErrUnauthorized):
		status, msg = http.StatusUnauthorized, "the vendor refused the connector's credentials"
	case errors.As(err, &ce), errors.Is(err, errCannotPush):
		msg = err.Error()
	default:
		if job.Attempt < job.MaxAttempts {
			return err
		}
		msg = fmt.Sprintf("giving up after %d attempts: %v", job.Attempt, err)
	}
	// Shown to users: never with a credential, whatever the vendor echoed.
	msg = redact.Secrets(msg, creds)
	if rerr := w.store.RecordPushError(ctx, a.ConnectorID, a.AssetID, fields, msg, status); rerr != nil {
		return rerr
	}
	w.d.Log.WarnContext(ctx, "connector push refused", "connector", a.ConnectorID, "asset", a.AssetID, "status", status)
	return river.JobCancel(err)
}

// pushRecord is what the vendor gets for t.
func pushRecord(t *postgres.PushTarget, fields []string) connectors.PushRecord {
	r := connectors.PushRecord{ExternalID: t.ExternalID, AssetTag: t.AssetTag, SerialNumber: t.SerialNumber, Name: t.Name,
		Manufacturer: t.Manufacturer, Model: t.Model, Status: t.Status, AssigneeEmail: t.AssigneeEmail, AssigneeName: t.AssigneeName,
		Location: t.Location, PurchaseDate: t.PurchaseDate, PurchasePrice: t.PurchasePrice, PurchaseCurrency: t.PurchaseCurrency,
		OrderNumber: t.OrderNumber, WarrantyEnd: t.WarrantyEnd}
	for _, f := range fields {
		r.Fields = append(r.Fields, connectors.PushField(f))
	}
	return r
}
