package imports

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/unicode"
)

// readAll opens data and drains the reader, failing the test on any error.
func readAll(t *testing.T, data []byte, name string, opt ReadOptions) ([]string, []Row) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), name, opt)
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	var rows []Row
	for r.Next() {
		rows = append(rows, r.Row())
	}
	require.NoError(t, r.Err())
	return r.Header(), rows
}

func utf16(t *testing.T, e unicode.Endianness, s string) []byte {
	t.Helper()
	b, err := unicode.UTF16(e, unicode.UseBOM).NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func TestCSVEncodingsAndDelimiters(t *testing.T) {
	t.Parallel()
	want := []Row{{Line: 2, Cells: []string{"A-1", "Café", "€ 1.299,00"}}, {Line: 3, Cells: []string{"A-2", "Zoë", ""}}}
	header := []string{"Asset Tag", "Name", "Purchase Cost"}
	comma := "Asset Tag,Name,Purchase Cost\r\nA-1,Café,\"€ 1.299,00\"\r\nA-2,Zoë,\r\n"
	tests := []struct {
		name string
		data []byte
	}{
		{"utf-8 without BOM", []byte(comma)},
		{"utf-8 with BOM (Excel CSV UTF-8)", append([]byte("\xEF\xBB\xBF"), comma...)},
		{"semicolon (European Excel)", []byte(" Asset Tag ;Name;Purchase Cost\nA-1;Café;€ 1.299,00\nA-2;Zoë;\n")},
		{"pipe", []byte("Asset Tag|Name|Purchase Cost\nA-1|Café|€ 1.299,00\nA-2|Zoë|\n")},
		{"utf-16LE tab (Excel Unicode text)", utf16(t, unicode.LittleEndian, "Asset Tag\tName\tPurchase Cost\r\nA-1\tCafé\t€ 1.299,00\r\nA-2\tZoë\t\r\n")},
		{"utf-16BE tab", utf16(t, unicode.BigEndian, "Asset Tag\tName\tPurchase Cost\nA-1\tCafé\t€ 1.299,00\nA-2\tZoë\t\n")},
		// Windows-1252: é = 0xE9, ë = 0xEB, € = 0x80.
		{"windows-1252", []byte("Asset Tag;Name;Purchase Cost\r\nA-1;Caf\xE9;\x80 1.299,00\r\nA-2;Zo\xEB;\r\n")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, rows := readAll(t, tc.data, "assets.csv", ReadOptions{})
			require.Equal(t, header, h)
			require.Equal(t, want, rows)
		})
	}
}

func TestCSVLineNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want []Row
	}{
		{
			name: "quoted cells with delimiters and line breaks stay one row",
			data: "tag,notes\nA1,\"hello, world\nsecond line\"\nA2,plain\n\"A3\",\"x\r\ny\r\nz\"\nA4,end",
			want: []Row{
				{Line: 2, Cells: []string{"A1", "hello, world\nsecond line"}},
				{Line: 3, Cells: []string{"A2", "plain"}},
				{Line: 4, Cells: []string{"A3", "x\ny\nz"}},
				{Line: 5, Cells: []string{"A4", "end"}},
			},
		},
		{
			name: "blank and empty-cell rows are skipped but still counted",
			data: "tag,model\n\nA1,X\n,\nA2,Y\n,,\n\n \n",
			want: []Row{{Line: 3, Cells: []string{"A1", "X"}}, {Line: 5, Cells: []string{"A2", "Y"}}},
		},
		{
			name: "bare quotes are data",
			data: "tag,model\nA1,Dell 27\" monitor\n",
			want: []Row{{Line: 2, Cells: []string{"A1", "Dell 27\" monitor"}}},
		},
		{
			name: "ragged rows are kept as they are",
			data: "tag,model,serial\nA1\nA2,X,S,extra\n",
			want: []Row{{Line: 2, Cells: []string{"A1"}}, {Line: 3, Cells: []string{"A2", "X", "S", "extra"}}},
		},
		{
			name: "header only",
			data: "tag,model\r\n",
			want: nil,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, rows := readAll(t, []byte(tc.data), "f.csv", ReadOptions{})
			require.Equal(t, tc.want, rows)
		})
	}
}

// A quote opened and never closed would swallow the rest of the file into one
// cell; the reader refuses it and names the row where the cell starts.
func TestCSVUnclosedQuoteNamesTheRow(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("tag,notes\nA1,fine\nA2,\"oops\n")
	for b.Len() < 2*maxCellChars {
		b.WriteString("A3,swallowed row\n")
	}
	r, err := Open(strings.NewReader(b.String()), "f.csv", ReadOptions{})
	require.NoError(t, err)
	require.True(t, r.Next())
	require.Equal(t, 2, r.Row().Line)
	require.False(t, r.Next())
	requireInvalid(t, r.Err(), "file")
	require.ErrorContains(t, r.Err(), "line 3, column 2:")
	require.False(t, r.Next(), "a reader stays stopped after an error")
}

