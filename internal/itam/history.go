package itam

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// ActorKind says who made a change: a person through the API, a connector
// sync, a bulk import, or the system itself.
type ActorKind string

const (
	ActorUser      ActorKind = "USER"
	ActorConnector ActorKind = "CONNECTOR"
	ActorImport    ActorKind = "IMPORT"
	ActorSystem    ActorKind = "SYSTEM"
)

// HistoryAction is the kind of change a history entry records.
type HistoryAction string

const (
	HistoryCreate     HistoryAction = "CREATE"
	HistoryUpdate     HistoryAction = "UPDATE"
	HistoryAssign     HistoryAction = "ASSIGN"
	HistoryUnassign   HistoryAction = "UNASSIGN"
	HistoryTransition HistoryAction = "TRANSITION"
	HistoryDispose    HistoryAction = "DISPOSE"
	HistoryDelete     HistoryAction = "DELETE"
	// HistoryCheckin is checkinAsset: back to stock with the condition it
	// came back in.
	HistoryCheckin HistoryAction = "CHECKIN"
	// HistoryAccept is the assignee confirming receipt
	// (acceptAssetAssignment); the asset itself does not change.
	HistoryAccept HistoryAction = "ACCEPT"
)

// HistoryEntry is one append-only record of a change to an asset.
type HistoryEntry struct {
	ID         int64
	AssetID    uuid.UUID
	Action     HistoryAction
	ActorKind  ActorKind
	Actor      string
	Source     string
	Changes    []FieldChange
	FromStatus *AssetStatus
	ToStatus   *AssetStatus
	At         time.Time
}

// FieldChange is one field's value before and after a change, as JSON values
// so that any field type can be recorded and compared.
type FieldChange struct {
	Field string
	From  json.RawMessage
	To    json.RawMessage
	// FromRefLabel and ToRefLabel label what a reference's sides point at
	// (see RefTypes): as the referent is now, else as it was when the
	// change was written; nil for other fields and hidden values.
	FromRefLabel, ToRefLabel *string
}

// DiffSnapshots is the field-level diff history entries store: each field
// whose JSON differs between before and after, as {"from", "to"}. A nil
// snapshot means the entity did not exist: a creation or a deletion records
// only the fields that were set (not null, empty, "" or false).
func DiffSnapshots(before, after map[string]any) map[string]map[string]json.RawMessage {
	out := map[string]map[string]json.RawMessage{}
	keys := after
	if keys == nil {
		keys = before
	}
	for k := range keys {
		bj, aj := []byte("null"), []byte("null")
		if before != nil {
			bj, _ = json.Marshal(before[k])
		}
		if after != nil {
			aj, _ = json.Marshal(after[k])
		}
		if string(aj) == string(bj) {
			continue
		}
		if (before == nil && unsetJSON(aj)) || (after == nil && unsetJSON(bj)) {
			continue
		}
		out[k] = map[string]json.RawMessage{"from": bj, "to": aj}
	}
	return out
}

func unsetJSON(j []byte) bool {
	switch string(j) {
	case "null", "[]", `""`, "false":
		return true
	}
	return false
}
