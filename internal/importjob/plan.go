package importjob

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// Plan runs the dry run of a PLANNING run (any other status: a duplicate
// job, nothing to do): it streams the run's file, maps its header (the
// caller's mapping, else the automatic one), and plans the rows chunk by
// chunk, each against a snapshot of exactly what that chunk names; the run
// ends READY with its references and totals. Amounts written without a
// currency are in the caller's DefaultCurrency, else the organization's. A file or mapping the caller
// got wrong ends the run FAILED with a plain message and returns nil (a
// retry would fail the same way); any other error is returned for River to
// retry, and the retry starts over (ResetPlan).
func (r *Runner) Plan(ctx context.Context, org, id uuid.UUID) error {
	err := r.plan(AsRun(ctx, org, id), id)
	var e *itam.Error
	if errors.As(err, &e) && e.Code == itam.CodeConflict && e.Field == "status" {
		return nil // the run left PLANNING meanwhile: a duplicate job planned or ended it
	}
	return err
}

func (r *Runner) plan(ctx context.Context, id uuid.UUID) error {
	run, err := r.Store.Run(ctx, id)
	if itam.ErrorCode(err) == itam.CodeNotFound {
		r.log().WarnContext(ctx, "import: dry run of a run that no longer exists", "run", id)
		return nil
	}
	if err != nil {
		return err
	}
	if run.Status != imports.StatusPlanning {
		return nil
	}
	f, err := r.Store.OpenFile(ctx, id)
	if err != nil {
		return err
	}
	defer f.Close()
	rd, err := imports.Open(f, run.FileName, imports.ReadOptions{Sheet: run.Options.Sheet})
	if err != nil {
		return r.failIfCallers(ctx, id, err)
	}
	defer rd.Close()
	headers := rd.Header()
	m := mappingFor(run, headers)
	if err := m.Validate(run.Kind, len(headers)); err != nil {
		// Record the header and what matched automatically, so the report
		// shows the caller what there is to map.
		if rerr := r.Store.ResetPlan(ctx, id, headers, imports.AutoMap(run.Kind, headers)); rerr != nil {
			return rerr
		}
		return r.failIfCallers(ctx, id, err)
	}
	if err := r.Store.ResetPlan(ctx, id, headers, m); err != nil {
		return err
	}
	opts := run.Options
	if opts.DefaultCurrency == "" && r.Orgs != nil {
		org, err := r.Orgs.Organization(ctx)
		if err != nil {
			return err
		}
		opts.DefaultCurrency = org.DefaultCurrency
	}
	p, err := imports.NewPlanner(run.Kind, headers, m, opts)
	if err != nil {
		return r.failIfCallers(ctx, id, err)
	}
	n := r.planChunk()
	chunk := make([]imports.Row, 0, n)
	done := 0
	flush := func() error {
		snap, err := r.Store.LoadSnapshot(ctx, run.Kind, p.Needs(chunk))
		if err != nil {
			return err
		}
		plans := p.Plan(chunk, snap)
		done += len(chunk)
		if err := r.Store.SavePlanChunk(ctx, id, plans, done); err != nil {
			return err
		}
		clear(chunk) // let the chunk's cells go before the next one is read
		chunk = chunk[:0]
		return nil
	}
	for rd.Next() {
		chunk = append(chunk, rd.Row())
		if len(chunk) == n {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := rd.Err(); err != nil {
		return r.failIfCallers(ctx, id, err)
	}
	if len(chunk) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	return r.Store.FinishPlan(ctx, id, p.References(), p.Totals())
}

// mappingFor is the caller's mapping when they gave one, else the automatic
// one. Columns a caller's mapping leaves out are listed as unmapped, so
// the report names every column the import ignores.
func mappingFor(run *imports.Run, headers []string) imports.Mapping {
	if len(run.Mapping.Columns) == 0 {
		return imports.AutoMap(run.Kind, headers)
	}
	m := run.Mapping
	if len(m.Unmapped) == 0 {
		for c := range headers {
			if _, ok := m.Columns[c]; !ok {
				m.Unmapped = append(m.Unmapped, c)
			}
		}
	}
	return m
}

// failIfCallers ends the run FAILED when err is about what the caller sent
// (the file, the mapping, the options: BAD_USER_INPUT) and returns nil, the
// job being done; any other error is returned for a retry.
func (r *Runner) failIfCallers(ctx context.Context, id uuid.UUID, err error) error {
	var e *itam.Error
	if !errors.As(err, &e) || e.Code != itam.CodeInvalid {
		return err
	}
	return r.Store.FailRun(ctx, id, imports.StatusFailed, plainMessage(e))
}

// plainMessage is an input error as a sentence for the run's report: the
// message, and which input it is about when that is not the file itself.
func plainMessage(e *itam.Error) string {
	if e.Field == "" || e.Field == "file" {
		return e.Message
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Message)
}
