package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/itam-dev/itam/internal/itam"
)

// commitRun commits a READY run and waits for it.
func (a *importAPI) commitRun(tok, id string) {
	a.t.Helper()
	a.ok(tok, `mutation($in: CommitImportInput!) { commitImport(input: $in) { id } }`, map[string]any{"in": map[string]any{"id": id, "skipInvalid": true}})
	a.waitJob("import.commit")
	require.Equal(a.t, "COMMITTED", str(a.ok(tok, `query($id: ID!) { importRun(id: $id) { status } }`, map[string]any{"id": id}), "importRun.status"))
}

// rowsByLine indexes a report's rows by line.
func rowsByLine(run map[string]any) map[int]map[string]any {
	out := map[int]map[string]any{}
	for _, r := range get(run, "rows.nodes").([]any) {
		row := r.(map[string]any)
		out[int(row["line"].(float64))] = row
	}
	return out
}

// assetModel reads an asset's model and manufacturer by tag.
func assetModel(a *api, tok, tag string) (model, manufacturer string) {
	d := a.ok(tok, `query($s: String) { assets(first: 1, filter: {search: $s}) { nodes { assetTag model { name manufacturer { name } } } } }`, map[string]any{"s": tag})
	require.Equal(a.t, tag, str(d, "assets.nodes.0.assetTag"))
	return str(d, "assets.nodes.0.model.name"), str(d, "assets.nodes.0.model.manufacturer.name")
}

// TestImportAPIModelByNumber: a row naming its model by model number only
// creates an asset of that model, and a later file moves the asset to
// another manufacturer's model by number, through dry run and commit. (An
// asset whose model a person set keeps it: precedence, not tested here.)
func TestImportAPIModelByNumber(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	seedRoundTrip(t, a.api, admin)

	run := a.dryRun(admin, "ASSETS", "by-number.csv", []byte("Asset Tag,Model No.\nNUM-1,lat-7440\n"))
	row := rowsByLine(run)[2]
	require.Equal(t, "CREATE", row["action"], row["errors"])
	a.commitRun(admin, str(run, "id"))
	m, mfr := assetModel(a.api, admin, "NUM-1")
	require.Equal(t, [2]string{"Latitude 7440", "Dell"}, [2]string{m, mfr})

	run = a.dryRun(admin, "ASSETS", "by-number.csv", []byte("Asset Tag,Model No.\nnum-1,A2992\n"))
	row = rowsByLine(run)[2]
	require.Equal(t, "UPDATE", row["action"], row["errors"])
	a.commitRun(admin, str(run, "id"))
	m, mfr = assetModel(a.api, admin, "NUM-1")
	require.Equal(t, [2]string{"MacBook Pro 14\"", "Äpple Inc."}, [2]string{m, mfr})
}

// messyFile holds, in one CSV, every problem the issue names: a BOM,
// headers by their synonyms, an unmapped column, blank rows, a quoted cell
// over two lines, dates as ISO, 31/12/2024 and an Excel serial, money with
// symbols and thousands separators, the same tag and the same serial
// twice, a status, a date, a price, a condition and a currency no one can
// read, a new model, location and person next to matched ones. wantErrs
// is each ERROR row's line and the header of its first bad column.
const messyFile = "\xEF\xBB\xBFAsset #,S/N,Model,Manufacturer,Category,Status,Condition,Assigned To,Location," +
	"Purchase Date,Purchase Cost,Warranty Expires,Notes,Colour\r\n" +
	"M-1,MS-1,Latitude 7440,Dell,Laptops,In Stock,Good,,Berlin,2024-01-15,\"€1,299.00\",31/12/2026,\"two\r\nlines\",red\r\n" +
	",,,,,,,,,,,,,\r\n" +
	"M-2,MS-2,Latitude 7440,Dell,Laptops,Ready to Deploy,,,Lyon,45292,\"$ 2,500.50\",,,\r\n" +
	"M-3,MS-3,Gizmo 9,Acme,Gadgets,Deployed,,new.hire@example.com,Berlin,31/12/2024,,,,\r\n" +
	"m-1,MS-4,Latitude 7440,Dell,Laptops,,,,,,,,,\r\n" +
	"M-5,ms-2,Latitude 7440,Dell,Laptops,,,,,,,,,\r\n" +
	"M-6,MS-6,Latitude 7440,Dell,Laptops,Broken-ish,,,,,,,,\r\n" +
	"M-7,MS-7,Latitude 7440,Dell,Laptops,,,,,32/01/2024,,,,\r\n" +
	"M-8,MS-8,Latitude 7440,Dell,Laptops,,,,,,twelve,,,\r\n" +
	"M-9,MS-9,Latitude 7440,Dell,Laptops,,shiny,,,,,,,\r\n" +
	"M-10,MS-10,Latitude 7440,Dell,Laptops,,,Nobody Here,,,,,,\r\n" +
	"M-11,MS-11,Latitude 7440,Dell,Laptops,,,,,2025-01-01,,2024-12-31,,\r\n"

var wantErrs = map[int]string{6: "Asset #", 7: "S/N", 8: "Status", 9: "Purchase Date", 10: "Purchase Cost", 11: "Condition", 12: "Assigned To", 13: "Warranty Expires"}

