package connectors

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPageRequestOffset(t *testing.T) {
	t.Parallel()
	cases := []struct {
		cursor string
		want   int
		ok     bool
	}{
		{"", 0, true}, {"0", 0, true}, {"300", 300, true}, {"-1", 0, false}, {"x", 0, false}, {"1.5", 0, false},
	}
	for _, tc := range cases {
		n, ok := PageRequest{Cursor: tc.cursor}.Offset()
		require.Equal(t, tc.ok, ok, tc.cursor)
		if ok {
			require.Equal(t, tc.want, n, tc.cursor)
		}
	}
}
