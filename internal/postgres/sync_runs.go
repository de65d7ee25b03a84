package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/redact"
)

// Sync runs: queuing, listing, cancelling and ending them. Runs are
// readable by ADMIN, MANAGER and AUDITOR; queuing and cancelling are ADMIN
// only; the worker's methods are for connector or system principals.

// Enqueuer inserts a sync job inside the caller's transaction, so the run
// row and its job commit or roll back together. The River client implements
// it (RiverEnqueuer). When a sync of the same connector is already queued or
// running it returns ErrSyncAlreadyActive.
type Enqueuer interface {
	EnqueueSyncTx(ctx context.Context, tx pgx.Tx, args jobs.SyncArgs) (jobID int64, err error)
}

// JobCanceller is implemented by Enqueuers that can also cancel a queued or
// running job in the caller's transaction; CancelSyncRun uses it when
// available so a cancelled run frees its connector at once.
type JobCanceller interface {
	CancelJobTx(ctx context.Context, tx pgx.Tx, jobID int64) error
}

// ErrSyncAlreadyActive is what an Enqueuer returns when the connector
// already has a sync queued or running (River skipped the unique job).
var ErrSyncAlreadyActive = errors.New("a sync of this connector is already queued or running")

// RiverEnqueuer adapts a River client (insert-only or working) to Enqueuer.
type RiverEnqueuer struct{ Client *river.Client[pgx.Tx] }

var (
	_ Enqueuer     = RiverEnqueuer{}
	_ JobCanceller = RiverEnqueuer{}
)

// EnqueueSyncTx inserts args in tx; a duplicate is ErrSyncAlreadyActive.
func (e RiverEnqueuer) EnqueueSyncTx(ctx context.Context, tx pgx.Tx, args jobs.SyncArgs) (int64, error) {
	res, err := e.Client.InsertTx(ctx, tx, args, nil)
	if err != nil {
		return 0, err
	}
	if res.UniqueSkippedAsDuplicate {
		return res.Job.ID, ErrSyncAlreadyActive
	}
	return res.Job.ID, nil
}

// CancelJobTx cancels job id in tx; a job already gone is not an error.
func (e RiverEnqueuer) CancelJobTx(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := e.Client.JobCancelTx(ctx, tx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil
	}
	return err
}

// Limits on run input.
const (
	maxRunMessage       = 4000
	maxTargetExternalID = 512
	maxTrigger          = 32
)

const syncRunColumns = `x.id, x.connector_id, x.mode::text, x.status::text, x.target_external_id, x.trigger, x.queued_at,
	x.started_at, x.finished_at, x.cursor, x.since, x.pages_fetched, x.records_seen, x.created_count, x.updated_count,
	x.unchanged_count, x.stale_marked_count, x.error_count, x.errors, x.message`

func scanSyncRun(r pgx.CollectableRow) (*itam.SyncRun, error) { return scanRun(r) }

// scanRun reads syncRunColumns, then extra.
func scanRun(r pgx.CollectableRow, extra ...any) (*itam.SyncRun, error) {
	var s itam.SyncRun
	err := r.Scan(append([]any{&s.ID, &s.ConnectorID, &s.Mode, &s.Status, &s.TargetExternalID, &s.Trigger, &s.QueuedAt, &s.StartedAt, &s.FinishedAt,
		&s.Cursor, &s.Since, &s.PagesFetched, &s.RecordsSeen, &s.Created, &s.Updated, &s.Unchanged, &s.StaleMarked, &s.ErrorCount,
		&s.Errors, &s.Message}, extra...)...)
	if s.Errors == nil {
		s.Errors = []itam.SyncError{}
	}
	return &s, err
}

// publicRunColumns are syncRunColumns and the endpoints of the run's
// connector, which publicRun masks for callers who may not see them.
const publicRunColumns = syncRunColumns + `,
	(SELECT array_remove(ARRAY[c.base_url, c.auth_url], NULL) FROM connectors c WHERE c.id = x.connector_id)`

