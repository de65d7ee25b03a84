package graph

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for contracts, expected end of life and total cost of
// ownership (helpers of graph/contracts.resolvers.go). They translate; the
// rules are internal/costs', applied by postgres.ContractStore.

func contractID(c *costs.Contract) uuid.UUID { return c.ID }

// contractNode loads one for node(id:) and CostEntry.contract through the
// request's batching loader: nil when missing, FORBIDDEN for an EMPLOYEE
// (node(id:) shows both as null).
func (r *Resolver) contractNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, loaders.For(ctx).Contracts(r.Contracts).Contract.LoadThunk(ctx, id))
}

// chargesInput reads a list of charges.
func chargesInput(in []*model.ContractChargeInput) []costs.Charge {
	out := make([]costs.Charge, len(in))
	for i, ch := range in {
		if ch.Amount != nil {
			out[i].Amount = *ch.Amount
		}
		out[i].Every, out[i].Start, out[i].End = ch.Every, val(ch.Start), val(ch.End)
	}
	return out
}

// contractInput reads createContract's input.
func contractInput(in model.CreateContractInput) (costs.Contract, error) {
	supplier, err := idOf("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return costs.Contract{}, err
	}
	assets, err := idList("assetIds", in.AssetIds, relay.TypeAsset)
	if err != nil {
		return costs.Contract{}, err
	}
	lics, err := idList("licenseIds", in.LicenseIds, relay.TypeLicense)
	if err != nil {
		return costs.Contract{}, err
	}
	return costs.Contract{
		Kind: in.Kind, SupplierID: supplier, Number: val(in.Number), Start: in.Start, End: val(in.End),
		RenewalDate: val(in.RenewalDate), NoticeDate: val(in.NoticeDate), AssetIDs: assets, LicenseIDs: lics,
		Charges: chargesInput(in.Charges.Value()), Notes: val(in.Notes),
	}, nil
}

// contractPatch reads updateContract's input: absent stays, null clears;
// kind and start cannot be cleared (null is ignored); a list given (null:
// empty) replaces the stored one.
func contractPatch(in model.UpdateContractInput) (costs.ContractPatch, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypeContract)
	if err != nil {
		return costs.ContractPatch{}, err
	}
	supplier, err := optID("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return costs.ContractPatch{}, err
	}
	p := costs.ContractPatch{
		ID: id, Version: in.Version, Kind: val(in.Kind), SupplierID: supplier, Number: opt(in.Number), Start: val(in.Start),
		End: opt(in.End), RenewalDate: opt(in.RenewalDate), NoticeDate: opt(in.NoticeDate), Notes: opt(in.Notes),
	}
	if v, ok := in.AssetIds.ValueOK(); ok {
		ids, err := relay.DecodeList("assetIds", v, relay.TypeAsset)
		if err != nil {
			return p, err
		}
		ids = append([]uuid.UUID{}, ids...)
		p.AssetIDs = &ids
	}
	if v, ok := in.LicenseIds.ValueOK(); ok {
		ids, err := relay.DecodeList("licenseIds", v, relay.TypeLicense)
		if err != nil {
			return p, err
		}
		ids = append([]uuid.UUID{}, ids...)
		p.LicenseIDs = &ids
	}
	if v, ok := in.Charges.ValueOK(); ok {
		charges := chargesInput(v)
		p.Charges = &charges
	}
	return p, nil
}

func contractPayload(c *costs.Contract, err error) (*model.ContractPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.ContractPayload{Contract: c}, nil
}

// contractFilter reads the contracts query's filter.
func contractFilter(in *model.ContractFilter) (costs.ContractFilter, error) {
	if in == nil {
		return costs.ContractFilter{}, nil
	}
	if err := checkListFilter(in, in.Search.Value()); err != nil {
		return costs.ContractFilter{}, err
	}
	supplier, err := idOf("filter.supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return costs.ContractFilter{}, err
	}
	asset, err := idOf("filter.assetId", in.AssetID, relay.TypeAsset)
	if err != nil {
		return costs.ContractFilter{}, err
	}
	license, err := idOf("filter.licenseId", in.LicenseID, relay.TypeLicense)
	if err != nil {
		return costs.ContractFilter{}, err
	}
	f := costs.ContractFilter{Kinds: in.Kinds.Value(), SupplierID: supplier, AssetID: asset, LicenseID: license,
		ActiveOn: val(in.ActiveOn), NoticeWithinDays: val(in.NoticeWithinDays), Search: val(in.Search)}
	return f, f.Validate()
}

// contractsOf is Asset.contracts and License.contracts, batched over the
// parents of the request; the contracts found are siblings for their own
// nested fields.
func (r *Resolver) contractsOf(ctx context.Context, parent uuid.UUID, fetch func(context.Context, []uuid.UUID) (map[uuid.UUID][]*costs.Contract, error)) ([]*costs.Contract, error) {
	key, parentPath := nestedKey(ctx)
	path := fieldPath(ctx)
	out, err := loaders.Nested(ctx, key, parentPath, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID][]*costs.Contract, error) {
		m, err := fetch(ctx, parents)
		if err != nil {
			return nil, err
		}
		var ids []uuid.UUID
		for _, id := range parents {
			for _, c := range m[id] {
				ids = append(ids, c.ID)
			}
		}
		loaders.Siblings(ctx, path, distinctIDs(ids))
		return m, nil
	})
	if out == nil && err == nil {
		out = []*costs.Contract{}
	}
	return out, err
}

