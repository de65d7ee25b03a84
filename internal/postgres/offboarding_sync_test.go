package postgres

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/offboarding"
)

// TestSyncHandOverClosesOffboardingItem: when the MDM authoritative for
// people reports a leaver's laptop with its new user, the sync takes it
// from the leaver, and their checklist item is RETURNED as if the hand-over
// had been made through the API.
func TestSyncHandOverClosesOffboardingItem(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	intune := f.connector(f.a, "INTUNE", "Intune", true)
	f.apply(f.a, intune, mac("i-1", "C02LEAVER", "bob@alpha.test"))
	a := f.assetBySerial(f.a, "C02LEAVER")
	require.Equal(t, &f.a.bob, a.AssignedPersonID)

	store := NewOffboardingStore(f.db)
	c, err := store.OffboardPerson(f.admin(f.a), offboarding.Input{PersonID: f.a.bob, EffectiveDate: time.Now()})
	require.NoError(t, err)
	require.Len(t, c.Items, 1)
	require.Equal(t, offboarding.ToReturn, c.Items[0].State)

	res := f.apply(f.a, intune, mac("i-1", "C02LEAVER", "alice@alpha.test"))
	require.Equal(t, 1, res.Updated)
	require.Equal(t, &f.a.alice, f.assetBySerial(f.a, "C02LEAVER").AssignedPersonID)
	m, err := store.ChecklistsByIDs(f.admin(f.a), []uuid.UUID{c.ID})
	require.NoError(t, err)
	require.Equal(t, offboarding.Returned, m[c.ID].Items[0].State)
	require.Equal(t, offboarding.Completed, m[c.ID].Status)
}
