package imports

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// org is a snapshot of a small organization the asset tests plan against.
type org struct {
	apple, macbook, ana, bob, paris, london, a1, a6, a9 uuid.UUID
}

func newOrg() org {
	return org{apple: uuid.New(), macbook: uuid.New(), ana: uuid.New(), bob: uuid.New(), paris: uuid.New(),
		london: uuid.New(), a1: uuid.New(), a6: uuid.New(), a9: uuid.New()}
}

func (o org) snapshot() *Snapshot {
	mb := ExistingModel{ID: o.macbook, ManufacturerID: o.apple}
	a1 := &ExistingAsset{ID: o.a1, Version: 4, Values: map[string]string{
		"assetTag": "A-1", "serialNumber": "SN1", "model": "MacBook Pro 14", "manufacturer": "Apple", "modelNumber": "MX2E3",
		"status": "DEPLOYED", "condition": "GOOD", "assignee": "ana@example.com", "location": "Paris",
		"purchaseDate": "2024-01-15", "purchasePrice": "1299.00", "purchaseCurrency": "EUR", "warrantyEnd": "2027-01-15",
	}, Provenance: map[string]reconcile.Current{
		reconcile.FieldLocation:     {Source: reconcile.SourceManual},
		reconcile.FieldPurchaseDate: {Source: reconcile.SourceImport},
		reconcile.FieldSerialNumber: {Source: "JAMF_PRO:" + uuid.NewString(), Kind: "JAMF_PRO"},
	}}
	a6 := &ExistingAsset{ID: o.a6, Version: 2, Values: map[string]string{
		"assetTag": "A-6", "serialNumber": "SN6", "model": "MacBook Pro 14", "manufacturer": "Apple", "status": "IN_STOCK",
		"condition": "NEW", "location": "Paris",
	}, Provenance: map[string]reconcile.Current{reconcile.FieldLocation: {Source: reconcile.SourceManual, Locked: true}}}
	a9 := &ExistingAsset{ID: o.a9, Version: 1, Values: map[string]string{"assetTag": "A-9", "serialNumber": "SN9",
		"model": "MacBook Pro 14", "manufacturer": "Apple", "status": "IN_STOCK", "notes": "  typed with spaces "},
		Provenance: map[string]reconcile.Current{reconcile.FieldStatus: {Source: reconcile.SourceImport}}}
	return &Snapshot{
		AssetsByTag:    map[string]*ExistingAsset{"a-1": a1, "a-6": a6, "a-9": a9},
		AssetsBySerial: map[string]*ExistingAsset{"SN1": a1, "SN6": a6, "SN9": a9},
		Manufacturers:  map[string]uuid.UUID{"apple": o.apple},
		Models:         map[ModelKey]ExistingModel{{Manufacturer: "apple", Name: "macbook pro 14"}: mb, {Name: "macbook pro 14"}: mb},
		ModelsByNumber: map[string]ExistingModel{"mx2e3": mb}, AmbiguousModelNumbers: map[string]bool{"shared-1": true},
		Locations: map[string]uuid.UUID{"paris": o.paris, "london": o.london}, AmbiguousLocations: map[string]bool{"annex": true},
		PeopleByEmail: map[string]uuid.UUID{"ana@example.com": o.ana, "bob@example.com": o.bob},
		PeopleByName:  map[string]uuid.UUID{"bob builder": o.bob}, AmbiguousPeople: map[string]bool{"jo smith": true},
	}
}

var assetHeaders = []string{"Asset Tag", "Serial", "Model", "Manufacturer", "Status", "Checked Out To", "Location",
	"Purchase Date", "Purchase Cost", "Warranty Expires", "Notes", "Category"}

func rowsOf(cells ...[]string) []Row {
	out := make([]Row, len(cells))
	for i, c := range cells {
		out[i] = Row{Line: i + 2, Cells: c}
	}
	return out
}

func newAssetPlanner(t *testing.T, headers []string, opt Options) *Planner {
	t.Helper()
	p, err := NewPlanner(KindAssets, headers, AutoMap(KindAssets, headers), opt)
	require.NoError(t, err)
	return p
}

