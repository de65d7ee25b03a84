package itam

import (
	"time"

	"github.com/google/uuid"
)

// The fields an ITSM connector can write back (the API's
// ConnectorPushField; connectors.PushFields names the same, a test keeps
// the two equal).
const (
	PushAssignee = "ASSIGNEE"
	PushStatus   = "STATUS"
	PushLocation = "LOCATION"
	PushAssetTag = "ASSET_TAG"
	PushPurchase = "PURCHASE"
)

// PushFields are every push field, in the API's order.
var PushFields = []string{PushAssignee, PushStatus, PushLocation, PushAssetTag, PushPurchase}

// ConnectorPushError is the last write-back an ITSM refused for one asset:
// shown on the asset and on the connector, with the vendor's own message,
// until a later push of the same record succeeds. Nothing in itam was
// rolled back for it.
type ConnectorPushError struct {
	ConnectorID uuid.UUID
	AssetID     uuid.UUID
	Fields      []string
	Message     string
	// HTTPStatus is the vendor's status code, 0 when none.
	HTTPStatus int
	At         time.Time
}

// CanReadPushErrors reports whether the caller sees the write-backs an ITSM
// refused on the assets they read: those who read the whole inventory
// (ADMIN, MANAGER, AUDITOR) and act on it. An EMPLOYEE, who reads only
// their own assets, gets none: the vendor's words are for IT.
func (p Principal) CanReadPushErrors() bool { return p.CanReadAll() }
