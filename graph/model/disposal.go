package model

import "github.com/itam-dev/itam/internal/itam"

type (
	DisposalConnection   = Connection[*itam.DisposalRecord]
	DisposalEdge         = Edge[*itam.DisposalRecord]
	AuditEventConnection = Connection[itam.AuditEvent]
	AuditEventEdge       = Edge[itam.AuditEvent]
)
