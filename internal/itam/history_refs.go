package itam

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// History rows store references as the raw UUIDs of what they point at
// (assignedPersonId: "4b4c…"). RefTypes says what type each such field
// points at, so the API can give the global id, a display label and the
// node. The names match the GraphQL (and relay) type names. Migration
// 00025's itam.history_ref_label knows the same fields.
var RefTypes = map[string]string{
	"assignedPersonId": "Person", "ownerPersonId": "Person", "personId": "Person", "managerId": "Person",
	"assignedLocationId": "Location", "locationId": "Location", "parentId": "Location",
	"ownerTeamId": "Team", "teamId": "Team",
	"modelId": "Model", "manufacturerId": "Manufacturer", "categoryId": "Category", "supplierId": "Supplier",
	"depreciationProfileId": "DepreciationProfile", "assetId": "Asset", "licenseId": "License",
	"contractId": "Contract", "productId": "SoftwareProduct", "publisherId": "SoftwarePublisher",
}

// Ref is one referenced record: its type (as in RefTypes) and id.
type Ref struct {
	Type string
	ID   uuid.UUID
}

// RefOf returns what a recorded value of field points at: false when the
// field is not a reference or the value is not an id (null, or redacted).
func RefOf(field string, v json.RawMessage) (Ref, bool) {
	typ, ok := RefTypes[field]
	if !ok || len(v) == 0 {
		return Ref{}, false
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return Ref{}, false
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return Ref{}, false
	}
	return Ref{Type: typ, ID: id}, true
}

// AuditEntityType is the kind of record an audit event is about.
type AuditEntityType string

// auditNodeTypes maps each kind the organization-wide feed covers to the
// GraphQL type name its history tables record.
var auditNodeTypes = map[AuditEntityType]string{"ASSET": "Asset", "LICENSE": "License",
	"SOFTWARE_PUBLISHER": "SoftwarePublisher", "SOFTWARE_PRODUCT": "SoftwareProduct", "SOFTWARE_TITLE_RULE": "SoftwareTitleRule",
	"COST_ENTRY": "CostEntry", "CONTRACT": "Contract", "DEPRECIATION_PROFILE": "DepreciationProfile", "EXCHANGE_RATE": "ExchangeRate",
	"PURCHASE_ORDER": "PurchaseOrder", "OFFBOARDING_CHECKLIST": "OffboardingChecklist"}

// NodeType is the type name history tables record for t ("" if unknown).
func (t AuditEntityType) NodeType() string { return auditNodeTypes[t] }

// AuditEntityTypeOf is the kind whose NodeType is typ ("" if none).
func AuditEntityTypeOf(typ string) AuditEntityType {
	for k, v := range auditNodeTypes {
		if v == typ {
			return k
		}
	}
	return ""
}

// AuditEvent is one entry of any history table, as the organization-wide
// audit feed shows it.
type AuditEvent struct {
	// Rank orders events of the same instant across tables (the feed's
	// keyset is (At, Rank, ID)); ID is the entry's id in its table.
	Rank       int
	ID         int64
	At         time.Time
	ActorKind  ActorKind
	Actor      string
	Action     string
	EntityType AuditEntityType
	EntityID   uuid.UUID
	Changes    []FieldChange
	// Label is the record's display label as it is now; nil when it has
	// been deleted (see FallbackLabel).
	Label *string
}

// FallbackLabel is a label for an event's record read from its own
// changes (its tag, name or number as recorded), for records deleted since.
func (e AuditEvent) FallbackLabel() *string {
	for _, f := range []string{"assetTag", "name", "number", "pattern"} {
		for _, c := range e.Changes {
			if c.Field != f {
				continue
			}
			for _, v := range []json.RawMessage{c.To, c.From} {
				var s string
				if json.Unmarshal(v, &s) == nil && s != "" {
					return &s
				}
			}
		}
	}
	return nil
}

// AuditFilter selects audit events: by the actor's subject (exact, as
// recorded), by entity type, and within [From, To).
type AuditFilter struct {
	ActorSubject *string
	EntityType   *AuditEntityType
	From, To     *time.Time
}

// Audit feed periods: without from, the feed starts DefaultAuditDays
// before to; a period is at most MaxAuditDays long, so no page scans
// years of every history table.
const (
	DefaultAuditDays = 30
	MaxAuditDays     = 366
)

// Window checks the filter and returns the period it covers, defaulting
// To to now and From to DefaultAuditDays before To.
func (f AuditFilter) Window(now time.Time) (time.Time, time.Time, error) {
	to := now
	if f.To != nil {
		to = *f.To
	}
	from := to.AddDate(0, 0, -DefaultAuditDays)
	if f.From != nil {
		from = *f.From
	}
	if to.Before(from) {
		return from, to, Invalid("filter.to", "to is before from")
	}
	if to.Sub(from) > MaxAuditDays*24*time.Hour {
		return from, to, Invalid("filter.from", "the period is longer than %d days; narrow from/to", MaxAuditDays)
	}
	if f.ActorSubject != nil {
		if err := CheckText("filter.actorSubject", *f.ActorSubject, 320); err != nil {
			return from, to, err
		}
	}
	if f.EntityType != nil {
		if f.EntityType.NodeType() == "" {
			return from, to, Invalid("filter.entityType", "unknown entity type %q", *f.EntityType)
		}
	}
	return from, to, nil
}

// RequireAuditRead returns the caller when they may read the
// organization-wide audit feed (ADMIN and AUDITOR), else FORBIDDEN.
func RequireAuditRead(p Principal) error {
	if p.Role != RoleAdmin && p.Role != RoleAuditor {
		return Forbidden("role %s cannot read the audit feed (ADMIN and AUDITOR only)", p.Role)
	}
	return nil
}
