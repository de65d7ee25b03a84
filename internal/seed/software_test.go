package seed

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// TestRunSoftware: a run generates a catalog, installations with a long
// tail in both naming styles, and licenses whose position is a realistic
// mix.
func TestRunSoftware(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)
	res, err := Run(ctx, pool, Options{OrgSlug: "soft", Assets: 1000, SoftwareProducts: 500, RandSeed: 11})
	require.NoError(t, err)
	t.Logf("%+v", res.Inserted)
	org := res.OrgID
	q := func(sql string) int64 { t.Helper(); return count(t, pool, sql, org) }

	// Counts match the tables.
	in := res.Inserted
	// 500 products: the well-known titles the starter set resolves are its
	// products, the others and the long tail are created.
	require.True(t, res.SoftwareStarter)
	require.Equal(t, in.SoftwareProducts, q(`SELECT count(*) FROM software_products WHERE org_id = $1 AND seeded`))
	require.Less(t, in.SoftwareProducts, int64(500))
	require.Greater(t, in.SoftwareProducts, int64(500-len(knownProducts)))
	require.Equal(t, in.SoftwarePublishers, q(`SELECT count(*) FROM software_publishers WHERE org_id = $1 AND seeded`))
	require.Equal(t, in.SoftwareTitleRules, q(`SELECT count(*) FROM software_title_rules WHERE org_id = $1 AND NOT starter`))
	require.Less(t, in.SoftwarePublishers, in.SoftwareProducts)
	require.Equal(t, in.SoftwareInstallations, q(`SELECT count(*) FROM software_installations WHERE org_id = $1`))
	require.InDelta(t, 10000, in.SoftwareInstallations, 1500, "about ten per asset")
	require.Equal(t, in.Licenses, q(`SELECT count(*) FROM licenses WHERE org_id = $1`))
	require.Equal(t, in.LicenseSeats, q(`SELECT count(*) FROM license_seats WHERE org_id = $1`))
	require.Equal(t, in.LicenseHistory, q(`SELECT count(*) FROM license_history WHERE org_id = $1`))
	require.Positive(t, in.LicenseSeats)

	// Installations are on laptops and desktops, keyed as a sync keys them,
	// named in the device platform's style and reported through its source.
	require.Zero(t, q(`
		SELECT count(*) FROM software_installations i
		  JOIN assets a ON a.id = i.asset_id JOIN models m ON m.id = a.model_id JOIN categories c ON c.id = m.category_id
		 WHERE i.org_id = $1 AND (c.kind NOT IN ('LAPTOP', 'DESKTOP') OR a.status = 'ORDERED')`))
	require.Zero(t, q(`SELECT count(*) FROM software_installations WHERE org_id = $1
		AND app_key <> coalesce(nullif(btrim(identifier), ''), lower(btrim(title)))`))
	const platform = `JOIN assets a ON a.id = i.asset_id WHERE i.org_id = $1 AND a.custom_fields->>'os' = `
	require.Zero(t, q(`SELECT count(*) FROM software_installations i `+platform+`'macOS'
		AND (i.source !~ '^JAMF_PRO:[0-9a-f-]{36}$' OR i.identifier IS NULL OR (i.title NOT LIKE '%.app' AND i.product_id IS NOT NULL))`))
	require.Zero(t, q(`SELECT count(*) FROM software_installations i `+platform+`'Windows 11'
		AND (i.source !~ '^INTUNE:[0-9a-f-]{36}$' OR i.identifier IS NOT NULL OR i.title LIKE '%.app')`))
	require.Zero(t, q(`SELECT count(*) FROM software_installations i `+platform+`'Ubuntu 22.04' AND i.source !~ '^FLEET:'`))
	for _, style := range []string{
		`title = 'Microsoft Excel.app' AND identifier = 'com.microsoft.Excel'`,
		`title = 'Microsoft Office Professional Plus 2019' AND identifier IS NULL`,
		`title = 'Slack.app' AND identifier = 'com.tinyspeck.slackmacgap'`,
		`title = 'Adobe Acrobat DC (64-bit)' AND identifier IS NULL`,
		`title LIKE 'IntelliJ IDEA 202%' AND identifier IS NULL`,
	} {
		require.Positive(t, q(`SELECT count(*) FROM software_installations WHERE org_id = $1 AND `+style), style)
	}
	// Resolved as the rules would (TestSeededSoftwareMatchesRules checks
	// every one): matched installations name their rule.
	require.Zero(t, q(`SELECT count(*) FROM software_installations WHERE org_id = $1 AND (product_id IS NULL) <> (rule_id IS NULL)`))

	// Several versions per product; a Windows device may keep two.
	require.GreaterOrEqual(t, q(`SELECT count(DISTINCT i.version) FROM software_installations i JOIN software_products p ON p.id = i.product_id
		WHERE i.org_id = $1 AND p.name = 'Google Chrome'`), int64(3))
	require.Positive(t, q(`SELECT count(*) FROM (SELECT 1 FROM software_installations WHERE org_id = $1 AND product_id IS NOT NULL
		GROUP BY asset_id, product_id, source HAVING count(DISTINCT version) > 1) x`))

	// A few percent unmatched, a few percent ended.
	total := float64(in.SoftwareInstallations)
	unmatched := float64(q(`SELECT count(*) FROM software_installations WHERE org_id = $1 AND product_id IS NULL`)) / total
	require.InDelta(t, 0.05, unmatched, 0.03, "unmatched share")
	ended := float64(q(`SELECT count(*) FROM software_installations WHERE org_id = $1 AND ended_at IS NOT NULL`)) / total
	require.InDelta(t, 0.03, ended, 0.02, "ended share")
	require.Zero(t, q(`SELECT count(*) FROM software_installations WHERE org_id = $1
		AND (last_seen_at < first_seen_at OR ended_at < last_seen_at OR last_seen_at > now())`))

	// Long tail: the top product on most devices, the median one on few.
	devices := q(`SELECT count(DISTINCT asset_id) FROM software_installations WHERE org_id = $1`)
	top := q(`SELECT max(n) FROM (SELECT count(DISTINCT asset_id) n FROM software_installations WHERE org_id = $1 GROUP BY product_id) x`)
	median := q(`
		SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY coalesce(n, 0)) FROM software_products p
		  LEFT JOIN (SELECT product_id, count(DISTINCT asset_id) n FROM software_installations WHERE org_id = $1 GROUP BY 1) i ON i.product_id = p.id
		 WHERE p.org_id = $1`)
	t.Logf("devices %d, top product on %d, median product on %d", devices, top, median)
	require.Greater(t, float64(top), 0.5*float64(devices))
	require.Less(t, float64(median), 0.03*float64(devices))

	// Licenses: every model, some expired, some expiring soon, in the
	// org's currency, keys never set.
	require.EqualValues(t, 5, q(`SELECT count(DISTINCT license_model) FROM licenses WHERE org_id = $1`))
	require.Positive(t, q(`SELECT count(*) FROM licenses WHERE org_id = $1 AND term_end < current_date`))
	require.Positive(t, q(`SELECT count(*) FROM licenses WHERE org_id = $1 AND term_end BETWEEN current_date AND current_date + 45`))
	require.Zero(t, q(`SELECT count(*) FROM licenses l JOIN organizations o ON o.id = l.org_id
		WHERE l.org_id = $1 AND (l.license_key IS NOT NULL OR l.cost_currency <> o.default_currency)`))
	require.Positive(t, q(`SELECT count(*) FROM licenses WHERE org_id = $1 AND seat_cost > 0`))
	require.Positive(t, q(`SELECT count(*) FROM licenses WHERE org_id = $1 AND total_cost > 0`))

	// Seats: PER_DEVICE ones on assets, the others on people; some on
	// people who left and devices out of service; some reclaimed.
	require.Zero(t, q(`SELECT count(*) FROM license_seats s JOIN licenses l ON l.id = s.license_id WHERE s.org_id = $1
		AND (s.assigned_by <> 'seed' OR (l.license_model = 'PER_DEVICE') <> (s.asset_id IS NOT NULL) OR l.license_model = 'SITE')`))
	require.Positive(t, q(`SELECT count(*) FROM license_seats s JOIN people p ON p.id = s.person_id
		WHERE s.org_id = $1 AND s.reclaimed_at IS NULL AND p.status = 'OFFBOARDED'`))
	require.Positive(t, q(`SELECT count(*) FROM license_seats s JOIN assets a ON a.id = s.asset_id
		WHERE s.org_id = $1 AND s.reclaimed_at IS NULL AND a.status IN ('RETIRED', 'DISPOSED')`))
	require.Positive(t, q(`SELECT count(*) FROM license_seats WHERE org_id = $1 AND reclaimed_at IS NOT NULL AND reclaim_reason IS NOT NULL`))
	require.Equal(t, in.Licenses, q(`SELECT count(*) FROM license_history WHERE org_id = $1 AND action = 'CREATE'`))

	// The position comes out as a mix (consumption counted as the schema
	// defines it: active devices for PER_DEVICE, else people whose active
	// devices have it).
	rows, err := pool.Query(ctx, `
		WITH lic AS (
		  SELECT product_id, min(license_model::text) AS model, sum(seats) AS seats, bool_or(license_model = 'SITE') AS site
		    FROM licenses WHERE org_id = $1 AND (term_end IS NULL OR term_end >= current_date) GROUP BY 1),
		use AS (
		  SELECT i.product_id, count(DISTINCT i.asset_id) AS devices, count(DISTINCT a.assigned_person_id) AS people
		    FROM software_installations i JOIN assets a ON a.id = i.asset_id
		   WHERE i.org_id = $1 AND i.ended_at IS NULL AND i.product_id IS NOT NULL AND a.status NOT IN ('RETIRED', 'DISPOSED')
		   GROUP BY 1)
		SELECT status, count(*) FROM (
		  SELECT CASE WHEN l.product_id IS NULL THEN 'UNLICENSED' WHEN l.site THEN 'COMPLIANT'
		              WHEN c > l.seats THEN 'OVER_DEPLOYED' WHEN c >= 0.9 * l.seats THEN 'AT_RISK' ELSE 'COMPLIANT' END AS status
		    FROM use u LEFT JOIN lic l USING (product_id)
		    CROSS JOIN LATERAL (SELECT CASE WHEN l.model = 'PER_DEVICE' THEN u.devices ELSE u.people END AS c) x
		) s GROUP BY 1`, org)
	require.NoError(t, err)
	mix := map[string]int64{}
	var status string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&status, &n}, func() error { mix[status] = n; return nil })
	require.NoError(t, err)
	t.Logf("position mix: %v", mix)
	for _, s := range []string{"COMPLIANT", "AT_RISK", "OVER_DEPLOYED", "UNLICENSED"} {
		require.Positive(t, mix[s], s)
	}
}

