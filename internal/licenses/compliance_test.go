package licenses

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func testMoney(amount, currency string) *itam.Money {
	return &itam.Money{Amount: decimal.RequireFromString(amount), Currency: currency}
}

func TestMetricFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		models []Model
		want   Metric
	}{
		{nil, CountDevices}, // unlicensed: installations are on devices
		{[]Model{PerDevice}, CountDevices},
		{[]Model{PerUser}, CountUsers},
		{[]Model{PerUser, PerDevice}, CountDevices},
		{[]Model{Concurrent}, CountUsers},
		{[]Model{Subscription}, CountUsers},
		{[]Model{Site}, CountUsers},
	}
	for _, c := range cases {
		require.Equal(t, c.want, MetricFor(c.models), "%v", c.models)
	}
}

func TestStatusFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		consumed int
		entitled *int
		licensed bool
		want     ComplianceStatus
	}{
		{"installed, no license", 1, ptr(0), false, Unlicensed},
		{"nothing installed, no license", 0, ptr(0), false, Compliant},
		{"over", 11, ptr(10), true, OverDeployed},
		{"exactly 90%", 9, ptr(10), true, AtRisk},
		{"just under 90%", 89, ptr(100), true, Compliant},
		{"all used", 10, ptr(10), true, AtRisk},
		{"zero seats, none used", 0, ptr(0), true, Compliant},
		{"zero seats, one used", 1, ptr(0), true, OverDeployed},
		{"site", 100000, nil, true, Compliant},
	}
	for _, c := range cases {
		require.Equal(t, c.want, StatusFor(c.consumed, c.entitled, c.licensed), c.name)
	}
}

func TestPrices(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name            string
		l               License
		perSeat, staked *itam.Money
	}{
		{"seat cost", License{Seats: ptr(10), SeatCost: testMoney("12.5", "EUR")}, testMoney("12.5", "EUR"), testMoney("125", "EUR")},
		{"total split, rounded to cents", License{Seats: ptr(3), TotalCost: testMoney("100", "USD")}, testMoney("33.33", "USD"), testMoney("100", "USD")},
		{"total split, yen has no minor unit", License{Seats: ptr(3), TotalCost: testMoney("1000", "JPY")}, testMoney("333", "JPY"), testMoney("1000", "JPY")},
		{"total split, dinar has three", License{Seats: ptr(3), TotalCost: testMoney("10", "BHD")}, testMoney("3.333", "BHD"), testMoney("10", "BHD")},
		{"site total", License{Model: Site, TotalCost: testMoney("5000", "EUR")}, nil, testMoney("5000", "EUR")},
		{"zero seats", License{Seats: ptr(0), TotalCost: testMoney("10", "EUR")}, nil, testMoney("10", "EUR")},
		{"no price", License{Seats: ptr(5)}, nil, nil},
	}
	for _, c := range cases {
		requireMoney(t, c.perSeat, PricePerSeat(c.l), c.name)
		requireMoney(t, c.staked, PriceAtStake(c.l), c.name)
	}
}

func requireMoney(t *testing.T, want, got *itam.Money, msg string) {
	t.Helper()
	if want == nil {
		require.Nil(t, got, msg)
		return
	}
	require.NotNil(t, got, msg)
	require.Equal(t, want.Currency, got.Currency, msg)
	require.True(t, want.Amount.Equal(got.Amount), "%s: want %s, got %s", msg, want.Amount, got.Amount)
}

func requireMonies(t *testing.T, want []string, got []itam.Money, msg string) {
	t.Helper()
	var g []string
	for _, m := range got {
		g = append(g, m.Amount.StringFixed(2)+" "+m.Currency)
	}
	require.Equal(t, want, g, msg)
}

