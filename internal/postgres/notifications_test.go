package postgres

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/notify"
	"github.com/itam-dev/itam/internal/secretbox"
)

// recordingEnqueuer records the delivery jobs stores queue, in the
// caller's transaction (a rolled-back one leaves nothing recorded only if
// it fails before; the tests read it after commits).
type recordingEnqueuer struct {
	mu   sync.Mutex
	jobs []jobs.DeliverWebhookArgs
}

func (e *recordingEnqueuer) EnqueueDeliveriesTx(_ context.Context, _ pgx.Tx, args []jobs.DeliverWebhookArgs) ([]int64, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.jobs = append(e.jobs, args...)
	ids := make([]int64, len(args))
	for i := range ids {
		ids[i] = int64(len(e.jobs) - len(args) + i + 1)
	}
	return ids, nil
}

func (e *recordingEnqueuer) queued() []jobs.DeliverWebhookArgs {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]jobs.DeliverWebhookArgs(nil), e.jobs...)
}

func scanner(org uuid.UUID) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "notifications", ActorKind: itam.ActorSystem})
}

func testBox(t *testing.T) *secretbox.Box {
	box, err := secretbox.New(bytes.Repeat([]byte{9}, secretbox.KeySize))
	require.NoError(t, err)
	return box
}

// dueSubjects gives o one subject due today for every kind with a scanner,
// and for each a near miss that is not due (outside the window, retired,
// returned, recovered), and returns the due subjects' ids by kind.
func dueSubjects(f *fixture, o orgFixture, today time.Time) map[notify.Kind]uuid.UUID {
	due := map[notify.Kind]uuid.UUID{}
	asset := func(tag string) uuid.UUID {
		return f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`, o.id, tag, o.laptop, o.manufacturer, o.team)
	}
	due[notify.WarrantyEnding] = asset("W-DUE")
	f.exec(`UPDATE assets SET warranty_end = $2 WHERE id = $1`, due[notify.WarrantyEnding], today.AddDate(0, 0, 10))
	f.exec(`UPDATE assets SET warranty_end = $2 WHERE id = $1`, asset("W-LATER"), today.AddDate(0, 0, 100))
	f.exec(`UPDATE assets SET warranty_end = $2, status = 'RETIRED' WHERE id = $1`, asset("W-RETIRED"), today.AddDate(0, 0, 5))

	due[notify.ContractEnding] = f.id(`INSERT INTO contracts (org_id, kind, number, start_date, end_date) VALUES ($1, 'SUPPORT', 'C-DUE', $2, $3) RETURNING id`,
		o.id, today.AddDate(-1, 0, 0), today.AddDate(0, 0, 20))
	f.exec(`INSERT INTO contracts (org_id, kind, number, start_date, end_date) VALUES ($1, 'LEASE', 'C-LATER', $2, $3)`, o.id, today.AddDate(-1, 0, 0), today.AddDate(1, 0, 0))

	product := f.insertProduct(o, f.insertPublisher(o, "Adobe"), "Acrobat")
	due[notify.LicenseTermEnding] = f.id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats, term_end) VALUES ($1, $2, 'Acrobat 2026', 'PER_USER', 10, $3) RETURNING id`,
		o.id, product, today.AddDate(0, 0, 30))
	f.exec(`INSERT INTO licenses (org_id, product_id, license_model, seats, term_end) VALUES ($1, $2, 'PER_USER', 5, $3)`, o.id, product, today.AddDate(0, 0, -3))

	due[notify.CheckoutOverdue] = asset("K-LATE")
	f.exec(`UPDATE assets SET assigned_location_id = $2, status = 'DEPLOYED' WHERE id = $1`, due[notify.CheckoutOverdue], o.site)
	f.exec(`UPDATE asset_checkouts SET expected_return_date = $2 WHERE asset_id = $1 AND returned_at IS NULL`, due[notify.CheckoutOverdue], today.AddDate(0, 0, -2))
	onTime := asset("K-ONTIME")
	f.exec(`UPDATE assets SET assigned_location_id = $2, status = 'DEPLOYED' WHERE id = $1`, onTime, o.site)
	f.exec(`UPDATE asset_checkouts SET expected_return_date = $2 WHERE asset_id = $1 AND returned_at IS NULL`, onTime, today.AddDate(0, 0, 2))

	connector := func(name string, statuses ...string) uuid.UUID {
		c := f.id(`INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', $2, '\x00') RETURNING id`, o.id, name)
		for i, s := range statuses {
			at := today.Add(-time.Duration(len(statuses)-i) * time.Hour)
			f.exec(`INSERT INTO sync_runs (org_id, connector_id, mode, status, queued_at, finished_at) VALUES ($1, $2, 'FULL', $3::text::sync_status, $4, $4)`, o.id, c, s, at)
		}
		return c
	}
	due[notify.SyncFailing] = connector("Jamf failing", "SUCCEEDED", "FAILED", "FAILED")
	connector("Jamf recovered", "FAILED", "FAILED", "SUCCEEDED")
	connector("Jamf once", "SUCCEEDED", "FAILED")

	campaign := func(name string, due time.Time, closed bool) uuid.UUID {
		id := f.id(`INSERT INTO audit_campaigns (org_id, name, due_date, created_by) VALUES ($1, $2, $3, 'test') RETURNING id`, o.id, name, due)
		if closed {
			f.exec(`UPDATE audit_campaigns SET status = 'CLOSED', closed_at = now(), closed_by = 'test' WHERE id = $1`, id)
		}
		return id
	}
	due[notify.AuditDue] = campaign("Due soon", today.AddDate(0, 0, 3), false)
	campaign("Due later", today.AddDate(0, 0, 30), false)
	campaign("Closed past due", today.AddDate(0, 0, -3), true)
	checklist := func(person uuid.UUID, effective time.Time, done bool) uuid.UUID {
		id := f.id(`INSERT INTO offboarding_checklists (org_id, person_id, effective_date, opened_by) VALUES ($1, $2, $3, 'test') RETURNING id`, o.id, person, effective)
		if done {
			f.exec(`UPDATE offboarding_checklists SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, id)
		}
		return id
	}
	due[notify.OffboardingOverdue] = checklist(o.alice, today.AddDate(0, 0, -2), false)
	checklist(o.bob, today.AddDate(0, 0, -20), true)
	checklist(o.carol, today.AddDate(0, 0, 5), false)

	link := connector("Jamf links")
	due[notify.DeviceStale] = asset("S-STALE")
	for tag, seen := range map[uuid.UUID]time.Time{due[notify.DeviceStale]: today.AddDate(0, 0, -40), asset("S-FRESH"): today.AddDate(0, 0, -5)} {
		f.exec(`INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id, last_check_in) VALUES ($1, $2, 'jamf', $3, $4, $5)`,
			o.id, tag, tag.String(), link, seen)
	}
	return due
}

// Each scanner finds its due subject once; a second scan finds nothing
// new; every notification of org A queues a delivery to A's subscription
// that wants its kind and never to org B's.
func TestScanCreatesEachDueOccurrenceOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := date(2026, 12, 5)
	due := dueSubjects(f, f.a, today)
	enq := &recordingEnqueuer{}
	notes := NewNotificationStore(f.db, enq)
	hooks := NewWebhookStore(f.db, testBox(t), enq, nil)
	secret, u := "0123456789abcdef", "https://hooks.example.com/a"
	subA, err := hooks.CreateSubscription(f.admin(f.a), notify.SubscriptionInput{URL: &u, Secret: &secret, Events: []notify.Kind{notify.WarrantyEnding, notify.SyncFailing}})
	require.NoError(t, err)
	off := false
	_, err = hooks.CreateSubscription(f.admin(f.a), notify.SubscriptionInput{URL: &u, Secret: &secret, Events: notify.Kinds, Active: &off})
	require.NoError(t, err)
	_, err = hooks.CreateSubscription(f.admin(f.b), notify.SubscriptionInput{URL: &u, Secret: &secret, Events: notify.Kinds})
	require.NoError(t, err)

	n, err := notes.Scan(scanner(f.a.id), today)
	require.NoError(t, err)
	require.Equal(t, len(due), n)
	page, err := notes.ListNotifications(f.admin(f.a), notify.Filter{}, itam.PageArgs{})
	require.NoError(t, err)
	got := map[notify.Kind]uuid.UUID{}
	for _, x := range page.Items {
		_, dup := got[x.Kind]
		require.False(t, dup, "one %s notification, got %+v", x.Kind, page.Items)
		got[x.Kind] = x.SubjectID
		require.NotEmpty(t, x.Title)
	}
	require.Equal(t, due, got)

	queued := enq.queued()
	require.Len(t, queued, 2, "WARRANTY_ENDING and SYNC_FAILING to the active subscription only")
	for _, j := range queued {
		require.Equal(t, f.a.id, j.OrgID)
		require.Equal(t, subA.ID, j.SubscriptionID)
	}

	for range 2 {
		n, err = notes.Scan(scanner(f.a.id), today)
		require.NoError(t, err)
		require.Zero(t, n, "a re-run creates nothing")
	}
	n, err = notes.Scan(scanner(f.a.id), today.AddDate(0, 0, 1))
	require.NoError(t, err)
	require.Zero(t, n, "the same occurrences, a day later, are not new")
	require.Len(t, enq.queued(), 2)
	require.Equal(t, len(due), f.count("notifications", f.a.id))
	require.Zero(t, f.count("notifications", f.b.id))

	n, err = notes.ScanAll(context.Background(), today)
	require.NoError(t, err)
	require.Zero(t, n, "org B has nothing due; A's were recorded")
}

// The windows come from the organization's settings.
func TestScanUsesTheOrganizationsWindows(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := date(2026, 12, 5)
	dueSubjects(f, f.a, today)
	notes := NewNotificationStore(f.db, &recordingEnqueuer{})
	five, four := 5, 4
	_, err := notes.UpdateSettings(f.admin(f.a), notify.SettingsPatch{WarrantyDays: &five, ContractDays: &five, LicenseDays: &five, StaleDeviceDays: &four})
	require.NoError(t, err)
	_, err = notes.Scan(scanner(f.a.id), today)
	require.NoError(t, err)
	page, err := notes.ListNotifications(f.admin(f.a), notify.Filter{Kinds: []notify.Kind{notify.WarrantyEnding, notify.ContractEnding, notify.LicenseTermEnding}}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items, "due in 10, 20 and 30 days: outside a 5-day window")
	page, err = notes.ListNotifications(f.admin(f.a), notify.Filter{Kinds: []notify.Kind{notify.DeviceStale}}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 2, "seen 40 and 5 days ago: both past a 4-day window")

	zero := 0
	_, err = notes.UpdateSettings(f.admin(f.a), notify.SettingsPatch{LicenseDays: &zero})
	requireCode(t, err, itam.CodeInvalid, "licenseDays")
	s, err := notes.Settings(as(f.a.id, itam.RoleAuditor, "aud@test"))
	require.NoError(t, err)
	require.Equal(t, notify.Settings{WarrantyDays: 5, ContractDays: 5, LicenseDays: 5, StaleDeviceDays: 4}, s, "the refused change wrote nothing")
	_, err = notes.UpdateSettings(as(f.a.id, itam.RoleManager, "m@test"), notify.SettingsPatch{LicenseDays: &five})
	requireCode(t, err, itam.CodeForbidden, "")
}

func TestWebhookSecretsAreSealedAndURLsGuarded(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	hooks := NewWebhookStore(f.db, testBox(t), &recordingEnqueuer{}, nil)
	secret := "s3cret-s3cret-s3cret"
	for _, u := range []string{"https://127.0.0.1/x", "https://localhost/x", "https://169.254.169.254/x", "https://[::1]/x", "http://hooks.example.com/x"} {
		_, err := hooks.CreateSubscription(f.admin(f.a), notify.SubscriptionInput{URL: &u, Secret: &secret, Events: notify.Kinds})
		requireCode(t, err, itam.CodeInvalid, "url")
	}
	require.Zero(t, f.count("webhook_subscriptions", f.a.id), "nothing written")
	u := "https://hooks.example.com/x"
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		_, err := hooks.CreateSubscription(as(f.a.id, role, "x@test"), notify.SubscriptionInput{URL: &u, Secret: &secret, Events: notify.Kinds})
		requireCode(t, err, itam.CodeForbidden, "")
	}
	s, err := hooks.CreateSubscription(f.admin(f.a), notify.SubscriptionInput{URL: &u, Secret: &secret, Events: notify.Kinds})
	require.NoError(t, err)
	var stored []byte
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT secret FROM webhook_subscriptions WHERE id = $1`, s.ID).Scan(&stored))
	require.NotContains(t, string(stored), secret, "sealed at rest")

	// Org B cannot see, change or delete A's subscription.
	_, err = hooks.UpdateSubscription(f.admin(f.b), s.ID, nil, notify.SubscriptionInput{URL: &u})
	requireCode(t, err, itam.CodeNotFound, "id")
	_, err = hooks.DeleteSubscription(f.admin(f.b), s.ID, nil)
	requireCode(t, err, itam.CodeNotFound, "id")
	byID, err := hooks.SubscriptionsByIDs(f.admin(f.b), []uuid.UUID{s.ID})
	require.NoError(t, err)
	require.Empty(t, byID)
	// A stale version is CONFLICT and changes nothing.
	v := 7
	_, err = hooks.UpdateSubscription(f.admin(f.a), s.ID, &v, notify.SubscriptionInput{URL: &u})
	requireCode(t, err, itam.CodeConflict, "version")
}

func TestMarkNotificationsRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	today := date(2026, 12, 5)
	dueSubjects(f, f.a, today)
	dueSubjects(f, f.b, today)
	notes := NewNotificationStore(f.db, nil)
	for _, o := range []orgFixture{f.a, f.b} {
		_, err := notes.Scan(scanner(o.id), today)
		require.NoError(t, err)
	}
	unread := true
	mine, err := notes.ListNotifications(f.admin(f.a), notify.Filter{Unread: &unread}, itam.PageArgs{})
	require.NoError(t, err)
	theirs, err := notes.ListNotifications(f.admin(f.b), notify.Filter{}, itam.PageArgs{})
	require.NoError(t, err)

	_, err = notes.MarkRead(f.admin(f.a), notify.MarkRead{IDs: []uuid.UUID{mine.Items[0].ID, theirs.Items[0].ID}})
	requireCode(t, err, itam.CodeNotFound, "ids[1]")
	_, err = notes.MarkRead(as(f.a.id, itam.RoleAuditor, "a@test"), notify.MarkRead{All: true})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = notes.ListNotifications(as(f.a.id, itam.RoleEmployee, "alice@alpha.test"), notify.Filter{}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = notes.MarkRead(f.admin(f.a), notify.MarkRead{})
	requireCode(t, err, itam.CodeInvalid, "ids")

	n, err := notes.MarkRead(as(f.a.id, itam.RoleManager, "m@test"), notify.MarkRead{IDs: []uuid.UUID{mine.Items[0].ID, mine.Items[0].ID}})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = notes.MarkRead(f.admin(f.a), notify.MarkRead{All: true})
	require.NoError(t, err)
	require.Equal(t, len(mine.Items)-1, n)
	left, err := notes.CountNotifications(f.admin(f.a), notify.Filter{Unread: &unread})
	require.NoError(t, err)
	require.Zero(t, left)
	left, err = notes.CountNotifications(f.admin(f.b), notify.Filter{Unread: &unread})
	require.NoError(t, err)
	require.Equal(t, len(theirs.Items), left, "org B's stay unread")
}

// notifyTenantRows gives o a row in every notification table.
func notifyTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	f.exec(`INSERT INTO notification_settings (org_id) VALUES ($1)`, o.id)
	n := f.id(`INSERT INTO notifications (org_id, kind, subject_type, subject_id, title, message, dedup_key)
		VALUES ($1, 'SYNC_FAILING', 'Connector', gen_random_uuid(), 't', 'm', 'rls') RETURNING id`, o.id)
	s := f.id(`INSERT INTO webhook_subscriptions (org_id, url, events, secret, created_by) VALUES ($1, 'https://hooks.example.com', '{SYNC_FAILING}', '\x00', 'rls') RETURNING id`, o.id)
	f.exec(`INSERT INTO webhook_deliveries (org_id, subscription_id, notification_id, event, job_id, attempt, state, duration_ms)
		VALUES ($1, $2, $3, 'SYNC_FAILING', 1, 1, 'SUCCEEDED', 1)`, o.id, s, n)
}
