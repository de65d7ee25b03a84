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

// Cells come as Excel displays them; pinned here because the values parser
// depends on it: a built-in short-date cell (format 14) reads "12-31-24"
// (month-day-two-digit-year, whatever the locale), a General number as typed.
func TestXLSXCellsAsDisplayed(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	style, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(t, err)
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Warranty Expires", "Purchase Cost", "Model No."}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{45657, 1299.5, "0042"}))
	require.NoError(t, f.SetCellStyle("Sheet1", "A2", "A2", style))
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	require.NoError(t, err)
	_, rows := readAll(t, buf.Bytes(), "a.xlsx", ReadOptions{})
	require.Equal(t, []Row{{Line: 2, Cells: []string{"12-31-24", "1299.5", "0042"}}}, rows)
}
