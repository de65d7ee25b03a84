package costs_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

func TestSeatPerSeat(t *testing.T) {
	tests := []struct {
		name string
		seat costs.SeatHolding
		want *itam.Money
	}{
		{"seat cost", costs.SeatHolding{SeatCost: finPtr(finMoney("12.50", "EUR"))}, finPtr(finMoney("12.50", "EUR"))},
		{"total over seats, rounded to cents", costs.SeatHolding{TotalCost: finPtr(finMoney("100", "EUR")), Seats: finPtr(3)}, finPtr(finMoney("33.33", "EUR"))},
		{"total over seats in yen", costs.SeatHolding{TotalCost: finPtr(finMoney("1000", "JPY")), Seats: finPtr(3)}, finPtr(finMoney("333", "JPY"))},
		{"total over seats in dinars", costs.SeatHolding{TotalCost: finPtr(finMoney("1", "BHD")), Seats: finPtr(3)}, finPtr(finMoney("0.333", "BHD"))},
		{"total without seats (SITE)", costs.SeatHolding{TotalCost: finPtr(finMoney("100", "EUR"))}, nil},
		{"total over zero seats", costs.SeatHolding{TotalCost: finPtr(finMoney("100", "EUR")), Seats: finPtr(0)}, nil},
		{"no price", costs.SeatHolding{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.seat.PerSeat()
			if tc.want == nil {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			finRequireMoney(t, *tc.want, *got)
		})
	}
}

func TestSeatLines(t *testing.T) {
	lic := uuid.New()
	seat := func(billing costs.Billing, f func(*costs.SeatHolding)) costs.SeatHolding {
		s := costs.SeatHolding{LicenseID: lic, SeatCost: finPtr(finMoney("10", "EUR")), Billing: billing,
			AssignedAt: time.Date(2024, 1, 31, 15, 0, 0, 0, time.UTC)}
		if f != nil {
			f(&s)
		}
		return s
	}
	from, to := finDay(2024, 1, 1), finDay(2024, 6, 30)
	tests := []struct {
		name string
		seat costs.SeatHolding
		from time.Time
		want []string
	}{
		{"one-time on the assignment day", seat(costs.BillOnce, nil), from, []string{"2024-01-31"}},
		{"one-time before the period", seat(costs.BillOnce, nil), finDay(2024, 2, 1), nil},
		{"monthly from assignment, month ends clamped", seat(costs.BillMonthly, nil), from,
			[]string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30"}},
		{"monthly until reclaimed: not on the reclaim day", seat(costs.BillMonthly, func(s *costs.SeatHolding) {
			s.ReclaimedAt = finDayP(2024, 3, 31)
		}), from, []string{"2024-01-31", "2024-02-29"}},
		{"monthly until the term ends", seat(costs.BillMonthly, func(s *costs.SeatHolding) { s.TermEnd = finDayP(2024, 3, 31) }), from,
			[]string{"2024-01-31", "2024-02-29", "2024-03-31"}},
		{"reclaimed the day it was assigned", seat(costs.BillMonthly, func(s *costs.SeatHolding) { s.ReclaimedAt = finDayP(2024, 1, 31) }), from, nil},
		{"annual", seat(costs.BillAnnually, nil), from, []string{"2024-01-31"}},
		{"no price", seat(costs.BillMonthly, func(s *costs.SeatHolding) { s.SeatCost = nil }), from, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, l := range costs.SeatLines(tc.seat, tc.from, to) {
				require.Equal(t, costs.KindSubscription, l.Kind)
				require.Equal(t, lic, l.SourceID)
				finRequireMoney(t, finMoney("10", "EUR"), l.Amount)
				got = append(got, l.Date.Format(time.DateOnly))
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestAssetCostsLines(t *testing.T) {
	contract := costs.Contract{ID: uuid.New(), Kind: costs.ContractSupport, Start: finDay(2024, 1, 1), End: finDayP(2024, 3, 31),
		Charges: []costs.Charge{{Amount: finMoney("100.00", "USD"), Every: costs.EveryMonth}}}
	fee := costs.Entry{ID: uuid.New(), Kind: costs.KindOther, Date: finDay(2024, 2, 15), Amount: finMoney("10", "USD")}
	perUser := costs.SeatHolding{LicenseID: uuid.New(), SeatCost: finPtr(finMoney("100", "EUR")), Billing: costs.BillOnce, AssignedAt: finDay(2024, 2, 1)}
	total := func(lines []costs.Line) costs.Totals {
		var t costs.Totals
		for _, l := range lines {
			t = t.Add(l.Amount)
		}
		return t
	}
	var support, seats costs.Totals
	for i := 0; i < 3; i++ {
		a := costs.AssetCosts{
			Contracts: []costs.CoveringContract{{Contract: contract, Entries: []costs.Entry{fee}, Index: i, Of: 3}},
			UserSeats: []costs.SharedSeat{{Seat: perUser, Index: i, Of: 3}},
		}
		cl, sl := a.Lines(finDay(2024, 1, 1), finDay(2024, 12, 31))
		require.Len(t, cl, 4, "three charges and the fee")
		for _, m := range total(cl) {
			support = support.Add(m)
		}
		for _, m := range total(sl) {
			seats = seats.Add(m)
		}
	}
	require.Len(t, support, 1)
	finRequireMoney(t, finMoney("310", "USD"), support[0])
	finRequireMoney(t, finMoney("100", "EUR"), seats[0])
}

func TestAssetTotalCostOfOwnership(t *testing.T) {
	a := costs.AssetCosts{
		Entries: []costs.Entry{{Kind: costs.KindPurchase, Date: finDay(2024, 1, 10), Amount: finMoney("1000", "EUR")}},
		Contracts: []costs.CoveringContract{{Contract: costs.Contract{Kind: costs.ContractLease, Start: finDay(2024, 1, 31),
			Charges: []costs.Charge{{Amount: finMoney("100", "USD"), Every: costs.EveryMonth}}}, Of: 1}},
		DeviceSeats: []costs.SeatHolding{{SeatCost: finPtr(finMoney("5", "EUR")), Billing: costs.BillOnce, AssignedAt: finDay(2024, 2, 1)}},
	}
	b, err := a.TotalCostOfOwnership(nil, finDay(2024, 3, 31), nil, nil)
	require.NoError(t, err)
	require.Len(t, b.Total, 2, "EUR and USD kept apart")
	finRequireMoney(t, finMoney("1000", "EUR"), b.ByKind[costs.KindPurchase][0])
	finRequireMoney(t, finMoney("300", "USD"), b.ByKind[costs.KindLease][0])
	finRequireMoney(t, finMoney("5", "EUR"), b.ByKind[costs.KindSubscription][0])

	rates := costs.Rates{finRate("USD", "EUR", "0.9", finDay(2024, 1, 1)), finRate("USD", "EUR", "0.8", finDay(2024, 3, 1)),
		finRate("USD", "EUR", "0.1", finDay(2030, 1, 1))}
	b, err = a.TotalCostOfOwnership(finDayP(2024, 1, 1), finDay(2024, 3, 31), rates, finPtr("EUR"))
	require.NoError(t, err)
	finRequireMoney(t, finMoney("1265", "EUR"), b.Total[0]) // 1000 + 90 + 90 + 80 + 5
	require.Len(t, b.Rates, 2)
	_, err = a.TotalCostOfOwnership(nil, finDay(2024, 3, 31), rates, finPtr("GBP"))
	finRequireInvalid(t, err, "reportingCurrency")

	finRequireInvalid(t, costs.ValidateTCOPeriod(finDayP(2024, 2, 1), finDay(2024, 1, 1)), "to")
	finRequireInvalid(t, costs.ValidateTCOPeriod(finDayP(2010, 1, 1), finDay(2024, 1, 1)), "to")
	require.NoError(t, costs.ValidateTCOPeriod(nil, finDay(2024, 1, 1)))
}

func TestEndOfLifeFacts(t *testing.T) {
	profile, orgProfile := uuid.New(), uuid.New()
	lives := map[uuid.UUID]int{profile: 36, orgProfile: 60}
	lease := func(end *time.Time) costs.Contract { return costs.Contract{Kind: costs.ContractLease, End: end} }
	tests := []struct {
		name  string
		facts costs.EndOfLifeFacts
		want  *time.Time
		src   string
	}{
		{"explicit wins", costs.EndOfLifeFacts{Explicit: finDayP(2025, 1, 1), Leases: []costs.Contract{lease(finDayP(2026, 1, 1))}}, finDayP(2025, 1, 1), costs.EndOfLifeExplicit},
		{"latest lease end", costs.EndOfLifeFacts{Leases: []costs.Contract{lease(finDayP(2026, 1, 1)), lease(finDayP(2027, 2, 28)), lease(nil)},
			InService: finDayP(2024, 1, 1), ModelUsefulLife: finPtr(12)}, finDayP(2027, 2, 28), costs.EndOfLifeLease},
		{"in service + model life", costs.EndOfLifeFacts{InService: finDayP(2024, 8, 31), Purchased: finDayP(2020, 1, 1), ModelUsefulLife: finPtr(6)},
			finDayP(2025, 2, 28), costs.EndOfLifeUsefulLife},
		{"purchase date when not placed in service", costs.EndOfLifeFacts{Purchased: finDayP(2024, 1, 15), ModelUsefulLife: finPtr(12)},
			finDayP(2025, 1, 15), costs.EndOfLifeUsefulLife},
		{"the asset's profile before the organization's", costs.EndOfLifeFacts{Purchased: finDayP(2024, 1, 15), AssetProfile: &profile,
			OrgProfile: &orgProfile, ProfileLives: lives}, finDayP(2027, 1, 15), costs.EndOfLifeUsefulLife},
		{"the organization's default", costs.EndOfLifeFacts{Purchased: finDayP(2024, 1, 15), OrgProfile: &orgProfile, ProfileLives: lives},
			finDayP(2029, 1, 15), costs.EndOfLifeUsefulLife},
		{"the model's life before any profile", costs.EndOfLifeFacts{Purchased: finDayP(2024, 1, 15), ModelUsefulLife: finPtr(24), AssetProfile: &profile,
			ProfileLives: lives}, finDayP(2026, 1, 15), costs.EndOfLifeUsefulLife},
		{"no date", costs.EndOfLifeFacts{ModelUsefulLife: finPtr(24)}, nil, ""},
		{"no life", costs.EndOfLifeFacts{Purchased: finDayP(2024, 1, 15)}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, src := tc.facts.ExpectedEndOfLife()
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.src, src)
		})
	}
}

func TestContractFilterValidate(t *testing.T) {
	finRequireInvalid(t, costs.ContractFilter{Kinds: []costs.ContractKind{"LOAN"}}.Validate(), "filter.kinds")
	finRequireInvalid(t, costs.ContractFilter{Kinds: []costs.ContractKind{costs.ContractLease, costs.ContractLease}}.Validate(), "filter.kinds")
	finRequireInvalid(t, costs.ContractFilter{NoticeWithinDays: finPtr(0)}.Validate(), "filter.noticeWithinDays")
	finRequireInvalid(t, costs.ContractFilter{NoticeWithinDays: finPtr(3651)}.Validate(), "filter.noticeWithinDays")
	require.NoError(t, costs.ContractFilter{Kinds: []costs.ContractKind{costs.ContractLease}, NoticeWithinDays: finPtr(90)}.Validate())
}

func TestTCOStart(t *testing.T) {
	require.Equal(t, finDay(2024, 2, 1), costs.TCOStart(finDayP(2024, 2, 1), finDay(2025, 1, 1)))
	require.Equal(t, finDay(1975, 3, 31), costs.TCOStart(nil, finDay(2025, 3, 31)))
	// All time reaches back AllTimeYears: an open-ended monthly charge
	// from 1900 expands 600 times, not 1,500.
	c := costs.Contract{Kind: costs.ContractSupport, Start: finDay(1900, 1, 1), Charges: []costs.Charge{{Amount: finMoney("1", "EUR"), Every: costs.EveryMonth}}}
	a := costs.AssetCosts{Contracts: []costs.CoveringContract{{Contract: c, Of: 1}}}
	b, err := a.TotalCostOfOwnership(nil, finDay(2024, 12, 31), nil, nil)
	require.NoError(t, err)
	finRequireMoney(t, finMoney("600", "EUR"), b.Total[0])
}
