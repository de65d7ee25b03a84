package itam

// SortDirection orders a list.
type SortDirection string

const (
	Asc  SortDirection = "ASC"
	Desc SortDirection = "DESC"
)

// MaxPageSize bounds first/last so no request can ask for an unbounded scan.
const MaxPageSize = 500

// DefaultPageSize is used when neither first nor last is given.
const DefaultPageSize = 50

// PageArgs are Relay pagination arguments. Cursors are opaque to clients.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
}

// Page is one page of a keyset-paginated list. Cursors[i] is Items[i]'s cursor.
type Page[T any] struct {
	Items           []T
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
}
