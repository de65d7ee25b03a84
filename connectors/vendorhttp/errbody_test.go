package vendorhttp

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// TestVendorMessage reads each vendor's documented error body shape.
func TestVendorMessage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, body, want string
	}{
		{"Jamf Pro API", `{"httpStatus":403,"errors":[{"code":"INVALID_PRIVILEGE","description":"Forbidden","id":"0","field":null}]}`, "Forbidden"},
		{"Microsoft Graph", `{"error":{"code":"Forbidden","message":"Application is not authorized to perform this operation.","innerError":{"date":"2026-12-05T20:00:00","request-id":"x"}}}`,
			"Application is not authorized to perform this operation."},
		{"ServiceNow", `{"error":{"message":"User Not Authorized","detail":"Required to provide Auth information"},"status":"failure"}`,
			"User Not Authorized; Required to provide Auth information"},
		{"Kandji", `{"detail":"You do not have permission to perform this action."}`, "You do not have permission to perform this action."},
		{"Fleet", `{"message":"forbidden","errors":[{"name":"base","reason":"forbidden"}]}`, "forbidden"},
		{"Freshservice", `{"code":"access_denied","message":"You are not authorized to perform this action."}`, "You are not authorized to perform this action."},
		{"JSM errorMessages", `{"errorMessages":["You do not have permission to view this object schema."],"errors":{}}`, "You do not have permission to view this object schema."},
		{"JSM field errors", `{"errorMessages":[],"errors":{"name":"Name is required","serial":"Too long"}}`, "name: Name is required; serial: Too long"},
		{"OAuth", `{"error":"insufficient_scope","error_description":"The request requires higher privileges."}`, "The request requires higher privileges."},
		{"plain text", "  Forbidden:\n  missing\tscope  ", "Forbidden: missing scope"},
		{"HTML page", "<html><body><h1>403 Forbidden</h1></body></html>", ""},
		{"empty", "", ""},
		{"JSON without a message", `{"status": 403}`, ""},
		{"bounded", `{"message":"` + strings.Repeat("é", 400) + `"}`, strings.Repeat("é", maxMessageRunes) + "…"},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, VendorMessage(strings.NewReader(tc.body)), tc.name)
	}
	require.Empty(t, VendorMessage(nil))
}

// TestForbiddenNamesEndpointAndPrivilege: a 403 is a *ForbiddenError with
// the endpoint (path only, no query), the privilege the hook maps it to
// and the vendor's message; not ErrUnauthorized, not retried, and no
// credential in it.
func TestForbiddenNamesEndpointAndPrivilege(t *testing.T) {
	t.Parallel()
	const token = "s3cret-token-value"
	var seen []string
	srv, calls := script(t, func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"httpStatus":403,"errors":[{"code":"INVALID_PRIVILEGE","description":"Forbidden","id":"0","field":null}]}`))
	})
	var asked [2]string
	c := New(Options{BaseURL: srv.URL + "/base", Transport: loopback(), Auth: StaticToken(token),
		PrivilegeFor: func(method, path string) string {
			asked = [2]string{method, path}
			return "Read Computers"
		}})
	var p page
	err := c.GetJSON(context.Background(), "/api/v1/computers-inventory?api_key="+token, nil, &p)
	var fe *connectors.ForbiddenError
	require.ErrorAs(t, err, &fe)
	require.NotErrorIs(t, err, connectors.ErrUnauthorized)
	require.Equal(t, connectors.ForbiddenError{Endpoint: "GET /base/api/v1/computers-inventory", Privilege: "Read Computers", Message: "Forbidden"}, *fe)
	require.Equal(t, [2]string{"GET", "/base/api/v1/computers-inventory"}, asked)
	require.EqualValues(t, 1, calls.Load(), "a refused privilege is not retried")
	require.Equal(t, []string{"Bearer " + token}, seen)
	require.NotContains(t, err.Error(), token)
	require.Equal(t, "the vendor refused GET /base/api/v1/computers-inventory (HTTP 403): the API account needs the privilege Read Computers; the vendor said: Forbidden", err.Error())
}
