package model

import "github.com/itam-dev/itam/internal/software"

// Connections of the software title rules API (issue 9).
type (
	SoftwareTitleRuleConnection        = Connection[*software.Rule]
	SoftwareTitleRuleEdge              = Edge[*software.Rule]
	SoftwareNormalizationRunConnection = Connection[*software.NormalizationRun]
	SoftwareNormalizationRunEdge       = Edge[*software.NormalizationRun]
	UnmatchedSoftwareTitleConnection   = Connection[*software.UnmatchedTitle]
	UnmatchedSoftwareTitleEdge         = Edge[*software.UnmatchedTitle]
)
