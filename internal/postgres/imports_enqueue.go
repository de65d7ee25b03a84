package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/jobs"
)

// ImportEnqueuer inserts an import run's dry-run and commit jobs inside the
// transaction that creates the run or starts its commit, so a run is never
// PLANNING or COMMITTING without a job that moves it on. RiverEnqueuer
// implements it.
type ImportEnqueuer interface {
	EnqueueImportPlanTx(ctx context.Context, tx pgx.Tx, args jobs.ImportPlanArgs) error
	EnqueueImportCommitTx(ctx context.Context, tx pgx.Tx, args jobs.ImportCommitArgs) error
}

var _ ImportEnqueuer = RiverEnqueuer{}

// EnqueueImportPlanTx inserts the dry run of one import in tx; a job
// already active for the run (unique by run) is kept.
func (e RiverEnqueuer) EnqueueImportPlanTx(ctx context.Context, tx pgx.Tx, args jobs.ImportPlanArgs) error {
	_, err := e.Client.InsertTx(ctx, tx, args, nil)
	return err
}

// EnqueueImportCommitTx inserts the commit of one import in tx.
func (e RiverEnqueuer) EnqueueImportCommitTx(ctx context.Context, tx pgx.Tx, args jobs.ImportCommitArgs) error {
	_, err := e.Client.InsertTx(ctx, tx, args, nil)
	return err
}
