package imports

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestPlanLicenses(t *testing.T) {
	t.Parallel()
	office, adobe, cc, acme, o365 := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	s := &Snapshot{
		Publishers: map[string]uuid.UUID{"adobe": adobe},
		Products: map[ProductKey]uuid.UUID{{Publisher: "adobe", Name: "creative cloud"}: cc, {Name: "creative cloud"}: cc,
			{Publisher: "microsoft", Name: "office"}: office, {Name: "office"}: office},
		Suppliers:         map[string]uuid.UUID{"acme": acme},
		AmbiguousLicenses: map[string]bool{"twin": true},
		Licenses: map[string]*ExistingRecord{"office 365 e3": {ID: o365, Version: 4, Values: map[string]string{
			"name": "Office 365 E3", "product": "Office", "publisher": "Microsoft", "licenseModel": "PER_USER", "editions": "E3",
			"seats": "100", "termStart": "2024-01-01", "termEnd": "2024-12-31", "autoRenew": "true", "seatCost": "20.00",
			"costCurrency": "EUR", "billingPeriod": "MONTHLY", "supplier": "Acme"}}},
	}
	headers := []string{"Name", "Product", "Publisher", "License Model", "Editions", "Seats", "Term Start", "Term End",
		"Auto Renew", "Seat Cost", "Total Cost", "Currency", "Billing Period", "Supplier"}
	row := func(cells ...string) []string { return append(cells, make([]string, len(headers)-len(cells))...) }
	p, got := planKind(t, KindLicenses, headers, s,
		// 2: the export of the existing license, spelled differently.
		row("Office 365 E3", "office", "MICROSOFT", "Per User", "e3", "100", "01/01/2024", "31/12/2024", "yes", "€20", "", "EUR", "monthly", "acme"),
		// 3: new license of an existing product, named without its publisher.
		row("CC Teams", "Creative Cloud", "", "Subscription", "Pro; pro; Teams", "25", "", "", "", "", "1,200.50", "USD", "Annual", "Softline"),
		// 4: new product and publisher.
		row("Slack Pro", "Slack", "Salesforce", "PER_USER", "", "40"),
		// 5: product nobody has, no publisher.
		row("Mystery", "Gizmo", "", "SITE"),
		// 6: domain rules: SITE with seats, both costs, term end before start.
		row("Site Deal", "Office", "Microsoft", "SITE", "", "10"),
		row("Both Costs", "Office", "Microsoft", "PER_USER", "", "5", "", "", "", "10", "50", "EUR"),
		row("Backwards", "Office", "Microsoft", "PER_DEVICE", "", "5", "2025-01-01", "2024-01-01"),
		// 9: missing model and product; 10: bad cells; 11: ambiguous; 12: duplicate of 3.
		row("Bare"),
		row("Bad", "Office", "", "Per Banana", "", "-3", "", "", "maybe"),
		row("Twin", "Office"),
		row("cc teams", "Creative Cloud", "", "SUBSCRIPTION", "", "25"),
	)
	requireRows(t, []wantRow{
		{action: ActionUnchanged},
		{action: ActionCreate, values: map[string]string{"name": "CC Teams", "product": "Creative Cloud", "licenseModel": "SUBSCRIPTION",
			"editions": "Pro; Teams", "seats": "25", "totalCost": "1200.50", "costCurrency": "USD", "billingPeriod": "ANNUAL", "supplier": "Softline"}},
		{action: ActionCreate, values: map[string]string{"name": "Slack Pro", "product": "Slack", "publisher": "Salesforce", "licenseModel": "PER_USER", "seats": "40"}},
		{action: ActionError, errs: []string{`Product: no single product is named "Gizmo": add a publisher column, and the import creates it`}},
		{action: ActionError, errs: []string{"Seats: a SITE license is unlimited: leave seats empty"}},
		{action: ActionError, errs: []string{"Total Cost: give seatCost or totalCost, not both"}},
		{action: ActionError, errs: []string{"Term End: termEnd 2024-01-01 is before termStart 2025-01-01"}},
		{action: ActionError, errs: []string{`License Model: a new license needs a license model: no license is named "Bare"`,
			`Product: a new license needs a product: no license is named "Bare"`}},
		{action: ActionError, errs: []string{`License Model: "Per Banana" is not a license model (use PER_DEVICE, PER_USER, CONCURRENT, SITE or SUBSCRIPTION)`,
			`Seats: "-3" is not a whole number of seats`, `Auto Renew: "maybe" is not a yes or no (use true, false, yes or no)`}},
		{action: ActionError, errs: []string{`Name: two or more licenses are named "Twin": rename one, then import again`}},
		{action: ActionError, dup: 3, errs: []string{`Name: license "cc teams" is also on line 3`}},
	}, got)
	require.Equal(t, &o365, got[0].TargetID)
	require.Equal(t, 4, got[0].TargetVersion)
	require.Equal(t, []Reference{
		{Kind: RefProduct, Name: "Creative Cloud", NameKey: "creative cloud", ID: &cc, FirstLine: 3, Rows: 1},
		{Kind: RefSupplier, Name: "Softline", NameKey: "softline", FirstLine: 3, Rows: 1},
		{Kind: RefPublisher, Name: "Salesforce", NameKey: "salesforce", FirstLine: 4, Rows: 1},
		{Kind: RefProduct, Name: "Slack", NameKey: "slack", Parent: "salesforce", Extra: map[string]string{"publisher": "Salesforce"}, FirstLine: 4, Rows: 1},
	}, p.References())
	k, parent, key, ok := RefFor(KindLicenses, "product", got[2].Values)
	require.True(t, ok)
	require.Equal(t, []string{string(RefProduct), "salesforce", "slack"}, []string{string(k), parent, key})
	_, _, _, ok = RefFor(KindLicenses, "publisher", got[2].Values)
	require.False(t, ok)

	// An update of seats and term end only; another product is a change of product.
	_, got = planKind(t, KindLicenses, headers, s, row("Office 365 E3", "", "", "", "", "120", "", "2025-12-31"),
		row("Office 365 e3", "Creative Cloud", "Adobe"))
	requireRows(t, []wantRow{{action: ActionUpdate, values: map[string]string{"seats": "120", "termEnd": "2025-12-31"}},
		{action: ActionError, dup: 2, errs: []string{`Name: license "Office 365 e3" is also on line 2`}}}, got)
	_, got = planKind(t, KindLicenses, headers, s, row("Office 365 E3", "Creative Cloud", "Adobe"))
	requireRows(t, []wantRow{{action: ActionUpdate, values: map[string]string{"product": "Creative Cloud", "publisher": "Adobe"}}}, got)

	require.Equal(t, Lookup{Suppliers: []string{"acme"}, Licenses: []string{"office 365 e3"}, Products: []ProductKey{{Publisher: "microsoft", Name: "office"}},
		Publishers: []string{"microsoft"}}, p.Needs(rowsOf(headers, row("Office 365 E3", "Office", "Microsoft", "", "", "", "", "", "", "", "", "", "", "Acme"))[1:]))
}

