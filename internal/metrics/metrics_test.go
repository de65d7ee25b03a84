package metrics

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOperationLabelIsBounded: the first names up to the limit keep their
// label, every later one is "other", and a kept name stays kept.
func TestOperationLabelIsBounded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		max   int
		names int
		want  int // distinct labels
	}{
		{"default limit", -1, 300, DefaultMaxOperations + 1},
		{"under the limit", 10, 5, 5},
		{"small limit", 3, 300, 4},
		{"no names kept", 0, 10, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var opts []Option
			if tc.max >= 0 {
				opts = append(opts, WithMaxOperations(tc.max))
			}
			m := New(nil, opts...)
			labels := map[string]bool{}
			for i := range tc.names {
				labels[m.OperationLabel(fmt.Sprintf("Op%d", i))] = true
			}
			require.Len(t, labels, tc.want)
			if tc.max != 0 {
				require.Equal(t, "Op0", m.OperationLabel("Op0"), "a kept name keeps its label")
			}
		})
	}
	long := strings.Repeat("é", 80) // 160 bytes: the cut falls inside a rune
	got := New(nil).OperationLabel(long)
	require.LessOrEqual(t, len(got), maxOperationLen)
	require.True(t, strings.HasPrefix(long, got))
}
