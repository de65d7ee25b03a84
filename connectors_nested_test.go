package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// TestNoNPlusOneConnectorSyncRuns: Connector.syncRuns is fetched for every
// connector of a page at once, so 10 and 50 connectors cost the same round
// trips, and each connector still gets exactly its own runs.
func TestNoNPlusOneConnectorSyncRuns(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	a.db.Queries = func() { a.rounds.Add(1) }
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	const n = 50
	var fields []string
	for i := range n {
		fields = append(fields, fmt.Sprintf(`c%d: createConnector(input: {kind: KANDJI, name: "Conn%03d", baseUrl: "https://c%d.api.kandji.io",
			credentials: {apiToken: "token-%d"}}) { connector { id } }`, i, i, i, i))
	}
	d := a.ok(admin, "mutation {\n"+strings.Join(fields, "\n")+"\n}", nil)
	// Connector i has i%3 runs.
	ctx := context.Background()
	for i := range n {
		id, err := relay.DecodeAs("id", str(d, fmt.Sprintf("c%d.connector.id", i)), relay.TypeConnector)
		require.NoError(t, err)
		for range i % 3 {
			_, err := a.owner.Exec(ctx, `INSERT INTO sync_runs (org_id, connector_id, mode) SELECT org_id, id, 'FULL' FROM connectors WHERE id = $1`, id)
			require.NoError(t, err)
		}
	}
	q := `query($n: Int) { connectors(first: $n) { nodes { name syncRuns(first: 1) { totalCount pageInfo { hasNextPage } nodes { id status } } } } }`
	measure := func(first int) (int64, []any) {
		before := a.rounds.Load()
		d := a.ok(admin, q, map[string]any{"n": first})
		rounds := a.rounds.Load() - before
		nodes := get(d, "connectors.nodes").([]any)
		require.Len(t, nodes, first)
		return rounds, nodes
	}
	small, _ := measure(10)
	large, nodes := measure(n)
	t.Logf("round trips: 10 connectors → %d, %d connectors → %d", small, n, large)
	require.Equal(t, small, large)
	for i, c := range nodes {
		require.Equal(t, fmt.Sprintf("Conn%03d", i), str(c, "name"))
		runs := i % 3
		require.EqualValues(t, runs, get(c, "syncRuns.totalCount"))
		require.Len(t, get(c, "syncRuns.nodes"), min(runs, 1))
		require.Equal(t, runs > 1, get(c, "syncRuns.pageInfo.hasNextPage"))
	}
}
