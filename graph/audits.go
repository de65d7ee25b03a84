package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for audit campaigns, audit dates and ghost assets (helpers of
// graph/audits.resolvers.go). They translate; internal/audits decides and
// postgres.AuditCampaignStore applies.

func campaignID(c *audits.Campaign) uuid.UUID { return c.ID }

// campaignNode loads one for node(id:) through the request's batching
// loader: nil when missing, FORBIDDEN for an EMPLOYEE (node shows null).
func (r *Resolver) campaignNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, loaders.For(ctx).Audits(r.Audits).Campaign.LoadThunk(ctx, id))
}

// campaignInput reads createAuditCampaign's input.
func campaignInput(in model.CreateAuditCampaignInput) (audits.CampaignInput, error) {
	loc, err := idOf("locationId", in.LocationID, relay.TypeLocation)
	if err != nil {
		return audits.CampaignInput{}, err
	}
	f, err := assetFilter(in.Filter.Value(), "filter")
	if err != nil {
		return audits.CampaignInput{}, err
	}
	if f == nil && in.Filter.Value() != nil {
		f = &itam.AssetFilter{}
	}
	return audits.CampaignInput{Name: in.Name, LocationID: loc, Filter: f, DueDate: in.DueDate}, nil
}

// scanInput reads recordAuditScan's input.
func scanInput(in model.RecordAuditScanInput) (audits.Scan, error) {
	c, err := relay.DecodeAs("campaignId", in.CampaignID, relay.TypeAuditCampaign)
	if err != nil {
		return audits.Scan{}, err
	}
	loc, err := relay.DecodeAs("locationId", in.LocationID, relay.TypeLocation)
	if err != nil {
		return audits.Scan{}, err
	}
	return audits.Scan{CampaignID: c, Code: in.Code, LocationID: loc, Condition: val(in.Condition)}, nil
}

func campaignPayload(c *audits.Campaign, err error) (*model.AuditCampaignPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.AuditCampaignPayload{AuditCampaign: c}, nil
}

// campaignCounts is AuditCampaign.counts, batched over the campaigns of the request.
func (r *Resolver) campaignCounts(ctx context.Context, campaign uuid.UUID) (*audits.Counts, error) {
	key, parentPath := nestedKey(ctx)
	c, err := loaders.Nested(ctx, key, parentPath, campaign, r.Audits.CountsOf)
	return &c, err
}

// campaignItems is AuditCampaign.items, batched over the campaigns of the
// request (one statement for a page of campaigns); the items' assets are
// recorded as siblings so their asset fields load in one batch too.
func (r *Resolver) campaignItems(ctx context.Context, campaign uuid.UUID, outcome *audits.Outcome, p itam.PageArgs) (*model.AuditItemConnection, error) {
	path := fieldPath(ctx)
	return nestedConnection(ctx, campaign, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*audits.Item], error) {
		pages, err := r.Audits.ItemsOf(ctx, parents, outcome, p)
		if err != nil {
			return nil, err
		}
		var assets []uuid.UUID
		for _, id := range parents {
			for _, it := range pages[id].Items {
				if it.AssetID != nil {
					assets = append(assets, *it.AssetID)
				}
			}
		}
		assets = distinctIDs(assets)
		for _, under := range []string{".nodes", ".edges.node"} {
			loaders.Siblings(ctx, path+under+seatAssetsOf, assets)
			loaders.Siblings(ctx, path+under+".asset", assets)
		}
		return pages, nil
	}, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.Audits.CountItemsOf(ctx, parents, outcome)
	})
}

// auditDates is Asset.lastAuditedAt and nextAuditDue, batched over the
// assets of the request: both fields share one statement per page.
func (r *Resolver) auditDates(ctx context.Context, asset uuid.UUID) (postgres.AuditDates, error) {
	_, parentPath := nestedKey(ctx)
	return loaders.Nested(ctx, "Asset:auditDates:"+parentPath, parentPath, asset, r.Audits.AuditDatesOf)
}

// ghostAssets is the ghostAssets query; the page's assets are siblings so
// their asset fields (bookValue included) load in one batch.
func (r *Resolver) ghostAssets(ctx context.Context, days int, p itam.PageArgs) (*model.GhostAssetConnection, error) {
	conn, err := listPage(ctx, days, p, r.Audits.GhostAssets, r.Audits.CountGhostAssets)
	if err != nil {
		return nil, err
	}
	path := fieldPath(ctx)
	ids := make([]uuid.UUID, len(conn.Page.Items))
	for i, g := range conn.Page.Items {
		ids[i] = g.AssetID
	}
	for _, under := range []string{".nodes", ".edges.node"} {
		loaders.Siblings(ctx, path+under+seatAssetsOf, ids)
		loaders.Siblings(ctx, path+under+".asset", ids)
	}
	return conn, nil
}

// setAuditComplexity prices the audit lists by page size (plus each
// filter condition of a campaign's scope, as an assets query would be),
// and Asset's audit dates as one field each.
func setAuditComplexity(c *generated.ComplexityRoot) {
	c.Query.AuditCampaigns = func(child int, first *int, _ *string, last *int, _ *string, _ *model.AuditCampaignFilter) int {
		return pageCost(child, first, last)
	}
	c.Query.GhostAssets = func(child int, _ int, first *int, _ *string) int { return pageCost(child, first, nil) }
	c.AuditCampaign.Items = func(child int, _ *audits.Outcome, first *int, _ *string, last *int, _ *string) int {
		return pageCost(child, first, last)
	}
	c.Mutation.CreateAuditCampaign = func(child int, in model.CreateAuditCampaignInput) int {
		return addCost(child, FilterLeafCost*filterLeaves(in.Filter.Value(), itam.MaxFilterLeaves+1))
	}
}
