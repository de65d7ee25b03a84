package graph

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/relay"
)

// Runs and their rows are priced by page size, so every run's report in
// one request is refused before it runs.
func TestImportConnectionsArePriced(t *testing.T) {
	es := executableSchema(&Resolver{})
	cost := func(query string) int {
		c, _ := operationCost(context.Background(), es, validated(t, query).Operations[0], nil)
		return c
	}
	one := cost(`{importRuns(first:1){nodes{rows(first:1){nodes{line}}}}}`)
	require.Greater(t, cost(`{importRuns(first:10){nodes{rows(first:1){nodes{line}}}}}`), one)
	require.Greater(t, cost(`{importRuns(first:1){nodes{rows(first:10){nodes{line}}}}}`), one)
	require.Greater(t, cost(`{importRuns(first:100){nodes{rows(first:100){nodes{line values{field value} errors{message}}}}}}`), MaxComplexity)
}

// A row shows its target as the global id of the kind's records, values in
// the kind's field order, and a row-level error without a column.
func TestImportRowAndCount(t *testing.T) {
	target := uuid.New()
	row := importRow(imports.KindPeople, imports.RowPlan{Line: 7, Action: imports.ActionUpdate, Key: "ada@example.com", TargetID: &target,
		Values: map[string]string{"title": "CTO", "name": "Ada", "email": "ada@example.com"},
		Errors: []imports.CellError{{Column: -1, Message: "row"}, {Column: 2, Header: "Title", Field: "title", Message: "cell"}}})
	require.Equal(t, relay.ID(relay.TypePerson, target), *row.Target)
	var fields []string
	for _, v := range row.Values {
		fields = append(fields, v.Field)
	}
	require.Equal(t, []string{"name", "email", "title"}, fields)
	require.Nil(t, row.Errors[0].Column)
	require.Nil(t, row.Errors[0].Header)
	require.Equal(t, 2, *row.Errors[1].Column)
	require.Nil(t, row.DuplicateOf)
	require.Empty(t, row.Kept)

}
