package exports

import (
	"context"

	"github.com/itam-dev/itam/internal/itam"
)

// Store opens the rows an export names and counts them
// (internal/postgres.ExportStore).
type Store interface {
	Open(ctx context.Context, kind Kind, filter []byte, columns []string) (Source, error)
	// Count counts the rows the filter selects, up to limit.
	Count(ctx context.Context, kind Kind, filter []byte, limit int) (int, error)
}

// Prepare is what every export does before its first byte, for the API's
// link and the command line alike: the columns p may read, the filter
// opened once (so one the database would refuse fails now, not at the
// download), and an XLSX refused when the filter selects more rows than a
// sheet holds. CSV is never counted.
func Prepare(ctx context.Context, store Store, p itam.Principal, kind Kind, names []string, filter []byte, format Format) ([]Column, Source, error) {
	cols, err := Select(p, kind, names)
	if err != nil {
		return nil, nil, err
	}
	src, err := store.Open(ctx, kind, filter, Names(cols))
	if err != nil {
		return nil, nil, err
	}
	if format == FormatXLSX {
		n, err := store.Count(ctx, kind, filter, MaxSheetRows+1)
		if err != nil {
			return nil, nil, err
		}
		if err := CheckSheetRows(format, n); err != nil {
			return nil, nil, err
		}
	}
	return cols, src, nil
}
