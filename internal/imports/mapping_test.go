package imports

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestAutoMapSynonyms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind   Kind
		header string
		field  string
	}{
		{KindAssets, "Asset Tag", "assetTag"},
		{KindAssets, "asset_tag", "assetTag"},
		{KindAssets, "ASSET-TAG", "assetTag"},
		{KindAssets, "Asset #", "assetTag"},
		{KindAssets, "asset#", "assetTag"},
		{KindAssets, "Asset No", "assetTag"},
		{KindAssets, "Serial No.", "serialNumber"},
		{KindAssets, "S/N", "serialNumber"},
		{KindAssets, "Serial Number", "serialNumber"},
		{KindAssets, "  serial  ", "serialNumber"},
		{KindAssets, "\ufeffSerial", "serialNumber"},
		{KindAssets, "Assigned To", "assignee"},
		{KindAssets, "Checked Out To", "assignee"},
		{KindAssets, "Purchase Cost", "purchasePrice"},
		{KindAssets, "Cost", "purchasePrice"},
		{KindAssets, "Warranty Expires", "warrantyEnd"},
		{KindAssets, "Location", "location"},
		{KindAssets, "Model No.", "modelNumber"},
		{KindAssets, "Model Number", "modelNumber"},
		{KindAssets, "Manufacturer", "manufacturer"},
		{KindAssets, "Category", "category"},
		{KindAssets, "Status", "status"},
		{KindAssets, "Order Number", "orderNumber"},
		{KindAssets, "Purchase Date", "purchaseDate"},
		{KindAssets, "Notes", "notes"},
		{KindAssets, "Supplier", "supplier"},
		{KindAssets, "purchaseCurrency", "purchaseCurrency"},
		{KindPeople, "E-mail", "email"},
		{KindPeople, "Employee ID", "employeeNumber"},
		{KindPeople, "Department", "team"},
		{KindLocations, "Zip Code", "postalCode"},
		{KindLocations, "Address Line 1", "line1"},
		{KindModels, "Model No.", "modelNumber"},
		{KindModels, "Model", "name"},
	}
	for _, tt := range tests {
		t.Run(string(tt.kind)+"/"+tt.header, func(t *testing.T) {
			t.Parallel()
			m := AutoMap(tt.kind, []string{tt.header})
			require.Equal(t, map[int]string{0: tt.field}, m.Columns)
			require.Empty(t, m.Unmapped)
		})
	}
}

// TestAutoMapEverySynonym maps every listed spelling and every field's own
// name, so a synonym that the normalization breaks is caught.
func TestAutoMapEverySynonym(t *testing.T) {
	t.Parallel()
	for kind, fields := range kindFields {
		for _, f := range fields {
			for _, h := range append([]string{f}, synonyms[kind][f]...) {
				m := AutoMap(kind, []string{h})
				require.Equal(t, map[int]string{0: f}, m.Columns, "%s header %q", kind, h)
			}
		}
	}
}

func TestAutoMapSnipeITExport(t *testing.T) {
	t.Parallel()
	// The header row of a Snipe-IT asset list export: every column of
	// AssetPresenter::dataTableLayout, in its order.
	headers := []string{"ID", "Company", "Asset Name", "Device Image", "Asset Tag", "Serial", "Model", "Model No.",
		"Category", "Status", "Checked Out To", "Employee Number", "Location", "Default Location", "Manufacturer",
		"Supplier", "Purchase Date", "Age", "Purchase Cost", "Order Number", "EOL", "Warranty", "Warranty Expires",
		"Notes", "Checkouts", "Checkins", "Requests", "Created At", "Updated At", "Checkout Date",
		"Expected Checkin Date", "Last Audit", "Next Audit Date", "BYOD", "Checkin/Checkout", "Actions"}
	m := AutoMap(KindAssets, headers)
	require.Equal(t, map[int]string{
		2: "name", 4: "assetTag", 5: "serialNumber", 6: "model", 7: "modelNumber", 8: "category", 9: "status",
		10: "assignee", 12: "location", 14: "manufacturer", 15: "supplier", 16: "purchaseDate", 18: "purchasePrice",
		19: "orderNumber", 22: "warrantyEnd", 23: "notes",
	}, m.Columns)
	require.Equal(t, []int{0, 1, 3, 11, 13, 17, 20, 21, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35}, m.Unmapped)
	require.Empty(t, m.Conflicts)
	require.NoError(t, m.Validate(KindAssets, len(headers)))
}

