package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/relay"
)

// Helpers of graph/compliance.resolvers.go (kept out of it: gqlgen moves
// non-resolver code out of resolver files when it regenerates).

// complianceFilter decodes licenseCompliance's filter.
func complianceFilter(in *model.LicenseComplianceFilter) (licenses.ComplianceFilter, error) {
	var f licenses.ComplianceFilter
	if in == nil {
		return f, nil
	}
	var err error
	if f.ProductID, err = relay.DecodeOptional("filter.productId", in.ProductID.Value(), relay.TypeSoftwareProduct); err != nil {
		return f, err
	}
	if f.PublisherID, err = relay.DecodeOptional("filter.publisherId", in.PublisherID.Value(), relay.TypeSoftwarePublisher); err != nil {
		return f, err
	}
	f.Status = in.Status.Value()
	return f, nil
}

// positionNodes returns the positions with their products when those are
// selected: every product of the report in one query.
func (r *Resolver) positionNodes(ctx context.Context, ps []licenses.Position) ([]*model.LicenseCompliance, error) {
	out := make([]*model.LicenseCompliance, len(ps))
	for i := range ps {
		out[i] = &model.LicenseCompliance{Position: &ps[i]}
	}
	if len(ps) == 0 || !fieldSelection(ctx).has("product") {
		return out, nil
	}
	ids := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		ids[i] = p.ProductID
	}
	products, err := r.SoftwareCatalog.ProductsByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, row := range out {
		row.Product = products[row.ProductID]
	}
	return out, nil
}

// evidenceConnection wraps a page of evidence, attaching the rows' assets
// (and what is selected on them) in one batch; totalCount is counted only
// when asked.
func (r *Resolver) evidenceConnection(ctx context.Context, product uuid.UUID, page itam.Page[*licenses.Evidence]) (*model.LicenseEvidenceConnection, error) {
	rows := make([]*model.LicenseEvidence, len(page.Items))
	for i, e := range page.Items {
		rows[i] = &model.LicenseEvidence{Evidence: e}
	}
	if assetSel, ok := nodeSelection(ctx)["asset"]; ok && len(rows) > 0 {
		var ids []uuid.UUID
		for _, e := range page.Items {
			ids = appendID(ids, e.AssetID)
		}
		byID, err := r.loadAssetNodes(ctx, ids, assetSel)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			if row.AssetID != nil {
				row.Asset = byID[*row.AssetID]
			}
		}
	}
	conn := &model.LicenseEvidenceConnection{Page: itam.Page[*model.LicenseEvidence]{Items: rows, Cursors: page.Cursors,
		HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage}}
	conn.Count = func(ctx context.Context) (int, error) { return r.Compliance.CountLicenseEvidence(ctx, product) }
	return conn, nil
}

// setComplianceComplexity prices the compliance lists: a list costs its
// child's complexity times its bound, so a report's nested fields are paid
// per row. licenseCompliance has one row per product and no bound of its
// own; it is priced at the page maximum.
func setComplianceComplexity(c *generated.ComplexityRoot) {
	bound := func(first *int) int {
		if first == nil {
			return licenses.DefaultReportItems
		}
		return *first
	}
	c.Query.LicenseCompliance = func(child int, _ *model.LicenseComplianceFilter) int {
		return addCost(1, mulCost(child, itam.MaxPageSize))
	}
	c.Query.ReclaimCandidates = func(child int, _ *string, first *int) int { return addCost(1, mulCost(child, bound(first))) }
	c.Query.ExpiringLicenses = func(child int, _ int, first *int) int { return addCost(1, mulCost(child, bound(first))) }
	c.Query.LicenseEvidence = func(child int, _ string, first *int, _ *string) int { return pageCost(child, first, nil) }
}
