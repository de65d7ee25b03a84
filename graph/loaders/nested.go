package loaders

import (
	"context"
	"sync"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"
)

// Nested connections (a person's assets, a team's members) are resolved by
// gqlgen once per parent object, concurrently. Left to a loader's time
// window they would batch only as far as the machine keeps up. So the
// resolver of a list records the ids of the objects it returns (Siblings),
// and the first parent to resolve a nested field enqueues every sibling's
// key at once: one batch answers them all, and the other parents find
// their result in the loader's cache. A page of 10 or 100 parents then
// costs the same round trips, on a busy machine too. It is the same
// mechanism as relations: request-scoped dataloadgen loaders whose keys a
// list enqueues together (prefetch.go does it for a page's relations).

// Siblings records the objects a list resolved at path (its response path
// without list indices), so nested fields below them batch over all of
// them. The objects of a Relay connection sit at path.nodes and
// path.edges.node, those of a plain list at path itself.
func Siblings(ctx context.Context, path string, ids []uuid.UUID) {
	l := For(ctx)
	sib := &siblingSet{ids: ids, set: make(map[uuid.UUID]struct{}, len(ids))}
	for _, id := range ids {
		sib.set[id] = struct{}{}
	}
	for _, p := range []string{path, path + ".nodes", path + ".edges.node"} {
		l.siblings.Store(p, sib)
	}
}

// siblingSet is a list's ids, with a set so each parent's membership test
// is constant time (a page of 10,000 nested parents would otherwise scan
// 10,000 ids each).
type siblingSet struct {
	ids []uuid.UUID
	set map[uuid.UUID]struct{}
}

// nestedField is one nested connection field's loader, and whether its
// parents' keys were enqueued together yet.
type nestedField[V any] struct {
	loader  *dataloadgen.Loader[uuid.UUID, V]
	enqueue sync.Once
}

// Nested returns parent's value of the nested field key, which must
// determine the field's arguments and selection (the graph package uses the
// parent type and response path without list indices): fetch answers for
// any set of parents. The first call enqueues every sibling recorded at
// parentPath; a parent without recorded siblings (reached through
// assetByTag or a mutation, say) is fetched on its own at once.
func Nested[V any](ctx context.Context, key, parentPath string, parent uuid.UUID, fetch func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]V, error)) (V, error) {
	l := For(ctx)
	v, ok := l.nested.Load(key)
	if !ok {
		v, _ = l.nested.LoadOrStore(key, &nestedField[V]{loader: mapped(fetch)})
	}
	f := v.(*nestedField[V])
	v, ok = l.siblings.Load(parentPath)
	var sib *siblingSet
	if ok {
		sib = v.(*siblingSet)
	}
	if !sib.has(parent) || len(sib.ids) < 2 {
		// A parent on its own (assetByTag, node(id:), a mutation's payload)
		// has nothing to batch with: fetch now rather than wait out the
		// loader's window, and keep the answer for a repeat.
		got, err := fetch(ctx, []uuid.UUID{parent})
		if err != nil {
			var zero V
			return zero, err
		}
		f.loader.Prime(parent, got[parent])
		return got[parent], nil
	}
	f.enqueue.Do(func() { f.loader.LoadAllThunk(ctx, sib.ids) })
	return f.loader.Load(ctx, parent)
}

// has reports whether id is one of the siblings (none recorded: false).
func (s *siblingSet) has(id uuid.UUID) bool {
	if s == nil {
		return false
	}
	_, ok := s.set[id]
	return ok
}
