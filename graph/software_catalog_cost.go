package graph

import (
	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
)

// setSoftwareCatalogComplexity prices the catalog's connections by page size.
func setSoftwareCatalogComplexity(c *generated.ComplexityRoot) {
	c.Query.SoftwarePublishers = filteredConnectionCost[*model.NameFilter]
	c.Query.SoftwareProducts = filteredConnectionCost[*model.SoftwareProductFilter]
	c.SoftwareProduct.Installations = connectionCost
	c.SoftwarePublisher.History, c.SoftwareProduct.History = connectionCost, connectionCost
}
