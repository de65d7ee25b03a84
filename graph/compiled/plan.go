package compiled

import (
	"bytes"
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// node is the plan for a value of one GraphQL named type under one
// selection set: an object's fields, or for an interface or union the plan
// of each possible object type.
type node struct {
	object   *objectPlan
	abstract func(v any) (any, string)
	byType   map[string]*objectPlan // nil entry: that type is left to gqlgen
}

type objectPlan struct {
	fields []fieldPlan
}

// fieldPlan writes one response key.
type fieldPlan struct {
	key      string // "alias": with the separator before it
	typename string // set for __typename: the JSON string written
	b        *fieldBinding
	child    *node
}

// builder builds the plans of one operation under its variables.
type builder struct {
	oc     *graphql.OperationContext
	schema *ast.Schema
}

// build returns the plan of a value of type t under sel, or nil when some
// part of it must be left to gqlgen.
func (b *builder) build(t *ast.Type, sel ast.SelectionSet) *node {
	return b.named(t.Name(), sel)
}

func (b *builder) named(name string, sel ast.SelectionSet) *node {
	if _, ok := objects[name]; ok {
		op := b.object(name, sel)
		if op == nil {
			return nil
		}
		return &node{object: op}
	}
	ab, ok := abstracts[name]
	def := b.schema.Types[name]
	if !ok || def == nil {
		return nil
	}
	n := &node{abstract: ab, byType: map[string]*objectPlan{}}
	for _, pt := range b.schema.GetPossibleTypes(def) {
		n.byType[pt.Name] = b.object(pt.Name, sel) // nil: fall back when met
	}
	return n
}

// object collects sel on object type name exactly as gqlgen's generated
// _Type function does (graphql.CollectFields with the type's implementors),
// so merging, fragments, type conditions and @skip/@include agree.
func (b *builder) object(name string, sel ast.SelectionSet) *objectPlan {
	ob := objects[name]
	if ob == nil {
		return nil
	}
	fields := graphql.CollectFields(b.oc, sel, ob.implementors)
	op := &objectPlan{fields: make([]fieldPlan, 0, len(fields))}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if len(f.Deferrables) > 0 || !plainDirectives(f.Field) {
			return nil
		}
		if seen[f.Alias] {
			continue // gqlgen writes the first of a repeated key only
		}
		seen[f.Alias] = true
		var key bytes.Buffer
		if len(op.fields) > 0 {
			key.WriteByte(',')
		}
		graphql.MarshalString(f.Alias).MarshalGQL(&key)
		key.WriteByte(':')
		fp := fieldPlan{key: key.String()}
		if f.Name == "__typename" {
			var tn bytes.Buffer
			graphql.MarshalString(name).MarshalGQL(&tn)
			fp.typename = tn.String()
			op.fields = append(op.fields, fp)
			continue
		}
		fb := ob.fields[f.Name]
		if fb == nil {
			return nil
		}
		fp.b = fb
		if fb.leaf == nil {
			if fp.child = b.named(fb.typeName, f.Selections); fp.child == nil {
				return nil
			}
		}
		op.fields = append(op.fields, fp)
	}
	return op
}

// plainDirectives reports whether f carries no directive other than
// @skip and @include, which CollectFields has already applied.
func plainDirectives(f *ast.Field) bool {
	for _, d := range f.Directives {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

var null = []byte("null")

// resolve returns v's object and its plan; nil when v is a typed nil of
// an interface or union (written as null, as gqlgen does) and ok false when
// the plan does not cover v's type.
func (n *node) resolve(v any) (obj any, op *objectPlan, ok bool) {
	if n.abstract == nil {
		return v, n.object, true
	}
	obj, name := n.abstract(v)
	if obj == nil {
		return nil, nil, name == ""
	}
	op = n.byType[name]
	return obj, op, op != nil
}

// writeValue writes v, null when nil. It returns false where gqlgen's
// executor would do something other than write a value: a null in a
// non-null position (an error and null bubbling), a marshaler error, a type
// the plan does not know. The caller then discards what was written.
func (n *node) writeValue(ctx context.Context, w *bytes.Buffer, v any, nonNull bool) bool {
	if v == nil {
		if nonNull {
			return false
		}
		w.Write(null)
		return true
	}
	obj, op, ok := n.resolve(v)
	if !ok {
		return false
	}
	if obj == nil {
		if nonNull {
			return false
		}
		w.Write(null)
		return true
	}
	return op.write(ctx, w, obj)
}

func (op *objectPlan) write(ctx context.Context, w *bytes.Buffer, obj any) bool {
	w.WriteByte('{')
	for i := range op.fields {
		f := &op.fields[i]
		w.WriteString(f.key)
		if f.typename != "" {
			w.WriteString(f.typename)
			continue
		}
		if !f.write(ctx, w, obj) {
			return false
		}
	}
	w.WriteByte('}')
	return true
}

func (f *fieldPlan) write(ctx context.Context, w *bytes.Buffer, obj any) bool {
	b := f.b
	switch {
	case b.leaf != nil:
		return b.leaf(ctx, w, obj)
	case b.list:
		first, ok := true, true
		isNil, done := b.each(obj, func(e any) bool {
			if first {
				w.WriteByte('[')
				first = false
			} else {
				w.WriteByte(',')
			}
			ok = f.child.writeValue(ctx, w, e, b.elemNonNull)
			return ok
		})
		if !done || !ok {
			return false
		}
		switch {
		case isNil && !b.nonNull:
			w.Write(null)
		case first: // empty, or nil where gqlgen writes a non-null list as []
			w.WriteString("[]")
		default:
			w.WriteByte(']')
		}
		return true
	default:
		return f.child.writeValue(ctx, w, b.get(obj), b.nonNull)
	}
}
