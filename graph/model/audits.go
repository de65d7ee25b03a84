package model

import "github.com/itam-dev/itam/internal/audits"

// Connections of physical audits and ghost assets (graph/schema/audits.graphqls).
type (
	AuditCampaignConnection = Connection[*audits.Campaign]
	AuditCampaignEdge       = Edge[*audits.Campaign]
	AuditItemConnection     = Connection[*audits.Item]
	AuditItemEdge           = Edge[*audits.Item]
	GhostAssetConnection    = Connection[*audits.Ghost]
	GhostAssetEdge          = Edge[*audits.Ghost]
)
