package postgres

import (
	"bytes"
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/secretbox"
)

// licenseFixture is the store fixture with a product per organization and
// a license store sealing keys with a test box.
type licenseFixture struct {
	*fixture
	store              *LicenseStore
	productA, productB uuid.UUID
}

func newLicenseFixture(t *testing.T) *licenseFixture {
	t.Helper()
	f := newFixture(t)
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	lf := &licenseFixture{fixture: f, store: NewLicenseStore(f.db, box)}
	lf.productA = lf.product(f.a, "Slack")
	lf.productB = lf.product(f.b, "Slack")
	return lf
}

func (f *licenseFixture) product(o orgFixture, name string) uuid.UUID {
	return f.insertProduct(o, f.insertPublisher(o, name+" Inc."), name)
}

func (f *licenseFixture) license(ctx context.Context, in licenses.Input) *licenses.License {
	f.t.Helper()
	l, err := f.store.CreateLicense(ctx, in)
	require.NoError(f.t, err)
	return l
}

// historyActions lists a license's history actions, oldest first, as the owner reads them.
func (f *licenseFixture) historyActions(license uuid.UUID) []string {
	f.t.Helper()
	rows, err := f.owner.Query(context.Background(), `SELECT action::text FROM license_history WHERE license_id = $1 ORDER BY id`, license)
	require.NoError(f.t, err)
	var out []string
	for rows.Next() {
		var a string
		require.NoError(f.t, rows.Scan(&a))
		out = append(out, a)
	}
	return out
}

func licenseMoney(amount, currency string) *itam.Money {
	return &itam.Money{Amount: decimal.RequireFromString(amount), Currency: currency}
}

func TestLicenseCreateEveryModel(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	for _, m := range []licenses.Model{licenses.PerDevice, licenses.PerUser, licenses.Concurrent, licenses.Site, licenses.Subscription} {
		in := licenses.Input{ProductID: f.productA, Model: m, Seats: ptr(25), SeatCost: licenseMoney("12.5", "eur"), Editions: []string{"Pro", "pro"},
			TermStart: ptr(date(2026, 1, 1)), TermEnd: ptr(date(2026, 12, 31)), SupplierID: &f.a.supplier, Key: ptr("KEY-" + string(m))}
		if m == licenses.Site {
			in.Seats = nil
		}
		l := f.license(ctx, in)
		require.Equal(t, m, l.Model)
		require.Equal(t, in.Seats, l.Seats)
		require.Equal(t, "EUR", l.SeatCost.Currency)
		require.Equal(t, []string{"Pro"}, l.Editions)
		require.True(t, l.HasKey)
		require.Equal(t, []string{"CREATE"}, f.historyActions(l.ID))
		// The key is stored sealed, and its creation recorded without it.
		var sealed []byte
		var changes string
		require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT license_key FROM licenses WHERE id = $1`, l.ID).Scan(&sealed))
		require.NotContains(t, string(sealed), "KEY-")
		require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT changes::text FROM license_history WHERE license_id = $1`, l.ID).Scan(&changes))
		require.NotContains(t, changes, "KEY-")
		require.Contains(t, changes, `"licenseKey": {"to": "[redacted]", "from": null, "changed": true}`)
	}
}

func TestLicenseBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	ok := func(mut func(*licenses.Input)) licenses.Input {
		in := licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(5)}
		mut(&in)
		return in
	}
	tests := []struct {
		name  string
		in    licenses.Input
		code  itam.Code
		field string
	}{
		{"negative seats", ok(func(in *licenses.Input) { in.Seats = ptr(-1) }), itam.CodeInvalid, "seats"},
		{"SITE with seats", ok(func(in *licenses.Input) { in.Model = licenses.Site }), itam.CodeInvalid, "seats"},
		{"end before start", ok(func(in *licenses.Input) { in.TermStart, in.TermEnd = ptr(date(2026, 2, 1)), ptr(date(2026, 1, 1)) }), itam.CodeInvalid, "termEnd"},
		{"unknown currency", ok(func(in *licenses.Input) { in.SeatCost = licenseMoney("1", "XXZ") }), itam.CodeInvalid, "seatCost.currency"},
		{"both costs", ok(func(in *licenses.Input) {
			in.SeatCost, in.TotalCost = licenseMoney("1", "USD"), licenseMoney("5", "USD")
		}), itam.CodeInvalid, "totalCost"},
		{"unknown product", ok(func(in *licenses.Input) { in.ProductID = uuid.New() }), itam.CodeInvalid, "productId"},
		{"another org's product", ok(func(in *licenses.Input) { in.ProductID = f.productB }), itam.CodeInvalid, "productId"},
		{"another org's supplier", ok(func(in *licenses.Input) { in.SupplierID = &f.b.supplier }), itam.CodeInvalid, "supplierId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, hist := f.count("licenses", f.a.id), f.count("license_history", f.a.id)
			_, err := f.store.CreateLicense(ctx, tt.in)
			requireCode(t, err, tt.code, tt.field)
			require.Equal(t, before, f.count("licenses", f.a.id))
			require.Equal(t, hist, f.count("license_history", f.a.id))
		})
	}
}

