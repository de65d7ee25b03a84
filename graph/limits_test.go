package graph

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/itam-dev/itam/internal/itam"
)

// fanOut is the document: each fragment spreads the next twice, so
// expanding the spreads walks 2^levels fragments in about 40 bytes a level.
func fanOut(levels int) string {
	var b strings.Builder
	b.WriteString("query{viewer{...F0}}")
	for i := range levels {
		fmt.Fprintf(&b, " fragment F%d on Viewer{...F%d ...F%d role}", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on Viewer{role}", levels)
	return b.String()
}

// nested is {viewer{person{manager{manager{…{id}}}}}}, depth levels deep.
func nested(depth int) string {
	return "{viewer{person{" + strings.Repeat("manager{", depth-3) + "id" + strings.Repeat("}", depth-3) + "}}}"
}

func repeat(field string, n int) string {
	return strings.Repeat(field+" ", n)
}

func fragments(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, " fragment F%d on Viewer{role}", i)
	}
	return b.String()
}

func aliases(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "a%d:role ", i)
	}
	return b.String()
}

func TestCheckShape(t *testing.T) {
	cases := []struct {
		name, query, code string
	}{
		{"fan-out has a small shape", fanOut(30), ""},
		{"depth at the limit", nested(MaxDepth), ""},
		{"too deep", nested(MaxDepth + 1), codeTooDeep},
		{"too deep through fragments", "{viewer{...A}} fragment A on Viewer{person{...B}} fragment B on Person{" +
			strings.TrimSuffix(strings.TrimPrefix(nested(MaxDepth+1), "{viewer{person{"), "}}}") + "}", codeTooDeep},
		{"fields at the limit", "{viewer{" + repeat("role", MaxFields-1) + "}}", ""},
		{"too many fields", "{viewer{" + repeat("role", MaxFields) + "}}", codeTooManyFields},
		{"fields in fragments count", "{viewer{...A}} fragment A on Viewer{" + repeat("role", MaxFields) + "}", codeTooManyFields},
		{"spreads count", "{viewer{" + repeat("...A", MaxFields) + "}} fragment A on Viewer{role}", codeTooManyFields},
		{"variables count", "query(" + repeat("$v:Int", MaxFields) + "){__typename}", codeTooManyFields},
		{"directives count", "{__typename" + repeat(" @skip(if:false)", MaxFields) + "}", codeTooManyFields},
		{"fragments at the limit", "{viewer{...F0}}" + fragments(MaxFragments), ""},
		{"too many fragments", "{viewer{...F0}}" + fragments(MaxFragments+1), codeTooManyFragments},
		{"aliases at the limit", "{viewer{" + aliases(MaxAliases) + "}}", ""},
		{"too many aliases", "{viewer{" + aliases(MaxAliases+1) + "}}", codeTooManyAliases},
		{"fragment cycle ends", "{viewer{...A}} fragment A on Viewer{...B} fragment B on Viewer{...A role}", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := parser.ParseQuery(&ast.Source{Input: c.query})
			require.NoError(t, err)
			gerr := checkShape(doc)
			if c.code == "" {
				require.Nil(t, gerr)
				return
			}
			require.NotNil(t, gerr)
			require.Equal(t, c.code, gerr.Extensions["code"], gerr.Message)
		})
	}
}

func validated(t *testing.T, query string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: query})
	require.NoError(t, err)
	require.Empty(t, validator.Validate(executableSchema(&Resolver{}).Schema(), doc))
	return doc
}

// The memoized walk must price documents exactly as gqlgen's complexity
// package did, fragments and variables included.
func TestOperationCostMatchesGqlgen(t *testing.T) {
	es := executableSchema(&Resolver{})
	cases := []struct {
		query string
		vars  map[string]any
	}{
		{"{viewer{role organization{name}}}", nil},
		{"{assets(first:100){totalCount nodes{assetTag history(first:5){nodes{action}}}}}", nil},
		{"query($n:Int){assets(first:$n){nodes{...A}}} fragment A on Asset{id assignee{... on Person{name assets{nodes{id}}} ... on Location{name}}}", map[string]any{"n": 20}},
		{"{nodes(ids:[\"a\",\"b\",\"c\"]){id ... on Asset{history(last:3){nodes{action}}}}}", nil},
		{"{node(id:\"a\"){... on Person{assets{nodes{...A ...A}}}}} fragment A on Asset{id assetTag}", nil},
		{fanOut(8), nil},
	}
	for _, c := range cases {
		doc := validated(t, c.query)
		op := doc.Operations[0]
		want := complexity.Calculate(context.Background(), es, op, c.vars)
		got, introspects := operationCost(context.Background(), es, op, c.vars)
		require.Equal(t, want, got, c.query)
		require.False(t, introspects)
	}
}

