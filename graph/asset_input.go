package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// assetQuery converts GraphQL filter and order arguments to the store's query.
func assetQuery(filter *model.AssetFilter, orderBy *model.AssetOrder) (itam.AssetQuery, error) {
	f, err := assetFilter(filter, "filter")
	if err != nil {
		return itam.AssetQuery{}, err
	}
	q := itam.AssetQuery{Filter: f}
	if orderBy != nil {
		q.Sort = orderBy.Field
		if d := orderBy.Direction.Value(); d != nil {
			q.Dir = *d
		}
	}
	return q, nil
}

// assetConnection lists one page of assets with the relations the query
// selects attached, and counts lazily.
func (r *Resolver) assetConnection(ctx context.Context, q itam.AssetQuery, p itam.PageArgs) (*model.AssetConnection, error) {
	page, err := r.AssetStore.ListAssets(ctx, q, p)
	if err != nil {
		return nil, err
	}
	siblings(ctx, fieldPath(ctx), page.Items, assetID)
	nodes, err := r.assetNodes(ctx, page.Items, nodeSelection(ctx))
	if err != nil {
		return nil, err
	}
	return &model.AssetConnection{
		Page: itam.Page[*model.Asset]{Items: nodes, Cursors: page.Cursors, HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage},
		Count: func(ctx context.Context) (int, error) {
			return r.AssetStore.CountAssets(ctx, q.Filter)
		}}, nil
}

// assetFilter converts a GraphQL AssetFilter, decoding ids and naming the
// offending field path in errors. The filter's size is checked first
// against itam's limits, so nothing walks, let alone runs, an oversized one.
func assetFilter(in *model.AssetFilter, path string) (*itam.AssetFilter, error) {
	if in == nil {
		return nil, nil
	}
	if err := checkFilterSize(in, path); err != nil {
		return nil, err
	}
	if err := checkInput(path, in); err != nil {
		return nil, err
	}
	return convertAssetFilter(in, path)
}

