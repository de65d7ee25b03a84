// Package tickets links assets to the incidents and requests of the
// organization's ITSM connectors: who may list or open them, which
// connector a new ticket goes to, what a vendor failure means for the
// caller, and a short cache so a page showing tickets twice asks the vendor
// once. It has no database: a Store loads what it needs and an Opener
// builds the vendor client.
package tickets

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

const (
	// DefaultFirst and MaxFirst bound Asset.tickets(first:). Every vendor
	// is asked for MaxFirst whatever first is, so one cached answer serves
	// every page size.
	DefaultFirst = 20
	MaxFirst     = 50
	// MaxSummary is in characters, after trimming; MaxDescription in bytes.
	MaxSummary     = 160
	MaxDescription = 32 << 10
)

// CodeUpstreamUnavailable: a vendor the request needed failed (rate limit,
// 5xx, unreachable, refused credentials). Nothing in itam is wrong and a
// later retry may succeed.
const CodeUpstreamUnavailable itam.Code = "UPSTREAM_UNAVAILABLE"

// Connector is one ITSM connector of the organization with the asset's
// link at it, as the Store loads them.
type Connector struct {
	Connector *itam.Connector
	// ExternalID is the asset's linked record at this connector, "" when
	// the asset has none there (tickets are then found by asset tag).
	ExternalID string
}

// Target is an asset as the caller sees it, with what tickets need.
type Target struct {
	Asset *itam.Asset
	// Self is the caller's own person id (nil without a person record);
	// it matters only to an EMPLOYEE.
	Self *uuid.UUID
	// Connectors are the organization's ITSM connectors, enabled or not,
	// by name.
	Connectors []Connector
}

// Ref is what a vendor is asked about for asset a at connector c.
func (c Connector) Ref(a *itam.Asset) connectors.TicketRef {
	return connectors.TicketRef{ExternalID: c.ExternalID, AssetTag: a.AssetTag}
}

// Ticket is one vendor ticket with the connector it came from.
type Ticket struct {
	ConnectorID   uuid.UUID
	ConnectorKind string
	// Connector is nil unless the caller may read connectors' details
	// (ADMIN), as on SyncRun.connector.
	Connector *itam.Connector
	connectors.Ticket
}

// CanRead says whether the caller may list the tickets of asset a: ADMIN,
// MANAGER and AUDITOR for any asset of the organization, an EMPLOYEE only
// for an asset assigned to them (self is their person id).
func CanRead(p itam.Principal, a *itam.Asset, self *uuid.UUID) error {
	switch p.Role {
	case itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor:
		return nil
	case itam.RoleEmployee:
		if assignedTo(a, self) {
			return nil
		}
		// Not FORBIDDEN: an EMPLOYEE does not see others' assets at all.
		return itam.NotFound("asset")
	}
	return itam.Forbidden("role %s cannot read tickets", p.Role)
}

// CanCreate says whether the caller may open a ticket about asset a: ADMIN
// and MANAGER for any asset, an EMPLOYEE for an asset assigned to them
// (reporting a broken laptop); an AUDITOR writes nothing.
func CanCreate(p itam.Principal, a *itam.Asset, self *uuid.UUID) error {
	switch p.Role {
	case itam.RoleAdmin, itam.RoleManager:
		return nil
	case itam.RoleEmployee:
		if assignedTo(a, self) {
			return nil
		}
		return itam.NotFound("asset")
	}
	return itam.Forbidden("role %s cannot open tickets", p.Role)
}

func assignedTo(a *itam.Asset, self *uuid.UUID) bool {
	return a != nil && self != nil && a.AssignedPersonID != nil && *a.AssignedPersonID == *self
}

// First checks Asset.tickets(first:): nil is DefaultFirst.
func First(first *int) (int, error) {
	if first == nil {
		return DefaultFirst, nil
	}
	if *first < 1 || *first > MaxFirst {
		return 0, itam.Invalid("first", "first must be between 1 and %d", MaxFirst)
	}
	return *first, nil
}

// NewTicketInput is createTicket's input, ids decoded.
type NewTicketInput struct {
	AssetID     uuid.UUID
	Summary     string
	Description string
	ConnectorID *uuid.UUID
}

