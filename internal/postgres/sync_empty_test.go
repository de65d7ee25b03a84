package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestSyncEmptyValuesKeepFields: a source reporting no value never clears a
// field, neither the one it set itself nor an unlocked manual value it
// outranks (the existing co-managed test only covers a lower-ranked source).
func TestSyncEmptyValuesKeepFields(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	ctx := f.admin(f.a)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)

	f.apply(f.a, jamf, mac("j1", "C02EMPTY1", ""))
	a := f.assetBySerial(f.a, "C02EMPTY1")
	require.Equal(t, "Mac j1", *a.Name)

	// Jamf set the name; Jamf now reports none: the name stays.
	d := mac("j1", "C02EMPTY1", "")
	d.Name = "   "
	res := f.apply(f.a, jamf, d)
	require.Equal(t, PageResult{Unchanged: 1}, res)
	a = f.assetBySerial(f.a, "C02EMPTY1")
	require.NotNil(t, a.Name)
	require.Equal(t, "Mac j1", *a.Name)

	// A person renames it and unlocks the field, so Jamf (which outranks
	// manual for names) may overwrite it, but not with nothing.
	a, err := f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, Name: itam.Some("Alice's laptop")})
	require.NoError(t, err)
	require.NoError(t, f.assets.UnlockAssetField(ctx, a.ID, "name"))
	res = f.apply(f.a, jamf, d)
	require.Equal(t, PageResult{Unchanged: 1}, res)
	a = f.assetBySerial(f.a, "C02EMPTY1")
	require.Equal(t, "Alice's laptop", *a.Name)

	// With a name, Jamf does take it over: the field really was unlocked.
	d.Name = "Renamed in Jamf"
	f.apply(f.a, jamf, d)
	a = f.assetBySerial(f.a, "C02EMPTY1")
	require.Equal(t, "Renamed in Jamf", *a.Name)
}