func messages(errs []CellError) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Header + ": " + e.Message
	}
	return out
}

// TestPlanMessyAssets plans one chunk holding every problem the issue
// names, and the rows that are fine around them.
func TestPlanMessyAssets(t *testing.T) {
	t.Parallel()
	o := newOrg()
	p := newAssetPlanner(t, assetHeaders, Options{DefaultCurrency: "eur"})
	rows := rowsOf(
		// 2: A-1 moved to London (a person set Paris: kept) with a new note.
		[]string{"A-1", "SN1", "MacBook Pro 14", "Apple", "Deployed", "ana@example.com", "London", "15/01/2024", "€1,299.00", "2027-01-15", "dented lid"},
		// 3: A-1 again.
		[]string{"a-1", "SN1", "MacBook Pro 14", "Apple", "Deployed", "", "", "", "", "", ""},
		// 4: serial already on A-9.
		[]string{"A-2", "sn9", "MacBook Pro 14", "Apple", "", "", "", "", "", "", ""},
		// 5: no key.
		[]string{"", "SN5", "MacBook Pro 14", "Apple", "", "", "", "", "", "", ""},
		// 6: new, Snipe-IT status, new location, European money, Excel serial date.
		[]string{"A-3", "SN3", "MacBook Pro 14", "Apple", "Ready to Deploy", "", "Berlin", "31/12/2024", "1.299,00 €", "45657", ""},
		// 7: every cell wrong.
		[]string{"A-4", "SN4", "MacBook Pro 14", "Apple", "Broken-ish", "Jo Smith", "Annex", "13/13/2024", "12abc", "12/31/24", ""},
		// 8: the serial of line 6 again.
		[]string{"A-7", " sn3 ", "MacBook Pro 14", "Apple", "", "", "", "", "", "", ""},
		// 9: new model and manufacturer, person by their unique name, US$.
		[]string{"A-8", "N/A", "ThinkPad X1", "Lenovo", "", "Bob Builder", "", "2024-03-01", "$1,000", "", "", "Laptops"},
		// 10: the only difference is a locked field: unchanged.
		[]string{"A-6", "SN6", "MacBook Pro 14", "", "in stock", "", "London", "", "", "", ""},
	)
	plans := p.Plan(rows, o.snapshot())
	require.Len(t, plans, len(rows))
	for i, rp := range plans {
		require.Equal(t, rows[i].Line, rp.Line)
	}

	up := plans[0]
	require.Equal(t, ActionUpdate, up.Action, up.Errors)
	require.Equal(t, "A-1", up.Key)
	require.Equal(t, &o.a1, up.TargetID)
	require.Equal(t, 4, up.TargetVersion)
	require.Equal(t, map[string]string{"notes": "dented lid"}, up.Values)
	require.Equal(t, []CellError{{Column: 6, Header: "Location", Field: "location", Message: "kept: a person set it, and a person's edit wins over a spreadsheet"}}, up.Kept)

	require.Equal(t, ActionError, plans[1].Action)
	require.Equal(t, 2, plans[1].DuplicateOf)
	require.Equal(t, []string{`Asset Tag: asset tag "a-1" is also on line 2`, `Serial: serial number "SN1" is also on line 2`}, messages(plans[1].Errors))

	require.Equal(t, ActionError, plans[2].Action)
	require.Equal(t, []string{`Serial: serial number "sn9" is already on asset A-9`}, messages(plans[2].Errors))
	require.Equal(t, 1, plans[2].Errors[0].Column)

	require.Equal(t, ActionError, plans[3].Action)
	require.Equal(t, []CellError{{Column: -1, Message: "the asset tag is blank: rows are matched by it"}}, plans[3].Errors)

	cr := plans[4]
	require.Equal(t, ActionCreate, cr.Action, cr.Errors)
	require.Nil(t, cr.TargetID)
	require.Equal(t, map[string]string{"assetTag": "A-3", "serialNumber": "SN3", "model": "MacBook Pro 14", "manufacturer": "Apple",
		"status": "IN_STOCK", "location": "Berlin", "purchaseDate": "2024-12-31", "purchasePrice": "1299.00",
		"purchaseCurrency": "EUR", "warrantyEnd": "2024-12-31"}, cr.Values)

	bad := plans[5]
	require.Equal(t, ActionError, bad.Action)
	require.Equal(t, []string{
		`Status: "Broken-ish" is not a status (use IN_STOCK, DEPLOYED, ORDERED, IN_REPAIR, LOST, STOLEN, RETIRED or a Snipe-IT label like Ready to Deploy)`,
		`Purchase Date: "13/13/2024" is not a date (day/month/year): there is no month 13`,
		`Purchase Cost: "12abc": "abc" is not an ISO 4217 currency code`,
		`Warranty Expires: "12/31/24" is not a date: write the year in full (DD/MM/YYYY)`,
		`Checked Out To: two or more people are named "Jo Smith": use the email`,
		`Location: 2 or more locations are named "Annex": rename one, then import again`,
	}, messages(bad.Errors))

	require.Equal(t, ActionError, plans[6].Action)
	require.Equal(t, 6, plans[6].DuplicateOf)
	require.Equal(t, []string{`Serial: serial number "sn3" is also on line 6`}, messages(plans[6].Errors))

	nm := plans[7]
	require.Equal(t, ActionCreate, nm.Action, nm.Errors)
	require.Equal(t, map[string]string{"assetTag": "A-8", "model": "ThinkPad X1", "manufacturer": "Lenovo", "category": "Laptops",
		"assignee": "bob@example.com", "purchaseDate": "2024-03-01", "purchasePrice": "1000.00", "purchaseCurrency": "USD"}, nm.Values)

	un := plans[8]
	require.Equal(t, ActionUnchanged, un.Action, un.Errors)
	require.Nil(t, un.Values)
	require.Equal(t, &o.a6, un.TargetID)
	require.Equal(t, []string{"Location: kept: the field is locked"}, messages(un.Kept))

	require.Equal(t, Totals{Rows: 9, Create: 2, Update: 1, Unchanged: 1, Error: 5, Duplicates: 2,
		ReferencesCreated: 4, ReferencesMatched: 2}, p.Totals())
	refs := p.References()
	require.Equal(t, []Reference{
		{Kind: RefLocation, Name: "Berlin", NameKey: "berlin", FirstLine: 6, Rows: 1},
		{Kind: RefModel, Name: "MacBook Pro 14", NameKey: "macbook pro 14", Parent: "apple", ID: &o.macbook, FirstLine: 6, Rows: 1},
		{Kind: RefPerson, Name: "bob@example.com", NameKey: "bob@example.com", ID: &o.bob, FirstLine: 9, Rows: 1},
		{Kind: RefManufacturer, Name: "Lenovo", NameKey: "lenovo", FirstLine: 9, Rows: 1},
		{Kind: RefCategory, Name: "Laptops", NameKey: "laptops", FirstLine: 9, Rows: 1},
		{Kind: RefModel, Name: "ThinkPad X1", NameKey: "thinkpad x1", Parent: "lenovo", Extra: map[string]string{"manufacturer": "Lenovo", "category": "Laptops"}, FirstLine: 9, Rows: 1},
	}, refs)
	for _, rp := range plans {
		for f := range rp.Values {
			if k, parent, key, ok := RefFor(KindAssets, f, rp.Values); ok {
				require.True(t, hasRef(refs, k, parent, key), "line %d field %s", rp.Line, f)
			}
		}
	}
}

