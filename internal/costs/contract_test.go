package costs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
)

func TestContractValidate(t *testing.T) {
	a := uuid.New()
	base := func() costs.Contract {
		return costs.Contract{
			Kind: costs.ContractSupport, Start: finDay(2025, 1, 1), End: finDayP(2025, 12, 31),
			RenewalDate: finDayP(2025, 12, 31), NoticeDate: finDayP(2025, 10, 1),
			Charges: []costs.Charge{{Amount: finMoney("100", "EUR"), Every: costs.EveryMonth}},
		}
	}
	with := func(f func(*costs.Contract)) costs.Contract { c := base(); f(&c); return c }
	tests := []struct {
		name     string
		contract costs.Contract
		field    string // "" = valid
	}{
		{"valid", base(), ""},
		{"open-ended", with(func(c *costs.Contract) { c.End, c.NoticeDate, c.RenewalDate = nil, nil, nil }), ""},
		{"one-day contract", with(func(c *costs.Contract) { c.End, c.NoticeDate, c.RenewalDate = finDayP(2025, 1, 1), nil, nil }), ""},
		{"no charges", with(func(c *costs.Contract) { c.Charges = nil }), ""},
		{"charge ends after the contract", with(func(c *costs.Contract) { c.Charges[0].End = finDayP(2027, 1, 1) }), ""},
		{"charge starts on the last day", with(func(c *costs.Contract) { c.Charges[0].Start = finDayP(2025, 12, 31) }), ""},
		{"zero charge", with(func(c *costs.Contract) { c.Charges[0].Amount = finMoney("0", "JPY") }), ""},
		{"unknown kind", with(func(c *costs.Contract) { c.Kind = "LOAN" }), "kind"},
		{"no start", with(func(c *costs.Contract) { c.Start = time.Time{} }), "start"},
		{"end before start", with(func(c *costs.Contract) { c.End = finDayP(2024, 12, 31) }), "end"},
		{"renewal before start", with(func(c *costs.Contract) { c.RenewalDate = finDayP(2024, 6, 1) }), "renewalDate"},
		{"notice after end", with(func(c *costs.Contract) { c.RenewalDate = nil; c.NoticeDate = finDayP(2026, 1, 1) }), "noticeDate"},
		{"notice after renewal", with(func(c *costs.Contract) { c.End = nil; c.NoticeDate = finDayP(2026, 1, 1) }), "noticeDate"},
		{"notice before start", with(func(c *costs.Contract) { c.NoticeDate = finDayP(2024, 12, 1) }), "noticeDate"},
		{"long number", with(func(c *costs.Contract) { c.Number = finPtr(strings.Repeat("n", costs.MaxReferenceLength+1)) }), "number"},
		{"NUL in notes", with(func(c *costs.Contract) { c.Notes = finPtr("\x00") }), "notes"},
		{"asset listed twice", with(func(c *costs.Contract) { c.AssetIDs = []uuid.UUID{a, a} }), "assetIds"},
		{"license listed twice", with(func(c *costs.Contract) { c.LicenseIDs = []uuid.UUID{a, a} }), "licenseIds"},
		{"too many charges", with(func(c *costs.Contract) { c.Charges = make([]costs.Charge, costs.MaxCharges+1) }), "charges"},
		{"negative charge", with(func(c *costs.Contract) { c.Charges[0].Amount = finMoney("-1", "EUR") }), "charges[0].amount.amount"},
		{"unknown charge currency", with(func(c *costs.Contract) { c.Charges[0].Amount.Currency = "EURO" }), "charges[0].amount.currency"},
		{"no interval", with(func(c *costs.Contract) { c.Charges[0].Every = "" }), "charges[0].every"},
		{"weekly", with(func(c *costs.Contract) { c.Charges[0].Every = "WEEK" }), "charges[0].every"},
		{"charge before contract", with(func(c *costs.Contract) { c.Charges[0].Start = finDayP(2024, 12, 31) }), "charges[0].start"},
		{"charge after contract", with(func(c *costs.Contract) { c.Charges[0].Start = finDayP(2026, 1, 1) }), "charges[0].start"},
		{"charge ends before it starts", with(func(c *costs.Contract) {
			c.Charges = append(c.Charges, costs.Charge{Amount: finMoney("1", "EUR"), Every: costs.EveryYear,
				Start: finDayP(2025, 6, 1), End: finDayP(2025, 5, 31)})
		}), "charges[1].end"},
		{"charge ends before the contract's start it defaults to", with(func(c *costs.Contract) { c.Charges[0].End = finDayP(2024, 12, 1) }), "charges[0].end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.contract.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			finRequireInvalid(t, err, tt.field)
			_, err = tt.contract.Normalize()
			finRequireInvalid(t, err, tt.field)
		})
	}
}