func TestLicenseUpdateAndDelete(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	l := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(5)})

	_, err := f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: l.Version + 1, Seats: itam.Some(6)})
	requireCode(t, err, itam.CodeConflict, "version")
	_, err = f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: l.Version, Model: ptr(licenses.Site), Seats: itam.Some(3)})
	requireCode(t, err, itam.CodeInvalid, "seats")
	same, err := f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: l.Version, Seats: itam.Some(5)})
	require.NoError(t, err)
	require.Equal(t, l.Version, same.Version, "an update that changes nothing writes nothing")
	require.Equal(t, []string{"CREATE"}, f.historyActions(l.ID))

	u, err := f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: l.Version, Seats: itam.Some(8), Key: itam.Some("SECRET-1")})
	require.NoError(t, err)
	require.Equal(t, 8, *u.Seats)
	require.True(t, u.HasKey)
	require.Equal(t, l.Version+1, u.Version)
	var changes string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT changes::text FROM license_history WHERE license_id = $1 AND action = 'UPDATE'`, l.ID).Scan(&changes))
	require.Contains(t, changes, `"seats": {"to": 8, "from": 5}`)
	require.Contains(t, changes, `"licenseKey"`)
	require.NotContains(t, changes, "SECRET-1")

	// Removing the key is a change; removing an absent key is none.
	u, err = f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: u.Version, Key: itam.Optional[string]{Set: true}})
	require.NoError(t, err)
	require.False(t, u.HasKey)
	again, err := f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: u.Version, Key: itam.Optional[string]{Set: true}})
	require.NoError(t, err)
	require.Equal(t, u.Version, again.Version)

	seat, err := f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: l.ID, PersonID: &f.a.alice})
	require.NoError(t, err)
	_, err = f.store.DeleteLicense(ctx, l.ID, ptr(u.Version+5))
	requireCode(t, err, itam.CodeConflict, "version")
	_, err = f.store.DeleteLicense(ctx, l.ID, &u.Version)
	require.NoError(t, err)
	require.Zero(t, f.count("licenses", f.a.id))
	require.Zero(t, f.count("license_seats", f.a.id), "its seats go with it")
	require.Equal(t, []string{"CREATE", "UPDATE", "UPDATE", "ASSIGN_SEAT", "DELETE"}, f.historyActions(l.ID), "its history stays")
	_, err = f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: seat.ID, Reason: "gone"})
	requireCode(t, err, itam.CodeNotFound, "seatId")
}

func TestLicenseKeyReads(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	l := f.license(f.admin(f.a), licenses.Input{ProductID: f.productA, Model: licenses.Site, Key: ptr("  XXXX-YYYY-ZZZZ ")})
	plain := f.license(f.admin(f.a), licenses.Input{ProductID: f.productA, Model: licenses.Site})
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		_, err := f.store.LicenseKey(as(f.a.id, role, "alice@alpha.test"), l.ID)
		requireCode(t, err, itam.CodeForbidden, "")
	}
	require.Equal(t, []string{"CREATE"}, f.historyActions(l.ID), "a refused read records nothing")
	for range 2 {
		key, err := f.store.LicenseKey(f.admin(f.a), l.ID)
		require.NoError(t, err)
		require.Equal(t, "XXXX-YYYY-ZZZZ", *key)
	}
	require.Equal(t, []string{"CREATE", "KEY_READ", "KEY_READ"}, f.historyActions(l.ID))
	var actor, changes string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT actor, changes::text FROM license_history WHERE license_id = $1 AND action = 'KEY_READ' LIMIT 1`, l.ID).Scan(&actor, &changes))
	require.Equal(t, "admin@test", actor)
	require.NotContains(t, changes, "XXXX")

	key, err := f.store.LicenseKey(f.admin(f.a), plain.ID)
	require.NoError(t, err)
	require.Nil(t, key)
	_, err = f.store.LicenseKey(f.admin(f.b), l.ID)
	requireCode(t, err, itam.CodeNotFound, "")

	// Without a secret key a key is refused, and nothing is written.
	nobox := NewLicenseStore(f.db, nil)
	n := f.count("licenses", f.a.id)
	_, err = nobox.CreateLicense(f.admin(f.a), licenses.Input{ProductID: f.productA, Model: licenses.Site, Key: ptr("K")})
	requireCode(t, err, itam.CodeInvalid, "licenseKey")
	require.Equal(t, n, f.count("licenses", f.a.id))
	_, err = nobox.UpdateLicense(f.admin(f.a), licenses.Patch{ID: plain.ID, Version: plain.Version, Key: itam.Some("K")})
	requireCode(t, err, itam.CodeInvalid, "licenseKey")
	_, err = nobox.CreateLicense(f.admin(f.a), licenses.Input{ProductID: f.productA, Model: licenses.Site})
	require.NoError(t, err, "licenses without keys work without a secret key")
}

