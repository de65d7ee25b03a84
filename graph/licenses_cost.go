package graph

import (
	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
)

// setLicenseComplexity prices the license connections by page size, the
// seat lists of people and assets as a default page each, and the bulk
// seat mutations by the number of items they return.
func setLicenseComplexity(c *generated.ComplexityRoot) {
	type s = *string
	c.Query.Licenses = func(child int, first *int, _ s, last *int, _ s, _ *model.LicenseFilter) int {
		return pageCost(child, first, last)
	}
	c.License.SeatAssignments = func(child int, first *int, _ s, last *int, _ s, _ *bool) int { return pageCost(child, first, last) }
	c.License.History = func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
	held := func(child int) int { return pageCost(child, nil, nil) }
	c.Person.LicenseSeats, c.Asset.LicenseSeats = held, held
	c.Mutation.AssignLicenseSeats = func(child int, in []*model.AssignLicenseSeatInput) int { return addCost(1, mulCost(child, len(in))) }
	c.Mutation.ReclaimLicenseSeats = func(child int, in []*model.ReclaimLicenseSeatInput) int { return addCost(1, mulCost(child, len(in))) }
}
