package reconcile_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

func TestDevicePriceKeepsOnlyPricesTheInventoryCanHold(t *testing.T) {
	for _, c := range []struct {
		price, currency string
		want            string // "" is no price
		wantCurrency    string
	}{
		{"1299.99", "usd", "1299.99", "USD"},
		{" 10.123456 ", "", "10.1235", "EUR"}, // rounded to the column's 4 places; the org's currency
		{"12", "nope", "12", "EUR"},           // an unknown currency falls back to the org's
		{"", "USD", "", ""},
		{"about 1000", "USD", "", ""},
		{"-5", "USD", "", ""},
		{"100000000000000", "USD", "", ""}, // 10^14 overflows numeric(18,4): no price, not a failing page
	} {
		amount, cur := reconcile.DevicePrice(reconcile.Device{PurchasePrice: c.price, PurchaseCurrency: c.currency}, "EUR")
		if c.want == "" {
			require.Nil(t, amount, c.price)
			continue
		}
		require.NotNil(t, amount, c.price)
		require.Equal(t, c.want, amount.String(), c.price)
		require.Equal(t, c.wantCurrency, cur, c.price)
	}
}

// page builds a Snapshot of one organization with one Jamf connector, one
// manufacturer ("Apple") with one model, one active and one offboarded
// person, and the given existing assets (linked by their external ids).
type page struct {
	snap             *reconcile.Snapshot
	apple, mbp, team uuid.UUID
	ann, gone        uuid.UUID
	source           string
}

func newPage(t *testing.T) *page {
	t.Helper()
	p := &page{apple: uuid.New(), mbp: uuid.New(), team: uuid.New(), ann: uuid.New(), gone: uuid.New()}
	p.source = itam.ConnectorSource("JAMF_PRO", uuid.New())
	p.snap = &reconcile.Snapshot{
		OrgID: uuid.New(), Source: p.source, Kind: "JAMF_PRO", Precedence: reconcile.Precedence{}, Authoritative: map[string]bool{},
		Links: map[string]uuid.UUID{}, BySerial: map[string][]reconcile.SerialCandidate[uuid.UUID]{}, ByTag: map[string]uuid.UUID{},
		Assets: map[uuid.UUID]*itam.Asset{}, Provenance: map[uuid.UUID]map[string]reconcile.FieldSource{},
		People:          map[string]uuid.UUID{"ann@example.com": p.ann, "gone@example.com": p.gone},
		ActivePeople:    map[uuid.UUID]bool{p.ann: true, p.gone: false},
		Models:          map[string]uuid.UUID{reconcile.ModelKey(p.apple, "MacBook Pro"): p.mbp},
		Manufacturers:   map[string]uuid.UUID{"apple": p.apple},
		DefaultCurrency: "EUR", DefaultOwnerTeam: &p.team,
	}
	return p
}

// existing adds an asset linked to externalID whose fields were set by
// source (per field: "" leaves provenance unrecorded).
func (p *page) existing(externalID string, a itam.Asset, prov map[string]reconcile.FieldSource) *itam.Asset {
	a.ID, a.OrgID, a.ManufacturerID, a.ModelID, a.Version = uuid.New(), p.snap.OrgID, p.apple, p.mbp, 3
	if a.Status == "" {
		a.Status = itam.StatusInStock
	}
	if a.AssetTag == "" {
		a.AssetTag = "IT-" + externalID
	}
	p.snap.Assets[a.ID] = &a
	if externalID != "" {
		p.snap.Links[externalID] = a.ID
	}
	if a.SerialNumber != nil {
		k := reconcile.NormalizeSerial(*a.SerialNumber)
		p.snap.BySerial[k] = append(p.snap.BySerial[k], reconcile.SerialCandidate[uuid.UUID]{ID: a.ID, Manufacturer: "Apple"})
	}
	p.snap.Provenance[a.ID] = prov
	return &a
}

func mac(id, serial string) reconcile.Device {
	return reconcile.Device{ExternalID: id, SerialNumber: serial, Manufacturer: "Apple", Model: "MacBook Pro", Name: "mac-" + id}
}

func str(s string) *string { return &s }

