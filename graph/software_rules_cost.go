package graph

import (
	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
)

// setSoftwareRulesComplexity prices the title rule connections by page
// size, and testSoftwareTitleRules by its number of samples (each resolves
// a rule and a product).
func setSoftwareRulesComplexity(c *generated.ComplexityRoot) {
	type s = *string
	c.Query.SoftwareTitleRules = func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
	c.Query.SoftwareNormalizationRuns = func(child int, first *int, _ s, last *int, _ s) int { return pageCost(child, first, last) }
	c.Query.UnmatchedSoftwareTitles = func(child int, first *int, _ s, _ *model.UnmatchedSoftwareTitleFilter) int {
		return pageCost(child, first, nil)
	}
	c.Query.TestSoftwareTitleRules = func(child int, titles []*model.SoftwareTitleSample) int {
		return addCost(1, mulCost(child, len(titles)))
	}
}