func TestPlanLicenseSeats(t *testing.T) {
	t.Parallel()
	users, devices, site, ana, bob, mac, old := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	s := &Snapshot{
		Licenses: map[string]*ExistingRecord{
			"office":   {ID: users, Values: map[string]string{"name": "Office", "licenseModel": "PER_USER"}},
			"av":       {ID: devices, Values: map[string]string{"name": "AV", "licenseModel": "PER_DEVICE"}},
			"intranet": {ID: site, Values: map[string]string{"name": "Intranet", "licenseModel": "SITE"}}},
		AmbiguousLicenses: map[string]bool{"twin": true},
		PeopleByEmail:     map[string]uuid.UUID{"ana@example.com": ana, "bob@example.com": bob},
		PeopleByName:      map[string]uuid.UUID{"ana núñez": ana},
		AmbiguousPeople:   map[string]bool{"jo": true},
		ExistingPeople: map[string]*ExistingRecord{"ana@example.com": {ID: ana, Values: map[string]string{"status": "ACTIVE"}},
			"ana núñez":       {ID: ana, Values: map[string]string{"status": "ACTIVE"}},
			"bob@example.com": {ID: bob, Values: map[string]string{"status": "OFFBOARDED"}}},
		AssetsByTag: map[string]*ExistingAsset{"mac-1": {ID: mac, Values: map[string]string{"status": "DEPLOYED"}},
			"old-1": {ID: old, Values: map[string]string{"status": "RETIRED"}}},
		Seats: map[SeatKey]bool{{License: users, Holder: ana}: true},
	}
	headers := []string{"License", "Email", "Asset Tag"}
	p, got := planKind(t, KindLicenseSeats, headers, s,
		[]string{"office", "ANA@example.com", ""},
		[]string{"AV", "", "MAC-1"},
		[]string{"AV", "", "mac-1"},
		[]string{"Office", "bob@example.com", ""},
		[]string{"AV", "", "OLD-1"},
		[]string{"AV", "ana@example.com", ""},
		[]string{"Office", "", "MAC-1"},
		[]string{"Intranet", "ana@example.com", ""},
		[]string{"Nope", "ana@example.com", ""},
		[]string{"Twin", "ana@example.com", ""},
		[]string{"Office", "zed@example.com", ""},
		[]string{"Office", "Jo", ""},
		[]string{"Office", "ana@example.com", "MAC-1"},
		[]string{"Office", "", ""},
		[]string{"AV", "", "NONE-9"},
	)
	requireRows(t, []wantRow{
		{action: ActionUnchanged},
		{action: ActionCreate, values: map[string]string{"license": "AV", "assetTag": "MAC-1"}},
		{action: ActionError, dup: 3, errs: []string{`Asset Tag: seat of AV for "mac-1" is also on line 3`}},
		{action: ActionError, errs: []string{"Email: this person is offboarded and cannot hold a seat"}},
		{action: ActionError, errs: []string{"Asset Tag: a RETIRED asset cannot hold a seat"}},
		{action: ActionError, errs: []string{"Asset Tag: seats of a PER_DEVICE license go to devices: give assetId"}},
		{action: ActionError, errs: []string{"Email: seats of a PER_USER license go to people: give personId"}},
		{action: ActionError, errs: []string{"License: a SITE license has no seats to assign"}},
		{action: ActionError, errs: []string{`License: no license is named "Nope": import the licenses first`}},
		{action: ActionError, errs: []string{`License: two or more licenses are named "Twin": rename one, then import again`}},
		{action: ActionError, errs: []string{`Email: no person is "zed@example.com": import the people first`}},
		{action: ActionError, errs: []string{`Email: two or more people are named "Jo": use the email`}},
		{action: ActionError, errs: []string{"Asset Tag: give the person or the asset tag that holds the seat, not both"}},
		{action: ActionError, errs: []string{": give the person (email) or the asset tag that holds the seat"}},
		{action: ActionError, errs: []string{`Asset Tag: no asset is tagged "NONE-9"`}},
	}, got)
	require.Equal(t, &users, got[0].TargetID)
	require.Equal(t, &devices, got[1].TargetID)
	require.Empty(t, p.References())
	require.Equal(t, Totals{Rows: 15, Create: 1, Unchanged: 1, Error: 13, Duplicates: 1}, p.Totals())
}

