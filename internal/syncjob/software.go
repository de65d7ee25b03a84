package syncjob

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/postgres"
)

// NormalizeWorker re-resolves an organization's software installations
// after its title rules changed (postgres.SoftwareRuleStore.Normalize).
type NormalizeWorker struct {
	river.WorkerDefaults[jobs.NormalizeArgs]
	rules   *postgres.SoftwareRuleStore
	timeout time.Duration
}

// Timeout keeps an attempt shorter than River's rescue delay, so a running
// normalization is never taken for dead and started twice.
func (w *NormalizeWorker) Timeout(*river.Job[jobs.NormalizeArgs]) time.Duration { return w.timeout }

// Work runs the normalization as the organization's system actor. The last
// failed attempt ends the run as FAILED; earlier ones leave it for the retry.
func (w *NormalizeWorker) Work(ctx context.Context, job *river.Job[jobs.NormalizeArgs]) error {
	ctx = withPrincipalOf(ctx, worker(job.Args.OrgID, "software-normalization", itam.ActorSystem))
	err := w.rules.Normalize(ctx, job.Args.RunID)
	if err != nil && job.Attempt >= job.MaxAttempts {
		// A fresh context: the attempt's may be what expired.
		fctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		fctx = withPrincipalOf(fctx, ctx)
		_ = w.rules.FailRun(fctx, job.Args.RunID, fmt.Sprintf("re-normalization failed after %d attempts; the server log has the cause", job.Attempt))
	}
	return err
}
