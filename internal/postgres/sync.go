package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
	"github.com/itam-dev/itam/internal/software"
)

// SyncStore applies what connectors report to the inventory, one page per
// transaction together with the run's cursor: a worker killed between pages
// resumes after the last committed one, and a page is applied whole or not
// at all.
type SyncStore struct{ db *DB }

// NewSyncStore returns a SyncStore over db.
//
// Its statements get the job statement timeout (DB.ForJobs), not the
// request one: applying a page of devices is one long transaction.
func NewSyncStore(db *DB) *SyncStore { return &SyncStore{db: db.ForJobs()} }

// SyncTarget is the connector and run a page belongs to.
type SyncTarget struct {
	Connector *itam.Connector
	RunID     uuid.UUID
}

// PageResult counts what one page did.
type PageResult struct {
	Created, Updated, Unchanged int
	Errors                      []itam.SyncError
}

// ErrRunCancelled is returned when the run was cancelled; nothing of the
// page is applied.
var ErrRunCancelled = errors.New("sync run was cancelled")

// pageState is everything one page needs, loaded with one query per kind.
type pageState struct {
	p   itam.Principal
	t   SyncTarget
	now time.Time
	// Snapshot is what reconcile.Plan reads; software is this source's
	// software of the page's existing assets, by app key.
	*reconcile.Snapshot
	software map[uuid.UUID]map[string]reconcile.InstalledSoftware
	// titleRules resolve the page's new and changed installations to
	// products (nil when the page reports no software).
	titleRules *software.Matcher
}

// ApplyPage reconciles one page of devices and records progress (next
// cursor, counters, per-record errors) in the same transaction.
func (s *SyncStore) ApplyPage(ctx context.Context, t SyncTarget, devices []reconcile.Device, nextCursor string) (PageResult, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return PageResult{}, err
	}
	var res PageResult
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if err := lockRunningRun(ctx, tx, t.RunID); err != nil {
			return err
		}
		devices, held, err := pushEchoes(ctx, tx, t, devices) // sync_push.go
		if err != nil {
			return err
		}
		st, err := loadPageState(ctx, tx, p, t, devices)
		if err != nil {
			return err
		}
		// Records unchanged since they were last applied cost a hash
		// compare; only the others are matched and planned.
		rest, same, err := st.splitUnchanged(ctx, tx, devices) // sync_fingerprint.go
		if err != nil {
			return err
		}
		if err := st.loadAssets(ctx, tx, rest); err != nil {
			return err
		}
		if st.claimsUnchanged(same) {
			rest, same = devices, nil
			if err := st.loadAssets(ctx, tx, rest); err != nil {
				return err
			}
		}
		res, err = st.apply(ctx, tx, rest, same)
		if err != nil {
			return err
		}
		if err := savePulled(ctx, tx, t, held); err != nil {
			return err
		}
		return recordPage(ctx, tx, t.RunID, nextCursor, len(devices), res)
	})
	return res, err
}

// lockRunningRun locks a run's row for a page; a cancelled run takes no
// more pages (ErrRunCancelled).
func lockRunningRun(ctx context.Context, tx pgx.Tx, runID uuid.UUID) error {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status::text FROM sync_runs WHERE id = $1 FOR UPDATE`, runID).Scan(&status); err != nil {
		return err
	}
	if status == string(itam.SyncCancelled) {
		return ErrRunCancelled
	}
	return nil
}

// recordPage records a page's progress on its run: the cursor to resume
// after it, the counters, and per-record errors up to itam.MaxSyncErrors.
func recordPage(ctx context.Context, tx pgx.Tx, runID uuid.UUID, nextCursor string, seen int, res PageResult) error {
	errs := []byte("[]")
	if len(res.Errors) > 0 {
		errs, _ = json.Marshal(res.Errors)
	}
	_, err := tx.Exec(ctx, `UPDATE sync_runs SET cursor = $2, pages_fetched = pages_fetched + 1,
		records_seen = records_seen + $3, created_count = created_count + $4, updated_count = updated_count + $5,
		unchanged_count = unchanged_count + $6, error_count = error_count + $7,
		errors = CASE WHEN jsonb_array_length(errors) >= $8 THEN errors
			ELSE (SELECT coalesce(jsonb_agg(e), '[]') FROM (SELECT e FROM jsonb_array_elements(errors || $9::jsonb) e LIMIT $8) x) END
		WHERE id = $1`,
		runID, nextCursor, seen, res.Created, res.Updated, res.Unchanged, len(res.Errors), itam.MaxSyncErrors, string(errs))
	return err
}

// StartRun marks a run RUNNING (keeping its first start time across retries)
// and returns where it stands: its cursor to resume from.
func (s *SyncStore) StartRun(ctx context.Context, runID uuid.UUID) (*itam.SyncRun, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var run itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE sync_runs SET status = CASE WHEN status = 'CANCELLED' THEN status ELSE 'RUNNING' END,
				started_at = coalesce(started_at, now())
			WHERE id = $1 RETURNING id, connector_id, mode::text, status::text, target_external_id, cursor, since`, runID).
			Scan(&run.ID, &run.ConnectorID, &run.Mode, &run.Status, &run.TargetExternalID, &run.Cursor, &run.Since)
	})
	return &run, err
}

