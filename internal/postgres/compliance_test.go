package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// complianceWorld is one organization's software estate covering every
// license model and edge case of the position.
type complianceWorld struct {
	pub                                                     uuid.UUID
	perDevice, perUser, site, concurrent, sub, unl, nothing uuid.UUID
	devLicense, userLicense, subLicense, siteLicense        uuid.UUID
	d1, d3                                                  uuid.UUID
}

func newComplianceWorld(f *fixture, o orgFixture) complianceWorld {
	var w complianceWorld
	w.pub = f.insertPublisher(o, "Acme")
	other := f.insertPublisher(o, "Other")
	w.perDevice = f.insertProduct(o, w.pub, "A Device Suite")
	w.perUser = f.insertProduct(o, w.pub, "B User App")
	w.site = f.insertProduct(o, w.pub, "C Site Tool")
	w.concurrent = f.insertProduct(o, w.pub, "D Concurrent CAD")
	w.sub = f.insertProduct(o, w.pub, "E Subscription")
	w.unl = f.insertProduct(o, other, "F Unlicensed")
	w.nothing = f.insertProduct(o, other, "G Nothing")

	// PER_DEVICE, 10 seats at 10 EUR: d1 has two versions (counts once),
	// d2 is RETIRED with an installation, d3 holds a seat without one,
	// d4 is DISPOSED and holds a seat.
	w.devLicense = f.cxLicense(o, w.perDevice, cxLic{name: "Device pack", model: licenses.PerDevice, seats: ptr(10), seatCost: "10", currency: "EUR", start: cxDate(-30)})
	w.d1 = f.cxDevice(o, "DEPLOYED", &o.alice)
	f.cxInstall(o, w.d1, w.perDevice, "Device Suite", "1.0", time.Hour)
	f.cxInstall(o, w.d1, w.perDevice, "Device Suite", "2.0", time.Hour)
	d2 := f.cxDevice(o, "RETIRED", nil)
	f.cxInstall(o, d2, w.perDevice, "Device Suite", "1.0", time.Hour)
	w.d3 = f.cxDevice(o, "IN_STOCK", nil)
	f.cxSeat(o, w.devLicense, nil, &w.d3, time.Hour)
	d4 := f.cxDevice(o, "DISPOSED", nil)
	f.cxSeat(o, w.devLicense, nil, &d4, time.Hour)

	// PER_USER, 2 seats at a 100 USD total: alice has it on two devices
	// (counts once), bob holds a seat only, carol (OFFBOARDED) holds a
	// seat, and a device assigned to nobody has it (unattributed).
	w.userLicense = f.cxLicense(o, w.perUser, cxLic{model: licenses.PerUser, seats: ptr(2), totalCost: "100", currency: "USD"})
	a1, a2 := f.cxDevice(o, "DEPLOYED", &o.alice), f.cxDevice(o, "DEPLOYED", &o.alice)
	f.cxInstall(o, a1, w.perUser, "User App", "5", time.Hour)
	f.cxInstall(o, a2, w.perUser, "User App", "5", time.Hour)
	f.cxSeat(o, w.userLicense, &o.bob, nil, time.Hour)
	f.cxSeat(o, w.userLicense, &o.carol, nil, time.Hour)
	free := f.cxDevice(o, "IN_STOCK", nil)
	f.cxInstall(o, free, w.perUser, "User App", "5", time.Hour)

	// SITE: unlimited.
	w.siteLicense = f.cxLicense(o, w.site, cxLic{name: "Campus", model: licenses.Site, totalCost: "5000", currency: "EUR"})
	for range 3 {
		d := f.cxDevice(o, "DEPLOYED", &o.bob)
		f.cxInstall(o, d, w.site, "Site Tool", "1", time.Hour)
	}

	// CONCURRENT, 10 seats: 9 people hold seats, exactly 90%.
	conc := f.cxLicense(o, w.concurrent, cxLic{model: licenses.Concurrent, seats: ptr(10)})
	for i := range 9 {
		pid := f.id(`INSERT INTO people (org_id, name, email) VALUES ($1, 'CAD user', 'cad'||$2::text||'@x.test') RETURNING id`, o.id, fmt.Sprint(i))
		f.cxSeat(o, conc, &pid, nil, time.Hour)
	}

	// SUBSCRIPTION, 1 seat at 120 USD total, 3 people consume: shortfall 2.
	// An expired 100-seat subscription does not count.
	w.subLicense = f.cxLicense(o, w.sub, cxLic{model: licenses.Subscription, seats: ptr(1), totalCost: "120", currency: "USD", start: cxDate(-10), end: cxDate(355)})
	f.cxLicense(o, w.sub, cxLic{model: licenses.Subscription, seats: ptr(100), seatCost: "1", currency: "USD", start: cxDate(-400), end: cxDate(-35)})
	for _, p := range []uuid.UUID{o.alice, o.bob} {
		d := f.cxDevice(o, "DEPLOYED", &p)
		f.cxInstall(o, d, w.sub, "Subscription", "1", time.Hour)
	}
	dave := f.id(`INSERT INTO people (org_id, name, email) VALUES ($1, 'Dave', 'dave@x.test') RETURNING id`, o.id)
	f.cxSeat(o, w.subLicense, &dave, nil, time.Hour)

	// Installed with only an expired license: UNLICENSED. An ended
	// installation does not count.
	f.cxLicense(o, w.unl, cxLic{model: licenses.PerDevice, seats: ptr(50), start: cxDate(-400), end: cxDate(-1)})
	u := f.cxDevice(o, "DEPLOYED", &o.bob)
	f.cxInstall(o, u, w.unl, "Unlicensed", "1", time.Hour)
	gone := f.cxDevice(o, "DEPLOYED", &o.alice)
	f.cxInstall(o, gone, w.unl, "Unlicensed", "1", time.Hour)
	f.cxEnd(gone, w.unl)
	return w
}

