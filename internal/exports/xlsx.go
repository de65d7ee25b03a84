package exports

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/internal/itam"
)

// An XLSX file is a zip of XML parts. excelize's StreamWriter spools a
// sheet to a temporary file but then builds the whole zip in memory
// (File.Write goes through WriteToBuffer), so a million rows would hold
// the compressed workbook in RAM. The workbook an export needs is one
// sheet of text cells, and its parts are small and fixed: writing them
// here lets the sheet stream into the zip (archive/zip writes each entry
// front to back, sizes after the data) page by page, like CSV. The tests
// read the files back with excelize.

// MaxSheetRows is how many rows one XLSX sheet holds besides the header
// (Excel's 1,048,576 rows a sheet).
const MaxSheetRows = 1048576 - 1

// CheckSheetRows refuses an XLSX export of more rows than a sheet holds,
// n being the rows the filter selects (counted up to MaxSheetRows+1).
// Checked when the link is made, so the caller hears why instead of
// getting a download cut off after a million rows; the writer checks again
// for rows added since.
func CheckSheetRows(format Format, n int) error {
	if format == FormatXLSX && n > MaxSheetRows {
		return errTooManyRows()
	}
	return nil
}

func errTooManyRows() error {
	return itam.Invalid("format", "an XLSX sheet holds at most %d rows and the filter selects more: narrow the filter or export CSV", MaxSheetRows)
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// xlsxParts are the workbook's fixed parts, in the order they are written.
var xlsxParts = []struct{ name, body string }{
	{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`</Types>`},
	{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
		`</Relationships>`},
	{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ` +
		`xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		`<sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>`},
	{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>` +
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>` +
		`</Relationships>`},
	{"xl/styles.xml", `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`},
}

// columnLetters returns the letters of the first n columns (A … Z, AA …).
func columnLetters(n int) []string {
	out := make([]string, n)
	for i := range n {
		s := ""
		for c := i + 1; c > 0; c = (c - 1) / 26 {
			s = string(rune('A'+(c-1)%26)) + s
		}
		out[i] = s
	}
	return out
}

// xlsxRow writes one row of inline-string cells (empty cells left out):
// text, never a formula, and read back exactly as written.
func xlsxRow(w io.Writer, n int, letters []string, cells []string) error {
	r := strconv.Itoa(n)
	if _, err := io.WriteString(w, `<row r="`+r+`">`); err != nil {
		return err
	}
	for i, v := range cells {
		if v == "" {
			continue
		}
		if _, err := io.WriteString(w, `<c r="`+letters[i]+r+`" t="inlineStr"><is><t xml:space="preserve">`); err != nil {
			return err
		}
		if err := xml.EscapeText(w, []byte(xstring(v))); err != nil {
			return err
		}
		if _, err := io.WriteString(w, `</t></is></c>`); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, `</row>`)
	return err
}

// xstring escapes v as a spreadsheet's text (ECMA-376 ST_Xstring) holds
// it: a reader turns _xHHHH_ into the character HHHH, so the underscore of
// a literal _xHHHH_ is written _x005F_; a character XML cannot carry (most
// control characters, U+FFFE, U+FFFF) is written _xHHHH_ rather than lost
// to the U+FFFD xml.EscapeText puts in its place. Either way the cell reads
// back exactly as stored, and a re-import finds nothing changed.
func xstring(v string) string {
	if !strings.ContainsFunc(v, func(r rune) bool { return r == '_' || !xmlChar(r) }) {
		return v // nearly every cell: no copy
	}
	var b strings.Builder
	for i, r := range v {
		switch {
		case r == '_' && escapeAt(v[i:]):
			b.WriteString("_x005F_")
		case !xmlChar(r):
			fmt.Fprintf(&b, "_x%04X_", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeAt reports whether s starts with an escape a reader decodes:
// _x, four hex digits, _.
func escapeAt(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range s[2:6] {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// xmlChar reports whether XML 1.0 can hold r (its Char production); the
// stored text is valid UTF-8, so r is never a lone surrogate or RuneError
// from a bad byte.
func xmlChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// xlsxBuffer is how much of the sheet's XML is gathered before it goes to
// the compressor: a row is about a hundred small writes.
const xlsxBuffer = 64 << 10

func writeXLSX(ctx context.Context, w io.Writer, cols []Column, first Page, next Source, flush func()) (int, error) {
	zw := zip.NewWriter(w)
	// Deflate's fastest level: an export is written once, while someone
	// waits, and compression was most of its time. On 200,000 assets the
	// default level made the file 16% smaller (26 MB against 31 MB); with
	// it, and the XML unbuffered, the export took 4.1 s against 1.8 s.
	// Readers take any level.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, p := range xlsxParts {
		f, err := zw.Create(p.name)
		if err != nil {
			return 0, err
		}
		if _, err := io.WriteString(f, xmlHeader+p.body); err != nil {
			return 0, err
		}
	}
	entry, err := zw.Create("xl/worksheets/sheet1.xml")
	if err != nil {
		return 0, err
	}
	sheet := bufio.NewWriterSize(entry, xlsxBuffer)
	if _, err := io.WriteString(sheet, xmlHeader+`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`); err != nil {
		return 0, err
	}
	letters := columnLetters(len(cols))
	if err := xlsxRow(sheet, 1, letters, Names(cols)); err != nil {
		return 0, err
	}
	rows := 0
	rec := make([]string, len(cols))
	err = pages(ctx, first, next, func(p Page) error {
		if rows+len(p.Rows) > MaxSheetRows {
			return errTooManyRows()
		}
		for _, r := range p.Rows {
			for i, c := range cols {
				rec[i] = c.Canon(r[i])
			}
			rows++
			if err := xlsxRow(sheet, rows+1, letters, rec); err != nil {
				return err
			}
		}
		if err := sheet.Flush(); err != nil {
			return err
		}
		if err := zw.Flush(); err != nil {
			return err
		}
		if flush != nil {
			flush()
		}
		return nil
	})
	if err != nil {
		return rows, err
	}
	if _, err := io.WriteString(sheet, `</sheetData></worksheet>`); err != nil {
		return rows, err
	}
	if err := sheet.Flush(); err != nil {
		return rows, err
	}
	return rows, zw.Close()
}
