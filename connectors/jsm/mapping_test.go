package jsm

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// Ids and values arrive as strings by the docs, as numbers through some
// proxies; references can be empty and values can lack displayValue.
func TestMappingStringTypedValuesAndEmptyReferences(t *testing.T) {
	t.Parallel()
	const page = `{"startAt": 0, "maxResults": 25, "total": 1, "isLast": true, "values": [{
		"id": 88, "label": "SYD-1", "objectKey": "ITSM-88", "objectType": {"id": 23, "name": "Docking Stations"},
		"attributes": [
			{"objectTypeAttributeId": "1", "objectAttributeValues": [{"value": "SYD-1"}]},
			{"objectTypeAttributeId": 2, "objectAttributeValues": [{"value": 12.5, "displayValue": "12.5"}]},
			{"objectTypeAttributeId": "3", "objectAttributeValues": []},
			{"objectTypeAttributeId": "4", "objectAttributeValues": [{"displayValue": "", "referencedType": true}]},
			{"objectTypeAttributeId": "5", "objectAttributeValues": [{"value": null, "displayValue": null}]}
		]}]}`
	var p apiAQLPage
	require.NoError(t, json.Unmarshal([]byte(page), &p))
	attrs := []apiAttribute{{ID: "1", Name: "Name"}, {ID: "2", Name: "Cost"}, {ID: "3", Name: "Serial Number"}, {ID: "4", Name: "Location", Type: attrReference}, {ID: "5", Name: "Asset Tag"}}
	s := &Source{attrs: DefaultAttributes, statusIn: map[string]string{}}
	d := s.toDevice(p.Values[0], resolve(p.Values[0], attrs))
	require.Equal(t, connectors.Device{ExternalID: "88", Name: "SYD-1", PurchasePrice: "12.5", Category: "PERIPHERAL"}, d)
}

func TestCategoryOf(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Computers": "", "Laptops": "LAPTOP", "Monitors": "MONITOR", "Docking Stations": "PERIPHERAL",
		"Mobile Phones": "PHONE", "Servers": "SERVER", "Network Switches": "NETWORK", "Desktops": "DESKTOP", "Tablets": "TABLET",
	} {
		require.Equal(t, want, categoryOf(in), in)
	}
}

// Atlassian's error bodies read through vendorhttp.VendorMessage: Jira's
// {"errorMessages", "errors": {field: msg}}, JSM's {"errorMessage"}, the
// gateway's {"message", "status-code"}; an HTML page says nothing.
func TestVendorMessage(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"errorMessages":["a"],"errors":{"z":"last","b":"first"}}`:                             "a; b: first; z: last",
		`{"errorMessage":"Summary: You must specify a summary of the issue."}`:                  "Summary: You must specify a summary of the issue.",
		`{"message":"Client must be authenticated to access this resource.","status-code":401}`: "Client must be authenticated to access this resource.",
		`<html>oops</html>`: "",
	} {
		require.Equal(t, want, vendorhttp.VendorMessage(strings.NewReader(body)))
	}
}

func TestListingAQL(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	for _, tc := range []struct {
		name string
		base string
		req  connectors.PageRequest
		want string
	}{
		{"full", `objectType = "Computers"`, connectors.PageRequest{Mode: connectors.Full, Since: ago(time.Hour)},
			`objectType = "Computers" ORDER BY Created ASC`},
		{"incremental rounds up", `objectType = "Computers"`, connectors.PageRequest{Mode: connectors.Incremental, Since: ago(10*time.Minute + time.Second)},
			`(objectType = "Computers") AND Updated > now(-11m) ORDER BY Created ASC`},
		{"incremental at least a minute", `objectType = "Computers"`, connectors.PageRequest{Mode: connectors.Incremental, Since: ago(0)},
			`(objectType = "Computers") AND Updated > now(-1m) ORDER BY Created ASC`},
		{"incremental without since is full", `objectType = "Computers"`, connectors.PageRequest{Mode: connectors.Incremental},
			`objectType = "Computers" ORDER BY Created ASC`},
		{"own order kept", `objectSchema = "IT" order by Key`, connectors.PageRequest{Mode: connectors.Incremental, Since: ago(2 * time.Hour)},
			`(objectSchema = "IT") AND Updated > now(-120m) order by Key`},
	} {
		require.Equal(t, tc.want, listingAQL(tc.base, tc.req, now), tc.name)
	}
}

// Reading needs an object schema role that views objects; creating and
// editing one needs the developer role (Atlassian: users only view).
func TestPrivilegeFor(t *testing.T) {
	t.Parallel()
	const ws = "/jsm/assets/workspace/w1/v1"
	users := "the Object schema users role in the Assets object schema"
	devs := "the Object schema developers role in the Assets object schema (users may only view objects)"
	for _, tc := range []struct{ method, path, want string }{
		{http.MethodPost, ws + "/object/aql", users},
		{http.MethodGet, ws + "/object/42", users},
		{http.MethodGet, ws + "/objecttype/7/attributes", users},
		{http.MethodPut, ws + "/object/42", devs},
		{http.MethodPost, ws + "/object/create", devs},
		{http.MethodPost, "/rest/servicedeskapi/request", "access to the service project (customer or agent)"},
		{http.MethodGet, "/rest/api/3/user/search", "Browse users and groups (global permission)"},
		{http.MethodGet, "/rest/servicedeskapi/assets/workspace", ""},
	} {
		require.Equal(t, tc.want, privilegeFor(tc.method, tc.path), tc.method+" "+tc.path)
	}
}
