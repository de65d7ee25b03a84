package seed

import (
	"context"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func newPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	return newPoolURL(t, pgtest.NewURL(t))
}

// newPoolURL connects to url (a pgtest database), as the migrations' owner.
func newPoolURL(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	return pool
}

// count runs a query returning one integer.
func count(t *testing.T, pool *pgxpool.Pool, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	require.NoError(t, pool.QueryRow(t.Context(), sql, args...).Scan(&n), sql)
	return n
}

func TestEnsureOrgIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)

	id, created, err := EnsureOrg(ctx, pool, "demo", "Demo Corp")
	require.NoError(t, err)
	require.True(t, created)
	require.NotEqual(t, uuid.Nil, id)

	again, created, err := EnsureOrg(ctx, pool, "demo", "Another Name")
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, id, again)

	var name, teamName, prefix string
	var seq int64
	require.NoError(t, pool.QueryRow(ctx, `
		SELECT o.name, t.name, o.asset_tag_prefix, o.asset_tag_seq
		  FROM organizations o JOIN teams t ON t.id = o.default_owner_team_id AND t.org_id = o.id
		 WHERE o.id = $1`, id).Scan(&name, &teamName, &prefix, &seq))
	require.Equal(t, "Demo Corp", name, "an existing org keeps its name")
	require.Equal(t, "IT", teamName)
	require.Equal(t, "A-", prefix)
	require.Zero(t, seq)
	require.EqualValues(t, 1, count(t, pool, `SELECT count(*) FROM teams WHERE org_id = $1`, id))

	// Run with no assets only ensures the org.
	res, err := Run(ctx, pool, Options{OrgSlug: "demo"})
	require.NoError(t, err)
	require.Equal(t, id, res.OrgID)
	require.False(t, res.OrgCreated)
	require.Equal(t, Counts{}, res.Inserted)
	require.EqualValues(t, 1, count(t, pool, `SELECT count(*) FROM organizations`))

	// A new org through Run, name derived from the slug.
	res, err = Run(ctx, pool, Options{OrgSlug: "acme-labs"})
	require.NoError(t, err)
	require.True(t, res.OrgCreated)
	require.NoError(t, pool.QueryRow(ctx, `SELECT name FROM organizations WHERE id = $1`, res.OrgID).Scan(&name))
	require.Equal(t, "Acme Labs", name)

	// Racing creators agree on one org.
	var wg sync.WaitGroup
	ids := make([]uuid.UUID, 4)
	createdBy := make([]bool, 4)
	errs := make([]error, 4)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i], createdBy[i], errs[i] = EnsureOrg(ctx, pool, "race", "Race")
		}()
	}
	wg.Wait()
	creators := 0
	for i := range ids {
		require.NoError(t, errs[i])
		require.Equal(t, ids[0], ids[i])
		if createdBy[i] {
			creators++
		}
	}
	require.Equal(t, 1, creators)
	require.EqualValues(t, 1, count(t, pool, `SELECT count(*) FROM teams WHERE org_id = $1`, ids[0]))

	_, _, err = EnsureOrg(ctx, pool, "Not A Slug!", "x")
	require.Error(t, err)
	_, err = Run(ctx, pool, Options{OrgSlug: "demo", Assets: -1})
	require.Error(t, err)
}

