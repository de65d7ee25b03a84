package compiled_test

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph/compiled"
)

// TestBindingsMatchGeneratedExecutor guards against stale bindings (gqlgen
// regenerated, bindgen not): every field a plan reads itself must be one
// gqlgen's generated executor reads without a resolver, apart from the id
// resolvers TestIDResolversEqual proves equal.
func TestBindingsMatchGeneratedExecutor(t *testing.T) {
	src, err := os.ReadFile("../generated/generated.go")
	require.NoError(t, err)
	resolver := map[string]bool{}
	fc := regexp.MustCompile(`(?s)func \(ec \*executionContext\) fieldContext_([A-Za-z0-9]+)_([A-Za-z0-9]+)\([^)]*\) \(fc \*graphql\.FieldContext, err error\) \{\n(.{0,400}?)\n\}`)
	scalar := regexp.MustCompile(`NewScalarFieldContext\("[A-Za-z0-9]+", field, (true|false), (true|false),`)
	object := regexp.MustCompile(`IsResolver: (true|false),`)
	for _, m := range fc.FindAllSubmatch(src, -1) {
		key := string(m[1]) + "." + string(m[2])
		if s := scalar.FindSubmatch(m[3]); s != nil {
			resolver[key] = string(s[2]) == "true"
		} else if o := object.FindSubmatch(m[3]); o != nil {
			resolver[key] = string(o[1]) == "true"
		}
	}
	require.Greater(t, len(resolver), 1000, "the generated executor's field contexts were not found")
	ids := map[string]bool{"Category.id": true, "Manufacturer.id": true, "Location.id": true, "Person.id": true, "Team.id": true, "Supplier.id": true}
	n := 0
	for typ, fields := range compiled.BoundFields() {
		for _, f := range fields {
			key := typ + "." + f
			isResolver, known := resolver[key]
			require.True(t, known, "%s is not a field of the generated executor", key)
			require.Equal(t, ids[key], isResolver, "%s: bindings are stale, run go generate ./graph/compiled", key)
			n++
		}
	}
	require.Greater(t, n, 500)
}