// MarkMissing ends a complete full sync: every link of the connector the
// run did not see has missed one more consecutive full sync, and is marked
// missing since now (unless it already was) once it has missed
// afterFullSyncs of them: 1 for a source that pages by key, 2 for one that
// pages by offset (connectors.OffsetPaging), where one run can skip a
// device that exists. Any run seeing a link resets its count (ApplyPage).
// It returns how many links it marked; calling it again for the same run
// counts nothing twice.
func (s *SyncStore) MarkMissing(ctx context.Context, t SyncTarget, afterFullSyncs int) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	afterFullSyncs = max(afterFullSyncs, 1)
	var n int
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `WITH missed AS (
				UPDATE asset_external_ids SET missed_full_syncs = missed_full_syncs + 1, missed_run_id = $2,
					missing_since = CASE WHEN missed_full_syncs + 1 >= $3 THEN now() END
				WHERE connector_id = $1 AND last_run_id IS DISTINCT FROM $2 AND missing_since IS NULL
					AND missed_run_id IS DISTINCT FROM $2
				RETURNING missing_since)
			SELECT count(*) FILTER (WHERE missing_since IS NOT NULL) FROM missed`, t.Connector.ID, t.RunID, afterFullSyncs).Scan(&n)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE sync_runs SET stale_marked_count = stale_marked_count + $2 WHERE id = $1`, t.RunID, n)
		return err
	})
	return n, err
}

// MarkStale flags the links of the caller's organization that have been
// missing longer than their connector's stale_after_days, and returns how
// many it flagged.
func (s *SyncStore) MarkStale(ctx context.Context) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE asset_external_ids l SET stale_since = now() FROM connectors c
			WHERE c.id = l.connector_id AND l.stale_since IS NULL AND l.missing_since IS NOT NULL
			AND l.missing_since < now() - make_interval(days => c.stale_after_days)`)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// OrgIDs lists every organization, for system jobs that visit each tenant.
func (s *SyncStore) OrgIDs(ctx context.Context) ([]uuid.UUID, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT itam.all_org_ids()`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// AdvanceSchedule sets when a connector syncs next.
func (s *SyncStore) AdvanceSchedule(ctx context.Context, connectorID uuid.UUID, next *time.Time) error {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE connectors SET next_sync_at = $2 WHERE id = $1`, connectorID, next)
		return err
	})
}

// DueConnector is a connector whose scheduled sync is due.
type DueConnector struct {
	OrgID, ConnectorID uuid.UUID
}

// DueConnectors lists connectors due to sync across organizations (the
// scheduler runs before any tenant is known).
func (s *SyncStore) DueConnectors(ctx context.Context, now time.Time, limit int) ([]DueConnector, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT org_id, connector_id FROM itam.due_connectors($1, $2)`, now, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueConnector, error) {
		var d DueConnector
		return d, r.Scan(&d.OrgID, &d.ConnectorID)
	})
}

// LastFullSuccess is when the connector last completed a full sync.
func (s *SyncStore) LastFullSuccess(ctx context.Context, connectorID uuid.UUID) (*time.Time, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, s.db, p.OrgID, `SELECT max(finished_at) FROM sync_runs WHERE connector_id = $1
		AND mode = 'FULL' AND status IN ('SUCCEEDED', 'PARTIAL') AND target_external_id IS NULL`, []any{connectorID}, func(r pgx.CollectableRow) (*time.Time, error) {
		var t *time.Time
		return t, r.Scan(&t)
	})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

// distinct drops repeated values: lookups join their arguments through
// unnest (so the plan is index lookups whatever the statistics say), and a
// repeated value would return its rows twice.
func distinct[T comparable](vs []T) []T {
	seen := make(map[T]bool, len(vs))
	out := vs[:0:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// distinctIDs is distinct for ids (most callers' case).
func distinctIDs(vs []uuid.UUID) []uuid.UUID { return distinct(vs) }

// EndOrphanedRuns ends the caller organization's QUEUED or RUNNING runs whose
// River job has ended without ending them, or no longer exists: a job
// cancelled from the River UI while queued, one the rescuer discarded after
// its workers died, one deleted. A cancelled job's run ends CANCELLED, any
// other FAILED, each with the reason; it returns how many it ended. A run
// whose job is still queued, running or retrying is left alone: its worker
// ends it.
func (s *SyncStore) EndOrphanedRuns(ctx context.Context) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `WITH orphans AS (
				SELECT r.id, j.state::text AS state, j.attempt FROM sync_runs r LEFT JOIN river_job j ON j.id = r.job_id
				WHERE r.status IN ('QUEUED', 'RUNNING') AND r.job_id IS NOT NULL
				AND (j.id IS NULL OR j.state IN ('cancelled', 'discarded', 'completed'))
				FOR UPDATE OF r SKIP LOCKED)
			UPDATE sync_runs x SET finished_at = now(), started_at = coalesce(x.started_at, x.queued_at),
				status = CASE WHEN o.state = 'cancelled' THEN 'CANCELLED' ELSE 'FAILED' END::sync_status,
				message = left(CASE
					WHEN o.state = 'cancelled' THEN 'the sync job was cancelled in the job queue'
					WHEN o.state = 'discarded' THEN format('the sync job was discarded after %s attempts', o.attempt)
					WHEN o.state = 'completed' THEN 'the sync job ended without ending its run'
					ELSE 'the sync job no longer exists' END
					|| coalesce('; last error: ' || x.message, ''), $1)
			FROM orphans o WHERE x.id = o.id`, maxRunMessage)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}