func TestPlanNewDevices(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	withUser := mac("2", "C02B")
	withUser.UserEmail = " Ann@Example.com "
	offboarded := mac("3", "C02C")
	offboarded.UserEmail = "gone@example.com"
	vm := reconcile.Device{ExternalID: "4", SerialNumber: "VMware-56 4d", Manufacturer: "VMware, Inc.", Model: "VMware7,1", Virtual: true}
	plan := reconcile.Plan(p.snap, []reconcile.Device{mac("1", "C02A"), withUser, offboarded, vm})

	require.Empty(t, plan.Errors)
	require.Equal(t, 4, plan.NewAssets)
	require.Len(t, plan.Changes, 4)
	for _, c := range plan.Changes {
		require.Nil(t, c.Before)
		require.True(t, c.Changed())
		require.Equal(t, itam.HistoryCreate, c.Action)
		require.Equal(t, &p.team, c.After.OwnerTeamID, "new assets go to the default owner team")
	}
	inStock, deployed, notAssigned, virtual := plan.Changes[0].After, plan.Changes[1].After, plan.Changes[2].After, plan.Changes[3].After
	require.Equal(t, itam.StatusInStock, inStock.Status)
	require.Equal(t, "C02A", *inStock.SerialNumber)
	require.Equal(t, p.mbp, inStock.ModelID)
	require.Equal(t, []string{reconcile.FieldSerialNumber, reconcile.FieldName, reconcile.FieldModel}, plan.Changes[0].Provenance)

	require.Equal(t, itam.StatusDeployed, deployed.Status, "a device with a user is checked out to them")
	require.Equal(t, &p.ann, deployed.AssignedPersonID)
	require.Contains(t, plan.Changes[1].Provenance, reconcile.FieldAssignee)

	require.Equal(t, itam.StatusInStock, notAssigned.Status, "an offboarded person is not assigned new devices")
	require.Nil(t, notAssigned.AssignedPersonID)

	require.Nil(t, virtual.SerialNumber, "a VM's serial stays on its link")
	require.Equal(t, uuid.Nil, virtual.ModelID, "a model the snapshot does not know is left for storage to create")
}

func TestPlanRecordsOfOnePage(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	a := p.existing("10", itam.Asset{SerialNumber: str("C02X")}, nil)
	twin := mac("21", "c02-new") // the same new device reported twice (another id, same serial)
	plan := reconcile.Plan(p.snap, []reconcile.Device{
		mac("20", "C02-NEW"),
		twin,
		{ExternalID: "  ", SerialNumber: "C02Y"},
		mac("10", "C02X"),
		mac("10", "C02X"), // repeated record: counts once
		mac("11", "C02X"), // another record matching the same asset by serial
	})
	require.Equal(t, 1, plan.NewAssets, "two records of one new device make one asset")
	require.Len(t, plan.Changes, 3)
	require.True(t, plan.Changes[1].LinkOnly)
	require.Same(t, plan.Changes[0].After, plan.Changes[1].After)
	require.Equal(t, a.ID, plan.Changes[2].Before.ID)
	require.Equal(t, []itam.SyncError{
		{Message: "record without an id skipped"},
		{ExternalID: "11", Message: "matches the same asset IT-10 as record 10; skipped"},
	}, plan.Errors)
}

func TestPlanNeedsAnOwnerTeam(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.snap.DefaultOwnerTeam = nil
	plan := reconcile.Plan(p.snap, []reconcile.Device{mac("1", "C02A")})
	require.Empty(t, plan.Changes)
	require.Equal(t, []itam.SyncError{{ExternalID: "1", Message: "the organization has no default owner team and the connector none either"}}, plan.Errors)
}

