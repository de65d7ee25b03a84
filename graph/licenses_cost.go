package graph

import (
	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
)

// setLicenseComplexity prices the license connections by page size, the
// seat lists of people and assets as a default page each, and the bulk
// seat mutations by the number of items they return.
func setLicenseComplexity(c *generated.ComplexityRoot) {
	c.Query.Licenses = filteredConnectionCost[*model.LicenseFilter]
	c.License.SeatAssignments = filteredConnectionCost[*bool]
	c.License.History = connectionCost
	held := func(child int) int { return pageCost(child, nil, nil) }
	c.Person.LicenseSeats, c.Asset.LicenseSeats = held, held
	c.Mutation.AssignLicenseSeats = perItemCost[*model.AssignLicenseSeatInput]
	c.Mutation.ReclaimLicenseSeats = perItemCost[*model.ReclaimLicenseSeatInput]
}
