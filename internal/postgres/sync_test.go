package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// syncFixture adds connectors and runs to the asset fixture.
type syncFixture struct {
	*fixture
	sync *SyncStore
}

func newSyncFixture(t *testing.T) *syncFixture {
	f := newFixture(t)
	return &syncFixture{fixture: f, sync: NewSyncStore(f.db)}
}

func (f *syncFixture) connector(o orgFixture, kind, name string, authoritative bool) *itam.Connector {
	id := f.id(`INSERT INTO connectors (org_id, kind, name, credentials, authoritative_for_people, stale_after_days)
		VALUES ($1, $2::text::connector_kind, $3, '\x00', $4, 7) RETURNING id`, o.id, kind, name, authoritative)
	return &itam.Connector{ID: id, Kind: kind, Name: name, AuthoritativeForPeople: authoritative, StaleAfterDays: 7}
}

func (f *syncFixture) run(o orgFixture, c *itam.Connector) SyncTarget {
	id := f.id(`INSERT INTO sync_runs (org_id, connector_id, mode, status) VALUES ($1, $2, 'FULL', 'RUNNING') RETURNING id`, o.id, c.ID)
	return SyncTarget{Connector: c, RunID: id}
}

func (f *syncFixture) ctx(o orgFixture, c *itam.Connector) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: o.id, Role: itam.RoleAdmin, Subject: c.Name, ActorKind: itam.ActorConnector})
}

func (f *syncFixture) apply(o orgFixture, c *itam.Connector, devs ...connectors.Device) PageResult {
	f.t.Helper()
	t := f.run(o, c)
	res, err := f.sync.ApplyPage(f.ctx(o, c), t, devs, "next")
	require.NoError(f.t, err)
	return res
}

func (f *syncFixture) assetBySerial(o orgFixture, serial string) *itam.Asset {
	f.t.Helper()
	a, err := f.assets.AssetBySerial(f.admin(o), serial, nil)
	require.NoError(f.t, err)
	return a
}

func mac(ext, serial, email string) connectors.Device {
	checkIn := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	return connectors.Device{ExternalID: ext, SerialNumber: serial, Name: "Mac " + ext, Manufacturer: "Apple",
		Model: "MacBook Pro (14-inch, 2023)", ModelIdentifier: "Mac14,5", OSName: "macOS", OSVersion: "14.5",
		UserEmail: email, LastCheckIn: &checkIn,
		Software: []connectors.Software{{Title: "Slack", Version: "4.41", Identifier: "com.tinyspeck.slackmacgap"}, {Title: "Zoom", Version: "6.0"}}}
}

func TestSyncCreatesAssetsAndIsIdempotent(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	res := f.apply(f.a, jamf,
		mac("1", "C02AAA111", "ALICE@alpha.test"), // existing person, other case
		mac("2", "C02BBB222", "new.hire@alpha.test"),
		mac("3", "C02CCC333", ""))
	require.Equal(t, 3, res.Created)
	require.Empty(t, res.Errors)

	a1 := f.assetBySerial(f.a, "c02aaa111")
	require.Equal(t, itam.StatusDeployed, a1.Status)
	require.Equal(t, &f.a.alice, a1.AssignedPersonID)
	require.Equal(t, &f.a.team, a1.OwnerTeamID, "owner defaults to the organization's team")
	require.Equal(t, f.a.mfr2, a1.ManufacturerID, "manufacturer matched case-insensitively to the existing Apple")
	a3 := f.assetBySerial(f.a, "C02CCC333")
	require.Equal(t, itam.StatusInStock, a3.Status)
	var discovered string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT discovered_by FROM people WHERE email = 'new.hire@alpha.test'`).Scan(&discovered))
	require.Equal(t, jamf.Source(), discovered)
	var software int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM software_installations WHERE asset_id = $1`, a1.ID).Scan(&software))
	require.Equal(t, 2, software)
	hist, err := f.assets.AssetHistory(f.admin(f.a), a1.ID, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, itam.ActorConnector, hist.Items[0].ActorKind)
	require.Equal(t, "Jamf", hist.Items[0].Actor)

	// The same page again changes nothing and writes no history.
	historyBefore := f.count("asset_history", f.a.id)
	res = f.apply(f.a, jamf, mac("1", "C02AAA111", "ALICE@alpha.test"), mac("2", "C02BBB222", "new.hire@alpha.test"), mac("3", "C02CCC333", ""))
	require.Equal(t, PageResult{Unchanged: 3}, res)
	require.Equal(t, historyBefore, f.count("asset_history", f.a.id))
	again := f.assetBySerial(f.a, "c02aaa111")
	require.Equal(t, a1.Version, again.Version)
	require.Equal(t, 3, f.count("assets", f.a.id))
}

