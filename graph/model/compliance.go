package model

import (
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/software"
)

// LicenseEvidence is a row of audit evidence with its asset attached, so a
// page's assets and their relations load in one batch (see
// graph.Resolver.evidenceNodes) instead of one per row.
type LicenseEvidence struct {
	*licenses.Evidence
	Asset *Asset
}

// The audit evidence connection (licenseEvidence) is a keyset page whose
// totalCount is counted only when asked.
type (
	LicenseEvidenceConnection = Connection[*LicenseEvidence]
	LicenseEvidenceEdge       = Edge[*LicenseEvidence]
)

// LicenseCompliance is one product's position with its product attached:
// the report reads every product in one query, and a field bound to a
// struct field resolves inline, where a resolver per row (5,000 in a
// report) cost a goroutine and a loader call each.
type LicenseCompliance struct {
	*licenses.Position
	Product *software.Product
}
