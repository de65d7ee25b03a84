package importjob

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// Commit applies the plan of a COMMITTING run (any other status: a
// duplicate job, nothing to do). A plan of up to ChunkedCommitRows rows is
// applied in one transaction, so an interruption leaves nothing; a larger
// one in transactions of CommitChunkRows rows, each advancing the run's
// cursor, so an interrupted commit resumes after the last committed chunk
// (the store creates the references with the first). When a row's record
// changed since the dry run the store refuses the chunk (CONFLICT): the run
// ends STALE with the store's message naming the row, and nothing of that
// chunk is written. A CONFLICT on "status" is the run no longer being
// COMMITTING (a duplicate job finished it): nothing to do.
func (r *Runner) Commit(ctx context.Context, org, id uuid.UUID) error {
	ctx = AsRun(ctx, org, id)
	run, err := r.Store.Run(ctx, id)
	if itam.ErrorCode(err) == itam.CodeNotFound {
		r.log().WarnContext(ctx, "import: commit of a run that no longer exists", "run", id)
		return nil
	}
	if err != nil {
		return err
	}
	if run.Status != imports.StatusCommitting {
		return nil
	}
	rows := run.Totals.Rows
	if run.SkipInvalid {
		rows -= run.Totals.Error // skipped, never applied
	}
	limit := 0
	if rows > r.chunkedFrom() {
		limit = r.commitChunk()
	}
	for {
		done, err := r.Store.CommitChunk(ctx, id, limit)
		var e *itam.Error
		if errors.As(err, &e) && e.Code == itam.CodeConflict {
			if e.Field == "status" {
				return nil // another job ended the run meanwhile
			}
			return r.Store.FailRun(ctx, id, imports.StatusStale, staleMessage(e))
		}
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if limit == 0 {
			return fmt.Errorf("import %s: the store left rows after an unlimited commit chunk", id)
		}
		if r.afterCommitChunk != nil {
			r.afterCommitChunk(ctx, id)
		}
		if err := ctx.Err(); err != nil {
			return err // the next attempt resumes from the cursor
		}
	}
}

// staleAdvice ends a STALE run's message: what the caller does next.
const staleAdvice = "start a new dry run"

// staleMessage is the store's refusal ("row N: asset X changed since the
// dry run") with what to do about it.
func staleMessage(e *itam.Error) string {
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = "a row's record changed since the dry run"
	}
	if strings.Contains(msg, staleAdvice) {
		return msg
	}
	return strings.TrimRight(msg, ".;") + "; " + staleAdvice
}
