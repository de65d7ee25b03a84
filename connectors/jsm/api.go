package jsm

import "github.com/itam-dev/itam/connectors/vendorhttp"

// Wire types: only the fields the connector reads, named as Atlassian's
// Assets REST API (cloud) returns them. Ids are documented as strings
// ("88"); FlexString also takes the numbers some proxies send.

type flex = vendorhttp.FlexString

// apiWorkspaces is GET /rest/servicedeskapi/assets/workspace.
type apiWorkspaces struct {
	Values []struct {
		WorkspaceID string `json:"workspaceId"`
	} `json:"values"`
}

// apiAQLPage is POST object/aql: {startAt, maxResults, total, isLast,
// values: [object], objectTypeAttributes}.
type apiAQLPage struct {
	StartAt    int         `json:"startAt"`
	MaxResults int         `json:"maxResults"`
	Total      int         `json:"total"`
	IsLast     bool        `json:"isLast"`
	Values     []apiObject `json:"values"`
}

// apiObject is one Assets object (GET object/{id}, AQL values).
type apiObject struct {
	ID         flex   `json:"id"`
	Label      string `json:"label"`
	ObjectKey  string `json:"objectKey"`
	ObjectType struct {
		ID   flex   `json:"id"`
		Name string `json:"name"`
	} `json:"objectType"`
	Created    string               `json:"created"`
	Updated    string               `json:"updated"`
	Attributes []apiObjectAttribute `json:"attributes"`
}

// apiObjectAttribute carries an object's values of one attribute, keyed
// by the object type attribute's id (names come from objecttype/{id}/attributes).
type apiObjectAttribute struct {
	ObjectTypeAttributeID flex       `json:"objectTypeAttributeId"`
	ObjectAttributeValues []apiValue `json:"objectAttributeValues"`
}

// apiValue is one value: value is the raw value (text, number, date, the
// account id of a user, the status id), displayValue what the UI shows
// (a referenced object's label, a user's name, a status name).
type apiValue struct {
	Value            flex `json:"value"`
	DisplayValue     flex `json:"displayValue"`
	SearchValue      flex `json:"searchValue"`
	ReferencedObject *struct {
		ID        flex   `json:"id"`
		ObjectKey string `json:"objectKey"`
		Label     string `json:"label"`
	} `json:"referencedObject"`
	User *struct {
		DisplayName  string `json:"displayName"`
		Key          string `json:"key"`
		EmailAddress string `json:"emailAddress"`
	} `json:"user"`
	Status *struct {
		ID   flex   `json:"id"`
		Name string `json:"name"`
	} `json:"status"`
}

// Attribute types (ObjectTypeAttribute.type).
const (
	attrDefault   = 0 // text, number, date, email…: defaultType says which
	attrReference = 1 // another object
	attrUser      = 2 // a Jira user (value: account id)
	attrStatus    = 7 // a status type (value: its id)
)

// apiAttribute is one element of GET objecttype/{id}/attributes.
type apiAttribute struct {
	ID          flex   `json:"id"`
	Name        string `json:"name"`
	Type        int    `json:"type"`
	DefaultType *struct {
		ID   int    `json:"id"`
		Name string `json:"name"`
	} `json:"defaultType"`
	ReferenceObjectTypeID flex `json:"referenceObjectTypeId"`
}

// apiUser is a Jira user (GET /rest/api/3/user/bulk values,
// /rest/api/3/user/search elements). emailAddress is absent when the
// user's profile visibility hides it.
type apiUser struct {
	AccountID    string `json:"accountId"`
	EmailAddress string `json:"emailAddress"`
	DisplayName  string `json:"displayName"`
	Active       bool   `json:"active"`
}

// apiUserPage is GET /rest/api/3/user/bulk.
type apiUserPage struct {
	IsLast bool      `json:"isLast"`
	Values []apiUser `json:"values"`
}

// apiStatusType is one element of GET config/statustype.
type apiStatusType struct {
	ID   flex   `json:"id"`
	Name string `json:"name"`
}

// apiObjectType is one element of GET objectschema/{id}/objecttypes/flat.
type apiObjectType struct {
	ID   flex   `json:"id"`
	Name string `json:"name"`
}

// apiSchemas is GET objectschema/list.
type apiSchemas struct {
	Values []struct {
		ID flex `json:"id"`
	} `json:"values"`
}

// payload is the body of PUT object/{id} and POST object/create.
type payload struct {
	ObjectTypeID string         `json:"objectTypeId"`
	Attributes   []payloadValue `json:"attributes"`
}

type payloadValue struct {
	ObjectTypeAttributeID string         `json:"objectTypeAttributeId"`
	ObjectAttributeValues []payloadInner `json:"objectAttributeValues"`
}

type payloadInner struct {
	Value string `json:"value"`
}

// apiTickets is GET objectconnectedtickets/{objectId}/tickets.
type apiTickets struct {
	Tickets []struct {
		Key     string `json:"key"`
		ID      flex   `json:"id"`
		Created string `json:"created"`
		Updated string `json:"updated"`
		Title   string `json:"title"`
		Status  *struct {
			Name string `json:"name"`
		} `json:"status"`
		Priority *struct {
			Name string `json:"name"`
		} `json:"priority"`
	} `json:"tickets"`
}

// apiRequest is the answer of POST /rest/servicedeskapi/request.
type apiRequest struct {
	IssueID     flex   `json:"issueId"`
	IssueKey    string `json:"issueKey"`
	CreatedDate struct {
		ISO8601 string `json:"iso8601"`
	} `json:"createdDate"`
	CurrentStatus struct {
		Status string `json:"status"`
	} `json:"currentStatus"`
	Links struct {
		Web string `json:"web"`
	} `json:"_links"`
}
