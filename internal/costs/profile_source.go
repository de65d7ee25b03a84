package costs

import "github.com/google/uuid"

// ProfileSource says where the depreciation profile that applies to an
// asset comes from.
type ProfileSource string

const (
	FromAsset        ProfileSource = "ASSET"
	FromModel        ProfileSource = "MODEL"
	FromCategory     ProfileSource = "CATEGORY"
	FromOrganization ProfileSource = "ORGANIZATION"
)

// EffectiveProfile picks the profile that applies to an asset: its own,
// else its model's, else its category's, else the organization's default
// (nil, "" when none is set anywhere). The most specific wins because the
// person who set it knew more about that asset.
func EffectiveProfile(asset, model, category, organization *uuid.UUID) (*uuid.UUID, ProfileSource) {
	switch {
	case asset != nil:
		return asset, FromAsset
	case model != nil:
		return model, FromModel
	case category != nil:
		return category, FromCategory
	case organization != nil:
		return organization, FromOrganization
	}
	return nil, ""
}
