package postgres

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// cacheCheck compares the cached whole report (read by an AUDITOR, who
// refreshes the counts like any reader) with the live computation.
type cacheCheck struct {
	t       *testing.T
	s       *LicenseComplianceStore
	auditor context.Context
	admin   context.Context
	last    []licenses.Position
}

func newCacheCheck(t *testing.T, f *fixture, o orgFixture) *cacheCheck {
	return &cacheCheck{t: t, s: NewLicenseComplianceStore(f.db), auditor: as(o.id, itam.RoleAuditor, "auditor@test"), admin: f.admin(o)}
}

// same requires the cached report to equal the live one; changed also
// requires the live report to differ from the previous step's, so each
// step exercises a change the cache must notice.
func (c *cacheCheck) same(step string, changed bool) {
	c.t.Helper()
	live, err := c.s.LivePositions(c.admin, licenses.ComplianceFilter{})
	require.NoError(c.t, err, step)
	got, err := c.s.Positions(c.auditor, licenses.ComplianceFilter{})
	require.NoError(c.t, err, step)
	require.Equal(c.t, live, got, "%s: cached report differs from the live one", step)
	if changed {
		require.NotEqual(c.t, c.last, live, "%s: the step changes no position", step)
	}
	c.last = live
	// A second read finds nothing to refresh and still agrees.
	again, err := c.s.Positions(c.auditor, licenses.ComplianceFilter{})
	require.NoError(c.t, err, step)
	require.Equal(c.t, live, again, "%s: second read", step)
}

func TestLicensePositionCacheFollowsEveryChange(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	w := newComplianceWorld(f, o)
	c := newCacheCheck(t, f, o)
	c.same("cold refresh", false)

	dev := f.cxDevice(o, "DEPLOYED", nil)
	owned := f.cxDevice(o, "DEPLOYED", &o.bob)
	erin := f.id(`INSERT INTO people (org_id, name, email) VALUES ($1, 'Erin', 'erin@x.test') RETURNING id`, o.id)
	var seat, fresh, other uuid.UUID
	steps := []struct {
		name   string
		change func()
	}{
		{"installation inserted", func() { f.cxInstall(o, dev, w.perDevice, "Device Suite", "3.0", time.Hour) }},
		{"installation ended", func() { f.cxEnd(w.d1, w.perDevice) }},
		{"installation product changed", func() {
			f.exec(`UPDATE software_installations SET product_id = $2 WHERE asset_id = $1`, dev, w.unl)
		}},
		{"installation deleted", func() { f.exec(`DELETE FROM software_installations WHERE asset_id = $1`, dev) }},
		{"asset with an installation retired", func() {
			f.cxInstall(o, owned, w.site, "Site Tool", "1", time.Hour)
			c.same("setup: installation on an assigned device", true)
			f.exec(`UPDATE assets SET status = 'RETIRED', assigned_person_id = NULL WHERE id = $1`, owned)
		}},
		{"asset holding a seat retired", func() { f.exec(`UPDATE assets SET status = 'RETIRED' WHERE id = $1`, w.d3) }},
		{"asset reassigned", func() {
			f.cxInstall(o, dev, w.perUser, "User App", "5", time.Hour)
			c.same("setup: unattributed installation", true)
			f.exec(`UPDATE assets SET assigned_person_id = $2 WHERE id = $1`, dev, erin)
		}},
		{"person offboarded", func() {
			f.exec(`UPDATE people SET status = 'OFFBOARDED', end_date = current_date WHERE id = $1`, o.alice)
		}},
		{"seat assigned", func() { seat = f.cxSeat(o, w.userLicense, &erin, nil, time.Hour) }},
		{"seat reclaimed", func() {
			f.exec(`UPDATE license_seats SET reclaimed_at = now(), reclaimed_by = 'test' WHERE id = $1`, seat)
		}},
		{"seat assigned to a device", func() { seat = f.cxSeat(o, w.userLicense, nil, &dev, time.Hour) }},
		{"seat deleted", func() { f.exec(`DELETE FROM license_seats WHERE id = $1`, seat) }},
		{"license created", func() {
			f.cxLicense(o, w.unl, cxLic{model: licenses.PerUser, seats: ptr(5), start: cxDate(-1)})
		}},
		{"license model changed", func() {
			f.exec(`UPDATE licenses SET license_model = 'PER_DEVICE' WHERE id = $1`, w.userLicense)
		}},
		{"license model changed back", func() {
			f.exec(`UPDATE licenses SET license_model = 'PER_USER' WHERE id = $1`, w.userLicense)
		}},
		{"license seats changed", func() { f.exec(`UPDATE licenses SET seats = 1 WHERE id = $1`, w.devLicense) }},
		{"license term ended", func() {
			f.exec(`UPDATE licenses SET term_start = current_date - 30, term_end = current_date - 1 WHERE id = $1`, w.subLicense)
		}},
		{"license deleted", func() { f.exec(`DELETE FROM licenses WHERE id = $1`, w.devLicense) }},
		{"product created", func() {
			fresh = f.insertProduct(o, w.pub, "H Fresh")
			f.cxInstall(o, dev, fresh, "Fresh", "1", time.Hour)
		}},
		{"product deleted", func() { f.exec(`DELETE FROM software_products WHERE id = $1`, fresh) }},
		{"product of another publisher", func() {
			other = f.insertProduct(o, f.insertPublisher(o, "Third"), "I Other")
			f.cxInstall(o, w.d1, other, "Other", "1", time.Hour)
		}},
	}
	for _, st := range steps {
		st.change()
		c.same(st.name, true)
	}

	// The publisher filter reads the same counts.
	pubLive, err := c.s.LivePositions(c.admin, licenses.ComplianceFilter{PublisherID: &w.pub})
	require.NoError(t, err)
	pubCached, err := c.s.Positions(c.auditor, licenses.ComplianceFilter{PublisherID: &w.pub})
	require.NoError(t, err)
	require.Equal(t, pubLive, pubCached)
	require.NotEmpty(t, pubCached)
}

