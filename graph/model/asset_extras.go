package model

import (
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// EffectiveEndOfLife is Asset.endOfLife: the date set on the asset, else
// the purchase date plus the model's useful life (itam.EndOfLife). The
// model is the one assetNodes attaches whenever endOfLife or
// endOfLifeSource is selected, read with the page's other relations.
func (a *Asset) EffectiveEndOfLife() *time.Time {
	d, _ := a.endOfLife()
	return d
}

// EffectiveEndOfLifeSource is Asset.endOfLifeSource; nil without an end of life.
func (a *Asset) EffectiveEndOfLifeSource() *itam.EndOfLifeSource {
	_, src := a.endOfLife()
	if src == "" {
		return nil
	}
	return &src
}

func (a *Asset) endOfLife() (*time.Time, itam.EndOfLifeSource) {
	var life *int
	if a.Model != nil && a.Model.Model != nil {
		life = a.Model.UsefulLifeMonths
	}
	return itam.EndOfLife(a.EndOfLife, a.PurchaseDate, life)
}
