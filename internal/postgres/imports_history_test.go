package postgres

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
)

// trackedTx is a transaction of the fixture's database as a superuser with
// track_functions on, so a test can count PL/pgSQL calls
// (pg_stat_xact_user_functions). It is rolled back when the test ends.
func trackedTx(t *testing.T, f *fixture) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	u, err := url.Parse(pgtest.AdminURL())
	require.NoError(t, err)
	u.Path = "/" + f.owner.Config().ConnConfig.Database
	conn, err := pgx.Connect(ctx, u.String())
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { tx.Rollback(context.Background()) })
	_, err = tx.Exec(ctx, `SET LOCAL track_functions = 'all'`)
	require.NoError(t, err)
	return tx
}

// functionCalls counts the itam functions run so far in tx.
func functionCalls(t *testing.T, tx pgx.Tx) map[string]int {
	t.Helper()
	calls := map[string]int{}
	rows, err := tx.Query(context.Background(), `SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE schemaname = 'itam'`)
	require.NoError(t, err)
	var name string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&name, &n}, func() error { calls[name] = n; return nil })
	require.NoError(t, err)
	return calls
}

// TestImportHistoryLabelsAreTheTriggers: the import's history rows carry
// the labels the history trigger would have given them (relabelling them
// with itam.labelled_changes changes nothing), read once per distinct
// record with the trigger standing aside; a writer after them in the same
// transaction is labelled by the trigger again.
func TestImportHistoryLabelsAreTheTriggers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	ctx := context.Background()
	tx := trackedTx(t, f)

	p := itam.Principal{OrgID: o.id, Role: itam.RoleAdmin, Subject: uuid.NewString(), ActorKind: itam.ActorImport}
	h := importHistory{p: p}
	newAsset := func(tag string) *itam.Asset {
		return &itam.Asset{ID: uuid.New(), OrgID: o.id, AssetTag: tag, Status: itam.StatusDeployed, Condition: itam.ConditionGood,
			ModelID: o.laptop, ManufacturerID: o.manufacturer, AssignedPersonID: &o.alice, LocationID: &o.site, OwnerTeamID: &o.team,
			SupplierID: &o.supplier, CustomFields: map[string]any{}}
	}
	for _, tag := range []string{"LBL-1", "LBL-2", "LBL-3"} {
		h.add(itam.HistoryCreate, nil, newAsset(tag))
	}
	before := newAsset("LBL-4")
	after := *before
	after.LocationID, after.AssignedPersonID = &o.building, &o.bob
	h.add(itam.HistoryUpdate, before, &after)
	labels := historyLabels{}
	missing, err := h.prepare(labels)
	require.NoError(t, err)
	require.Len(t, missing, 7)
	b := &pgx.Batch{}
	require.NoError(t, h.finish(ctx, tx, labels, missing, b))
	require.NoError(t, tx.SendBatch(ctx, b).Close())
	calls := functionCalls(t, tx)
	require.Zero(t, calls["label_history_changes"], "the trigger stood aside: %v", calls)
	// Alice, Berlin, IT, the model and CDW, then Bob and HQ: seven records
	// for the rows' 19 labels.
	require.Equal(t, 7, calls["node_label"], "one label read per distinct record: %v", calls)

	// A later slice naming the same records reads no label again: prepare
	// labels and encodes it from what the commit read before.
	again := importHistory{p: p}
	again.add(itam.HistoryCreate, nil, newAsset("LBL-6"))
	missing, err = again.prepare(labels)
	require.NoError(t, err)
	require.Empty(t, missing)
	b = &pgx.Batch{}
	require.NoError(t, again.finish(ctx, tx, labels, missing, b))
	require.NoError(t, tx.SendBatch(ctx, b).Close())
	calls = functionCalls(t, tx)
	require.Equal(t, 7, calls["node_label"], "no label read again: %v", calls)
	require.Zero(t, calls["label_history_changes"], "the trigger stood aside: %v", calls)

	// Then another writer's row, as the sync and the API write them.
	later := historyRows{p: p}
	later.add(itam.HistoryCreate, nil, newAsset("LBL-5"))
	b = &pgx.Batch{}
	later.queue(b)
	require.NoError(t, tx.SendBatch(ctx, b).Close())
	require.Equal(t, 1, functionCalls(t, tx)["label_history_changes"], "the trigger labels the other writer's row")

	rows, err := tx.Query(ctx, `SELECT a.tag, h.changes, itam.labelled_changes(h.changes) FROM asset_history h
		JOIN LATERAL (SELECT coalesce(h.changes -> 'assetTag' ->> 'to', '') AS tag) a ON true
		WHERE h.org_id = $1 AND h.actor = $2 ORDER BY h.id`, o.id, p.Subject)
	require.NoError(t, err)
	var tag string
	var got, relabelled map[string]map[string]any
	var tags []string
	_, err = pgx.ForEachRow(rows, []any{&tag, &got, &relabelled}, func() error {
		tags = append(tags, tag)
		require.Equal(t, relabelled, got, tag)
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, []string{"LBL-1", "LBL-2", "LBL-3", "", "LBL-6", "LBL-5"}, tags)

	var created, moved map[string]map[string]any
	require.NoError(t, tx.QueryRow(ctx, `SELECT (SELECT changes FROM asset_history WHERE actor = $1 ORDER BY id LIMIT 1),
			(SELECT changes FROM asset_history WHERE actor = $1 AND action = 'UPDATE')`, p.Subject).Scan(&created, &moved))
	toLabels := map[string]any{}
	for field, c := range created {
		if l, ok := c["toLabel"]; ok {
			toLabels[field] = l
		}
	}
	require.Equal(t, map[string]any{"modelId": "Latitude 7440", "assignedPersonId": "Alice Archer",
		"locationId": "Berlin", "ownerTeamId": "IT", "supplierId": "CDW"}, toLabels)
	require.Equal(t, map[string]any{"from": o.site.String(), "to": o.building.String(), "fromLabel": "Berlin", "toLabel": "HQ"}, moved["locationId"])
	require.Equal(t, map[string]any{"from": o.alice.String(), "to": o.bob.String(), "fromLabel": "Alice Archer", "toLabel": "Bob Baker"}, moved["assignedPersonId"])
}

// TestHistoryLabelledSettingIsTransactionLocal: the trigger stands aside
// only for a transaction that says it labels its rows itself
// (itam.history_labelled), and only until it ends.
func TestHistoryLabelledSettingIsTransactionLocal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	ctx := context.Background()
	insert := func(tx pgx.Tx) map[string]map[string]any {
		changes, err := json.Marshal(map[string]any{"modelId": map[string]any{"from": nil, "to": o.laptop.String()}})
		require.NoError(t, err)
		var out map[string]map[string]any
		require.NoError(t, tx.QueryRow(ctx, `INSERT INTO asset_history (org_id, asset_id, action, actor_kind, actor, source, changes)
			VALUES ($1, $2, 'UPDATE', 'SYSTEM', 'test', 'test', $3::jsonb) RETURNING changes`, o.id, uuid.New(), string(changes)).Scan(&out))
		return out
	}
	conn, err := f.owner.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, `SELECT set_config('itam.history_labelled', 'on', true)`)
	require.NoError(t, err)
	require.NotContains(t, insert(tx)["modelId"], "toLabel", "the writer said it labels its rows")
	require.NoError(t, tx.Commit(ctx))

	tx, err = conn.Begin(ctx) // the same session
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	require.Equal(t, "Latitude 7440", insert(tx)["modelId"]["toLabel"])
}
