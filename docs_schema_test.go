package main

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/generated"
)

// TestSchemaIsDocumented fails on any schema item an API client cannot read
// a description for: the description is the only documentation GraphiQL and
// generated clients show, so an undocumented field is an unexplained one.
// It reads the executable schema (every graph/schema/*.graphqls file, as
// gqlgen compiled it), so a file added later is covered without a change here.
func TestSchemaIsDocumented(t *testing.T) {
	missing := undocumentedSchemaItems(generated.NewExecutableSchema(generated.Config{}).Schema())
	if len(missing) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d schema items have no description. Every type, field, argument, input field, enum value and "+
		"directive of every graph/schema/*.graphqls file (new files included) needs one: write it (\"...\" or \"\"\"...\"\"\" "+
		"just before the item) saying what it is for an API client: meaning, units, bounds, when it is null, who may call it "+
		"and its error codes; then run `go run github.com/99designs/gqlgen generate`.\n", len(missing))
	file := ""
	for _, m := range missing {
		if m.file != file {
			file = m.file
			fmt.Fprintf(&b, "%s:\n", file)
		}
		fmt.Fprintf(&b, "  line %d: %s\n", m.line, m.name)
	}
	t.Fatal(b.String())
}

// undocumentedItem is one schema item without a description, named the way a
// developer finds it: Type, Type.field, Type.field(arg), Enum.VALUE or
// @directive(arg), with the file and line that declares it.
type undocumentedItem struct {
	file string
	line int
	name string
}

// undocumentedSchemaItems lists every type, field, argument, input field,
// enum value and directive of s whose description is blank, sorted by file
// and line. Only what GraphQL itself defines (introspection types, built-in
// scalars and directives) is skipped.
func undocumentedSchemaItems(s *ast.Schema) []undocumentedItem {
	var out []undocumentedItem
	add := func(pos *ast.Position, desc, name string) {
		if strings.TrimSpace(desc) != "" {
			return
		}
		it := undocumentedItem{file: "(unknown file)", name: name}
		if pos != nil {
			it.line = pos.Line
			if pos.Src != nil {
				it.file = "graph/schema/" + path.Base(pos.Src.Name)
			}
		}
		out = append(out, it)
	}
	args := func(owner string, list ast.ArgumentDefinitionList) {
		for _, a := range list {
			add(a.Position, a.Description, fmt.Sprintf("%s(%s)", owner, a.Name))
		}
	}
	for _, d := range s.Types {
		if d.BuiltIn || strings.HasPrefix(d.Name, "__") {
			continue
		}
		add(d.Position, d.Description, d.Name)
		for _, f := range d.Fields {
			// gqlparser adds __schema, __type and __typename itself.
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			add(f.Position, f.Description, d.Name+"."+f.Name)
			args(d.Name+"."+f.Name, f.Arguments)
		}
		for _, v := range d.EnumValues {
			add(v.Position, v.Description, d.Name+"."+v.Name)
		}
	}
	for _, d := range s.Directives {
		if d.Position != nil && d.Position.Src != nil && d.Position.Src.BuiltIn {
			continue
		}
		add(d.Position, d.Description, "@"+d.Name)
		args("@"+d.Name, d.Arguments)
	}
	slices.SortFunc(out, func(a, b undocumentedItem) int {
		if c := strings.Compare(a.file, b.file); c != 0 {
			return c
		}
		if a.line != b.line {
			return a.line - b.line
		}
		return strings.Compare(a.name, b.name)
	})
	return out
}

// TestUndocumentedSchemaItems checks the checker on a small schema with one
// undocumented item of every kind, so a blind spot in it (a kind it forgets)
// fails here rather than passing silently on the real schema.
func TestUndocumentedSchemaItems(t *testing.T) {
	src := &ast.Source{Name: "../schema/x.graphqls", Input: `
"ok" scalar Good
scalar Bad
"ok" interface Thing { "ok" id: ID! name: String }
"ok" type Query {
  "ok" a("ok" x: Int, y: Int): Int
  b: Int
  "ok" good: Good
  "ok" bad: Bad
  "ok" u: U
  "ok" t: Thing
}
extend type Query { "ok" c: Int d: Int }
union U = Query
"  " input In { "ok" p: Int q: Int }
"ok" enum E { "ok" ON OFF }
directive @dir("ok" ok: Int, no: Int) on FIELD_DEFINITION
`}
	s, err := gqlparser.LoadSchema(src)
	require.NoError(t, err)
	var got []string
	for _, m := range undocumentedSchemaItems(s) {
		require.Equal(t, "graph/schema/x.graphqls", m.file, m.name)
		require.NotZero(t, m.line, m.name)
		got = append(got, m.name)
	}
	require.Equal(t, []string{"Bad", "Thing.name", "Query.a(y)", "Query.b", "Query.d", "U", "In", "In.q", "E.OFF", "@dir", "@dir(no)"}, got)
}