func TestSyncMatchingRules(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	ctx := f.admin(f.a)
	bySerial := f.newAsset(f.a, func(in *itam.AssetInput) { in.ModelID = f.a.mac; in.SerialNumber = ptr(" c02zzz999 ") })
	byTag := f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr("IT-0042") })
	junk := f.newAsset(f.a, func(in *itam.AssetInput) { in.SerialNumber = ptr("To be filled by O.E.M.") })
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)

	d1 := mac("10", "C02ZZZ999", "")
	d2 := connectors.Device{ExternalID: "11", Name: "tagged", Manufacturer: "Dell", Model: "Latitude 7440", AssetTag: "it-0042"}
	d3 := connectors.Device{ExternalID: "12", SerialNumber: "To be filled by O.E.M.", Manufacturer: "Dell", Model: "Latitude 7440"}
	d4 := connectors.Device{ExternalID: "13", SerialNumber: "VMware-42 1a", Manufacturer: "VMware, Inc.", Model: "VMware7,1", Virtual: true}
	d5 := connectors.Device{ExternalID: "14", SerialNumber: "VMware-42 1a", Manufacturer: "VMware, Inc.", Model: "VMware7,1", Virtual: true}
	res := f.apply(f.a, jamf, d1, d2, d3, d4, d5)
	require.Equal(t, 2, res.Updated, "serial and tag matches")
	require.Equal(t, 3, res.Created, "junk serials and virtual machines never match by serial")
	got, _ := f.assets.Asset(ctx, bySerial.ID)
	require.Equal(t, "Mac 10", *got.Name)
	got, _ = f.assets.Asset(ctx, byTag.ID)
	require.Equal(t, "tagged", *got.Name)
	got, _ = f.assets.Asset(ctx, junk.ID)
	require.Nil(t, got.Name, "the asset with a junk serial was not touched")

	// Once linked, the link wins even when the serial changes (logic board swap).
	d1.SerialNumber = "C02NEW0001"
	res = f.apply(f.a, jamf, d1)
	require.Equal(t, 1, res.Updated)
	got, _ = f.assets.Asset(ctx, bySerial.ID)
	require.Equal(t, "C02NEW0001", *got.SerialNumber)
}

func TestSyncCoManagedAndPrecedence(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	ctx := f.admin(f.a)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	intune := f.connector(f.a, "INTUNE", "Intune", true)

	f.apply(f.a, jamf, mac("j1", "C02COMAN1", "alice@alpha.test"))
	d := mac("i-77", "c02coman1", "Bob@alpha.test")
	d.Name = "ALICE-MBP"
	res := f.apply(f.a, intune, d)
	require.Equal(t, 1, res.Updated)
	require.Equal(t, 1, f.count("assets", f.a.id), "one device in two MDMs is one asset")
	a := f.assetBySerial(f.a, "C02COMAN1")
	require.Equal(t, "Mac j1", *a.Name, "Jamf outranks Intune for identity fields")
	require.Equal(t, &f.a.bob, a.AssignedPersonID, "the connector authoritative for people sets the assignee")
	var links int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM asset_external_ids WHERE asset_id = $1`, a.ID).Scan(&links))
	require.Equal(t, 2, links)
	var field, kept, other string
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT field, kept_source, other_source FROM sync_conflicts WHERE asset_id = $1`, a.ID).Scan(&field, &kept, &other))
	require.Equal(t, []string{"name", jamf.Source(), intune.Source()}, []string{field, kept, other})

	// Jamf reporting Alice again does not take the assignee back.
	res = f.apply(f.a, jamf, mac("j1", "C02COMAN1", "alice@alpha.test"))
	a = f.assetBySerial(f.a, "C02COMAN1")
	require.Equal(t, &f.a.bob, a.AssignedPersonID)

	// Empty values never overwrite: Intune stops reporting a user and a name.
	d.UserEmail, d.Name = "", ""
	f.apply(f.a, intune, d)
	a = f.assetBySerial(f.a, "C02COMAN1")
	require.Equal(t, &f.a.bob, a.AssignedPersonID)
	require.Equal(t, "Mac j1", *a.Name)

	// A manual edit locks the field against every sync until unlocked.
	_, err := f.assets.UpdateAsset(ctx, itam.AssetPatch{ID: a.ID, Version: a.Version, Name: itam.Some("Alice's laptop")})
	require.NoError(t, err)
	j := mac("j1", "C02COMAN1", "alice@alpha.test")
	j.Name = "Renamed in Jamf"
	f.apply(f.a, jamf, j)
	a = f.assetBySerial(f.a, "C02COMAN1")
	require.Equal(t, "Alice's laptop", *a.Name)
	require.NoError(t, f.assets.UnlockAssetField(ctx, a.ID, "name"))
	f.apply(f.a, jamf, j)
	a = f.assetBySerial(f.a, "C02COMAN1")
	require.Equal(t, "Renamed in Jamf", *a.Name)
	requireCode(t, f.assets.UnlockAssetField(ctx, a.ID, "notes"), itam.CodeInvalid, "field")

	// Organizations can reorder precedence: Intune first for names.
	f.exec(`INSERT INTO field_precedence (org_id, field, sources) VALUES ($1, 'name', ARRAY['INTUNE','JAMF_PRO','manual'])`, f.a.id)
	d.Name = "FROM-INTUNE"
	f.apply(f.a, intune, d)
	a = f.assetBySerial(f.a, "C02COMAN1")
	require.Equal(t, "FROM-INTUNE", *a.Name)
}

