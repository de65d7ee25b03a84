package postgres

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/internal/jobs"
)

// Write-back to ITSM connectors is enqueued in the transaction that changes
// the asset, whatever the path (API, import, workflow, another connector's
// sync): the asset_history trigger of migration 00030 fills
// connector_push_outbox, and inTx, before COMMIT, turns this transaction's
// outbox rows into River jobs with InsertManyTx. The trigger raises a
// NOTICE when it queued something, which pgx hands to pushHook.notice while
// reading that statement's reply: a transaction that queued no push pays no
// extra round trip; one that did pays two (take the rows, insert the jobs).

// PushEnqueuer inserts write-back jobs inside the caller's transaction.
// RiverEnqueuer implements it.
type PushEnqueuer interface {
	EnqueuePushesTx(ctx context.Context, tx pgx.Tx, args []jobs.PushArgs) error
}

// EnqueuePushesTx inserts args in tx; River folds each into a pending push
// of the same record (PushArgs' unique options).
func (e RiverEnqueuer) EnqueuePushesTx(ctx context.Context, tx pgx.Tx, args []jobs.PushArgs) error {
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a}
	}
	_, err := e.Client.InsertManyTx(ctx, tx, params)
	return err
}

// pushQueuedNotice is the trigger's NOTICE (migration 00030).
const pushQueuedNotice = "itam: connector pushes queued"

// pushHook is shared by a DB and its ForJobs copies.
type pushHook struct {
	enq atomic.Pointer[PushEnqueuer]
	// queued holds the connections whose open transaction queued pushes.
	queued sync.Map // *pgconn.PgConn → struct{}
}

// notice is the pool's OnNotice handler.
func (h *pushHook) notice(c *pgconn.PgConn, n *pgconn.Notice) {
	if n.Message == pushQueuedNotice {
		h.queued.Store(c, struct{}{})
	}
}

// SetPushEnqueuer makes every transaction of db (and of its ForJobs
// copies) insert the write-back jobs it queued. Without one (store tests,
// tools) the rows wait in the outbox for the record's next change.
func (db *DB) SetPushEnqueuer(e PushEnqueuer) {
	if db.push != nil {
		db.push.enq.Store(&e)
	}
}

// beginPushes forgets what an earlier, failed transaction on the same
// connection queued.
func (db *DB) beginPushes(tx pgx.Tx) {
	if db.push != nil {
		db.push.queued.Delete(tx.Conn().PgConn())
	}
}

// flushPushes inserts the jobs tx queued, just before it commits.
func (db *DB) flushPushes(ctx context.Context, tx pgx.Tx) error {
	if db.push == nil {
		return nil
	}
	if _, ok := db.push.queued.LoadAndDelete(tx.Conn().PgConn()); !ok {
		return nil
	}
	e := db.push.enq.Load()
	if e == nil {
		return nil
	}
	// Every outbox row this transaction can see: its own, and any an
	// enqueuer-less writer of the same organization left — but not rows
	// another committing transaction is taking (SKIP LOCKED), which would
	// make concurrent writers of one organization wait on each other.
	rows, _ := tx.Query(ctx, `DELETE FROM connector_push_outbox o USING (
			SELECT ctid FROM connector_push_outbox FOR UPDATE SKIP LOCKED) x
		WHERE o.ctid = x.ctid RETURNING o.org_id, o.connector_id, o.asset_id`)
	args, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (jobs.PushArgs, error) {
		var a jobs.PushArgs
		return a, r.Scan(&a.OrgID, &a.ConnectorID, &a.AssetID)
	})
	if err != nil || len(args) == 0 {
		return err
	}
	return (*e).EnqueuePushesTx(ctx, tx, args)
}

var _ PushEnqueuer = RiverEnqueuer{}
