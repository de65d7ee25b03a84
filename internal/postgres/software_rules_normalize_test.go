package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// install records an installation as a connector sync would have (before
// any rule ran).
func (f *ruleFixture) install(o orgFixture, asset uuid.UUID, title, identifier, version string) {
	f.t.Helper()
	key := identifier
	if key == "" {
		key = title
	}
	f.exec(`INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, identifier)
		VALUES ($1, $2, 'JAMF_PRO:test', $3, $4, nullif($5, ''), nullif($6, ''))`, o.id, asset, key, title, version, identifier)
}

type resolved struct {
	product *uuid.UUID
	edition *string
	version *string
}

func (f *ruleFixture) resolved(asset uuid.UUID, title string) resolved {
	f.t.Helper()
	var r resolved
	require.NoError(f.t, f.owner.QueryRow(context.Background(), `SELECT product_id, edition, normalized_version FROM software_installations
		WHERE asset_id = $1 AND title = $2`, asset, title).Scan(&r.product, &r.edition, &r.version))
	return r
}

// normalize runs the job's work for the organization's queued run.
func (f *ruleFixture) normalize(o orgFixture, run uuid.UUID) *software.NormalizationRun {
	f.t.Helper()
	system := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: o.id, Role: itam.RoleAdmin, Subject: "software-normalization", ActorKind: itam.ActorSystem})
	require.NoError(f.t, f.rules.Normalize(system, run))
	got, err := f.rules.RunsByIDs(f.admin(o), []uuid.UUID{run})
	require.NoError(f.t, err)
	return got[run]
}

