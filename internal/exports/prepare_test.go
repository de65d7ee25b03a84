package exports

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// countingStore answers Count with n rows (capped at the limit asked, as
// the database does) and records the limits it was asked for.
type countingStore struct {
	n      int
	opened int
	limits []int
}

func (s *countingStore) Open(context.Context, Kind, []byte, []string) (Source, error) {
	s.opened++
	return func(context.Context, string) (Page, error) { return Page{}, nil }, nil
}

func (s *countingStore) Count(_ context.Context, _ Kind, _ []byte, limit int) (int, error) {
	s.limits = append(s.limits, limit)
	return min(s.n, limit), nil
}

// TestPrepareChecksSheetRows: an XLSX export whose filter selects more rows
// than a sheet holds is refused before anything is written, as
// BAD_USER_INPUT on format, not cut off mid-download; the count stops one
// row past a sheet; a CSV is never counted; the filter is always opened.
func TestPrepareChecksSheetRows(t *testing.T) {
	t.Parallel()
	p := itam.Principal{Role: itam.RoleAuditor, Subject: "auditor"}
	for _, c := range []struct {
		name   string
		format Format
		n      int
		code   itam.Code
		counts int
	}{
		{"a full sheet", FormatXLSX, MaxSheetRows, "", 1},
		{"one row more than a sheet", FormatXLSX, 5_000_000, itam.CodeInvalid, 1},
		{"CSV of any size", FormatCSV, 5_000_000, "", 0},
	} {
		s := &countingStore{n: c.n}
		cols, src, err := Prepare(context.Background(), s, p, KindAssets, nil, nil, c.format)
		require.Equal(t, 1, s.opened, c.name)
		require.Len(t, s.limits, c.counts, c.name)
		if c.code == "" {
			require.NoError(t, err, c.name)
			require.NotEmpty(t, cols, c.name)
			require.NotNil(t, src, c.name)
		} else {
			require.Equal(t, c.code, itam.ErrorCode(err), c.name)
			require.ErrorContains(t, err, "narrow the filter or export CSV", c.name)
			require.Equal(t, "format", err.(*itam.Error).Field, c.name)
		}
		for _, l := range s.limits {
			require.Equal(t, MaxSheetRows+1, l, c.name)
		}
	}
}
