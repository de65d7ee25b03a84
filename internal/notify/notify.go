// Package notify holds the rules of notifications and outgoing webhooks:
// the event kinds, the organization's scan windows, what a notification
// says, the payloads each webhook format receives, how deliveries are
// signed (Sign, and Verify, which is the documented recipe a receiver
// follows), when a failed delivery is retried, and who may do what. It
// imports no database: internal/postgres stores what these rules decide
// and internal/syncjob runs the scan and the deliveries on River.
package notify

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Kind is what a notification is about.
type Kind string

// The kinds of notification. AUDIT_DUE and OFFBOARDING_OVERDUE are raised
// by scanners their own features register (see postgres' scanner registry).
const (
	WarrantyEnding     Kind = "WARRANTY_ENDING"
	ContractEnding     Kind = "CONTRACT_ENDING"
	LicenseTermEnding  Kind = "LICENSE_TERM_ENDING"
	CheckoutOverdue    Kind = "CHECKOUT_OVERDUE"
	AuditDue           Kind = "AUDIT_DUE"
	OffboardingOverdue Kind = "OFFBOARDING_OVERDUE"
	SyncFailing        Kind = "SYNC_FAILING"
	DeviceStale        Kind = "DEVICE_STALE"
)

// Kinds lists every kind, in the schema's order.
var Kinds = []Kind{WarrantyEnding, ContractEnding, LicenseTermEnding, CheckoutOverdue, AuditDue, OffboardingOverdue, SyncFailing, DeviceStale}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// PingEvent is the event name of testWebhookSubscription's delivery: it is
// no notification kind, so no subscription can ask for it.
const PingEvent = "PING"

// Settings are an organization's scan windows, in days before the due date
// (or, for stale devices, days without a report).
type Settings struct {
	WarrantyDays    int
	ContractDays    int
	LicenseDays     int
	StaleDeviceDays int
}

// DefaultSettings apply until an ADMIN changes them: a month's notice for
// warranties and stale devices, two for contracts and licenses, which take
// longer to renegotiate.
var DefaultSettings = Settings{WarrantyDays: 30, ContractDays: 60, LicenseDays: 60, StaleDeviceDays: 30}

// MaxWindowDays bounds every window: a year ahead is as far as anyone plans.
const MaxWindowDays = 365

// SettingsPatch changes some windows; nil keeps the stored value.
type SettingsPatch struct {
	WarrantyDays, ContractDays, LicenseDays, StaleDeviceDays *int
}

// Apply returns s with p applied, or BAD_USER_INPUT naming the first window
// outside 1..MaxWindowDays.
func (p SettingsPatch) Apply(s Settings) (Settings, error) {
	for _, f := range []struct {
		name string
		in   *int
		out  *int
	}{
		{"warrantyDays", p.WarrantyDays, &s.WarrantyDays}, {"contractDays", p.ContractDays, &s.ContractDays},
		{"licenseDays", p.LicenseDays, &s.LicenseDays}, {"staleDeviceDays", p.StaleDeviceDays, &s.StaleDeviceDays},
	} {
		if f.in == nil {
			continue
		}
		if *f.in < 1 || *f.in > MaxWindowDays {
			return s, itam.Invalid(f.name, "%s must be between 1 and %d, got %d", f.name, MaxWindowDays, *f.in)
		}
		*f.out = *f.in
	}
	return s, nil
}

// Notification is one thing the organization should act on.
type Notification struct {
	ID          uuid.UUID
	Kind        Kind
	SubjectType string // a relay type name: Asset, Contract, License, Connector, AssetCheckout, …
	SubjectID   uuid.UUID
	Title       string
	Message     string
	DueDate     *time.Time
	CreatedAt   time.Time
	ReadAt      *time.Time
}

// Due is what a scanner found: one subject, due on a day.
type Due struct {
	Kind        Kind
	SubjectType string
	SubjectID   uuid.UUID
	// Label names the subject for people (an asset tag, a contract number).
	Label string
	// DueDate is the day it ends or ended (for a stale device, the day it
	// was last seen); nil for conditions without one (a failing sync).
	DueDate *time.Time
	// Occurrence tells one occurrence of the subject's event from another:
	// the due date, or for a failing sync the day of its latest failed
	// run. The same subject with another occurrence (a renewed warranty, a
	// new expected return, a sync that failed again after recovering) is
	// notified again; the same occurrence found again is not.
	Occurrence time.Time
}

// DedupKey identifies one occurrence of a subject's event (see Occurrence).
func (d Due) DedupKey() string {
	return fmt.Sprintf("%s:%s:%s", d.Kind, d.SubjectID, d.Occurrence.Format(time.DateOnly))
}

