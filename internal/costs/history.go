package costs

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// HistoryEntity is the kind of record a cost history entry belongs to (its
// GraphQL type name).
type HistoryEntity string

const (
	HistoryCostEntry           HistoryEntity = "CostEntry"
	HistoryContract            HistoryEntity = "Contract"
	HistoryDepreciationProfile HistoryEntity = "DepreciationProfile"
	HistoryExchangeRate        HistoryEntity = "ExchangeRate"
)

// HistoryAction is the kind of change a cost history entry records.
type HistoryAction string

const (
	HistoryCreate HistoryAction = "CREATE"
	HistoryUpdate HistoryAction = "UPDATE"
	HistoryDelete HistoryAction = "DELETE"
)

// HistoryEntry is one append-only record of a change to a cost entry, a
// contract, a depreciation profile or an exchange rate.
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

// Diff lists the fields of snapshot that differ between before and after
// (before nil: a creation; after nil: a deletion). fields gives a record's
// recorded fields by GraphQL name.
func Diff[T any](before, after *T, fields func(*T) map[string]any) Changes {
	return itam.DiffSnapshots(fieldsOf(before, fields), fieldsOf(after, fields))
}

func fieldsOf[T any](x *T, fields func(*T) map[string]any) map[string]any {
	if x == nil {
		return nil
	}
	return fields(x)
}

// RequireRead allows reading money (ledger, contracts, profiles, rates,
// schedules, reports and their history) to ADMIN, MANAGER and AUDITOR: an
// EMPLOYEE never sees any.
func RequireRead(ctx context.Context) (itam.Principal, error) { return itam.RequireCosts(ctx) }

// RequireWrite allows booking costs and editing contracts to ADMIN and
// MANAGER, who keep the inventory.
func RequireWrite(ctx context.Context) (itam.Principal, error) { return itam.RequireWrite(ctx) }

// RequireAdmin guards what sets policy for the whole organization:
// depreciation profiles (and the default) and exchange rates.
func RequireAdmin(ctx context.Context) (itam.Principal, error) { return itam.RequireAdmin(ctx) }
