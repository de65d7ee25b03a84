package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/internal/itam"
)

// Limits bound what one document may ask for, so no client can make the
// server scan the whole inventory, or spin on the document itself, in one
// request.
const (
	// MaxComplexity bounds an operation's cost: every field costs 1 plus
	// its children, a connection's children count once per item of the page
	// it asks for, nodes(ids:) once per id.
	MaxComplexity = 50000
	// MaxDepth bounds nesting, which complexity alone does not stop (a deep
	// chain of single objects is cheap per level).
	MaxDepth = 12
	// MaxDocumentBytes bounds the query text: real documents are a few
	// kilobytes, and parsing and validation grow with the text.
	MaxDocumentBytes = 100 << 10
	// MaxAliases bounds aliased fields in one selection set, which otherwise
	// multiply the work of one field at no cost in text.
	MaxAliases = 100
	// MaxFields bounds the fields written in a document, counting with them
	// fragment spreads, inline fragments, directives and variable
	// definitions. GraphQL validation compares same-named fields pairwise
	// (OverlappingFieldsCanBeMerged): 16,000 copies of one field, 80 KB of
	// text, took 14 s; 20,000 spreads of one fragment 9 s.
	MaxFields = 1000
	// MaxFragments bounds fragment definitions: validation also compares
	// fragments spread side by side pairwise, and 500 of them took five
	// times as long as 1,000 copies of one field.
	MaxFragments = 100
)

// Codes of the refusals, in extensions.code.
const (
	codeComplexity           = "COMPLEXITY_LIMIT_EXCEEDED"
	codeTooDeep              = "QUERY_TOO_DEEP"
	codeDocumentTooLarge     = "DOCUMENT_TOO_LARGE"
	codeTooManyAliases       = "TOO_MANY_ALIASES"
	codeTooManyFields        = "TOO_MANY_FIELDS"
	codeTooManyFragments     = "TOO_MANY_FRAGMENTS"
	codeIntrospectionOff     = "INTROSPECTION_DISABLED"
	codeBadRequest           = "BAD_REQUEST"
	codeMethodNotAllowed     = "METHOD_NOT_ALLOWED"
	codeUnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE"
)

func limitError(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, code)
	return err
}

// documentLimits enforces the limits in time linear in the document's size.
// The shape limits (size, fields, fragments, aliases, depth) are checked on a parse of
// its own before gqlgen validates the document, because validation itself is
// super-linear in repeated fields; cost needs the validated document and
// the variables, so it is checked after. Each fragment is walked once and
// its depth and cost memoized: walking every spread of a fragment that
// spreads another twice doubles per level (30 levels pinned a core for
// minutes in gqlgen's complexity walker).
type documentLimits struct {
	// validated holds the documents gqlgen parsed and validated, which
	// passed the shape limits on their way in.
	validated     graphql.Cache[*ast.QueryDocument]
	introspection bool
	es            graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = &documentLimits{}

func (*documentLimits) ExtensionName() string { return "DocumentLimits" }
func (l *documentLimits) Validate(es graphql.ExecutableSchema) error {
	l.es = es
	return nil
}

func (l *documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) > MaxDocumentBytes {
		return limitError(codeDocumentTooLarge, "the document is %d bytes; the limit is %d", len(p.Query), MaxDocumentBytes)
	}
	if p.Query == "" {
		return nil
	}
	if _, ok := l.validated.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
	if err != nil {
		return nil // gqlgen parses it again and reports the error
	}
	return checkShape(doc)
}

func (l *documentLimits) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	cost, introspects := operationCost(ctx, l.es, oc.Operation, oc.Variables)
	if introspects && !l.introspection {
		return limitError(codeIntrospectionOff, "introspection is disabled on this server")
	}
	if cost > MaxComplexity {
		return limitError(codeComplexity, "the operation has complexity %d; the limit is %d", cost, MaxComplexity)
	}
	return nil
}

// checkShape checks the limits that depend on the document alone: fields
// and aliases as written, and the depth of every operation.
func checkShape(doc *ast.QueryDocument) *gqlerror.Error {
	s := shapeWalker{frags: doc.Fragments, depths: map[string]int{}}
	for _, op := range doc.Operations {
		s.fields += len(op.VariableDefinitions) + len(op.Directives)
		s.count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		s.fields += len(f.Directives)
		s.count(f.SelectionSet)
	}
	if s.fields > MaxFields {
		return limitError(codeTooManyFields, "the document has %d fields, fragments, directives and variables; the limit is %d", s.fields, MaxFields)
	}
	if len(doc.Fragments) > MaxFragments {
		return limitError(codeTooManyFragments, "the document defines %d fragments; the limit is %d", len(doc.Fragments), MaxFragments)
	}
	if s.maxAliases > MaxAliases {
		return limitError(codeTooManyAliases, "a selection set has %d aliased fields; the limit is %d", s.maxAliases, MaxAliases)
	}
	for _, op := range doc.Operations {
		if d := s.depth(op.SelectionSet); d > MaxDepth {
			return limitError(codeTooDeep, "query is nested %d levels deep; the limit is %d", d, MaxDepth)
		}
	}
	return nil
}

type shapeWalker struct {
	frags      ast.FragmentDefinitionList
	depths     map[string]int // per fragment; -1 while it is being walked
	fields     int
	maxAliases int
}

