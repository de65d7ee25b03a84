package postgres

import (
	"context"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
)

// recordingPushes is a PushEnqueuer that records what each transaction
// enqueued, checking it is called inside the open transaction.
type recordingPushes struct {
	mu    sync.Mutex
	calls [][]jobs.PushArgs
}

func (r *recordingPushes) EnqueuePushesTx(ctx context.Context, tx pgx.Tx, args []jobs.PushArgs) error {
	if _, err := tx.Exec(ctx, `SELECT 1`); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, args)
	return nil
}

// take returns and forgets what was enqueued.
func (r *recordingPushes) take() [][]jobs.PushArgs {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

// pushConnector makes an ITSM connector of o that pushes fields.
func (f *syncFixture) pushConnector(o orgFixture, name string, create bool, fields ...string) *itam.Connector {
	f.t.Helper()
	c := f.connector(o, "SERVICENOW", name, false)
	f.exec(`UPDATE connectors SET push_fields = $2, push_create = $3 WHERE id = $1`, c.ID, fields, create)
	c.PushFields, c.PushCreate = fields, create
	return c
}

// link links asset to ext at connector c.
func (f *syncFixture) link(o orgFixture, c *itam.Connector, asset uuid.UUID, ext string) {
	f.t.Helper()
	f.exec(`INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id) VALUES ($1, $2, $3, $4, $5)`,
		o.id, asset, c.Source(), ext, c.ID)
}

// pushTenantRows gives o a connector_push_state row (the outbox is emptied
// by every transaction that fills it; a row left without an enqueuer is
// added as the owner).
func pushTenantRows(f *syncFixture, o orgFixture) {
	f.t.Helper()
	c := f.pushConnector(o, "RLS ServiceNow", false, "STATUS")
	a := f.newAsset(o, nil)
	f.link(o, c, a.ID, "rls-ci")
	f.exec(`INSERT INTO connector_push_state (org_id, connector_id, asset_id, error_message, error_at) VALUES ($1, $2, $3, 'refused', now())`, o.id, c.ID, a.ID)
	f.exec(`INSERT INTO connector_push_outbox (org_id, connector_id, asset_id) VALUES ($1, $2, $3)`, o.id, c.ID, a.ID)
}

func flat(calls [][]jobs.PushArgs) []jobs.PushArgs {
	var out []jobs.PushArgs
	for _, c := range calls {
		out = append(out, c...)
	}
	return out
}

func one(c *itam.Connector, asset uuid.UUID, org uuid.UUID) []jobs.PushArgs {
	return []jobs.PushArgs{{OrgID: org, ConnectorID: c.ID, AssetID: asset}}
}

// TestPushQueuedByEveryPath: a change of a pushed field, whoever makes it
// (a person through the API, an assignment, a transition, another
// connector's sync), enqueues one push per linked pushing connector in its
// own transaction; other fields, unlinked assets and the connector's own
// sync enqueue nothing.
func TestPushQueuedByEveryPath(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	rec := &recordingPushes{}
	f.db.SetPushEnqueuer(rec)
	o := f.a
	ctx := f.admin(o)
	sn := f.pushConnector(o, "ServiceNow", false, "ASSIGNEE", "STATUS", "LOCATION", "PURCHASE")
	quiet := f.pushConnector(o, "Quiet", false, "PURCHASE") // opted into purchase data only
	jamf := f.connector(o, "JAMF_PRO", "Jamf", true)        // its assignments are believed
	a := f.newAsset(o, func(in *itam.AssetInput) { in.SerialNumber = ptr("C02PUSH01") })
	f.link(o, sn, a.ID, "ci-1")
	f.link(o, quiet, a.ID, "ci-1q")
	require.Empty(t, rec.take(), "creating the asset, before it was linked, queued nothing")

	// A person: a field nobody pushes, then the location.
	a, err := f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, Notes: itam.Some("spare")})
	require.NoError(t, err)
	require.Empty(t, rec.take(), "notes are not pushed")
	a, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, OrderNumber: itam.Some("PO-7")})
	require.NoError(t, err)
	require.ElementsMatch(t, append(one(sn, a.ID, o.id), one(quiet, a.ID, o.id)...), flat(rec.take()), "both push purchase data")
	a, err = f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, LocationID: itam.Some(o.room)})
	require.NoError(t, err)
	require.Equal(t, [][]jobs.PushArgs{one(sn, a.ID, o.id)}, rec.take(), "API update")

	// Workflows: assignment and transition.
	a, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &o.alice}, nil)
	require.NoError(t, err)
	require.Equal(t, [][]jobs.PushArgs{one(sn, a.ID, o.id)}, rec.take(), "assign")
	a, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)
	require.Equal(t, [][]jobs.PushArgs{one(sn, a.ID, o.id)}, rec.take(), "transition")

	// Another connector's sync records the warranty: both hear of it.
	f.link(o, jamf, a.ID, "j-1")
	d := mac("j-1", "C02PUSH01", "")
	d.WarrantyEnd = ptr(date(2028, 3, 1))
	f.apply(o, jamf, d)
	require.Equal(t, date(2028, 3, 1), *f.assetBySerial(o, "C02PUSH01").WarrantyEnd)
	require.ElementsMatch(t, append(one(sn, a.ID, o.id), one(quiet, a.ID, o.id)...), flat(rec.take()), "another connector's sync")

	// ServiceNow's own sync changes the warranty: nothing goes back to it,
	// the other pushing connector hears of it, and the value is believed
	// held by ServiceNow.
	f.exec(`INSERT INTO field_precedence (org_id, field, sources) VALUES ($1, 'warrantyEnd', ARRAY['SERVICENOW','JAMF_PRO','manual'])`, o.id)
	f.apply(o, sn, connectors.Device{ExternalID: "ci-1", SerialNumber: "C02PUSH01", WarrantyEnd: ptr(date(2029, 1, 31))})
	require.Equal(t, date(2029, 1, 31), *f.assetBySerial(o, "C02PUSH01").WarrantyEnd)
	require.Equal(t, [][]jobs.PushArgs{one(quiet, a.ID, o.id)}, rec.take(), "no echo to the origin connector")
	require.Zero(t, f.count("connector_push_outbox", o.id))
	var known string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT known->>'warrantyEnd' FROM connector_push_state WHERE connector_id = $1`, sn.ID).Scan(&known))
	require.Equal(t, "2029-01-31", known)

	// An unlinked asset: only a connector that creates records hears of it.
	b := f.newAsset(o, nil)
	_, err = f.assets.TransitionAsset(ctx, b.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)
	require.Empty(t, rec.take(), "unlinked, no pushCreate")
	creator := f.pushConnector(o, "Creator", true, "STATUS")
	_, err = f.assets.TransitionAsset(ctx, b.ID, itam.StatusInStock, nil)
	require.NoError(t, err)
	require.Equal(t, [][]jobs.PushArgs{one(creator, b.ID, o.id)}, rec.take(), "pushCreate")

	// Changes of one record in one transaction coalesce into one job.
	require.NoError(t, f.db.inTx(ctx, o.id, func(tx pgx.Tx) error {
		for _, s := range []string{"IN_STOCK", "DEPLOYED"} {
			if _, err := tx.Exec(ctx, insertHistorySQL, o.id, a.ID, "TRANSITION", "USER", "x@test", "api",
				map[string]any{"status": map[string]any{"from": "x", "to": s}}, nil, s); err != nil {
				return err
			}
		}
		return nil
	}))
	calls := rec.take()
	require.Len(t, calls, 1, "one insert per transaction")
	require.ElementsMatch(t, append(one(sn, a.ID, o.id), one(creator, a.ID, o.id)...), calls[0], "one job per record (the creator creates a's too)")
}

// TestPushOutboxWaitsWithoutEnqueuer: a writer without a job client (the
// seed, a tool) leaves its rows; the record's next change takes them.
func TestPushOutboxWaitsWithoutEnqueuer(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	o := f.a
	sn := f.pushConnector(o, "ServiceNow", false, "STATUS")
	a := f.newAsset(o, nil)
	f.link(o, sn, a.ID, "ci-1")
	_, err := f.assets.TransitionAsset(f.admin(o), a.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)
	require.Equal(t, 1, f.count("connector_push_outbox", o.id))
	rec := &recordingPushes{}
	f.db.SetPushEnqueuer(rec)
	_, err = f.assets.TransitionAsset(f.admin(o), a.ID, itam.StatusInStock, nil)
	require.NoError(t, err)
	require.Equal(t, [][]jobs.PushArgs{one(sn, a.ID, o.id)}, rec.take())
	require.Zero(t, f.count("connector_push_outbox", o.id))
}

// TestPullDoesNotEchoPushedValue: a pulled value equal to the one last
// pushed (the ITSM has not caught up with a newer itam change) does not
// overwrite itam's value, though the ITSM is authoritative for it; a value
// the ITSM changed since is applied and becomes the believed one.
func TestPullDoesNotEchoPushedValue(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	o := f.a
	ctx := f.admin(o)
	sn := f.pushConnector(o, "ServiceNow", false, "ASSIGNEE")
	f.exec(`UPDATE connectors SET authoritative_for_people = true WHERE id = $1`, sn.ID)
	sn.AuthoritativeForPeople = true
	dan := f.id(`INSERT INTO people (org_id, name, email) VALUES ($1, 'Dan Dale', 'dan@alpha.test') RETURNING id`, o.id)
	a := f.newAsset(o, func(in *itam.AssetInput) { in.SerialNumber = ptr("C02ECHO01") })
	f.link(o, sn, a.ID, "ci-1")
	// Alice was pushed; then a person took the asset back (not pushed yet).
	_, err := f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &o.alice}, nil)
	require.NoError(t, err)
	f.exec(`INSERT INTO connector_push_state (org_id, connector_id, asset_id, known) VALUES ($1, $2, $3, '{"assignee": "alice@alpha.test"}')`, o.id, sn.ID, a.ID)
	_, err = f.assets.UnassignAsset(ctx, a.ID, nil)
	require.NoError(t, err)
	// A manual assignment locks the field against syncs; unlocked, the
	// authoritative ITSM could overwrite it, which is what is tested here.
	f.exec(`UPDATE field_provenance SET locked = false WHERE asset_id = $1 AND field = 'assignee'`, a.ID)

	f.apply(o, sn, connectors.Device{ExternalID: "ci-1", SerialNumber: "C02ECHO01", UserEmail: "Alice@alpha.test"})
	require.Nil(t, f.assetBySerial(o, "C02ECHO01").AssignedPersonID, "the echo of the old push is ignored")

	f.apply(o, sn, connectors.Device{ExternalID: "ci-1", SerialNumber: "C02ECHO01", UserEmail: "dan@alpha.test"})
	require.Equal(t, &dan, f.assetBySerial(o, "C02ECHO01").AssignedPersonID, "a change made at the ITSM is applied")
	var known string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT known->>'assignee' FROM connector_push_state WHERE connector_id = $1`, sn.ID).Scan(&known))
	require.Equal(t, "dan@alpha.test", known, "what was pulled is believed held, so it is not pushed back")
}
