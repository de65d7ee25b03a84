// Package imports turns spreadsheet files into itam records: it decodes the
// file, maps its header row onto the fields of a kind of record and parses the
// cells the way spreadsheets hold them. It is pure (no database): the import
// job plans and commits with what it returns.
package imports

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/itam-dev/itam/internal/itam"
)

// Kind is what a file holds; each kind has its own fields.
type Kind string

// The kinds of record an import can hold.
const (
	KindAssets    Kind = "ASSETS"
	KindPeople    Kind = "PEOPLE"
	KindLocations Kind = "LOCATIONS"
	KindModels    Kind = "MODELS"
	// KindLicenses upserts licenses by name (plan_licenses.go).
	KindLicenses Kind = "LICENSES"
	// KindLicenseSeats assigns seats of existing licenses (plan_license_seats.go).
	KindLicenseSeats Kind = "LICENSE_SEATS"
	// KindCostEntries appends cost ledger entries of assets (plan_cost_entries.go).
	KindCostEntries Kind = "COST_ENTRIES"
)

// kindFields lists, per kind, the fields a column can map to, in the order
// they are documented. modelNumber is an asset field too: it lets the import
// match or create the asset's model by number, as Snipe-IT's "Model No." does.
var kindFields = map[Kind][]string{
	KindAssets: {"assetTag", "serialNumber", "name", "model", "modelNumber", "manufacturer", "category", "status",
		"condition", "assignee", "location", "ownerTeam", "purchaseDate", "purchasePrice", "purchaseCurrency",
		"orderNumber", "invoiceNumber", "supplier", "warrantyEnd", "notes"},
	KindPeople:    {"name", "email", "employeeNumber", "title", "team", "manager", "location", "status"},
	KindLocations: {"name", "kind", "parent", "line1", "line2", "city", "region", "postalCode", "country"},
	KindModels:    {"name", "manufacturer", "category", "modelNumber"},
	// The license fields are exactly the columns of a license export
	// (internal/exports), so an exported file maps itself.
	KindLicenses: {"name", "product", "publisher", "licenseModel", "editions", "versions", "seats", "termStart", "termEnd",
		"renewalDate", "autoRenew", "seatCost", "totalCost", "costCurrency", "billingPeriod", "supplier", "purchaseOrder",
		"contractReference", "notes"},
	KindLicenseSeats: {"license", "person", "assetTag"},
	KindCostEntries:  {"assetTag", "date", "kind", "amount", "currency", "supplier", "invoiceReference", "notes"},
}

// ParseKind reads a kind as the command line spells it ("assets", "People").
func ParseKind(s string) (Kind, error) {
	// "license-seats" on a command line is LICENSE_SEATS.
	k := Kind(strings.ReplaceAll(strings.ToUpper(strings.TrimSpace(s)), "-", "_"))
	if !k.Valid() {
		return "", itam.Invalid("kind", "%q is not an import kind (assets, people, locations, models, licenses, license-seats, cost-entries)", s)
	}
	return k, nil
}

// Fields returns the fields a column of kind can map to; nil for an unknown kind.
func Fields(kind Kind) []string { return slices.Clone(kindFields[kind]) }

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindFields[k]; return ok }

