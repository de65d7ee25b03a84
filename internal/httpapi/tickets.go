package httpapi

import (
	"log/slog"

	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/tickets"
)

// ticketOptions are Asset.tickets' and createTicket's dependencies.
type ticketOptions struct {
	cache *tickets.Cache
	open  tickets.Opener
}

// WithTickets sets the ticket cache (tickets.NewCache with
// ITAM_TICKET_CACHE_TTL) and the vendor opener; nil keeps the default
// (tickets.DefaultCacheTTL; the vendor registry under the egress policy).
// Tests pass a cache on their own clock and an opener of fake vendors.
func WithTickets(cache *tickets.Cache, open tickets.Opener) ServerOption {
	return func(o *serverOptions) { o.tickets = ticketOptions{cache: cache, open: open} }
}

// ticketService builds the tickets service over the connector store.
func ticketService(db *postgres.DB, cs *postgres.ConnectorStore, o *serverOptions, log *slog.Logger) *tickets.Service {
	cache, open := o.tickets.cache, o.tickets.open
	if cache == nil {
		cache = tickets.NewCache(tickets.DefaultCacheTTL, nil)
	}
	if open == nil {
		open = connectorcheck.TicketOpener{Configure: connectorcheck.VendorConfig, Egress: o.egress, Logger: log}
	}
	return tickets.NewService(postgres.NewTicketStore(db, cs), open, cache, log)
}
