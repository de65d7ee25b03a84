package graph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
)

// countingStore answers Count with n rows (capped at the limit asked, as
// the database does) and records the limits it was asked for.
type countingStore struct {
	ExportStore
	n      int
	limits []int
}

func (s *countingStore) Count(_ context.Context, _ exports.Kind, _ []byte, limit int) (int, error) {
	s.limits = append(s.limits, limit)
	return min(s.n, limit), nil
}

// TestCheckSheetRows: an XLSX export whose filter selects more rows than a
// sheet holds is refused when the link is asked for, as BAD_USER_INPUT on
// format, not cut off mid-download; the count stops one row past a
// sheet; a CSV is never counted.
func TestCheckSheetRows(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		format exports.Format
		n      int
		code   itam.Code
		counts int
	}{
		{"a full sheet", exports.FormatXLSX, exports.MaxSheetRows, "", 1},
		{"one row more than a sheet", exports.FormatXLSX, 5_000_000, itam.CodeInvalid, 1},
		{"CSV of any size", exports.FormatCSV, 5_000_000, "", 0},
	} {
		s := &countingStore{n: c.n}
		err := CheckSheetRows(context.Background(), s, exports.KindAssets, nil, c.format)
		require.Len(t, s.limits, c.counts, c.name)
		if c.code == "" {
			require.NoError(t, err, c.name)
		} else {
			require.Equal(t, c.code, itam.ErrorCode(err), c.name)
			require.ErrorContains(t, err, "narrow the filter or export CSV", c.name)
			require.Equal(t, "format", err.(*itam.Error).Field, c.name)
		}
		for _, l := range s.limits {
			require.Equal(t, exports.MaxSheetRows+1, l, c.name)
		}
	}
}
