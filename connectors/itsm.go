package connectors

import (
	"context"
	"fmt"
	"time"
)

// What an ITSM connector adds to Source. Each is a separate interface so a
// sync, a push or a ticket lookup asks only for what it needs, and an MDM
// vendor implements none of them.

// PeoplePage is one page of people. Done is true on the last page.
type PeoplePage struct {
	People     []Person
	NextCursor string
	Done       bool
}

// PeopleSource is a Source whose vendor keeps a directory of people (an
// ITSM's users). A sync reads every page of people before the devices, so
// assignees resolve against an up-to-date directory; req.Cursor and
// req.Since work as for FetchPage.
type PeopleSource interface {
	FetchPeoplePage(ctx context.Context, req PageRequest) (PeoplePage, error)
}

// PushField names a field itam writes back to an ITSM record when the
// connector opted in (the API's ConnectorPushField).
type PushField string

const (
	PushAssignee PushField = "ASSIGNEE"
	PushStatus   PushField = "STATUS"
	PushLocation PushField = "LOCATION"
	PushAssetTag PushField = "ASSET_TAG"
	// PushPurchase is the purchase data together: date, price and
	// currency, order number, warranty end.
	PushPurchase PushField = "PURCHASE"
)

// PushFields are every PushField, in the API's order.
var PushFields = []PushField{PushAssignee, PushStatus, PushLocation, PushAssetTag, PushPurchase}

// PushRecord is what itam holds for one asset, to write to its linked ITSM
// record. Only Fields are written; the other values are context (a vendor
// may need the serial to create a record). Empty strings and nil pointers
// mean "none": pushing ASSIGNEE with AssigneeEmail "" clears the assignee.
type PushRecord struct {
	// ExternalID is the linked record's vendor id; "" for CreateRecord.
	ExternalID string
	Fields     []PushField

	AssetTag     string
	SerialNumber string
	Name         string
	Manufacturer string
	Model        string
	// Status is an itam.AssetStatus name; the vendor maps it back through
	// the same (configurable) table it pulls with.
	Status        string
	AssigneeEmail string
	AssigneeName  string
	// Location is the location's name; the vendor resolves it to its own.
	Location         string
	PurchaseDate     *time.Time
	PurchasePrice    string // decimal string, e.g. "1299.00"
	PurchaseCurrency string // ISO 4217
	OrderNumber      string
	WarrantyEnd      *time.Time
}

// Has says whether f is one of the fields to write.
func (r PushRecord) Has(f PushField) bool {
	for _, x := range r.Fields {
		if x == f {
			return true
		}
	}
	return false
}

// Pusher is a Source that can write back to its vendor. Errors: a
// *PushRefusedError when the vendor refused the change itself (validation,
// permissions: retrying cannot help, the message is shown on the asset);
// *RateLimitError, *StatusError and transport errors are retried by the
// push job.
type Pusher interface {
	// PushRecord updates the record r.ExternalID with r.Fields. Writing the
	// values it already holds must be harmless (pushes are retried).
	PushRecord(ctx context.Context, r PushRecord) error
	// CreateRecord creates a record for an asset the vendor does not know
	// (opt-in per connector) with every field of r it can hold, and returns
	// the new record's vendor id, which itam stores as the asset's link.
	CreateRecord(ctx context.Context, r PushRecord) (externalID string, err error)
}

// BatchPusher is a Pusher whose vendor can take several updates in one
// request. Rate limits count requests, so writing many records this way
// needs a fraction of the requests PushRecord would (ServiceNow's Batch
// API: one request for MaxBatch PATCHes).
type BatchPusher interface {
	Pusher
	// PushRecords updates every record as PushRecord would and returns one
	// result per record, in order (nil: written), with the same kinds of
	// errors: a refusal of one record is that record's *PushRefusedError
	// only. A failure of the whole request (transport, a rate limit beyond
	// the inline retries, refused credentials) is returned for every
	// record. len(rs) must not exceed MaxBatch.
	PushRecords(ctx context.Context, rs []PushRecord) []error
	// MaxBatch is how many records one PushRecords call takes at most.
	MaxBatch() int
}

// PushRefusedError is a push the vendor refused for a reason retrying
// cannot fix; Message is the vendor's own words.
type PushRefusedError struct {
	Status  int
	URL     string
	Message string
}

func (e *PushRefusedError) Error() string {
	return fmt.Sprintf("%s refused the change (HTTP %d): %s", e.URL, e.Status, e.Message)
}

// ForbiddenError is an HTTP 403: the credentials are valid but lack a
// privilege (a Jamf API role privilege, a Graph permission, a ServiceNow
// ACL or role). Endpoint is what was refused (method and path), Privilege
// the privilege the vendor documents for it when the connector knows it,
// Message the vendor's own message.
type ForbiddenError struct {
	Endpoint  string
	Privilege string
	Message   string
}

func (e *ForbiddenError) Error() string {
	s := "the vendor refused " + e.Endpoint + " (HTTP 403)"
	if e.Privilege != "" {
		s += ": the API account needs the privilege " + e.Privilege
	}
	if e.Message != "" {
		s += "; the vendor said: " + e.Message
	}
	return s
}

// TicketRef names the asset whose tickets are wanted: its linked record at
// this vendor (if any) and its asset tag.
type TicketRef struct {
	ExternalID string
	AssetTag   string
}

// Ticket is one incident or request at the ITSM.
type Ticket struct {
	// ExternalID is the vendor's id (sys_id, ticket id, issue key).
	ExternalID string
	// Number is what people call it (INC0010001, #123, ITSM-42).
	Number   string
	Summary  string
	Status   string
	Priority string
	// URL opens the ticket in the vendor's web UI, "" when unknown.
	URL       string
	OpenedAt  *time.Time
	UpdatedAt *time.Time
}

// NewTicket is a ticket to open about an asset.
type NewTicket struct {
	Ref         TicketRef
	Summary     string
	Description string
	// RequesterEmail is who asks (the caller's email), "" for the API account.
	RequesterEmail string
}

// Ticketer is a Source whose vendor has tickets: incidents or requests
// that reference configuration items.
type Ticketer interface {
	// Tickets lists at most limit tickets referencing ref (by its linked
	// record, else by asset tag), newest first.
	Tickets(ctx context.Context, ref TicketRef, limit int) ([]Ticket, error)
	// CreateTicket opens a ticket about ref and returns it.
	CreateTicket(ctx context.Context, t NewTicket) (Ticket, error)
}
