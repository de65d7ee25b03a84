// Package connectorcheck tests a saved connector's configuration: it opens
// the credentials, authenticates with the vendor and fetches one page,
// reporting what it saw. It writes nothing, and nothing it reports quotes a
// credential.
package connectorcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/connectorlimit"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/redact"
)

// SampleSize is how many of the fetched devices a Result shows.
const SampleSize = 5

// Timeout bounds one test.
const Timeout = 30 * time.Second

// Result is what a test saw. OK is false when the vendor could not be
// reached, refused the credentials or answered something unusable; Message
// says why in words safe to show an admin.
type Result struct {
	OK          bool
	Message     string
	DevicesSeen int
	Sample      []connectors.Device
}

// Checker runs connection tests.
type Checker struct {
	Store  *postgres.ConnectorStore
	Logger *slog.Logger
	// Egress is the vendor network policy; the zero value refuses every
	// non-public address (config.Config.ConnectorEgress in production).
	Egress connectors.Egress

	// tests bounds tests per connector; always on.
	tests connectorlimit.TestLimiter
}

// Check tests connector id for the calling ADMIN. Errors are returned only
// for problems on our side (not found, not allowed); vendor problems are a
// Result with OK false.
func (c *Checker) Check(ctx context.Context, id uuid.UUID) (*Result, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	// The credentials open only for the system: act as it, for this
	// organization, without handing them to the caller.
	sys := itam.WithPrincipal(ctx, itam.Principal{OrgID: p.OrgID, Role: itam.RoleAdmin, Subject: "connector-test:" + p.Subject, ActorKind: itam.ActorSystem})
	sc, err := c.Store.ConnectorSecrets(sys, id)
	if err != nil {
		return nil, err
	}
	// Counted only for connectors that exist, so made-up ids cannot grow
	// the limiter's table.
	if err := c.tests.Allow(id, time.Now()); err != nil {
		return nil, err
	}
	creds := sc.Credentials
	kind, cfg := VendorConfig(sc)
	cfg.Logger = c.Logger
	cfg.Egress = c.Egress
	cfg.MaxInlineWait = 5 * time.Second
	fail := func(format string, args ...any) *Result {
		return &Result{Message: redact.Secrets(fmt.Sprintf(format, args...), creds), Sample: []connectors.Device{}}
	}
	src, err := connectors.New(kind, cfg)
	if err != nil {
		return fail("configuration: %s", describe(err)), nil
	}
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	page, err := src.FetchPage(tctx, connectors.PageRequest{Mode: connectors.Full})
	if err != nil {
		c.log().InfoContext(ctx, "connector test failed", "connector", id, "err", redact.Secrets(err.Error(), creds))
		return fail("%s", describe(err)), nil
	}
	res := &Result{OK: true, DevicesSeen: len(page.Devices), Sample: page.Devices[:min(SampleSize, len(page.Devices))]}
	switch {
	case len(page.Devices) == 0:
		res.Message = "connected; the vendor reports no devices"
	case page.Done:
		res.Message = fmt.Sprintf("connected; read all %d devices", len(page.Devices))
	default:
		res.Message = fmt.Sprintf("connected; read a first page of %d devices (there are more)", len(page.Devices))
	}
	for i := range res.Sample {
		res.Sample[i].Software = nil
	}
	return res, nil
}

// describe turns a connector error into a sentence for an admin. A test
// is a probe of a URL the caller chose, so nothing here quotes what the
// network said (connection refused, reset, no route, the body of an
// unexpected answer): those differences would map what listens where.
// The server log keeps the detail.
// refusedMessage answers a URL the egress guard refused, whatever address
// it resolved to.
const refusedMessage = "the connector's URL resolves to an address that is not allowed: loopback and private targets are refused (ITAM_CONNECTOR_ALLOW_PRIVATE)"

func describe(err error) string {
	var (
		ce *connectors.ConfigError
		rl *connectors.RateLimitError
		me *connectors.MalformedError
		se *connectors.StatusError
		be *connectors.BlockedAddressError
		tl *connectors.TooLargeError
		fe *connectors.ForbiddenError
		ue *url.Error
		de *net.DNSError
	)
	switch {
	case errors.As(err, &be):
		// Not be.Error(): it names the resolved address, which would tell
		// the caller what an internal name resolves to.
		return refusedMessage
	case errors.As(err, &tl):
		return tl.Error()
	case errors.Is(err, connectors.ErrUnauthorized):
		return "the vendor refused the credentials"
	case errors.As(err, &fe):
		return fe.Error() // valid credentials lacking a privilege: say which
	case errors.As(err, &ce):
		if ce.Field != "" {
			return fmt.Sprintf("%s (%s)", ce.Message, ce.Field)
		}
		return ce.Message
	case errors.As(err, &rl):
		return rl.Error()
	case errors.As(err, &me):
		return "the vendor's answer could not be read as the expected JSON"
	case errors.As(err, &se):
		return fmt.Sprintf("the vendor answered HTTP %d", se.Status)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("the vendor did not answer within %s", Timeout)
	case errors.As(err, &de):
		// The same words as a refused connection: whether an internal name
		// resolves is itself a probe.
		return fmt.Sprintf("could not connect to %s", de.Name)
	case errors.As(err, &ue):
		host := "the vendor"
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			host = u.Host
		}
		return fmt.Sprintf("could not connect to %s", host)
	}
	return "the vendor could not be reached"
}

func (c *Checker) log() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
