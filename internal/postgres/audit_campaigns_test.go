package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/itam"
)

// auditTenantRows gives o an audit campaign with an expected item and a
// scan of an unknown code (audit_campaigns, audit_campaign_items); the
// assets' signs of life (asset_signs_of_life) come with the assets.
func auditTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	s := NewAuditCampaignStore(f.db)
	c, err := s.CreateCampaign(f.admin(o), audits.CampaignInput{Name: "RLS", Filter: &itam.AssetFilter{}, DueDate: time.Now()})
	require.NoError(f.t, err)
	_, err = s.RecordScan(f.admin(o), audits.Scan{CampaignID: c.ID, Code: "RLS-UNKNOWN", LocationID: o.room})
	require.NoError(f.t, err)
}

// TestAuditScanIsASignOfLife: a scan moves the asset's sign of life
// forward to AUDIT, never back.
func TestAuditScanIsASignOfLife(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	a := f.newAsset(o, func(in *itam.AssetInput) { in.AssetTag = ptr("SIGN-1") })
	f.exec(`UPDATE asset_signs_of_life SET at = now() - interval '1 year' WHERE asset_id = $1`, a.ID)
	s := NewAuditCampaignStore(f.db)
	c, err := s.CreateCampaign(f.admin(o), audits.CampaignInput{Name: "x", LocationID: &o.site, DueDate: time.Now()})
	require.NoError(t, err)
	it, err := s.RecordScan(f.admin(o), audits.Scan{CampaignID: c.ID, Code: "sign-1", LocationID: o.room})
	require.NoError(t, err)
	var at time.Time
	var source string
	require.NoError(t, f.owner.QueryRow(t.Context(), `SELECT at, source FROM asset_signs_of_life WHERE asset_id = $1`, a.ID).Scan(&at, &source))
	require.Equal(t, "AUDIT", source)
	require.WithinDuration(t, *it.ScannedAt, at, time.Millisecond)
}
