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

// catalogKey holds a request's CatalogLoaders in its nested map, whose
// other keys are field keys (strings), so New and Loaders stay as they are.
type catalogKey struct{}

// SoftwareCatalog returns the request's catalog loaders over s, built on
// first use (most requests never touch the catalog).
func (l *Loaders) SoftwareCatalog(s *postgres.SoftwareCatalogStore) *CatalogLoaders {
	if v, ok := l.nested.Load(catalogKey{}); ok {
		return v.(*CatalogLoaders)
	}
	v, _ := l.nested.LoadOrStore(catalogKey{}, &CatalogLoaders{Publisher: mapped(s.PublishersByIDs), Product: mapped(s.ProductsByIDs)})
	return v.(*CatalogLoaders)
}
