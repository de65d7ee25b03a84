package exports

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

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
// flush (may be nil) is called after each page. CSV streams: each page is
// written (and flushed to the client) as the next is read, so memory holds
// two pages whatever the size.
// XLSX cannot be written front to back (a zip's directory comes last and
// its sizes are known only at the end): rows go through excelize's
// StreamWriter, which spools the sheet to a temporary file rather than
// memory, and the file is written to w once the last row is in. Nothing
// reaches w before then, so an XLSX export that fails leaves w untouched.
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

// maxSheetRows is what one XLSX sheet holds besides the header.
const maxSheetRows = excelize.TotalRows - 1

func writeXLSX(ctx context.Context, w io.Writer, cols []Column, first Page, next Source, flush func()) (int, error) {
	f := excelize.NewFile()
	defer f.Close() // removes the spooled sheet
	const sheet = "Export"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	// Every cell is written as text (an inline string): never a formula,
	// and read back exactly as exported, which a date or a price typed
	// as a number would not be.
	row := make([]any, len(cols))
	for i, c := range cols {
		row[i] = c.Name
	}
	if err := sw.SetRow("A1", row); err != nil {
		return 0, err
	}
	rows := 0
	err = pages(ctx, first, next, func(p Page) error {
		if rows+len(p.Rows) > maxSheetRows {
			return itam.Invalid("format", "an XLSX sheet holds at most %d rows: narrow the filter or export CSV", maxSheetRows)
		}
		for _, r := range p.Rows {
			for i, c := range cols {
				row[i] = c.Canon(r[i])
			}
			rows++
			cell, err := excelize.CoordinatesToCellName(1, rows+1)
			if err != nil {
				return err
			}
			if err := sw.SetRow(cell, row); err != nil {
				return fmt.Errorf("xlsx row %d: %w", rows+1, err)
			}
		}
		if flush != nil {
			flush()
		}
		return nil
	})
	if err != nil {
		return rows, err
	}
	if err := sw.Flush(); err != nil {
		return rows, err
	}
	return rows, f.Write(w)
}
