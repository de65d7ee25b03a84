package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/generated"
)

// FuzzCompiledExecution turns the fuzzer's bytes into a random valid query
// over the whole schema (randomQuery: any reachable field, required
// arguments filled, first ≤ 5, depth ≤ 4, aliases, named, inline and
// nested fragments, fragments on unions and interfaces, @include/@skip with
// variables) and requires what TestDifferential requires of the corpus:
// gqlgen's executor and compiled execution answer it with the same bytes,
// as ADMIN, EMPLOYEE and one more caller the bytes pick. `go test` runs the
// committed seeds (testdata/fuzz/FuzzCompiledExecution); `go test -run '^$'
// -fuzz FuzzCompiledExecution -fuzztime 60s .` searches for more.
func FuzzCompiledExecution(f *testing.F) {
	e := newDiffEnv(f)
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	f.Add([]byte("assets"))
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, vars := randomQuery(schema, e.refs, data)
		callers := []diffCaller{e.callers[0], e.callers[1], e.callers[2+int(fuzzByte(data, len(data)-1))%(len(e.callers)-2)]}
		for _, c := range callers {
			body := e.requestBody(t, doc, vars)
			pStatus, pType, plain := diffDo(e.plain, c.token, body)
			cStatus, cType, compiled := diffDo(e.compiled, c.token, body)
			if err := sameBody(plain, compiled); err != nil || pStatus != cStatus || pType != cType {
				_, _, again := diffDo(e.plain, c.token, body)
				require.NoError(t, sameBody(plain, again), "as %s the answer changes by itself; randomQuery must leave out what depends on time:\n%s", c.name, doc)
				require.Equal(t, pStatus, cStatus, "as %s: status\n%s", c.name, doc)
				require.Equal(t, pType, cType, "as %s: content type\n%s", c.name, doc)
				require.NoError(t, err, "as %s compiled execution answered differently\nquery: %s\nvariables: %v\nplain:    %s\ncompiled: %s", c.name, doc, vars, plain, compiled)
			}
		}
	})
}

// TestRandomQueryValid: randomQuery makes documents the schema accepts,
// whatever the bytes, so the fuzz test compares executions rather than
// validation errors.
func TestRandomQueryValid(t *testing.T) {
	t.Parallel()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	refs := map[string]string{}
	for _, name := range fuzzRefNames {
		refs[name] = "QXNzZXQ6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
	}
	seen := map[string]bool{}
	for i := range 400 {
		data := make([]byte, 8+i%200)
		for j := range data {
			data[j] = byte((i*131 + j*17 + j*j*7) % 251)
		}
		doc, _ := randomQuery(schema, refs, data)
		_, errs := gqlparser.LoadQuery(schema, doc)
		require.Empty(t, errs, "invalid document from %x:\n%s", data, doc)
		for _, s := range []string{"...", "fragment ", "@include", "@skip", "__typename", ": "} {
			if strings.Contains(doc, s) {
				seen[s] = true
			}
		}
	}
	require.Len(t, seen, 6, "every construct appears in some generated document: %v", seen)
}

// fuzzSkipFields are fields randomQuery never selects: answers that change
// with the clock or by themselves (signed export links, generated
// certificates), and fields that call a vendor.
var fuzzSkipFields = map[string]bool{
	"Query.exportAssets": true, "Query.exportPeople": true, "Query.exportLicenses": true,
	"Query.disposalCertificateExport": true, "Asset.tickets": true,
}

// fuzzRefNames are the fixtures (diffEnv.refs) an ID argument can name.
var fuzzRefNames = []string{"asset", "nullAsset", "personOwnedAsset", "locationAssignedAsset", "person", "team",
	"location", "model", "connector", "organization", "product", "contract", "costEntry", "license", "manufacturer", "category"}

func fuzzByte(data []byte, i int) byte {
	if i >= 0 && i < len(data) {
		return data[i]
	}
	return 0
}

// queryGen writes one query from a stream of choices. When the bytes run
// out every choice is the first, so any input ends in a small document.
type queryGen struct {
	schema *ast.Schema
	refs   map[string]string
	data   []byte
	at     int
	// aliasAll gives every field a unique alias, the fallback when a
	// random mix of names makes fields that cannot merge.
	aliasAll  bool
	aliases   int
	fragments []string
	vars      map[string]bool // Boolean! variables used, with their values
}

