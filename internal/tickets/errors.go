package tickets

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/redact"
)

// ErrNoTickets is what an Opener returns for a connector whose vendor does
// not open tickets (or is not compiled in): it is left out, not an error.
var ErrNoTickets = errors.New("the connector's vendor has no tickets")

// vendorError turns a vendor failure at connector c into what the caller
// sees: never INTERNAL (the fault is not the caller's nor ours), never a
// credential (creds are redacted from whatever the vendor said), naming
// the connector. creating says whether the caller's own input went to the
// vendor: only then is a refusal BAD_USER_INPUT.
func vendorError(p itam.Principal, c *itam.Connector, creds map[string]string, err error, creating bool) *itam.Error {
	name := Name(p, c)
	upstream := func(format string, args ...any) *itam.Error {
		return &itam.Error{Code: CodeUpstreamUnavailable, Message: redact.Secrets(name+": "+fmt.Sprintf(format, args...), creds)}
	}
	var (
		fe  *connectors.ForbiddenError
		pr  *connectors.PushRefusedError
		rl  *connectors.RateLimitError
		se  *connectors.StatusError
		ce  *connectors.ConfigError
		be  *connectors.BlockedAddressError
		tl  *connectors.TooLargeError
		ie  *itam.Error
		msg string
	)
	switch {
	case errors.As(err, &fe):
		// Not fe.Error(): it names the endpoint's URL path, which is fine,
		// but the vendor's words and the privilege are what help.
		msg = "the vendor refused the request (HTTP 403)"
		if fe.Privilege != "" {
			msg += ": the API account needs the privilege " + fe.Privilege
		}
		if fe.Message != "" {
			msg += "; the vendor said: " + fe.Message
		}
		return &itam.Error{Code: itam.CodeForbidden, Message: redact.Secrets(name+": "+msg, creds)}
	case errors.As(err, &pr):
		if pr.Status == http.StatusForbidden {
			return &itam.Error{Code: itam.CodeForbidden, Message: redact.Secrets(name+": the vendor refused the request (HTTP 403): "+pr.Message, creds)}
		}
		if creating {
			return &itam.Error{Code: itam.CodeInvalid, Message: redact.Secrets(fmt.Sprintf("%s: the vendor refused the ticket (HTTP %d): %s", name, pr.Status, pr.Message), creds)}
		}
		return upstream("the vendor refused the request (HTTP %d): %s", pr.Status, pr.Message)
	case errors.As(err, &rl):
		e := upstream("rate limited by the vendor; retry in %s", rl.RetryAfter.Round(time.Second))
		e.RetryAfter = rl.RetryAfter
		return e
	case errors.Is(err, connectors.ErrUnauthorized):
		return upstream("the vendor refused the connector's credentials: an ADMIN should check them")
	case errors.As(err, &se):
		// The vendor's own words, when it gave any, say what to fix.
		said := ""
		if se.Message != "" {
			said = ": " + se.Message
		}
		if se.Status == http.StatusForbidden {
			return &itam.Error{Code: itam.CodeForbidden, Message: redact.Secrets(name+": the vendor refused the request (HTTP 403)"+said, creds)}
		}
		if creating && se.Status >= 400 && se.Status < 500 && se.Status != http.StatusTooManyRequests {
			return &itam.Error{Code: itam.CodeInvalid, Message: redact.Secrets(fmt.Sprintf("%s: the vendor refused the ticket (HTTP %d)%s", name, se.Status, said), creds)}
		}
		return upstream("the vendor answered HTTP %d%s", se.Status, said)
	case errors.As(err, &ce):
		return upstream("the connector's configuration is unusable: %s", ce.Message)
	case errors.As(err, &be):
		// Not be.Error(): it names the address an internal name resolves to.
		return upstream("the connector's URL resolves to an address that is not allowed (ITAM_CONNECTOR_ALLOW_PRIVATE)")
	case errors.As(err, &tl):
		return upstream("%s", tl.Error())
	case errors.As(err, &ie):
		return ie // ours, already meant for the caller
	case errors.Is(err, context.DeadlineExceeded):
		return upstream("the vendor did not answer in time")
	}
	return upstream("the vendor could not be reached")
}