func TestSyncStaleAndCancel(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	jamf := f.connector(f.a, "JAMF_PRO", "Jamf", false)
	ctx := f.ctx(f.a, jamf)
	f.apply(f.a, jamf, mac("1", "S1", ""), mac("2", "S2", ""))

	// A full run that no longer sees device 2 marks its link missing.
	t2 := f.run(f.a, jamf)
	_, err := f.sync.ApplyPage(ctx, t2, []connectors.Device{mac("1", "S1", "")}, "")
	require.NoError(t, err)
	n, err := f.sync.MarkMissing(ctx, t2, 1)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = f.sync.MarkStale(ctx)
	require.NoError(t, err)
	require.Zero(t, n, "not stale before stale_after_days")
	f.exec(`UPDATE asset_external_ids SET missing_since = now() - interval '8 days' WHERE external_id = '2'`)
	n, err = f.sync.MarkStale(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	var stale *time.Time
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT stale_since FROM asset_external_ids WHERE external_id = '2'`).Scan(&stale))
	require.NotNil(t, stale)
	require.Equal(t, 2, f.count("assets", f.a.id), "a device gone from its source is not deleted")

	// Reappearing clears the flags.
	f.apply(f.a, jamf, mac("2", "S2", ""))
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT stale_since FROM asset_external_ids WHERE external_id = '2'`).Scan(&stale))
	require.Nil(t, stale)

	// A cancelled run applies nothing more.
	t3 := f.run(f.a, jamf)
	f.exec(`UPDATE sync_runs SET status = 'CANCELLED' WHERE id = $1`, t3.RunID)
	_, err = f.sync.ApplyPage(ctx, t3, []connectors.Device{mac("9", "S9", "")}, "x")
	require.ErrorIs(t, err, ErrRunCancelled)
	require.Equal(t, 2, f.count("assets", f.a.id))

	// Progress is saved with the page.
	t4 := f.run(f.a, jamf)
	_, err = f.sync.ApplyPage(ctx, t4, []connectors.Device{mac("1", "S1", ""), {ExternalID: ""}}, "page-2")
	require.NoError(t, err)
	var cursor string
	var pages, seen, errs int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT cursor, pages_fetched, records_seen, error_count FROM sync_runs WHERE id = $1`, t4.RunID).Scan(&cursor, &pages, &seen, &errs))
	require.Equal(t, "page-2", cursor)
	require.Equal(t, []int{1, 2, 1}, []int{pages, seen, errs})
	var kept []itam.SyncError
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT errors FROM sync_runs WHERE id = $1`, t4.RunID).Scan(&kept))
	require.Equal(t, []itam.SyncError{{Message: "record without an id skipped"}}, kept)
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT errors FROM sync_runs WHERE id = $1`, t2.RunID).Scan(&kept))
	require.Empty(t, kept, "pages without errors add none")

	// Another org's connector sees none of this.
	bravo := f.connector(f.b, "JAMF_PRO", "Jamf", false)
	res := f.apply(f.b, bravo, mac("1", "S1", ""))
	require.Equal(t, 1, res.Created, "org B gets its own asset for the same vendor id")
	require.Equal(t, 2, f.count("assets", f.a.id))
	_ = uuid.Nil
}
