package lifecycle

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestImported(t *testing.T) {
	cases := []struct {
		to       itam.AssetStatus
		assigned bool
		ok       bool
	}{
		{itam.StatusInStock, false, true},
		{itam.StatusInStock, true, false},
		{itam.StatusOrdered, true, false},
		{itam.StatusRetired, false, true},
		{itam.StatusRetired, true, false},
		{itam.StatusInRepair, true, true},
		{itam.StatusLost, false, true},
		{itam.StatusOrdered, false, true},
		{itam.StatusDeployed, true, true},
		{itam.StatusDeployed, false, false},
		{itam.StatusDisposed, false, false},
		{"SHELVED", false, false},
	}
	for _, c := range cases {
		err := Imported(c.to, c.assigned)
		require.Equal(t, c.ok, err == nil, "%s assigned=%v: %v", c.to, c.assigned, err)
	}
}

func TestImportedHolder(t *testing.T) {
	require.False(t, ImportedHolder(itam.StatusRetired))
	require.False(t, ImportedHolder(itam.StatusInStock))
	require.True(t, ImportedHolder(itam.StatusOrdered))
	require.True(t, ImportedHolder(itam.StatusInRepair))
	require.True(t, ImportedHolder(itam.StatusDeployed))
}
