package imports

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// planFile reads a real file and plans it in chunks of chunk rows, the
// way the import job does.
func planFile(t *testing.T, data []byte, name string, opt Options, s *Snapshot, chunk int) (*Planner, []RowPlan) {
	t.Helper()
	r, err := Open(bytes.NewReader(data), name, ReadOptions{})
	require.NoError(t, err)
	defer func() { require.NoError(t, r.Close()) }()
	p, err := NewPlanner(KindAssets, r.Header(), AutoMap(KindAssets, r.Header()), opt)
	require.NoError(t, err)
	var out []RowPlan
	var rows []Row
	flush := func() {
		p.Needs(rows)
		out = append(out, p.Plan(rows, s)...)
		rows = rows[:0]
	}
	for r.Next() {
		rows = append(rows, r.Row())
		if len(rows) == chunk {
			flush()
		}
	}
	require.NoError(t, r.Err())
	flush()
	return p, out
}

// TestPlanMessyCSVFile: a semicolon-separated CSV with a BOM, CRLF line
// ends and a note spanning two lines, planned two rows at a time: every
// ERROR row is named by the row a person finds it on when the file is
// opened in a spreadsheet (the CSV reader counts rows, not text lines, so
// the two-line note does not shift the rows after it).
func TestPlanMessyCSVFile(t *testing.T) {
	t.Parallel()
	o := newOrg()
	csv := "\ufeffAsset #;S/N;Model;Manufacturer;Status Label;Assigned To;Purchased;Purchase Cost;Notes\r\n" +
		"A-1;SN1;MacBook Pro 14;Apple;Deployed;ana@example.com;15/01/2024;1.299,00 €;\r\n" +
		"A-20;SN20;MacBook Pro 14;Apple;Ready to Deploy;;2024-02-30;;\"two\r\nlines\"\r\n" +
		"A-21;SN1;MacBook Pro 14;Apple;;;45292;EUR 99;\r\n" +
		"A-22;SN22;MacBook Pro 14;Apple;Pending;;01/02/2024;£1,000;\r\n" +
		"A-20;SN23;MacBook Pro 14;Apple;;;;;\r\n"
	p, plans := planFile(t, []byte(csv), "assets.csv", Options{DefaultCurrency: "EUR"}, o.snapshot(), 2)
	require.Len(t, plans, 5)
	type want struct {
		line   int
		action Action
		errs   []string
		dup    int
	}
	wants := []want{
		{line: 2, action: ActionUnchanged},
		{line: 3, action: ActionError, errs: []string{`Purchased: "2024-02-30" is not a date (day/month/year): February 2024 has no day 30`}},
		{line: 4, action: ActionError, dup: 2, errs: []string{`S/N: serial number "SN1" is also on line 2`, `S/N: serial number "SN1" is already on asset A-1`}},
		{line: 5, action: ActionCreate},
		{line: 6, action: ActionError, dup: 3, errs: []string{`Asset #: asset tag "A-20" is also on line 3`}},
	}
	for i, w := range wants {
		rp := plans[i]
		require.Equal(t, w.line, rp.Line)
		require.Equal(t, w.action, rp.Action, "line %d: %v", rp.Line, rp.Errors)
		require.Equal(t, w.dup, rp.DuplicateOf, "line %d", rp.Line)
		if w.errs != nil {
			require.Equal(t, w.errs, messages(rp.Errors), "line %d", rp.Line)
		}
	}
	require.Equal(t, map[string]string{"assetTag": "A-22", "serialNumber": "SN22", "model": "MacBook Pro 14", "manufacturer": "Apple",
		"status": "ORDERED", "purchaseDate": "2024-02-01", "purchasePrice": "1000.00", "purchaseCurrency": "GBP"}, plans[3].Values)
	require.Equal(t, Totals{Rows: 5, Create: 1, Unchanged: 1, Error: 3, Duplicates: 2, ReferencesMatched: 1}, p.Totals())
}

// TestPlanXLSXFile: a workbook written by excelize, Snipe-IT's column
// titles, dates in Excel's built-in short-date format.
func TestPlanXLSXFile(t *testing.T) {
	t.Parallel()
	o := newOrg()
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	require.NoError(t, err)
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"Asset Tag", "Serial", "Model", "Manufacturer", "Status",
		"Checked Out To", "Purchase Date", "Purchase Cost", "Warranty Expires"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{"X-1", "XSN1", "MacBook Pro 14", "Apple", "Deployed",
		"bob@example.com", 45292, 1899.99, 46388}))
	require.NoError(t, f.SetCellStyle("Sheet1", "G2", "G2", date))
	require.NoError(t, f.SetCellStyle("Sheet1", "I2", "I2", date))
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	require.NoError(t, err)
	_, plans := planFile(t, buf.Bytes(), "snipe.xlsx", Options{DefaultCurrency: "USD"}, o.snapshot(), 100)
	require.Len(t, plans, 1)
	require.Equal(t, ActionCreate, plans[0].Action, plans[0].Errors)
	require.Equal(t, map[string]string{"assetTag": "X-1", "serialNumber": "XSN1", "model": "MacBook Pro 14", "manufacturer": "Apple",
		"status": "DEPLOYED", "assignee": "bob@example.com", "purchaseDate": "2024-01-01", "purchasePrice": "1899.99",
		"purchaseCurrency": "USD", "warrantyEnd": "2027-01-01"}, plans[0].Values)
}