// TestSoftwareNormalization: a run resolves existing installations in
// rule order, a reorder re-resolves them, a REGEX that matches nothing
// leaves them unmatched, and the run records its progress.
func TestSoftwareNormalization(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := f.admin(f.a)
	mac, pc := f.newAsset(f.a, nil).ID, f.newAsset(f.a, nil).ID
	f.install(f.a, mac, "Slack.app", "com.tinyspeck.slackmacgap", "4.36.140")
	f.install(f.a, pc, "Slack", "", "4.35.1")
	f.install(f.a, pc, "Microsoft Office Professional Plus 2019", "", "16.0.10827.20181")
	f.install(f.a, pc, "Notepad++", "", "8.6")
	bAsset := f.newAsset(f.b, nil).ID
	f.install(f.b, bAsset, "Slack", "", "4.0")

	f.create(ctx, software.MatchRegex, `^Nothing Reports This$`, f.office, nil)
	f.create(ctx, software.MatchPrefix, "Slack", f.slack, nil)
	office := f.create(ctx, software.MatchPrefix, "Microsoft Office", f.office, nil)
	_, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: office.ID, Version: office.Version, Edition: itam.Some("Professional Plus"),
		VersionPattern: itam.Some(`\b(20\d\d)\b`)})
	require.NoError(t, err)
	f.create(ctx, software.MatchIdentifier, "com.tinyspeck.slackmacgap", f.office, nil) // after the PREFIX: never wins for Slack.app
	require.Len(t, f.queue.jobs, 1, "five changes in a row join one queued run")
	runID := f.queue.jobs[0].RunID
	require.Equal(t, f.a.id, f.queue.jobs[0].OrgID)

	run := f.normalize(f.a, runID)
	require.Equal(t, software.NormalizationCompleted, run.State)
	require.Equal(t, 4, run.TitlesTotal)
	require.Equal(t, 4, run.TitlesDone)
	require.EqualValues(t, 4, run.InstallationsChanged, "every installation got its first resolution (the unmatched one its version)")
	require.NotNil(t, run.StartedAt)
	require.NotNil(t, run.FinishedAt)

	require.Equal(t, f.slack, *f.resolved(mac, "Slack.app").product)
	require.Equal(t, f.slack, *f.resolved(pc, "Slack").product)
	o := f.resolved(pc, "Microsoft Office Professional Plus 2019")
	require.Equal(t, f.office, *o.product)
	require.Equal(t, "Professional Plus", *o.edition)
	require.Equal(t, "2019", *o.version)
	n := f.resolved(pc, "Notepad++")
	require.Nil(t, n.product, "the regex matching nothing leaves it unmatched")
	require.Equal(t, "8.6", *n.version)
	var bProduct *uuid.UUID
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT product_id FROM software_installations WHERE org_id = $1`, f.b.id).Scan(&bProduct))
	require.Nil(t, bProduct, "another organization's installations are not touched")

	// A change after the run started queues a new one; moving the
	// identifier rule first moves Slack.app to its product.
	rules, err := f.rules.ListRules(ctx, itam.PageArgs{})
	require.NoError(t, err)
	_, next, err := f.rules.MoveRule(ctx, rules.Items[3].ID, 1)
	require.NoError(t, err)
	require.NotEqual(t, runID, next.ID)
	require.Equal(t, software.NormalizationQueued, next.State)
	require.Equal(t, "moveSoftwareTitleRule", next.Reason)
	require.Equal(t, "admin@test", next.Actor)
	require.Len(t, f.queue.jobs, 2)

	run = f.normalize(f.a, next.ID)
	require.Equal(t, software.NormalizationCompleted, run.State)
	require.EqualValues(t, 1, run.InstallationsChanged, "only Slack.app changes")
	require.Equal(t, f.office, *f.resolved(mac, "Slack.app").product)
	require.Equal(t, f.slack, *f.resolved(pc, "Slack").product)

	// A finished run is not run again.
	run = f.normalize(f.a, next.ID)
	require.EqualValues(t, 1, run.InstallationsChanged)

	// Deleting the rule that resolved Office unmatches it.
	_, del, err := f.rules.DeleteRule(ctx, office.ID, nil)
	require.NoError(t, err)
	f.normalize(f.a, del.ID)
	require.Nil(t, f.resolved(pc, "Microsoft Office Professional Plus 2019").product)
	require.Equal(t, "16.0.10827.20181", *f.resolved(pc, "Microsoft Office Professional Plus 2019").version)
}

func TestSoftwareUnmatchedTitles(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := as(f.a.id, itam.RoleAuditor, "a@test")
	assets := []uuid.UUID{f.newAsset(f.a, nil).ID, f.newAsset(f.a, nil).ID, f.newAsset(f.a, nil).ID}
	for i, a := range assets {
		f.install(f.a, a, "Notepad++", "", []string{"8.6", "8.7", "8.6"}[i])
	}
	f.install(f.a, assets[0], "notepad++", "", "8.5") // the same title in another case, another source key
	f.exec(`UPDATE software_installations SET source = 'INTUNE:test' WHERE title = 'notepad++'`)
	f.install(f.a, assets[0], "7-Zip 24.08 (x64)", "", "24.08")
	f.install(f.a, assets[1], "7-Zip 24.08 (x64)", "", "24.08")
	f.install(f.a, assets[2], "Calculator", "com.apple.calculator", "11")
	f.install(f.a, assets[2], "Ended App", "", "1")
	f.exec(`UPDATE software_installations SET ended_at = now() WHERE title = 'Ended App'`)
	f.install(f.a, assets[2], "Resolved", "", "1")
	f.exec(`UPDATE software_installations SET product_id = $1 WHERE title = 'Resolved'`, f.slack)
	f.install(f.b, f.newAsset(f.b, nil).ID, "Notepad++", "", "8.6")

	page, err := f.rules.ListUnmatched(ctx, software.UnmatchedFilter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 3)
	np, zip, calc := page.Items[0], page.Items[1], page.Items[2]
	require.Equal(t, "Notepad++", np.Title)
	require.Equal(t, 3, np.DeviceCount, "a device reporting it twice counts once")
	require.Equal(t, []string{"8.5", "8.6", "8.7"}, np.Versions)
	require.Equal(t, []string{"INTUNE:test", "JAMF_PRO:test"}, np.Sources)
	require.Nil(t, np.Identifier)
	require.Equal(t, "7-Zip 24.08 (x64)", zip.Title)
	require.Equal(t, 2, zip.DeviceCount)
	require.Equal(t, "com.apple.calculator", *calc.Identifier)
	n, err := f.rules.CountUnmatched(ctx, software.UnmatchedFilter{})
	require.NoError(t, err)
	require.Equal(t, 3, n)

	// Pages follow the same order through cursors.
	first, err := f.rules.ListUnmatched(ctx, software.UnmatchedFilter{}, itam.PageArgs{First: ptr(2)})
	require.NoError(t, err)
	require.True(t, first.HasNextPage)
	rest, err := f.rules.ListUnmatched(ctx, software.UnmatchedFilter{}, itam.PageArgs{First: ptr(2), After: &first.Cursors[1]})
	require.NoError(t, err)
	require.Len(t, rest.Items, 1)
	require.Equal(t, "Calculator", rest.Items[0].Title)
	require.False(t, rest.HasNextPage)

	filtered, err := f.rules.ListUnmatched(ctx, software.UnmatchedFilter{Search: ptr("zip"), MinDevices: ptr(2)}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, filtered.Items, 1)
	filtered, err = f.rules.ListUnmatched(ctx, software.UnmatchedFilter{Source: ptr("INTUNE:test")}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, filtered.Items, 1)
	require.Equal(t, 1, filtered.Items[0].DeviceCount)
	filtered, err = f.rules.ListUnmatched(ctx, software.UnmatchedFilter{MinDevices: ptr(4)}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, filtered.Items)

	_, err = f.rules.ListUnmatched(ctx, software.UnmatchedFilter{MinDevices: ptr(0)}, itam.PageArgs{})
	requireCode(t, err, itam.CodeInvalid, "filter.minDevices")
	_, err = f.rules.ListUnmatched(ctx, software.UnmatchedFilter{Search: ptr(stringOf('x', 257))}, itam.PageArgs{})
	requireCode(t, err, itam.CodeInvalid, "filter.search")
}

func stringOf(c byte, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return string(b)
}

// TestSyncResolvesSoftwareAsItWrites: a sync page resolves new and changed
// installations with the organization's rules in the same write, and an
// unmatched one stays unmatched until a rule (and its run) matches it.
func TestSyncResolvesSoftwareAsItWrites(t *testing.T) {
	t.Parallel()
	sf := newSyncFixture(t)
	f := &ruleFixture{fixture: sf.fixture, queue: &fakeNormalizeQueue{}}
	f.rules = NewSoftwareRuleStore(f.db, f.queue)
	pub := f.id(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Salesforce') RETURNING id`, f.a.id)
	f.slack = f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Slack') RETURNING id`, f.a.id, pub)
	f.office = f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Zoom') RETURNING id`, f.a.id, pub)
	ctx := f.admin(f.a)
	r := f.create(ctx, software.MatchIdentifier, "com.tinyspeck.slackmacgap", f.slack, nil)
	_, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: r.ID, Version: r.Version, VersionPattern: itam.Some(`^(\d+)\.`)})
	require.NoError(t, err)

	jamf := sf.connector(f.a, "JAMF_PRO", "Jamf", false)
	d := mac("1", "C02RES001", "") // reports Slack 4.41 (com.tinyspeck.slackmacgap) and Zoom 6.0
	sf.apply(f.a, jamf, d)
	a := sf.assetBySerial(f.a, "C02RES001")
	slack := f.resolved(a.ID, "Slack")
	require.Equal(t, f.slack, *slack.product)
	require.Equal(t, "4", *slack.version, "the version pattern applies at write time")
	zoom := f.resolved(a.ID, "Zoom")
	require.Nil(t, zoom.product)
	require.Equal(t, "6.0", *zoom.version)

	// A rule for Zoom resolves the stored row through its run, and the
	// next sync keeps it resolved.
	_, run, err := f.rules.CreateRule(ctx, software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.office})
	require.NoError(t, err)
	f.normalize(f.a, run.ID)
	require.Equal(t, f.office, *f.resolved(a.ID, "Zoom").product)
	d.Software[1].Version = "6.1"
	sf.apply(f.a, jamf, d)
	zoom = f.resolved(a.ID, "Zoom")
	require.Equal(t, f.office, *zoom.product)
	require.Equal(t, "6.1", *zoom.version)
}