// A position depends on today's date: counts expire on the next day a
// license of the product starts or ends.
func TestLicensePositionCacheExpiresWithTerms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	pub := f.insertPublisher(o, "Acme")
	prod := f.insertProduct(o, pub, "Suite")
	d := f.cxDevice(o, "DEPLOYED", &o.alice)
	f.cxInstall(o, d, prod, "Suite", "1", time.Hour)
	l := f.cxLicense(o, prod, cxLic{model: licenses.PerUser, seats: ptr(5), start: cxDate(-10), end: cxDate(0)})
	f.cxLicense(o, prod, cxLic{model: licenses.PerDevice, seats: ptr(5), start: cxDate(20)})
	c := newCacheCheck(t, f, o)
	c.same("cold refresh", false)

	validUntil := func() string {
		var s string
		require.NoError(t, f.owner.QueryRow(context.Background(),
			`SELECT coalesce(valid_until::text, '') FROM license_position_counts WHERE product_id = $1`, prod).Scan(&s))
		return s
	}
	// Active until the end of today: the day after is the next change.
	require.Equal(t, cxDate(1), validUntil())

	// Tomorrow, as the cache sees it: the term ended yesterday (written
	// behind the triggers' back, as the passing of time does) and the
	// counts computed yesterday hold until today.
	f.exec(`ALTER TABLE licenses DISABLE TRIGGER position_dirty_update`)
	f.exec(`UPDATE licenses SET term_end = current_date - 1 WHERE id = $1`, l)
	f.exec(`ALTER TABLE licenses ENABLE TRIGGER position_dirty_update`)
	f.exec(`UPDATE license_position_counts SET valid_until = current_date WHERE product_id = $1`, prod)
	c.same("a term ended overnight", true)
	// Now the future license's start is the next change.
	require.Equal(t, cxDate(20), validUntil())
}

