package postgres

import (
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
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
