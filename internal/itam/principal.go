package itam

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
)

// Role is what a caller may do inside their organization.
type Role string

const (
	// RoleAdmin may do everything, including organization settings.
	RoleAdmin Role = "ADMIN"
	// RoleManager is IT staff: reads and writes inventory.
	RoleManager Role = "MANAGER"
	// RoleAuditor reads everything, costs included, and writes nothing.
	RoleAuditor Role = "AUDITOR"
	// RoleEmployee reads only their own person record and the assets assigned
	// to them, without costs.
	RoleEmployee Role = "EMPLOYEE"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleManager, RoleAuditor, RoleEmployee}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleManager, RoleAuditor, RoleEmployee:
		return true
	}
	return false
}

// Principal is the authenticated caller. OrgID scopes every query through
// row-level security; Subject is the token's sub, an email for people.
type Principal struct {
	Subject string
	OrgID   uuid.UUID
	Role    Role
	// Actor overrides how history records the caller (e.g. "connector:jamf");
	// empty means the Subject acting as a user.
	ActorKind ActorKind
}

// CanWriteInventory reports whether the caller may change inventory records.
func (p Principal) CanWriteInventory() bool { return p.Role == RoleAdmin || p.Role == RoleManager }

// CanReadAll reports whether the caller sees every record of the organization.
func (p Principal) CanReadAll() bool { return p.Role != RoleEmployee }

// CanReadCosts reports whether the caller may see purchase prices and orders.
func (p Principal) CanReadCosts() bool { return p.Role != RoleEmployee }

// ReadsAsPerson reports whether the caller reads through their person
// record (the one whose email is their Subject). Such a caller may read
// only while that person is not offboarded: leaving the organization ends
// an EMPLOYEE's access even while their identity provider still issues
// tokens. Without a person record they simply read nothing of anyone's.
func (p Principal) ReadsAsPerson() bool { return p.Role == RoleEmployee }

// ErrPersonOffboarded refuses every read of a caller who reads as a person
// once that person is offboarded. It is one value so that code which turns
// FORBIDDEN into "not visible" (node(id:)) can still tell it apart.
var ErrPersonOffboarded = &Error{Code: CodeForbidden, Message: "your person record is offboarded: access has ended"}

// CanReadConnectorDetails reports whether the caller may see connectors'
// configuration (name, endpoints, options): ADMIN only. Others who read
// sync runs see them without those details (see SyncRun.Message).
func (p Principal) CanReadConnectorDetails() bool { return p.Role == RoleAdmin }

// ParseOrgClaim says whether a token's org claim names an organization by
// id: only the canonical 36-character UUID form does (any case). uuid.Parse
// also accepts 32 bare hex digits, braces and urn: prefixes, any of which
// could be a legitimate slug, so those stay slugs.
func ParseOrgClaim(claim string) (uuid.UUID, bool) {
	if len(claim) != 36 {
		return uuid.Nil, false
	}
	id, err := uuid.Parse(claim)
	return id, err == nil
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller in ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// RequirePrincipal returns the caller or an UNAUTHENTICATED error, so every
// store method fails closed when called without one.
func RequirePrincipal(ctx context.Context) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok || p.OrgID == uuid.Nil || !p.Role.Valid() {
		return Principal{}, Unauthenticated("authentication required")
	}
	return p, nil
}

// RequireWrite returns the caller when they may change inventory, else FORBIDDEN.
func RequireWrite(ctx context.Context) (Principal, error) {
	p, err := RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanWriteInventory() {
		return p, Forbidden("role %s cannot change inventory", p.Role)
	}
	return p, nil
}

// RequireAdmin returns the caller when they are an ADMIN, else FORBIDDEN.
func RequireAdmin(ctx context.Context) (Principal, error) {
	p, err := RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if p.Role != RoleAdmin {
		return p, Forbidden("only ADMIN may do this")
	}
	return p, nil
}

// RequireReadAll returns the caller when they may read every record, else FORBIDDEN.
func RequireReadAll(ctx context.Context) (Principal, error) {
	p, err := RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadAll() {
		return p, Forbidden("role %s cannot list these records", p.Role)
	}
	return p, nil
}

// costFields are the asset fields, by API name, that only a caller who
// may see costs reads: on the asset and in its history alike.
var costFields = map[string]bool{"purchasePrice": true, "orderNumber": true, "invoiceNumber": true,
	"depreciationProfileId": true, "inServiceDate": true}

// supplierFields are the asset fields naming a supplier, which only a
// caller who reads every record may read (suppliers are not an EMPLOYEE's).
var supplierFields = map[string]bool{"supplierId": true}

// personFields are the asset fields naming a person. A caller who reads
// only their own person record sees their own id there and no one else's.
var personFields = map[string]bool{"assignedPersonId": true, "ownerPersonId": true}

// RedactedValue stands in a history change for a value the caller may not
// read, where leaving the change out would hide what they may read (an
// asset handed from someone else to them). It is the JSON string
// "[redacted]", never a valid id.
const RedactedValue = `"[redacted]"`

// VisibleChanges returns the changes of a history entry the caller may
// read, so an asset's history does not reveal what its fields hide. self
// is the caller's own person id (nil when they have no person record); it
// matters only to a caller who does not read every record.
//
// Callers who read every record (ADMIN, MANAGER, AUDITOR) get every change
// as recorded, except costs for those who may not see them (none today).
// An EMPLOYEE gets:
//   - no change of a cost field (purchasePrice, orderNumber, invoiceNumber)
//     nor of supplierId: these fields are hidden on the asset, so the
//     whole change is left out;
//   - changes of assignedPersonId and ownerPersonId with each side shown
//     when it is null or their own person id, else RedactedValue;
//   - every other change as recorded (ids of models, locations and teams,
//     which they may read).
func (p Principal) VisibleChanges(changes []FieldChange, self *uuid.UUID) []FieldChange {
	if p.CanReadCosts() && p.CanReadAll() {
		return changes
	}
	out := changes[:0:0]
	for _, c := range changes {
		switch {
		case costFields[c.Field] && !p.CanReadCosts(), supplierFields[c.Field] && !p.CanReadAll():
			continue
		case personFields[c.Field] && !p.CanReadAll():
			from, to := ownPersonOnly(c.From, self), ownPersonOnly(c.To, self)
			// A hidden person's recorded name goes with their id.
			if string(from) != string(c.From) {
				c.FromRefLabel = nil
			}
			if string(to) != string(c.To) {
				c.ToRefLabel = nil
			}
			c.From, c.To = from, to
		}
		out = append(out, c)
	}
	return out
}

// ownPersonOnly keeps a recorded person id that is null or self, and
// replaces any other value with RedactedValue.
func ownPersonOnly(v json.RawMessage, self *uuid.UUID) json.RawMessage {
	if len(v) == 0 || string(v) == "null" {
		return v
	}
	var id uuid.UUID
	if self != nil && json.Unmarshal(v, &id) == nil && id == *self {
		return v
	}
	return json.RawMessage(RedactedValue)
}

// RequireCosts returns the caller when they may see purchase prices, order
// and invoice numbers and cost aggregates, else FORBIDDEN.
func RequireCosts(ctx context.Context) (Principal, error) {
	p, err := RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadCosts() {
		return p, Forbidden("role %s cannot see costs", p.Role)
	}
	return p, nil
}