func moneyStrings(ms []itam.Money) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.Amount.StringFixed(2)+" "+m.Currency)
	}
	return out
}

func TestLicenseCompliancePositions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewLicenseComplianceStore(f.db)
	w := newComplianceWorld(f, f.a)
	newComplianceWorld(f, f.b) // the same estate next door must not leak in
	ctx := as(f.a.id, itam.RoleAuditor, "auditor@test")

	all, err := s.Positions(ctx, licenses.ComplianceFilter{})
	require.NoError(t, err)
	byProduct := map[uuid.UUID]licenses.Position{}
	var order []licenses.ComplianceStatus
	for _, p := range all {
		byProduct[p.ProductID] = p
		order = append(order, p.Status)
	}
	require.Len(t, all, 7, "organization A's products only")
	require.Equal(t, []licenses.ComplianceStatus{licenses.Unlicensed, licenses.OverDeployed, licenses.AtRisk, licenses.AtRisk,
		licenses.Compliant, licenses.Compliant, licenses.Compliant}, order, "worst first")
	require.Equal(t, []uuid.UUID{w.unl, w.sub, w.perUser, w.concurrent, w.perDevice, w.site, w.nothing},
		ids(all, func(p licenses.Position) uuid.UUID { return p.ProductID }), "then by product name")

	dev := byProduct[w.perDevice]
	require.Equal(t, licenses.CountDevices, dev.Metric)
	require.Equal(t, []licenses.Model{licenses.PerDevice}, dev.Models)
	require.Equal(t, 1, dev.Installed, "d1 once for two versions; the RETIRED d2 not at all")
	require.Equal(t, 2, dev.Consumed, "d1 installed, d3 holds a seat; DISPOSED d4 does not consume")
	require.Equal(t, 2, dev.Assigned)
	require.Equal(t, 10, *dev.Entitled)
	require.Equal(t, 8, *dev.Surplus)
	require.Equal(t, []string{"80.00 EUR"}, moneyStrings(dev.SurplusCost))
	require.Equal(t, licenses.Compliant, dev.Status)

	user := byProduct[w.perUser]
	require.Equal(t, licenses.CountUsers, user.Metric)
	require.Equal(t, 2, user.Consumed, "alice once for two devices, bob's seat; OFFBOARDED carol does not consume")
	require.Equal(t, 1, user.UnattributedDevices)
	require.Equal(t, 3, user.Installed)
	require.Equal(t, 2, user.Assigned, "bob's and carol's seats")
	require.Equal(t, licenses.AtRisk, user.Status, "2 of 2 used")
	require.Equal(t, 0, *user.Surplus)

	site := byProduct[w.site]
	require.Nil(t, site.Entitled, "SITE is unlimited")
	require.Nil(t, site.Surplus)
	require.Equal(t, 1, site.Consumed, "bob on three devices")
	require.Equal(t, licenses.Compliant, site.Status)
	require.Empty(t, site.TrueUpCost)

	conc := byProduct[w.concurrent]
	require.Equal(t, 9, conc.Consumed)
	require.Equal(t, licenses.AtRisk, conc.Status, "exactly 90%")

	sub := byProduct[w.sub]
	require.Equal(t, 1, *sub.Entitled, "the expired 100 seats do not count")
	require.Equal(t, 3, sub.Consumed, "alice and bob installed, dave holds a seat")
	require.Equal(t, 2, sub.Shortfall)
	require.Equal(t, []string{"240.00 USD"}, moneyStrings(sub.TrueUpCost))
	require.Equal(t, licenses.OverDeployed, sub.Status)

	unl := byProduct[w.unl]
	require.Equal(t, licenses.Unlicensed, unl.Status, "only an expired license")
	require.Equal(t, 1, unl.Consumed, "the ended installation does not count")
	require.Equal(t, []licenses.Model{}, unl.Models)

	nothing := byProduct[w.nothing]
	require.Equal(t, licenses.Compliant, nothing.Status)
	require.Equal(t, 0, nothing.Consumed)

	t.Run("filters", func(t *testing.T) {
		one, err := s.Positions(ctx, licenses.ComplianceFilter{ProductID: &w.perUser})
		require.NoError(t, err)
		require.Len(t, one, 1)
		require.Equal(t, user, one[0], "one product's position is the same as in the whole report")
		pub, err := s.Positions(ctx, licenses.ComplianceFilter{PublisherID: &w.pub})
		require.NoError(t, err)
		require.Len(t, pub, 5)
		atRisk := licenses.AtRisk
		risky, err := s.Positions(ctx, licenses.ComplianceFilter{Status: &atRisk})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{w.perUser, w.concurrent}, ids(risky, func(p licenses.Position) uuid.UUID { return p.ProductID }))
	})
	t.Run("another organization's product is not visible", func(t *testing.T) {
		bProduct := f.id(`SELECT id FROM software_products WHERE org_id = $1 AND name = 'E Subscription'`, f.b.id)
		none, err := s.Positions(ctx, licenses.ComplianceFilter{ProductID: &bProduct})
		require.NoError(t, err)
		require.Empty(t, none)
	})
}