// TestRunSoftwareIsReproducible: equal seeds give equal software, another
// seed other software; a rerun reuses the catalog; software can be off.
func TestRunSoftwareIsReproducible(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)
	opt := func(slug string, seed int64) Options {
		return Options{OrgSlug: slug, Assets: 300, SoftwareProducts: 200, RandSeed: seed}
	}
	a, err := Run(ctx, pool, opt("one", 5))
	require.NoError(t, err)
	b, err := Run(ctx, pool, opt("two", 5))
	require.NoError(t, err)
	c, err := Run(ctx, pool, opt("three", 6))
	require.NoError(t, err)
	require.Equal(t, a.Inserted, b.Inserted)

	da, db, dc := dumpSoftware(t, pool, a.OrgID), dumpSoftware(t, pool, b.OrgID), dumpSoftware(t, pool, c.OrgID)
	for k := range da {
		require.NotEmpty(t, da[k], k)
		require.Equal(t, da[k], db[k], k)
		require.NotEqual(t, da[k], dc[k], k)
	}

	// Again on the same org: the catalog is reused, the new assets get
	// their software and licenses.
	again, err := Run(ctx, pool, opt("one", 5))
	require.NoError(t, err)
	require.Zero(t, again.Inserted.SoftwarePublishers)
	require.Zero(t, again.Inserted.SoftwareProducts)
	require.Zero(t, again.Inserted.SoftwareTitleRules, "a rerun adds no rule twice")
	require.False(t, again.SoftwareStarter)
	require.Positive(t, again.Inserted.SoftwareInstallations)
	require.Positive(t, again.Inserted.Licenses)

	// No software when asked for none.
	off, err := Run(ctx, pool, Options{OrgSlug: "plain", Assets: 50, SoftwareProducts: -1})
	require.NoError(t, err)
	require.Equal(t, Counts{}, Counts{SoftwarePublishers: off.Inserted.SoftwarePublishers, SoftwareProducts: off.Inserted.SoftwareProducts,
		SoftwareInstallations: off.Inserted.SoftwareInstallations, Licenses: off.Inserted.Licenses})
	require.EqualValues(t, 50, off.Inserted.Assets)
}

