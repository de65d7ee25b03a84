package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/itam-dev/itam/graph/compiled"
	"github.com/itam-dev/itam/graph/generated"
)

// diffOp is one operation of the committed corpus.
type diffOp struct {
	name string
	doc  string
	vars map[string]any
}

// TestDifferential runs every operation of testdata/differential through
// gqlgen's executor and through compiled execution, as every caller of
// diffEnv (ADMIN, EMPLOYEE, AUDITOR, MANAGER of one organization, ADMIN of
// another), and requires the same status, content type and body, byte for
// byte except for the order of the errors array (see sameBody). Before
// running anything it checks the corpus: at least 200 operations, each
// valid against the schema, together using every feature in diffFeatures
// and every list on Query.
func TestDifferential(t *testing.T) {
	t.Parallel()
	ops := loadCorpus(t)
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	seen := corpusFeatures(t, schema, ops)
	for _, f := range diffFeatures {
		require.NotZero(t, seen[f], "no operation in %s uses %s", corpusDir, f)
	}
	for _, name := range queryLists(schema) {
		require.NotZero(t, seen["Query."+name], "no operation in %s reads the list Query.%s", corpusDir, name)
	}
	for _, f := range diffFeatures {
		t.Logf("%-36s in %d places", f, seen[f])
	}

	e := newDiffEnv(t)
	var outcomes diffOutcomes
	before := compiled.Written()
	for _, op := range ops {
		var adminForbidden bool
		for _, c := range e.callers {
			body := e.requestBody(t, op.doc, op.vars)
			pStatus, pType, plain := diffDo(e.plain, c.token, body)
			cStatus, cType, compiled := diffDo(e.compiled, c.token, body)
			if err := sameBody(plain, compiled); err != nil || pStatus != cStatus || pType != cType {
				// Tell a difference of the paths from an operation whose
				// answer changes by itself (a corpus bug).
				_, _, again := diffDo(e.plain, c.token, body)
				require.NoError(t, sameBody(plain, again), "%s as %s: the operation is not deterministic; the corpus must not depend on time or order", op.name, c.name)
				require.Equal(t, pStatus, cStatus, "%s as %s: status", op.name, c.name)
				require.Equal(t, pType, cType, "%s as %s: content type", op.name, c.name)
				require.NoError(t, err, "%s as %s: compiled execution answered differently\nplain:    %s\ncompiled: %s", op.name, c.name, plain, compiled)
			}
			forbidden := outcomes.add(t, plain)
			switch c.name {
			case "admin":
				adminForbidden = forbidden
			case "employee":
				if forbidden && !adminForbidden {
					outcomes.employeeHidden++
				}
			}
		}
	}
	t.Logf("%d operations × %d callers; responses with errors inside lists: %d, with null bubbling: %d, with nulls in data: %d, hidden from EMPLOYEE only: %d",
		len(ops), len(e.callers), outcomes.errorsInLists, outcomes.bubbled, outcomes.nulls, outcomes.employeeHidden)
	// The data must exercise what the documents ask for.
	require.NotZero(t, outcomes.errorsInLists, "no response had an error inside a list")
	require.NotZero(t, outcomes.bubbled, "no response had an error on a non-null field bubbling to a nullable parent")
	require.NotZero(t, outcomes.nulls, "no response had a null in a nullable field")
	require.NotZero(t, outcomes.employeeHidden, "no response refused EMPLOYEE what ADMIN saw")
	// Equal bodies prove nothing if the compiled handler never compiled:
	// a middleware that hands every field back to gqlgen compares equal.
	require.Greater(t, compiled.Written(), before, "the compiled handler wrote no subtree from a plan")
}

// loadCorpus reads testdata/differential: one operation per .graphql file,
// its variables (if any) in the .json file of the same name.
func loadCorpus(t *testing.T) []diffOp {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.graphql"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 200, "the differential corpus holds at least 200 operations")
	ops := make([]diffOp, 0, len(files))
	for _, f := range files {
		doc, err := os.ReadFile(f)
		require.NoError(t, err)
		op := diffOp{name: filepath.Base(f), doc: string(doc)}
		vars, err := os.ReadFile(strings.TrimSuffix(f, ".graphql") + ".json")
		if err == nil {
			require.NoError(t, json.Unmarshal(vars, &op.vars), f)
		} else {
			require.ErrorIs(t, err, os.ErrNotExist)
		}
		ops = append(ops, op)
	}
	return ops
}