func TestLicenseComplianceRoles(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewLicenseComplianceStore(f.db)
	w := newComplianceWorld(f, f.a)
	for _, role := range itam.Roles {
		ctx := as(f.a.id, role, "alice@alpha.test")
		_, errPos := s.Positions(ctx, licenses.ComplianceFilter{})
		_, errRec := s.ReclaimCandidates(ctx, nil, nil)
		_, errExp := s.ExpiringLicenses(ctx, 30, nil)
		_, errEv := s.LicenseEvidence(ctx, w.perDevice, itam.PageArgs{})
		for _, err := range []error{errPos, errRec, errExp, errEv} {
			if role == itam.RoleEmployee {
				requireCode(t, err, itam.CodeForbidden, "")
			} else {
				require.NoError(t, err, role)
			}
		}
	}
}

func TestReclaimCandidates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewLicenseComplianceStore(f.db)
	o := f.a
	pub := f.insertPublisher(o, "Acme")
	prod := f.insertProduct(o, pub, "Editor")
	other := f.insertProduct(o, pub, "Viewer")
	cheap := f.cxLicense(o, prod, cxLic{model: licenses.PerDevice, seats: ptr(10), seatCost: "5", currency: "EUR"})
	dear := f.cxLicense(o, prod, cxLic{model: licenses.PerUser, seats: ptr(3), totalCost: "100", currency: "EUR"})
	expired := f.cxLicense(o, prod, cxLic{model: licenses.PerDevice, seats: ptr(10), seatCost: "50", currency: "EUR", end: cxDate(-1)})
	viewer := f.cxLicense(o, other, cxLic{model: licenses.PerDevice, seats: ptr(10), seatCost: "1", currency: "EUR"})

	offboarded := f.cxSeat(o, dear, &o.carol, nil, 2*cxDay)
	retiredDev := f.cxDevice(o, "RETIRED", nil)
	retired := f.cxSeat(o, cheap, nil, &retiredDev, 2*cxDay)
	stale := f.cxDevice(o, "DEPLOYED", &o.alice)
	f.cxInstall(o, stale, prod, "Editor", "1", 100*cxDay)
	staleSeat := f.cxSeat(o, cheap, nil, &stale, 200*cxDay)
	recent := f.cxDevice(o, "DEPLOYED", &o.bob)
	f.cxInstall(o, recent, prod, "Editor", "1", 10*cxDay)
	recentSeat := f.cxSeat(o, cheap, nil, &recent, 200*cxDay)
	never := f.cxDevice(o, "DEPLOYED", nil)
	neverSeat := f.cxSeat(o, cheap, nil, &never, 91*cxDay)
	fresh := f.cxDevice(o, "DEPLOYED", nil)
	f.cxSeat(o, cheap, nil, &fresh, 1*cxDay) // never reported, but only just assigned
	// bob uses the product on his device: his PER_USER seat is in use.
	bobSeat := f.cxSeat(o, dear, &o.bob, nil, 200*cxDay)
	// Seats of an expired license free nothing; reclaimed seats are gone.
	f.cxSeat(o, expired, nil, &never, 200*cxDay)
	goneDev := f.cxDevice(o, "RETIRED", nil)
	gone := f.cxSeat(o, cheap, nil, &goneDev, 300*cxDay)
	f.exec(`UPDATE license_seats SET reclaimed_at = now(), reclaimed_by = 'x' WHERE id = $1`, gone)
	viewerSeat := f.cxSeat(o, viewer, nil, &retiredDev, cxDay)

	ctx := as(o.id, itam.RoleManager, "m@test")
	got, err := s.ReclaimCandidates(ctx, &prod, nil)
	require.NoError(t, err)
	type row struct {
		seat   uuid.UUID
		reason licenses.ReclaimReason
		frees  string
		seen   bool
	}
	var rows []row
	for _, c := range got {
		rows = append(rows, row{c.Seat.ID, c.Reason, c.Frees.Amount.StringFixed(2) + " " + c.Frees.Currency, c.LastSeenAt != nil})
	}
	require.Equal(t, []row{
		{offboarded, licenses.HolderOffboarded, "33.33 EUR", false}, // 100 / 3 seats: most money first
		{staleSeat, licenses.NotUsed, "5.00 EUR", true},             // then oldest assignment first
		{neverSeat, licenses.NotUsed, "5.00 EUR", false},
		{retired, licenses.AssetRetired, "5.00 EUR", false},
	}, rows)

	t.Run("the organization's N days decide what is unused", func(t *testing.T) {
		five := 5
		_, err := NewOrganizationStore(f.db).UpdateOrganization(f.admin(o), itam.OrganizationPatch{SoftwareReclaimAfterDays: &five})
		require.NoError(t, err)
		got, err := s.ReclaimCandidates(ctx, &prod, nil)
		require.NoError(t, err)
		seats := ids(got, func(c licenses.ReclaimCandidate) uuid.UUID { return c.Seat.ID })
		require.Contains(t, seats, recentSeat, "seen 10 days ago: unused after 5")
		require.Contains(t, seats, bobSeat, "bob's devices reported it 10 days ago")
		require.Len(t, seats, 6, "the seat assigned a day ago is not yet a candidate")
	})
	t.Run("every product, first", func(t *testing.T) {
		all, err := s.ReclaimCandidates(ctx, nil, ptr(500))
		require.NoError(t, err)
		require.Contains(t, ids(all, func(c licenses.ReclaimCandidate) uuid.UUID { return c.Seat.ID }), viewerSeat)
		two, err := s.ReclaimCandidates(ctx, nil, ptr(2))
		require.NoError(t, err)
		require.Len(t, two, 2)
		_, err = s.ReclaimCandidates(ctx, nil, ptr(501))
		requireCode(t, err, itam.CodeInvalid, "first")
	})
	t.Run("another organization sees none of them", func(t *testing.T) {
		got, err := s.ReclaimCandidates(as(f.b.id, itam.RoleAdmin, "b@test"), nil, nil)
		require.NoError(t, err)
		require.Empty(t, got)
		got, err = s.ReclaimCandidates(as(f.b.id, itam.RoleAdmin, "b@test"), &prod, nil)
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

func TestExpiringLicenses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewLicenseComplianceStore(f.db)
	o := f.a
	prod := f.insertProduct(o, f.insertPublisher(o, "Acme"), "Editor")
	soon := f.cxLicense(o, prod, cxLic{model: licenses.PerDevice, seats: ptr(4), seatCost: "12.5", currency: "EUR", end: cxDate(10), autoRenew: true})
	today := f.cxLicense(o, prod, cxLic{model: licenses.Site, totalCost: "900", currency: "USD", end: cxDate(0)})
	later := f.cxLicense(o, prod, cxLic{model: licenses.PerUser, seats: ptr(4), end: cxDate(40)})
	f.cxLicense(o, prod, cxLic{model: licenses.PerUser, seats: ptr(4), end: cxDate(-1)}) // already expired
	f.cxLicense(o, prod, cxLic{model: licenses.PerUser, seats: ptr(4)})                  // no end

	ctx := as(o.id, itam.RoleAuditor, "a@test")
	got, err := s.ExpiringLicenses(ctx, 30, nil)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{today, soon}, ids(got, func(e licenses.Expiring) uuid.UUID { return e.LicenseID }), "soonest first")
	require.Equal(t, 0, got[0].DaysLeft)
	require.Equal(t, "900.00 USD", got[0].AtStake.Amount.StringFixed(2)+" "+got[0].AtStake.Currency)
	require.Equal(t, 10, got[1].DaysLeft)
	require.True(t, got[1].AutoRenew)
	require.Equal(t, "50.00 EUR", got[1].AtStake.Amount.StringFixed(2)+" "+got[1].AtStake.Currency, "4 seats × 12.50")

	wide, err := s.ExpiringLicenses(ctx, 3650, ptr(500))
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{today, soon, later}, ids(wide, func(e licenses.Expiring) uuid.UUID { return e.LicenseID }))
	require.Nil(t, wide[2].AtStake, "no price")

	_, err = s.ExpiringLicenses(ctx, 3651, nil)
	requireCode(t, err, itam.CodeInvalid, "withinDays")
	_, err = s.ExpiringLicenses(ctx, -1, nil)
	requireCode(t, err, itam.CodeInvalid, "withinDays")

	other, err := s.ExpiringLicenses(as(f.b.id, itam.RoleAdmin, "b@test"), 3650, nil)
	require.NoError(t, err)
	require.Empty(t, other, "another organization's licenses")
}

