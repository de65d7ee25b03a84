package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// sanitizationTenantRows gives o a sanitization record, through a disposal
// (rls_test.go tenantRows).
func sanitizationTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	a := f.newAsset(o, func(in *itam.AssetInput) { in.SerialNumber = ptr("RLS-WIPE-1") })
	_, err := f.assets.TransitionAsset(f.admin(o), a.ID, itam.StatusRetired, nil)
	require.NoError(f.t, err)
	_, err = f.assets.DisposeAsset(f.admin(o), a.ID, itam.Disposal{Date: time.Now(), Method: itam.DisposalRecycled,
		Sanitization: &itam.Sanitization{Method: itam.SanitizationPurge, PerformedAt: time.Now().Add(-time.Hour), VerifiedBy: "rls@test"}}, nil)
	require.NoError(f.t, err)
}

// TestDisposeWritesNothingWhenRefused: a disposal the rules refuse leaves
// no sanitization record behind, and one they accept writes exactly one
// with the asset's DISPOSE history entry.
func TestDisposeWritesNothingWhenRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.exec(`UPDATE categories SET has_storage = true WHERE id = $1`, f.a.laptops)
	a := f.newAsset(f.a, nil)
	_, err := f.assets.TransitionAsset(f.admin(f.a), a.ID, itam.StatusRetired, nil)
	require.NoError(t, err)
	wipe := &itam.Sanitization{Method: itam.SanitizationClear, PerformedAt: time.Now(), VerifiedBy: "it@test"}
	_, err = f.assets.DisposeAsset(f.admin(f.a), a.ID, itam.Disposal{Date: time.Now(), Method: itam.DisposalRecycled}, nil)
	requireCode(t, err, itam.CodeInvalid, "sanitization")
	_, err = f.assets.DisposeAsset(f.admin(f.a), a.ID, itam.Disposal{Date: time.Now().AddDate(0, 0, 3), Method: itam.DisposalRecycled, Sanitization: wipe}, nil)
	requireCode(t, err, itam.CodeInvalid, "date")
	require.Zero(t, f.count("sanitization_records", f.a.id))
	_, err = f.assets.DisposeAsset(as(f.a.id, itam.RoleAuditor, "audit@test"), a.ID, itam.Disposal{Date: time.Now(), Method: itam.DisposalRecycled, Sanitization: wipe}, nil)
	requireCode(t, err, itam.CodeForbidden, "")
	d, err := f.assets.DisposeAsset(f.admin(f.a), a.ID, itam.Disposal{Date: time.Now(), Method: itam.DisposalRecycled, Sanitization: wipe}, nil)
	require.NoError(t, err)
	require.Equal(t, itam.StatusDisposed, d.Status)
	recs, err := NewSanitizationStore(f.db).SanitizationsOfAssets(f.admin(f.a), []uuid.UUID{a.ID})
	require.NoError(t, err)
	require.Equal(t, "admin@test", recs[a.ID].RecordedBy)
	recs, err = NewSanitizationStore(f.db).SanitizationsOfAssets(as(f.a.id, itam.RoleEmployee, "alice@example.com"), []uuid.UUID{a.ID})
	require.NoError(t, err)
	require.Empty(t, recs, "an EMPLOYEE reads no sanitization records")
}

// TestHistoryRefTypesMatchSQL: the reference fields the API turns into
// global ids (itam.RefTypes) are the ones migration 00025 labels, each to
// the same type, and every one has a global id.
func TestHistoryRefTypesMatchSQL(t *testing.T) {
	t.Parallel()
	_, owner := openTestDB(t)
	for field, typ := range itam.RefTypes {
		var got *string
		require.NoError(t, owner.QueryRow(context.Background(), `SELECT itam.history_ref_type($1)`, field).Scan(&got))
		require.NotNil(t, got, field)
		require.Equal(t, typ, *got, field)
		require.NotPanics(t, func() { relay.ID(typ, uuid.New()) }, typ)
	}
	var got *string
	require.NoError(t, owner.QueryRow(context.Background(), `SELECT itam.history_ref_type('name')`).Scan(&got))
	require.Nil(t, got)
}