func hasRef(refs []Reference, k RefKind, parent, key string) bool {
	for _, r := range refs {
		if r.Kind == k && r.Parent == parent && r.NameKey == key {
			return true
		}
	}
	return false
}

// TestPlanAssetsAcrossChunks: keys and references carry from one chunk to
// the next, so a duplicate 100,000 rows apart is still one.
func TestPlanAssetsAcrossChunks(t *testing.T) {
	t.Parallel()
	o := newOrg()
	p := newAssetPlanner(t, []string{"Asset Tag", "Model", "Manufacturer", "Location"}, Options{})
	first := p.Plan([]Row{{Line: 2, Cells: []string{"B-1", "MacBook Pro 14", "Apple", "Berlin"}}}, o.snapshot())
	second := p.Plan([]Row{{Line: 90001, Cells: []string{"b-1", "MacBook Pro 14", "Apple", "berlin"}},
		{Line: 90002, Cells: []string{"B-2", "MacBook Pro 14", "Apple", "BERLIN"}}}, o.snapshot())
	require.Equal(t, ActionCreate, first[0].Action)
	require.Equal(t, ActionError, second[0].Action)
	require.Equal(t, 2, second[0].DuplicateOf)
	require.Equal(t, ActionCreate, second[1].Action)
	refs := p.References()
	require.Len(t, refs, 2)
	require.Equal(t, Reference{Kind: RefModel, Name: "MacBook Pro 14", NameKey: "macbook pro 14", Parent: "apple", ID: &o.macbook, FirstLine: 2, Rows: 2}, refs[1])
	require.Equal(t, Reference{Kind: RefLocation, Name: "Berlin", NameKey: "berlin", FirstLine: 2, Rows: 2}, refs[0])
}