// publicRun scans publicRunColumns for what p may read of a run: never the
// vendor cursor, which only the worker needs; and, unless p may see
// connector details (itam.Principal.CanReadConnectorDetails), its messages
// with the connector's base and auth URLs masked (redact.Endpoints), since a
// vendor error quotes the URL it called.
func publicRun(p itam.Principal) func(pgx.CollectableRow) (*itam.SyncRun, error) {
	return func(r pgx.CollectableRow) (*itam.SyncRun, error) {
		var endpoints []string
		s, err := scanRun(r, &endpoints)
		if err != nil {
			return s, err
		}
		s.Cursor = nil
		if !p.CanReadConnectorDetails() && len(endpoints) > 0 {
			if s.Message != nil {
				s.Message = ptr(redact.Endpoints(*s.Message, endpoints...))
			}
			for i := range s.Errors {
				s.Errors[i].Message = redact.Endpoints(s.Errors[i].Message, endpoints...)
			}
		}
		return s, nil
	}
}

// validTrigger checks what started a run ("manual", "schedule", "webhook"…).
func validTrigger(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" {
		t = "manual"
	}
	if len(t) > maxTrigger {
		return "", itam.Invalid("trigger", "trigger is at most %d characters", maxTrigger)
	}
	return t, nil
}

// SyncConnector queues a sync of connector id (ADMIN only; the scheduler and
// webhooks act as a system ADMIN of the organization): it inserts a QUEUED
// run and its River job in one transaction and records the job id. While a
// sync of the connector is queued or running it writes nothing and returns
// CONFLICT. targetExternalID limits the run to one device (webhooks).
// An INCREMENTAL run starts from when the last successful untargeted run
// started, less the DB's sync look-back (SyncLookBack).
func (s *ConnectorStore) SyncConnector(ctx context.Context, id uuid.UUID, mode itam.SyncMode, trigger string, targetExternalID *string) (*itam.SyncRun, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if s.enq == nil {
		return nil, errors.New("postgres: connector store has no job enqueuer")
	}
	if mode != itam.SyncFull && mode != itam.SyncIncremental {
		return nil, itam.Invalid("mode", "mode must be FULL or INCREMENTAL")
	}
	if trigger, err = validTrigger(trigger); err != nil {
		return nil, err
	}
	target := itam.Trimmed(targetExternalID)
	if target != nil && len(*target) > maxTargetExternalID {
		return nil, itam.Invalid("targetExternalId", "targetExternalId is at most %d characters", maxTargetExternalID)
	}
	var out *itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var enabled bool
		if err := tx.QueryRow(ctx, `SELECT enabled FROM connectors WHERE id = $1 FOR SHARE`, id).Scan(&enabled); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return itam.NotFound("connector")
			}
			return err
		}
		if !enabled {
			return itam.Conflict("id", "this connector is disabled; enable it to sync")
		}
		var since *time.Time
		if mode == itam.SyncIncremental {
			// The window overlaps the previous one by the look-back:
			// vendors index changes late and their clocks drift, and a
			// change stamped just before that run started must not fall
			// between two windows.
			if err := tx.QueryRow(ctx, `SELECT max(started_at) - make_interval(secs => $2) FROM sync_runs
				WHERE connector_id = $1 AND status IN ('SUCCEEDED', 'PARTIAL') AND target_external_id IS NULL`,
				id, s.db.lookBack.Seconds()).Scan(&since); err != nil {
				return err
			}
		}
		run, err := returningOne(ctx, tx, publicRun(p), `INSERT INTO sync_runs AS x (org_id, connector_id, mode, trigger, target_external_id, since)
			VALUES ($1, $2, $3::text::sync_mode, $4, $5, $6) RETURNING `+publicRunColumns,
			p.OrgID, id, string(mode), trigger, target, since)
		if err != nil {
			return err
		}
		jobID, err := s.enq.EnqueueSyncTx(ctx, tx, jobs.SyncArgs{OrgID: p.OrgID, ConnectorID: id, RunID: run.ID})
		if errors.Is(err, ErrSyncAlreadyActive) {
			return itam.Conflict("id", "a sync of this connector is already queued or running")
		}
		if err != nil {
			return fmt.Errorf("enqueue sync: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE sync_runs SET job_id = $2 WHERE id = $1`, run.ID, jobID); err != nil {
			return err
		}
		out = run
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SyncRun returns one run (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRun(ctx context.Context, id uuid.UUID) (*itam.SyncRun, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "sync run", "SELECT "+publicRunColumns+" FROM sync_runs x WHERE x.id = $1", []any{id}, publicRun(p))
}

// SyncRunsByIDs loads runs by id for loaders (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRunsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.SyncRun, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, publicRunColumns, "sync_runs x", ids, publicRun(p), func(r *itam.SyncRun) uuid.UUID { return r.ID })
}

