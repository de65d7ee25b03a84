package freshservice

import (
	"context"
	"errors"
	"net/http"

	"github.com/itam-dev/itam/connectors"
)

// send writes body as JSON with method (PUT, POST) through the shared
// client (egress guard, response cap, per-request retries: a PUT is
// retried after 429 and 5xx, a POST only when throttled, as it may have
// created the record) and decodes a 2xx answer into out. What Freshservice
// refuses is a *connectors.PushRefusedError with its own words, since a
// push shows them on the asset:
//   - 400/403/404/409/422: validation or permission, retrying cannot help;
//   - 401 stays connectors.ErrUnauthorized; a 429 past the inline wait a
//     *connectors.RateLimitError; a 5xx a *connectors.StatusError (the
//     push job retries both).
func (s *Source) send(ctx context.Context, method, path string, body, out any) error {
	return refused(method, s.client.SendJSON(ctx, method, path, body, out))
}

// refused turns the answers retrying cannot fix into a
// *connectors.PushRefusedError carrying Freshservice's message.
func refused(method string, err error) error {
	var fe *connectors.ForbiddenError
	if errors.As(err, &fe) {
		// The whole 403 story: what was refused, the permission to grant
		// and Freshservice's words.
		return &connectors.PushRefusedError{Status: http.StatusForbidden, URL: fe.Endpoint, Message: fe.Error()}
	}
	var se *connectors.StatusError
	if errors.As(err, &se) {
		switch se.Status {
		case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity:
			return &connectors.PushRefusedError{Status: se.Status, URL: method + " " + se.URL, Message: message(se.Message, se.Status)}
		}
	}
	return err
}

// message is the vendor's words, or the status text when the body said
// nothing readable (an empty or HTML body).
func message(vendor string, status int) string {
	if vendor != "" {
		return vendor
	}
	return http.StatusText(status)
}
