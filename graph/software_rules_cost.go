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
}