func TestOperationCost(t *testing.T) {
	es := executableSchema(&Resolver{})
	cost := func(query string, vars map[string]any) int {
		c, _ := operationCost(context.Background(), es, validated(t, query).Operations[0], vars)
		return c
	}
	// The fan-out doubles per level; its cost is 2^levels+… and saturates
	// rather than overflowing into an acceptable number.
	require.Greater(t, cost(fanOut(30), nil), MaxComplexity)
	require.Greater(t, cost(fanOut(200), nil), MaxComplexity)

	// nodes(ids:) pays its selection once per id.
	ids := func(n int) map[string]any {
		v := make([]any, n)
		for i := range v {
			v[i] = "x"
		}
		return map[string]any{"ids": v}
	}
	const q = "query($ids:[ID!]!){nodes(ids:$ids){id ... on Asset{history(first:5){nodes{action}}}}}"
	one, hundred := cost(q, ids(1)), cost(q, ids(100))
	require.Equal(t, 1+100*(one-1), hundred)

	_, introspects := operationCost(context.Background(), es, validated(t, "{__schema{queryType{name}}}").Operations[0], nil)
	require.True(t, introspects)
	_, introspects = operationCost(context.Background(), es, validated(t, "{__typename}").Operations[0], nil)
	require.False(t, introspects)
}

func TestCostArithmeticSaturates(t *testing.T) {
	require.Equal(t, maxCost, addCost(maxCost, 1))
	require.Equal(t, maxCost, mulCost(maxCost/2, 3))
	require.Equal(t, 5, addCost(-3, 5))
	require.Equal(t, 7, mulCost(7, 0))
	require.Equal(t, maxCost, pageCost(maxCost, nil, nil))
}

// answerWithin serves one POST and fails the test, instead of hanging, if
// the handler has not answered within a bound far above what a linear
// walk needs (milliseconds): before the memoized walk, 30 levels of
// fan-out pinned a core for minutes.
func answerWithin(t *testing.T, h http.Handler, params map[string]any) reply {
	t.Helper()
	done := make(chan reply, 1)
	go func() { done <- postJSON(t, h, mediaJSON, params) }()
	select {
	case r := <-done:
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("no answer within 20s to a %d-byte document", len(fmt.Sprint(params["query"])))
		return reply{}
	}
}

func TestHandlerRefusesExpensiveDocuments(t *testing.T) {
	h := testHandler(Options{})
	manyIDs := make([]string, itam.MaxPageSize+1)
	for i := range manyIDs {
		manyIDs[i] = "x"
	}
	cases := []struct {
		name   string
		params map[string]any
		code   string
		field  string
	}{
		{"fragment fan-out", map[string]any{"query": fanOut(30)}, codeComplexity, ""},
		{"wide fan-out", map[string]any{"query": fanOut(60)}, codeComplexity, ""},
		{"same field repeated", map[string]any{"query": "{viewer{" + repeat("role", 16000) + "}}"}, codeTooManyFields, ""},
		{"one fragment spread many times", map[string]any{"query": "{viewer{" + repeat("...A", 20000) + "}} fragment A on Viewer{role}"}, codeTooManyFields, ""},
		{"document too large", map[string]any{"query": "{__typename}" + strings.Repeat(" ", MaxDocumentBytes)}, codeDocumentTooLarge, ""},
		{"too deep", map[string]any{"query": nested(MaxDepth + 1)}, codeTooDeep, ""},
		{"too many aliases", map[string]any{"query": "{viewer{" + aliases(MaxAliases+1) + "}}"}, codeTooManyAliases, ""},
		{"too many ids", map[string]any{"query": "query($ids:[ID!]!){nodes(ids:$ids){id}}", "variables": map[string]any{"ids": manyIDs}}, string(itam.CodeInvalid), "ids"},
		{"page of ids with history", map[string]any{"query": "query($ids:[ID!]!){nodes(ids:$ids){... on Asset{history(first:100){nodes{action}}}}}",
			"variables": map[string]any{"ids": manyIDs[:itam.MaxPageSize]}}, codeComplexity, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := answerWithin(t, h, c.params)
			require.Equal(t, c.code, r.code(), r.body)
			if c.field != "" {
				ext := r.body["errors"].([]any)[0].(map[string]any)["extensions"].(map[string]any)
				require.Equal(t, c.field, ext["field"])
			}
		})
	}
}

func TestIntrospectionOption(t *testing.T) {
	// GraphiQL's introspection query (graphql-js getIntrospectionQuery with
	// every option) nests ofType deep; it must pass the limits.
	full, err := os.ReadFile("testdata/introspection.graphql")
	require.NoError(t, err)
	r := postJSON(t, testHandler(Options{}), "", map[string]any{"query": string(full)})
	require.Empty(t, r.body["errors"])
	require.NotNil(t, r.body["data"])

	const schema = "{__schema{queryType{name}}}"
	r = postJSON(t, testHandler(Options{}), "", map[string]any{"query": schema})
	require.Empty(t, r.body["errors"])
	require.Equal(t, map[string]any{"__schema": map[string]any{"queryType": map[string]any{"name": "Query"}}}, r.body["data"])

	off := testHandler(Options{DisableIntrospection: true})
	for _, q := range []string{schema, `{__type(name:"Asset"){name}}`, "{...F} fragment F on Query{viewer{role} t:__type(name:\"Asset\"){name}}"} {
		r = postJSON(t, off, "", map[string]any{"query": q})
		require.Equal(t, codeIntrospectionOff, r.code(), r.body)
	}
	r = postJSON(t, off, "", map[string]any{"query": "{__typename}"})
	require.Empty(t, r.body["errors"])
}
