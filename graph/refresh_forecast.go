package graph

import "github.com/itam-dev/itam/graph/generated"

// setRefreshForecastComplexity prices the report (TODO(money): being built).
func setRefreshForecastComplexity(c *generated.ComplexityRoot) {}
