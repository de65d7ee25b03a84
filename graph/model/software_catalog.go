package model

import "github.com/itam-dev/itam/internal/software"

// The software catalog's connections count only when totalCount is asked.
type (
	SoftwarePublisherConnection    = Connection[*software.Publisher]
	SoftwareProductConnection      = Connection[*software.Product]
	SoftwareInstallationConnection = Connection[*software.Installation]
	SoftwarePublisherEdge          = Edge[*software.Publisher]
	SoftwareProductEdge            = Edge[*software.Product]
	SoftwareInstallationEdge       = Edge[*software.Installation]
)