// sameBody reports how two GraphQL response bodies differ, or nil when they
// are byte-identical once the elements of their errors arrays are in the
// same order. That order is the one thing gqlgen's own executor does not
// fix: it appends errors as concurrent resolvers finish, so the same
// request gives errors in varying order on the plain path alone.
func sameBody(plain, compiled []byte) error {
	if bytes.Equal(plain, compiled) {
		return nil
	}
	p, err := sortErrors(plain)
	if err != nil {
		return fmt.Errorf("plain: %w", err)
	}
	c, err := sortErrors(compiled)
	if err != nil {
		return fmt.Errorf("compiled: %w", err)
	}
	if !bytes.Equal(p, c) {
		i := 0
		for i < min(len(p), len(c)) && p[i] == c[i] {
			i++
		}
		return fmt.Errorf("bodies differ at byte %d: plain …%s… compiled …%s…", i, excerpt(p, i), excerpt(c, i))
	}
	return nil
}

func excerpt(b []byte, i int) string {
	return string(b[max(0, i-40):min(len(b), i+40)])
}

// sortErrors returns body with the elements of its top-level "errors"
// array sorted by their bytes, everything else untouched.
func sortErrors(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object: %s", body)
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, err
		}
		start := dec.InputOffset()
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		if key != "errors" {
			continue
		}
		end := dec.InputOffset()
		var errs []json.RawMessage
		if err := json.Unmarshal(raw, &errs); err != nil {
			return nil, err
		}
		slices.SortFunc(errs, func(a, b json.RawMessage) int { return bytes.Compare(a, b) })
		out := slices.Clone(body[:start])
		out = append(out, ':', '[')
		for i, e := range errs {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, e...)
		}
		out = append(out, ']')
		return append(out, body[end:]...), nil
	}
	return body, nil
}

// diffOutcomes counts what the plain path's responses show, so the test
// can require that the seeded data makes the corpus's features happen.
type diffOutcomes struct {
	errorsInLists, bubbled, nulls, employeeHidden int
}

// add records one response and reports whether it refused something with
// FORBIDDEN.
func (o *diffOutcomes) add(t *testing.T, body []byte) (forbidden bool) {
	t.Helper()
	var r struct {
		Data   any
		Errors []struct {
			Path       []any
			Extensions map[string]any
		}
	}
	require.NoError(t, json.Unmarshal(body, &r), string(body))
	var inList, bubbled bool
	for _, e := range r.Errors {
		forbidden = forbidden || e.Extensions["code"] == "FORBIDDEN"
		at := r.Data
		for _, p := range e.Path {
			if _, ok := p.(float64); ok {
				inList = true
			}
			if at == nil {
				bubbled = true // a parent of the failed field is null
				break
			}
			switch x := at.(type) {
			case map[string]any:
				at = x[fmt.Sprint(p)]
			case []any:
				at = x[int(p.(float64))]
			}
		}
	}
	if inList {
		o.errorsInLists++
	}
	if bubbled {
		o.bubbled++
	}
	if len(r.Errors) == 0 && bytes.Contains(body, []byte(":null")) {
		o.nulls++
	}
	return forbidden
}

// diffFeatures are what the corpus's documents must use, each at least
// once (corpusFeatures counts them).
var diffFeatures = []string{
	"alias", "named fragment", "inline fragment", "fragment on union Assignee", "fragment on union Owner",
	"fragment spread inside a fragment", "inline fragment inside a fragment", "@skip with a variable",
	"@include with a variable", "__typename", "variables", "interface fragment (Node)", "fragment spread on a union",
}

