package imports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// workbook writes a real XLSX with excelize: an "Assets" first sheet with a
// gap row and a formatted date, and a "People" sheet.
func workbook(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "Assets"))
	_, err := f.NewSheet("People")
	require.NoError(t, err)
	set := func(sheet, cell string, row []any) {
		require.NoError(t, f.SetSheetRow(sheet, cell, &row))
	}
	set("Assets", "A1", []any{" Asset Tag ", "Serial No.", "Purchase Cost"})
	set("Assets", "A2", []any{"A-1", "SN1", 1299.5})
	// Row 3 left empty, as users leave them.
	set("Assets", "A4", []any{"A-2", "SN2"})
	set("People", "A1", []any{"Email", "Name"})
	set("People", "A2", []any{"ana@example.com", "Ana Núñez"})
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

func TestXLSX(t *testing.T) {
	t.Parallel()
	data := workbook(t)
	tests := []struct {
		name, file, sheet string
		header            []string
		rows              []Row
	}{
		{
			name: "first sheet", file: "assets.xlsx",
			header: []string{"Asset Tag", "Serial No.", "Purchase Cost"},
			rows:   []Row{{Line: 2, Cells: []string{"A-1", "SN1", "1299.5"}}, {Line: 4, Cells: []string{"A-2", "SN2"}}},
		},
		{
			name: "named sheet, detected by content whatever the name", file: "upload.bin", sheet: "People",
			header: []string{"Email", "Name"},
			rows:   []Row{{Line: 2, Cells: []string{"ana@example.com", "Ana Núñez"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, rows := readAll(t, data, tc.file, ReadOptions{Sheet: tc.sheet})
			require.Equal(t, tc.header, h)
			require.Equal(t, tc.rows, rows)
		})
	}
}

func TestXLSXMissingSheet(t *testing.T) {
	t.Parallel()
	r, err := Open(bytes.NewReader(workbook(t)), "a.xlsx", ReadOptions{Sheet: "Laptops"})
	require.Nil(t, r)
	requireInvalid(t, err, "sheet")
	require.ErrorContains(t, err, "Assets, People")
}

func TestXLSXEmptySheet(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	r, err := Open(&buf, "a.xlsx", ReadOptions{})
	require.Nil(t, r)
	requireInvalid(t, err, "file")
}

// Date cells come as ISO dates read from the serial number they store,
// whatever their format shows: a built-in short-date cell (format 14)
// shows "12-31-24", which ParseDate cannot read without guessing the
// century and the order. Other cells come as Excel displays them: a
// price with its symbol, a General number as typed, text as written.
func TestXLSXDateCells(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		require.NoError(t, err)
		return id
	}
	dmy, mmm := "dd/mm/yyyy", "d-mmm-yy"
	styles := []int{
		style(&excelize.Style{NumFmt: 14}),         // A: built-in short date
		style(&excelize.Style{NumFmt: 22}),         // B: built-in date and time
		style(&excelize.Style{CustomNumFmt: &dmy}), // C: a custom day-first date
		style(&excelize.Style{CustomNumFmt: &mmm}), // D: a month's name, two-digit year
		style(&excelize.Style{NumFmt: 20}),         // E: a time of day only
		style(&excelize.Style{NumFmt: 10}),         // F: a percentage
		style(&excelize.Style{NumFmt: 4}),          // G: #,##0.00
		0,                                          // H: General
		0,                                          // I: text
	}
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"A", "B", "C", "D", "E", "F", "G", "H", "I"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{45657, 45657.4375, 45658, 45659, 0.4375, 0.25, 1299.5, 45657, "0042"}))
	for i, id := range styles {
		if id == 0 {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(i+1, 2)
		require.NoError(t, err)
		require.NoError(t, f.SetCellStyle("Sheet1", cell, cell, id))
	}
	var buf bytes.Buffer
	_, err := f.WriteTo(&buf)
	require.NoError(t, err)
	_, rows := readAll(t, buf.Bytes(), "a.xlsx", ReadOptions{})
	require.Equal(t, []Row{{Line: 2, Cells: []string{"2024-12-31", "2024-12-31 10:30:00", "2025-01-01", "2025-01-02",
		"10:30", "25.00%", "1,299.50", "45657", "0042"}}}, rows)
}

// A workbook in the 1904 date system (older Mac Excel) counts from
// 1904-01-01: the same stored number is another day.
func TestXLSXDate1904(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	yes := true
	require.NoError(t, f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &yes}))
	id, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(t, err)
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Purchased"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{45657 - 1462}))
	require.NoError(t, f.SetCellStyle("Sheet1", "A2", "A2", id))
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	require.NoError(t, err)
	_, rows := readAll(t, buf.Bytes(), "a.xlsx", ReadOptions{})
	require.Equal(t, []Row{{Line: 2, Cells: []string{"2024-12-31"}}}, rows)
}