// TestSoftwareNormalizationFailRun: a run whose job gave up ends FAILED
// with its message; a finished run is left as it ended.
func TestSoftwareNormalizationFailRun(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	run, err := f.rules.Renormalize(f.admin(f.a))
	require.NoError(t, err)
	system := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: f.a.id, Role: itam.RoleAdmin, Subject: "software-normalization", ActorKind: itam.ActorSystem})
	require.NoError(t, f.rules.FailRun(system, run.ID, "re-normalization failed after 3 attempts"))
	got, err := f.rules.RunsByIDs(f.admin(f.a), []uuid.UUID{run.ID})
	require.NoError(t, err)
	require.Equal(t, software.NormalizationFailed, got[run.ID].State)
	require.Equal(t, "re-normalization failed after 3 attempts", *got[run.ID].Error)
	require.NotNil(t, got[run.ID].FinishedAt)
	// A failed run is not started again by a late retry.
	require.NoError(t, f.rules.Normalize(system, run.ID))
	got, err = f.rules.RunsByIDs(f.admin(f.a), []uuid.UUID{run.ID})
	require.NoError(t, err)
	require.Equal(t, software.NormalizationFailed, got[run.ID].State)
	// Another organization's principal cannot fail it.
	other := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: f.b.id, Role: itam.RoleAdmin, Subject: "x", ActorKind: itam.ActorSystem})
	run2, err := f.rules.Renormalize(f.admin(f.a))
	require.NoError(t, err)
	require.NoError(t, f.rules.FailRun(other, run2.ID, "nope"))
	got, err = f.rules.RunsByIDs(f.admin(f.a), []uuid.UUID{run2.ID})
	require.NoError(t, err)
	require.Equal(t, software.NormalizationQueued, got[run2.ID].State)
}
