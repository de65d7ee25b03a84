package software

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// HistoryEntity is the kind of catalog entry a history entry belongs to
// (its GraphQL type name).
type HistoryEntity string

const (
	HistoryPublisher HistoryEntity = "SoftwarePublisher"
	HistoryProduct   HistoryEntity = "SoftwareProduct"
	HistoryRule      HistoryEntity = "SoftwareTitleRule"
)

// HistoryAction is the kind of change a software history entry records.
type HistoryAction string

const (
	HistoryCreate HistoryAction = "CREATE"
	HistoryUpdate HistoryAction = "UPDATE"
	HistoryDelete HistoryAction = "DELETE"
	// HistoryMove is a title rule moved to another position; the rules it
	// shifted by one get no entry of their own.
	HistoryMove HistoryAction = "MOVE"
)

// HistoryEntry is one append-only record of a change to a publisher, a
// product or a title rule.
type HistoryEntry struct {
	ID         int64
	EntityType HistoryEntity
	EntityID   uuid.UUID
	Action     HistoryAction
	ActorKind  itam.ActorKind
	Actor      string
	Changes    []itam.FieldChange
	At         time.Time
}

// Changes is a history entry's field changes as stored: field → {"from", "to"}.
type Changes = map[string]map[string]json.RawMessage

// RequireCatalogHistoryRead allows reading the history of publishers and
// products to the roles that read every record (ADMIN, MANAGER, AUDITOR):
// it names who changed what, which an EMPLOYEE does not read anywhere.
func RequireCatalogHistoryRead(ctx context.Context) (itam.Principal, error) {
	return itam.RequireReadAll(ctx)
}

// RequireRuleHistoryRead allows reading a title rule's history to whoever
// reads the rules (RequireRuleRead).
func RequireRuleHistoryRead(ctx context.Context) (itam.Principal, error) {
	return RequireRuleRead(ctx)
}

// publisherFields, productFields and ruleFields are what history records
// of each entry, by GraphQL field name. Versions and timestamps are the
// entry's own bookkeeping and not recorded.
func publisherFields(x *Publisher) map[string]any {
	return map[string]any{"name": x.Name, "website": x.Website}
}

func productFields(x *Product) map[string]any {
	editions := x.Editions
	if editions == nil {
		editions = []string{}
	}
	return map[string]any{"publisherId": x.PublisherID, "name": x.Name, "editions": editions, "notes": x.Notes}
}

func ruleFields(x *Rule) map[string]any {
	return map[string]any{"position": x.Position, "kind": x.Kind, "pattern": x.Pattern, "productId": x.ProductID,
		"edition": x.Edition, "versionPattern": x.VersionPattern}
}

// PublisherDiff lists the fields that differ between before and after
// (before nil: a creation; after nil: a deletion).
func PublisherDiff(before, after *Publisher) Changes {
	return itam.DiffSnapshots(fieldsOf(before, publisherFields), fieldsOf(after, publisherFields))
}

// ProductDiff is PublisherDiff for products.
func ProductDiff(before, after *Product) Changes {
	return itam.DiffSnapshots(fieldsOf(before, productFields), fieldsOf(after, productFields))
}

// RuleDiff is PublisherDiff for title rules.
func RuleDiff(before, after *Rule) Changes {
	return itam.DiffSnapshots(fieldsOf(before, ruleFields), fieldsOf(after, ruleFields))
}

// MoveChanges is what moving a rule records: its position, from → to.
func MoveChanges(from, to int) Changes {
	return itam.DiffSnapshots(map[string]any{"position": from}, map[string]any{"position": to})
}

func fieldsOf[T any](x *T, fields func(*T) map[string]any) map[string]any {
	if x == nil {
		return nil
	}
	return fields(x)
}
