package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/tickets"
)

// ticketsCost is what Asset.tickets adds to a query's cost: each asset may
// mean a vendor call, so a page of 100 assets with tickets passes
// (≈20,000) and assets(first: 500) { tickets } is refused before it runs.
const ticketsCost = 200

// setTicketsComplexity prices Asset.tickets (see ticketsCost).
func setTicketsComplexity(c *generated.ComplexityRoot) {
	c.Asset.Tickets = func(child int, _ *int) int { return addCost(ticketsCost, child) }
}

// ticketOut is a ticket as the API answers it; empty vendor strings are null.
func ticketOut(t tickets.Ticket) *model.Ticket {
	return &model.Ticket{
		Connector: t.Connector, ConnectorID: relay.ID(relay.TypeConnector, t.ConnectorID), ConnectorKind: t.ConnectorKind,
		ExternalID: t.ExternalID, Number: t.Number, Summary: t.Summary,
		Status: nonEmpty(t.Status), Priority: nonEmpty(t.Priority), URL: nonEmpty(t.URL),
		OpenedAt: t.OpenedAt, UpdatedAt: t.UpdatedAt,
	}
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// addTicketErrors reports each failing connector as an error on the field,
// which keeps the tickets of the others.
func addTicketErrors(ctx context.Context, failures []error) {
	for _, err := range failures {
		graphql.AddError(ctx, err)
	}
}
