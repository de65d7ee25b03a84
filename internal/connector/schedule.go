package connector

import (
	"time"

	"github.com/robfig/cron/v3"

	"github.com/itam-dev/itam/internal/itam"
)

// Schedule is when a connector syncs by itself: every IntervalMinutes, or
// on a cron expression (five fields, UTC, or a descriptor such as @hourly).
// Neither means manual syncs only.
type Schedule struct {
	IntervalMinutes *int
	Cron            *string
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate checks a schedule and returns its interval and cron expression
// (at most one is set; neither means manual). A nil schedule is manual.
func (in *Schedule) Validate() (*time.Duration, *string, error) {
	if in == nil {
		return nil, nil, nil
	}
	expr := itam.Trimmed(in.Cron)
	if in.IntervalMinutes != nil && expr != nil {
		return nil, nil, itam.Invalid("schedule", "give intervalMinutes or cron, not both")
	}
	if in.IntervalMinutes != nil {
		m := *in.IntervalMinutes
		if m < 1 || m > maxScheduleMinutes {
			return nil, nil, itam.Invalid("schedule.intervalMinutes", "intervalMinutes must be between 1 and %d", maxScheduleMinutes)
		}
		d := time.Duration(m) * time.Minute
		return &d, nil, nil
	}
	if expr != nil {
		if _, err := cronParser.Parse(*expr); err != nil {
			return nil, nil, itam.Invalid("schedule.cron", "invalid cron expression: %v", err)
		}
		return nil, expr, nil
	}
	return nil, nil, nil
}

// NextSyncAt is when a schedule next fires after after: after+interval, or
// the cron expression's next time (UTC). Neither is nil (manual only).
func NextSyncAt(interval *time.Duration, cronExpr *string, after time.Time) (*time.Time, error) {
	switch {
	case interval != nil:
		t := after.Add(*interval).UTC()
		return &t, nil
	case cronExpr != nil:
		sched, err := cronParser.Parse(*cronExpr)
		if err != nil {
			return nil, err
		}
		t := sched.Next(after.UTC())
		if t.IsZero() {
			return nil, nil
		}
		return &t, nil
	}
	return nil, nil
}

// IntervalMinutes is a schedule interval in whole minutes, as stored.
func IntervalMinutes(d *time.Duration) *int {
	if d == nil {
		return nil
	}
	m := int(*d / time.Minute)
	return &m
}

func sameSchedule(a, b *itam.Connector) bool {
	ai, bi := IntervalMinutes(a.ScheduleInterval), IntervalMinutes(b.ScheduleInterval)
	return ((ai == nil) == (bi == nil) && (ai == nil || *ai == *bi)) && sameText(a.ScheduleCron, b.ScheduleCron)
}

func sameText(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
