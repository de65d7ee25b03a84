package importjob

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/itam-dev/itam/internal/imports"
)

// TestPlanReadsTheNamedSheet: an XLSX written with excelize, the assets on
// its second sheet: the dry run reads the sheet the options name, and a
// sheet the workbook lacks fails the run saying which sheets it has.
func TestPlanReadsTheNamedSheet(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f := excelize.NewFile()
	defer f.Close()
	require.NoError(t, f.SetSheetName("Sheet1", "Read me"))
	_, err := f.NewSheet("Assets")
	require.NoError(t, err)
	set := func(cell string, row []any) { require.NoError(t, f.SetSheetRow("Assets", cell, &row)) }
	set("A1", []any{"Asset Tag", "Serial No.", "Model", "Manufacturer", "Category", "Purchase Cost"})
	set("A2", []any{"X-1", "SN1", "Latitude 5440", "Dell", "Laptop", 1299.5})
	set("A4", []any{"X-2", "SN2", "Latitude 5440", "Dell", "Laptop", 999})
	var buf bytes.Buffer
	_, err = f.WriteTo(&buf)
	require.NoError(t, err)

	r := e.createWith(e.admin, "inventory.xlsx", buf.String(), imports.Mapping{}, imports.Options{Sheet: "Assets", DefaultCurrency: "EUR"})
	r = e.plan(e.admin, r.ID)
	require.Equal(t, 2, r.Totals.Create)
	e.startCommit(e.admin, r, false)
	require.NoError(t, e.runner.Commit(context.Background(), e.org, r.ID))
	require.Equal(t, []string{
		"X-1|SN1||IN_STOCK|Latitude 5440||1299.5000 EUR",
		"X-2|SN2||IN_STOCK|Latitude 5440||999.0000 EUR",
	}, e.assets(e.org))

	r = e.createWith(e.admin, "inventory.xlsx", buf.String(), imports.Mapping{}, imports.Options{Sheet: "Laptops"})
	require.NoError(t, e.runner.Plan(context.Background(), e.org, r.ID))
	r = e.run(e.admin, r.ID)
	require.Equal(t, imports.StatusFailed, r.Status)
	require.Contains(t, *r.Error, "Laptops")
}
