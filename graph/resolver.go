package graph

import (
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/postgres"
)

// Resolver is the root of the GraphQL resolvers. Resolvers translate between
// GraphQL and the domain and nothing more: rules (roles, validation,
// lifecycle) live in the stores and internal packages they call.
type Resolver struct {
	// AssetStore is not named Assets: queryResolver has an Assets method.
	AssetStore *postgres.AssetStore
	Catalog    *postgres.Catalog

	// Connectors (graph/connectors.resolvers.go). PublicURL is the server's
	// external base URL for webhook URLs; empty shows them as paths.
	Connectors *postgres.ConnectorStore
	// ConnectorEdits creates and updates connectors under internal/connector's rules.
	ConnectorEdits *connector.Service
	ConnectorCheck *connectorcheck.Checker
	PublicURL      string
}