// coveredAssets is Contract.coveredAssets, batched over the contracts of
// the request, with the assets' relations in one assetNodes call.
func (r *Resolver) coveredAssets(ctx context.Context, contract uuid.UUID, p itam.PageArgs) (*model.AssetConnection, error) {
	return r.assetConnectionOf(ctx, contract, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*itam.Asset], error) {
		return r.Contracts.CoveredAssetsOf(ctx, parents, p)
	}, r.Contracts.CountCoveredAssetsOf)
}

// coveredLicenses is Contract.coveredLicenses, batched like coveredAssets.
func (r *Resolver) coveredLicenses(ctx context.Context, contract uuid.UUID, p itam.PageArgs) (*model.Connection[*licenses.License], error) {
	path := fieldPath(ctx)
	return nestedConnection(ctx, contract, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*licenses.License], error) {
		pages, err := r.Contracts.CoveredLicensesOf(ctx, parents, p)
		if err != nil {
			return nil, err
		}
		var all []*licenses.License
		for _, id := range parents {
			all = append(all, pages[id].Items...)
		}
		siblings(ctx, path, all, licenseID)
		return pages, nil
	}, r.Contracts.CountCoveredLicensesOf)
}

// totalCostOfOwnership is Asset.totalCostOfOwnership, batched over the
// assets of the request (siblings share the field's arguments).
func (r *Resolver) totalCostOfOwnership(ctx context.Context, asset uuid.UUID, from, to *time.Time, currency *string) (*model.CostBreakdown, error) {
	end := itam.CalendarDay(time.Now().UTC())
	if to != nil {
		end = itam.CalendarDay(*to)
	}
	from = itam.CalendarDayPtr(from)
	key, parentPath := nestedKey(ctx)
	res, err := loaders.Nested(ctx, key, parentPath, asset, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]postgres.TCOResult, error) {
		return r.Contracts.TotalCostsOfOwnership(ctx, parents, from, end, currency)
	})
	if err != nil {
		return nil, err
	}
	if res.Err != nil {
		return nil, res.Err
	}
	b := res.Breakdown
	out := &model.CostBreakdown{From: from, To: end, Total: nonNilMoney(b.Total), RatesUsed: b.Rates}
	if currency != nil {
		c, _ := itam.ParseCurrency(*currency)
		out.ReportingCurrency = &c
	}
	if out.RatesUsed == nil {
		out.RatesUsed = []costs.Rate{}
	}
	out.ByKind = []model.CostKindTotal{}
	for _, k := range costs.EntryKinds {
		if t, ok := b.ByKind[k]; ok {
			out.ByKind = append(out.ByKind, model.CostKindTotal{Kind: k, Total: nonNilMoney(t)})
		}
	}
	return out, nil
}

func nonNilMoney(t costs.Totals) []itam.Money {
	if t == nil {
		return []itam.Money{}
	}
	return t
}

// expectedEndOfLife is Asset.expectedEndOfLife, batched over the assets
// of the request.
func (r *Resolver) expectedEndOfLife(ctx context.Context, asset uuid.UUID) (*time.Time, error) {
	key, parentPath := nestedKey(ctx)
	return loaders.Nested(ctx, key, parentPath, asset, r.Contracts.ExpectedEndsOfLife)
}

// TCOCost is what one asset's totalCostOfOwnership adds to a query's
// complexity beyond its selection: it reads the asset's entries, contracts
// and seats and expands charges over its period, so a page of 500 assets
// selecting it is priced like 500 small connections.
const TCOCost = 50

// setContractComplexity prices contracts and total cost of ownership: the
// connections by page size (plus each filter condition), Asset.contracts,
// License.contracts and Contract.costLines as a default page, and
// totalCostOfOwnership as its breakdown plus TCOCost for the loads and
// the expansion behind it.
func setContractComplexity(c *generated.ComplexityRoot) {
	c.Query.Contracts = func(child int, first *int, _ *string, last *int, _ *string, f *model.ContractFilter) int {
		return pageCost(child, first, last) + FilterLeafCost*contractFilterLeaves(f)
	}
	c.Contract.CoveredAssets, c.Contract.CoveredLicenses, c.Contract.History = connectionCost, connectionCost, connectionCost
	c.Contract.CostLines = func(child int, _, _ time.Time) int { return pageCost(child, nil, nil) }
	held := func(child int) int { return pageCost(child, nil, nil) }
	c.Asset.Contracts, c.License.Contracts = held, held
	c.Asset.TotalCostOfOwnership = func(child int, _, _ *time.Time, _ *string) int { return addCost(child, TCOCost) }
}

// contractFilterLeaves counts the conditions a contracts filter sets.
func contractFilterLeaves(in *model.ContractFilter) int {
	if in == nil {
		return 0
	}
	return setCount(in.Kinds.Value() != nil, in.SupplierID.Value() != nil, in.AssetID.Value() != nil,
		in.LicenseID.Value() != nil, in.ActiveOn.Value() != nil, in.NoticeWithinDays.Value() != nil, in.Search.Value() != nil)
}

// contractLists are the coverage lists a contract input may carry beyond
// the usual 100 items (the domain bounds them the same way).
var contractLists = map[string]int{"assetIds": costs.MaxContractAssets, "licenseIds": costs.MaxContractLicenses}
