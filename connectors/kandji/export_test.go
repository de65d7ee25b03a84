package kandji

import "time"

// ParseTime is a test hook for the pure helper.
var ParseTime = parseTime

// Budget exposes the hourly request budget to tests with an injected clock.
type Budget struct{ b *budget }

// NewBudget is newBudget for tests.
func NewBudget(limit int, now func() time.Time) Budget { return Budget{newBudget(limit, now)} }

// Take is budget.take.
func (b Budget) Take() error { return b.b.take() }

// SetLimit is budget.setLimit.
func (b Budget) SetLimit(n int) { b.b.setLimit(n) }