func TestLicenseSeats(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	user := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(1)})
	device := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerDevice, Seats: ptr(10)})
	site := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.Site})
	laptop := f.newAsset(f.a, nil)
	retired := f.newAsset(f.a, nil)
	f.exec(`UPDATE assets SET status = 'RETIRED' WHERE id = $1`, retired.ID)

	s1, err := f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: user.ID, PersonID: &f.a.alice})
	require.NoError(t, err)
	require.Equal(t, "admin@test", s1.AssignedBy)
	// Over-assigning beyond the seats is allowed.
	_, err = f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: user.ID, PersonID: &f.a.bob})
	require.NoError(t, err)
	_, err = f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: device.ID, AssetID: &laptop.ID})
	require.NoError(t, err)
	assigned, err := f.store.AssignedSeats(ctx, []uuid.UUID{user.ID, device.ID, site.ID})
	require.NoError(t, err)
	require.Equal(t, map[uuid.UUID]int{user.ID: 2, device.ID: 1, site.ID: 0}, assigned)

	refused := []struct {
		name  string
		in    licenses.SeatInput
		code  itam.Code
		field string
	}{
		{"already held", licenses.SeatInput{LicenseID: user.ID, PersonID: &f.a.alice}, itam.CodeConflict, "personId"},
		{"device already held", licenses.SeatInput{LicenseID: device.ID, AssetID: &laptop.ID}, itam.CodeConflict, "assetId"},
		{"person on PER_DEVICE", licenses.SeatInput{LicenseID: device.ID, PersonID: &f.a.alice}, itam.CodeInvalid, "assetId"},
		{"device on PER_USER", licenses.SeatInput{LicenseID: user.ID, AssetID: &laptop.ID}, itam.CodeInvalid, "personId"},
		{"SITE", licenses.SeatInput{LicenseID: site.ID, PersonID: &f.a.alice}, itam.CodeInvalid, "licenseId"},
		{"offboarded", licenses.SeatInput{LicenseID: user.ID, PersonID: &f.a.carol}, itam.CodeInvalid, "personId"},
		{"retired device", licenses.SeatInput{LicenseID: device.ID, AssetID: &retired.ID}, itam.CodeInvalid, "assetId"},
		{"another org's person", licenses.SeatInput{LicenseID: user.ID, PersonID: &f.b.alice}, itam.CodeNotFound, "personId"},
		{"unknown license", licenses.SeatInput{LicenseID: uuid.New(), PersonID: &f.a.alice}, itam.CodeNotFound, "licenseId"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			n, h := f.count("license_seats", f.a.id), f.count("license_history", f.a.id)
			_, err := f.store.AssignSeat(ctx, tt.in)
			requireCode(t, err, tt.code, tt.field)
			require.Equal(t, n, f.count("license_seats", f.a.id))
			require.Equal(t, h, f.count("license_history", f.a.id))
		})
	}

	_, err = f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: s1.ID, Reason: " "})
	requireCode(t, err, itam.CodeInvalid, "reason")
	r, err := f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: s1.ID, Reason: "moved to Teams"})
	require.NoError(t, err)
	require.NotNil(t, r.ReclaimedAt)
	require.Equal(t, "admin@test", *r.ReclaimedBy)
	require.Equal(t, "moved to Teams", *r.ReclaimReason)
	_, err = f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: s1.ID, Reason: "again"})
	requireCode(t, err, itam.CodeConflict, "seatId")
	// A reclaimed seat frees its holder for a new one.
	_, err = f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: user.ID, PersonID: &f.a.alice})
	require.NoError(t, err)
	require.Equal(t, []string{"CREATE", "ASSIGN_SEAT", "ASSIGN_SEAT", "RECLAIM_SEAT", "ASSIGN_SEAT"}, f.historyActions(user.ID))

	pages, err := f.store.SeatsOf(ctx, []uuid.UUID{user.ID, device.ID}, false, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, pages[user.ID].Items, 2)
	require.Len(t, pages[device.ID].Items, 1)
	all, err := f.store.CountSeatsOf(ctx, []uuid.UUID{user.ID, device.ID}, true)
	require.NoError(t, err)
	require.Equal(t, 3, all[user.ID])
	byPerson, err := f.store.SeatsOfPeople(ctx, []uuid.UUID{f.a.alice, f.a.bob, f.a.carol})
	require.NoError(t, err)
	require.Len(t, byPerson[f.a.alice], 1, "only active seats")
	require.Len(t, byPerson[f.a.bob], 1)
	require.Empty(t, byPerson[f.a.carol])
	byAsset, err := f.store.SeatsOfAssets(ctx, []uuid.UUID{laptop.ID})
	require.NoError(t, err)
	require.Len(t, byAsset[laptop.ID], 1)
}

