package graph

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/relay"
)

// Helpers of graph/licenses.resolvers.go (kept out of it: gqlgen moves
// non-resolver code out of resolver files when it regenerates). They only
// translate: the rules are internal/licenses', applied by the store.

func licenseID(l *licenses.License) uuid.UUID { return l.ID }

// licenseInput reads createLicense's input.
func licenseInput(in model.CreateLicenseInput) (licenses.Input, error) {
	product, err := relay.DecodeAs("productId", in.ProductID, relay.TypeSoftwareProduct)
	if err != nil {
		return licenses.Input{}, err
	}
	supplier, err := idOf("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return licenses.Input{}, err
	}
	return licenses.Input{
		ProductID: product, Name: val(in.Name), Model: in.LicenseModel, Editions: in.Editions.Value(), Versions: in.Versions.Value(),
		Seats: val(in.Seats), SeatCost: val(in.SeatCost), TotalCost: val(in.TotalCost), BillingPeriod: val(in.BillingPeriod),
		TermStart: val(in.TermStart), TermEnd: val(in.TermEnd), RenewalDate: val(in.RenewalDate), AutoRenew: val(in.AutoRenew),
		SupplierID: supplier, PurchaseOrder: val(in.PurchaseOrder), ContractReference: val(in.ContractReference),
		Key: val(in.LicenseKey), Notes: val(in.Notes),
	}, nil
}

// licensePatch reads updateLicense's input: an absent field stays as it
// is, null clears it (licenseKey: null removes the key). Fields that
// cannot be cleared (productId, licenseModel, billingPeriod, autoRenew)
// ignore null.
func licensePatch(in model.UpdateLicenseInput) (licenses.Patch, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypeLicense)
	if err != nil {
		return licenses.Patch{}, err
	}
	product, err := idOf("productId", in.ProductID, relay.TypeSoftwareProduct)
	if err != nil {
		return licenses.Patch{}, err
	}
	supplier, err := optID("supplierId", in.SupplierID, relay.TypeSupplier)
	if err != nil {
		return licenses.Patch{}, err
	}
	p := licenses.Patch{
		ID: id, Version: in.Version, ProductID: product, Name: opt(in.Name), Model: val(in.LicenseModel),
		Seats: opt(in.Seats), SeatCost: opt(in.SeatCost), TotalCost: opt(in.TotalCost), BillingPeriod: val(in.BillingPeriod),
		TermStart: opt(in.TermStart), TermEnd: opt(in.TermEnd), RenewalDate: opt(in.RenewalDate), AutoRenew: val(in.AutoRenew),
		SupplierID: supplier, PurchaseOrder: opt(in.PurchaseOrder), ContractReference: opt(in.ContractReference),
		Key: opt(in.LicenseKey), Notes: opt(in.Notes),
	}
	if v, ok := in.Editions.ValueOK(); ok {
		p.Editions = &v
	}
	if v, ok := in.Versions.ValueOK(); ok {
		p.Versions = &v
	}
	return p, nil
}

func licensePayload(l *licenses.License, err error) (*model.LicensePayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.LicensePayload{License: l}, nil
}

// seatInput reads one assignLicenseSeat(s) item.
func seatInput(in model.AssignLicenseSeatInput) (licenses.SeatInput, error) {
	license, err := relay.DecodeAs("licenseId", in.LicenseID, relay.TypeLicense)
	if err != nil {
		return licenses.SeatInput{}, err
	}
	person, err := idOf("personId", in.PersonID, relay.TypePerson)
	if err != nil {
		return licenses.SeatInput{}, err
	}
	asset, err := idOf("assetId", in.AssetID, relay.TypeAsset)
	if err != nil {
		return licenses.SeatInput{}, err
	}
	return licenses.SeatInput{LicenseID: license, PersonID: person, AssetID: asset}, nil
}

// reclaimInput reads one reclaimLicenseSeat(s) item.
func reclaimInput(in model.ReclaimLicenseSeatInput) (licenses.ReclaimInput, error) {
	seat, err := relay.DecodeAs("seatId", in.SeatID, relay.TypeLicenseSeat)
	if err != nil {
		return licenses.ReclaimInput{}, err
	}
	return licenses.ReclaimInput{SeatID: seat, Reason: in.Reason}, nil
}

func seatPayload(s *licenses.Seat, err error) (*model.LicenseSeatPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.LicenseSeatPayload{Seat: s}, nil
}

// bulkSeats runs a bulk seat mutation: items whose input cannot be read
// (a malformed id, a NUL) are refused on their own, the others go to the
// store in one call, which applies or refuses each of them; results keep
// the input's order and indices.
func bulkSeats[In, Item any](ctx context.Context, input []*In, read func(In) (Item, error),
	apply func(context.Context, []Item) ([]licenses.SeatResult, error)) (*model.BulkLicenseSeatPayload, error) {
	if err := licenses.CheckBulk(len(input)); err != nil {
		return nil, err
	}
	out := &model.BulkLicenseSeatPayload{Results: make([]*model.LicenseSeatResult, len(input))}
	items := make([]Item, 0, len(input))
	at := make([]int, 0, len(input))
	for i, in := range input {
		out.Results[i] = &model.LicenseSeatResult{Index: i}
		var item Item
		err := checkInput("", in)
		if err == nil {
			item, err = read(*in)
		}
		if err != nil {
			var e *itam.Error
			if !errors.As(err, &e) {
				return nil, err
			}
			out.Results[i].Error = userError(e)
			continue
		}
		items, at = append(items, item), append(at, i)
	}
	// Called even with no readable item, so the caller's role is checked.
	res, err := apply(ctx, items)
	if err != nil {
		return nil, err
	}
	for k, r := range res {
		out.Results[at[k]].Seat = r.Seat
		if r.Err != nil {
			out.Results[at[k]].Error = userError(r.Err)
		}
	}
	for _, r := range out.Results {
		if r.Error != nil {
			out.Failed++
		} else {
			out.Succeeded++
		}
	}
	return out, nil
}

