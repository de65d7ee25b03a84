package postgres

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
)

// StartCommit moves a READY run to COMMITTING and enqueues its commit in
// the same transaction. version, when given, must be the run's; a run that
// is not READY is a CONFLICT. Whether a run with ERROR rows may commit is
// the service's rule (skipInvalid); the store records the choice.
func (s *ImportStore) StartCommit(ctx context.Context, id uuid.UUID, skipInvalid bool, version *int) (*imports.Run, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *imports.Run
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var cur int
		if err := tx.QueryRow(ctx, `SELECT version FROM import_runs WHERE id = $1 FOR UPDATE`, id).Scan(&cur); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return itam.NotFound("import run")
			}
			return err
		}
		if version != nil && *version != cur {
			return itam.Conflict("version", "the import run changed: it is at version %d, you read version %d; reload and retry", cur, *version)
		}
		if _, err := requireRunStatus(ctx, tx, id, imports.StatusReady); err != nil {
			return err
		}
		// The commit's progress counts the rows it applies: every row but
		// the ERROR ones, which are skipped.
		rows, _ := tx.Query(ctx, `UPDATE import_runs r SET status = 'COMMITTING', skip_invalid = $2, rows_done = 0, commit_cursor = 0,
				rows_total = (SELECT count(*) FROM import_rows x WHERE x.run_id = r.id AND x.action <> 'ERROR'),
				error = NULL, version = r.version + 1
			WHERE r.id = $1 RETURNING `+importRunColumns, id, skipInvalid)
		var err error
		if out, err = pgx.CollectExactlyOneRow(rows, scanImportRun); err != nil {
			return err
		}
		return s.enq.EnqueueImportCommitTx(ctx, tx, jobs.ImportCommitArgs{OrgID: p.OrgID, RunID: id})
	})
	return out, err
}

// CommitChunk applies the planned rows after the run's commit cursor, up
// to limit rows (0: all of them), in one transaction that also advances
// the cursor: a plan of up to imports.ChunkedCommitRows rows is committed
// by one call, all or nothing; a larger one chunk by chunk, each chunk all
// or nothing, and a chunk that fails leaves the cursor after the last
// chunk that committed, so the retried job resumes there. The first chunk
// creates the references the dry run planned to create. A row whose
// record moved to another version since the dry run rolls the chunk back
// with a CONFLICT naming its line (the caller marks the run STALE). Every
// write is set-based: a chunk costs a fixed number of statements per
// slice of importCommitSlice rows.
func (s *ImportStore) CommitChunk(ctx context.Context, id uuid.UUID, limit int) (bool, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return false, err
	}
	if limit < 0 {
		return false, itam.Invalid("limit", "limit cannot be negative")
	}
	var done bool
	err = s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var kind imports.Kind
		var status imports.RunStatus
		var cursor int
		err := tx.QueryRow(ctx, `SELECT kind, status, commit_cursor FROM import_runs WHERE id = $1 FOR UPDATE`, id).Scan(&kind, &status, &cursor)
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.NotFound("import run")
		}
		if err != nil {
			return err
		}
		if status != imports.StatusCommitting {
			return itam.Conflict("status", "the import run is %s, not COMMITTING", status)
		}
		refs, err := loadImportRefs(ctx, tx, id)
		if err != nil {
			return err
		}
		if cursor == 0 {
			if limit > 0 {
				// A chunked commit checks every row's record before its first
				// chunk: data changed since the dry run then refuses the run
				// with nothing written, as a one-transaction commit does. Only
				// a change made while the chunks run can still stop it midway.
				if err := precheckVersions(ctx, tx, id, kind); err != nil {
					return err
				}
			}
			if err := refs.createRefs(ctx, tx, p.OrgID, id); err != nil {
				return err
			}
		}
		c := &importCommit{tx: tx, db: s.db.ForJobs(), org: p.OrgID, refs: refs, labels: historyLabels{},
			// History names the run as the actor of every change (ActorImport).
			p: itam.Principal{OrgID: p.OrgID, Role: itam.RoleAdmin, Subject: id.String(), ActorKind: itam.ActorImport}}
		last, applied, skipped, err := c.applySlices(ctx, id, kind, cursor, limit)
		if err != nil {
			return err
		}
		if err := c.addDeferredAggregates(ctx); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `UPDATE import_runs r SET commit_cursor = $2, rows_done = r.rows_done + $3,
				totals = jsonb_set(r.totals, '{skipped}', to_jsonb(coalesce((r.totals->>'skipped')::int, 0) + $4)),
				status = CASE WHEN more.remaining THEN r.status ELSE 'COMMITTED' END,
				committed_at = CASE WHEN more.remaining THEN NULL ELSE now() END,
				version = CASE WHEN more.remaining THEN r.version ELSE r.version + 1 END
			FROM (SELECT EXISTS (SELECT 1 FROM import_rows x WHERE x.run_id = $1 AND x.line > $2) AS remaining) more
			WHERE r.id = $1 RETURNING NOT more.remaining`, id, last, applied, skipped).Scan(&done)
	})
	return done, err
}