func (g *queryGen) intn(n int) int {
	if n <= 1 || g.at >= len(g.data) {
		return 0
	}
	v := int(g.data[g.at])
	g.at++
	return v % n
}

// randomQuery is the query data describes and its variables. It tries the
// fields' own names first and aliases everything when that mix does not
// validate.
func randomQuery(schema *ast.Schema, refs map[string]string, data []byte) (string, map[string]any) {
	doc, vars := generateQuery(schema, refs, data, false)
	if _, errs := gqlparser.LoadQuery(schema, doc); len(errs) > 0 {
		doc, vars = generateQuery(schema, refs, data, true)
	}
	return doc, vars
}

func generateQuery(schema *ast.Schema, refs map[string]string, data []byte, aliasAll bool) (string, map[string]any) {
	g := &queryGen{schema: schema, refs: refs, data: data, aliasAll: aliasAll, vars: map[string]bool{}}
	var b strings.Builder
	body := g.selection(schema.Query, 0, 1+g.intn(3))
	b.WriteString("query Fuzz")
	if len(g.vars) > 0 {
		var decl []string
		for _, name := range slices.Sorted(maps.Keys(g.vars)) {
			decl = append(decl, "$"+name+": Boolean!")
		}
		b.WriteString("(" + strings.Join(decl, ", ") + ")")
	}
	b.WriteString(" " + body + "\n")
	for _, f := range g.fragments {
		b.WriteString(f + "\n")
	}
	vars := map[string]any{}
	for name, v := range g.vars {
		vars[name] = v
	}
	return b.String(), vars
}

const fuzzMaxDepth = 4

// selection writes a selection set over t with about n fields.
func (g *queryGen) selection(t *ast.Definition, depth, n int) string {
	if t.Kind == ast.Union || t.Kind == ast.Interface {
		return g.abstractSelection(t, depth)
	}
	var parts []string
	used := map[string]bool{}
	fields := g.candidates(t, depth)
	for range n {
		f := fields[g.intn(len(fields))]
		if used[f.Name] && !g.aliasAll {
			continue
		}
		used[f.Name] = true
		parts = append(parts, g.field(t, f, depth))
	}
	set := "{ " + strings.Join(parts, " ") + " }"
	if depth == 0 {
		return set
	}
	switch g.intn(8) {
	case 0: // through a named fragment
		name := fmt.Sprintf("F%d", len(g.fragments))
		g.fragments = append(g.fragments, "fragment "+name+" on "+t.Name+" "+set)
		return "{ ..." + name + g.maybeDirective() + " }"
	case 1: // through an inline fragment, typed or not
		if g.intn(2) == 0 {
			return "{ ... on " + t.Name + " " + set + " }"
		}
		return "{ __typename ..." + g.maybeDirective() + " " + set + " }"
	}
	return set
}