func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999Z07:00") }

// SyncRuns lists a connector's runs, newest first (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRuns(ctx context.Context, connectorID uuid.UUID, page itam.PageArgs) (itam.Page[*itam.SyncRun], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return itam.Page[*itam.SyncRun]{}, err
	}
	args := &sqlArgs{}
	return list(ctx, s.db, p.OrgID, runsSpec(p, args, []string{"x.connector_id = " + args.add(connectorID)}), page)
}

// SyncRunsOf returns, for each connector, the page of its runs newest
// first, in one round trip for all of them (Connector.syncRuns under a
// list of connectors; ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRunsOf(ctx context.Context, connectorIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*itam.SyncRun], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, runsSpec(p, &sqlArgs{}, nil), connectorIDs, runOf, page)
}

// CountSyncRunsOf counts each connector's runs in one round trip (ADMIN,
// MANAGER, AUDITOR).
func (s *ConnectorStore) CountSyncRunsOf(ctx context.Context, connectorIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "sync_runs x", nil, &sqlArgs{}, connectorIDs, runOf)
}

func runOf(connector string) string { return "x.connector_id = " + connector }

// runsSpec lists runs newest first, as p may read them.
func runsSpec(p itam.Principal, args *sqlArgs, where []string) listSpec[*itam.SyncRun] {
	return listSpec[*itam.SyncRun]{
		columns: publicRunColumns, from: "sync_runs x", idExpr: "x.id", args: args, where: where,
		sort: sortKey[*itam.SyncRun]{"x.queued_at", "timestamptz", func(r *itam.SyncRun) string { return timeKey(r.QueuedAt) }},
		dir:  itam.Desc, id: func(r *itam.SyncRun) string { return r.ID.String() }, scan: publicRun(p),
	}
}

// CountSyncRuns counts a connector's runs (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) CountSyncRuns(ctx context.Context, connectorID uuid.UUID) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	args := &sqlArgs{}
	return count(ctx, s.db, p.OrgID, "sync_runs x", []string{"x.connector_id = " + args.add(connectorID)}, args)
}

// LastSync returns the most recently queued run of each connector, in one
// query (ADMIN, MANAGER, AUDITOR). Connectors without runs are absent.
func (s *ConnectorStore) LastSync(ctx context.Context, connectorIDs []uuid.UUID) (map[uuid.UUID]*itam.SyncRun, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, s.db, p.OrgID, `SELECT `+publicRunColumns+` FROM unnest($1::uuid[]) c(id)
		CROSS JOIN LATERAL (SELECT * FROM sync_runs r WHERE r.connector_id = c.id ORDER BY r.queued_at DESC, r.id DESC LIMIT 1) x`,
		[]any{connectorIDs}, publicRun(p))
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*itam.SyncRun, len(rows))
	for _, r := range rows {
		out[r.ConnectorID] = r
	}
	return out, nil
}

// CancelSyncRun cancels a QUEUED or RUNNING run (ADMIN only). A running
// worker sees the status before its next page and stops; the run's River job
// is cancelled too when the Enqueuer can, so the connector is free to sync
// again at once. A run already finished is CONFLICT.
func (s *ConnectorStore) CancelSyncRun(ctx context.Context, id uuid.UUID) (*itam.SyncRun, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var status string
		var jobID *int64
		if err := tx.QueryRow(ctx, `SELECT status::text, job_id FROM sync_runs WHERE id = $1 FOR UPDATE`, id).Scan(&status, &jobID); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return itam.NotFound("sync run")
			}
			return err
		}
		if status != string(itam.SyncQueued) && status != string(itam.SyncRunning) {
			return itam.Conflict("id", "this run already ended: it is %s", status)
		}
		run, err := returningOne(ctx, tx, publicRun(p), `UPDATE sync_runs x SET status = 'CANCELLED', finished_at = now(), message = $2
			WHERE x.id = $1 RETURNING `+publicRunColumns, id, runMessage("cancelled by "+p.Subject, nil))
		if err != nil {
			return err
		}
		if c, ok := s.enq.(JobCanceller); ok && jobID != nil {
			if err := c.CancelJobTx(ctx, tx, *jobID); err != nil {
				return fmt.Errorf("cancel sync job: %w", err)
			}
		}
		out = run
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RunForWorker returns a run with its vendor cursor, for the sync worker
// (connector or system principals only).
func (s *ConnectorStore) RunForWorker(ctx context.Context, runID uuid.UUID) (*itam.SyncRun, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "sync run", "SELECT "+syncRunColumns+" FROM sync_runs x WHERE x.id = $1", []any{runID}, scanSyncRun)
}

