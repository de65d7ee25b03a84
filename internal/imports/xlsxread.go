package imports

import (
	"errors"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/itam-dev/itam/internal/itam"
)

// xlsxUnzipLimit bounds how much a workbook may unpack to, so a zip bomb is
// refused instead of filling the disk. Worksheets larger than excelize's
// in-memory threshold are unpacked to temporary files and streamed.
const xlsxUnzipLimit = 1 << 30

type xlsxReader struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	row    Row
	line   int
	err    error
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
	x := &xlsxReader{f: f, rows: rows}
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
	x.row = Row{Line: x.line, Cells: cells}
	return true
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
	if cerr := x.f.Close(); err == nil {
		err = cerr
	}
	return err
}
