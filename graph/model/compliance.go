package model

import "github.com/itam-dev/itam/internal/licenses"

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
