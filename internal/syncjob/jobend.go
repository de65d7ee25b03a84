package syncjob

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/itam-dev/itam/internal/jobs"
)

// endJobTx returns what FinishRunTx runs in the transaction that ends a
// run: it sets the running job to its final state (completed, cancelled or
// discarded) in the same transaction, as river.JobCompleteTx does for
// completion, so a run never ends while its job still looks active (which
// made the next syncConnector answer CONFLICT for a moment) and a job never
// ends while its run looks active. When the worker then returns, River
// finds the job no longer running and leaves it as set here.
func endJobTx(ctx context.Context, job *river.Job[jobs.SyncArgs], state rivertype.JobState, cause error) func(pgx.Tx) error {
	return func(tx pgx.Tx) error {
		client, err := river.ClientFromContextSafely[pgx.Tx](ctx)
		if err != nil {
			return nil // worked outside a client (tests calling Work): nothing to end
		}
		now := time.Now()
		var errData []byte
		if cause != nil {
			if errData, err = json.Marshal(rivertype.AttemptError{At: now, Attempt: job.Attempt, Error: cause.Error()}); err != nil {
				return err
			}
		}
		var p *riverdriver.JobSetStateIfRunningParams
		switch state {
		case rivertype.JobStateCompleted:
			p = riverdriver.JobSetStateCompleted(job.ID, now, nil)
		case rivertype.JobStateCancelled:
			p = riverdriver.JobSetStateCancelled(job.ID, now, errData, nil)
		case rivertype.JobStateDiscarded:
			p = riverdriver.JobSetStateDiscarded(job.ID, now, errData, nil)
		default:
			return fmt.Errorf("syncjob: a job does not end %s", state)
		}
		_, err = client.Pilot().JobSetStateIfRunningMany(ctx, client.Driver().UnwrapExecutor(tx), &riverdriver.JobSetStateIfRunningManyParams{
			ID:              []int64{p.ID},
			Attempt:         []*int{p.Attempt},
			ErrData:         [][]byte{p.ErrData},
			FinalizedAt:     []*time.Time{p.FinalizedAt},
			MetadataDoMerge: []bool{false},
			MetadataUpdates: [][]byte{nil},
			ScheduledAt:     []*time.Time{p.ScheduledAt},
			State:           []rivertype.JobState{p.State},
		})
		return err
	}
}
