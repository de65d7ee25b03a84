package compiled

//go:generate go run ./internal/bindgen

import (
	"bytes"
	"context"
)

// objectBinding is how gqlgen's executor reads one GraphQL object type's
// fields from its Go value (bindings_gen.go, written from gqlgen's own
// binding data). A field missing from fields is one gqlgen resolves through
// a resolver or otherwise; plans never compile it.
type objectBinding struct {
	implementors []string // the type, its interfaces and unions: CollectFields' satisfies
	fields       map[string]*fieldBinding
}

// fieldBinding reads one field. Exactly one of leaf, get and each is set.
type fieldBinding struct {
	// leaf writes a scalar or enum value; false when gqlgen would report an
	// error (null in a non-null position, a failing marshaler).
	leaf func(ctx context.Context, w *bytes.Buffer, obj any) bool
	// get returns an object, interface or union value; nil for null.
	get func(obj any) any
	// each calls f with every element of a list of objects (nil for a null
	// element) and reports whether the list itself was nil; ok is false
	// when f stopped it.
	each func(obj any, f func(any) bool) (isNil, ok bool)

	typeName    string // the GraphQL named type of get's or each's values
	nonNull     bool
	list        bool
	elemNonNull bool
}
