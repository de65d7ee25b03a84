// Package compiled writes struct-bound parts of GraphQL responses without
// gqlgen's per-field executor, the way graphql-jit does for graphql-js.
//
// gqlgen stays the engine: it parses, validates, prices and runs every
// resolver. Its field middleware (Compiler.Middleware) lets the field's own
// resolver run, then, when everything selected below that field is read
// from plain struct fields and methods (bindings_gen.go, generated from
// gqlgen's binding data) or from a resolver proved equal to such a read,
// returns a graphql.Marshaler holding the subtree's JSON, which gqlgen
// writes as is. A plan per operation, field path and @skip/@include
// variables is built once and cached. Whatever the plan does not cover (a
// resolver, an argument, a directive, @defer, a null in a non-null
// position, a marshaler error) makes that field fall back to gqlgen
// unchanged, so responses are byte-identical either way.
package compiled

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// maxDepth bounds the field path a plan is keyed by; deeper fields are
// left to gqlgen (the document limits refuse far shallower queries).
const maxDepth = 24

// Compiler holds the plans of recent operations.
type Compiler struct {
	schema *ast.Schema
	plans  *lru.Cache[planKey, *entry]
	docs   *lru.Cache[*ast.QueryDocument, []string]
}

// entry is a cached plan; a nil plan marks a field left to gqlgen.
type entry struct {
	plan *node
	// sizeHint is the size of the last subtree written, to size the next
	// buffer at once.
	sizeHint atomic.Int64
}

type step struct {
	field  *ast.Field
	object string
}

// planKey identifies a field's merged selection: the operation, the chain
// of fields (and the object each was read on) from the root, and the values
// of the variables @skip and @include use.
type planKey struct {
	doc   *ast.QueryDocument
	op    *ast.OperationDefinition
	depth int
	path  [maxDepth]step
	vars  uint64
}

// maxDocs is the size of gqlgen's query cache (graph/handler.go).
const maxDocs = 1000

// New returns a Compiler for schema, keeping up to size plans.
func New(schema *ast.Schema, size int) *Compiler {
	plans, err := lru.New[planKey, *entry](size)
	if err != nil {
		panic(err) // size <= 0: a programming error
	}
	// Each entry pins its document: keep no more than gqlgen's own query
	// cache does (graph/handler.go), so evicted documents can be freed.
	docs, err := lru.New[*ast.QueryDocument, []string](min(size, maxDocs))
	if err != nil {
		panic(err)
	}
	return &Compiler{schema: schema, plans: plans, docs: docs}
}

// Middleware is the gqlgen field middleware (handler.Server.AroundFields).
func (c *Compiler) Middleware(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(fc.Field.Selections) == 0 || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation == ast.Subscription || fc.Field.Definition == nil {
		return next(ctx)
	}
	key, ok := c.key(oc, fc)
	if !ok {
		return next(ctx)
	}
	e, found := c.plans.Get(key)
	if !found {
		b := builder{oc: oc, schema: c.schema}
		e = &entry{plan: b.build(fc.Field.Definition.Type, fc.Field.Selections)}
		c.plans.Add(key, e)
	}
	res, err := next(ctx)
	if e.plan == nil || err != nil || res == nil {
		return res, err
	}
	hint := e.sizeHint.Load()
	w := bytes.NewBuffer(make([]byte, 0, hint+hint/8))
	if !write(ctx, w, e.plan, fc.Field.Definition.Type, res) {
		return res, nil // gqlgen writes it, errors and all
	}
	e.sizeHint.Store(int64(w.Len()))
	written.Add(1)
	return rawJSON(w.Bytes()), nil
}

// written counts the subtrees this process wrote from plans rather than
// through gqlgen's executor.
var written atomic.Uint64

// Written is how many subtrees this process has written from plans: the
// differential tests require it to grow, so a middleware that silently
// hands everything back to gqlgen (and so compares equal) fails them.
func Written() uint64 { return written.Load() }

// write writes res, the field's resolved value, as the plan says; false
// leaves it to gqlgen. A panic (a method of a bound type failing) is
// gqlgen's to report too.
func write(ctx context.Context, w *bytes.Buffer, n *node, t *ast.Type, res any) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
		}
	}()
	rv := reflect.ValueOf(res)
	switch rv.Kind() {
	case reflect.Struct: // gqlgen reads a struct value's fields through a pointer
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		res = p.Interface()
	case reflect.Pointer, reflect.Interface, reflect.Map:
		if rv.IsNil() {
			return false
		}
	case reflect.Slice:
		if t.Elem == nil || t.Elem.Elem != nil || rv.IsNil() {
			return false
		}
		w.WriteByte('[')
		for i := range rv.Len() {
			if i > 0 {
				w.WriteByte(',')
			}
			e := rv.Index(i)
			if e.Kind() == reflect.Struct {
				e = e.Addr()
			}
			var v any
			if !((e.Kind() == reflect.Pointer || e.Kind() == reflect.Interface) && e.IsNil()) {
				v = e.Interface()
			}
			if !n.writeValue(ctx, w, v, t.Elem.NonNull) {
				return false
			}
		}
		w.WriteByte(']')
		return true
	}
	if t.Elem != nil {
		return false
	}
	return n.writeValue(ctx, w, res, true)
}

// key returns the plan key of the field in fc.
func (c *Compiler) key(oc *graphql.OperationContext, fc *graphql.FieldContext) (planKey, bool) {
	k := planKey{doc: oc.Doc, op: oc.Operation}
	var rev [maxDepth]step
	n := 0
	for f := fc; f != nil; f = f.Parent {
		if f.Field.Field == nil {
			continue // a list element
		}
		if n == maxDepth {
			return k, false
		}
		rev[n] = step{field: f.Field.Field, object: f.Object}
		n++
	}
	for i := range n {
		k.path[i] = rev[n-1-i]
	}
	k.depth = n
	vars, found := c.docs.Get(oc.Doc)
	if !found {
		vars = conditionVariables(oc.Doc)
		c.docs.Add(oc.Doc, vars)
	}
	for i, name := range vars {
		if i == 64 {
			return k, false
		}
		if b, _ := oc.Variables[name].(bool); b {
			k.vars |= 1 << i
		}
	}
	return k, true
}

// conditionVariables lists the variables @skip and @include use anywhere
// in doc: the plan of a field depends on their values.
func conditionVariables(doc *ast.QueryDocument) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(ast.SelectionSet)
	dirs := func(ds ast.DirectiveList) {
		for _, d := range ds {
			if d.Name != "skip" && d.Name != "include" {
				continue
			}
			for _, a := range d.Arguments {
				if a.Value != nil && a.Value.Kind == ast.Variable && !seen[a.Value.Raw] {
					seen[a.Value.Raw] = true
					out = append(out, a.Value.Raw)
				}
			}
		}
	}
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				dirs(s.Directives)
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				dirs(s.Directives)
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				dirs(s.Directives)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		dirs(f.Directives)
		walk(f.SelectionSet)
	}
	return out
}

// rawJSON is a subtree already written.
type rawJSON []byte

func (r rawJSON) MarshalGQL(w io.Writer) { _, _ = w.Write(r) }
