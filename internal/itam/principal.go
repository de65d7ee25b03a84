package itam

import (
	"context"

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
var costFields = map[string]bool{"purchasePrice": true, "orderNumber": true, "invoiceNumber": true}

// VisibleChanges returns the changes of a history entry the caller may
// read: without cost visibility, changes to cost fields are left out, so
// an asset's history does not reveal what its fields hide.
func (p Principal) VisibleChanges(changes []FieldChange) []FieldChange {
	if p.CanReadCosts() {
		return changes
	}
	out := changes[:0:0]
	for _, c := range changes {
		if !costFields[c.Field] {
			out = append(out, c)
		}
	}
	return out
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