// Validate trims the summary and checks both texts (length, UTF-8, no NUL).
func (in *NewTicketInput) Validate() error {
	in.Summary = strings.TrimSpace(in.Summary)
	if in.Summary == "" {
		return itam.Invalid("summary", "summary cannot be blank")
	}
	if err := itam.CheckText("summary", in.Summary, MaxSummary); err != nil {
		return err
	}
	if len(in.Description) > MaxDescription {
		return itam.Invalid("description", "description is at most %d bytes (got %d)", MaxDescription, len(in.Description))
	}
	return itam.CheckText("description", in.Description, MaxDescription)
}

// Choose picks the connector a new ticket goes to among t's connectors;
// hasTickets says whether a connector's vendor opens tickets. The one
// asked for must be an enabled ITSM connector with tickets; without one,
// the only such connector the asset is linked to, else the only such
// connector at all. p decides how connectors are named in errors.
func Choose(p itam.Principal, t *Target, asked *uuid.UUID, hasTickets func(Connector) bool) (Connector, error) {
	usable := func(c Connector) bool { return c.Connector.Enabled && hasTickets(c) }
	if asked != nil {
		i := slices.IndexFunc(t.Connectors, func(c Connector) bool { return c.Connector.ID == *asked })
		if i < 0 {
			return Connector{}, &itam.Error{Code: itam.CodeNotFound, Field: "connectorId", Message: "connector not found (an ITSM connector of your organization is expected)"}
		}
		c := t.Connectors[i]
		switch {
		case !c.Connector.Enabled:
			return Connector{}, itam.Invalid("connectorId", "%s is disabled", Name(p, c.Connector))
		case !hasTickets(c):
			return Connector{}, itam.Invalid("connectorId", "%s does not open tickets", Name(p, c.Connector))
		}
		return c, nil
	}
	var linked, all []Connector
	for _, c := range t.Connectors {
		if !usable(c) {
			continue
		}
		all = append(all, c)
		if c.ExternalID != "" {
			linked = append(linked, c)
		}
	}
	switch {
	case len(linked) == 1:
		return linked[0], nil
	case len(linked) == 0 && len(all) == 1:
		return all[0], nil
	case len(all) == 0:
		return Connector{}, itam.Invalid("connectorId", "no enabled ITSM connector opens tickets: add or enable a SERVICENOW, JSM_ASSETS or FRESHSERVICE connector")
	}
	among := all
	if len(linked) > 1 {
		among = linked
	}
	names := make([]string, len(among))
	for i, c := range among {
		names[i] = Name(p, c.Connector)
	}
	return Connector{}, itam.Invalid("connectorId", "several ITSM connectors could open it; give connectorId, one of: %s", strings.Join(names, "; "))
}

// Name is how a message names connector c to the caller: its name only
// for those who may read connectors' details (ADMIN); everyone gets its
// kind and global id.
func Name(p itam.Principal, c *itam.Connector) string {
	id := relay.ID(relay.TypeConnector, c.ID)
	if p.CanReadConnectorDetails() {
		return "connector \"" + c.Name + "\" (" + c.Kind + ", " + id + ")"
	}
	return "the " + c.Kind + " connector " + id
}

// forCaller returns vendor tickets as Tickets of connector c, with the
// connector itself only for a caller who may read its details.
func forCaller(p itam.Principal, c *itam.Connector, in []connectors.Ticket) []Ticket {
	out := make([]Ticket, len(in))
	for i, t := range in {
		out[i] = Ticket{ConnectorID: c.ID, ConnectorKind: c.Kind, Ticket: t}
		if p.CanReadConnectorDetails() {
			out[i].Connector = c
		}
	}
	return out
}

// Merge orders the tickets of every connector newest first (by when they
// were opened, else last updated; undated last) and keeps the first n.
func Merge(n int, lists ...[]Ticket) []Ticket {
	var all []Ticket
	for _, l := range lists {
		all = append(all, l...)
	}
	when := func(t Ticket) *time.Time {
		if t.OpenedAt != nil {
			return t.OpenedAt
		}
		return t.UpdatedAt
	}
	slices.SortStableFunc(all, func(a, b Ticket) int {
		wa, wb := when(a), when(b)
		switch {
		case wa == nil && wb == nil:
			return 0
		case wa == nil:
			return 1
		case wb == nil:
			return -1
		}
		if c := wb.Compare(*wa); c != 0 {
			return c
		}
		return cmp.Compare(b.Number, a.Number)
	})
	if len(all) > n {
		all = all[:n]
	}
	if all == nil {
		all = []Ticket{}
	}
	return all
}
