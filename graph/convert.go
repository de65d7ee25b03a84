package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// pageArgs gathers Relay arguments.
func pageArgs(first *int, after *string, last *int, before *string) itam.PageArgs {
	return itam.PageArgs{First: first, After: after, Last: last, Before: before}
}

// opt turns a GraphQL omittable input into the domain's Optional: absent
// stays unset, explicit null clears.
func opt[T any](o graphql.Omittable[*T]) itam.Optional[T] {
	v, set := o.ValueOK()
	if !set {
		return itam.Optional[T]{}
	}
	return itam.Optional[T]{Set: true, Value: v}
}

// val returns an omittable input's value, nil when absent or null.
func val[T any](o graphql.Omittable[*T]) *T {
	return o.Value()
}

// optID decodes an omittable global id of type typ.
func optID(field string, o graphql.Omittable[*string], typ string) (itam.Optional[uuid.UUID], error) {
	v, set := o.ValueOK()
	if !set {
		return itam.Optional[uuid.UUID]{}, nil
	}
	if v == nil {
		return itam.Optional[uuid.UUID]{Set: true}, nil
	}
	id, err := relay.DecodeAs(field, *v, typ)
	if err != nil {
		return itam.Optional[uuid.UUID]{}, err
	}
	return itam.Some(id), nil
}

// idOf decodes an omittable global id, nil when absent or null.
func idOf(field string, o graphql.Omittable[*string], typ string) (*uuid.UUID, error) {
	return relay.DecodeOptional(field, o.Value(), typ)
}

// idList decodes an omittable list of global ids; absent or null is nil (no filter).
func idList(field string, o graphql.Omittable[[]string], typ string) ([]uuid.UUID, error) {
	return relay.DecodeList(field, o.Value(), typ)
}

// listPage lists one page of objects matching f and returns it as a
// connection whose totalCount runs count only when a client selects it.
func listPage[F, T any](ctx context.Context, f F, p itam.PageArgs,
	list func(context.Context, F, itam.PageArgs) (itam.Page[T], error),
	count func(context.Context, F) (int, error)) (*model.Connection[T], error) {
	page, err := list(ctx, f, p)
	if err != nil {
		return nil, err
	}
	return &model.Connection[T]{Page: page, Count: func(ctx context.Context) (int, error) {
		return count(ctx, f)
	}}, nil
}

// ptrs returns pointers to the elements of a slice, for list fields gqlgen
// binds as []*T.
func ptrs[T any](in []T) []*T {
	out := make([]*T, len(in))
	for i := range in {
		out[i] = &in[i]
	}
	return out
}

// deleteNode decodes the global id of a typ object, deletes it with del
// (which takes the version the caller read, nil for any) and answers the
// delete payload every delete mutation shares.
func deleteNode[T any](ctx context.Context, global string, version *int, typ string,
	del func(context.Context, uuid.UUID, *int) (T, error)) (*model.DeletePayload, error) {
	id, err := relay.DecodeAs("id", global, typ)
	if err != nil {
		return nil, err
	}
	if _, err := del(ctx, id, version); err != nil {
		return nil, err
	}
	return &model.DeletePayload{DeletedID: relay.ID(typ, id)}, nil
}

// nameFilter checks and reads the NameFilter every named list shares
// (manufacturers, suppliers, software publishers); nil is no filter.
func nameFilter(filter *model.NameFilter) (itam.NameFilter, error) {
	var f itam.NameFilter
	if filter == nil {
		return f, nil
	}
	if err := checkListFilter(filter, val(filter.Search)); err != nil {
		return f, err
	}
	f.Search = val(filter.Search)
	return f, nil
}
