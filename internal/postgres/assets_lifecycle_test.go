package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// setStatus forces an asset into a status through the owner connection,
// bypassing the lifecycle so every starting point of the table can be tested.
func (f *fixture) setStatus(id uuid.UUID, s itam.AssetStatus, assignee *uuid.UUID) {
	f.exec(`UPDATE assets SET status = $2::text::asset_status, assigned_person_id = $3,
		disposal_date = CASE WHEN $2 = 'DISPOSED' THEN current_date END,
		disposal_method = CASE WHEN $2 = 'DISPOSED' THEN 'RECYCLED'::disposal_method END WHERE id = $1`, id, string(s), assignee)
}

// TestTransitionTable walks every (from, to, assigned) combination and
// checks transitionAsset does exactly what the lifecycle table says.
func TestTransitionTable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	a := f.newAsset(f.a, nil)
	for _, from := range itam.AssetStatuses {
		for _, to := range itam.AssetStatuses {
			for _, assigned := range []bool{false, true} {
				if assigned && (from == itam.StatusRetired || from == itam.StatusDisposed) {
					continue // the schema forbids the starting state itself
				}
				name := fmt.Sprintf("%s->%s assigned=%v", from, to, assigned)
				var person *uuid.UUID
				if assigned {
					person = &f.a.alice
				}
				f.setStatus(a.ID, from, person)
				want := lifecycle.Transition(from, to, assigned)
				got, err := f.assets.TransitionAsset(ctx, a.ID, to, nil)
				if want != nil {
					requireCode(t, err, itam.CodeInvalid, "status")
					require.Contains(t, err.Error(), string(from), name)
					cur, _ := f.assets.Asset(ctx, a.ID)
					require.Equal(t, from, cur.Status, name)
					continue
				}
				require.NoError(t, err, name)
				require.Equal(t, to, got.Status, name)
				if to == itam.StatusInStock {
					require.Nil(t, got.AssignedPersonID, "%s: returning to stock checks the asset in", name)
				} else {
					require.Equal(t, person, got.AssignedPersonID, "%s: any other move keeps the holder", name)
				}
			}
		}
	}
	// The table itself: the documented edges and nothing else.
	allowed := map[string]bool{}
	for from, tos := range lifecycle.Edges {
		for _, to := range tos {
			allowed[string(from)+">"+string(to)] = true
		}
	}
	require.Equal(t, map[string]bool{
		"ORDERED>IN_STOCK": true, "ORDERED>LOST": true, "ORDERED>STOLEN": true,
		"IN_STOCK>DEPLOYED": true, "IN_STOCK>IN_REPAIR": true, "IN_STOCK>LOST": true, "IN_STOCK>STOLEN": true, "IN_STOCK>RETIRED": true,
		"DEPLOYED>IN_STOCK": true, "DEPLOYED>IN_REPAIR": true, "DEPLOYED>LOST": true, "DEPLOYED>STOLEN": true,
		"IN_REPAIR>DEPLOYED": true, "IN_REPAIR>IN_STOCK": true, "IN_REPAIR>LOST": true, "IN_REPAIR>STOLEN": true,
		"LOST>IN_STOCK": true, "STOLEN>IN_STOCK": true, "RETIRED>DISPOSED": true,
	}, allowed)
}