func TestPlanFieldRules(t *testing.T) {
	t.Parallel()
	jamfOther := itam.ConnectorSource("JAMF_PRO", uuid.New())
	intune := itam.ConnectorSource("INTUNE", uuid.New())
	tests := []struct {
		name   string
		before itam.Asset
		prov   map[string]reconcile.FieldSource
		device func(d *reconcile.Device)
		want   func(t *testing.T, c *reconcile.Change)
	}{
		{
			name:   "unchanged device changes nothing",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1")},
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.Empty(t, c.Conflicts)
			},
		},
		{
			name:   "the source that set the name renames",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("old")},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldName: {Source: "SELF"}},
			want: func(t *testing.T, c *reconcile.Change) {
				require.True(t, c.Changed())
				require.Equal(t, "mac-1", *c.After.Name)
				require.Equal(t, "old", *c.Before.Name, "the snapshot is never written")
				require.Contains(t, c.Provenance, reconcile.FieldName)
			},
		},
		{
			name:   "the source that set the name reporting it empty keeps it",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("kept")},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldName: {Source: "SELF"}},
			device: func(d *reconcile.Device) { d.Name = "  " },
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.NotContains(t, c.Provenance, reconcile.FieldName)
			},
		},
		{
			name:   "a manual unlocked name survives an empty value from a higher-ranked source",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("typed by hand")},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldName: {Source: reconcile.SourceManual}},
			device: func(d *reconcile.Device) { d.Name = "" },
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.Empty(t, c.Conflicts)
			},
		},
		{
			name:   "a locked name is a conflict, never a change",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("locked")},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldName: {Source: reconcile.SourceManual, Locked: true}},
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.Equal(t, []reconcile.FieldConflict{{Field: reconcile.FieldName, KeptSource: reconcile.SourceManual, Kept: str("locked"), Got: "mac-1"}}, c.Conflicts)
			},
		},
		{
			name:   "another Jamf's name of equal rank is kept and recorded",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("theirs")},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldName: {Source: jamfOther}},
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.Len(t, c.Conflicts, 1)
				require.Equal(t, jamfOther, c.Conflicts[0].KeptSource)
			},
		},
		{
			name:   "a purchase price from an MDM does not beat a manual one",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1"), PurchasePrice: &itam.Money{Amount: decimal.RequireFromString("900"), Currency: "EUR"}},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldPurchasePrice: {Source: reconcile.SourceManual}},
			device: func(d *reconcile.Device) { d.PurchasePrice, d.PurchaseCurrency = "1299.00", "USD" },
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.Equal(t, map[string]string{"amount": "1299", "currency": "USD"}, c.Conflicts[0].Got)
			},
		},
		{
			name:   "an empty purchase date takes the vendor's",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1")},
			device: func(d *reconcile.Device) { d.PurchaseDate = ptrTime(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)) },
			want: func(t *testing.T, c *reconcile.Change) {
				require.True(t, c.Changed())
				require.Equal(t, "2025-03-01", c.After.PurchaseDate.Format(time.DateOnly))
			},
		},
		{
			name:   "a user checks the device out",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1")},
			device: func(d *reconcile.Device) { d.UserEmail = "ann@example.com" },
			want: func(t *testing.T, c *reconcile.Change) {
				require.Equal(t, itam.HistoryAssign, c.Action)
				require.Equal(t, itam.StatusDeployed, c.After.Status)
			},
		},
		{
			name:   "a retired asset is not checked out by a sync",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1"), Status: itam.StatusRetired},
			device: func(d *reconcile.Device) { d.UserEmail = "ann@example.com" },
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.NotContains(t, c.Provenance, reconcile.FieldAssignee)
			},
		},
		{
			name:   "Jamf's assignee beats Intune's (Jamf ranks above Intune by default)",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1"), Status: itam.StatusDeployed, AssignedPersonID: ptrUUID(uuid.New())},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldAssignee: {Source: intune}},
			device: func(d *reconcile.Device) { d.UserEmail = "ann@example.com" },
			want: func(t *testing.T, c *reconcile.Change) {
				require.True(t, c.Changed())
				require.Empty(t, c.Conflicts)
			},
		},
		{
			name:   "the authoritative source's assignee is kept against Jamf",
			before: itam.Asset{SerialNumber: str("C02A"), Name: str("mac-1"), Status: itam.StatusDeployed, AssignedPersonID: ptrUUID(uuid.New())},
			prov:   map[string]reconcile.FieldSource{reconcile.FieldAssignee: {Source: "AUTH"}},
			device: func(d *reconcile.Device) { d.UserEmail = "ann@example.com" },
			want: func(t *testing.T, c *reconcile.Change) {
				require.False(t, c.Changed())
				require.Len(t, c.Conflicts, 1)
				require.Equal(t, intune, c.Conflicts[0].KeptSource)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPage(t)
			for f, v := range tt.prov {
				switch v.Source {
				case "SELF":
					v.Source = p.source
				case "AUTH": // an Intune connector marked authoritative for people
					v.Source = intune
					p.snap.Authoritative[intune] = true
				}
				tt.prov[f] = v
			}
			p.existing("1", tt.before, tt.prov)
			d := mac("1", "C02A")
			if tt.device != nil {
				tt.device(&d)
			}
			plan := reconcile.Plan(p.snap, []reconcile.Device{d})
			require.Empty(t, plan.Errors)
			require.Len(t, plan.Changes, 1)
			tt.want(t, plan.Changes[0])
		})
	}
}

