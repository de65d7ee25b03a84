package imports

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/itam-dev/itam/internal/itam"
)

// xlsxUnzipLimit bounds how much a workbook may unpack to, so a zip bomb is
// refused instead of filling the disk. Worksheets larger than excelize's
// in-memory threshold are unpacked to temporary files and streamed.
const xlsxUnzipLimit = 1 << 30

type xlsxReader struct {
	f    *excelize.File
	rows *excelize.Rows
	// raw walks the same sheet in step with rows, giving each cell's
	// stored value: the serial number behind a date cell (see dateCells).
	raw      *excelize.Rows
	date1904 bool
	header   []string
	row      Row
	line     int
	err      error
}

// openXLSX reads the named sheet (or the first) of a workbook. The zip itself
// is held in memory (a zip's directory is at its end); the worksheet XML is
// read row by row.
func openXLSX(r io.Reader, opt ReadOptions) (Reader, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipSizeLimit: xlsxUnzipLimit})
	if err != nil {
		if errors.Is(err, excelize.ErrOptionsUnzipSizeLimit) {
			return nil, fileError("the workbook unpacks to more than %d MB", xlsxUnzipLimit>>20)
		}
		return nil, fileError("the file is not a readable XLSX workbook: %v", err)
	}
	sheets := f.GetSheetList()
	sheet := opt.Sheet
	switch {
	case sheet == "" && len(sheets) == 0:
		_ = f.Close()
		return nil, fileError("the workbook has no sheet")
	case sheet == "":
		sheet = sheets[0]
	default:
		if !contains(sheets, sheet) {
			_ = f.Close()
			return nil, missingSheet(sheet, sheets)
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		_ = f.Close()
		return nil, fileError("sheet %q cannot be read: %v", sheet, err)
	}
	raw, err := f.Rows(sheet)
	if err != nil {
		_ = rows.Close()
		_ = f.Close()
		return nil, fileError("sheet %q cannot be read: %v", sheet, err)
	}
	x := &xlsxReader{f: f, rows: rows, raw: raw}
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		x.date1904 = *props.Date1904
	}
	for x.next() {
		if blank(x.row.Cells) {
			continue
		}
		x.header = make([]string, len(x.row.Cells))
		for i, h := range x.row.Cells {
			x.header[i] = strings.TrimSpace(h)
		}
		return x, nil
	}
	err = x.err
	_ = x.Close()
	if err != nil {
		return nil, err
	}
	return nil, fileError("sheet %q has no header row", sheet)
}

func missingSheet(sheet string, sheets []string) error {
	return itam.Invalid("sheet", "the workbook has no sheet %q (it has: %s)", sheet, strings.Join(sheets, ", "))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// next reads the following worksheet row, blank or not. excelize yields the
// rows a sheet skips as empty ones, so counting calls gives the row number.
func (x *xlsxReader) next() bool {
	if x.err != nil || !x.rows.Next() {
		if x.err == nil && x.rows.Error() != nil {
			x.err = fileError("row %d: %v", x.line+1, x.rows.Error())
		}
		return false
	}
	x.line++
	cells, err := x.rows.Columns()
	if err != nil {
		x.err = fileError("row %d: %v", x.line, err)
		return false
	}
	if !x.raw.Next() {
		x.err = fileError("row %d: the sheet ended early", x.line)
		return false
	}
	raw, err := x.raw.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		x.err = fileError("row %d: %v", x.line, err)
		return false
	}
	x.dateCells(cells, raw)
	x.row = Row{Line: x.line, Cells: cells}
	return true
}

// dateCells rewrites the cells a date format shows as dates to ISO
// YYYY-MM-DD (with the time when there is one), read from the serial
// number the cell stores. A date cell's shown text is whatever its number
// format says: Excel's built-in short date shows 31 December 2024 as
// "12-31-24", whose two-digit year and month-first order ParseDate rightly
// refuses to guess at, while the stored number says exactly which day it
// is. A cell counts as a date when its stored value is a number (or an ISO
// timestamp) and its shown text has a date's shape (three numbers joined
// by - / or ., or a month's name): a price or a percentage never has.
func (x *xlsxReader) dateCells(cells, raw []string) {
	for i, shown := range cells {
		if i >= len(raw) || raw[i] == shown || !looksLikeDate(shown) {
			continue
		}
		if t, ok := x.cellTime(raw[i]); ok {
			if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
				cells[i] = t.Format("2006-01-02")
			} else {
				cells[i] = t.Format("2006-01-02 15:04:05")
			}
		}
	}
}

// cellTime reads a date cell's stored value: a serial number (days since
// the workbook's epoch) or an ISO timestamp (cells of type "d").
func (x *xlsxReader) cellTime(raw string) (time.Time, bool) {
	if f, err := strconv.ParseFloat(raw, 64); err == nil {
		if f < 1 {
			return time.Time{}, false // a time of day, not a date
		}
		t, err := excelize.ExcelDateToTime(f, x.date1904)
		if err != nil {
			return time.Time{}, false
		}
		// Serials are fractions of days: round to the second.
		return t.Round(time.Second), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05Z"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// monthNames are what a date format shows months as.
var monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// looksLikeDate reports whether a formatted cell reads as a date: three
// numbers joined by a date separator ("12-31-24", "31/12/2024",
// "2024.12.31", optionally followed by a time), or a month's name
// ("31-Dec-24", "Dec-24", "December 31, 2024").
func looksLikeDate(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return false
	}
	datePart, _, _ := strings.Cut(s, " ")
	if splitDate(datePart) != nil {
		return true
	}
	for _, m := range monthNames {
		if strings.Contains(s, m) && strings.IndexFunc(s, unicode.IsDigit) >= 0 {
			return true
		}
	}
	return false
}

func (x *xlsxReader) Header() []string { return x.header }
func (x *xlsxReader) Row() Row         { return x.row }
func (x *xlsxReader) Err() error       { return x.err }

func (x *xlsxReader) Next() bool {
	for x.next() {
		if !blank(x.row.Cells) {
			return true
		}
	}
	return false
}

func (x *xlsxReader) Close() error {
	err := x.rows.Close()
	if rerr := x.raw.Close(); err == nil {
		err = rerr
	}
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}
