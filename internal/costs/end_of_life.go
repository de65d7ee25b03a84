package costs

import (
	"time"

	"github.com/google/uuid"
)

// EndOfLifeFacts is what an asset's expected end of life is computed from,
// as the store loads it.
type EndOfLifeFacts struct {
	// Explicit is the end of life set on the asset.
	Explicit *time.Time
	// Leases are the contracts covering the asset (only LEASE ones count).
	Leases []Contract
	// InService and Purchased: the asset is placed in service on
	// InService, else on its purchase date.
	InService, Purchased *time.Time
	// ModelUsefulLife is the model's useful life in months.
	ModelUsefulLife *int
	// Profiles are the depreciation profile ids set on the asset, its
	// model, its category and the organization, and ProfileLives the
	// useful life in months of each profile among them.
	AssetProfile, ModelProfile, CategoryProfile, OrgProfile *uuid.UUID
	ProfileLives                                            map[uuid.UUID]int
}

// ExpectedEndOfLife is ExpectedEndOfLife over the facts: the explicit
// date, else the latest lease end, else placed in service (in-service
// date, else purchase date) + useful life, the model's, else that of the
// depreciation profile that applies (EffectiveProfile).
func (f EndOfLifeFacts) ExpectedEndOfLife() (*time.Time, string) {
	inService := f.InService
	if inService == nil {
		inService = f.Purchased
	}
	life := f.ModelUsefulLife
	if life == nil {
		if id, _ := EffectiveProfile(f.AssetProfile, f.ModelProfile, f.CategoryProfile, f.OrgProfile); id != nil {
			if months, ok := f.ProfileLives[*id]; ok {
				life = &months
			}
		}
	}
	return ExpectedEndOfLife(f.Explicit, LeaseEnd(f.Leases), inService, life)
}
