package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// rowPayload is what import_rows.payload holds of a RowPlan: everything
// but the columns the commit and the report filter and join on.
type rowPayload struct {
	Values      map[string]string   `json:"values,omitempty"`
	Kept        []imports.CellError `json:"kept,omitempty"`
	Errors      []imports.CellError `json:"errors,omitempty"`
	DuplicateOf int                 `json:"duplicateOf,omitempty"`
}

// requireRunStatus refuses a run that is not in one of want: NOT_FOUND when
// the organization has no such run, else CONFLICT naming its status.
func requireRunStatus(ctx context.Context, tx pgx.Tx, id uuid.UUID, want ...imports.RunStatus) (imports.RunStatus, error) {
	var status imports.RunStatus
	err := tx.QueryRow(ctx, `SELECT status FROM import_runs WHERE id = $1 FOR UPDATE`, id).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", itam.NotFound("import run")
	}
	if err != nil {
		return "", err
	}
	if !slices.Contains(want, status) {
		return status, itam.Conflict("status", "the import run is %s", status)
	}
	return status, nil
}

// ResetPlan drops a dry run's saved rows and references, so a retried
// dry-run job starts over, and records the headers and mapping it uses.
func (s *ImportStore) ResetPlan(ctx context.Context, id uuid.UUID, headers []string, m imports.Mapping) error {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return err
	}
	if headers == nil {
		headers = []string{}
	}
	return s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := requireRunStatus(ctx, tx, id, imports.StatusPlanning); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM import_rows WHERE run_id = $1`, id)
		b.Queue(`DELETE FROM import_references WHERE run_id = $1`, id)
		b.Queue(`UPDATE import_runs SET headers = $2, mapping = $3, rows_total = 0, rows_done = 0, totals = '{}', error = NULL
			WHERE id = $1`, id, headers, m)
		return tx.SendBatch(ctx, b).Close()
	})
}

// SavePlanChunk appends planned rows in one statement (arrays unnested
// server-side: COPY is refused on tables under row-level security) and
// records the dry run's progress.
func (s *ImportStore) SavePlanChunk(ctx context.Context, id uuid.UUID, rows []imports.RowPlan, rowsDone int) error {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return err
	}
	n := len(rows)
	lines, versions := make([]int32, n), make([]*int32, n)
	actions, keys, payloads := make([]string, n), make([]*string, n), make([]string, n)
	targets := make([]*uuid.UUID, n)
	for i, r := range rows {
		lines[i], actions[i], targets[i] = int32(r.Line), string(r.Action), r.TargetID
		if r.Key != "" {
			keys[i] = ptr(r.Key)
		}
		if r.TargetID != nil {
			versions[i] = ptr(int32(r.TargetVersion))
		}
		b, err := json.Marshal(rowPayload{Values: r.Values, Kept: r.Kept, Errors: r.Errors, DuplicateOf: r.DuplicateOf})
		if err != nil {
			return err
		}
		payloads[i] = string(b)
	}
	return s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := requireRunStatus(ctx, tx, id, imports.StatusPlanning); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`UPDATE import_runs SET rows_done = $2 WHERE id = $1`, id, rowsDone)
		if n > 0 {
			b.Queue(`INSERT INTO import_rows (org_id, run_id, line, action, key, target_id, target_version, payload)
				SELECT $1, $2, x.line, x.action, x.key, x.target, x.version, x.payload::jsonb
				FROM unnest($3::int[], $4::text[], $5::text[], $6::uuid[], $7::int[], $8::text[]) AS x(line, action, key, target, version, payload)
				ON CONFLICT (run_id, line) DO UPDATE SET action = excluded.action, key = excluded.key, target_id = excluded.target_id,
					target_version = excluded.target_version, payload = excluded.payload`,
				p.OrgID, id, lines, actions, keys, targets, versions, payloads)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// FinishPlan saves the references and totals; the run becomes READY.
func (s *ImportStore) FinishPlan(ctx context.Context, id uuid.UUID, refs []imports.Reference, totals imports.Totals) error {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return err
	}
	kinds, names, parents, payloads := make([]string, len(refs)), make([]string, len(refs)), make([]string, len(refs)), make([]string, len(refs))
	for i, r := range refs {
		kinds[i], names[i], parents[i] = string(r.Kind), r.NameKey, r.Parent
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		payloads[i] = string(b)
	}
	return s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := requireRunStatus(ctx, tx, id, imports.StatusPlanning); err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM import_references WHERE run_id = $1`, id)
		b.Queue(`INSERT INTO import_references (org_id, run_id, kind, name_key, parent, payload)
			SELECT $1, $2, x.kind, x.name_key, x.parent, x.payload::jsonb
			FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) AS x(kind, name_key, parent, payload)`,
			p.OrgID, id, kinds, names, parents, payloads)
		b.Queue(`UPDATE import_runs SET status = 'READY', totals = $2, rows_total = $3, rows_done = $3, planned_at = now(),
			version = version + 1 WHERE id = $1`, id, totals, totals.Rows)
		return tx.SendBatch(ctx, b).Close()
	})
}

