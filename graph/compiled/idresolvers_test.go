package compiled_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/graph/compiled"
	"github.com/itam-dev/itam/internal/itam"
)

// TestIDResolversEqual proves the one kind of resolver plans run without
// gqlgen: the id resolvers bindgen lists write exactly what the resolver
// returns, marshaled as gqlgen marshals an ID.
func TestIDResolversEqual(t *testing.T) {
	ctx := context.Background()
	r := &graph.Resolver{}
	id := uuid.New()
	cases := []struct {
		typ     string
		obj     any
		resolve func() (string, error)
	}{
		{"Category", &itam.Category{ID: id}, func() (string, error) { return r.Category().ID(ctx, &itam.Category{ID: id}) }},
		{"Manufacturer", &itam.Manufacturer{ID: id}, func() (string, error) { return r.Manufacturer().ID(ctx, &itam.Manufacturer{ID: id}) }},
		{"Location", &itam.Location{ID: id}, func() (string, error) { return r.Location().ID(ctx, &itam.Location{ID: id}) }},
		{"Person", &itam.Person{ID: id}, func() (string, error) { return r.Person().ID(ctx, &itam.Person{ID: id}) }},
		{"Team", &itam.Team{ID: id}, func() (string, error) { return r.Team().ID(ctx, &itam.Team{ID: id}) }},
		{"Supplier", &itam.Supplier{ID: id}, func() (string, error) { return r.Supplier().ID(ctx, &itam.Supplier{ID: id}) }},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) {
			v, err := c.resolve()
			require.NoError(t, err)
			var want bytes.Buffer
			graphql.MarshalID(v).MarshalGQL(&want)
			got, ok := compiled.WriteLeaf(c.typ, "id", c.obj)
			require.True(t, ok)
			require.Equal(t, want.String(), got)
		})
	}
	// Any other resolver is gqlgen's to run.
	_, ok := compiled.WriteLeaf("Organization", "id", &itam.Organization{ID: id})
	require.False(t, ok)
}