func TestRun(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)

	res, err := Run(ctx, pool, Options{OrgSlug: "demo", OrgName: "Demo", Assets: 2000, RandSeed: 7})
	require.NoError(t, err)
	t.Logf("2,000 assets: %+v", res)
	org := res.OrgID
	q := func(sql string) int64 { t.Helper(); return count(t, pool, sql, org) }
	require.True(t, res.OrgCreated)
	require.Equal(t, Counts{
		Teams:     11, // IT came with the org
		Locations: res.Inserted.Locations, People: 1000, Manufacturers: int64(len(manufacturerDefs)),
		Categories: 8, Models: int64(len(modelDefs)), Suppliers: int64(len(supplierDefs)),
		Assets: 2000, History: 2000,
		SoftwarePublishers:    q(`SELECT count(*) FROM software_publishers WHERE org_id = $1 AND seeded`),
		SoftwareProducts:      q(`SELECT count(*) FROM software_products WHERE org_id = $1 AND seeded`),
		SoftwareTitleRules:    q(`SELECT count(*) FROM software_title_rules WHERE org_id = $1 AND NOT starter`),
		SoftwareInstallations: res.Inserted.SoftwareInstallations, Licenses: res.Inserted.Licenses,
		LicenseSeats: res.Inserted.LicenseSeats, LicenseHistory: res.Inserted.LicenseHistory,
		// Money: see TestRunMoney.
		DepreciationProfiles: res.Inserted.DepreciationProfiles, ExchangeRates: res.Inserted.ExchangeRates,
		CostEntries: res.Inserted.CostEntries, Contracts: res.Inserted.Contracts,
		ContractCharges: res.Inserted.ContractCharges, ContractAssets: res.Inserted.ContractAssets,
	}, res.Inserted)
	require.InDelta(t, 20000, res.Inserted.SoftwareInstallations, 3000, "ten installations per asset by default")
	require.True(t, res.SoftwareStarter)
	// The catalog covers softwareProducts(2000) products: the long tail and
	// the well-known titles the starter set lacks are created, the others
	// are the starter set's.
	require.Less(t, res.Inserted.SoftwareProducts, int64(softwareProducts(2000)))
	require.Greater(t, res.Inserted.SoftwareProducts, int64(softwareProducts(2000)-len(knownProducts)))
	require.Positive(t, res.Inserted.SoftwareTitleRules)
	require.Positive(t, res.Inserted.Licenses)
	require.Greater(t, res.Inserted.Locations, int64(20))
	require.Equal(t, "A-000001", res.FirstAssetTag)
	require.Equal(t, "A-002000", res.LastAssetTag)
	require.EqualValues(t, 2000, res.AssetTagSeq)
	require.Positive(t, res.Duration)

	require.EqualValues(t, 12, q(`SELECT count(*) FROM teams WHERE org_id = $1`))
	require.EqualValues(t, 1000, q(`SELECT count(*) FROM people WHERE org_id = $1`))
	require.EqualValues(t, 2000, q(`SELECT count(*) FROM assets WHERE org_id = $1`))
	require.EqualValues(t, 2000, q(`SELECT asset_tag_seq FROM organizations WHERE id = $1`))
	require.EqualValues(t, res.Inserted.Locations, q(`SELECT count(*) FROM locations WHERE org_id = $1`))

	// Tags: unique, prefix + six digits, 1..2000.
	require.EqualValues(t, 2000, q(`SELECT count(DISTINCT lower(asset_tag)) FROM assets WHERE org_id = $1`))
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND asset_tag !~ '^A-[0-9]{6}$'`))
	require.EqualValues(t, 2000, q(`SELECT max(substr(asset_tag, 3)::int) FROM assets WHERE org_id = $1`))

	// One CREATE history row per asset, matching its status.
	require.EqualValues(t, 2000, q(`SELECT count(*) FROM asset_history WHERE org_id = $1`))
	require.Zero(t, q(`
		SELECT count(*) FROM assets a
		 WHERE a.org_id = $1 AND NOT EXISTS (
		   SELECT 1 FROM asset_history h
		    WHERE h.org_id = a.org_id AND h.asset_id = a.id AND h.action = 'CREATE'
		      AND h.actor_kind = 'IMPORT' AND h.actor = 'seed' AND h.source = 'seed'
		      AND h.changes = '{}' AND h.from_status IS NULL AND h.to_status = a.status)`))

	// Status spread.
	deployed := q(`SELECT count(*) FROM assets WHERE org_id = $1 AND status = 'DEPLOYED'`)
	require.InDelta(t, 1200, deployed, 120)
	require.InDelta(t, 400, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND status = 'IN_STOCK'`), 80)
	require.EqualValues(t, 8, q(`SELECT count(DISTINCT status) FROM assets WHERE org_id = $1`))

	// Deployed means assigned, to an active person or (racked kit) a room;
	// nothing else is assigned. Person-assigned assets belong to their team.
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND (status = 'DEPLOYED') <> (assigned_person_id IS NOT NULL OR assigned_location_id IS NOT NULL)`))
	require.Zero(t, q(`SELECT count(*) FROM assets a JOIN people p ON p.id = a.assigned_person_id WHERE a.org_id = $1 AND (p.status <> 'ACTIVE' OR a.owner_team_id IS DISTINCT FROM p.team_id)`))
	require.Zero(t, q(`SELECT count(*) FROM assets a JOIN organizations o ON o.id = a.org_id WHERE a.org_id = $1 AND a.assigned_person_id IS NULL AND a.owner_team_id <> o.default_owner_team_id`))
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND (owner_team_id IS NULL OR owner_person_id IS NOT NULL)`))
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND status = 'DISPOSED' AND (disposal_date < purchase_date OR disposal_date > current_date)`))

	// Dates and money.
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND (purchase_date > current_date OR purchase_date < current_date - 1830)`))
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND NOT (warranty_end - purchase_date BETWEEN 365 AND 1097)`))
	require.Zero(t, q(`
		SELECT count(*) FROM assets a JOIN models m ON m.id = a.model_id
		 WHERE a.org_id = $1 AND a.end_of_life <> a.purchase_date + make_interval(months => m.useful_life_months)`))
	require.Zero(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND (purchase_price <= 0 OR scale(purchase_price) > 4 OR purchase_price <> round(purchase_price, 2))`))
	usd := q(`SELECT count(*) FROM assets WHERE org_id = $1 AND purchase_currency = 'USD'`)
	require.Greater(t, usd, int64(1200))
	require.Positive(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND purchase_currency = 'EUR'`))
	require.Positive(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND purchase_currency = 'GBP'`))

	// Serials look like their vendor's and are unique per manufacturer.
	require.Zero(t, q(`
		SELECT count(*) FROM assets a JOIN manufacturers m ON m.id = a.manufacturer_id
		 WHERE a.org_id = $1 AND a.serial_number IS NOT NULL AND NOT CASE m.name
		   WHEN 'Apple' THEN a.serial_number ~ '^[0-9A-Z]{12}$'
		   WHEN 'Dell' THEN a.serial_number ~ '^[0-9A-Z]{7}$'
		   WHEN 'Lenovo' THEN a.serial_number ~ '^PF[0-9A-Z]{6}$'
		   ELSE a.serial_number ~ '^[0-9A-Z]{7,16}$' END`))
	require.Zero(t, q(`SELECT count(*) FROM assets a JOIN models m ON m.id = a.model_id WHERE a.org_id = $1 AND a.manufacturer_id <> m.manufacturer_id`))

	// Custom fields only use keys their category defines.
	require.Zero(t, q(`
		SELECT count(*) FROM assets a
		  JOIN models m ON m.id = a.model_id JOIN categories c ON c.id = m.category_id
		 WHERE a.org_id = $1 AND EXISTS (
		   SELECT 1 FROM jsonb_object_keys(a.custom_fields) k
		    WHERE k NOT IN (SELECT d->>'key' FROM jsonb_array_elements(c.field_definitions) d))`))
	require.Positive(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND custom_fields ? 'ram_gb'`))
	require.EqualValues(t, 8, q(`SELECT count(DISTINCT kind) FROM categories WHERE org_id = $1`))

	// Locations: four sites, paths maintained by the trigger.
	require.EqualValues(t, 4, q(`SELECT count(*) FROM locations WHERE org_id = $1 AND kind = 'SITE' AND country IS NOT NULL AND city IS NOT NULL`))
	require.Zero(t, q(`
		SELECT count(*) FROM locations l LEFT JOIN locations p ON p.id = l.parent_id
		 WHERE l.org_id = $1 AND l.path <> coalesce(p.path, '{}') || l.id`))

	// People: unique lowercase emails, one CEO, everyone else has a manager.
	require.Zero(t, q(`SELECT count(*) FROM people WHERE org_id = $1 AND email !~ '^[a-z0-9-]+\.[a-z0-9-]+[0-9]*@demo\.example\.com$'`))
	require.EqualValues(t, 1000, q(`SELECT count(DISTINCT email) FROM people WHERE org_id = $1`))
	require.EqualValues(t, 1000, q(`SELECT count(DISTINCT employee_number) FROM people WHERE org_id = $1`))
	require.EqualValues(t, 1, q(`SELECT count(*) FROM people WHERE org_id = $1 AND manager_id IS NULL`))
	require.Positive(t, q(`SELECT count(*) FROM people WHERE org_id = $1 AND status = 'OFFBOARDED' AND end_date IS NOT NULL`))
	require.Zero(t, q(`SELECT count(*) FROM people WHERE org_id = $1 AND (status = 'OFFBOARDED') <> (end_date IS NOT NULL)`))

	// Planner statistics were refreshed.
	require.Greater(t, count(t, pool, `SELECT reltuples::bigint FROM pg_class WHERE oid = 'assets'::regclass`), int64(1500))

	// The application took some tags meanwhile; the next run continues
	// after them. The same seed must not produce colliding data.
	_, err = pool.Exec(ctx, `UPDATE organizations SET asset_tag_seq = 2100 WHERE id = $1`, org)
	require.NoError(t, err)
	res2, err := Run(ctx, pool, Options{OrgSlug: "demo", Assets: 500, RandSeed: 7})
	require.NoError(t, err)
	require.False(t, res2.OrgCreated)
	require.Equal(t, org, res2.OrgID)
	require.Equal(t, Counts{People: 250, Assets: 500, History: 500,
		SoftwareInstallations: res2.Inserted.SoftwareInstallations, Licenses: res2.Inserted.Licenses,
		LicenseSeats: res2.Inserted.LicenseSeats, LicenseHistory: res2.Inserted.LicenseHistory,
		CostEntries: res2.Inserted.CostEntries, Contracts: res2.Inserted.Contracts,
		ContractCharges: res2.Inserted.ContractCharges, ContractAssets: res2.Inserted.ContractAssets,
	}, res2.Inserted, "reference data, the software catalog and its title rules, depreciation profiles and rates are reused")
	require.False(t, res2.SoftwareStarter)
	require.Positive(t, res2.Inserted.SoftwareInstallations)
	require.Equal(t, "A-002101", res2.FirstAssetTag)
	require.Equal(t, "A-002600", res2.LastAssetTag)
	require.EqualValues(t, 2600, res2.AssetTagSeq)
	require.EqualValues(t, 2500, q(`SELECT count(DISTINCT lower(asset_tag)) FROM assets WHERE org_id = $1`))
	require.EqualValues(t, 1250, q(`SELECT count(*) FROM people WHERE org_id = $1`))
	require.EqualValues(t, 1, q(`SELECT count(*) FROM people WHERE org_id = $1 AND manager_id IS NULL`), "no second CEO")

	// A tag written past the sequence (an import) is skipped over too, and
	// a run that adds nobody assigns to the people already there.
	_, err = pool.Exec(ctx, `UPDATE assets SET asset_tag = 'a-009000' WHERE org_id = $1 AND asset_tag = 'A-000001'`, org)
	require.NoError(t, err)
	res3, err := Run(ctx, pool, Options{OrgSlug: "demo", Assets: 100, People: -1, RandSeed: 7})
	require.NoError(t, err)
	require.Equal(t, Counts{Assets: 100, History: 100,
		SoftwareInstallations: res3.Inserted.SoftwareInstallations, Licenses: res3.Inserted.Licenses,
		LicenseSeats: res3.Inserted.LicenseSeats, LicenseHistory: res3.Inserted.LicenseHistory,
		CostEntries: res3.Inserted.CostEntries, Contracts: res3.Inserted.Contracts,
		ContractCharges: res3.Inserted.ContractCharges, ContractAssets: res3.Inserted.ContractAssets,
	}, res3.Inserted)
	require.Equal(t, "A-009001", res3.FirstAssetTag)
	require.EqualValues(t, 9100, res3.AssetTagSeq)
	require.EqualValues(t, 2600, q(`SELECT count(*) FROM asset_history WHERE org_id = $1 AND action = 'CREATE'`))
	require.Positive(t, q(`SELECT count(*) FROM assets WHERE org_id = $1 AND asset_tag LIKE 'A-009%' AND assigned_person_id IS NOT NULL`))
}

// TestRunIsReproducible seeds two orgs with the same seed: everything but
// ids and emails' domains comes out the same.
func TestRunIsReproducible(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	pool := newPool(t)
	a, err := Run(ctx, pool, Options{OrgSlug: "one", Assets: 300, RandSeed: 99})
	require.NoError(t, err)
	b, err := Run(ctx, pool, Options{OrgSlug: "two", Assets: 300, RandSeed: 99})
	require.NoError(t, err)
	c, err := Run(ctx, pool, Options{OrgSlug: "three", Assets: 300, RandSeed: 100})
	require.NoError(t, err)

	dump := func(org uuid.UUID) []string {
		rows, err := pool.Query(ctx, `
			SELECT concat_ws('|', a.asset_tag, a.serial_number, a.name, a.status, a.condition, a.purchase_date,
			       a.purchase_price, a.purchase_currency, a.custom_fields::text, p.name, l.name)
			  FROM assets a LEFT JOIN people p ON p.id = a.assigned_person_id LEFT JOIN locations l ON l.id = a.location_id
			 WHERE a.org_id = $1 ORDER BY a.asset_tag`, org)
		require.NoError(t, err)
		var out []string
		for rows.Next() {
			var s string
			require.NoError(t, rows.Scan(&s))
			out = append(out, s)
		}
		require.NoError(t, rows.Err())
		return out
	}
	require.Equal(t, dump(a.OrgID), dump(b.OrgID))
	require.NotEqual(t, dump(a.OrgID), dump(c.OrgID))
}

func TestEmailLocal(t *testing.T) {
	for in, want := range map[string]string{
		"Sean O'Brien":   "sean.obrien",
		"Anna de Vries":  "anna.devries",
		"Min-jun Park":   "min-jun.park",
		"Mary Smith":     "mary.smith",
		"Kwame Mensah 2": "kwame.mensah2",
	} {
		require.Equal(t, want, emailLocal(in), in)
	}
	valid := regexp.MustCompile(`^[0-9]{15}$`)
	r := newTestRand()
	for i := 0; i < 100; i++ {
		imei := genIMEI(r)
		require.Regexp(t, valid, imei)
		require.True(t, luhn(imei), imei)
	}
}

func newTestRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

func luhn(s string) bool {
	sum := 0
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if (len(s)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// TestRunLarge measures a big run. It is skipped unless SEED_BENCH_ASSETS
// is set, e.g.:
//
//	SEED_BENCH_ASSETS=100000 go test ./internal/seed -run TestRunLarge -v
func TestRunLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SEED_BENCH_ASSETS"))
	if n <= 0 {
		t.Skip("set SEED_BENCH_ASSETS to the number of assets to seed")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	pool := newPool(t)
	res, err := Run(ctx, pool, Options{OrgSlug: "big", Assets: n, RandSeed: 1})
	require.NoError(t, err)
	t.Logf("seeded %d assets, %d people and %d software installations in %s (ANALYZE %s): %+v",
		res.Inserted.Assets, res.Inserted.People, res.Inserted.SoftwareInstallations,
		res.Duration.Round(time.Millisecond), res.Analyze.Round(time.Millisecond), res.Inserted)
	require.EqualValues(t, n, res.Inserted.Assets)
	require.EqualValues(t, n, count(t, pool, `SELECT count(*) FROM asset_history WHERE org_id = $1`, res.OrgID))
	require.Greater(t, res.Inserted.SoftwareProducts, int64(softwareProducts(n)-len(knownProducts)))
	require.InDelta(t, 10*n, res.Inserted.SoftwareInstallations, float64(n), "about ten installations per asset")
}