// FailRun ends a run as FAILED or STALE with a plain message. A committed
// run stays committed (CONFLICT).
func (s *ImportStore) FailRun(ctx context.Context, id uuid.UUID, status imports.RunStatus, msg string) error {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return err
	}
	if status != imports.StatusFailed && status != imports.StatusStale {
		return itam.Invalid("status", "a run ends as FAILED or STALE, not %s", status)
	}
	return s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := requireRunStatus(ctx, tx, id, imports.StatusPlanning, imports.StatusReady, imports.StatusCommitting,
			imports.StatusStale, imports.StatusFailed); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE import_runs SET status = $2, error = $3, version = version + 1 WHERE id = $1`, id, string(status), msg)
		return err
	})
}

const importRowColumns = `x.line, x.action, coalesce(x.key, ''), x.target_id, coalesce(x.target_version, 0), x.payload`

func scanImportRow(row pgx.CollectableRow) (imports.RowPlan, error) {
	var r imports.RowPlan
	var pl rowPayload
	err := row.Scan(&r.Line, &r.Action, &r.Key, &r.TargetID, &r.TargetVersion, &pl)
	r.Values, r.Kept, r.Errors, r.DuplicateOf = pl.Values, pl.Kept, pl.Errors, pl.DuplicateOf
	return r, err
}

// Rows pages a run's planned rows in line order, keyset on the line.
func (s *ImportStore) Rows(ctx context.Context, id uuid.UUID, f imports.RowFilter, page itam.PageArgs) (itam.Page[imports.RowPlan], error) {
	var none itam.Page[imports.RowPlan]
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return none, err
	}
	args := &sqlArgs{}
	where := []string{"x.run_id = " + args.add(id)}
	if f.Actions != nil {
		acts := make([]string, len(f.Actions))
		for i, a := range f.Actions {
			switch a {
			case imports.ActionCreate, imports.ActionUpdate, imports.ActionUnchanged, imports.ActionError:
			default:
				return none, itam.Invalid("actions", "%q is not a row action", a)
			}
			acts[i] = string(a)
		}
		where = append(where, "x.action = ANY("+args.add(acts)+"::text[])")
	}
	if _, err := s.Run(ctx, id); err != nil {
		return none, err
	}
	line := func(r imports.RowPlan) string { return strconv.Itoa(r.Line) }
	return list(ctx, s.db, p.OrgID, listSpec[imports.RowPlan]{
		columns: importRowColumns, from: "import_rows x", idExpr: "x.line", idType: "integer", where: where, args: args,
		dir: itam.Asc, scan: scanImportRow, sort: sortKey[imports.RowPlan]{"x.line", "integer", line}, id: line,
	}, page)
}

// References lists a run's references by kind and name.
func (s *ImportStore) References(ctx context.Context, id uuid.UUID) ([]imports.Reference, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.Run(ctx, id); err != nil {
		return nil, err
	}
	return query(ctx, s.db, p.OrgID, `SELECT payload FROM import_references WHERE run_id = $1 ORDER BY kind, parent, name_key`,
		[]any{id}, func(row pgx.CollectableRow) (imports.Reference, error) {
			var r imports.Reference
			return r, row.Scan(&r)
		})
}