func TestOrganizationReclaimAfterDays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	orgs := NewOrganizationStore(f.db)
	org, err := orgs.Organization(f.admin(f.a))
	require.NoError(t, err)
	require.Equal(t, 90, org.SoftwareReclaimAfterDays, "the default")
	for _, bad := range []int{0, 3651, -5} {
		_, err := orgs.UpdateOrganization(f.admin(f.a), itam.OrganizationPatch{SoftwareReclaimAfterDays: &bad})
		requireCode(t, err, itam.CodeInvalid, "softwareReclaimAfterDays")
	}
	thirty := 30
	_, err = orgs.UpdateOrganization(as(f.a.id, itam.RoleManager, "m@test"), itam.OrganizationPatch{SoftwareReclaimAfterDays: &thirty})
	requireCode(t, err, itam.CodeForbidden, "")
	org, err = orgs.UpdateOrganization(f.admin(f.a), itam.OrganizationPatch{SoftwareReclaimAfterDays: &thirty})
	require.NoError(t, err)
	require.Equal(t, 30, org.SoftwareReclaimAfterDays)
	var stored, other int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT software_reclaim_after_days FROM organizations WHERE id = $1`, f.a.id).Scan(&stored))
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT software_reclaim_after_days FROM organizations WHERE id = $1`, f.b.id).Scan(&other))
	require.Equal(t, 30, stored)
	require.Equal(t, 90, other, "only the caller's organization changes")
}