// abstractSelection writes __typename and fragments on some of t's
// possible types.
func (g *queryGen) abstractSelection(t *ast.Definition, depth int) string {
	parts := []string{"__typename"}
	if t.Kind == ast.Interface && g.intn(2) == 0 {
		parts = append(parts, g.field(t, t.Fields.ForName("id"), depth))
	}
	for _, p := range g.schema.GetPossibleTypes(t) {
		if g.intn(3) == 0 {
			continue
		}
		set := g.selection(p, depth+1, 1+g.intn(3))
		if g.intn(3) == 0 {
			name := fmt.Sprintf("F%d", len(g.fragments))
			g.fragments = append(g.fragments, "fragment "+name+" on "+p.Name+" "+set)
			parts = append(parts, "..."+name+g.maybeDirective())
		} else {
			parts = append(parts, "... on "+p.Name+g.maybeDirective()+" "+set)
		}
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// candidates are t's fields randomQuery may select at depth: at the last
// level only leaves, so every branch ends.
func (g *queryGen) candidates(t *ast.Definition, depth int) []*ast.FieldDefinition {
	var out []*ast.FieldDefinition
	for _, f := range t.Fields {
		if strings.HasPrefix(f.Name, "__") || fuzzSkipFields[t.Name+"."+f.Name] {
			continue
		}
		if depth >= fuzzMaxDepth && !g.isLeaf(f.Type) {
			continue
		}
		out = append(out, f)
	}
	return append(out, &ast.FieldDefinition{Name: "__typename", Type: ast.NonNullNamedType("String", nil)})
}

func (g *queryGen) isLeaf(t *ast.Type) bool {
	k := g.schema.Types[t.Name()].Kind
	return k == ast.Scalar || k == ast.Enum
}

// field writes one field of parent with its arguments, maybe an alias and
// a directive, and its selection set.
func (g *queryGen) field(parent *ast.Definition, f *ast.FieldDefinition, depth int) string {
	var b strings.Builder
	if g.aliasAll || g.intn(5) == 0 {
		g.aliases++
		fmt.Fprintf(&b, "a%d: ", g.aliases)
	}
	b.WriteString(f.Name)
	var args []string
	for _, a := range f.Arguments {
		if v, ok := g.argument(parent, a); ok {
			args = append(args, a.Name+": "+v)
		}
	}
	if len(args) > 0 {
		b.WriteString("(" + strings.Join(args, ", ") + ")")
	}
	if g.intn(4) == 0 {
		b.WriteString(g.maybeDirective())
	}
	if !g.isLeaf(f.Type) {
		b.WriteString(" " + g.selection(g.schema.Types[f.Type.Name()], depth+1, 1+g.intn(4)))
	}
	return b.String()
}

// maybeDirective is a directive one time in three, else nothing.
func (g *queryGen) maybeDirective() string {
	if g.intn(3) == 0 {
		return g.directive()
	}
	return ""
}

// directive is @include or @skip on a fresh Boolean! variable the bytes
// set.
func (g *queryGen) directive() string {
	name := fmt.Sprintf("v%d", len(g.vars))
	g.vars[name] = g.intn(2) == 0
	if g.intn(2) == 0 {
		return " @include(if: $" + name + ")"
	}
	return " @skip(if: $" + name + ")"
}

// argument is a literal for a: always for a required argument, sometimes
// for first (0 to 5) and a few optional ones worth varying, else none.
func (g *queryGen) argument(parent *ast.Definition, a *ast.ArgumentDefinition) (string, bool) {
	required := a.Type.NonNull && a.DefaultValue == nil
	switch {
	case required:
		return g.value(a.Name, a.Type), true
	case a.Name == "first":
		return strconv.Itoa(g.intn(6)), true // never the default page: first ≤ 5
	case a.Name == "orderBy" || a.Name == "includeEnded" || a.Name == "includeReclaimed" || a.Name == "asOf" ||
		(parent.Name == "Asset" && (a.Name == "from" || a.Name == "to")):
		if g.intn(3) == 0 {
			return g.value(a.Name, a.Type), true
		}
	}
	return "", false
}

// value is a literal of type t for an argument or input field called name.
func (g *queryGen) value(name string, t *ast.Type) string {
	if t.Elem != nil {
		n := 1 + g.intn(2)
		var items []string
		for range n {
			items = append(items, g.value(name, t.Elem))
		}
		return "[" + strings.Join(slices.Compact(items), ", ") + "]"
	}
	def := g.schema.Types[t.Name()]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[g.intn(len(def.EnumValues))].Name
	case ast.InputObject:
		var fields []string
		for _, f := range def.Fields {
			if f.Type.NonNull && f.DefaultValue == nil {
				fields = append(fields, f.Name+": "+g.value(f.Name, f.Type))
			}
		}
		return "{" + strings.Join(fields, ", ") + "}"
	}
	switch t.Name() {
	case "ID":
		ref := map[string]string{"connectorId": "connector", "productId": "product", "manufacturerId": "manufacturer", "assetId": "asset"}[name]
		if ref == "" {
			ref = fuzzRefNames[g.intn(len(fuzzRefNames))]
		}
		return strconv.Quote(g.refs[ref])
	case "Int":
		switch name {
		case "notSeenForDays":
			return "30"
		case "withinDays":
			return "365"
		}
		return strconv.Itoa(1 + g.intn(5))
	case "Boolean":
		return strconv.FormatBool(g.intn(2) == 0)
	case "Date":
		switch name {
		case "from":
			return `"2022-01-01"`
		case "to":
			return `"2025-12-31"`
		}
		return `"2025-06-30"`
	case "Time":
		return `"2025-01-01T00:00:00Z"`
	case "String":
		switch name {
		case "assetTag":
			return strconv.Quote(fmt.Sprintf("A-%06d", 1+g.intn(60)))
		case "reportingCurrency", "currency":
			return `"USD"`
		case "title":
			return []string{`"Google Chrome"`, `"Slack"`, `"zzz"`}[g.intn(3)]
		}
		return `"a"`
	}
	return `"a"`
}