func TestLicenseBulkSeats(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	user := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.Subscription, Seats: ptr(2)})
	results, err := f.store.AssignSeats(ctx, []licenses.SeatInput{
		{LicenseID: user.ID, PersonID: &f.a.alice},
		{LicenseID: user.ID, PersonID: &f.a.alice}, // the first item holds it now
		{LicenseID: user.ID, PersonID: &f.a.carol}, // offboarded
		{LicenseID: user.ID, PersonID: &f.a.bob},
		{LicenseID: user.ID, PersonID: &f.b.bob}, // another org's
	})
	require.NoError(t, err)
	require.Len(t, results, 5)
	require.NotNil(t, results[0].Seat)
	require.Equal(t, itam.CodeConflict, results[1].Err.Code)
	require.Equal(t, "personId", results[1].Err.Field)
	require.Equal(t, itam.CodeInvalid, results[2].Err.Code)
	require.NotNil(t, results[3].Seat)
	require.Equal(t, itam.CodeNotFound, results[4].Err.Code)
	require.Equal(t, 2, f.count("license_seats", f.a.id), "the applied items stand")
	require.Equal(t, []string{"CREATE", "ASSIGN_SEAT", "ASSIGN_SEAT"}, f.historyActions(user.ID))

	back, err := f.store.ReclaimSeats(ctx, []licenses.ReclaimInput{
		{SeatID: results[0].Seat.ID, Reason: "left"},
		{SeatID: results[0].Seat.ID, Reason: "twice"},
		{SeatID: uuid.New(), Reason: "unknown"},
		{SeatID: results[3].Seat.ID, Reason: ""},
	})
	require.NoError(t, err)
	require.NotNil(t, back[0].Seat.ReclaimedAt)
	require.Equal(t, itam.CodeConflict, back[1].Err.Code)
	require.Equal(t, itam.CodeNotFound, back[2].Err.Code)
	require.Equal(t, "reason", back[3].Err.Field)

	_, err = f.store.AssignSeats(ctx, make([]licenses.SeatInput, licenses.MaxBulkItems+1))
	requireCode(t, err, itam.CodeInvalid, "input")
	_, err = f.store.AssignSeats(as(f.a.id, itam.RoleAuditor, "audit@test"), []licenses.SeatInput{{LicenseID: user.ID, PersonID: &f.a.bob}})
	requireCode(t, err, itam.CodeForbidden, "")
}

