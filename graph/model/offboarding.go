package model

import "github.com/itam-dev/itam/internal/offboarding"

// Connections of offboarding (graph/schema/offboarding.graphqls).
type (
	OffboardingChecklistConnection = Connection[*offboarding.Checklist]
	OffboardingChecklistEdge       = Edge[*offboarding.Checklist]
	OffboardingExceptionConnection = Connection[*offboarding.Exception]
	OffboardingExceptionEdge       = Edge[*offboarding.Exception]
)