func TestNewPosition(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	older := License{ID: uuid.New(), Model: PerDevice, Seats: ptr(10), SeatCost: testMoney("10", "EUR"), TermStart: day0(2025, 1, 1), CreatedAt: created}
	newer := License{ID: uuid.New(), Model: PerDevice, Seats: ptr(5), TotalCost: testMoney("100", "USD"), TermStart: day0(2026, 1, 1), CreatedAt: created}
	unpriced := License{ID: uuid.New(), Model: PerUser, Seats: ptr(4), TermStart: day0(2026, 6, 1), CreatedAt: created}
	perUser := License{ID: uuid.New(), Model: PerUser, Seats: ptr(10), SeatCost: testMoney("7", "EUR"), CreatedAt: created}
	site := License{ID: uuid.New(), Model: Site, TotalCost: testMoney("1000", "EUR"), CreatedAt: created}

	t.Run("over-deployed: true-up at the newest priced license", func(t *testing.T) {
		p := NewPosition(PositionCounts{Active: []License{older, newer}, DevicesConsumed: 18, Installed: 17, Assigned: 3})
		require.Equal(t, CountDevices, p.Metric)
		require.Equal(t, []Model{PerDevice}, p.Models)
		require.Equal(t, 15, *p.Entitled)
		require.Equal(t, 18, p.Consumed)
		require.Equal(t, 3, p.Shortfall)
		require.Equal(t, 0, *p.Surplus)
		require.Equal(t, OverDeployed, p.Status)
		requireMonies(t, []string{"60.00 USD"}, p.TrueUpCost, "3 × 100/5 USD")
		requireMonies(t, nil, p.SurplusCost, "no surplus")
	})
	t.Run("newest license without a price: the next one prices the true-up", func(t *testing.T) {
		p := NewPosition(PositionCounts{Active: []License{older, unpriced, perUser}, DevicesConsumed: 26})
		require.Equal(t, CountDevices, p.Metric, "one license is PER_DEVICE")
		require.Equal(t, 2, p.Shortfall)
		// unpriced starts 2026-06-01; perUser has no start, so its creation
		// day (2026-01-01) counts, which is after older's 2025-01-01.
		requireMonies(t, []string{"14.00 EUR"}, p.TrueUpCost, "2 × perUser's 7 EUR")
	})
	t.Run("surplus: newest licenses first, each at its price, per currency", func(t *testing.T) {
		p := NewPosition(PositionCounts{Active: []License{older, newer}, DevicesConsumed: 8})
		require.Equal(t, 7, *p.Surplus)
		require.Equal(t, Compliant, p.Status)
		// newer's 5 seats at 20 USD, then 2 of older's at 10 EUR.
		requireMonies(t, []string{"20.00 EUR", "100.00 USD"}, p.SurplusCost, "surplus cost")
		requireMonies(t, nil, p.TrueUpCost, "no shortfall")
	})
	t.Run("user metric counts people and reports unattributed devices", func(t *testing.T) {
		p := NewPosition(PositionCounts{Active: []License{perUser}, DevicesConsumed: 12, UsersConsumed: 9, Unattributed: 2, Installed: 11})
		require.Equal(t, CountUsers, p.Metric)
		require.Equal(t, 9, p.Consumed)
		require.Equal(t, 2, p.UnattributedDevices)
		require.Equal(t, AtRisk, p.Status)
		require.Equal(t, 1, *p.Surplus)
		requireMonies(t, []string{"7.00 EUR"}, p.SurplusCost, "one unused seat")
	})
	t.Run("site is unlimited", func(t *testing.T) {
		p := NewPosition(PositionCounts{Active: []License{site, perUser}, UsersConsumed: 5000})
		require.Nil(t, p.Entitled)
		require.Nil(t, p.Surplus)
		require.Equal(t, 0, p.Shortfall)
		require.Equal(t, Compliant, p.Status)
		require.Empty(t, p.TrueUpCost)
		require.Empty(t, p.SurplusCost)
	})
	t.Run("unlicensed", func(t *testing.T) {
		p := NewPosition(PositionCounts{DevicesConsumed: 3, Installed: 3})
		require.Equal(t, Unlicensed, p.Status)
		require.Equal(t, CountDevices, p.Metric)
		require.Equal(t, []Model{}, p.Models)
		require.Equal(t, 0, *p.Entitled)
		require.Equal(t, 3, p.Shortfall)
		require.Empty(t, p.TrueUpCost, "no license, no price")
	})
}

func TestSortPositions(t *testing.T) {
	t.Parallel()
	ps := []Position{{Status: Compliant, Consumed: 1}, {Status: AtRisk}, {Status: Compliant, Consumed: 2}, {Status: OverDeployed}, {Status: Unlicensed}}
	SortPositions(ps)
	var got []ComplianceStatus
	for _, p := range ps {
		got = append(got, p.Status)
	}
	require.Equal(t, []ComplianceStatus{Unlicensed, OverDeployed, AtRisk, Compliant, Compliant}, got)
	require.Equal(t, 1, ps[3].Consumed, "stable within a status")
}

