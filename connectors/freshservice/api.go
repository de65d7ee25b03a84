package freshservice

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// Wire types: only the fields the connector reads, named as Freshservice's
// API v2 returns them. Ids are numbers in the docs; FlexString also takes
// strings, so a proxy quoting them cannot fail a page.

type flex = vendorhttp.FlexString

// apiAsset is one element of {"assets": [...]} and the body of
// {"asset": {...}} (GET/PUT/POST /api/v2/assets…).
type apiAsset struct {
	ID           flex   `json:"id"`
	DisplayID    flex   `json:"display_id"`
	Name         string `json:"name"`
	AssetTypeID  flex   `json:"asset_type_id"`
	AssetTag     flex   `json:"asset_tag"`
	UserID       flex   `json:"user_id"`
	LocationID   flex   `json:"location_id"`
	DepartmentID flex   `json:"department_id"`
	UpdatedAt    string `json:"updated_at"`
	// TypeFields holds the type-specific fields, keys suffixed with the id
	// of the asset type that defines them (see typeFieldBase).
	TypeFields map[string]json.RawMessage `json:"type_fields"`
}

// apiAssetType is one element of {"asset_types": [...]}.
type apiAssetType struct {
	ID                flex   `json:"id"`
	Name              string `json:"name"`
	ParentAssetTypeID flex   `json:"parent_asset_type_id"`
}

// apiTypeFields is GET /api/v2/asset_types/{id}/fields: the fields grouped
// under headers, each naming the asset type that defines it (null for the
// default fields every asset has: name, asset_tag, …).
type apiTypeFields struct {
	AssetTypeFields []struct {
		FieldHeader string `json:"field_header"`
		Fields      []struct {
			Name        string `json:"name"`
			AssetTypeID flex   `json:"asset_type_id"`
		} `json:"fields"`
	} `json:"asset_type_fields"`
}

// apiNamed is a location or a department: {"id", "name", …}.
type apiNamed struct {
	ID   flex   `json:"id"`
	Name string `json:"name"`
}

// apiProduct is one element of {"products": [...]}: a hardware model with
// its manufacturer.
type apiProduct struct {
	ID           flex   `json:"id"`
	Name         string `json:"name"`
	Manufacturer string `json:"manufacturer"`
}

// apiUser is a requester ({"requesters": [...]}) or an agent
// ({"agents": [...]}): requesters carry primary_email, agents email.
type apiUser struct {
	ID                 flex   `json:"id"`
	FirstName          string `json:"first_name"`
	LastName           string `json:"last_name"`
	PrimaryEmail       string `json:"primary_email"`
	Email              string `json:"email"`
	JobTitle           string `json:"job_title"`
	DepartmentIDs      []flex `json:"department_ids"`
	ReportingManagerID flex   `json:"reporting_manager_id"`
	LocationID         flex   `json:"location_id"`
	Active             *bool  `json:"active"`
	// EmployeeID is read when the account has the field; it is not among
	// the documented default requester fields everywhere.
	EmployeeID flex `json:"employee_id"`
}

func (u apiUser) email() string {
	if e := strings.TrimSpace(u.PrimaryEmail); e != "" {
		return e
	}
	return strings.TrimSpace(u.Email)
}

func (u apiUser) name() string {
	return strings.TrimSpace(strings.TrimSpace(u.FirstName) + " " + strings.TrimSpace(u.LastName))
}

// apiAssetRequest is one element of GET /api/v2/assets/{display_id}/requests.
type apiAssetRequest struct {
	ID             flex   `json:"id"`
	RequestType    string `json:"request_type"`
	RequestID      flex   `json:"request_id"`
	RequestDetails string `json:"request_details"`
	RequestStatus  string `json:"request_status"`
}

// apiTicket is {"ticket": {...}} from POST /api/v2/tickets.
type apiTicket struct {
	ID        flex   `json:"id"`
	Subject   string `json:"subject"`
	Status    flex   `json:"status"`
	Priority  flex   `json:"priority"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

// ticketStatuses and ticketPriorities name the documented numeric codes.
var (
	ticketStatuses   = map[string]string{"2": "Open", "3": "Pending", "4": "Resolved", "5": "Closed"}
	ticketPriorities = map[string]string{"1": "Low", "2": "Medium", "3": "High", "4": "Urgent"}
)

// rawString reads a type-field value (string, number or null) as text.
func rawString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	var f flex
	if err := json.Unmarshal(raw, &f); err != nil {
		return "" // booleans, objects: nothing the mapping reads
	}
	return strings.TrimSpace(string(f))
}

// parseTime reads Freshservice timestamps (ISO 8601 with offset, e.g.
// "2019-05-05T04:00:00-04:00" or "…Z") and plain dates; nil when blank or
// unreadable.
func parseTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05.000Z07:00", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}
