package itam

import (
	"encoding/json"
	"maps"
	"time"
)

// EndOfLifeSource says which rule gave an asset's end of life.
type EndOfLifeSource string

const (
	// EndOfLifeExplicit: someone set the date on the asset; it always wins.
	EndOfLifeExplicit EndOfLifeSource = "EXPLICIT"
	// EndOfLifeModelUsefulLife: the purchase date plus the model's useful
	// life, for assets nobody gave a date.
	EndOfLifeModelUsefulLife EndOfLifeSource = "MODEL_USEFUL_LIFE"
)

// AddMonths is the calendar day n months after t with the day of month
// clamped to the target month's length (Jan 31 + 1 month = Feb 28, or 29
// in a leap year), unlike time.AddDate, which turns Feb 31 into March 3:
// an asset bought on Aug 31 with a 6-month life is done in February.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	// Day 1 never overflows; time.Date carries month 13 into next January.
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC)
}

// EndOfLife is an asset's end of life and where it comes from: the date
// set on the asset, else its purchase date plus its model's useful life in
// months (AddMonths), else none (nil, ""). The stored column keeps only
// the explicit date, so a later change of the model's useful life or the
// purchase date moves a derived end of life with it.
func EndOfLife(explicit, purchased *time.Time, usefulLifeMonths *int) (*time.Time, EndOfLifeSource) {
	switch {
	case explicit != nil:
		d := CalendarDay(*explicit)
		return &d, EndOfLifeExplicit
	case purchased != nil && usefulLifeMonths != nil && *usefulLifeMonths > 0:
		d := AddMonths(CalendarDay(*purchased), *usefulLifeMonths)
		return &d, EndOfLifeModelUsefulLife
	}
	return nil, ""
}

// MergeCustomFields applies a customFieldsPatch to an asset's current
// custom fields and returns the result, leaving both unchanged: each key
// of patch is set to its value, a key whose value is nil (JSON null) is
// removed, keys the patch does not name stay. The result is checked
// against the category like any customFields (ValidateCustomFields).
func MergeCustomFields(current, patch map[string]any) map[string]any {
	out := make(map[string]any, len(current)+len(patch))
	maps.Copy(out, current)
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		out[k] = v
	}
	return out
}

// customFieldChanges is the history diff of custom fields, one entry per
// key whose value changed ("customFields.<key>", null for a key added or
// removed), so an edit of one field does not copy the whole object into
// history twice.
func customFieldChanges(before, after map[string]any, out map[string]map[string]json.RawMessage) {
	keys := map[string]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	for k := range keys {
		bj, aj := []byte("null"), []byte("null")
		if v, ok := before[k]; ok {
			bj, _ = json.Marshal(v)
		}
		if v, ok := after[k]; ok {
			aj, _ = json.Marshal(v)
		}
		if string(aj) != string(bj) {
			out["customFields."+k] = map[string]json.RawMessage{"from": bj, "to": aj}
		}
	}
}
