package offboarding

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// HistoryAction is what an offboarding history entry records.
type HistoryAction string

const (
	// HistoryOpen: the person was marked OFFBOARDED and the checklist opened.
	HistoryOpen HistoryAction = "OPEN"
	// HistoryCloseItem: an item closed (returned, reclaimed, written off).
	HistoryCloseItem HistoryAction = "CLOSE_ITEM"
	// HistoryComplete: the last item closed, or there was none.
	HistoryComplete HistoryAction = "COMPLETE"
)

// Changes is a history entry's field changes as stored: field → {"from", "to"}.
type Changes = map[string]map[string]json.RawMessage

func change(from, to any) map[string]json.RawMessage {
	f, _ := json.Marshal(from)
	t, _ := json.Marshal(to)
	return map[string]json.RawMessage{"from": f, "to": t}
}

// OpenChanges records what offboarding changed on the person (people have
// no history of their own, so the checklist's carries it) and what the
// checklist lists.
func OpenChanges(before itam.PersonStatus, endBefore *time.Time, c Checklist) Changes {
	return Changes{
		"personStatus":  change(before, itam.PersonOffboarded),
		"personEndDate": change(itam.DateJSON(endBefore), c.EffectiveDate.Format(time.DateOnly)),
		"items":         change(nil, len(c.Items)),
	}
}

// ItemChanges records an item closing.
func ItemChanges(before ItemState, it *Item) Changes {
	out := Changes{"state": change(before, it.State)}
	if it.Reason != nil {
		out["reason"] = change(nil, *it.Reason)
	}
	return out
}

// CompleteChanges records a checklist completing.
func CompleteChanges() Changes { return Changes{"status": change(Open, Completed)} }

// HistoryEntry is one append-only record of a checklist's story.
type HistoryEntry struct {
	ID          int64
	ChecklistID uuid.UUID
	// ItemID is the item that closed (CLOSE_ITEM).
	ItemID    *uuid.UUID
	Action    HistoryAction
	ActorKind itam.ActorKind
	Actor     string
	Changes   []itam.FieldChange
	At        time.Time
}