func TestPlanKeepsSerialsUnique(t *testing.T) {
	t.Parallel()
	p := newPage(t)
	p.existing("", itam.Asset{SerialNumber: str("C02TAKEN")}, nil)
	mine := p.existing("1", itam.Asset{SerialNumber: str("C02OLD")}, map[string]reconcile.FieldSource{reconcile.FieldSerialNumber: {Source: p.source}})
	plan := reconcile.Plan(p.snap, []reconcile.Device{mac("1", "C02TAKEN")})
	c := plan.Changes[0]
	require.Equal(t, mine.ID, c.Before.ID, "the link wins over the serial")
	require.Equal(t, "C02OLD", *c.After.SerialNumber)
	require.Equal(t, []reconcile.FieldConflict{{Field: reconcile.FieldSerialNumber, KeptSource: "uniqueness", Kept: str("C02OLD"), Got: "C02TAKEN"}}, c.Conflicts)
	require.NotContains(t, c.Provenance, reconcile.FieldSerialNumber)
}

func ptrTime(t time.Time) *time.Time { return &t }
func ptrUUID(u uuid.UUID) *uuid.UUID { return &u }

func TestDiffSoftware(t *testing.T) {
	t.Parallel()
	oldAsset, newAsset, untouched := &itam.Asset{ID: uuid.New()}, &itam.Asset{ID: uuid.New()}, &itam.Asset{ID: uuid.New()}
	have := map[uuid.UUID]map[string]reconcile.InstalledSoftware{
		oldAsset.ID: {
			"com.same":  {Title: "Same", Version: "1", Identifier: "com.same"},
			"com.bump":  {Title: "Bump", Version: "1", Identifier: "com.bump"},
			"com.stale": {Title: "Stale", Version: "1", Identifier: "com.stale", Stale: true},
			"removed":   {Title: "Removed"},
			"gone":      {Title: "Gone", Ended: true},                                       // already ended: stays so
			"com.back":  {Title: "Back", Version: "1", Identifier: "com.back", Ended: true}, // reported again
		},
		untouched.ID: {"x": {Title: "X"}},
	}
	changes := []*reconcile.Change{
		{Before: oldAsset, After: oldAsset, Device: reconcile.Device{Software: []reconcile.Software{
			{Title: "Same", Version: "1", Identifier: "com.same"},
			{Title: "Bump", Version: "2", Identifier: "com.bump"},
			{Title: "Stale", Version: "1", Identifier: "com.stale"},
			{Title: "Back", Version: "1", Identifier: "com.back"},
			{Title: " Fresh ", Version: " 3 "},
			{Title: "fresh", Version: "4"}, // same key (lower-cased title): the first counts
			{Title: "  "},                  // untitled: skipped
		}}},
		{After: newAsset, Device: reconcile.Device{Software: []reconcile.Software{{Title: "Zoom", Identifier: "us.zoom"}}}},
		{Before: untouched, After: untouched}, // software not sent: left alone
	}
	d := reconcile.DiffSoftware(changes, have)
	require.Equal(t, []reconcile.SoftwareRow{{Asset: newAsset.ID, Key: "us.zoom", Title: "Zoom", Identifier: "us.zoom"}}, d.Insert)
	require.Equal(t, []reconcile.SoftwareRow{
		{Asset: oldAsset.ID, Key: "com.bump", Title: "Bump", Version: "2", Identifier: "com.bump"},
		{Asset: oldAsset.ID, Key: "com.stale", Title: "Stale", Version: "1", Identifier: "com.stale"},
		{Asset: oldAsset.ID, Key: "com.back", Title: "Back", Version: "1", Identifier: "com.back"},
		{Asset: oldAsset.ID, Key: "fresh", Title: "Fresh", Version: "3"},
	}, d.Upsert)
	require.Equal(t, []reconcile.SoftwareRow{{Asset: oldAsset.ID, Key: "removed"}}, d.End)
}
