package imports

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// delimiters are the separators spreadsheet tools write, in the order a tie
// is broken: comma (US Excel), semicolon (European Excel, where the comma is
// the decimal mark), tab (Excel "Unicode text"), pipe (database dumps).
var delimiters = []rune{',', ';', '\t', '|'}

// sniffRecords is how many records delimiter detection compares.
const sniffRecords = 20

// maxCellChars is Excel's own limit on a cell. A longer CSV cell is almost
// always a quote opened and never closed, which swallowed the rows after it:
// refusing it names the row instead of silently importing fewer rows.
const maxCellChars = 32767

type csvReader struct {
	r      *csv.Reader
	header []string
	row    Row
	err    error
	// extra counts the line breaks inside quoted cells read so far: the text
	// line of a record minus extra is its spreadsheet row.
	extra int
}

func openCSV(text *bufio.Reader) (Reader, error) {
	sample, err := text.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err
	}
	c := &csvReader{r: newCSV(text, detectDelimiter(sample, err == nil || err == bufio.ErrBufferFull))}
	for {
		rec, _, err := c.read()
		if err == io.EOF {
			return nil, fileError("the file has no header row")
		}
		if err != nil {
			return nil, err
		}
		if blank(rec) {
			continue
		}
		c.header = make([]string, len(rec))
		for i, h := range rec {
			c.header[i] = strings.TrimSpace(h)
		}
		return c, nil
	}
}

func newCSV(r io.Reader, comma rune) *csv.Reader {
	cr := csv.NewReader(r)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	// Hand-edited sheets hold cells like `Dell 27" monitor`; a bare quote is
	// data there, not a reason to refuse the whole file.
	cr.LazyQuotes = true
	return cr
}

// detectDelimiter picks the delimiter that splits the first records of
// sample into the same number (> 1) of columns, preferring more columns (so
// "1,5" decimals in a semicolon file do not make it look comma-separated).
// truncated says the sample stops mid-file, so its last record may be cut.
func detectDelimiter(sample []byte, truncated bool) rune {
	best, bestCols, fallback, fallbackCols := ',', 0, ',', 1
	for _, d := range delimiters {
		cr := newCSV(bytes.NewReader(sample), d)
		var counts []int
		for len(counts) < sniffRecords+1 {
			rec, err := cr.Read()
			if err != nil {
				break
			}
			counts = append(counts, len(rec))
		}
		if truncated && len(counts) > 1 {
			counts = counts[:len(counts)-1]
		}
		if len(counts) > sniffRecords {
			counts = counts[:sniffRecords]
		}
		if len(counts) == 0 {
			continue
		}
		if counts[0] > fallbackCols {
			fallback, fallbackCols = d, counts[0]
		}
		consistent := counts[0] > 1
		for _, n := range counts {
			consistent = consistent && n == counts[0]
		}
		if consistent && counts[0] > bestCols {
			best, bestCols = d, counts[0]
		}
	}
	if bestCols == 0 {
		return fallback
	}
	return best
}

// read returns the next record with its spreadsheet row number; parse errors
// become BAD_USER_INPUT naming that row.
func (c *csvReader) read() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, fileError("line %d: %v", pe.StartLine-c.extra, pe.Err)
		}
		return nil, 0, err
	}
	start, _ := c.r.FieldPos(0)
	end, _ := c.r.FieldPos(len(rec) - 1)
	end += strings.Count(rec[len(rec)-1], "\n")
	line := start - c.extra
	c.extra += end - start
	for i, cell := range rec {
		if len(cell) > maxCellChars && utf8.RuneCountInString(cell) > maxCellChars {
			return nil, 0, fileError("line %d, column %d: a cell holds more than %d characters (is a quote left open?)", line, i+1, maxCellChars)
		}
	}
	return rec, line, nil
}

func (c *csvReader) Header() []string { return c.header }
func (c *csvReader) Row() Row         { return c.row }
func (c *csvReader) Err() error       { return c.err }
func (c *csvReader) Close() error     { return nil }

func (c *csvReader) Next() bool {
	if c.err != nil {
		return false
	}
	for {
		rec, line, err := c.read()
		if err == io.EOF {
			return false
		}
		if err != nil {
			c.err = err
			return false
		}
		// Rows of empty cells (";;;;" as Excel writes formatted but empty
		// rows) carry nothing to import.
		if blank(rec) {
			continue
		}
		for i, cell := range rec {
			rec[i] = undoFormulaGuard(cell)
		}
		c.row = Row{Line: line, Cells: rec}
		return true
	}
}

// undoFormulaGuard removes the quote a CSV export puts before a cell that
// starts with = + - @, a tab or a carriage return (so a spreadsheet shows
// it as text instead of running it as a formula: internal/exports), so an
// exported file imports unchanged. Exactly one quote goes, and only from a
// cell of quotes then one of those characters (the export adds one to a
// value that itself starts with quotes then one of them, too): `'=x` reads
// `=x`, `'-5` reads `-5`, two quotes then =x read one quote then =x, and
// `'abc` or `O'Brien` stay as they are.
func undoFormulaGuard(cell string) string {
	if rest := strings.TrimLeft(cell, "'"); len(rest) < len(cell) && rest != "" && strings.IndexByte("=+-@\t\r", rest[0]) >= 0 {
		return cell[1:]
	}
	return cell
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
