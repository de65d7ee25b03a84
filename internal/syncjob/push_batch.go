package syncjob

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// pushWindow is how long the first push of a batch waits for others of the
// same connector before the batch is sent: push jobs of a burst of changes
// start within milliseconds of each other, and a vendor limiting requests
// per second is better sent one request for fifty records than fifty.
const pushWindow = 100 * time.Millisecond

// pushBatcher gathers the updates of push jobs running at the same time
// for the same connector (and the same connector version: credentials and
// options alike) into one connectors.BatchPusher call, and hands each job
// its own record's result. In-process only: jobs of other processes make
// batches of their own.
type pushBatcher struct {
	window time.Duration
	// limit bounds a batch besides the vendor's MaxBatch: more records
	// than the push queue has workers never wait together.
	limit int
	// after is the window's timer (time.After; tests inject a gate).
	after func(time.Duration) <-chan time.Time

	// joined, when set (tests), is told the size of a batch a job joined.
	joined func(n int)

	mu   sync.Mutex
	open map[string]*pushBatch
	// pushers keeps the first pusher of each key: later batches reuse it,
	// so its OAuth token serves them all instead of one token per batch.
	pushers map[string]connectors.BatchPusher
}

// maxPushers bounds pushers; past it the map starts afresh.
const maxPushers = 256

// pushBatch is one batch being filled, then sent by the job that opened it.
type pushBatch struct {
	pusher connectors.BatchPusher
	max    int
	recs   []connectors.PushRecord
	full   chan struct{} // closed when max records joined
	done   chan struct{} // closed when errs is set
	errs   []error
}

func newPushBatcher(window time.Duration, limit int) *pushBatcher {
	return &pushBatcher{window: window, limit: limit, after: time.After, open: map[string]*pushBatch{},
		pushers: map[string]connectors.BatchPusher{}}
}

// push adds r to the open batch of key (opening one with p when there is
// none) and returns r's result once the batch is sent. The job that opens a
// batch sends it when it is full or its window has passed, with a context
// of its own: the others wait on that request, so one job's end must not
// cancel it. A job whose context ends first returns without its result;
// its retry finds what the batch wrote (pushes are idempotent).
func (b *pushBatcher) push(ctx context.Context, key string, p connectors.BatchPusher, r connectors.PushRecord) error {
	b.mu.Lock()
	pb := b.open[key]
	opener := pb == nil
	if opener {
		if prev, ok := b.pushers[key]; ok {
			p = prev
		} else {
			if len(b.pushers) >= maxPushers {
				clear(b.pushers)
			}
			b.pushers[key] = p
		}
		pb = &pushBatch{pusher: p, max: max(1, min(p.MaxBatch(), b.limit)), full: make(chan struct{}), done: make(chan struct{})}
		b.open[key] = pb
	}
	i := len(pb.recs)
	pb.recs = append(pb.recs, r)
	if b.joined != nil {
		b.joined(len(pb.recs))
	}
	if len(pb.recs) >= pb.max {
		delete(b.open, key) // later jobs open the next batch
		close(pb.full)
	}
	b.mu.Unlock()
	if opener {
		b.send(ctx, key, pb)
	}
	select {
	case <-pb.done:
		return pb.errs[i]
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *pushBatcher) send(ctx context.Context, key string, pb *pushBatch) {
	select {
	case <-pb.full:
	case <-b.after(b.window):
	}
	b.mu.Lock()
	if b.open[key] == pb {
		delete(b.open, key)
	}
	recs := pb.recs // no job joins a batch no longer open
	b.mu.Unlock()
	defer func() {
		if pb.errs == nil { // PushRecords panicked: the others must not wait on it
			pb.errs = make([]error, len(recs))
			for i := range pb.errs {
				pb.errs[i] = errBatchFailed
			}
		}
		close(pb.done)
	}()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pushTimeout)
	defer cancel()
	errs := pb.pusher.PushRecords(sctx, recs)
	if len(errs) != len(recs) {
		// A vendor answering for the wrong number of records: none can be
		// trusted as written.
		errs = make([]error, len(recs))
		for i := range errs {
			errs[i] = errBatchResults
		}
	}
	pb.errs = errs
}

var (
	errBatchResults = errors.New("the vendor's batch answered for a different number of records than it was sent")
	errBatchFailed  = errors.New("the batch this push joined failed before the vendor answered")
)
