package graph

import (
	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
)

// setSoftwareCatalogComplexity prices the catalog's connections by page size.
func setSoftwareCatalogComplexity(c *generated.ComplexityRoot) {
	type s = *string
	c.Query.SoftwarePublishers = func(child int, first *int, _ s, last *int, _ s, _ *model.NameFilter) int {
		return pageCost(child, first, last)
	}
	c.Query.SoftwareProducts = func(child int, first *int, _ s, last *int, _ s, _ *model.SoftwareProductFilter) int {
		return pageCost(child, first, last)
	}
	c.SoftwareProduct.Installations = func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
}