// corpusFeatures validates every document against the schema and counts,
// over all of them, the features of diffFeatures and the Query fields read
// ("Query.<name>").
func corpusFeatures(t *testing.T, schema *ast.Schema, ops []diffOp) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, op := range ops {
		doc, errs := gqlparser.LoadQuery(schema, op.doc)
		require.Empty(t, errs, "%s is not valid against the schema", op.name)
		var walk func(set ast.SelectionSet, parent *ast.Definition, inFragment bool)
		walk = func(set ast.SelectionSet, parent *ast.Definition, inFragment bool) {
			for _, s := range set {
				for _, d := range directivesOf(s) {
					if arg := d.Arguments.ForName("if"); arg != nil && arg.Value.Kind == ast.Variable {
						seen["@"+d.Name+" with a variable"]++
					}
				}
				switch x := s.(type) {
				case *ast.Field:
					if x.Name == "__typename" {
						seen["__typename"]++
					}
					if x.Alias != x.Name {
						seen["alias"]++
					}
					if parent.Name == "Query" {
						seen["Query."+x.Name]++
					}
					if x.Definition != nil {
						walk(x.SelectionSet, schema.Types[x.Definition.Type.Name()], inFragment)
					}
				case *ast.InlineFragment:
					seen["inline fragment"]++
					fragmentOn(seen, parent, false)
					if inFragment {
						seen["inline fragment inside a fragment"]++
					}
					walk(x.SelectionSet, x.ObjectDefinition, true)
				case *ast.FragmentSpread:
					seen["named fragment"]++
					fragmentOn(seen, parent, true)
					if inFragment {
						seen["fragment spread inside a fragment"]++
					}
					walk(x.Definition.SelectionSet, x.ObjectDefinition, true)
				}
			}
		}
		for _, o := range doc.Operations {
			if len(o.VariableDefinitions) > 0 {
				seen["variables"]++
			}
			walk(o.SelectionSet, schema.Query, false)
		}
	}
	return seen
}

func directivesOf(s ast.Selection) ast.DirectiveList {
	switch x := s.(type) {
	case *ast.Field:
		return x.Directives
	case *ast.InlineFragment:
		return x.Directives
	case *ast.FragmentSpread:
		return x.Directives
	}
	return nil
}

// fragmentOn counts a fragment applied where the selection's type is
// abstract.
func fragmentOn(seen map[string]int, parent *ast.Definition, spread bool) {
	switch parent.Kind {
	case ast.Union:
		seen["fragment on union "+parent.Name]++
		if spread {
			seen["fragment spread on a union"]++
		}
	case ast.Interface:
		seen["interface fragment ("+parent.Name+")"]++
	}
}

// queryLists are the Query fields that answer a list: a list type or a
// connection.
func queryLists(schema *ast.Schema) []string {
	var out []string
	for _, f := range schema.Query.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		if f.Type.Elem != nil || strings.HasSuffix(f.Type.Name(), "Connection") {
			out = append(out, f.Name)
		}
	}
	return out
}

// TestSameBody: the comparison lets through only a different order of
// errors; any other difference in data, errors or their order of keys
// fails.
func TestSameBody(t *testing.T) {
	t.Parallel()
	const base = `{"errors":[{"message":"a","path":["x",0]},{"message":"b","path":["x",1]}],"data":{"x":[null,null],"y":"1"}}`
	tests := []struct {
		name, compiled string
		same           bool
	}{
		{"identical", base, true},
		{"errors reordered", `{"errors":[{"message":"b","path":["x",1]},{"message":"a","path":["x",0]}],"data":{"x":[null,null],"y":"1"}}`, true},
		{"a data byte", `{"errors":[{"message":"a","path":["x",0]},{"message":"b","path":["x",1]}],"data":{"x":[null,null],"y":"2"}}`, false},
		{"data keys reordered", `{"errors":[{"message":"a","path":["x",0]},{"message":"b","path":["x",1]}],"data":{"y":"1","x":[null,null]}}`, false},
		{"an error's message", `{"errors":[{"message":"a","path":["x",0]},{"message":"c","path":["x",1]}],"data":{"x":[null,null],"y":"1"}}`, false},
		{"an error's keys reordered", `{"errors":[{"path":["x",0],"message":"a"},{"message":"b","path":["x",1]}],"data":{"x":[null,null],"y":"1"}}`, false},
		{"an error missing", `{"errors":[{"message":"a","path":["x",0]}],"data":{"x":[null,null],"y":"1"}}`, false},
		{"an error twice", `{"errors":[{"message":"a","path":["x",0]},{"message":"a","path":["x",0]}],"data":{"x":[null,null],"y":"1"}}`, false},
		{"errors after data", `{"data":{"x":[null,null],"y":"1"},"errors":[{"message":"a","path":["x",0]},{"message":"b","path":["x",1]}]}`, false},
		{"whitespace", `{"errors":[{"message":"a","path":["x",0]},{"message":"b","path":["x",1]}],"data":{"x":[null, null],"y":"1"}}`, false},
		{"not JSON", `{"errors":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sameBody([]byte(base), []byte(tt.compiled))
			if tt.same {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
}