// importCommitSlice is how many planned rows a chunk reads and writes at
// a time, all in the chunk's one transaction: the commit's memory is a
// slice's, not the chunk's (a 100,000-row plan held at once took 850 MB),
// and its statements stay a fixed number per slice.
var importCommitSlice = 5000 // a variable for the tests

// applySlices applies up to limit (0: all) planned rows after cursor,
// slice by slice, and returns the last line read, the rows applied and
// the ERROR rows skipped. The slices are read one ahead of the one being
// written (readSlices), so reading and decoding the plan costs the
// transaction's backend nothing.
func (c *importCommit) applySlices(ctx context.Context, id uuid.UUID, kind imports.Kind, cursor, limit int) (last, applied, skipped int, err error) {
	last = cursor
	next, stop := c.readSlices(ctx, id, cursor, limit)
	defer stop()
	for {
		plan, err := next()
		if err != nil {
			return 0, 0, 0, err
		}
		if len(plan) == 0 {
			return last, applied, skipped, nil
		}
		last = plan[len(plan)-1].Line
		apply := make([]imports.RowPlan, 0, len(plan))
		for _, r := range plan {
			if r.Action == imports.ActionError {
				skipped++
				continue
			}
			apply = append(apply, r)
		}
		switch kind {
		case imports.KindAssets:
			err = c.applyAssets(ctx, apply)
		default:
			err = c.applyRecords(ctx, kind, apply)
		}
		if err != nil {
			return 0, 0, 0, err
		}
		applied += len(apply)
	}
}

// planSlice is one slice of a chunk's planned rows, or the error that
// ended the reading.
type planSlice struct {
	rows []imports.RowPlan
	err  error
}

// readSlices reads up to limit (0: all) planned rows after cursor, a
// slice of importCommitSlice rows per call of next, in line order; next
// returns no rows after the last. It reads on a connection of its own,
// one query streamed a slice ahead of the chunk's transaction: the rows
// were written by the dry run and committed, and the run's row, locked by
// the chunk, keeps them as they are. A pool of one connection has none to
// spare: then the chunk's transaction reads each slice when it is asked
// for, a query each. stop ends the reading and waits for it.
func (c *importCommit) readSlices(ctx context.Context, id uuid.UUID, cursor, limit int) (next func() ([]imports.RowPlan, error), stop func()) {
	const query = `SELECT ` + importRowColumns + ` FROM import_rows x WHERE x.run_id = $1 AND x.line > $2 ORDER BY x.line LIMIT $3`
	if c.db.Pool.Config().MaxConns < 2 {
		after, read, ended := cursor, 0, false
		return func() ([]imports.RowPlan, error) {
			n := importCommitSlice
			if limit > 0 {
				n = min(n, limit-read)
			}
			if ended || n == 0 {
				return nil, nil
			}
			rows, _ := c.tx.Query(ctx, query, id, after, n)
			plan, err := pgx.CollectRows(rows, scanImportRow)
			if err != nil {
				return nil, err
			}
			ended = len(plan) < n
			if len(plan) > 0 {
				read, after = read+len(plan), plan[len(plan)-1].Line
			}
			return plan, nil
		}, func() {}
	}
	out := make(chan planSlice, 1)
	ctx, cancel := context.WithCancel(ctx)
	send := func(sl planSlice) bool {
		select {
		case out <- sl:
			return true
		case <-ctx.Done():
			return false
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		ran := false
		err := c.db.inTx(ctx, c.org, func(tx pgx.Tx) error {
			ran = true
			// The query lasts as long as the chunk, mostly waiting for it:
			// the job's timeout bounds it (ctx), not a statement's.
			if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
				send(planSlice{err: err})
				return err
			}
			var n any // LIMIT NULL: all of them
			if limit > 0 {
				n = limit
			}
			rows, _ := tx.Query(ctx, query, id, cursor, n)
			defer rows.Close()
			plan := make([]imports.RowPlan, 0, importCommitSlice)
			for rows.Next() {
				r, err := scanImportRow(rows)
				if err != nil {
					send(planSlice{err: err})
					return err
				}
				if plan = append(plan, r); len(plan) == importCommitSlice {
					if !send(planSlice{rows: plan}) {
						return ctx.Err()
					}
					plan = make([]imports.RowPlan, 0, importCommitSlice)
				}
			}
			if err := rows.Err(); err != nil {
				send(planSlice{err: err})
				return err
			}
			if len(plan) > 0 && !send(planSlice{rows: plan}) {
				return ctx.Err()
			}
			send(planSlice{}) // the end
			return nil
		})
		if err != nil && !ran {
			// No transaction to read in (no connection, or no BEGIN).
			send(planSlice{err: err})
		}
	}()
	return func() ([]imports.RowPlan, error) {
			sl, ok := <-out
			if !ok {
				return nil, ctx.Err()
			}
			return sl.rows, sl.err
		}, func() {
			cancel()
			<-done
		}
}