func TestContractNormalize(t *testing.T) {
	in := costs.Contract{Kind: costs.ContractLease, Start: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC), Number: finPtr(" L-1 "),
		Charges: []costs.Charge{{Amount: finMoney("12.345", "bhd"), Every: costs.EveryMonth}}}
	got, err := in.Normalize()
	require.NoError(t, err)
	require.Equal(t, finDay(2025, 1, 1), got.Start)
	require.Equal(t, "L-1", *got.Number)
	require.Equal(t, "BHD", got.Charges[0].Amount.Currency)
	require.Equal(t, "bhd", in.Charges[0].Amount.Currency, "the input's charges are not changed")
}

// finLine is a line as the expansion tests state it.
type finLine struct {
	date   time.Time
	amount string
	charge int
}

func TestExpand(t *testing.T) {
	monthly := func(amount, cur string) costs.Charge {
		return costs.Charge{Amount: finMoney(amount, cur), Every: costs.EveryMonth}
	}
	tests := []struct {
		name     string
		contract costs.Contract
		from, to time.Time
		want     []finLine
	}{
		{
			// Due Nov 15, Feb 15, May 15: only Feb 15 is in Q1.
			name: "quarterly charge from Nov 15 over a Jan–Mar window",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2024, 11, 15),
				Charges: []costs.Charge{{Amount: finMoney("300.00", "EUR"), Every: costs.EveryQuarter}}},
			from: finDay(2025, 1, 1), to: finDay(2025, 3, 31),
			want: []finLine{{finDay(2025, 2, 15), "300", 0}},
		},
		{
			name: "quarterly charge from Nov 15 over a year",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2024, 11, 15),
				Charges: []costs.Charge{{Amount: finMoney("300.00", "EUR"), Every: costs.EveryQuarter}}},
			from: finDay(2025, 1, 1), to: finDay(2025, 12, 31),
			want: []finLine{{finDay(2025, 2, 15), "300", 0}, {finDay(2025, 5, 15), "300", 0},
				{finDay(2025, 8, 15), "300", 0}, {finDay(2025, 11, 15), "300", 0}},
		},
		{
			// Counted from the start, so Feb 29 does not drag March to the 29th.
			name:     "month end in a leap year: Jan 31, Feb 29, Mar 31, Apr 30",
			contract: costs.Contract{Kind: costs.ContractLease, Start: finDay(2024, 1, 31), Charges: []costs.Charge{monthly("1000", "JPY")}},
			from:     finDay(2024, 1, 1), to: finDay(2024, 4, 30),
			want: []finLine{{finDay(2024, 1, 31), "1000", 0}, {finDay(2024, 2, 29), "1000", 0},
				{finDay(2024, 3, 31), "1000", 0}, {finDay(2024, 4, 30), "1000", 0}},
		},
		{
			name:     "month end in a common year: Feb 28",
			contract: costs.Contract{Kind: costs.ContractLease, Start: finDay(2025, 1, 31), Charges: []costs.Charge{monthly("1000", "JPY")}},
			from:     finDay(2025, 2, 1), to: finDay(2025, 3, 31),
			want: []finLine{{finDay(2025, 2, 28), "1000", 0}, {finDay(2025, 3, 31), "1000", 0}},
		},
		{
			name: "yearly from Feb 29: Feb 28 until the next leap year",
			contract: costs.Contract{Kind: costs.ContractSubscription, Start: finDay(2024, 2, 29),
				Charges: []costs.Charge{{Amount: finMoney("1.234", "BHD"), Every: costs.EveryYear}}},
			from: finDay(2024, 1, 1), to: finDay(2028, 12, 31),
			want: []finLine{{finDay(2024, 2, 29), "1.234", 0}, {finDay(2025, 2, 28), "1.234", 0},
				{finDay(2026, 2, 28), "1.234", 0}, {finDay(2027, 2, 28), "1.234", 0}, {finDay(2028, 2, 29), "1.234", 0}},
		},
		{
			name:     "open-ended contract read years later",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2020, 1, 1), Charges: []costs.Charge{monthly("50", "USD")}},
			from:     finDay(2030, 6, 1), to: finDay(2030, 8, 31),
			want: []finLine{{finDay(2030, 6, 1), "50", 0}, {finDay(2030, 7, 1), "50", 0}, {finDay(2030, 8, 1), "50", 0}},
		},
		{
			name: "charge ending mid-contract, replaced by another",
			contract: costs.Contract{Kind: costs.ContractMaintenance, Start: finDay(2025, 1, 1), End: finDayP(2025, 12, 31),
				Charges: []costs.Charge{
					{Amount: finMoney("100", "EUR"), Every: costs.EveryQuarter, End: finDayP(2025, 6, 15)},
					{Amount: finMoney("120", "EUR"), Every: costs.EveryQuarter, Start: finDayP(2025, 7, 1)},
				}},
			from: finDay(2025, 1, 1), to: finDay(2025, 12, 31),
			want: []finLine{{finDay(2025, 1, 1), "100", 0}, {finDay(2025, 4, 1), "100", 0},
				{finDay(2025, 7, 1), "120", 1}, {finDay(2025, 10, 1), "120", 1}},
		},
		{
			// The contract's end day is inclusive: a charge due on it is owed.
			name: "contract end stops the charges, end day included",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2025, 1, 1), End: finDayP(2025, 3, 1),
				Charges: []costs.Charge{monthly("10", "EUR")}},
			from: finDay(2024, 1, 1), to: finDay(2026, 1, 1),
			want: []finLine{{finDay(2025, 1, 1), "10", 0}, {finDay(2025, 2, 1), "10", 0}, {finDay(2025, 3, 1), "10", 0}},
		},
		{
			name: "charge end past the contract end stops with the contract",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2025, 1, 1), End: finDayP(2025, 2, 15),
				Charges: []costs.Charge{{Amount: finMoney("10", "EUR"), Every: costs.EveryMonth, End: finDayP(2026, 1, 1)}}},
			from: finDay(2025, 1, 1), to: finDay(2025, 12, 31),
			want: []finLine{{finDay(2025, 1, 1), "10", 0}, {finDay(2025, 2, 1), "10", 0}},
		},
		{
			name:     "window bounds are inclusive days, time of day ignored",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2025, 1, 15), Charges: []costs.Charge{monthly("10", "EUR")}},
			from:     time.Date(2025, 2, 15, 18, 0, 0, 0, time.UTC), to: time.Date(2025, 3, 15, 0, 0, 0, 0, time.UTC),
			want: []finLine{{finDay(2025, 2, 15), "10", 0}, {finDay(2025, 3, 15), "10", 0}},
		},
		{
			name:     "window before the contract",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2025, 1, 15), Charges: []costs.Charge{monthly("10", "EUR")}},
			from:     finDay(2024, 1, 1), to: finDay(2025, 1, 14),
		},
		{
			name:     "empty window",
			contract: costs.Contract{Kind: costs.ContractSupport, Start: finDay(2025, 1, 15), Charges: []costs.Charge{monthly("10", "EUR")}},
			from:     finDay(2025, 6, 1), to: finDay(2025, 5, 1),
		},
		{
			name: "two charges on one day keep charge order",
			contract: costs.Contract{Kind: costs.ContractSubscription, Start: finDay(2025, 1, 1), Charges: []costs.Charge{
				{Amount: finMoney("1200", "USD"), Every: costs.EveryYear}, monthly("100", "EUR")}},
			from: finDay(2025, 1, 1), to: finDay(2025, 2, 1),
			want: []finLine{{finDay(2025, 1, 1), "1200", 0}, {finDay(2025, 1, 1), "100", 1}, {finDay(2025, 2, 1), "100", 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.contract.ID = uuid.New()
			var got []finLine
			for _, l := range costs.Expand(tt.contract, tt.from, tt.to) {
				require.Equal(t, tt.contract.ID, l.SourceID)
				require.Equal(t, tt.contract.Kind.EntryKind(), l.Kind)
				require.Equal(t, tt.contract.Charges[l.Charge].Amount, l.Amount)
				got = append(got, finLine{l.Date, l.Amount.Amount.String(), l.Charge})
			}
			require.Equal(t, tt.want, got)
		})
	}
}

