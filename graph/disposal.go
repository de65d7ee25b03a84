package graph

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

// maxExportRows bounds disposalCertificateExport, which answers in one
// string; the REST export streams any number.
const maxExportRows = 5000

// historyLoaders are the request's loaders for sanitization records.
func (r *Resolver) historyLoaders(ctx context.Context) *loaders.HistoryLoaders {
	return loaders.For(ctx).History(r.Sanitization)
}

// disposalFilter reads the disposals filter; the domain checks it.
func disposalFilter(in *model.DisposalFilter) (itam.DisposalFilter, error) {
	var f itam.DisposalFilter
	if in == nil {
		return f, nil
	}
	f.From, f.To = val(in.From), val(in.To)
	f.Methods, f.SanitizationMethods = in.Methods.Value(), in.SanitizationMethods.Value()
	return f, f.Validate()
}

// disposalSiblings records a page of disposals' assets, so their asset
// fields load in one batch (see seatAsset).
func disposalSiblings(ctx context.Context, items []*itam.DisposalRecord) {
	ids := make([]uuid.UUID, len(items))
	for i, d := range items {
		ids[i] = d.AssetID
	}
	path := fieldPath(ctx)
	for _, under := range []string{".nodes", ".edges.node"} {
		loaders.Siblings(ctx, path+under+seatAssetsOf, ids)
	}
}

// sanitizationInput reads disposeAsset's sanitization.
func sanitizationInput(in *model.SanitizationInput) *itam.Sanitization {
	if in == nil {
		return nil
	}
	return &itam.Sanitization{Method: in.Method, PerformedAt: in.PerformedAt, VerifiedBy: in.VerifiedBy,
		Tool: val(in.Tool), CertificateReference: val(in.CertificateReference)}
}

// setDisposalComplexity prices the disposal and audit feed connections
// by their page size and filters; the export as a full page of rows.
func setDisposalComplexity(c *generated.ComplexityRoot) {
	c.Query.Disposals = func(child int, first *int, _ *string, filter *model.DisposalFilter) int {
		return addCost(pageCost(child, first, nil), disposalFilterCost(filter))
	}
	c.Query.DisposalCertificateExport = func(int, time.Time, time.Time) int { return itam.MaxPageSize }
	c.Query.AuditEvents = func(child int, first *int, _ *string, filter *model.AuditEventFilter) int {
		return addCost(pageCost(child, first, nil), auditFilterCost(filter))
	}
}

// disposalFilterCost prices the disposals filter's conditions.
func disposalFilterCost(in *model.DisposalFilter) int {
	if in == nil {
		return 0
	}
	return FilterLeafCost * countSet(in.From.Value() != nil, in.To.Value() != nil, in.Methods.Value() != nil, in.SanitizationMethods.Value() != nil)
}

// auditFilterCost prices the audit feed filter's conditions.
func auditFilterCost(in *model.AuditEventFilter) int {
	if in == nil {
		return 0
	}
	return FilterLeafCost * countSet(in.ActorSubject.Value() != nil, in.EntityType.Value() != nil, in.From.Value() != nil, in.To.Value() != nil)
}

func countSet(set ...bool) int {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	return n
}
