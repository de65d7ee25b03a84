package graph

import (
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/tickets"
)

// Resolver is the root of the GraphQL resolvers. Resolvers translate between
// GraphQL and the domain and nothing more: rules (roles, validation,
// lifecycle) live in the stores and internal packages they call.
type Resolver struct {
	// One store per entity. Each is named for its type, not Assets or
	// People: queryResolver has methods of those names, which would hide them.
	AssetStore        *postgres.AssetStore
	PersonStore       *postgres.PersonStore
	TeamStore         *postgres.TeamStore
	LocationStore     *postgres.LocationStore
	ModelStore        *postgres.ModelStore // manufacturers, categories and models
	SupplierStore     *postgres.SupplierStore
	OrganizationStore *postgres.OrganizationStore
	ProvenanceStore   *postgres.ProvenanceStore // sync conflicts, field precedence
	RelationStore     *postgres.RelationStore   // what a page of assets refers to

	// License positions, reclaim candidates, expiring licenses, evidence.
	Compliance *postgres.LicenseComplianceStore

	// Connectors (graph/connectors.resolvers.go). PublicURL is the server's
	// external base URL for webhook URLs; empty shows them as paths.
	Connectors *postgres.ConnectorStore
	// ConnectorEdits creates and updates connectors under internal/connector's rules.
	ConnectorEdits *connector.Service
	ConnectorCheck *connectorcheck.Checker
	PublicURL      string
	// Push: refused ITSM write-backs (graph/connector_push.resolvers.go).
	Push *postgres.PushStore

	// Software publishers and products (graph/software.resolvers.go).
	SoftwareCatalog *postgres.SoftwareCatalogStore
	// LicenseStore: licenses, seats, history, sealed keys (graph/licenses.go).
	LicenseStore *postgres.LicenseStore
	// SoftwareRules: software title rules and re-normalization runs.
	SoftwareRules *postgres.SoftwareRuleStore

	// Money (graph/schema/depreciation.graphqls, cost_ledger.graphqls,
	// contracts.graphqls, cost_reports.graphqls).
	DepreciationProfiles *postgres.DepreciationProfileStore
	CostEntries          *postgres.CostEntryStore
	CostHistory          *postgres.CostHistoryStore
	ExchangeRates        *postgres.ExchangeRateStore
	Contracts            *postgres.ContractStore
	CostReports          *postgres.CostReportStore

	// Notifications: the feed and its settings; Webhooks: outgoing
	// webhook subscriptions and their deliveries (graph/notifications.go).
	Notifications *postgres.NotificationStore
	Webhooks      *postgres.WebhookStore
	// Offboarding checklists and exceptions (graph/offboarding.go).
	Offboarding *postgres.OffboardingStore
	// Checkouts reads asset checkouts and records acceptance (graph/schema/checkouts.graphqls).
	Checkouts *postgres.CheckoutStore
	// Purchase orders (graph/schema/procurement.graphqls).
	PurchaseOrders *postgres.PurchaseOrderStore
	// Physical audits and ghost assets (graph/schema/audits.graphqls).
	Audits *postgres.AuditCampaignStore
	// Disposals and sanitization records; history labels and the audit
	// feed (graph/schema/disposal.graphqls, history_feed.graphqls).
	Sanitization *postgres.SanitizationStore
	History      *postgres.HistoryStore
	// ITSM tickets of assets (graph/schema/tickets.graphqls).
	TicketService *tickets.Service
	// List exports: the store checks what a link names, the signer makes
	// the links (graph/schema/exports.graphqls, graph/exports.go).
	Exports     exports.Store
	ExportLinks *exports.Signer
	// Spreadsheet imports and saved mappings (graph/schema/imports.graphqls).
	Imports *imports.Service
}