// count visits every selection set as written (fragments are counted
// where they are defined, not where they are spread).
func (s *shapeWalker) count(set ast.SelectionSet) {
	aliases := 0
	for _, sel := range set {
		s.fields++
		switch sel := sel.(type) {
		case *ast.Field:
			s.fields += len(sel.Directives)
			if sel.Alias != "" && sel.Alias != sel.Name {
				aliases++
			}
			s.count(sel.SelectionSet)
		case *ast.InlineFragment:
			s.fields += len(sel.Directives)
			s.count(sel.SelectionSet)
		case *ast.FragmentSpread:
			s.fields += len(sel.Directives)
		}
	}
	s.maxAliases = max(s.maxAliases, aliases)
}

func (s *shapeWalker) depth(set ast.SelectionSet) int {
	d := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			if sel.Name == "__schema" || sel.Name == "__type" {
				// Introspection nests type references 9 deep in GraphiQL's own
				// query; validation's MaxIntrospectionDepth bounds it instead.
				d = max(d, 1)
				continue
			}
			d = max(d, 1+s.depth(sel.SelectionSet))
		case *ast.InlineFragment:
			d = max(d, s.depth(sel.SelectionSet))
		case *ast.FragmentSpread:
			d = max(d, s.fragmentDepth(sel.Name))
		}
	}
	return d
}

func (s *shapeWalker) fragmentDepth(name string) int {
	if d, ok := s.depths[name]; ok {
		return max(d, 0) // -1: a cycle, which validation refuses
	}
	f := s.frags.ForName(name)
	if f == nil {
		return 0 // unknown fragment: validation refuses it
	}
	s.depths[name] = -1
	d := s.depth(f.SelectionSet)
	s.depths[name] = d
	return d
}

// operationCost is op's complexity, and whether op introspects the schema.
// op must be validated (its fields bound to their definitions).
func operationCost(ctx context.Context, es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) (int, bool) {
	w := costWalker{ctx: ctx, es: es, schema: es.Schema(), vars: vars, frags: map[string]int{}}
	return w.selectionSet(op.SelectionSet), w.introspection
}

// costWalker computes an operation's complexity as gqlgen's complexity
// package does (the schema's complexity functions, the most expensive
// implementation for an interface field, 1 plus children otherwise), with
// each fragment's cost computed once.
type costWalker struct {
	ctx           context.Context
	es            graphql.ExecutableSchema
	schema        *ast.Schema
	vars          map[string]any
	frags         map[string]int
	introspection bool
}

func (w *costWalker) selectionSet(set ast.SelectionSet) int {
	cost := 0
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			cost = addCost(cost, w.field(sel))
		case *ast.InlineFragment:
			cost = addCost(cost, w.selectionSet(sel.SelectionSet))
		case *ast.FragmentSpread:
			c, ok := w.frags[sel.Name]
			if !ok && sel.Definition != nil {
				w.frags[sel.Name] = 0 // a cycle, refused by validation, ends here
				c = w.selectionSet(sel.Definition.SelectionSet)
				w.frags[sel.Name] = c
			}
			cost = addCost(cost, c)
		}
	}
	return cost
}

func (w *costWalker) field(f *ast.Field) int {
	if f.Name == "__schema" || f.Name == "__type" {
		w.introspection = true
	}
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 1
	}
	typ := w.schema.Types[f.Definition.Type.Name()]
	if typ == nil || typ.Name == "__Schema" {
		return 0
	}
	child := 0
	switch typ.Kind {
	case ast.Object, ast.Interface, ast.Union:
		child = w.selectionSet(f.SelectionSet)
	}
	var args map[string]any // most fields take none: no map for them
	if len(f.Definition.Arguments) > 0 {
		args = f.ArgumentMap(w.vars)
	}
	if f.ObjectDefinition.Kind != ast.Interface {
		return w.fieldCost(f.ObjectDefinition.Name, f.Name, child, args)
	}
	// An interface field costs what its most expensive implementation does.
	cost := 0
	for _, impl := range w.schema.GetPossibleTypes(f.ObjectDefinition) {
		cost = max(cost, w.fieldCost(impl.Name, f.Name, child, args))
	}
	return cost
}

func (w *costWalker) fieldCost(typeName, field string, child int, args map[string]any) int {
	if c, ok := w.es.Complexity(w.ctx, typeName, field, child, args); ok && c >= 1 {
		return c
	}
	return addCost(1, child)
}

// setNodesComplexity prices nodes(ids:) like a page: its selection once
// per id. Ids past the cap are refused by the resolver (BAD_USER_INPUT,
// field ids), not priced here, so a long list gets that answer.
func setNodesComplexity(c *generated.ComplexityRoot) {
	c.Query.Nodes = func(child int, ids []string) int {
		return addCost(1, mulCost(child, min(len(ids), itam.MaxPageSize)))
	}
}

const maxCost = int(^uint(0) >> 1)

// addCost adds saturating (and ignoring negative operands), so a document
// cannot overflow its cost into an acceptable one.
func addCost(a, b int) int {
	a, b = max(a, 0), max(b, 0)
	if a > maxCost-b {
		return maxCost
	}
	return a + b
}

// mulCost multiplies saturating; n is at least 1.
func mulCost(child, n int) int {
	child, n = max(child, 0), max(n, 1)
	if child > maxCost/n {
		return maxCost
	}
	return child * n
}