// synonyms maps, per kind, a field to the header spellings it answers to
// besides its own name. Spellings are normalized by normalizeHeader, so
// "Serial No." and "serial-no" are one entry.
//
// The asset list includes every column of a Snipe-IT asset list export whose
// meaning we hold. That export's header row is the titles of
// AssetPresenter::dataTableLayout in snipe/snipe-it (app/Presenters/
// AssetPresenter.php, translated by resources/lang/en-US/admin/hardware/
// form.php and table.php): "Asset Name", "Asset Tag", "Serial", "Model",
// "Model No.", "Category", "Status", "Checked Out To", "Location",
// "Manufacturer", "Supplier", "Purchase Date", "Purchase Cost" (older
// versions: "Cost", "Purchased"), "Order Number", "Warranty Expires",
// "Notes". Its importer's CSV template (app/Importer/import_mappings.md:
// "item name", "serial number", "model name", "model number") is covered too.
// Snipe-IT's "ID", "Company", "Default Location", "Warranty" (in months),
// "EOL" and the like have no itam field and stay unmapped, so the report
// lists them.
var synonyms = map[Kind]map[string][]string{
	KindAssets: {
		"assetTag":         {"Asset Tag", "Tag", "Asset #", "Asset No", "Asset Number", "Asset ID", "Inventory Number", "Inventory #", "Property Tag"},
		"serialNumber":     {"Serial", "Serial No.", "Serial Number", "Serial #", "S/N", "SN", "Serial No"},
		"name":             {"Name", "Asset Name", "Item Name", "Device Name", "Computer Name", "Hostname"},
		"model":            {"Model", "Model Name", "Asset Model"},
		"modelNumber":      {"Model No.", "Model Number", "Model #", "Part Number", "MPN"},
		"manufacturer":     {"Manufacturer", "Make", "Brand"},
		"category":         {"Category", "Type", "Asset Type", "Device Type"},
		"status":           {"Status", "Status Label", "State"},
		"condition":        {"Condition"},
		"assignee":         {"Assigned To", "Checked Out To", "Assignee", "Assigned User", "User", "Employee", "Checked Out"},
		"location":         {"Location", "Site", "Office"},
		"ownerTeam":        {"Owner Team", "Team", "Department", "Owning Team"},
		"purchaseDate":     {"Purchase Date", "Purchased", "Date Purchased", "Purchased On"},
		"purchasePrice":    {"Purchase Cost", "Cost", "Price", "Purchase Price", "Unit Cost"},
		"purchaseCurrency": {"Currency", "Purchase Currency"},
		"orderNumber":      {"Order Number", "Order No", "Order #", "PO", "PO Number", "Purchase Order"},
		"invoiceNumber":    {"Invoice", "Invoice Number", "Invoice No", "Invoice #"},
		"supplier":         {"Supplier", "Vendor", "Reseller", "Seller"},
		"warrantyEnd":      {"Warranty Expires", "Warranty End", "Warranty End Date", "Warranty Expiration", "Warranty Expiry", "Warranty Until"},
		"notes":            {"Notes", "Note", "Comments", "Comment", "Remarks"},
	},
	KindPeople: {
		"name":           {"Name", "Full Name", "Employee Name", "Display Name"},
		"email":          {"Email", "E-mail", "Email Address", "Mail", "Work Email"},
		"employeeNumber": {"Employee Number", "Employee No", "Employee #", "Employee ID", "Emp ID", "Staff ID", "Badge Number"},
		"title":          {"Title", "Job Title", "Position"},
		"team":           {"Team", "Department", "Dept"},
		"manager":        {"Manager", "Manager Email", "Reports To", "Supervisor"},
		"location":       {"Location", "Office", "Site"},
		"status":         {"Status", "Employment Status"},
	},
	KindLocations: {
		"name":       {"Name", "Location", "Location Name"},
		"kind":       {"Kind", "Type", "Location Type"},
		"parent":     {"Parent", "Parent Location"},
		"line1":      {"Address", "Address 1", "Address Line 1", "Street"},
		"line2":      {"Address 2", "Address Line 2"},
		"city":       {"City", "Town"},
		"region":     {"Region", "State", "Province", "County"},
		"postalCode": {"Postal Code", "Zip", "Zip Code", "Postcode"},
		"country":    {"Country", "Country Code"},
	},
	KindModels: {
		"name":         {"Name", "Model", "Model Name"},
		"manufacturer": {"Manufacturer", "Make", "Brand"},
		"category":     {"Category", "Type"},
		"modelNumber":  {"Model Number", "Model No.", "Model #", "Part Number", "MPN", "SKU"},
	},
	KindLicenses: {
		"name":              {"License", "License Name", "Name"},
		"product":           {"Product", "Software", "Software Product", "Product Name"},
		"publisher":         {"Publisher", "Vendor", "Manufacturer"},
		"licenseModel":      {"Model", "License Model", "License Type", "Type"},
		"editions":          {"Edition", "Editions"},
		"versions":          {"Version", "Versions"},
		"seats":             {"Seats", "Seat Count", "Quantity", "Qty", "Total Seats", "Licenses"},
		"termStart":         {"Term Start", "Start Date", "Start", "Purchase Date"},
		"termEnd":           {"Term End", "End Date", "Expiration Date", "Expires", "Expiry", "Expiration"},
		"renewalDate":       {"Renewal Date", "Renewal", "Renews On"},
		"autoRenew":         {"Auto Renew", "Auto-Renew", "Autorenew"},
		"seatCost":          {"Seat Cost", "Cost Per Seat", "Price Per Seat", "Unit Cost", "Unit Price"},
		"totalCost":         {"Total Cost", "Purchase Cost", "Cost", "Price", "Total Price"},
		"costCurrency":      {"Currency", "Cost Currency"},
		"billingPeriod":     {"Billing Period", "Billing", "Billing Cycle"},
		"supplier":          {"Supplier", "Reseller", "Seller"},
		"purchaseOrder":     {"Purchase Order", "PO", "PO Number", "Order Number", "Order No"},
		"contractReference": {"Contract", "Contract Reference", "Contract Number", "Agreement"},
		"notes":             {"Notes", "Note", "Comments", "Comment"},
	},
	KindLicenseSeats: {
		"license":  {"License", "License Name"},
		"person":   {"Person", "Email", "User", "Assigned To", "Assignee", "Employee", "Checked Out To"},
		"assetTag": {"Asset Tag", "Asset", "Tag", "Asset #", "Device"},
	},
	KindCostEntries: {
		"assetTag":         {"Asset Tag", "Asset", "Tag", "Asset #"},
		"date":             {"Date", "Cost Date", "Invoice Date"},
		"kind":             {"Kind", "Type", "Cost Type", "Category"},
		"amount":           {"Amount", "Cost", "Price", "Total"},
		"currency":         {"Currency"},
		"supplier":         {"Supplier", "Vendor"},
		"invoiceReference": {"Invoice", "Invoice Reference", "Invoice Number", "Invoice No", "Invoice #", "Reference"},
		"notes":            {"Notes", "Note", "Description", "Comments", "Comment"},
	},
}