func TestAssignUnassignDispose(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	a := f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchaseDate = ptr(time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)) })

	dep, err := f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.alice}, &a.Version)
	require.NoError(t, err)
	require.Equal(t, itam.StatusDeployed, dep.Status)

	_, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.bob}, &a.Version)
	requireCode(t, err, itam.CodeConflict, "version")

	_, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{LocationID: &f.a.room}, nil)
	requireCode(t, err, itam.CodeInvalid, "reassign")
	re, err := f.assets.CheckOutAsset(ctx, a.ID, lifecycle.AssignRequest{To: itam.Assignee{LocationID: &f.a.room}, Reassign: true}, nil)
	require.NoError(t, err, "reassigning to a location")
	require.Nil(t, re.AssignedPersonID)
	require.Equal(t, &f.a.room, re.LocationID, "assigning to a location moves the asset there")

	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusRetired, nil)
	requireCode(t, err, itam.CodeInvalid, "status")

	in, err := f.assets.UnassignAsset(ctx, a.ID, nil)
	require.NoError(t, err)
	require.Equal(t, itam.StatusInStock, in.Status)
	_, err = f.assets.UnassignAsset(ctx, a.ID, nil)
	requireCode(t, err, itam.CodeInvalid, "id")

	_, err = f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Now(), Method: itam.DisposalRecycled}, nil)
	requireCode(t, err, itam.CodeInvalid, "status")

	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusRetired, nil)
	require.NoError(t, err)
	_, err = f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	requireCode(t, err, itam.CodeInvalid, "status")
	_, err = f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Now(), Method: "BURNED"}, nil)
	requireCode(t, err, itam.CodeInvalid, "method")
	_, err = f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Method: itam.DisposalRecycled}, nil)
	requireCode(t, err, itam.CodeInvalid, "date")
	disp, err := f.assets.DisposeAsset(ctx, a.ID, itam.Disposal{Date: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), Method: itam.DisposalDonated, Certificate: ptr("CERT-9")}, nil)
	require.NoError(t, err)
	require.Equal(t, itam.StatusDisposed, disp.Status)
	require.Equal(t, "CERT-9", *disp.DisposalCertificate)

	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusInStock, nil)
	requireCode(t, err, itam.CodeInvalid, "status")
	_, err = f.assets.DeleteAsset(ctx, a.ID, nil)
	requireCode(t, err, itam.CodeInvalid, "id")

	hist, err := f.assets.AssetHistory(ctx, a.ID, itam.PageArgs{})
	require.NoError(t, err)
	var actions []itam.HistoryAction
	for _, h := range hist.Items {
		actions = append(actions, h.Action)
	}
	require.Equal(t, []itam.HistoryAction{itam.HistoryCreate, itam.HistoryAssign, itam.HistoryAssign, itam.HistoryUnassign,
		itam.HistoryTransition, itam.HistoryDispose}, actions)

	// Delete: only never-used stock; the history survives the row.
	b := f.newAsset(f.a, nil)
	_, err = f.assets.DeleteAsset(ctx, b.ID, ptr(b.Version+1))
	requireCode(t, err, itam.CodeConflict, "version")
	_, err = f.assets.DeleteAsset(ctx, b.ID, &b.Version)
	require.NoError(t, err)
	_, err = f.assets.Asset(ctx, b.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	var n int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM asset_history WHERE asset_id = $1`, b.ID).Scan(&n))
	require.Equal(t, 2, n, "CREATE and DELETE remain")
}

func TestHistoryIsAppendOnly(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.newAsset(f.a, nil)
	ctx := context.Background()
	// As the application role: no UPDATE/DELETE privilege at all.
	conn, err := f.db.Pool.Acquire(ctx)
	require.NoError(t, err)
	defer conn.Release()
	_, err = conn.Exec(ctx, `SELECT set_config('itam.org_id', $1, false)`, f.a.id.String())
	require.NoError(t, err)
	_, err = conn.Exec(ctx, `UPDATE asset_history SET actor = 'forged' WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "permission denied")
	_, err = conn.Exec(ctx, `DELETE FROM asset_history WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "permission denied")
	_, err = conn.Exec(ctx, `RESET itam.org_id`)
	require.NoError(t, err)
	// Even the owner is stopped by the trigger.
	_, err = f.owner.Exec(ctx, `UPDATE asset_history SET actor = 'forged' WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "append-only")
	_, err = f.owner.Exec(ctx, `DELETE FROM asset_history WHERE asset_id = $1`, a.ID)
	require.ErrorContains(t, err, "append-only")
}
