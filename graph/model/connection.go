// Package model holds the GraphQL-only types: connections, edges, inputs and
// payloads. Domain objects themselves are internal/itam types.
package model

import (
	"context"

	"github.com/itam-dev/itam/internal/itam"
)

// Connection is a Relay connection over one page. TotalCount runs its count
// query only when a client selects it, so paging never pays for a count it
// does not need.
type Connection[T any] struct {
	Page  itam.Page[T]
	Count func(ctx context.Context) (int, error)
}

// Edge pairs a node with its cursor.
type Edge[T any] struct {
	Cursor string
	Node   T
}

// PageInfo is built from the page on demand.
func (c *Connection[T]) PageInfo() *PageInfo {
	pi := &PageInfo{HasNextPage: c.Page.HasNextPage, HasPreviousPage: c.Page.HasPreviousPage}
	if n := len(c.Page.Cursors); n > 0 {
		pi.StartCursor, pi.EndCursor = &c.Page.Cursors[0], &c.Page.Cursors[n-1]
	}
	return pi
}

// Edges returns the page's items with their cursors.
func (c *Connection[T]) Edges() []Edge[T] {
	out := make([]Edge[T], len(c.Page.Items))
	for i, it := range c.Page.Items {
		out[i] = Edge[T]{Cursor: c.Page.Cursors[i], Node: it}
	}
	return out
}

// Nodes returns the page's items.
func (c *Connection[T]) Nodes() []T { return c.Page.Items }

// TotalCount counts every matching row, not just this page.
func (c *Connection[T]) TotalCount(ctx context.Context) (int, error) {
	if c.Count == nil {
		return len(c.Page.Items), nil
	}
	return c.Count(ctx)
}

type (
	AssetConnection        = Connection[*Asset]
	AssetHistoryConnection = Connection[itam.HistoryEntry]
	PersonConnection       = Connection[*itam.Person]
	TeamConnection         = Connection[*itam.Team]
	LocationConnection     = Connection[*itam.Location]
	ManufacturerConnection = Connection[*itam.Manufacturer]
	CategoryConnection     = Connection[*itam.Category]
	ModelConnection        = Connection[*Model]
	SupplierConnection     = Connection[*itam.Supplier]
)

type (
	AssetEdge        = Edge[*Asset]
	AssetHistoryEdge = Edge[itam.HistoryEntry]
	PersonEdge       = Edge[*itam.Person]
	TeamEdge         = Edge[*itam.Team]
	LocationEdge     = Edge[*itam.Location]
	ManufacturerEdge = Edge[*itam.Manufacturer]
	CategoryEdge     = Edge[*itam.Category]
	ModelEdge        = Edge[*Model]
	SupplierEdge     = Edge[*itam.Supplier]
)

// PageInfo is Relay's page information.
type PageInfo struct {
	HasNextPage     bool
	HasPreviousPage bool
	StartCursor     *string
	EndCursor       *string
}

// Node, Owner and Assignee are bound to the empty interface because their
// members are domain structs that know nothing of GraphQL; the generated code
// type-switches on the concrete type.
type (
	Node     interface{}
	Owner    interface{}
	Assignee interface{}
)

type (
	SyncConflictConnection = Connection[*SyncConflict]
	SyncConflictEdge       = Edge[*SyncConflict]
)