func TestJudge(t *testing.T) {
	t.Parallel()
	name := "Campus"
	cases := []struct {
		f       EvidenceFacts
		covered bool
		note    string
	}{
		{EvidenceFacts{Metric: CountDevices, Installed: true, Licensed: true}, false, "installed, no seat: uncovered"},
		{EvidenceFacts{Metric: CountDevices, Installed: true}, false, "installed, no active license: unlicensed"},
		{EvidenceFacts{Metric: CountDevices, Installed: true, Seat: true, Licensed: true}, true, "installed, covered by a seat"},
		{EvidenceFacts{Metric: CountDevices, Seat: true, Licensed: true}, true, "seat on a device that no longer reports it"},
		{EvidenceFacts{Metric: CountUsers, Seat: true, Licensed: true}, true, "seat held, not installed on any of their devices"},
		{EvidenceFacts{Metric: CountUsers, Installed: true, Licensed: true, Site: true, SiteName: &name}, true, "covered by SITE license Campus"},
		{EvidenceFacts{Metric: CountUsers, Installed: true, Licensed: true, Unattributed: true}, false, "installed on a device assigned to nobody: not attributed to a user"},
		{EvidenceFacts{Metric: CountDevices, Installed: true, Seat: true, Licensed: true, Inactive: "RETIRED"}, true, "device is RETIRED: does not consume; its seat can be reclaimed"},
		{EvidenceFacts{Metric: CountUsers, Seat: true, Licensed: true, Inactive: "OFFBOARDED"}, true, "person is OFFBOARDED: does not consume; its seat can be reclaimed"},
		{EvidenceFacts{Metric: CountDevices, Installed: true, Licensed: true, Inactive: "DISPOSED"}, false, "device is DISPOSED: does not consume"},
	}
	for _, c := range cases {
		covered, note := Judge(c.f)
		require.Equal(t, c.note, note, "%+v", c.f)
		require.Equal(t, c.covered, covered, "%+v", c.f)
	}
}

func TestReclaimReasonFor(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	ago := func(days int) *time.Time { t := now.Add(-time.Duration(days) * 24 * time.Hour); return &t }
	cases := []struct {
		name string
		f    ReclaimFacts
		want ReclaimReason
	}{
		{"offboarded wins", ReclaimFacts{HolderOffboarded: true, LastSeenAt: ago(1), AssignedAt: *ago(400)}, HolderOffboarded},
		{"retired device", ReclaimFacts{AssetRetired: true, LastSeenAt: ago(1), AssignedAt: *ago(400)}, AssetRetired},
		{"not seen for 90 days", ReclaimFacts{LastSeenAt: ago(90), AssignedAt: *ago(400)}, NotUsed},
		{"seen 89 days ago", ReclaimFacts{LastSeenAt: ago(89), AssignedAt: *ago(400)}, ""},
		{"never seen, assigned long ago", ReclaimFacts{AssignedAt: *ago(91)}, NotUsed},
		{"never seen, assigned yesterday", ReclaimFacts{AssignedAt: *ago(1)}, ""},
	}
	for _, c := range cases {
		got, ok := ReclaimReasonFor(c.f, now, 90)
		require.Equal(t, c.want, got, c.name)
		require.Equal(t, c.want != "", ok, c.name)
	}
}

func TestArguments(t *testing.T) {
	t.Parallel()
	n := func(i int) *int { return &i }
	first, err := ReportFirst(nil)
	require.NoError(t, err)
	require.Equal(t, 100, first)
	for _, bad := range []int{-1, 501} {
		_, err := ReportFirst(n(bad))
		require.Equal(t, "first", err.(*itam.Error).Field)
	}
	require.NoError(t, ValidateWithinDays(0))
	require.NoError(t, ValidateWithinDays(3650))
	require.Equal(t, "withinDays", ValidateWithinDays(3651).(*itam.Error).Field)
	require.Equal(t, "withinDays", ValidateWithinDays(-1).(*itam.Error).Field)
	require.NoError(t, ValidateReclaimAfterDays(1))
	require.NoError(t, ValidateReclaimAfterDays(3650))
	require.Equal(t, "softwareReclaimAfterDays", ValidateReclaimAfterDays(0).(*itam.Error).Field)
	require.Equal(t, "softwareReclaimAfterDays", ValidateReclaimAfterDays(3651).(*itam.Error).Field)
}