// A writer committing while a refresh is under way is never lost: its
// dirty row is either claimed by a refresh that saw it or left for the
// next one, and a report waits for a running refresh rather than racing it.
func TestLicensePositionCacheConcurrentWriter(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.a
	pub := f.insertPublisher(o, "Acme")
	prod := f.insertProduct(o, pub, "Suite")
	f.cxLicense(o, prod, cxLic{model: licenses.PerDevice, seats: ptr(5)})
	c := newCacheCheck(t, f, o)
	c.same("cold refresh", false)

	install := func() { f.cxInstall(o, f.cxDevice(o, "DEPLOYED", nil), prod, "Suite", "1", time.Hour) }
	// refresh opens an application transaction that has run the refresh
	// statement (claimed and recounted) and not committed.
	refresh := func() pgx.Tx {
		tx, err := f.db.Pool.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, `SELECT set_config('itam.org_id', $1, true)`, o.id.String())
		require.NoError(t, err)
		_, err = tx.Exec(ctx, positionRefreshSQL, o.id)
		require.NoError(t, err)
		return tx
	}

	t.Run("writer commits after the claim", func(t *testing.T) {
		install() // dirty: the refresh below recounts prod
		tx := refresh()
		install() // committed after the claim: not in the refresh's counts
		require.NoError(t, tx.Commit(ctx))
		c.same("after the refresh commits", true)
	})

	t.Run("writer commits before the claim is visible", func(t *testing.T) {
		w, err := f.owner.Begin(ctx)
		require.NoError(t, err)
		_, err = w.Exec(ctx, `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, product_id)
			VALUES ($1, $2, 'jamf', 'suite', 'Suite', $3)`, o.id, f.cxDevice(o, "DEPLOYED", nil), prod)
		require.NoError(t, err)
		tx := refresh() // does not see the writer's dirty row
		require.NoError(t, w.Commit(ctx))
		require.NoError(t, tx.Commit(ctx))
		c.same("after both commit", true)
	})

	t.Run("a report waits for a running refresh", func(t *testing.T) {
		install()
		tx := refresh()
		install()
		type result struct {
			ps  []licenses.Position
			err error
		}
		done := make(chan result, 1)
		go func() {
			ps, err := c.s.Positions(c.auditor, licenses.ComplianceFilter{})
			done <- result{ps, err}
		}()
		// The report has work (the second install) and must wait for the
		// refresh holding the organization's lock.
		require.Eventually(t, func() bool {
			var waiting bool
			err := f.owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).Scan(&waiting)
			return err == nil && waiting
		}, 10*time.Second, 5*time.Millisecond)
		select {
		case r := <-done:
			t.Fatalf("the report did not wait for the refresh: %v", r.err)
		default:
		}
		require.NoError(t, tx.Commit(ctx))
		r := <-done
		require.NoError(t, r.err)
		live, err := c.s.LivePositions(c.admin, licenses.ComplianceFilter{})
		require.NoError(t, err)
		require.Equal(t, live, r.ps)
		c.same("after the wait", true)
	})
}

// Waiting for a refresh (or refreshing) outlasts the request statement
// timeout: a refresh cut short would be redone, and cut short, by every
// following report.
func TestLicensePositionRefreshOutlastsRequestTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	o := f.a
	prod := f.insertProduct(o, f.insertPublisher(o, "Acme"), "Suite")
	f.cxInstall(o, f.cxDevice(o, "DEPLOYED", nil), prod, "Suite", "1", time.Hour)
	short := *f.db
	short.timeout = "200" // milliseconds
	s := NewLicenseComplianceStore(&short)

	// Another report's refresh holds the organization's lock.
	tx, err := f.db.Pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SELECT pg_advisory_xact_lock(`+positionLockSQL+`)`, o.id)
	require.NoError(t, err)

	done := make(chan error, 1)
	go func() {
		_, err := s.Positions(as(o.id, itam.RoleAuditor, "auditor@test"), licenses.ComplianceFilter{})
		done <- err
	}()
	// Release the lock only once the report has waited past its request
	// timeout.
	require.Eventually(t, func() bool {
		var waited bool
		err := f.owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
			AND wait_event = 'advisory' AND now() - query_start > interval '400 milliseconds')`).Scan(&waited)
		return err == nil && waited
	}, 20*time.Second, 10*time.Millisecond, "the report stopped waiting for the lock")
	require.NoError(t, tx.Commit(ctx))
	require.NoError(t, <-done)
}
