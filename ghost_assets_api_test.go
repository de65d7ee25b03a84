package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

const ghostQ = `query($d: Int!, $n: Int, $after: String) { ghostAssets(notSeenForDays: $d, first: $n, after: $after) {
	totalCount pageInfo { hasNextPage endCursor } nodes { lastSignOfLife lastSignOfLifeSource asset { assetTag bookValue { amount currency } } } } }`

// ghostTags lists the tags ghostAssets returns, in order.
func ghostTags(t *testing.T, d map[string]any) []string {
	t.Helper()
	var out []string
	for _, n := range get(d, "ghostAssets.nodes").([]any) {
		out = append(out, str(n, "asset.assetTag"))
	}
	return out
}

// TestGhostAssets: assets whose last sign of life is older than the
// threshold are listed, oldest first, with their source and book value;
// a connector seeing one, an audit scan or a person's edit brings it back
// to life, and RETIRED assets are never ghosts.
func TestGhostAssets(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	a := f.a
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	for _, tag := range []string{"G-OLD", "G-OLDER", "G-SYNCED", "G-SCANNED", "G-EDITED", "G-RETIRED", "G-FRESH"} {
		f.asset(tag, "", "room")
	}
	a.ok(f.admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, purchasePrice: {amount: "1200", currency: "EUR"}, purchaseDate: "2025-01-10"}) { asset { id } } }`,
		map[string]any{"id": f.ids["G-OLD"]})
	// Everything but G-FRESH was last touched long ago (history is append-only, so the signs are set directly).
	_, err = owner.Exec(ctx, `UPDATE asset_signs_of_life s SET at = now() - interval '400 days', source = 'USER'
		FROM assets a WHERE a.id = s.asset_id AND a.asset_tag <> 'G-FRESH'`)
	require.NoError(t, err)
	_, err = owner.Exec(ctx, `UPDATE asset_signs_of_life s SET at = now() - interval '500 days', source = 'CREATED'
		FROM assets a WHERE a.id = s.asset_id AND a.asset_tag = 'G-OLDER'`)
	require.NoError(t, err)
	_, err = owner.Exec(ctx, `UPDATE assets SET status = 'RETIRED' WHERE asset_tag = 'G-RETIRED'`)
	require.NoError(t, err)

	d := a.ok(f.audit, ghostQ, map[string]any{"d": 365})
	require.Equal(t, []string{"G-OLDER", "G-EDITED", "G-OLD", "G-SCANNED", "G-SYNCED"}, sortedAfterFirst(ghostTags(t, d)))
	require.Equal(t, 5.0, get(d, "ghostAssets.totalCount"))
	require.Equal(t, "CREATED", str(d, "ghostAssets.nodes.0.lastSignOfLifeSource"))
	for _, n := range get(d, "ghostAssets.nodes").([]any) {
		if str(n, "asset.assetTag") == "G-OLD" {
			require.Equal(t, "USER", str(n, "lastSignOfLifeSource"))
			require.Equal(t, "EUR", str(n, "asset.bookValue.currency"))
		}
	}
	// Not 400 days old at a 401-day threshold; all at one day.
	require.Equal(t, []string{"G-OLDER"}, ghostTags(t, a.ok(f.audit, ghostQ, map[string]any{"d": 401})))

	// A connector sees G-SYNCED (as a sync writes its external id).
	_, err = owner.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, last_seen_at)
		SELECT org_id, id, 'JAMF_PRO:x', 'dev-1', now() FROM assets WHERE asset_tag = 'G-SYNCED'`)
	require.NoError(t, err)
	// An auditor scans G-SCANNED.
	c := str(a.ok(f.admin, createCampaignQ, map[string]any{"in": map[string]any{"name": "x", "locationId": f.ids["paris"], "dueDate": "2026-06-30"}}),
		"createAuditCampaign.auditCampaign.id")
	f.scan(f.audit, c, "g-scanned", "room", nil)
	// A person edits G-EDITED.
	a.ok(f.admin, `mutation($id: ID!) { updateAsset(input: {id: $id, version: 1, name: "still here"}) { asset { id } } }`, map[string]any{"id": f.ids["G-EDITED"]})

	d = a.ok(f.audit, ghostQ, map[string]any{"d": 365})
	require.Equal(t, []string{"G-OLDER", "G-OLD"}, ghostTags(t, d))
	require.Equal(t, 2.0, get(d, "ghostAssets.totalCount"))
	d = a.ok(f.admin, `{ ghostAssets(notSeenForDays: 1) { nodes { lastSignOfLifeSource asset { id } } } }`, nil)
	require.Len(t, get(d, "ghostAssets.nodes"), 2)

	// Keyset pages: one at a time, in order.
	d = a.ok(f.audit, ghostQ, map[string]any{"d": 365, "n": 1})
	require.Equal(t, []string{"G-OLDER"}, ghostTags(t, d))
	require.Equal(t, true, get(d, "ghostAssets.pageInfo.hasNextPage"))
	d = a.ok(f.audit, ghostQ, map[string]any{"d": 365, "n": 1, "after": str(d, "ghostAssets.pageInfo.endCursor")})
	require.Equal(t, []string{"G-OLD"}, ghostTags(t, d))
	require.Equal(t, false, get(d, "ghostAssets.pageInfo.hasNextPage"))

	// Bounds and roles.
	a.code(f.admin, ghostQ, map[string]any{"d": 0}, "BAD_USER_INPUT", "notSeenForDays")
	a.code(f.admin, ghostQ, map[string]any{"d": 3651}, "BAD_USER_INPUT", "notSeenForDays")
	a.ok(mint(t, "acme", itam.RoleManager, "m@acme.test"), ghostQ, map[string]any{"d": 365})
	a.code(mint(t, "acme", itam.RoleEmployee, "ada@example.com"), ghostQ, map[string]any{"d": 365}, "FORBIDDEN", "")
	// Another organization sees none of them.
	d = a.ok(mint(t, "globex", itam.RoleAdmin, "admin@globex.test"), ghostQ, map[string]any{"d": 1})
	require.Equal(t, 0.0, get(d, "ghostAssets.totalCount"))
}

