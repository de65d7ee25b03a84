package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for the cost ledger, exchange rates and cost history (helpers of
// graph/cost_ledger.resolvers.go, kept out of it because gqlgen moves
// non-resolver code when it regenerates). They only translate: the rules
// are internal/costs', applied by the stores.

// costEntryNode loads one for node(id:); nil when missing or not visible
// (an EMPLOYEE sees no money: the store's FORBIDDEN reads as null there).
func (r *Resolver) costEntryNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, loaders.For(ctx).CostLedger(r.CostEntries).Entry.LoadThunk(ctx, id))
}

// setCostLedgerComplexity prices the cost ledger, exchange rates and cost
// history: every connection by its page size, the costEntries filter by
// its conditions like an asset filter's.
func setCostLedgerComplexity(c *generated.ComplexityRoot) {
	c.Query.CostEntries = func(child int, first *int, _ *string, last *int, _ *string, f *model.CostEntryFilter) int {
		return pageCost(child, first, last) + FilterLeafCost*entryFilterConditions(f)
	}
	c.Query.CostHistory = func(child int, _ string, first *int, _ *string, last *int, _ *string) int {
		return pageCost(child, first, last)
	}
	c.Query.ExchangeRates = filteredConnectionCost[*model.ExchangeRateFilter]
	c.Asset.CostEntries, c.License.CostEntries, c.Contract.CostEntries = connectionCost, connectionCost, connectionCost
	c.CostEntry.History, c.ExchangeRate.History = connectionCost, connectionCost
}

// entryFilterConditions counts the conditions a costEntries filter sets.
func entryFilterConditions(f *model.CostEntryFilter) int {
	if f == nil {
		return 0
	}
	return setCount(f.AssetID.Value() != nil, f.LicenseID.Value() != nil, f.ContractID.Value() != nil, f.Kinds.Value() != nil,
		f.SupplierID.Value() != nil, f.From.Value() != nil, f.To.Value() != nil, f.Search.Value() != nil)
}

// entryInput reads createCostEntry's input.
func entryInput(in model.CreateCostEntryInput) (costs.Entry, error) {
	e := costs.Entry{Kind: in.Kind, Date: in.Date, InvoiceReference: val(in.InvoiceReference), Notes: val(in.Notes)}
	if in.Amount != nil {
		e.Amount = *in.Amount
	}
	err := decodeEntryRefs("", &e.AssetID, &e.LicenseID, &e.ContractID, &e.SupplierID,
		val(in.AssetID), val(in.LicenseID), val(in.ContractID), val(in.SupplierID))
	return e, err
}

// decodeEntryRefs decodes the ids an entry or the ledger filter refers to
// (asset, license, contract, supplier), naming the field at fault under
// prefix ("" for a mutation's input, "filter." for the list's filter).
func decodeEntryRefs(prefix string, asset, license, contract, supplier **uuid.UUID, assetID, licenseID, contractID, supplierID *string) error {
	var err error
	for _, id := range []struct {
		dst   **uuid.UUID
		field string
		in    *string
		typ   string
	}{
		{asset, "assetId", assetID, relay.TypeAsset},
		{license, "licenseId", licenseID, relay.TypeLicense},
		{contract, "contractId", contractID, relay.TypeContract},
		{supplier, "supplierId", supplierID, relay.TypeSupplier},
	} {
		if *id.dst, err = relay.DecodeOptional(prefix+id.field, id.in, id.typ); err != nil {
			return err
		}
	}
	return nil
}

// entryPatch reads updateCostEntry's input: absent fields stay, null
// clears supplierId, invoiceReference or notes (and is ignored on kind,
// date and amount, which cannot be cleared).
func entryPatch(in model.UpdateCostEntryInput) (costs.EntryPatch, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypeCostEntry)
	if err != nil {
		return costs.EntryPatch{}, err
	}
	supplier, err := optID("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return costs.EntryPatch{}, err
	}
	return costs.EntryPatch{
		ID: id, Version: in.Version, Kind: val(in.Kind), Date: val(in.Date), Amount: val(in.Amount),
		SupplierID: supplier, InvoiceReference: opt(in.InvoiceReference), Notes: opt(in.Notes),
	}, nil
}

func entryPayload(e *costs.Entry, err error) (*model.CostEntryPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.CostEntryPayload{CostEntry: e}, nil
}

// entryFilter reads the costEntries filter.
func entryFilter(in *model.CostEntryFilter) (costs.EntryFilter, error) {
	if in == nil {
		return costs.EntryFilter{}, nil
	}
	if err := checkListFilter(in, val(in.Search)); err != nil {
		return costs.EntryFilter{}, err
	}
	f := costs.EntryFilter{Kinds: in.Kinds.Value(), From: val(in.From), To: val(in.To), Search: val(in.Search)}
	if err := decodeEntryRefs("filter.", &f.AssetID, &f.LicenseID, &f.ContractID, &f.SupplierID,
		val(in.AssetID), val(in.LicenseID), val(in.ContractID), val(in.SupplierID)); err != nil {
		return costs.EntryFilter{}, err
	}
	return f, f.Validate()
}

