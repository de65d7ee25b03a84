package model

import "github.com/itam-dev/itam/internal/itam"

// Asset is an asset as the API returns it: the domain record plus the
// related objects the request selected, attached before marshaling. gqlgen
// then writes them as plain fields; as resolver fields each would cost a
// goroutine and a loader round per asset, which dominated the cost of a
// listing.
type Asset struct {
	*itam.Asset
	ID           string
	Model        *itam.Model
	Manufacturer *itam.Manufacturer
	Category     *itam.Category
	Assignee     Assignee
	Owner        Owner
	Location     *itam.Location
}
