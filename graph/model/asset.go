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
	Model        *Model
	Manufacturer *itam.Manufacturer
	Category     *itam.Category
	Assignee     Assignee
	Owner        Owner
	Location     *itam.Location
}

// Model is a model as the API returns it, with its manufacturer and
// category attached for the same reason as Asset's relations: a page of
// assets shows a model per asset.
type Model struct {
	*itam.Model
	ID           string
	Manufacturer *itam.Manufacturer
	Category     *itam.Category
}

// SyncConflict is a sync conflict as the API returns it, with its asset
// attached for the same reason as Asset's relations: a page of conflicts
// shows an asset per conflict.
type SyncConflict struct {
	*itam.SyncConflict
	Asset *Asset
}