// Older Snipe-IT versions title the cost and purchase date columns from
// admin/hardware/table.php.
func TestAutoMapSnipeITOlderTitles(t *testing.T) {
	t.Parallel()
	m := AutoMap(KindAssets, []string{"Asset Tag", "Cost", "Purchased", "Assigned To"})
	require.Equal(t, map[int]string{0: "assetTag", 1: "purchasePrice", 2: "purchaseDate", 3: "assignee"}, m.Columns)
}

func TestAutoMapSnipeITImportTemplate(t *testing.T) {
	t.Parallel()
	headers := []string{"Item Name", "Asset Tag", "Serial Number", "Model Name", "Model Number", "Category",
		"Manufacturer", "Company", "Location", "Purchase Date", "Purchase Cost", "Order Number", "Supplier", "Notes"}
	m := AutoMap(KindAssets, headers)
	require.Equal(t, map[int]string{0: "name", 1: "assetTag", 2: "serialNumber", 3: "model", 4: "modelNumber",
		5: "category", 6: "manufacturer", 8: "location", 9: "purchaseDate", 10: "purchasePrice", 11: "orderNumber",
		12: "supplier", 13: "notes"}, m.Columns)
	require.Equal(t, []int{7}, m.Unmapped)
}

func TestAutoMapConflicts(t *testing.T) {
	t.Parallel()
	m := AutoMap(KindAssets, []string{"Serial", "Tag", "S/N", "Colour", "serial number"})
	require.Equal(t, map[int]string{0: "serialNumber", 1: "assetTag"}, m.Columns)
	require.Equal(t, []int{3}, m.Unmapped)
	require.Equal(t, []Conflict{{Column: 2, Field: "serialNumber", TakenBy: 0}, {Column: 4, Field: "serialNumber", TakenBy: 0}}, m.Conflicts)
}

func TestAutoMapUnknownKind(t *testing.T) {
	t.Parallel()
	m := AutoMap(Kind("CARS"), []string{"Serial"})
	require.Empty(t, m.Columns)
	require.Equal(t, []int{0}, m.Unmapped)
}

func TestMappingValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		kind    Kind
		columns map[int]string
		count   int
		field   string // "" when valid
	}{
		{"tag is a key", KindAssets, map[int]string{0: "assetTag"}, 1, ""},
		{"serial is a key", KindAssets, map[int]string{2: "serialNumber", 0: "name"}, 3, ""},
		{"people by name", KindPeople, map[int]string{0: "name", 1: "email"}, 2, ""},
		{"unknown kind", Kind("CARS"), map[int]string{0: "name"}, 1, "kind"},
		{"unknown field", KindAssets, map[int]string{0: "assetTag", 3: "colour"}, 4, "mapping.columns[3]"},
		{"field of another kind", KindModels, map[int]string{0: "name", 1: "serialNumber"}, 2, "mapping.columns[1]"},
		{"column past the end", KindAssets, map[int]string{0: "assetTag", 5: "name"}, 5, "mapping.columns[5]"},
		{"negative column", KindAssets, map[int]string{-1: "name", 0: "assetTag"}, 2, "mapping.columns[-1]"},
		{"field twice", KindAssets, map[int]string{0: "assetTag", 1: "name", 4: "name"}, 5, "mapping.columns[4]"},
		{"no key", KindAssets, map[int]string{0: "name", 1: "model"}, 2, "mapping"},
		{"empty", KindLocations, map[int]string{}, 3, "mapping"},
		{"model without name", KindModels, map[int]string{0: "modelNumber"}, 1, "mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Mapping{Columns: tt.columns}.Validate(tt.kind, tt.count)
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			var e *itam.Error
			require.True(t, errors.As(err, &e), "got %v", err)
			require.Equal(t, itam.CodeInvalid, e.Code)
			require.Equal(t, tt.field, e.Field, e.Message)
			require.NotEmpty(t, e.Message)
		})
	}
}

func TestParseKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Kind
		ok   bool
	}{
		{"assets", KindAssets, true},
		{" People ", KindPeople, true},
		{"LOCATIONS", KindLocations, true},
		{"models", KindModels, true},
		{"cars", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := ParseKind(tt.in)
		if !tt.ok {
			var e *itam.Error
			require.True(t, errors.As(err, &e), "%q: got %v", tt.in, err)
			require.Equal(t, "kind", e.Field)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tt.want, got)
	}
}

func TestMappingColumn(t *testing.T) {
	t.Parallel()
	m := AutoMap(KindAssets, []string{"Name", "S/N"})
	c, ok := m.Column("serialNumber")
	require.True(t, ok)
	require.Equal(t, 1, c)
	_, ok = m.Column("assetTag")
	require.False(t, ok)
}