// TestImportAPIFiles: real files through the upload: the messy CSV (every
// ERROR row named by line and column header, the rest read right), the
// same rows as Windows-1252 and UTF-16 text, and a Snipe-IT export.
func TestImportAPIFiles(t *testing.T) {
	t.Parallel()
	a := newImportAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	a.inventory(admin)
	before := assetCount(a.api, admin)

	run := a.dryRun(admin, "ASSETS", "messy.csv", []byte(messyFile))
	rows := rowsByLine(run)
	require.Len(t, rows, 11, "the blank row 3 is no row; the two-line cell of row 2 shifts nothing")
	for line, header := range wantErrs {
		row := rows[line]
		require.Equal(t, "ERROR", row["action"], "line %d: %v", line, row["values"])
		errs := row["errors"].([]any)
		require.NotEmpty(t, errs, "line %d", line)
		require.Equal(t, header, errs[0].(map[string]any)["header"], "line %d: %v", line, errs)
		require.NotEmpty(t, errs[0].(map[string]any)["message"], "line %d", line)
	}
	for _, line := range []int{2, 4, 5} {
		require.Equal(t, "CREATE", rows[line]["action"], "line %d: %v", line, rows[line]["errors"])
	}
	require.Equal(t, float64(2), rows[6]["duplicateOf"], "the tag of line 2 again")
	require.Equal(t, float64(4), rows[7]["duplicateOf"], "the serial of line 4 again")
	vals := func(line int) map[string]any {
		out := map[string]any{}
		for _, v := range rows[line]["values"].([]any) {
			out[v.(map[string]any)["field"].(string)] = v.(map[string]any)["value"]
		}
		return out
	}
	require.Subset(t, vals(2), map[string]any{"purchaseDate": "2024-01-15", "purchasePrice": "1299.00", "purchaseCurrency": "EUR",
		"warrantyEnd": "2026-12-31", "notes": "two\nlines", "status": "IN_STOCK", "condition": "GOOD"})
	require.Subset(t, vals(4), map[string]any{"purchaseDate": "2024-01-01", "purchasePrice": "2500.50", "purchaseCurrency": "USD", "location": "Lyon"})
	require.Subset(t, vals(5), map[string]any{"purchaseDate": "2024-12-31", "status": "DEPLOYED", "assignee": "new.hire@example.com"})
	totals := run["totals"].(map[string]any)
	require.Equal(t, map[string]any{"rows": float64(11), "create": float64(3), "error": float64(8), "duplicates": float64(2)},
		map[string]any{"rows": totals["rows"], "create": totals["create"], "error": totals["error"], "duplicates": totals["duplicates"]})
	created := map[string]bool{}
	for _, r := range run["references"].([]any) {
		ref := r.(map[string]any)
		created[ref["kind"].(string)+" "+ref["name"].(string)] = ref["created"].(bool)
	}
	require.Subset(t, created, map[string]bool{"LOCATION Lyon": true, "LOCATION Berlin": false, "MODEL Gizmo 9": true, "MODEL Latitude 7440": false})
	require.Equal(t, before, assetCount(a.api, admin), "a dry run writes nothing")

	// Excel's other encodings: Windows-1252 (semicolons) and UTF-16 text (tabs).
	text := "Asset Tag;Name;Model;Purchase Cost\r\nW-1;Café Zoë;Latitude 7440;€ 1.299,00\r\n"
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	require.NoError(t, err)
	u16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ";", "\t"))
	require.NoError(t, err)
	for name, file := range map[string]string{"windows-1252.csv": cp1252, "utf-16.txt": u16} {
		run := a.dryRun(admin, "ASSETS", name, []byte(file))
		row := rowsByLine(run)[2]
		require.Equal(t, "CREATE", row["action"], "%s: %v", name, row["errors"])
		require.Contains(t, row["values"], map[string]any{"field": "name", "value": "Café Zoë"}, name)
		require.Contains(t, row["values"], map[string]any{"field": "purchasePrice", "value": "1299.00"}, name)
	}

	// A Snipe-IT asset export, as its list view writes it.
	snipe := "ID,Company,Asset Name,Device Image,Asset Tag,Serial,Model,Model No.,Category,Status,Checked Out To,Employee Number," +
		"Location,Default Location,Manufacturer,Supplier,Purchase Date,Age,Purchase Cost,Order Number,EOL,Warranty,Warranty Expires," +
		"Notes,Checkouts,Checkins,Requests,Created At,Updated At,Checkout Date,Expected Checkin Date,Last Audit,Next Audit Date,BYOD," +
		"Checkin/Checkout,Actions\n" +
		"17,Acme,Ada's laptop,,SNIPE-1,C02SNIPE,Latitude 7440,,Laptops,Deployed,Ada Lovelace,E-1,Berlin,Berlin,Dell,CDW," +
		"2024-03-01,1.8 years,\"1,299.00\",PO-7,,36 months,2027-03-01,from Snipe-IT,1,0,0,2024-03-01 10:00:00,2024-03-02 10:00:00,,,,,No,Checkin,\n" +
		"18,Acme,,,SNIPE-2,C02SNIPE2,MacBook Air,MBA-15,Laptops,Ready to Deploy,,,,,Apple,,,,,,,,,,0,0,0,,,,,,,No,Checkout,\n"
	run = a.dryRun(admin, "ASSETS", "snipeit.csv", []byte(snipe))
	rows = rowsByLine(run)
	require.Equal(t, "CREATE", rows[2]["action"], rows[2]["errors"])
	require.Subset(t, vals(2), map[string]any{"assetTag": "SNIPE-1", "serialNumber": "C02SNIPE", "name": "Ada's laptop", "status": "DEPLOYED",
		"assignee": "ada@example.com", "location": "Berlin", "supplier": "CDW", "purchasePrice": "1299.00", "orderNumber": "PO-7",
		"warrantyEnd": "2027-03-01", "notes": "from Snipe-IT"})
	require.Equal(t, "CREATE", rows[3]["action"], rows[3]["errors"])
	require.Subset(t, vals(3), map[string]any{"model": "MacBook Air", "modelNumber": "MBA-15", "manufacturer": "Apple", "status": "IN_STOCK"})
	a.commitRun(admin, str(run, "id"))
	require.Equal(t, before+2, assetCount(a.api, admin))
}
