package compiled

import (
	"bytes"
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/itam"
)

// astNonNullNode is the type write is given for a single object.
var astNonNullNode = ast.Type{NamedType: "Node", NonNull: false}

// planFor builds the plan of the first root field of query, as the
// middleware would for that field.
func planFor(t *testing.T, query string) *node {
	t.Helper()
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQuery(schema, query)
	require.Empty(t, errs)
	oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
	root := graphql.CollectFields(oc, doc.Operations[0].SelectionSet, []string{"Query"})[0]
	b := builder{oc: oc, schema: schema}
	return b.build(root.Definition.Type, root.Selections)
}

// TestNullsAreWrittenOrLeftToGqlgen pins what the plan does with nil: null
// where the schema allows it (a nil interface, a typed nil in a union, as
// gqlgen's generated type switch does), and nothing at all (fall back, so
// gqlgen adds its error and bubbles the null) where it does not.
func TestNullsAreWrittenOrLeftToGqlgen(t *testing.T) {
	n := planFor(t, `query($id: ID!) { node(id: $id) { ... on Asset { assetTag name model { name } assignee { ... on Person { name } } owner { ... on Team { name } } location { name } } } }`)
	require.NotNil(t, n)
	team := &itam.Team{Name: "IT"}
	full := func() *model.Asset {
		return &model.Asset{Asset: &itam.Asset{AssetTag: "A-1"}, Model: &model.Model{Model: &itam.Model{Name: "X1"}}, Owner: team}
	}
	cases := []struct {
		name string
		edit func(a *model.Asset)
		want string // "" when the subtree must be left to gqlgen
	}{
		{"nullable fields nil", func(*model.Asset) {}, `{"assetTag":"A-1","name":null,"model":{"name":"X1"},"assignee":null,"owner":{"name":"IT"},"location":null}`},
		{"typed nil in a nullable union", func(a *model.Asset) { a.Assignee = (*itam.Person)(nil) }, `{"assetTag":"A-1","name":null,"model":{"name":"X1"},"assignee":null,"owner":{"name":"IT"},"location":null}`},
		{"union branch not selected", func(a *model.Asset) { a.Owner = &itam.Person{Name: "Ada"} }, `{"assetTag":"A-1","name":null,"model":{"name":"X1"},"assignee":null,"owner":{},"location":null}`},
		{"nil in a non-null object field", func(a *model.Asset) { a.Model = nil }, ""},
		{"nil in a non-null union field", func(a *model.Asset) { a.Owner = nil }, ""},
		{"typed nil in a non-null union field", func(a *model.Asset) { a.Owner = (*itam.Team)(nil) }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := full()
			c.edit(a)
			var w bytes.Buffer
			ok := write(context.Background(), &w, n, &astNonNullNode, a)
			if c.want == "" {
				require.False(t, ok)
				return
			}
			require.True(t, ok)
			require.Equal(t, c.want, w.String())
		})
	}
}

// TestListsFollowGqlgen: a nil list is [] where the schema says non-null
// (gqlgen's generated marshaler does not check it) and a nil element of a
// non-null element type is left to gqlgen.
func TestListsFollowGqlgen(t *testing.T) {
	n := planFor(t, `{ assets { nodes { assetTag } pageInfo { hasNextPage endCursor } } }`)
	require.NotNil(t, n)
	var w bytes.Buffer
	require.True(t, write(context.Background(), &w, n, &astNonNullNode, &model.AssetConnection{}))
	require.Equal(t, `{"nodes":[],"pageInfo":{"hasNextPage":false,"endCursor":null}}`, w.String())

	conn := &model.AssetConnection{Page: itam.Page[*model.Asset]{Items: []*model.Asset{{Asset: &itam.Asset{AssetTag: "A-1"}}, nil}, Cursors: []string{"c1", "c2"}}}
	w.Reset()
	require.False(t, write(context.Background(), &w, n, &astNonNullNode, conn))
	conn.Page.Items = conn.Page.Items[:1]
	w.Reset()
	require.True(t, write(context.Background(), &w, n, &astNonNullNode, conn))
	require.Equal(t, `{"nodes":[{"assetTag":"A-1"}],"pageInfo":{"hasNextPage":false,"endCursor":"c2"}}`, w.String())
}
