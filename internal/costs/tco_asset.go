package costs

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// AssetCosts is everything an asset's total cost of ownership draws on,
// as the store loads it for a page of assets.
type AssetCosts struct {
	AssetID uuid.UUID
	// Entries are the asset's own ledger entries.
	Entries []Entry
	// Contracts are the contracts covering the asset, each with its
	// ledger entries and the asset's place among the assets it covers.
	Contracts []CoveringContract
	// DeviceSeats are the PER_DEVICE seats the asset holds or held.
	DeviceSeats []SeatHolding
	// UserSeats are the PER_USER seats of the person the asset is
	// assigned to, shared among that person's assets.
	UserSeats []SharedSeat
}

// CoveringContract is a contract covering an asset: the asset bears share
// Index (0-based, by asset id) of Of equal shares of the contract's charges
// and ledger entries, so the shares of all its assets sum exactly to each
// charge.
type CoveringContract struct {
	Contract Contract
	Entries  []Entry
	Index    int
	Of       int
}

// SharedSeat is a seat of the asset's person: the asset bears share Index
// of Of (the person's assigned assets, by asset id).
type SharedSeat struct {
	Seat  SeatHolding
	Index int
	Of    int
}

// Lines returns the cost lines attributed to the asset within [from, to]:
// its contract shares (charges expanded with Expand, plus the contract's
// own entries, split with ShareLines) and its seat costs (SeatLines; PER_USER
// seats split the same way). Its own entries are returned apart, as TCO
// takes them.
func (a AssetCosts) Lines(from, to time.Time) (contractLines, seatLines []Line) {
	for _, cc := range a.Contracts {
		lines := Expand(cc.Contract, from, to)
		for _, e := range cc.Entries {
			lines = append(lines, e.Line())
		}
		contractLines = append(contractLines, ShareLines(lines, cc.Index, cc.Of)...)
	}
	for _, s := range a.DeviceSeats {
		seatLines = append(seatLines, SeatLines(s, from, to)...)
	}
	for _, s := range a.UserSeats {
		seatLines = append(seatLines, ShareLines(SeatLines(s.Seat, from, to), s.Index, s.Of)...)
	}
	return contractLines, seatLines
}

// TotalCostOfOwnership is the asset's TCO over [from, to] (from nil: all
// time, see TCOStart): per kind and total per currency, or, with currency set,
// converted line by line at each line's own date (TCOIn, rates used
// returned; a missing rate is BAD_USER_INPUT on reportingCurrency).
func (a AssetCosts) TotalCostOfOwnership(from *time.Time, to time.Time, rates Rates, currency *string) (Breakdown, error) {
	start := TCOStart(from, to)
	contractLines, seatLines := a.Lines(start, to)
	if currency != nil {
		return TCOIn(a.Entries, contractLines, seatLines, start, to, rates, *currency)
	}
	return TCO(a.Entries, contractLines, seatLines, start, to), nil
}

// AllTimeYears is how far back "all time" reaches when a TCO is asked
// without from: further than any asset lives, and a bound on how many
// times a recurring charge is expanded (an open-ended monthly charge of a
// contract dated centuries back would otherwise expand without end).
const AllTimeYears = 50

// TCOStart is the first day a TCO counts: from, else AllTimeYears before to.
func TCOStart(from *time.Time, to time.Time) time.Time {
	if from != nil {
		return itam.CalendarDay(*from)
	}
	return itam.CalendarDay(to).AddDate(-AllTimeYears, 0, 0)
}

// ValidateTCOPeriod checks totalCostOfOwnership's arguments: with from,
// to not before it and at most MaxReportDays (charges are expanded over
// the period); without from (all time, see TCOStart) any to is accepted.
func ValidateTCOPeriod(from *time.Time, to time.Time) error {
	if from == nil {
		return nil
	}
	return ValidatePeriod(*from, to, "from", "to")
}
