package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
)

// TestStatementTimeout: a request's statement that outlives
// ITAM_STATEMENT_TIMEOUT is cancelled by PostgreSQL and reported as TIMEOUT
// (never INTERNAL), on the pipelined read path and in transactions alike,
// while the job path (ForJobs, used by the sync store) keeps its own longer
// timeout so a long page apply is not killed by the request budget.
func TestStatementTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	// pg_sleep(5) always outlives 100ms however slow the machine, and
	// pg_sleep(0.3) always outlives 100ms but never 1 minute.
	// One connection, so the SHOW below runs where the transactions ran: a
	// session-wide setting would show there, whatever the pool hands out.
	db, err := Open(ctx, url, nil, StatementTimeout(100*time.Millisecond), JobStatementTimeout(time.Minute), MaxConns(1))
	require.NoError(t, err)
	t.Cleanup(db.Close)
	org := uuid.New()
	scan := func(pgx.CollectableRow) (int, error) { return 1, nil }

	_, err = query(ctx, db, org, `SELECT pg_sleep($1)`, []any{5.0}, scan)
	require.Equal(t, itam.CodeTimeout, itam.ErrorCode(err), "read: %v", err)

	err = db.inTx(ctx, org, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_sleep(5)`)
		return err
	})
	require.Equal(t, itam.CodeTimeout, itam.ErrorCode(err), "transaction: %v", err)

	jobs := db.ForJobs()
	require.NoError(t, jobs.inTx(ctx, org, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pg_sleep(0.3)`)
		return err
	}), "a job transaction gets the job timeout")
	require.Equal(t, db.jobTimeout, NewSyncStore(db).db.timeout, "sync stores run under the job timeout")

	// The setting is transaction-local: the pool's connections do not keep it.
	var setting string
	require.NoError(t, db.Pool.QueryRow(ctx, `SHOW statement_timeout`).Scan(&setting))
	require.Equal(t, "0", setting)

	// A disabled timeout lets the same statement finish.
	off, err := Open(ctx, url, nil, StatementTimeout(0))
	require.NoError(t, err)
	t.Cleanup(off.Close)
	_, err = query(ctx, off, org, `SELECT pg_sleep($1)`, []any{0.3}, scan)
	require.NoError(t, err)
}

func TestMillis(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{{0, "0"}, {-time.Second, "0"}, {time.Microsecond, "1"}, {5 * time.Second, "5000"}} {
		require.Equal(t, tc.want, millis(tc.d), tc.d)
	}
}
