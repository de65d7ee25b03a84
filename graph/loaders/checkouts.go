package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/postgres"
)

// CheckoutLoaders batch asset checkouts by id (node(id:)).
type CheckoutLoaders struct {
	Checkout *dataloadgen.Loader[uuid.UUID, *lifecycle.Checkout]
}

// Checkouts returns the request's checkout loaders over s.
func (l *Loaders) Checkouts(s *postgres.CheckoutStore) *CheckoutLoaders {
	return l.chk.get(func() *CheckoutLoaders {
		return &CheckoutLoaders{Checkout: mapped(s.CheckoutsByIDs)}
	})
}
