package graph

import (
	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
)

// setSoftwareRulesComplexity prices the title rule connections by page
// size, and testSoftwareTitleRules by its number of samples (each resolves
// a rule and a product).
func setSoftwareRulesComplexity(c *generated.ComplexityRoot) {
	c.Query.SoftwareTitleRules, c.Query.SoftwareNormalizationRuns = connectionCost, connectionCost
	c.SoftwareTitleRule.History = connectionCost
	c.Query.UnmatchedSoftwareTitles = func(child int, first *int, _ *string, _ *model.UnmatchedSoftwareTitleFilter) int {
		return pageCost(child, first, nil)
	}
	c.Query.TestSoftwareTitleRules = perItemCost[*model.SoftwareTitleSample]
	// A device's software is an unpaged list: price it at a typical
	// device's count, so 500 assets with their software cost what they read.
	c.Asset.Software = func(child int, _ *bool) int { return addCost(1, mulCost(child, installationsPerDevice)) }
	c.LicenseEvidence.Installations = func(child int) int { return addCost(1, mulCost(child, installationsPerDevice)) }
}

// installationsPerDevice is the cost model's installations per device:
// `itam seed`'s default, about what an office laptop reports.
const installationsPerDevice = 10
