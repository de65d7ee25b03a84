package loaders

import (
	"context"
	"slices"
	"sync"

	"github.com/google/uuid"
)

// Nested connections (a person's assets, a team's members) are resolved by
// gqlgen once per parent object, concurrently. A time-window loader would
// batch them only as far as the machine keeps up, so instead the resolver
// of a list records the ids of the objects it returns (Siblings), and the
// first parent to resolve a nested field fetches it for all its siblings
// at once; the others find their result waiting. A page of 10 or 100
// parents then costs the same round trips, on a busy machine too.

// Siblings records the objects a list resolved at path (its response path
// without list indices), so nested fields below them batch over all of
// them. The objects of a Relay connection sit at path.nodes and
// path.edges.node, those of a plain list at path itself.
func Siblings(ctx context.Context, path string, ids []uuid.UUID) {
	l := For(ctx)
	for _, p := range []string{path, path + ".nodes", path + ".edges.node"} {
		l.siblings.Store(p, ids)
	}
}

// nestedField is one nested connection field's results so far, by parent.
type nestedField struct {
	mu      sync.Mutex
	results map[uuid.UUID]any
	errs    map[uuid.UUID]error
}

// Nested returns parent's value of the nested field key (which must
// determine the field's arguments and selection: the graph package uses the
// parent type and response path without list indices), fetching it
// together with every sibling recorded at parentPath that has no value yet.
// A parent without recorded siblings (reached through node(id:), say) is
// fetched alone.
func Nested[V any](ctx context.Context, key, parentPath string, parent uuid.UUID, fetch func(ctx context.Context, parents []uuid.UUID) (map[uuid.UUID]V, error)) (V, error) {
	l := For(ctx)
	v, _ := l.nested.LoadOrStore(key, &nestedField{results: map[uuid.UUID]any{}, errs: map[uuid.UUID]error{}})
	f := v.(*nestedField)
	// Holding the lock while fetching makes the siblings wait for the one
	// fetch that answers them, rather than each fetching alone.
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, done := f.results[parent]; !done {
		if err, failed := f.errs[parent]; failed {
			var zero V
			return zero, err
		}
		parents := []uuid.UUID{parent}
		if sib, ok := l.siblings.Load(parentPath); ok && slices.Contains(sib.([]uuid.UUID), parent) {
			parents = parents[:0]
			for _, id := range sib.([]uuid.UUID) {
				if _, done := f.results[id]; !done && !slices.Contains(parents, id) {
					parents = append(parents, id)
				}
			}
		}
		got, err := fetch(ctx, parents)
		for _, id := range parents {
			if err != nil {
				f.errs[id] = err
				continue
			}
			f.results[id] = got[id] // absent: the zero value (an empty page)
		}
		if err != nil {
			var zero V
			return zero, err
		}
	}
	out, _ := f.results[parent].(V)
	return out, nil
}
