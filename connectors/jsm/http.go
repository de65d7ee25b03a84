package jsm

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// apiClient sends Atlassian requests through the shared client
// (vendorhttp: egress guard, response cap, per-request backoff honouring
// Retry-After, 403 → *connectors.ForbiddenError naming the privilege).
// Requests go to two hosts (the Jira site and the Assets API), so every
// call names an absolute URL.
type apiClient struct {
	c *vendorhttp.Client
}

// retryMode says which failures a request may be sent again after.
type retryMode int

const (
	// retrySafe: reads and idempotent writes (GET, the AQL search POST,
	// PUT) are retried after 429, 5xx and transport errors.
	retrySafe retryMode = iota
	// retryThrottled: creations are retried only when throttled (429, or
	// 503 which Atlassian answers before acting); another 5xx may have
	// created the record.
	retryThrottled
)

// do sends method to rawURL with query and a JSON body (nil for none) and
// decodes a 2xx JSON answer into out (nil to discard). Failures are
// vendorhttp's: ErrUnauthorized (401), *connectors.ForbiddenError (403),
// *connectors.RateLimitError (429 past the inline wait or the budget),
// *connectors.StatusError with Atlassian's message for other statuses
// (callers turn 4xx refusals of writes into PushRefusedError),
// *connectors.MalformedError for unreadable bodies.
func (c *apiClient) do(ctx context.Context, method, rawURL string, query url.Values, body any, mode retryMode, out any) error {
	_, err := c.c.Do(ctx, vendorhttp.Call{Method: method, Path: rawURL, Query: query, Body: body, Safe: mode == retrySafe}, out)
	return err
}

// refused turns a write's 4xx answer into a *connectors.PushRefusedError
// (retrying cannot fix it); anything else is returned as is (retried).
func refused(err error) error {
	var fe *connectors.ForbiddenError
	if errors.As(err, &fe) {
		return &connectors.PushRefusedError{Status: http.StatusForbidden, URL: fe.Endpoint, Message: fe.Error()}
	}
	var se *connectors.StatusError
	if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusTooManyRequests {
		return &connectors.PushRefusedError{Status: se.Status, URL: se.URL, Message: se.Message}
	}
	return err
}

// isNotFound reports a 404.
func isNotFound(err error) bool { return vendorhttp.IsNotFound(err) }

// privilegeFor names what Atlassian requires for an endpoint, so a 403
// says what to grant. Assets roles on an object schema, per Atlassian's
// "What are roles?" (support.atlassian.com/jira-service-management-cloud/
// docs/what-are-roles): an object schema user views objects but cannot
// create or edit them; creating and editing needs the developer role (or
// manager). Requests need access to the service project; Jira's user
// lookups the Browse users and groups global permission.
func privilegeFor(method, path string) string {
	switch {
	case method != http.MethodGet && strings.Contains(path, "/object/") && !strings.Contains(path, "/object/aql"):
		return "the Object schema developers role in the Assets object schema (users may only view objects)"
	case strings.Contains(path, "/jsm/assets/"):
		return "the Object schema users role in the Assets object schema"
	case strings.Contains(path, "/servicedeskapi/request"):
		return "access to the service project (customer or agent)"
	case strings.Contains(path, "/rest/api/3/user"):
		return "Browse users and groups (global permission)"
	}
	return ""
}
