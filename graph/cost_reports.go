package graph

import "github.com/itam-dev/itam/graph/generated"

// setCostReportComplexity prices the report (TODO(money): being built).
func setCostReportComplexity(c *generated.ComplexityRoot) {}
