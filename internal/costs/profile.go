// Package costs holds the money rules of the inventory that need no
// database: depreciation profiles and the schedules they produce, the cost
// ledger's entries, contracts and the dated lines their recurring charges
// expand into, exchange rates and per-currency totals, total cost of
// ownership, and the end-of-life forecast's rules. Storage and GraphQL adapt
// these types; the arithmetic lives here so it is tested once, to the cent,
// against published cases.
package costs

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// Method is how a depreciable amount is spread over a useful life. The names
// are the API's enum values, kept stable for clients.
type Method string

const (
	// StraightLine takes the same amount every month of the life.
	StraightLine Method = "STRAIGHT_LINE"
	// DecliningBalance takes Rate ÷ life-in-years of the book value each
	// year (Rate 1.5 is "150% declining balance").
	DecliningBalance Method = "DECLINING_BALANCE"
	// DoubleDecliningBalance is DecliningBalance with Rate 2.
	DoubleDecliningBalance Method = "DOUBLE_DECLINING_BALANCE"
	// SumOfYearsDigits weights each year by the life remaining at its start.
	SumOfYearsDigits Method = "SUM_OF_YEARS_DIGITS"
)

// Convention says how the schedule is cut into periods.
type Convention string

const (
	// Annual: one period per depreciation year counted from the in-service
	// date, the first year a full one.
	Annual Convention = "ANNUAL"
	// Monthly: one period per calendar month, starting with the month the
	// asset was placed in service (a full month's depreciation for it).
	Monthly Convention = "MONTHLY"
)

// MaxUsefulLifeMonths bounds a life at 50 years: longer is a typo, and a
// monthly schedule stays at most 600 periods.
const MaxUsefulLifeMonths = 600

// Profile is a named depreciation rule that categories, models and assets
// point at. Salvage is either an amount (SalvageValue) or a share of cost
// (SalvagePercent); neither means salvage 0.
type Profile struct {
	ID               uuid.UUID
	Name             string
	Method           Method
	UsefulLifeMonths int
	SalvageValue     *itam.Money
	SalvagePercent   *decimal.Decimal
	// Rate is the declining-balance multiple (1.5 = 150%), only for
	// DecliningBalance; the double method implies 2.
	Rate       *decimal.Decimal
	Convention Convention
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

var hundred = decimal.NewFromInt(100)

// Validate checks a profile as a caller sent it and returns a BAD_USER_INPUT
// *itam.Error naming the first field at fault. It trims Name and
// canonicalizes the salvage currency, so a valid profile is stored as is.
func (p *Profile) Validate() error {
	p.Name = strings.TrimSpace(p.Name)
	if p.Name == "" {
		return itam.Invalid("name", "name is required")
	}
	if len(p.Name) > 200 {
		return itam.Invalid("name", "name is longer than 200 characters")
	}
	switch p.Method {
	case StraightLine, DecliningBalance, DoubleDecliningBalance, SumOfYearsDigits:
	default:
		return itam.Invalid("method", "unknown depreciation method %q", p.Method)
	}
	switch p.Convention {
	case Annual, Monthly:
	default:
		return itam.Invalid("convention", "unknown convention %q", p.Convention)
	}
	if p.UsefulLifeMonths < 1 {
		return itam.Invalid("usefulLifeMonths", "useful life must be at least 1 month")
	}
	if p.UsefulLifeMonths > MaxUsefulLifeMonths {
		return itam.Invalid("usefulLifeMonths", "useful life cannot exceed %d months", MaxUsefulLifeMonths)
	}
	if p.SalvageValue != nil && p.SalvagePercent != nil {
		return itam.Invalid("salvagePercent", "give salvageValue or salvagePercent, not both")
	}
	if p.SalvageValue != nil {
		if err := itam.ValidateMoney(*p.SalvageValue, "salvageValue"); err != nil {
			return err
		}
		code, _ := itam.ParseCurrency(p.SalvageValue.Currency)
		p.SalvageValue.Currency = code
	}
	if p.SalvagePercent != nil {
		// 100% would leave nothing to depreciate: a profile that never moves.
		if p.SalvagePercent.IsNegative() || p.SalvagePercent.GreaterThanOrEqual(hundred) {
			return itam.Invalid("salvagePercent", "salvage percent must be at least 0 and below 100")
		}
	}
	if p.Method == DecliningBalance {
		if p.Rate == nil {
			return itam.Invalid("rate", "rate is required for DECLINING_BALANCE (1.5 for 150%%)")
		}
		if !p.Rate.IsPositive() {
			return itam.Invalid("rate", "rate must be greater than 0")
		}
	} else if p.Rate != nil {
		return itam.Invalid("rate", "rate applies only to DECLINING_BALANCE")
	}
	return nil
}

// rate is the declining-balance multiple the method uses.
func (p *Profile) rate() decimal.Decimal {
	if p.Method == DoubleDecliningBalance {
		return decimal.NewFromInt(2)
	}
	return *p.Rate
}