// TestPlanAssetCases: one rule each.
func TestPlanAssetCases(t *testing.T) {
	t.Parallel()
	o := newOrg()
	type tc struct {
		name    string
		headers []string
		opt     Options
		cells   []string
		action  Action
		values  map[string]string
		errs    []string
	}
	cases := []tc{
		{name: "MDY reads 12/31/2024", headers: []string{"Asset Tag", "Model", "Manufacturer", "Purchase Date"}, opt: Options{DateOrder: MDY},
			cells: []string{"C-1", "MacBook Pro 14", "Apple", "12/31/2024"}, action: ActionCreate,
			values: map[string]string{"assetTag": "C-1", "model": "MacBook Pro 14", "manufacturer": "Apple", "purchaseDate": "2024-12-31"}},
		{name: "DMY refuses 12/31/2024", headers: []string{"Asset Tag", "Model", "Manufacturer", "Purchase Date"},
			cells: []string{"C-1", "MacBook Pro 14", "Apple", "12/31/2024"}, action: ActionError,
			errs: []string{`Purchase Date: "12/31/2024" is not a date (day/month/year): there is no month 31`}},
		{name: "a new asset needs a model", headers: []string{"Asset Tag", "Name"},
			cells: []string{"C-2", "spare"}, action: ActionError,
			errs: []string{": a new asset needs a model: give the model's name and manufacturer, or an existing model's number"}},
		{name: "a model by number", headers: []string{"Asset Tag", "Model No."},
			cells: []string{"C-3", "mx2e3"}, action: ActionCreate, values: map[string]string{"assetTag": "C-3", "modelNumber": "mx2e3"}},
		{name: "a shared model number", headers: []string{"Asset Tag", "Model No."},
			cells: []string{"C-3", "SHARED-1"}, action: ActionError,
			errs: []string{`Model No.: two or more models have model number "SHARED-1": add the model's name and manufacturer`}},
		{name: "a new model needs a category", headers: []string{"Asset Tag", "Model", "Manufacturer"},
			cells: []string{"C-4", "Mystery", "Acme"}, action: ActionError,
			errs: []string{`Model: no model is named "Mystery" by Acme: add its category, and the import creates it`}},
		{name: "a new model with its category and number", headers: []string{"Asset Tag", "Model", "Manufacturer", "Category", "Model No."},
			cells: []string{"C-4", "Mystery", "Apple", "Gadgets", "MY-1"}, action: ActionCreate,
			values: map[string]string{"assetTag": "C-4", "model": "Mystery", "manufacturer": "Apple", "category": "Gadgets", "modelNumber": "MY-1"}},
		{name: "an unknown model without a manufacturer", headers: []string{"Asset Tag", "Model"},
			cells: []string{"C-4", "Mystery"}, action: ActionError,
			errs: []string{`Model: no model is named "Mystery": add a manufacturer column, and the import creates it`}},
		{name: "a new asset cannot be DEPLOYED without an assignee", headers: []string{"Asset Tag", "Model", "Status"},
			cells: []string{"C-5", "MacBook Pro 14", "Deployed"}, action: ActionError,
			errs: []string{"Status: a DEPLOYED asset needs an assignee the inventory knows"}},
		{name: "a new asset assigned to a new person by email", headers: []string{"Asset Tag", "Model", "Assigned To"},
			cells: []string{"C-6", "MacBook Pro 14", "New.Hire@Example.com"}, action: ActionCreate,
			values: map[string]string{"assetTag": "C-6", "model": "MacBook Pro 14", "assignee": "New.Hire@Example.com"}},
		{name: "nobody has that name", headers: []string{"Asset Tag", "Model", "Assigned To"},
			cells: []string{"C-7", "MacBook Pro 14", "Nobody Here"}, action: ActionError,
			errs: []string{`Assigned To: no person is named "Nobody Here": use their email, and the import creates them`}},
		{name: "warranty before purchase", headers: []string{"Asset Tag", "Model", "Purchase Date", "Warranty End"},
			cells: []string{"C-8", "MacBook Pro 14", "2024-05-01", "2024-04-30"}, action: ActionError,
			errs: []string{"Warranty End: warranty cannot end before the purchase date"}},
		{name: "an update's purchase date after the stored warranty end", headers: []string{"Asset Tag", "Purchase Date"},
			cells: []string{"A-1", "2028-01-01"}, action: ActionError,
			errs: []string{"Purchase Date: warranty cannot end before the purchase date"}},
		{name: "a value with no recorded source counts as a person's", headers: []string{"Asset Tag", "Warranty End"},
			cells: []string{"A-1", "2029-01-01"}, action: ActionUnchanged},
		{name: "a tag longer than 64", headers: []string{"Asset Tag", "Model"},
			cells: []string{"T-" + string(make([]byte, 0)) + "0123456789012345678901234567890123456789012345678901234567890123", "MacBook Pro 14"}, action: ActionError,
			errs: []string{"Asset Tag: asset tag is at most 64 characters"}},
		{name: "a currency column", headers: []string{"Asset Tag", "Model", "Cost", "Currency"},
			cells: []string{"C-9", "MacBook Pro 14", "1 299,5", "chf"}, action: ActionCreate,
			values: map[string]string{"assetTag": "C-9", "model": "MacBook Pro 14", "purchasePrice": "1299.50", "purchaseCurrency": "CHF"}},
		{name: "a price in another currency than its column", headers: []string{"Asset Tag", "Model", "Cost", "Currency"},
			cells: []string{"C-9", "MacBook Pro 14", "£12", "EUR"}, action: ActionError,
			errs: []string{`Cost: "£12" is in GBP but the currency column says EUR`}},
		{name: "MDY refuses 31/12/2024", headers: []string{"Asset Tag", "Model", "Purchase Date"}, opt: Options{DateOrder: MDY},
			cells: []string{"C-1", "MacBook Pro 14", "31/12/2024"}, action: ActionError,
			errs: []string{`Purchase Date: "31/12/2024" is not a date (month/day/year): there is no month 31`}},
		{name: "a status change the lifecycle allows", headers: []string{"Asset Tag", "Status"},
			cells: []string{"A-9", "Retired"}, action: ActionUpdate, values: map[string]string{"status": "RETIRED"}},
		{name: "an update that skips a step", headers: []string{"Asset Tag", "Status"},
			cells: []string{"A-9", "Disposed"}, action: ActionError,
			errs: []string{"Status: cannot move an asset from IN_STOCK to DISPOSED: allowed from IN_STOCK: IN_REPAIR, LOST, STOLEN, RETIRED; retire it (from IN_STOCK), then use disposeAsset"}},
		{name: "assigning an in-stock asset", headers: []string{"Asset Tag", "Assigned To"},
			cells: []string{"A-9", "ana@example.com"}, action: ActionUpdate, values: map[string]string{"assignee": "ana@example.com"}},
		{name: "the same assignee by name is no change", headers: []string{"Asset Tag", "Assigned To"},
			cells: []string{"A-1", "ana@EXAMPLE.com"}, action: ActionUnchanged},
		{name: "a model change by number", headers: []string{"Asset Tag", "Model No."},
			cells: []string{"A-9", "mx2e3"}, action: ActionUnchanged},
		{name: "an MDM's serial is kept", headers: []string{"Asset Tag", "Serial"},
			cells: []string{"A-1", "SN1-NEW"}, action: ActionUnchanged},
		{name: "the import updates what it set", headers: []string{"Asset Tag", "Purchase Date"},
			cells: []string{"A-1", "2024-02-01"}, action: ActionUpdate, values: map[string]string{"purchaseDate": "2024-02-01"}},
		{name: "the same price written differently is no change", headers: []string{"Asset Tag", "Cost"}, opt: Options{DefaultCurrency: "EUR"},
			cells: []string{"A-1", "1299"}, action: ActionUnchanged},
		{name: "keyed by serial: blank serial", headers: []string{"Asset Tag", "Serial", "Model"}, opt: Options{UpsertKey: KeySerialNumber},
			cells: []string{"C-10", "", "MacBook Pro 14"}, action: ActionError,
			errs: []string{": the serial number is blank: rows are matched by it"}},
		{name: "keyed by serial: the tag is another asset's", headers: []string{"Asset Tag", "Serial", "Model"}, opt: Options{UpsertKey: KeySerialNumber},
			cells: []string{"A-9", "SN-NEW", "MacBook Pro 14"}, action: ActionError,
			errs: []string{`Asset Tag: asset tag "A-9" is already on another asset (serial number SN9)`}},
		{name: "keyed by serial: a new asset takes the next tag", headers: []string{"Asset Tag", "Serial", "Model"}, opt: Options{UpsertKey: KeySerialNumber},
			cells: []string{"", "SN-NEW", "MacBook Pro 14"}, action: ActionCreate,
			values: map[string]string{"serialNumber": "SN-NEW", "model": "MacBook Pro 14"}},
		{name: "keyed by serial: a new tag for an existing asset", headers: []string{"Asset Tag", "Serial"}, opt: Options{UpsertKey: KeySerialNumber},
			cells: []string{"A-9-NEW", "sn9"}, action: ActionUpdate, values: map[string]string{"assetTag": "A-9-NEW"}},
		{name: "a stored value's surrounding spaces are no change (the export writes them, every cell is trimmed)", headers: []string{"Asset Tag", "Notes"},
			cells: []string{"A-9", "  typed with spaces "}, action: ActionUnchanged},
		{name: "a change inside the text is one", headers: []string{"Asset Tag", "Notes"},
			cells: []string{"A-9", "typed  with spaces"}, action: ActionUpdate, values: map[string]string{"notes": "typed  with spaces"}},
		{name: "a blank cell never clears", headers: []string{"Asset Tag", "Serial", "Location", "Notes"},
			cells: []string{"A-9", "", "", ""}, action: ActionUnchanged},
		{name: "an unknown condition and a NUL", headers: []string{"Asset Tag", "Condition", "Notes"},
			cells: []string{"A-9", "shiny", "a\x00b"}, action: ActionError,
			errs: []string{`Condition: "shiny" is not a condition (use NEW, GOOD, FAIR, POOR or BROKEN)`, "Notes: text cannot contain a NUL character"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			p := newAssetPlanner(t, c.headers, c.opt)
			rp := p.Plan([]Row{{Line: 2, Cells: c.cells}}, o.snapshot())[0]
			require.Equal(t, c.action, rp.Action, rp.Errors)
			require.Equal(t, c.values, rp.Values)
			for f := range rp.Values {
				if k, parent, key, ok := RefFor(KindAssets, f, rp.Values); ok {
					require.True(t, hasRef(p.References(), k, parent, key), "field %s resolves through no reference", f)
				}
			}
			if c.errs == nil {
				require.Empty(t, rp.Errors)
			} else {
				require.Equal(t, c.errs, messages(rp.Errors))
			}
		})
	}
}

