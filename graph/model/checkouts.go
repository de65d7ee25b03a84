package model

import "github.com/itam-dev/itam/internal/lifecycle"

type (
	AssetCheckoutConnection = Connection[*lifecycle.Checkout]
	AssetCheckoutEdge       = Edge[*lifecycle.Checkout]
)

// CheckoutPayload is what checkinAsset and acceptAssetAssignment answer:
// the asset and the checkout concerned.
type CheckoutPayload struct {
	Asset    *Asset
	Checkout *lifecycle.Checkout
}