func TestPlanCostEntries(t *testing.T) {
	t.Parallel()
	mac, acme := uuid.New(), uuid.New()
	s := &Snapshot{
		AssetsByTag: map[string]*ExistingAsset{"mac-1": {ID: mac, Values: map[string]string{"status": "DEPLOYED"}}},
		Suppliers:   map[string]uuid.UUID{"acme": acme},
		CostEntries: map[CostEntryKey]bool{{Asset: mac, Date: "2024-03-01", Kind: "REPAIR", Amount: "250.00", Currency: "EUR", InvoiceReference: "INV-1"}: true},
	}
	headers := []string{"Asset Tag", "Date", "Type", "Amount", "Currency", "Vendor", "Invoice", "Description"}
	p, got := planKind(t, KindCostEntries, headers, s,
		[]string{"MAC-1", "01/03/2024", "Repair", "€250", "EUR", "Acme", "INV-1", "screen, now with a note"},
		[]string{"MAC-1", "2024-04-01", "", "1.234,50", "EUR", "Fixit", "", ""},
		[]string{"mac-1", "2024-04-01", "other", "1234.5", "EUR", "", "", "same charge again"},
		[]string{"MAC-1", "", "Bribe", "-5", "EUR", "", "", ""},
		[]string{"NOPE", "2024-01-01", "", "10", "EUR", "", "", ""},
		[]string{"MAC-1", "2024-01-01", "", "", "", "", "", ""},
		[]string{"", "2024-01-01", "", "10", "EUR", "", "", ""},
		[]string{"MAC-1", "2024-01-01", "purchase", "999", "EUR", "", "", ""},
	)
	requireRows(t, []wantRow{
		{action: ActionUnchanged},
		{action: ActionCreate, values: map[string]string{"assetTag": "MAC-1", "date": "2024-04-01", "kind": "OTHER", "amount": "1234.50", "currency": "EUR", "supplier": "Fixit"}},
		{action: ActionError, dup: 3, errs: []string{`Amount: the same cost of "mac-1" is also on line 3`}},
		{action: ActionError, errs: []string{`Type: "Bribe" is not a cost kind (use PURCHASE, MAINTENANCE, REPAIR, SUPPORT, SUBSCRIPTION, LEASE, DISPOSAL or OTHER)`,
			`Amount: "-5" is negative: a price cannot be`, "Date: a cost needs a date"}},
		{action: ActionError, errs: []string{`Asset Tag: no asset is tagged "NOPE"`}},
		{action: ActionError, errs: []string{"Amount: a cost needs an amount"}},
		{action: ActionError, errs: []string{": the asset tag is blank: costs are booked against an asset by its tag"}},
		{action: ActionError, errs: []string{"Type: an asset's PURCHASE cost is its purchase price: import it as purchasePrice with the assets"}},
	}, got)
	require.Equal(t, []Reference{{Kind: RefSupplier, Name: "Fixit", NameKey: "fixit", FirstLine: 3, Rows: 1}}, p.References())
}

func TestParseLedgerKinds(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Kind{"licenses": KindLicenses, "license-seats": KindLicenseSeats, "Cost_Entries": KindCostEntries} {
		k, err := ParseKind(in)
		require.NoError(t, err)
		require.Equal(t, want, k)
	}
	// A money column without a currency column needs a default currency.
	_, err := NewPlanner(KindCostEntries, []string{"Asset Tag", "Amount"}, AutoMap(KindCostEntries, []string{"Asset Tag", "Amount"}), Options{})
	require.ErrorContains(t, err, "an amount column is mapped")
}
