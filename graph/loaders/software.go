package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/software"
)

// CatalogLoaders batch software catalog lookups by id: a product's
// publisher, the product of an installation, a license or a title rule,
// node(id:). It is the one product loader: every role may read the
// catalog, and each product comes as the caller may see it (VisibleTo).
type CatalogLoaders struct {
	Publisher *dataloadgen.Loader[uuid.UUID, *software.Publisher]
	Product   *dataloadgen.Loader[uuid.UUID, *software.Product]
}

// SoftwareCatalog returns the request's catalog loaders over s.
func (l *Loaders) SoftwareCatalog(s *postgres.SoftwareCatalogStore) *CatalogLoaders {
	return l.catalog.get(func() *CatalogLoaders {
		return &CatalogLoaders{Publisher: mapped(s.PublishersByIDs), Product: mapped(s.ProductsByIDs)}
	})
}