func TestLicenseRoles(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	l := f.license(f.admin(f.a), licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(3)})
	seat, err := f.store.AssignSeat(f.admin(f.a), licenses.SeatInput{LicenseID: l.ID, PersonID: &f.a.bob})
	require.NoError(t, err)
	for _, tt := range []struct {
		role  itam.Role
		write bool
	}{{itam.RoleAdmin, true}, {itam.RoleManager, true}, {itam.RoleAuditor, false}, {itam.RoleEmployee, false}} {
		t.Run(string(tt.role), func(t *testing.T) {
			ctx := as(f.a.id, tt.role, "alice@alpha.test")
			check := func(err error) {
				t.Helper()
				if tt.write {
					require.NoError(t, err)
				} else {
					requireCode(t, err, itam.CodeForbidden, "")
				}
			}
			created, err := f.store.CreateLicense(ctx, licenses.Input{ProductID: f.productA, Model: licenses.Site})
			check(err)
			_, err = f.store.UpdateLicense(ctx, licenses.Patch{ID: l.ID, Version: l.Version, Notes: itam.Some("x")})
			if tt.write {
				// The second writer to run sees a newer version.
				if err != nil {
					requireCode(t, err, itam.CodeConflict, "version")
				}
			} else {
				requireCode(t, err, itam.CodeForbidden, "")
			}
			s, err := f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: l.ID, PersonID: &f.a.alice})
			check(err)
			if s != nil {
				_, err = f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: s.ID, Reason: "test"})
				check(err)
			} else {
				_, err = f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: seat.ID, Reason: "test"})
				check(err)
			}
			if created != nil {
				_, err = f.store.DeleteLicense(ctx, created.ID, nil)
			} else {
				_, err = f.store.DeleteLicense(ctx, l.ID, nil)
			}
			check(err)
		})
	}
}

func TestLicenseEmployeeAndOrgVisibility(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	mine := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(3), SeatCost: licenseMoney("9", "USD")})
	onMyLaptop := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerDevice, Seats: ptr(3)})
	others := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(3)})
	reclaimed := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(3)})
	laptop := f.newAsset(f.a, nil)
	f.exec(`UPDATE assets SET assigned_person_id = $2, status = 'DEPLOYED' WHERE id = $1`, laptop.ID, f.a.alice)
	for _, in := range []licenses.SeatInput{
		{LicenseID: mine.ID, PersonID: &f.a.alice}, {LicenseID: mine.ID, PersonID: &f.a.bob},
		{LicenseID: onMyLaptop.ID, AssetID: &laptop.ID}, {LicenseID: others.ID, PersonID: &f.a.bob},
	} {
		_, err := f.store.AssignSeat(ctx, in)
		require.NoError(t, err)
	}
	gone, err := f.store.AssignSeat(ctx, licenses.SeatInput{LicenseID: reclaimed.ID, PersonID: &f.a.alice})
	require.NoError(t, err)
	_, err = f.store.ReclaimSeat(ctx, licenses.ReclaimInput{SeatID: gone.ID, Reason: "unused"})
	require.NoError(t, err)

	alice := as(f.a.id, itam.RoleEmployee, "Alice@alpha.test")
	page, err := f.store.ListLicenses(alice, licenses.Filter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.ElementsMatch(t, []uuid.UUID{mine.ID, onMyLaptop.ID}, ids(page.Items, func(l *licenses.License) uuid.UUID { return l.ID }))
	n, err := f.store.CountLicenses(alice, licenses.Filter{})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	byID, err := f.store.LicensesByIDs(alice, []uuid.UUID{mine.ID, others.ID})
	require.NoError(t, err)
	require.Len(t, byID, 1)
	seats, err := f.store.SeatsOf(alice, []uuid.UUID{mine.ID}, false, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, seats[mine.ID].Items, 1, "an EMPLOYEE sees their own seat, not who else holds one")
	hist, err := f.store.HistoriesOf(alice, []uuid.UUID{mine.ID}, itam.PageArgs{})
	require.NoError(t, err)
	for _, h := range hist[mine.ID].Items {
		for _, c := range h.Changes {
			require.NotEqual(t, "seatCost", c.Field)
			if c.Field == "personId" {
				require.NotContains(t, string(c.To), f.a.bob.String())
			}
		}
	}

	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor} {
		n, err := f.store.CountLicenses(as(f.a.id, role, "x@test"), licenses.Filter{})
		require.NoError(t, err)
		require.Equal(t, 4, n, role)
	}
	// Another organization sees none of them.
	page, err = f.store.ListLicenses(f.admin(f.b), licenses.Filter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
	byID, err = f.store.LicensesByIDs(f.admin(f.b), []uuid.UUID{mine.ID})
	require.NoError(t, err)
	require.Empty(t, byID)
	s, err := f.store.SeatsByIDs(f.admin(f.b), []uuid.UUID{gone.ID})
	require.NoError(t, err)
	require.Empty(t, s)
}