func TestDetectDelimiter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want rune
	}{
		{"comma", "a,b,c\n1,2,3\n", ','},
		{"decimal commas do not beat semicolons", "a;b;c\n1,5;2;3\n2,5;3;4\n", ';'},
		{"delimiters inside quotes do not count", "\"a,b\";c\n\"x,y\";z\n\"p,q\";r\n", ';'},
		{"tab", "a\tb\n1\t2\n", '\t'},
		{"pipe", "a|b|c\n1|2|3\n", '|'},
		{"single column falls back to comma", "tag\nA1\nA2\n", ','},
		{"inconsistent everywhere takes the widest header", "a;b;c\n1\n1;2\n", ';'},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, string(tc.want), string(detectDelimiter([]byte(tc.data), false)))
		})
	}
}

// A file whose first 64 KB are ASCII and which later holds Windows-1252 bytes
// (sniffing cannot see them) is still read right, row by row.
// Once the sniffed bytes show Windows-1252, every byte is read as such, even
// pairs that happen to form valid UTF-8 (0xC2 0xAE is "®" in UTF-8 but "Â®"
// in Windows-1252).
func TestCSVWindows1252Throughout(t *testing.T) {
	t.Parallel()
	_, rows := readAll(t, []byte("tag,name\nA1,Caf\xE9\nA2,\xC2\xAE\n"), "f.csv", ReadOptions{})
	require.Equal(t, []Row{{Line: 2, Cells: []string{"A1", "Café"}}, {Line: 3, Cells: []string{"A2", "Â®"}}}, rows)
}

func TestCSVLateWindows1252Bytes(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("tag,name\n")
	n := 0
	for b.Len() < 2*sniffSize {
		n++
		b.WriteString("A,plain ascii row\n")
	}
	b.WriteString("LAST,Caf\xE9 \x80\n")
	_, rows := readAll(t, []byte(b.String()), "f.csv", ReadOptions{})
	require.Len(t, rows, n+1)
	last := rows[len(rows)-1]
	require.Equal(t, Row{Line: n + 2, Cells: []string{"LAST", "Café €"}}, last)
}

// A UTF-8 character cut in two by the end of the sniffed window does not make
// the file look like Windows-1252.
func TestCSVRuneSplitAtSniffBoundary(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("tag,name\n")
	n := 0
	for b.Len() < sniffSize-40 {
		n++
		b.WriteString("A,row\n")
	}
	// Pad so the 3-byte "€" starts one byte before the window ends.
	b.WriteString("B," + strings.Repeat("x", sniffSize-1-b.Len()-2) + "€\nC,Café\n")
	_, rows := readAll(t, []byte(b.String()), "f.csv", ReadOptions{})
	require.Len(t, rows, n+2)
	require.True(t, strings.HasSuffix(rows[n].Cells[1], "x€"))
	require.Equal(t, []string{"C", "Café"}, rows[n+1].Cells)
}

// TestCSVUndoesTheExportFormulaGuard: the quote the export puts before a
// cell a spreadsheet would run as a formula goes, exactly one and only
// there, so an exported file imports unchanged.
func TestCSVUndoesTheExportFormulaGuard(t *testing.T) {
	t.Parallel()
	data := "Asset Tag,Notes\n" +
		"'=A1,'=1+1\n" +
		"'+33,'-5\n" +
		"'@me,\"'\tx\"\n" +
		"A4,''=own quote\n" +
		"A5,'plain\n" +
		"A6,O'Brien\n" +
		"A7,'\n" +
		"A8,'''-two\n"
	_, rows := readAll(t, []byte(data), "assets.csv", ReadOptions{})
	require.Equal(t, []Row{
		{Line: 2, Cells: []string{"=A1", "=1+1"}},
		{Line: 3, Cells: []string{"+33", "-5"}},
		{Line: 4, Cells: []string{"@me", "\tx"}},
		{Line: 5, Cells: []string{"A4", "'=own quote"}},
		{Line: 6, Cells: []string{"A5", "'plain"}},
		{Line: 7, Cells: []string{"A6", "O'Brien"}},
		{Line: 8, Cells: []string{"A7", "'"}},
		{Line: 9, Cells: []string{"A8", "''-two"}},
	}, rows)
}