// importCommit is one chunk's commit: its transaction, the run's
// references and the principal its history is written as.
type importCommit struct {
	tx pgx.Tx
	// db is where readSlices takes its own connection from.
	db   *DB
	org  uuid.UUID
	refs *importRefs
	// labels are the history's labels read so far in this chunk.
	labels historyLabels
	// defaults are an asset import's, read by its first slice.
	defaults *importAssetDefaults
	// deferred are the assets the chunk created, whose counts and month
	// totals addDeferredAggregates adds.
	deferred []uuid.UUID
	p        itam.Principal
}

// versionedTargets names, per kind, the table whose rows an import's
// UPDATE and UNCHANGED rows target, and what a message calls one.
var versionedTargets = map[imports.Kind][2]string{
	imports.KindAssets:    {"assets", "asset"},
	imports.KindPeople:    {"people", "person"},
	imports.KindLocations: {"locations", "location"},
	imports.KindModels:    {"models", "model"},
	imports.KindLicenses:  {"licenses", "license"},
}

// precheckVersions refuses a run, naming the first such line, when a
// record any of its rows targets is gone or moved since the dry run: one
// statement over the whole plan.
func precheckVersions(ctx context.Context, tx pgx.Tx, id uuid.UUID, kind imports.Kind) error {
	t, ok := versionedTargets[kind]
	if !ok {
		return nil // seats and cost entries are re-checked per chunk
	}
	var line, planned int
	var now *int
	err := tx.QueryRow(ctx, `SELECT x.line, x.target_version, t.version FROM import_rows x
		LEFT JOIN `+t[0]+` t ON t.id = x.target_id
		WHERE x.run_id = $1 AND x.target_id IS NOT NULL AND x.action IN ('UPDATE', 'UNCHANGED')
		  AND (t.id IS NULL OR t.version IS DISTINCT FROM x.target_version)
		ORDER BY x.line LIMIT 1`, id).Scan(&line, &planned, &now)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if now == nil {
		return itam.Conflict("line", "line %d: the %s was deleted since the dry run; start a new dry run", line, t[1])
	}
	return itam.Conflict("line", "line %d: the %s changed since the dry run (version %d, now %d); start a new dry run", line, t[1], planned, *now)
}

// checkVersions refuses the chunk when a row's record is gone or moved
// to another version since the dry run, naming the first such line.
func checkVersions(rows []imports.RowPlan, current map[uuid.UUID]int, what string) error {
	for _, r := range rows {
		if r.TargetID == nil || (r.Action != imports.ActionUpdate && r.Action != imports.ActionUnchanged) {
			continue
		}
		v, ok := current[*r.TargetID]
		if !ok {
			return itam.Conflict("line", "line %d: the %s was deleted since the dry run; start a new dry run", r.Line, what)
		}
		if v != r.TargetVersion {
			return itam.Conflict("line", "line %d: the %s changed since the dry run (version %d, now %d); start a new dry run", r.Line, what, r.TargetVersion, v)
		}
	}
	return nil
}
