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
}
