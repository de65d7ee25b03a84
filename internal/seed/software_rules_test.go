package seed

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/software"
)

// TestSeededSoftwareMatchesRules: a seeded organization has one catalog
// (the starter set plus the generated tail), its installations are exactly
// what its rules say, so the re-normalization a rule change queues moves
// nothing, and the well-known titles and their licenses are the starter
// set's products. A second run keeps it so.
func TestSeededSoftwareMatchesRules(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	url := pgtest.NewURL(t)
	pool := newPoolURL(t, url)
	db, err := postgres.Open(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	store := postgres.NewSoftwareRuleStore(db, nil)

	res, err := Run(ctx, pool, Options{OrgSlug: "rules", Assets: 600, SoftwareProducts: 300, RandSeed: 21})
	require.NoError(t, err)
	org := res.OrgID
	q := func(sql string) int64 { t.Helper(); return count(t, pool, sql, org) }

	// normalize runs the River worker's work over the organization and
	// returns how many installations it changed.
	normalize := func() int64 {
		t.Helper()
		var run uuid.UUID
		require.NoError(t, pool.QueryRow(ctx, `INSERT INTO software_normalization_runs (org_id, reason, actor)
			VALUES ($1, 'test', 'test') RETURNING id`, org).Scan(&run))
		system := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "software-normalization",
			ActorKind: itam.ActorSystem})
		require.NoError(t, store.Normalize(system, run))
		got, err := store.RunsByIDs(system, []uuid.UUID{run})
		require.NoError(t, err)
		require.Equal(t, software.NormalizationCompleted, got[run].State)
		require.Positive(t, got[run].TitlesTotal)
		return got[run].InstallationsChanged
	}
	require.Zero(t, normalize(), "the rules resolve every seeded installation as the seed wrote it")

	// One catalog: no product name twice, whatever the publisher.
	require.Zero(t, q(`SELECT count(*) FROM (SELECT lower(name) FROM software_products WHERE org_id = $1
		GROUP BY 1 HAVING count(*) > 1) x`))
	require.Positive(t, q(`SELECT count(*) FROM software_products WHERE org_id = $1 AND starter`))
	// The well-known titles resolve to the starter set's products, which
	// carry their licenses; the tail to seeded ones with seeded rules.
	for _, title := range []string{"Google Chrome", "Google Chrome.app", "Slack.app", "Microsoft Excel.app", "Zoom.app"} {
		require.Zero(t, q(`SELECT count(*) FROM software_installations i LEFT JOIN software_products p ON p.id = i.product_id
			WHERE i.org_id = $1 AND i.title = '`+title+`' AND p.starter IS NOT TRUE`), title)
	}
	require.Positive(t, q(`SELECT count(*) FROM software_installations WHERE org_id = $1 AND title = 'Google Chrome.app'`))
	require.Positive(t, q(`SELECT count(*) FROM licenses l JOIN software_products p ON p.id = l.product_id
		WHERE l.org_id = $1 AND p.starter AND p.name = 'Google Chrome'`))
	require.Positive(t, q(`SELECT count(*) FROM software_installations i JOIN software_products p ON p.id = i.product_id
		JOIN software_title_rules r ON r.id = i.rule_id WHERE i.org_id = $1 AND p.seeded AND NOT r.starter`))
	require.Positive(t, q(`SELECT count(*) FROM software_installations WHERE org_id = $1 AND product_id IS NULL`),
		"runtimes, drivers and some tail titles stay unmatched on purpose")
	// Seeded rules come after the starter set's, unique by kind and pattern.
	require.Zero(t, q(`SELECT count(*) FROM software_title_rules s JOIN software_title_rules x ON x.org_id = s.org_id
		WHERE s.org_id = $1 AND s.starter AND NOT x.starter AND x.position < s.position`))
	require.Zero(t, q(`SELECT count(*) FROM (SELECT 1 FROM software_title_rules WHERE org_id = $1
		GROUP BY kind, lower(pattern) HAVING count(*) > 1) x`))

	// A rerun adds installations and licenses, no rule, and still agrees
	// with the rules.
	rules := q(`SELECT count(*) FROM software_title_rules WHERE org_id = $1`)
	again, err := Run(ctx, pool, Options{OrgSlug: "rules", Assets: 200, SoftwareProducts: 300, RandSeed: 21})
	require.NoError(t, err)
	require.Positive(t, again.Inserted.SoftwareInstallations)
	require.Zero(t, again.Inserted.SoftwareTitleRules)
	require.Equal(t, rules, q(`SELECT count(*) FROM software_title_rules WHERE org_id = $1`))
	require.Zero(t, normalize())
}