// headerIndex maps, per kind, a normalized header to its field.
var headerIndex = buildHeaderIndex()

func buildHeaderIndex() map[Kind]map[string]string {
	idx := make(map[Kind]map[string]string, len(kindFields))
	for kind, fields := range kindFields {
		m := make(map[string]string)
		for _, f := range fields {
			m[normalizeHeader(f)] = f
			for _, s := range synonyms[kind][f] {
				n := normalizeHeader(s)
				if prev, dup := m[n]; dup && prev != f {
					panic(fmt.Sprintf("imports: header %q maps to both %s and %s", s, prev, f))
				}
				m[n] = f
			}
		}
		idx[kind] = m
	}
	return idx
}

// normalizeHeader folds case, spaces and punctuation so "Serial No." and
// "serial_no" match; "#" reads as "number" so "Asset #" is not just "Asset".
func normalizeHeader(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimPrefix(h, "\ufeff")) {
		switch {
		case r == '#':
			b.WriteString("number")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Mapping says which column (0-based) feeds which field.
type Mapping struct {
	Columns map[int]string
	// Unmapped are the columns whose header matched no field.
	Unmapped []int
	// Conflicts are columns left unmapped because an earlier column already
	// took their field (say "Serial" and "S/N" both present).
	Conflicts []Conflict
}

// Conflict is a column whose field an earlier column already holds.
type Conflict struct {
	Column  int
	Field   string
	TakenBy int
}

// AutoMap matches headers to the fields of kind. The first column to claim a
// field keeps it; later ones are reported, never silently merged.
func AutoMap(kind Kind, headers []string) Mapping {
	m := Mapping{Columns: map[int]string{}}
	taken := map[string]int{}
	for i, h := range headers {
		f, ok := headerIndex[kind][normalizeHeader(h)]
		if !ok {
			m.Unmapped = append(m.Unmapped, i)
			continue
		}
		if first, dup := taken[f]; dup {
			m.Conflicts = append(m.Conflicts, Conflict{Column: i, Field: f, TakenBy: first})
			continue
		}
		taken[f] = i
		m.Columns[i] = f
	}
	return m
}

// Column returns the column field is read from.
func (m Mapping) Column(field string) (int, bool) {
	for c, f := range m.Columns {
		if f == field {
			return c, true
		}
	}
	return 0, false
}

// requiredAny lists, per kind, fields of which at least one must be mapped:
// the keys an import upserts by.
var requiredAny = map[Kind][]string{
	KindAssets:    {"assetTag", "serialNumber"},
	KindPeople:    {"name"},
	KindLocations: {"name"},
	KindModels:    {"name"},
	KindLicenses:  {"name"},
	// A seat needs its license and a holder; the planner names a missing
	// holder per row, so the mapping only insists on the license.
	KindLicenseSeats: {"license"},
	KindCostEntries:  {"assetTag"},
}

// Validate checks a mapping (typically a caller's override) against kind and
// a file of headerCount columns. Errors are BAD_USER_INPUT naming the column
// as "mapping.columns[i]", or "mapping" for a missing key field.
func (m Mapping) Validate(kind Kind, headerCount int) error {
	fields, ok := kindFields[kind]
	if !ok {
		return itam.Invalid("kind", "%q is not an import kind", kind)
	}
	cols := make([]int, 0, len(m.Columns))
	for c := range m.Columns {
		cols = append(cols, c)
	}
	slices.Sort(cols) // report the first problem in column order, every time
	taken := map[string]int{}
	for _, c := range cols {
		f := m.Columns[c]
		path := fmt.Sprintf("mapping.columns[%d]", c)
		if c < 0 || c >= headerCount {
			return itam.Invalid(path, "column %d does not exist: the file has %d columns", c, headerCount)
		}
		if !slices.Contains(fields, f) {
			return itam.Invalid(path, "%q is not a field of %s (fields: %s)", f, strings.ToLower(string(kind)), strings.Join(fields, ", "))
		}
		if first, dup := taken[f]; dup {
			return itam.Invalid(path, "%s is already mapped from column %d", f, first)
		}
		taken[f] = c
	}
	need := requiredAny[kind]
	for _, f := range need {
		if _, ok := taken[f]; ok {
			return nil
		}
	}
	return itam.Invalid("mapping", "map a column to %s: rows are matched by it", strings.Join(need, " or "))
}