// dumpSoftware lists an org's software rows by natural keys (no ids, no
// wall-clock times), sorted.
func dumpSoftware(t *testing.T, pool *pgxpool.Pool, org uuid.UUID) map[string][]string {
	t.Helper()
	queries := map[string]string{
		"catalog": `SELECT concat_ws('|', pb.name, pb.website, p.name, p.editions::text) FROM software_products p
			JOIN software_publishers pb ON pb.id = p.publisher_id WHERE p.org_id = $1`,
		"installations": `SELECT concat_ws('|', a.asset_tag, i.source, i.app_key, i.title, i.version, i.identifier, p.name,
			i.edition, i.normalized_version, i.ended_at IS NULL)
			FROM software_installations i JOIN assets a ON a.id = i.asset_id LEFT JOIN software_products p ON p.id = i.product_id
			WHERE i.org_id = $1`,
		"licenses": `SELECT concat_ws('|', p.name, l.name, l.license_model, l.seats, l.term_start, l.term_end, l.renewal_date,
			l.auto_renew, l.seat_cost, l.total_cost, l.cost_currency, l.billing_period, s.name, l.purchase_order, l.contract_reference, l.notes)
			FROM licenses l JOIN software_products p ON p.id = l.product_id LEFT JOIN suppliers s ON s.id = l.supplier_id WHERE l.org_id = $1`,
		"seats": `SELECT concat_ws('|', l.name, l.seats, pe.name, a.asset_tag, s.reclaimed_at IS NULL, s.reclaim_reason)
			FROM license_seats s JOIN licenses l ON l.id = s.license_id LEFT JOIN people pe ON pe.id = s.person_id
			LEFT JOIN assets a ON a.id = s.asset_id WHERE s.org_id = $1`,
	}
	out := map[string][]string{}
	for k, sql := range queries {
		rows, err := pool.Query(t.Context(), sql+` ORDER BY 1`, org)
		require.NoError(t, err)
		out[k], err = pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err, k)
	}
	return out
}