// Describe writes a notification's title and message, in plain words.
func (d Due) Describe(today time.Time) (title, message string) {
	label := strings.TrimSpace(d.Label)
	if label == "" {
		label = d.SubjectID.String()
	}
	when := ""
	if d.DueDate != nil {
		days := int(d.DueDate.Sub(itam.CalendarDay(today)).Hours() / 24)
		switch {
		case days > 1:
			when = fmt.Sprintf(" on %s (in %d days)", d.DueDate.Format(time.DateOnly), days)
		case days == 1:
			when = fmt.Sprintf(" on %s (tomorrow)", d.DueDate.Format(time.DateOnly))
		case days == 0:
			when = fmt.Sprintf(" on %s (today)", d.DueDate.Format(time.DateOnly))
		default:
			when = fmt.Sprintf(" on %s (%d days ago)", d.DueDate.Format(time.DateOnly), -days)
		}
	}
	switch d.Kind {
	case WarrantyEnding:
		return "Warranty ending: " + label, "The warranty of asset " + label + " ends" + when + "."
	case ContractEnding:
		return "Contract ending: " + label, "Contract " + label + " ends or must be given notice" + when + "."
	case LicenseTermEnding:
		return "License term ending: " + label, "The term of license " + label + " ends" + when + "."
	case CheckoutOverdue:
		return "Checkout overdue: " + label, "Asset " + label + " was expected back" + when + " and has not been returned."
	case AuditDue:
		return "Audit due: " + label, "Audit " + label + " is due" + when + "."
	case OffboardingOverdue:
		return "Offboarding overdue: " + label, "The offboarding checklist of " + label + " is still open past its date" + when + "."
	case SyncFailing:
		return "Sync failing: " + label, "The last two syncs of connector " + label + " failed."
	case DeviceStale:
		return "Device stale: " + label, "Asset " + label + " has not been reported by its connector since" + strings.TrimPrefix(when, " on") + "."
	}
	return string(d.Kind) + ": " + label, string(d.Kind) + " for " + label + when + "."
}

// RequireRead returns the caller when they may read the notification feed:
// ADMIN, MANAGER and AUDITOR see the organization's notifications; an
// EMPLOYEE gets FORBIDDEN (notifications name assets and people they may
// not see).
func RequireRead(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadAll() {
		return p, itam.Forbidden("role %s cannot read notifications", p.Role)
	}
	return p, nil
}

// RequireMarkRead returns the caller when they may mark notifications read.
// Read state is organization-wide (one readAt for everyone), so it is a
// change every reader but the AUDITOR, who changes nothing, may make.
func RequireMarkRead(ctx context.Context) (itam.Principal, error) {
	return itam.RequireWrite(ctx)
}

// RequireAdmin returns the caller when they may manage webhooks, see their
// deliveries and change notification settings: ADMIN only, as webhooks
// send the organization's data to a URL of the caller's choosing.
func RequireAdmin(ctx context.Context) (itam.Principal, error) {
	return itam.RequireAdmin(ctx)
}

// Filter selects notifications: any of Kinds (empty: all), and read or
// unread when Unread is set.
type Filter struct {
	Kinds  []Kind
	Unread *bool
}

// Validate refuses unknown kinds and more than there are.
func (f Filter) Validate() error {
	if len(f.Kinds) > len(Kinds) {
		return itam.Invalid("filter.kinds", "at most %d kinds", len(Kinds))
	}
	for i, k := range f.Kinds {
		if !k.Valid() {
			return itam.Invalid("filter.kinds", "filter.kinds[%d]: unknown notification kind %q", i, k)
		}
	}
	return nil
}

// DeliveryState is where a delivery attempt left its delivery.
type DeliveryState string

// Delivery states: SUCCEEDED (a 2xx answer), RETRYING (failed, another
// attempt at NextRetryAt), FAILED (failed for good: the retry window is
// over, the receiver answered 410 Gone, or the subscription is gone).
const (
	DeliverySucceeded DeliveryState = "SUCCEEDED"
	DeliveryRetrying  DeliveryState = "RETRYING"
	DeliveryFailed    DeliveryState = "FAILED"
)

// Delivery is one attempt of delivering a notification to a subscription.
type Delivery struct {
	ID             uuid.UUID
	SubscriptionID uuid.UUID
	NotificationID *uuid.UUID
	Event          string
	Attempt        int
	State          DeliveryState
	StatusCode     *int
	Error          *string
	Duration       time.Duration
	At             time.Time
	NextRetryAt    *time.Time
}

// DeliveryFilter selects delivery attempts: of one subscription, and only
// failed ones (RETRYING or FAILED) when Failed is true, only successful
// ones when false.
type DeliveryFilter struct {
	SubscriptionID *uuid.UUID
	Failed         *bool
}

// MarkRead says which notifications markNotificationsRead marks: the ids,
// or every unread one when All.
type MarkRead struct {
	IDs []uuid.UUID
	All bool
}

// Validate refuses both or neither, and more than itam.MaxListItems ids.
func (m MarkRead) Validate() error {
	switch {
	case m.All && len(m.IDs) > 0:
		return itam.Invalid("ids", "give ids or all: true, not both")
	case !m.All && len(m.IDs) == 0:
		return itam.Invalid("ids", "give the ids to mark read, or all: true")
	case len(m.IDs) > itam.MaxListItems:
		return itam.Invalid("ids", "at most %d ids", itam.MaxListItems)
	}
	return nil
}
