package graph

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// TestAuditSchemaDocumented: every type, field, argument, input field and
// enum value graph/schema/audits.graphqls adds carries a description.
func TestAuditSchemaDocumented(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("schema/audits.graphqls")
	require.NoError(t, err)
	doc, err := parser.ParseSchema(&ast.Source{Name: "audits.graphqls", Input: string(src)})
	require.NoError(t, err)
	var missing []string
	check := func(defs ast.DefinitionList, extension bool) {
		for _, d := range defs {
			if !extension && d.Description == "" {
				missing = append(missing, d.Name)
			}
			for _, f := range d.Fields {
				if f.Description == "" {
					missing = append(missing, d.Name+"."+f.Name)
				}
				for _, a := range f.Arguments {
					if a.Description == "" {
						missing = append(missing, d.Name+"."+f.Name+"("+a.Name+")")
					}
				}
			}
			for _, v := range d.EnumValues {
				if v.Description == "" {
					missing = append(missing, d.Name+"."+v.Name)
				}
			}
		}
	}
	check(doc.Definitions, false)
	check(doc.Extensions, true)
	require.Empty(t, missing, "undocumented schema items")
	require.NotEmpty(t, doc.Definitions)
}
