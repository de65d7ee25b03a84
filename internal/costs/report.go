package costs

import (
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// GroupBy is a dimension cost reports group by. Asset dimensions use the
// asset a cost is booked against (a contract's costs are shared among the
// assets it covers); SUPPLIER is the cost's own supplier.
type GroupBy string

const (
	GroupModel    GroupBy = "MODEL"
	GroupCategory GroupBy = "CATEGORY"
	GroupTeam     GroupBy = "TEAM"
	GroupLocation GroupBy = "LOCATION"
	GroupOwner    GroupBy = "OWNER"
	GroupSupplier GroupBy = "SUPPLIER"
)

// Valid reports whether g is a known dimension.
func (g GroupBy) Valid() bool {
	switch g {
	case GroupModel, GroupCategory, GroupTeam, GroupLocation, GroupOwner, GroupSupplier:
		return true
	}
	return false
}

// MaxGroupBy bounds a report's dimensions: each multiplies its groups.
const MaxGroupBy = 3

// MaxReportDays bounds a report's period at ten years (plus leap days):
// contract charges are expanded for the whole period on every read.
const MaxReportDays = 3660

// ValidateGroupBy refuses unknown, repeated or too many dimensions
// (BAD_USER_INPUT on groupBy).
func ValidateGroupBy(gs []GroupBy) error {
	if len(gs) > MaxGroupBy {
		return itam.Invalid("groupBy", "group by at most %d dimensions", MaxGroupBy)
	}
	seen := map[GroupBy]bool{}
	for _, g := range gs {
		if !g.Valid() {
			return itam.Invalid("groupBy", "unknown dimension %q", g)
		}
		if seen[g] {
			return itam.Invalid("groupBy", "%s is given twice", g)
		}
		seen[g] = true
	}
	return nil
}

// ValidatePeriod checks a report's [from, to]: both calendar days, to not
// before from, at most MaxReportDays long. fromField and toField name the
// arguments at fault.
func ValidatePeriod(from, to time.Time, fromField, toField string) error {
	from, to = itam.CalendarDay(from), itam.CalendarDay(to)
	if to.Before(from) {
		return itam.Invalid(toField, "the period ends before it starts")
	}
	if to.Sub(from) > MaxReportDays*24*time.Hour {
		return itam.Invalid(toField, "a period is at most %d days", MaxReportDays)
	}
	return nil
}
