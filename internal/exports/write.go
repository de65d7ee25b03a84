package exports

import (
	"context"
	"encoding/csv"
	"io"

	"github.com/itam-dev/itam/internal/itam"
)

// PageRows is how many rows an export reads from the database at a time:
// large enough that a round trip per page is noise at 50,000 rows a
// second, small enough that a page is a few megabytes at most.
const PageRows = 5000

// Page is one batch of an export's rows, each holding a cell per selected
// column in their order, as stored (Write makes them canonical). After is
// the position to read the next page from; "" means this was the last.
type Page struct {
	Rows  [][]string
	After string
}

// Source reads the page after a position ("" for the first).
type Source func(ctx context.Context, after string) (Page, error)

// Write writes the header and every row of first and the pages after it
// to w in format, and returns how many rows it wrote.
//
// flush (may be nil) is called after each page. Both formats stream: each
// page is written (and can be flushed to the client) as the next is read,
// so memory holds two pages whatever the size. XLSX: see xlsx.go.
func Write(ctx context.Context, w io.Writer, format Format, cols []Column, first Page, next Source, flush func()) (int, error) {
	switch format {
	case FormatCSV:
		return writeCSV(ctx, w, cols, first, next, flush)
	case FormatXLSX:
		return writeXLSX(ctx, w, cols, first, next, flush)
	}
	return 0, itam.Invalid("format", "%q is not an export format", format)
}

// pages calls use with first and every page after it. The next page is
// read while use writes the current one: the database and the encoding
// then run side by side, and memory holds two pages at most.
func pages(ctx context.Context, first Page, next Source, use func(Page) error) error {
	type read struct {
		page Page
		err  error
	}
	page := first
	for {
		var ahead chan read
		if page.After != "" {
			ahead = make(chan read, 1)
			go func(after string) {
				p, err := next(ctx, after)
				ahead <- read{p, err}
			}(page.After)
		}
		if err := use(page); err != nil {
			if ahead != nil {
				<-ahead // no read outlives the export
			}
			return err
		}
		if ahead == nil {
			return nil
		}
		r := <-ahead
		if r.err != nil {
			return r.err
		}
		page = r.page
	}
}

func writeCSV(ctx context.Context, w io.Writer, cols []Column, first Page, next Source, flush func()) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(Names(cols)); err != nil {
		return 0, err
	}
	rows := 0
	rec := make([]string, len(cols))
	err := pages(ctx, first, next, func(p Page) error {
		for _, r := range p.Rows {
			for i, c := range cols {
				// A cell a spreadsheet would run as a formula is defused,
				// as in every CSV the server writes (see defuseFormula).
				rec[i] = defuseFormula(c.Canon(r[i]))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
		rows += len(p.Rows)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		if flush != nil {
			flush()
		}
		return nil
	})
	return rows, err
}
