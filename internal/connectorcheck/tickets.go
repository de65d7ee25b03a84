package connectorcheck

import (
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/tickets"
)

// TicketMaxInlineWait is the longest Retry-After a request for tickets
// waits out: someone is looking at a page, so a longer limit is reported
// (UPSTREAM_UNAVAILABLE with retryAfterSeconds) instead.
const TicketMaxInlineWait = 2 * time.Second

// TicketOpener is internal/tickets' Opener over the vendor registry
// (connectors.New), as the sync worker builds a Source, with the server's
// egress policy and logger. It lives here, beside the connection test,
// so the tickets rules do not link every vendor package.
type TicketOpener struct {
	// Configure is connectorcheck.VendorConfig: the connector's endpoints,
	// options and opened credentials as a vendor configuration.
	Configure func(*itam.ConnectorSecrets) (connectors.Kind, connectors.Config)
	Egress    connectors.Egress
	Logger    *slog.Logger
}

// Open builds connector sc's client; tickets.ErrNoTickets when its vendor
// is not compiled in or does not open tickets.
func (o TicketOpener) Open(sc *itam.ConnectorSecrets) (connectors.Ticketer, error) {
	kind, cfg := o.Configure(sc)
	if !slices.Contains(connectors.Kinds(), kind) {
		return nil, tickets.ErrNoTickets
	}
	cfg.Logger, cfg.Egress, cfg.MaxInlineWait = o.Logger, o.Egress, TicketMaxInlineWait
	src, err := connectors.New(kind, cfg)
	if err != nil {
		return nil, fmt.Errorf("building the %s client: %w", kind, err)
	}
	t, ok := src.(connectors.Ticketer)
	if !ok {
		return nil, tickets.ErrNoTickets
	}
	return t, nil
}
