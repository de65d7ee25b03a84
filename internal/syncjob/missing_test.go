package syncjob

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// offsetSource is a Source that says whether it pages by offset; only the
// method under test is implemented.
type offsetSource struct {
	connectors.Source
	offset bool
}

func (s offsetSource) OffsetPaging() bool { return s.offset }

type keySource struct{ connectors.Source }

// TestMissingAfterFullSyncs: the worker asks MarkMissing for two
// consecutive misses from a source that pages by offset, one otherwise.
func TestMissingAfterFullSyncs(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		src  connectors.Source
		want int
	}{
		{"key paging", keySource{}, 1},
		{"offset paging", offsetSource{offset: true}, 2},
		{"implements the interface but pages by key", offsetSource{offset: false}, 1},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, missingAfterFullSyncs(tc.src), tc.name)
	}
}
