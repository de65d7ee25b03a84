package postgres

import (
	"context"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/pgtest"
)

// TestAssetInsertTriggersAreSetBased inserts 20 purchased, assigned assets
// in one statement and checks what the triggers wrote (a PURCHASE entry,
// an open checkout and the month's cost total per asset) and what it cost:
// the cost summary's triggers run once for the statement, not once per
// asset, and no per-row cost-entry or checkout function runs. Counted by
// PostgreSQL (track_functions, a superuser setting) in one transaction.
func TestAssetInsertTriggersAreSetBased(t *testing.T) {
	f := newFixture(t)
	o := f.a
	ctx := context.Background()
	u, err := url.Parse(pgtest.AdminURL())
	require.NoError(t, err)
	u.Path = "/" + f.owner.Config().ConnConfig.Database
	conn, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })

	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, `SET LOCAL track_functions = 'all'`)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, assigned_person_id,
			purchase_date, purchase_price, purchase_currency, owner_team_id)
		SELECT $1, 'SET-' || i, $2, $3, 'DEPLOYED', $4, '2024-03-15', 100, 'EUR', $5 FROM generate_series(1, 20) i`,
		o.id, o.laptop, o.manufacturer, o.alice, o.team)
	require.NoError(t, err)

	var entries, checkouts, monthEntries int
	require.NoError(t, tx.QueryRow(ctx, `SELECT
			(SELECT count(*) FROM cost_entries e JOIN assets a ON a.id = e.asset_id
			  WHERE a.asset_tag LIKE 'SET-%' AND e.kind = 'PURCHASE' AND e.amount = 100 AND e.entry_date = '2024-03-15' AND e.model_id = $2),
			(SELECT count(*) FROM asset_checkouts c JOIN assets a ON a.id = c.asset_id
			  WHERE a.asset_tag LIKE 'SET-%' AND c.person_id = $3 AND c.returned_at IS NULL),
			(SELECT coalesce(sum(entries), 0) FROM cost_month_totals WHERE org_id = $1 AND month = '2024-03-01' AND kind = 'PURCHASE' AND model_id = $2)`,
		o.id, o.laptop, o.alice).Scan(&entries, &checkouts, &monthEntries))
	require.Equal(t, 20, entries, "a PURCHASE entry per asset")
	require.Equal(t, 20, checkouts, "an open checkout per assigned asset")
	require.Equal(t, 20, monthEntries, "the month's total counts every entry")

	calls := map[string]int{}
	rows, err := tx.Query(ctx, `SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE schemaname = 'itam'`)
	require.NoError(t, err)
	for rows.Next() {
		var name string
		var n int
		require.NoError(t, rows.Scan(&name, &n))
		calls[name] = n
	}
	require.NoError(t, rows.Err())
	// Once: the entries' INSERT has no ON CONFLICT DO UPDATE, which fired
	// the statement's UPDATE triggers too (00039).
	require.Equal(t, 1, calls["cost_month_totals_inserted"], "the cost summary's triggers run once per statement: %v", calls)
	require.Zero(t, calls["cost_month_totals_apply"], "no UPDATE trigger: %v", calls)
	// The entries come with their assets' model (00039): no lookup per entry.
	require.Zero(t, calls["asset_model_of_row"], "no per-row model lookup: %v", calls)
	require.Equal(t, 1, calls["asset_counts_inserted"], "asset_counts' trigger runs once per statement: %v", calls)
	require.Zero(t, calls["asset_purchase_entry"], "no per-row PURCHASE entry: %v", calls)
	require.Zero(t, calls["asset_checkout_sync"], "no per-row checkout: %v", calls)
}

// TestLabelledChanges: each reference of a history change gets the label
// of what each side names (overwriting a recorded one), and nothing else
// changes: not other fields, not a side that names no record or no UUID,
// not a reference that is not an object.
func TestLabelledChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	gone := uuid.New()
	in := map[string]any{
		"modelId":     map[string]any{"from": nil, "to": o.laptop.String()},
		"locationId":  map[string]any{"from": o.site.String(), "to": "not-a-uuid"},
		"ownerTeamId": map[string]any{"from": gone.String(), "to": o.team.String(), "toLabel": "recorded"},
		"name":        map[string]any{"from": "a", "to": o.team.String()},
		"supplierId":  "odd",
	}
	want := map[string]any{
		"modelId":     map[string]any{"from": nil, "to": o.laptop.String(), "toLabel": "Latitude 7440"},
		"locationId":  map[string]any{"from": o.site.String(), "to": "not-a-uuid", "fromLabel": "Berlin"},
		"ownerTeamId": map[string]any{"from": gone.String(), "to": o.team.String(), "toLabel": "IT"},
		"name":        map[string]any{"from": "a", "to": o.team.String()},
		"supplierId":  "odd",
	}
	var got map[string]any
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT itam.labelled_changes($1::jsonb)`, in).Scan(&got))
	require.Equal(t, want, got)
	var empty, null *string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT itam.labelled_changes('{}')::text, itam.labelled_changes(NULL)::text`).Scan(&empty, &null))
	require.Equal(t, "{}", *empty)
	require.Nil(t, null)
}

// TestDeferredAggregatesAddWhatTheTriggersWould: assets inserted while
// itam.aggregates_deferred is on (as the import inserts its new assets,
// 00041) leave asset_counts and cost_month_totals alone, and only until
// the transaction ends; itam.asset_counts_add and
// itam.cost_month_totals_add then add them, after which both equal what
// the assets and the ledger give live, as after the triggers.
func TestDeferredAggregatesAddWhatTheTriggersWould(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	ctx := context.Background()
	insert := func(tx pgx.Tx, prefix, bought string) {
		t.Helper()
		_, err := tx.Exec(ctx, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, assigned_person_id,
				location_id, purchase_date, purchase_price, purchase_currency, owner_team_id)
			SELECT $1, $2 || i, $3, $4, 'DEPLOYED', $5, CASE WHEN i % 2 = 0 THEN $6::uuid END, $7::date, 100 + i, 'EUR', $8
			FROM generate_series(1, 20) i`, o.id, prefix, o.laptop, o.manufacturer, o.alice, o.site, bought, o.team)
		require.NoError(t, err)
	}
	drift := func(tx pgx.Tx) (counts []string, months int) {
		t.Helper()
		rows, err := tx.Query(ctx, countsDiffSQL, o.id)
		require.NoError(t, err)
		counts, err = pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		return counts, costMonthTotalsDrift(t, tx, o.id)
	}
	totals := func(tx pgx.Tx) (assets, entries int) {
		t.Helper()
		require.NoError(t, tx.QueryRow(ctx, `SELECT (SELECT coalesce(sum(assets), 0) FROM asset_counts WHERE org_id = $1 AND grain = 0),
				(SELECT coalesce(sum(entries), 0) FROM cost_month_totals WHERE org_id = $1)`, o.id).Scan(&assets, &entries))
		return assets, entries
	}

	tx, err := f.owner.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // read-only checks; rolled back
	insert(tx, "TRG-", "2024-03-15")
	counts, months := drift(tx)
	require.Empty(t, counts, "after the triggers")
	require.Zero(t, months, "after the triggers")
	assets, entries := totals(tx)

	_, err = tx.Exec(ctx, `SELECT set_config('itam.aggregates_deferred', 'on', true)`)
	require.NoError(t, err)
	insert(tx, "DEF-", "2024-04-15")
	_, err = tx.Exec(ctx, `SELECT set_config('itam.aggregates_deferred', 'off', true)`)
	require.NoError(t, err)
	gotAssets, gotEntries := totals(tx)
	require.Equal(t, assets, gotAssets, "the counts' trigger stood aside")
	require.Equal(t, entries, gotEntries, "the month totals' trigger stood aside")

	_, err = tx.Exec(ctx, `SELECT itam.asset_counts_add(ARRAY(SELECT id FROM assets WHERE asset_tag LIKE 'DEF-%')),
		itam.cost_month_totals_add(ARRAY(SELECT e.id FROM cost_entries e JOIN assets a ON a.id = e.asset_id WHERE a.asset_tag LIKE 'DEF-%'))`)
	require.NoError(t, err)
	counts, months = drift(tx)
	require.Empty(t, counts, "after the deferred add")
	require.Zero(t, months, "after the deferred add")
	gotAssets, gotEntries = totals(tx)
	require.Equal(t, assets+20, gotAssets)
	require.Equal(t, entries+20, gotEntries)
	require.NoError(t, tx.Commit(ctx))

	// The setting ended with its transaction: the next insert is counted
	// by the triggers again.
	tx, err = f.owner.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx) //nolint:errcheck // read-only checks; rolled back
	insert(tx, "AFTER-", "2024-05-15")
	counts, months = drift(tx)
	require.Empty(t, counts)
	require.Zero(t, months)
}