// sortedAfterFirst keeps the first tag (the oldest) and sorts the rest,
// which share one timestamp and so follow their (random) ids.
func sortedAfterFirst(tags []string) []string {
	if len(tags) < 2 {
		return tags
	}
	rest := append([]string{}, tags[1:]...)
	for i := range rest {
		for j := i + 1; j < len(rest); j++ {
			if rest[j] < rest[i] {
				rest[i], rest[j] = rest[j], rest[i]
			}
		}
	}
	return append([]string{tags[0]}, rest...)
}

// TestGhostAssetsPageCost: a page of ghost assets with their assets'
// relations, audit dates and book values costs the same round trips for
// 2 or 6 rows.
func TestGhostAssetsPageCost(t *testing.T) {
	t.Parallel()
	f := newAuditFixture(t)
	a := f.a
	for _, tag := range []string{"P-1", "P-2", "P-3", "P-4", "P-5", "P-6"} {
		f.asset(tag, "", "room")
	}
	owner, err := pgxpool.New(context.Background(), a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	_, err = owner.Exec(context.Background(), `UPDATE asset_signs_of_life SET at = now() - interval '100 days'`)
	require.NoError(t, err)
	const q = `query($n: Int) { ghostAssets(notSeenForDays: 30, first: $n) { totalCount nodes { lastSignOfLife asset { assetTag lastAuditedAt nextAuditDue bookValue { amount } } } } }`
	rounds := func(n int) int64 {
		before := a.rounds.Load()
		d := a.ok(f.admin, q, map[string]any{"n": n})
		require.Len(t, get(d, "ghostAssets.nodes"), n)
		return a.rounds.Load() - before
	}
	require.Equal(t, rounds(2), rounds(6))
}