// userError is a refused item's error as extensions would carry it.
func userError(e *itam.Error) *model.UserError {
	u := &model.UserError{Code: string(e.Code), Message: e.Message}
	if e.Field != "" {
		u.Field = &e.Field
	}
	return u
}

// licenseFilter reads the licenses query's filter.
func licenseFilter(in *model.LicenseFilter) (licenses.Filter, error) {
	if in == nil {
		return licenses.Filter{}, nil
	}
	if err := checkListFilter(in, in.Search.Value()); err != nil {
		return licenses.Filter{}, err
	}
	product, err := idOf("filter.productId", in.ProductID, relay.TypeSoftwareProduct)
	if err != nil {
		return licenses.Filter{}, err
	}
	publisher, err := idOf("filter.publisherId", in.PublisherID, relay.TypeSoftwarePublisher)
	if err != nil {
		return licenses.Filter{}, err
	}
	return licenses.Filter{ProductID: product, PublisherID: publisher, Model: val(in.LicenseModel), Search: val(in.Search), Active: val(in.Active)}, nil
}

// licenseSeatAssignments is License.seatAssignments, batched over every
// license the request resolves it on (see nested.go).
func (r *Resolver) licenseSeatAssignments(ctx context.Context, license uuid.UUID, includeReclaimed bool, p itam.PageArgs) (*model.LicenseSeatConnection, error) {
	path := fieldPath(ctx)
	return nestedConnection(ctx, license, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[*licenses.Seat], error) {
		pages, err := r.LicenseStore.SeatsOf(ctx, parents, includeReclaimed, p)
		if err != nil {
			return nil, err
		}
		// The holders of every page are siblings: their own nested fields
		// (a person's licenseSeats) batch over all of them.
		var people, assets []uuid.UUID
		for _, pg := range pages {
			for _, s := range pg.Items {
				people, assets = appendID(people, s.PersonID), appendID(assets, s.AssetID)
			}
		}
		people, assets = distinctIDs(people), distinctIDs(assets)
		for _, under := range []string{".nodes", ".edges.node"} {
			loaders.Siblings(ctx, path+under+".person", people)
			loaders.Siblings(ctx, path+under+".asset", assets)
			loaders.Siblings(ctx, path+under+seatAssetsOf, assets)
		}
		return pages, nil
	}, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]int, error) {
		return r.LicenseStore.CountSeatsOf(ctx, parents, includeReclaimed)
	})
}

// licenseHistory is License.history, batched like licenseSeatAssignments.
func (r *Resolver) licenseHistory(ctx context.Context, license uuid.UUID, p itam.PageArgs) (*model.LicenseHistoryConnection, error) {
	return nestedConnection(ctx, license, func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]itam.Page[licenses.HistoryEntry], error) {
		return r.LicenseStore.HistoriesOf(ctx, parents, p)
	}, r.LicenseStore.CountHistoriesOf)
}

// heldSeats is Person.licenseSeats and Asset.licenseSeats: the active seats
// of every person (or asset) of the request's page in one statement.
func (r *Resolver) heldSeats(ctx context.Context, holder uuid.UUID, fetch func(context.Context, []uuid.UUID) (map[uuid.UUID][]*licenses.Seat, error)) ([]*licenses.Seat, error) {
	key, parentPath := nestedKey(ctx)
	path := fieldPath(ctx)
	seats, err := loaders.Nested(ctx, key, parentPath, holder, func(ctx context.Context, holders []uuid.UUID) (map[uuid.UUID][]*licenses.Seat, error) {
		m, err := fetch(ctx, holders)
		var assets []uuid.UUID
		for _, seats := range m {
			for _, s := range seats {
				assets = appendID(assets, s.AssetID)
			}
		}
		loaders.Siblings(ctx, path+seatAssetsOf, distinctIDs(assets))
		return m, err
	})
	if seats == nil && err == nil {
		seats = []*licenses.Seat{}
	}
	return seats, err
}

// seatAssetsOf suffixes the path of a list of seats to name the set of
// their assets (recorded by the list, read by seatAsset).
const seatAssetsOf = "#assets"

// seatAsset is LicenseSeat.asset with its relations, batched over the
// assets of every seat of the list it belongs to: the list records their
// ids (seatAssetsOf), and the first seat to resolve loads them all and
// their relations in one assetNodes call.
func (r *Resolver) seatAsset(ctx context.Context, asset *uuid.UUID) (*model.Asset, error) {
	if asset == nil {
		return nil, nil
	}
	key, parentPath := nestedKey(ctx)
	sel := fieldSelection(ctx)
	return loaders.Nested(ctx, key, parentPath+seatAssetsOf, *asset, func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*model.Asset, error) {
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