// checkFilterSize measures a filter against itam.MaxFilterDepth (and/or/not
// levels below the top) and itam.MaxFilterLeaves (conditions in all). Too
// many conditions are reported on the top-level list they grew in
// ("filter.and"), too deep a nesting where it passes the limit.
func checkFilterSize(in *model.AssetFilter, path string) error {
	if err := itam.CheckSearch(path+".search", in.Search.Value()); err != nil {
		return err
	}
	leaves := filterConditions(in)
	for _, c := range subFilters(in) {
		field := path + "." + c.name
		if err := itam.CheckList(field, len(c.list)); err != nil {
			return err
		}
		for i, s := range c.list {
			if err := checkFilterDepth(s, c.at(field, i), 1); err != nil {
				return err
			}
			leaves += filterLeaves(s, itam.MaxFilterLeaves+1)
			if err := itam.CheckFilterLeaves(field, leaves); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkFilterDepth(in *model.AssetFilter, path string, depth int) error {
	if in == nil {
		return nil
	}
	if depth > itam.MaxFilterDepth {
		return itam.FilterTooDeep(path)
	}
	if err := itam.CheckSearch(path+".search", in.Search.Value()); err != nil {
		return err
	}
	for _, c := range subFilters(in) {
		field := path + "." + c.name
		if err := itam.CheckList(field, len(c.list)); err != nil {
			return err
		}
		for i, s := range c.list {
			if err := checkFilterDepth(s, c.at(field, i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

type subFilterList struct {
	name string
	list []*model.AssetFilter
}

// at names the i-th filter of the list at field (not takes one, unindexed).
func (c subFilterList) at(field string, i int) string {
	if c.name == "not" {
		return field
	}
	return fmt.Sprintf("%s[%d]", field, i)
}

func subFilters(in *model.AssetFilter) []subFilterList {
	out := []subFilterList{{"and", in.And.Value()}, {"or", in.Or.Value()}}
	if n := in.Not.Value(); n != nil {
		out = append(out, subFilterList{"not", []*model.AssetFilter{n}})
	}
	return out
}

func convertAssetFilter(in *model.AssetFilter, path string) (*itam.AssetFilter, error) {
	if in == nil {
		return nil, nil
	}
	var f itam.AssetFilter
	var err error
	f.StatusIn = in.StatusIn.Value()
	ids := []struct {
		dst   *[]uuid.UUID
		field string
		src   graphql.Omittable[[]string]
		typ   string
	}{
		{&f.CategoryIDs, "categoryIds", in.CategoryIds, relay.TypeCategory},
		{&f.ModelIDs, "modelIds", in.ModelIds, relay.TypeModel},
		{&f.ManufacturerIDs, "manufacturerIds", in.ManufacturerIds, relay.TypeManufacturer},
		{&f.LocationIDs, "locationIds", in.LocationIds, relay.TypeLocation},
		{&f.SupplierIDs, "supplierIds", in.SupplierIds, relay.TypeSupplier},
	}
	for _, x := range ids {
		if *x.dst, err = idList(path+"."+x.field, x.src, x.typ); err != nil {
			return nil, err
		}
	}
	if f.AssignedPersonIDs, f.AssignedLocationIDs, err = splitIDs(path+".assigneeIds", in.AssigneeIds.Value(), relay.TypePerson, relay.TypeLocation); err != nil {
		return nil, err
	}
	if f.OwnerPersonIDs, f.OwnerTeamIDs, err = splitIDs(path+".ownerIds", in.OwnerIds.Value(), relay.TypePerson, relay.TypeTeam); err != nil {
		return nil, err
	}
	if f.AssignedPersonIDs != nil && f.AssignedLocationIDs != nil {
		// Either kind of assignee matches: express it as an OR of the two.
		f.Or = append(f.Or, itam.AssetFilter{AssignedPersonIDs: f.AssignedPersonIDs}, itam.AssetFilter{AssignedLocationIDs: f.AssignedLocationIDs})
		f.AssignedPersonIDs, f.AssignedLocationIDs = nil, nil
	}
	if f.OwnerPersonIDs != nil && f.OwnerTeamIDs != nil {
		f.And = append(f.And, itam.AssetFilter{Or: []itam.AssetFilter{{OwnerPersonIDs: f.OwnerPersonIDs}, {OwnerTeamIDs: f.OwnerTeamIDs}}})
		f.OwnerPersonIDs, f.OwnerTeamIDs = nil, nil
	}
	f.Search = in.Search.Value()
	f.PurchasedAfter = in.PurchasedAfter.Value()
	f.PurchasedBefore = in.PurchasedBefore.Value()
	f.WarrantyExpiresBefore = in.WarrantyExpiresBefore.Value()
	f.Unassigned = in.Unassigned.Value()
	f.Stale = in.Stale.Value()
	if cf := in.CustomFields.Value(); cf != nil {
		m, ok := cf.(map[string]any)
		if !ok {
			return nil, itam.Invalid(path+".customFields", "customFields is an object of key: value")
		}
		f.CustomFields = m
	}
	for i, sub := range in.And.Value() {
		s, err := convertAssetFilter(sub, fmt.Sprintf("%s.and[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if s != nil {
			f.And = append(f.And, *s)
		}
	}
	for i, sub := range in.Or.Value() {
		s, err := convertAssetFilter(sub, fmt.Sprintf("%s.or[%d]", path, i))
		if err != nil {
			return nil, err
		}
		if s != nil {
			f.Or = append(f.Or, *s)
		}
	}
	if n := in.Not.Value(); n != nil {
		if f.Not, err = convertAssetFilter(n, path+".not"); err != nil {
			return nil, err
		}
	}
	return &f, nil
}

// splitIDs decodes ids that may be of two types into one list per type; a
// list that gets no ids stays nil (no filter on that column).
func splitIDs(field string, globals []string, typA, typB string) (a, b []uuid.UUID, err error) {
	if globals == nil {
		return nil, nil, nil
	}
	for _, g := range globals {
		typ, id, err := relay.Decode(field, g, typA, typB)
		if err != nil {
			return nil, nil, err
		}
		if typ == typA {
			a = append(a, id)
		} else {
			b = append(b, id)
		}
	}
	if a == nil && b == nil {
		a = []uuid.UUID{} // an explicit empty list matches nothing
	}
	return a, b, nil
}

func createAssetInput(in model.CreateAssetInput) (itam.AssetInput, *itam.Assignee, error) {
	out := itam.AssetInput{
		AssetTag: val(in.AssetTag), SerialNumber: val(in.SerialNumber), Name: val(in.Name), Status: val(in.Status),
		Condition: val(in.Condition), PurchaseDate: val(in.PurchaseDate), PurchasePrice: val(in.PurchasePrice),
		OrderNumber: val(in.OrderNumber), InvoiceNumber: val(in.InvoiceNumber), WarrantyEnd: val(in.WarrantyEnd),
		EndOfLife: val(in.EndOfLife), Notes: val(in.Notes),
	}
	var err error
	if out.ModelID, err = relay.DecodeAs("modelId", in.ModelID, relay.TypeModel); err != nil {
		return out, nil, err
	}
	if out.LocationID, err = idOf("locationId", in.LocationID, relay.TypeLocation); err != nil {
		return out, nil, err
	}
	if out.SupplierID, err = idOf("supplierId", in.SupplierID, relay.TypeSupplier); err != nil {
		return out, nil, err
	}
	if out.DepreciationProfileID, err = idOf("depreciationProfileId", in.DepreciationProfileID, relay.TypeDepreciationProfile); err != nil {
		return out, nil, err
	}
	out.InServiceDate = val(in.InServiceDate)
	if owner := in.OwnerID.Value(); owner != nil {
		if out.OwnerPersonID, out.OwnerTeamID, err = ownerOf("ownerId", *owner); err != nil {
			return out, nil, err
		}
	}
	if cf := in.CustomFields.Value(); cf != nil {
		m, ok := cf.(map[string]any)
		if !ok {
			return out, nil, itam.Invalid("customFields", "customFields is an object of key: value")
		}
		out.CustomFields = m
	}
	for _, e := range in.ExternalIds.Value() {
		out.ExternalIDs = append(out.ExternalIDs, itam.ExternalID{Source: e.Source, ExternalID: e.ExternalID, LastSeenAt: e.LastSeenAt.Value()})
	}
	var assignee *itam.Assignee
	if a := in.AssigneeID.Value(); a != nil {
		as, err := assigneeOf("assigneeId", *a)
		if err != nil {
			return out, nil, err
		}
		assignee = &as
	}
	return out, assignee, nil
}

func updateAssetInput(in model.UpdateAssetInput) (itam.AssetPatch, error) {
	p := itam.AssetPatch{
		Version: in.Version, AssetTag: opt(in.AssetTag), SerialNumber: opt(in.SerialNumber), Name: opt(in.Name),
		Condition: opt(in.Condition), PurchaseDate: opt(in.PurchaseDate), PurchasePrice: opt(in.PurchasePrice),
		OrderNumber: opt(in.OrderNumber), InvoiceNumber: opt(in.InvoiceNumber), WarrantyEnd: opt(in.WarrantyEnd),
		EndOfLife: opt(in.EndOfLife), Notes: opt(in.Notes),
	}
	var err error
	if p.ID, err = relay.DecodeAs("id", in.ID, relay.TypeAsset); err != nil {
		return p, err
	}
	if p.ModelID, err = optID("modelId", in.ModelID, relay.TypeModel); err != nil {
		return p, err
	}
	if p.LocationID, err = optID("locationId", in.LocationID, relay.TypeLocation); err != nil {
		return p, err
	}
	if p.SupplierID, err = optID("supplierId", in.SupplierID, relay.TypeSupplier); err != nil {
		return p, err
	}
	if p.DepreciationProfileID, err = optID("depreciationProfileId", in.DepreciationProfileID, relay.TypeDepreciationProfile); err != nil {
		return p, err
	}
	p.InServiceDate = opt(in.InServiceDate)
	if owner, set := in.OwnerID.ValueOK(); set {
		if owner == nil {
			return p, itam.Invalid("ownerId", "every asset has an owner; give another one instead of null")
		}
		person, team, err := ownerOf("ownerId", *owner)
		if err != nil {
			return p, err
		}
		p.OwnerPersonID = itam.Optional[uuid.UUID]{Set: true, Value: person}
		p.OwnerTeamID = itam.Optional[uuid.UUID]{Set: true, Value: team}
	}
	if cf, set := in.CustomFields.ValueOK(); set {
		if cf == nil {
			p.CustomFields = itam.Optional[map[string]any]{Set: true}
		} else {
			m, ok := cf.(map[string]any)
			if !ok {
				return p, itam.Invalid("customFields", "customFields is an object of key: value")
			}
			p.CustomFields = itam.Some(m)
		}
	}
	if p.CustomFieldsPatch, err = customFieldsPatch(in); err != nil {
		return p, err
	}
	return p, nil
}

func ownerOf(field, global string) (person, team *uuid.UUID, err error) {
	typ, id, err := relay.Decode(field, global, relay.TypePerson, relay.TypeTeam)
	if err != nil {
		return nil, nil, err
	}
	if typ == relay.TypePerson {
		return &id, nil, nil
	}
	return nil, &id, nil
}

func assigneeOf(field, global string) (itam.Assignee, error) {
	typ, id, err := relay.Decode(field, global, relay.TypePerson, relay.TypeLocation)
	if err != nil {
		return itam.Assignee{}, err
	}
	if typ == relay.TypePerson {
		return itam.Assignee{PersonID: &id}, nil
	}
	return itam.Assignee{LocationID: &id}, nil
}

// assetPayload wraps a mutated asset with the relations its payload
// selects; it takes the store call's results directly:
// r.assetPayload(ctx)(r.AssetStore.UpdateAsset(ctx, patch)).
func (r *Resolver) assetPayload(ctx context.Context) func(*itam.Asset, error) (*model.AssetPayload, error) {
	return func(a *itam.Asset, err error) (*model.AssetPayload, error) {
		if err != nil {
			return nil, err
		}
		n, err := r.assetNode(ctx, a, fieldSelection(ctx)["asset"])
		if err != nil {
			return nil, err
		}
		return &model.AssetPayload{Asset: n}, nil
	}
}

// nullIfNotFound turns NOT_FOUND into a null result for lookup fields, where
// "no such thing" is an answer rather than an error.
func nullIfNotFound[T any](v *T, err error) (*T, error) {
	if itam.ErrorCode(err) == itam.CodeNotFound {
		return nil, nil
	}
	return v, err
}

// nonNil returns a loaded object as an interface value, keeping a missing
// one a true nil so union fields render null rather than an empty object.
func nonNil[T any](v *T, err error) (any, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

// loadOptional loads id when it is set.
func loadOptional[V any](ctx context.Context, l *dataloadgen.Loader[uuid.UUID, *V], id *uuid.UUID) (*V, error) {
	if id == nil {
		return nil, nil
	}
	return l.Load(ctx, *id)
}
