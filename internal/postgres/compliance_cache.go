package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// The whole license position report reads maintained per-product counts
// (license_position_counts, migration 00010) instead of counting a
// million installations per request. Triggers on installations, assets,
// people, seats and licenses record the products a write may have changed
// in license_position_dirty; each report first refreshes exactly those
// products, plus any without counts or whose counts expired with a license
// term (valid_until), then reads. The report is never stale; the first one
// after a bulk change (a seed, a first sync, a renormalization) pays for
// recounting what changed, up to the whole estate (1–2 s for 5,000
// products over a million installations).
//
// Refreshes of an organization are serialized by a transaction-level
// advisory lock, so a refresh working from an older snapshot never
// overwrites a newer one's counts. A report that finds nothing to refresh
// does not wait for the lock: its reads run side by side.

// positionLockSQL is the advisory lock key of an organization's refreshes ($1).
const positionLockSQL = `hashtextextended('itam.license_positions/' || $1::uuid::text, 0)`

// positionNeedsRefreshSQL takes the lock, waiting for a running refresh to
// commit, when the organization ($1) has dirty products or a product
// without fresh counts; otherwise it returns at once.
const positionNeedsRefreshSQL = `SELECT pg_advisory_xact_lock(` + positionLockSQL + `)
WHERE EXISTS (SELECT 1 FROM license_position_dirty d WHERE d.org_id = $1)
	OR EXISTS (SELECT 1 FROM software_products p WHERE p.org_id = $1 AND NOT EXISTS (
		SELECT 1 FROM license_position_counts c WHERE c.org_id = p.org_id AND c.product_id = p.id
			AND (c.valid_until IS NULL OR c.valid_until > current_date)))`

// positionRefreshSQL recounts the products to refresh in one statement:
// it claims the dirty rows its snapshot sees (DELETE … RETURNING; a row a
// writer commits later stays for the next refresh), adds the products
// without fresh counts, and upserts their counts. It does all this only
// holding the organization's lock: positionNeedsRefreshSQL took it when
// there was work when the report began; if work appeared since, the lock
// is tried, and a report that cannot get it leaves that work (newer than
// the report) to the refresh running or the next one.
var positionRefreshSQL = `WITH gate AS MATERIALIZED (
	SELECT pg_try_advisory_xact_lock(` + positionLockSQL + `) AS ok
), claimed AS (
	DELETE FROM license_position_dirty d WHERE d.org_id = $1 AND (SELECT ok FROM gate) RETURNING d.product_id
), prod AS MATERIALIZED (
	SELECT p.id FROM software_products p
	WHERE p.org_id = $1 AND (SELECT ok FROM gate) AND (p.id IN (SELECT product_id FROM claimed) OR NOT EXISTS (
		SELECT 1 FROM license_position_counts c WHERE c.org_id = p.org_id AND c.product_id = p.id
			AND (c.valid_until IS NULL OR c.valid_until > current_date)))
), ` + countsCTEs("", hashedActive, hashedPresent) + `, valid AS (
	-- A position depends on today's date through its licenses' terms: the
	-- counts hold until the next day a license starts or ends.
	SELECT l.product_id, min(least(CASE WHEN l.term_start > current_date THEN l.term_start END,
		CASE WHEN l.term_end >= current_date THEN l.term_end + 1 END)) AS until
	FROM licenses l WHERE l.product_id IN (SELECT id FROM prod) GROUP BY l.product_id
)
INSERT INTO license_position_counts AS c (org_id, product_id, installed, devices_consumed, users_consumed, unattributed, assigned, valid_until, computed_at)
SELECT $1, counts.product_id, counts.installed, counts.devices_consumed, counts.users_consumed, counts.unattributed, counts.assigned, valid.until, now()
FROM counts LEFT JOIN valid ON valid.product_id = counts.product_id
ON CONFLICT (org_id, product_id) DO UPDATE SET installed = excluded.installed, devices_consumed = excluded.devices_consumed,
	users_consumed = excluded.users_consumed, unattributed = excluded.unattributed, assigned = excluded.assigned,
	valid_until = excluded.valid_until, computed_at = excluded.computed_at`

const setTimeoutSQL = `SELECT set_config('statement_timeout', $1, true)`

// cachedPositions refreshes what changed and reads every requested
// product's counts, with its active licenses' price inputs read live, in
// one round trip: the batch is one implicit transaction (DB.read), so the
// lock is held until the counts are committed. Every role that may read
// the report writes the counts: bookkeeping under the caller's tenant.
func (s *LicenseComplianceStore) cachedPositions(ctx context.Context, p itam.Principal, f licenses.ComplianceFilter) ([]licenses.Position, error) {
	args := &sqlArgs{}
	org := args.add(p.OrgID)
	prodWhere := []string{"p.org_id = " + org}
	if f.PublisherID != nil {
		prodWhere = append(prodWhere, "p.publisher_id = "+args.add(*f.PublisherID))
	}
	sql := `WITH prod AS MATERIALIZED (
	SELECT p.id, p.name FROM software_products p WHERE ` + strings.Join(prodWhere, " AND ") + `
), ` + actCTE + `, ` + licJSONCTE + `
SELECT prod.id, coalesce(c.installed, 0), coalesce(c.devices_consumed, 0), coalesce(c.users_consumed, 0),
	coalesce(c.unattributed, 0), coalesce(c.assigned, 0), lic.j
FROM prod
LEFT JOIN license_position_counts c ON c.org_id = ` + org + ` AND c.product_id = prod.id
LEFT JOIN lic ON lic.product_id = prod.id
ORDER BY lower(prod.name), prod.id`
	var rows []licenses.PositionCounts
	err := s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		b.Queue(positionSettingsSQL)
		// The refresh (and waiting for another's) gets the job timeout: its
		// work is bounded by the estate, not by the request, and one cut
		// short by the request timeout would roll back and be redone, cut
		// short again, by every following report.
		b.Queue(setTimeoutSQL, s.db.jobTimeout)
		b.Queue(positionNeedsRefreshSQL, p.OrgID)
		b.Queue(positionRefreshSQL, p.OrgID)
		b.Queue(setTimeoutSQL, s.db.timeout)
		queueRows(b, sql, args.list, scanPositionCounts, func(c licenses.PositionCounts) { rows = append(rows, c) })
	})
	if err != nil {
		return nil, err
	}
	return finishPositions(rows, f), nil
}