// FinishRun ends a QUEUED or RUNNING run with a final status (SUCCEEDED,
// PARTIAL, FAILED or CANCELLED) and a message, for the sync worker. The
// message is cut to a sane length and any credential value of the
// connector in it is redacted. A run that already ended (say, cancelled
// meanwhile) is returned unchanged.
func (s *ConnectorStore) FinishRun(ctx context.Context, runID uuid.UUID, status itam.SyncStatus, message string) (*itam.SyncRun, error) {
	return s.FinishRunTx(ctx, runID, status, message, nil)
}

// FinishRunTx is FinishRun that also runs within (when not nil) in the same
// transaction, when the run actually ends: the sync worker ends its River job
// there, so a finished run and a finished job are one commit and a finished
// run never blocks the next sync with CONFLICT.
func (s *ConnectorStore) FinishRunTx(ctx context.Context, runID uuid.UUID, status itam.SyncStatus, message string, within func(pgx.Tx) error) (*itam.SyncRun, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	switch status {
	case itam.SyncSucceeded, itam.SyncPartial, itam.SyncFailed, itam.SyncCancelled:
	default:
		return nil, itam.Invalid("status", "a run ends SUCCEEDED, PARTIAL, FAILED or CANCELLED, not %s", status)
	}
	var out *itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, creds, err := s.lockRunForMessage(ctx, tx, runID)
		if err != nil {
			return err
		}
		if cur != string(itam.SyncQueued) && cur != string(itam.SyncRunning) {
			out, err = returningOne(ctx, tx, scanSyncRun, "SELECT "+syncRunColumns+" FROM sync_runs x WHERE x.id = $1", runID)
			return err
		}
		out, err = returningOne(ctx, tx, scanSyncRun, `UPDATE sync_runs x SET status = $2::text::sync_status, message = $3,
			finished_at = now(), started_at = coalesce(x.started_at, x.queued_at) WHERE x.id = $1 RETURNING `+syncRunColumns,
			runID, string(status), runMessage(message, creds))
		if err != nil || within == nil {
			return err
		}
		return within(tx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordAttemptError notes why an attempt failed while the job will retry,
// so the run shows it without waiting for the last attempt. The message is
// cleaned like FinishRun's. For the sync worker (connector or system
// principals only).
func (s *ConnectorStore) RecordAttemptError(ctx context.Context, runID uuid.UUID, message string) error {
	p, err := requireWorker(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, creds, err := s.lockRunForMessage(ctx, tx, runID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE sync_runs SET message = $2 WHERE id = $1`, runID, runMessage(message, creds))
		return err
	})
}

// lockRunForMessage locks run runID and returns its status and its
// connector's credentials (nil when they cannot be opened), to redact them
// from the message about to be written.
func (s *ConnectorStore) lockRunForMessage(ctx context.Context, tx pgx.Tx, runID uuid.UUID) (string, map[string]string, error) {
	var status string
	var sealed []byte
	err := tx.QueryRow(ctx, `SELECT r.status::text, c.credentials FROM sync_runs r JOIN connectors c ON c.id = r.connector_id
		WHERE r.id = $1 FOR UPDATE OF r`, runID).Scan(&status, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, itam.NotFound("sync run")
	}
	if err != nil {
		return "", nil, err
	}
	var creds map[string]string
	if s.box != nil {
		creds, _ = s.openCredentials(sealed) // unopenable: nothing to redact with
	}
	return status, creds, nil
}

// runMessage is what every write of sync_runs.message stores: valid UTF-8,
// with the connector's credential values redacted, cut to maxRunMessage
// bytes; nil when blank.
func runMessage(message string, creds map[string]string) *string {
	msg := redact.Secrets(strings.ToValidUTF8(message, "\uFFFD"), creds)
	if len(msg) > maxRunMessage {
		msg = strings.ToValidUTF8(msg[:maxRunMessage], "") + "…"
	}
	if strings.TrimSpace(msg) == "" {
		return nil
	}
	return &msg
}
