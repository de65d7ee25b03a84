package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// checkoutRow is what a test reads back of an asset's checkouts, oldest first.
type checkoutRow struct {
	person, location   *uuid.UUID
	by                 string
	due                *time.Time
	requires           bool
	returnedBy         *string
	condition, notes   *string
	returned, accepted bool
}

func (f *fixture) checkoutRows(asset uuid.UUID) []checkoutRow {
	f.t.Helper()
	rows, err := f.owner.Query(context.Background(), `SELECT person_id, location_id, checked_out_by, expected_return_date, requires_acceptance,
		returned_by, return_condition, return_notes, returned_at IS NOT NULL, accepted_at IS NOT NULL
		FROM asset_checkouts WHERE asset_id = $1 ORDER BY checked_out_at, returned_at NULLS LAST`, asset)
	require.NoError(f.t, err)
	defer rows.Close()
	var out []checkoutRow
	for rows.Next() {
		var r checkoutRow
		require.NoError(f.t, rows.Scan(&r.person, &r.location, &r.by, &r.due, &r.requires, &r.returnedBy, &r.condition, &r.notes, &r.returned, &r.accepted))
		out = append(out, r)
	}
	require.NoError(f.t, rows.Err())
	return out
}

// TestCheckoutRowsFollowTheAPI: the trigger opens and closes checkouts,
// the store fills in who, the terms and how it came back, in the same
// transaction; a refused change writes nothing.
func TestCheckoutRowsFollowTheAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	a := f.newAsset(f.a, nil)
	due := time.Now().AddDate(0, 0, 7)
	_, err := f.assets.CheckOutAsset(ctx, a.ID, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &f.a.alice}, ExpectedReturn: &due, RequireAcceptance: true}, nil)
	require.NoError(t, err)
	rows := f.checkoutRows(a.ID)
	require.Len(t, rows, 1)
	require.Equal(t, "admin@test", rows[0].by)
	require.Equal(t, itam.CalendarDay(due), *rows[0].due)
	require.True(t, rows[0].requires)

	// Refused: someone holds it; nothing written.
	_, err = f.assets.CheckOutAsset(ctx, a.ID, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &f.a.bob}}, nil)
	requireCode(t, err, itam.CodeInvalid, "reassign")
	require.ErrorContains(t, err, "assigned to Alice Archer")
	// Refused: a due date in the past, an unknown location.
	_, err = f.assets.CheckOutAsset(ctx, a.ID, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &f.a.bob}, Reassign: true, ExpectedReturn: ptr(time.Now().AddDate(0, 0, -2))}, nil)
	requireCode(t, err, itam.CodeInvalid, "expectedReturnDate")
	_, err = f.assets.CheckOutAsset(ctx, a.ID, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &f.a.bob}, Reassign: true, LocationID: &f.b.room}, nil)
	requireCode(t, err, itam.CodeNotFound, "locationId")
	require.Len(t, f.checkoutRows(a.ID), 1)

	_, err = f.assets.CheckOutAsset(as(f.a.id, itam.RoleManager, "mgr@test"), a.ID, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &f.a.bob}, Reassign: true}, nil)
	require.NoError(t, err)
	rows = f.checkoutRows(a.ID)
	require.Len(t, rows, 2)
	require.True(t, rows[0].returned)
	require.Equal(t, "mgr@test", *rows[0].returnedBy, "the hand-over closes Alice's checkout by who did it")
	require.Equal(t, &f.a.bob, rows[1].person)
	require.Equal(t, "mgr@test", rows[1].by)
	require.Nil(t, rows[1].due, "terms are the new checkout's own")

	// A repair keeps the checkout open; back to stock closes it.
	_, err = f.assets.TransitionAsset(ctx, a.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)
	back, err := f.assets.TransitionAsset(ctx, a.ID, itam.StatusDeployed, nil)
	require.NoError(t, err)
	require.Equal(t, &f.a.bob, back.AssignedPersonID)
	require.Len(t, f.checkoutRows(a.ID), 2, "the repair round trip opens no checkout")

	_, err = f.assets.CheckinAsset(ctx, a.ID, lifecycle.CheckinRequest{Condition: itam.ConditionPoor, LocationID: &f.a.room, Notes: ptr("  cracked hinge ")}, nil)
	require.NoError(t, err)
	rows = f.checkoutRows(a.ID)
	require.True(t, rows[1].returned)
	require.Equal(t, "admin@test", *rows[1].returnedBy)
	require.Equal(t, "POOR", *rows[1].condition)
	require.Equal(t, "cracked hinge", *rows[1].notes)
	cur, err := f.assets.Asset(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, itam.StatusInStock, cur.Status)
	require.Equal(t, itam.ConditionPoor, cur.Condition)
	require.Equal(t, &f.a.room, cur.LocationID)
}

// TestOffboardingRefusedWhileHolding: updatePerson cannot offboard someone
// who still holds assets; once they hold none it can.
func TestOffboardingRefusedWhileHolding(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	people := NewPersonStore(f.db)
	a := f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr("LT-HELD") })
	_, err := f.assets.AssignAsset(ctx, a.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	require.NoError(t, err)
	alice, err := people.PersonByEmail(ctx, "alice@alpha.test")
	require.NoError(t, err)
	off := itam.PersonOffboarded
	_, err = people.UpdatePerson(ctx, itam.PersonPatch{ID: alice.ID, Version: alice.Version, Status: itam.Some(off)})
	requireCode(t, err, itam.CodeInvalid, "status")
	require.ErrorContains(t, err, "Alice Archer holds 1 asset (e.g. LT-HELD): use offboardPerson")
	again, err := people.PersonByEmail(ctx, "alice@alpha.test")
	require.NoError(t, err)
	require.Equal(t, itam.PersonActive, again.Status, "nothing written")

	_, err = f.assets.UnassignAsset(ctx, a.ID, nil)
	require.NoError(t, err)
	done, err := people.UpdatePerson(ctx, itam.PersonPatch{ID: alice.ID, Version: alice.Version, Status: itam.Some(off)})
	require.NoError(t, err)
	require.Equal(t, itam.PersonOffboarded, done.Status)
}