func TestNewPlannerOptions(t *testing.T) {
	t.Parallel()
	h := []string{"Asset Tag", "Cost"}
	cases := []struct {
		name    string
		headers []string
		opt     Options
		field   string
	}{
		{"bad date order", h, Options{DateOrder: "YMD", DefaultCurrency: "EUR"}, "options.dateOrder"},
		{"bad upsert key", h, Options{UpsertKey: "NAME", DefaultCurrency: "EUR"}, "options.upsertKey"},
		{"serial key without a serial column", h, Options{UpsertKey: KeySerialNumber, DefaultCurrency: "EUR"}, "options.upsertKey"},
		{"bad currency", h, Options{DefaultCurrency: "EURO"}, "options.defaultCurrency"},
		{"a price column needs a currency", h, Options{}, "options.defaultCurrency"},
		{"no key column", []string{"Notes"}, Options{}, "mapping"},
	}
	for _, c := range cases {
		_, err := NewPlanner(KindAssets, c.headers, AutoMap(KindAssets, c.headers), c.opt)
		var e *itam.Error
		require.ErrorAs(t, err, &e, c.name)
		require.Equal(t, itam.CodeInvalid, e.Code, c.name)
		require.Equal(t, c.field, e.Field, c.name)
	}
	p, err := NewPlanner(KindAssets, []string{"Asset Tag", "Cost", "Currency"}, AutoMap(KindAssets, []string{"Asset Tag", "Cost", "Currency"}), Options{})
	require.NoError(t, err, "a currency column names each row's currency")
	require.Equal(t, Options{DateOrder: DMY, UpsertKey: KeyAssetTag}, p.opt)
}

