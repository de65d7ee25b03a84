package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// requireForeignKeyViolation: err is PostgreSQL's foreign_key_violation,
// naming constraint ("": any).
func requireForeignKeyViolation(t *testing.T, err error, constraint string) {
	t.Helper()
	var pe *pgconn.PgError
	require.True(t, errors.As(err, &pe), "want a PostgreSQL error, got %v", err)
	require.Equal(t, "23503", pe.Code, pe.Message)
	if constraint != "" {
		require.Equal(t, constraint, pe.ConstraintName, pe.Message)
	}
}

// TestFieldProvenanceKeepsItsAsset: field_provenance's key to assets is a
// check per statement (migration 00040), and does what the foreign key
// did: a row naming no asset of its organization fails the statement
// with foreign_key_violation, and nothing of it stays; re-pointing a row
// at no asset fails too; deleting an asset deletes its provenance; an
// asset's key cannot change.
func TestFieldProvenanceKeepsItsAsset(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := context.Background()
	mine := f.newAsset(f.a, nil)
	theirs := f.newAsset(f.b, nil)
	insert := `INSERT INTO field_provenance (org_id, asset_id, field, source, observed_at)
		SELECT $1, x, 'name', 'import', now() FROM unnest($2::uuid[]) x`

	for _, assets := range [][]uuid.UUID{
		{mine.ID, uuid.New()}, // no such asset
		{theirs.ID},           // another organization's asset
		{mine.ID, theirs.ID},  // another organization's, among mine
	} {
		err := f.asApp(f.a.id, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, insert, f.a.id, assets)
			return err
		})
		requireForeignKeyViolation(t, err, "field_provenance_org_id_asset_id_fkey")
		requireCode(t, mapError(err), itam.CodeInvalid, "assetId") // as the foreign key's error maps
	}
	// The owner bypasses row-level security; the check does not.
	_, err := f.owner.Exec(ctx, insert, f.a.id, []uuid.UUID{theirs.ID})
	requireForeignKeyViolation(t, err, "field_provenance_org_id_asset_id_fkey")
	require.Zero(t, f.countWhere(`SELECT count(*) FROM field_provenance WHERE asset_id = ANY($1)`, []uuid.UUID{mine.ID, theirs.ID}))

	f.exec(insert, f.a.id, []uuid.UUID{mine.ID})
	_, err = f.owner.Exec(ctx, `UPDATE field_provenance SET asset_id = $2 WHERE asset_id = $1`, mine.ID, uuid.New())
	requireForeignKeyViolation(t, err, "field_provenance_org_id_asset_id_fkey")
	_, err = f.owner.Exec(ctx, `UPDATE field_provenance SET org_id = $2 WHERE asset_id = $1`, mine.ID, f.b.id)
	requireForeignKeyViolation(t, err, "field_provenance_org_id_asset_id_fkey")

	// Refused (asset_key_is_fixed, and before it the keys of the asset's
	// other records).
	for _, set := range []string{"id = gen_random_uuid()", "org_id = $2::uuid, asset_tag = 'MOVED-1'"} {
		_, err = f.owner.Exec(ctx, `UPDATE assets SET `+set+` WHERE id = $1 AND $2::uuid IS NOT NULL`, mine.ID, f.b.id)
		requireForeignKeyViolation(t, err, "")
	}
	f.exec(`DELETE FROM asset_signs_of_life WHERE asset_id = $1`, mine.ID)
	_, err = f.owner.Exec(ctx, `UPDATE assets SET id = gen_random_uuid() WHERE id = $1`, mine.ID)
	require.ErrorContains(t, err, "never changes", "with no other record naming it")

	f.exec(insert, f.b.id, []uuid.UUID{theirs.ID})
	f.exec(`DELETE FROM assets WHERE id = $1`, mine.ID)
	require.Zero(t, f.countWhere(`SELECT count(*) FROM field_provenance WHERE asset_id = $1`, mine.ID), "the asset's provenance goes with it")
	require.Equal(t, 1, f.countWhere(`SELECT count(*) FROM field_provenance WHERE asset_id = $1`, theirs.ID), "and only its")
}

// TestFieldProvenanceCheckLocksTheAsset: the check locks the assets it
// finds, as the foreign key's check did, so an asset cannot be deleted
// under provenance being written for it: the delete waits for the writer,
// then deletes what it committed too. No row is left naming no asset.
func TestFieldProvenanceCheckLocksTheAsset(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := context.Background()
	a := f.newAsset(f.a, nil)

	writer, err := f.owner.Begin(ctx)
	require.NoError(t, err)
	defer writer.Rollback(ctx) //nolint:errcheck // after Commit a no-op
	_, err = writer.Exec(ctx, `INSERT INTO field_provenance (org_id, asset_id, field, source, observed_at) VALUES ($1, $2, 'name', 'import', now())`, f.a.id, a.ID)
	require.NoError(t, err)
	var writerPID int
	require.NoError(t, writer.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&writerPID))

	deleted := make(chan error, 1)
	go func() {
		_, err := f.owner.Exec(ctx, `DELETE FROM assets WHERE id = $1`, a.ID)
		deleted <- err
	}()
	// The delete is blocked by the writer's lock on the asset (waited for
	// in pg_locks, not by a sleep).
	require.Eventually(t, func() bool {
		var blocked bool
		require.NoError(t, f.owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE $1 = ANY(pg_blocking_pids(pid)) AND query LIKE 'DELETE FROM assets%')`, writerPID).Scan(&blocked))
		return blocked
	}, 10*time.Second, 10*time.Millisecond, "the delete waits for the writer")
	select {
	case err := <-deleted:
		t.Fatalf("the delete did not wait: %v", err)
	default:
	}
	require.NoError(t, writer.Commit(ctx))
	require.NoError(t, <-deleted)
	require.Zero(t, f.countWhere(`SELECT count(*) FROM assets WHERE id = $1`, a.ID))
	require.Zero(t, f.countWhere(`SELECT count(*) FROM field_provenance WHERE asset_id = $1`, a.ID), "the delete took the committed provenance with it")
}
