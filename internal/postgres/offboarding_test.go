package postgres

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/offboarding"
)

// offboardingTenantRows gives org o a row in offboarding_checklists,
// offboarding_items and offboarding_history, through the store: bob gets
// an asset and is offboarded (tenantRows).
func offboardingTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	a := f.newAsset(o, func(in *itam.AssetInput) { in.SerialNumber = ptr("RLS-OFF-1") })
	_, err := f.assets.AssignAsset(f.admin(o), a.ID, itam.Assignee{PersonID: &o.bob}, nil)
	require.NoError(f.t, err)
	c, err := NewOffboardingStore(f.db).OffboardPerson(f.admin(o), offboarding.Input{PersonID: o.bob, EffectiveDate: time.Now()})
	require.NoError(f.t, err)
	require.Len(f.t, c.Items, 1)
}

// TestAssetCameBack: an asset leaving the person it is assigned to (to
// nobody, or handed to someone else) closes its open item as RETURNED,
// and completes the checklist; a change that leaves the person holding it
// closes nothing.
func TestAssetCameBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	a := f.newAsset(o, nil)
	a, err := f.assets.AssignAsset(f.admin(o), a.ID, itam.Assignee{PersonID: &o.bob}, nil)
	require.NoError(t, err)
	store := NewOffboardingStore(f.db)
	c, err := store.OffboardPerson(f.admin(o), offboarding.Input{PersonID: o.bob, EffectiveDate: time.Now()})
	require.NoError(t, err)
	state := func() (offboarding.ItemState, offboarding.Status) {
		t.Helper()
		m, err := store.ChecklistsByIDs(f.admin(o), []uuid.UUID{c.ID})
		require.NoError(t, err)
		return m[c.ID].Items[0].State, m[c.ID].Status
	}
	with := func(person *uuid.UUID) itam.Asset { x := *a; x.AssignedPersonID = person; return x }
	for _, tc := range []struct {
		name          string
		before, after itam.Asset
		closes        bool
	}{
		{"still with the person", with(&o.bob), with(&o.bob), false},
		{"given to the person", with(nil), with(&o.bob), false},
		{"handed to someone else", with(&o.bob), with(&o.alice), true},
	} {
		// What saveCheckouts does after a lifecycle change is saved.
		err := f.db.inTx(f.admin(o), o.id, func(tx pgx.Tx) error {
			if !lifecycle.Returned(tc.before, tc.after) {
				return nil
			}
			p, _ := itam.PrincipalFrom(f.admin(o))
			return afterAssetReturned(f.admin(o), tx, p, a.ID)
		})
		require.NoError(t, err, tc.name)
		st, status := state()
		if tc.closes {
			require.Equal(t, offboarding.Returned, st, tc.name)
			require.Equal(t, offboarding.Completed, status, tc.name)
		} else {
			require.Equal(t, offboarding.ToReturn, st, tc.name)
			require.Equal(t, offboarding.Open, status, tc.name)
		}
	}
}