func TestNeeds(t *testing.T) {
	t.Parallel()
	p := newAssetPlanner(t, assetHeaders, Options{DefaultCurrency: "EUR"})
	l := p.Needs(rowsOf(
		[]string{" A-1 ", "sn1", "MacBook Pro 14", "Apple", "", "Ana@Example.com", "Paris"},
		[]string{"a-1", "N/A", "macbook pro 14", "APPLE", "", "Bob Builder", "paris"},
		[]string{"A-2"},
	))
	require.Equal(t, Lookup{
		AssetTags: []string{"a-1", "a-2"}, Serials: []string{"SN1"}, Manufacturers: []string{"apple"},
		Models: []ModelKey{{Manufacturer: "apple", Name: "macbook pro 14"}}, Locations: []string{"paris"},
		PersonEmails: []string{"ana@example.com"}, PersonNames: []string{"bob builder"},
	}, l)
}

func TestApplySaved(t *testing.T) {
	t.Parallel()
	headers := []string{"Tag", "Kit", "Serial", "S/N", "Old Notes"}
	saved := map[string]string{NormalizeHeader("Kit"): "model", NormalizeHeader("S/N"): "serialNumber",
		NormalizeHeader("Old Notes"): "", NormalizeHeader("Tag"): "nonsense"}
	m := ApplySaved(KindAssets, headers, saved)
	require.Equal(t, map[int]string{0: "assetTag", 1: "model", 3: "serialNumber"}, m.Columns)
	require.Equal(t, []int{4}, m.Unmapped)
	require.Equal(t, []Conflict{{Column: 2, Field: "serialNumber", TakenBy: 3}}, m.Conflicts)
}

func TestNormalizeKeys(t *testing.T) {
	t.Parallel()
	require.Equal(t, "ana@example.com", NormalizeName("  Ana@Example.COM "))
	require.Equal(t, "a-1", NormalizeTag(" A-1 "))
	require.Equal(t, "C02XYZ", NormalizeSerial(" c02xyz "))
}
