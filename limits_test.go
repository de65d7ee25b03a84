package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// The limits through the real server: the fan-out document that pinned a
// core for minutes is refused at once, and nodes(ids:) takes at most a page.
func TestDocumentLimitsEndToEnd(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")

	var fan strings.Builder
	fan.WriteString("query{viewer{...F0}}")
	for i := range 30 {
		fmt.Fprintf(&fan, " fragment F%d on Viewer{...F%d ...F%d role}", i, i+1, i+1)
	}
	fan.WriteString(" fragment F30 on Viewer{role}")
	done := make(chan gqlResponse, 1)
	go func() { done <- a.do(tok, fan.String(), nil) }()
	select {
	case r := <-done:
		require.NotEmpty(t, r.Errors)
		require.Equal(t, "COMPLEXITY_LIMIT_EXCEEDED", r.Errors[0].Extensions["code"], "%+v", r.Errors)
		require.Equal(t, 200, r.status)
	case <-time.After(20 * time.Second):
		t.Fatal("the fan-out document was not refused within 20s")
	}

	ids := make([]string, itam.MaxPageSize+1)
	for i := range ids {
		ids[i] = "QXNzZXQ6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"
	}
	a.code(tok, "query($ids:[ID!]!){nodes(ids:$ids){id}}", map[string]any{"ids": ids}, "BAD_USER_INPUT", "ids")
	d := a.ok(tok, "query($ids:[ID!]!){nodes(ids:$ids){id}}", map[string]any{"ids": ids[:itam.MaxPageSize]})
	require.Len(t, d["nodes"], itam.MaxPageSize)
}

// Mutation results are nullable: when one mutation of a document fails,
// the one that committed keeps its payload.
func TestMutationsStandAlone(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	tok := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	r := a.do(tok, `mutation {
		ok: createManufacturer(input: {name: "Lenovo"}) { manufacturer { name } }
		bad: createManufacturer(input: {name: ""}) { manufacturer { name } }
	}`, nil)
	require.Len(t, r.Errors, 1, "%+v", r.Errors)
	require.Equal(t, "BAD_USER_INPUT", r.Errors[0].Extensions["code"])
	require.Equal(t, []any{"bad"}, r.Errors[0].Path)
	require.Equal(t, map[string]any{"ok": map[string]any{"manufacturer": map[string]any{"name": "Lenovo"}}, "bad": nil}, r.Data)
	d := a.ok(tok, `{ manufacturers(first: 10) { nodes { name } } }`, nil)
	require.Equal(t, []any{map[string]any{"name": "Lenovo"}}, get(d, "manufacturers.nodes"))
}