func TestLicenseEvidence(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := NewLicenseComplianceStore(f.db)
	w := newComplianceWorld(f, f.a)
	ctx := as(f.a.id, itam.RoleAuditor, "auditor@test")
	type row struct {
		asset, person bool
		installs      int
		seat          bool
		covered       bool
		note          string
	}
	rowsOf := func(items []*licenses.Evidence) []row {
		var out []row
		for _, e := range items {
			out = append(out, row{e.AssetID != nil, e.PersonID != nil, len(e.Installations), e.SeatID != nil, e.Covered, e.Note})
		}
		return out
	}
	all := func(product uuid.UUID) []*licenses.Evidence {
		page, err := s.LicenseEvidence(ctx, product, itam.PageArgs{First: ptr(500)})
		require.NoError(t, err)
		require.False(t, page.HasNextPage)
		return page.Items
	}

	t.Run("per device", func(t *testing.T) {
		got := all(w.perDevice)
		require.ElementsMatch(t, []row{
			{true, true, 2, false, false, "installed, no seat: uncovered"}, // d1, alice's, two versions
			{true, false, 1, false, false, "device is RETIRED: does not consume"},
			{true, false, 0, true, true, "seat on a device that no longer reports it"},
			{true, false, 0, true, true, "device is DISPOSED: does not consume; its seat can be reclaimed"},
		}, rowsOf(got))
		for _, e := range got {
			if e.SeatID != nil {
				require.Equal(t, w.devLicense, *e.LicenseID)
				require.Equal(t, "Device pack", *e.LicenseName)
			}
		}
		n, err := s.CountLicenseEvidence(ctx, w.perDevice)
		require.NoError(t, err)
		require.Equal(t, 4, n)
	})
	t.Run("per person, and devices assigned to nobody", func(t *testing.T) {
		require.ElementsMatch(t, []row{
			{false, true, 2, false, false, "installed, no seat: uncovered"}, // alice on two devices
			{false, true, 0, true, true, "seat held, not installed on any of their devices"},
			{false, true, 0, true, true, "person is OFFBOARDED: does not consume; its seat can be reclaimed"},
			{true, false, 1, false, false, "installed on a device assigned to nobody: not attributed to a user"},
		}, rowsOf(all(w.perUser)))
	})
	t.Run("site license", func(t *testing.T) {
		got := all(w.site)
		require.Equal(t, []row{{false, true, 3, false, true, "covered by SITE license Campus"}}, rowsOf(got))
		require.Equal(t, w.siteLicense, *got[0].LicenseID)
	})
	t.Run("keyset pages", func(t *testing.T) {
		whole := all(w.perDevice)
		first, err := s.LicenseEvidence(ctx, w.perDevice, itam.PageArgs{First: ptr(3)})
		require.NoError(t, err)
		require.True(t, first.HasNextPage)
		rest, err := s.LicenseEvidence(ctx, w.perDevice, itam.PageArgs{First: ptr(3), After: &first.Cursors[2]})
		require.NoError(t, err)
		require.False(t, rest.HasNextPage)
		require.Equal(t, whole, append(first.Items, rest.Items...))
		_, err = s.LicenseEvidence(ctx, w.perDevice, itam.PageArgs{Last: ptr(3)})
		requireCode(t, err, itam.CodeInvalid, "last")
	})
	t.Run("another organization's product is NOT_FOUND", func(t *testing.T) {
		_, err := s.LicenseEvidence(as(f.b.id, itam.RoleAdmin, "b@test"), w.perDevice, itam.PageArgs{})
		requireCode(t, err, itam.CodeNotFound, "")
		_, err = s.CountLicenseEvidence(as(f.b.id, itam.RoleAdmin, "b@test"), w.perDevice)
		requireCode(t, err, itam.CodeNotFound, "")
	})
}