func entryID(e *costs.Entry) uuid.UUID { return e.ID }
func rateID(r costs.Rate) uuid.UUID    { return r.ID }

// costEntriesOf is Asset.costEntries, License.costEntries and
// Contract.costEntries, batched over every parent of the request's page
// (their list recorded them as siblings): one statement for the pages and
// one for the counts, whatever the page size.
func (r *Resolver) costEntriesOf(ctx context.Context, of postgres.EntryTarget, parent uuid.UUID, p itam.PageArgs) (*model.CostEntryConnection, error) {
	path := fieldPath(ctx)
	return nestedConnection(ctx, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*costs.Entry], error) {
		pages, err := r.CostEntries.EntriesOf(ctx, of, parents, p)
		if err != nil {
			return nil, err
		}
		var all []*costs.Entry
		for _, id := range parents {
			all = append(all, pages[id].Items...)
		}
		entrySiblings(ctx, path, all)
		return pages, nil
	}, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.CostEntries.CountEntriesOf(ctx, of, parents)
	})
}

// costHistoryOf is the history connection of every money record (cost
// entry, contract, depreciation profile, exchange rate): cost_history is
// read by entity id alone, so one batch serves the records of a list.
func (r *Resolver) costHistoryOf(ctx context.Context, parent uuid.UUID, p itam.PageArgs) (*model.CostHistoryConnection, error) {
	return nestedConnection(ctx, parent, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[costs.HistoryEntry], error) {
		return r.CostHistory.HistoriesOf(ctx, parents, p)
	}, r.CostHistory.CountHistoriesOf)
}

// costHistoryTypes are the relay types costHistory(id:) reads: the money
// records with a global id (exchange rates have none; their history is
// kept all the same).
var costHistoryTypes = []string{relay.TypeCostEntry, relay.TypeContract, relay.TypeDepreciationProfile}

// costHistoryID decodes costHistory's id: a malformed id, or one of
// another type, is BAD_USER_INPUT on id.
func costHistoryID(global string) (uuid.UUID, error) {
	typ, id, ok := relay.Parse(global)
	if !ok {
		return uuid.Nil, itam.Invalid("id", "not a valid id")
	}
	for _, t := range costHistoryTypes {
		if typ == t {
			return id, nil
		}
	}
	return uuid.Nil, itam.Invalid("id", "costHistory reads the history of a CostEntry, Contract or DepreciationProfile")
}

// entryAssetsOf suffixes the path of a list of entries to name the set of
// their assets (recorded by the list, read by entryAsset).
const entryAssetsOf = "#assets"

// entrySiblings records a list of entries at path, and their assets, so
// the entries' nested fields (history, asset) batch over all of them.
func entrySiblings(ctx context.Context, path string, entries []*costs.Entry) {
	siblings(ctx, path, entries, entryID)
	var assets []uuid.UUID
	for _, e := range entries {
		assets = appendID(assets, e.AssetID)
	}
	assets = distinctIDs(assets)
	for _, under := range []string{".nodes", ".edges.node"} {
		loaders.Siblings(ctx, path+under+entryAssetsOf, assets)
	}
}

// entryAsset is CostEntry.asset with the relations its selection asks for,
// batched over the assets of every entry of its list: the first entry to
// resolve loads them all and their relations in one assetNodes call.
func (r *Resolver) entryAsset(ctx context.Context, id *uuid.UUID) (*model.Asset, error) {
	if id == nil {
		return nil, nil
	}
	key, parentPath := nestedKey(ctx)
	sel := fieldSelection(ctx)
	return loaders.Nested(ctx, key, parentPath+entryAssetsOf, *id, func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*model.Asset, error) {
		found, err := r.AssetStore.AssetsByIDs(ctx, ids)
		if err != nil {
			return nil, err
		}
		list := make([]*itam.Asset, 0, len(found))
		for _, a := range found {
			list = append(list, a)
		}
		return r.assetNodesByID(ctx, list, sel)
	})
}

// rateFilter reads the exchangeRates filter.
func rateFilter(in *model.ExchangeRateFilter) (costs.RateFilter, error) {
	if in == nil {
		return costs.RateFilter{}, nil
	}
	if err := checkInput("filter", in); err != nil {
		return costs.RateFilter{}, err
	}
	return costs.RateFilter{From: val(in.From), To: val(in.To)}.Normalize()
}

// checkPair checks setExchangeRate's and deleteExchangeRate's currency
// arguments as text (a megabyte "currency" is refused before any message
// quotes it).
func checkPair(from, to string) error {
	return checkInput("", struct {
		From string `json:"from"`
		To   string `json:"to"`
	}{from, to})
}