// TestExpandWindowsAgree checks that reading any period gives exactly the
// lines of a read from the start restricted to that period, so skipping
// ahead to the window never drops or shifts a due date, and adjacent
// periods neither share nor lose a line.
func TestExpandWindowsAgree(t *testing.T) {
	for _, start := range []time.Time{finDay(2019, 1, 31), finDay(2020, 2, 29), finDay(2021, 11, 15), finDay(2022, 8, 30)} {
		for _, every := range []costs.Interval{costs.EveryMonth, costs.EveryQuarter, costs.EveryYear} {
			c := costs.Contract{Kind: costs.ContractLease, Start: start, Charges: []costs.Charge{{Amount: finMoney("1", "EUR"), Every: every}}}
			all := costs.Expand(c, start, finDay(2031, 12, 31))
			var joined []costs.Line
			for y := 2019; y <= 2031; y++ {
				for q := 1; q <= 4; q++ {
					from := costs.QuarterStart(y, q)
					to := costs.QuarterStart(y, q+1).AddDate(0, 0, -1)
					joined = append(joined, costs.Expand(c, from, to)...)
				}
			}
			require.Equal(t, all, joined, fmt.Sprintf("%s every %s", start.Format(time.DateOnly), every))
		}
	}
}

func TestContractKindEntryKind(t *testing.T) {
	require.Equal(t, costs.KindSupport, costs.ContractSupport.EntryKind())
	require.Equal(t, costs.KindMaintenance, costs.ContractMaintenance.EntryKind())
	require.Equal(t, costs.KindMaintenance, costs.ContractWarrantyExtension.EntryKind())
	require.Equal(t, costs.KindLease, costs.ContractLease.EntryKind())
	require.Equal(t, costs.KindSubscription, costs.ContractSubscription.EntryKind())
}

func TestLeaseEnd(t *testing.T) {
	require.Nil(t, costs.LeaseEnd(nil))
	cs := []costs.Contract{
		{Kind: costs.ContractSupport, Start: finDay(2025, 1, 1), End: finDayP(2030, 1, 1)},
		{Kind: costs.ContractLease, Start: finDay(2022, 1, 1), End: finDayP(2025, 1, 1)},
		{Kind: costs.ContractLease, Start: finDay(2025, 1, 1), End: finDayP(2027, 12, 31)}, // the extension
		{Kind: costs.ContractLease, Start: finDay(2025, 1, 1)},                             // open-ended: no end to drive
	}
	require.Equal(t, finDayP(2027, 12, 31), costs.LeaseEnd(cs))
	require.Nil(t, costs.LeaseEnd(cs[:1]))
}
