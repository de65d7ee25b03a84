package graph

import (
	"context"
	"encoding/json"

	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// changeValue is a history change's side as the API shows it: a reference
// (itam.RefTypes) as the global id of what it points at, so node(id:)
// resolves it; anything else (null, "[redacted]", plain values) as recorded.
func changeValue(field string, v json.RawMessage) any {
	ref, ok := itam.RefOf(field, v)
	if !ok {
		return v
	}
	b, _ := json.Marshal(globalRef(ref))
	return json.RawMessage(b)
}

// globalRef is a reference's global id. Every type in itam.RefTypes and
// every audit entity type but ExchangeRate has a relay code (see
// TestRefTypesHaveGlobalIDs).
func globalRef(ref itam.Ref) string { return relay.ID(ref.Type, ref.ID) }

// refLabel is a reference's display label as the history store read it
// (itam.labelled_changes: the referent's current label, else the recorded
// one); nil for a side that is not a reference (null, "[redacted]").
func refLabel(field string, v json.RawMessage, label *string) *string {
	if _, ok := itam.RefOf(field, v); !ok {
		return nil
	}
	return label
}

// refNode resolves a reference like node(id:): null when deleted or hidden.
func (r *Resolver) refNode(ctx context.Context, ref itam.Ref) (model.Node, error) {
	nodes, err := r.loadNodes(ctx, []string{globalRef(ref)})
	if err != nil {
		return nil, err
	}
	return nodes[0], nil
}

// eventRef is what an audit event is about, when that is a Node.
func eventRef(e *itam.AuditEvent) (itam.Ref, bool) {
	typ := e.EntityType.NodeType()
	if typ == "" || typ == "ExchangeRate" {
		return itam.Ref{}, false
	}
	return itam.Ref{Type: typ, ID: e.EntityID}, true
}