// TestSoftwareCatalog: the catalog has the well-known titles first, the
// size asked for, unique names and keys, and is a prefix of a larger one.
func TestSoftwareCatalog(t *testing.T) {
	for _, kp := range knownProducts { // a share on a platform needs a title there, and back
		titles := [numPlatforms]int{len(kp.mac), len(kp.win), len(kp.linux)}
		for plat := range numPlatforms {
			require.Equal(t, titles[plat] > 0, kp.share[plat] > 0, "%s on platform %d", kp.name, plat)
		}
		require.NotEmpty(t, kp.versions, kp.name)
	}
	small, big := buildSoftwareCatalog(3, 300), buildSoftwareCatalog(3, 1000)
	require.Len(t, small.products, 300)
	require.Len(t, big.products, 1000)
	require.Equal(t, "Google Chrome", small.products[0].name)
	for i, p := range small.products {
		require.Equal(t, p.name, big.products[i].name)
		require.Equal(t, p.publisher, big.products[i].publisher)
	}
	names := map[string]bool{}
	for _, p := range big.products {
		k := strings.ToLower(p.publisher + "/" + p.name)
		require.False(t, names[k], k)
		names[k] = true
	}
	keys := map[string]bool{}
	var entries []*swEntry
	entries = append(entries, big.known...)
	entries = append(entries, big.tail...)
	for _, list := range big.noise {
		entries = append(entries, list...)
	}
	for _, e := range entries {
		seen := map[string]bool{} // an entry's versions may share a key
		for _, titles := range e.titles {
			for _, vs := range titles {
				for _, v := range vs {
					if !seen[v.key] {
						require.False(t, keys[v.key], "app_key %q used by two titles", v.key)
					}
					seen[v.key], keys[v.key] = true, true
				}
			}
		}
	}
	require.Less(t, len(big.publishers), len(big.products))
	require.NotEqual(t, buildSoftwareCatalog(4, 300).products[200].name, small.products[200].name)
}
