// Package seed fills an organization with a realistic inventory: teams, a
// location tree, people with a management chain, a vendor catalog and as many
// assets as asked for, each with its CREATE history entry. Bulk tables are
// loaded with COPY in a single transaction, so 100,000 assets take seconds.
//
// With the assets comes their software, on the organization's own catalog:
// the starter set every organization gets (installed by the first run when
// the server has not done it yet), plus a generated long tail of
// publishers and products with one EXACT title rule per title (and an
// IDENTIFIER rule per bundle or package id) appended after the existing
// rules. Well-known business titles resolve through the starter rules;
// the few the starter set lacks get products and rules like the tail.
// Installations on the laptops and desktops are written as an MDM sync
// would write them (macOS bundles, Windows Add/Remove Programs names, Linux
// packages; a few unmatched, a few ended), resolved by the organization's
// rules, so a re-normalization changes nothing. Licenses of every model go
// to the products the titles resolve to, with seats sized so the
// compliance position is a realistic mix. The money follows (money.go):
// depreciation profiles (the organization's default and some on
// categories), monthly EUR and GBP rates to USD over five years, about
// four ledger entries per added asset over its life, and contracts of 20
// to 200 assets each with recurring charges, so every asset is on one to
// three. Installations dominate a big
// run: PostgreSQL spends some 50 µs a row on their indexes and foreign keys
// (Result.Software says how long the software part took).
//
// Generated rows are marked (the seeded column), and a run refuses an
// organization holding records it did not generate unless Options.Force.
//
// Runs are reproducible: the same RandSeed against the same starting state
// generates the same names, tags, serials, dates and prices (row ids are
// fresh UUIDs every time). Running again against an organization that
// already has generated data (or any data, with Force) adds to it: reference rows (teams, locations, vendors,
// models, suppliers) are matched by name and reused, people get emails and
// employee numbers that do not collide, and asset tags continue after the
// highest one in use. Software publishers and products are reference rows
// too (matched by name, so a rerun with the same seed reuses the whole
// catalog), and title rules are only added for titles the rules do not
// resolve yet, so a rerun adds none; installations, licenses and seats are
// generated for the run's new assets only.
package seed

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options says what to generate.
type Options struct {
	OrgSlug string // required; the organization is created if it does not exist
	OrgName string // used only when creating; defaults to a name derived from the slug
	// Assets is how many assets to add. Zero only ensures the organization.
	Assets int
	// People is how many people to add. Zero means max(20, Assets/2); a
	// negative value adds nobody and assigns assets to existing people.
	People int
	// SoftwareProducts is how many software products the generated titles
	// cover (the 64 well-known titles first, then a generated long tail);
	// the well-known ones the starter set has are its products, not new
	// ones. Zero means one per 20 assets, at least 64 + 40 (104); a
	// negative value generates no software at all (no starter set, catalog,
	// rules, installations or licenses).
	SoftwareProducts int
	// InstallsPerAsset is how many software installations to generate per
	// added asset, spread over its laptops and desktops. Zero means 10; a
	// negative value generates no software at all.
	InstallsPerAsset float64
	// NoMoney skips the money data (depreciation profiles, exchange rates,
	// ledger entries and contracts; see money.go). Purchase prices, and so
	// PURCHASE entries, come with the assets regardless.
	NoMoney bool
	// RandSeed seeds the generator; equal seeds give equal data.
	RandSeed int64
	// Force adds generated data even to an organization that holds records
	// this package did not generate (see refuseRealRecords); without it such
	// a run fails with CONFLICT and writes nothing.
	Force bool
}

// Counts is how many rows a run inserted into each table. Reference rows
// that already existed (matched by name) are not counted.
type Counts struct {
	Teams         int64
	Locations     int64
	People        int64
	Manufacturers int64
	Categories    int64
	Models        int64
	Suppliers     int64
	Assets        int64
	History       int64

	// SoftwarePublishers and SoftwareProducts are the seeded rows the run
	// created: the long tail and the well-known products the organization's
	// rules do not resolve. The starter set (installed by the first run that
	// generates software, see Result.SoftwareStarter) is not counted.
	SoftwarePublishers int64
	SoftwareProducts   int64
	// SoftwareTitleRules is how many title rules the run appended (EXACT and
	// IDENTIFIER rules for generated titles the rules did not resolve yet);
	// the starter set's rules are not counted.
	SoftwareTitleRules    int64
	SoftwareInstallations int64
	Licenses              int64
	LicenseSeats          int64
	LicenseHistory        int64

	// Money (money.go): DepreciationProfiles and ExchangeRates are the
	// reference rows the run created; CostEntries the ledger entries it
	// copied (the PURCHASE entries the assets' trigger books are not
	// counted); Contracts with their ContractCharges and ContractAssets
	// (covered assets).
	DepreciationProfiles int64
	ExchangeRates        int64
	CostEntries          int64
	Contracts            int64
	ContractCharges      int64
	ContractAssets       int64
}

// Result reports what a run did.
type Result struct {
	OrgID      uuid.UUID
	OrgCreated bool
	Inserted   Counts
	// FirstAssetTag and LastAssetTag bound the tags this run assigned
	// (empty when no assets were added).
	FirstAssetTag, LastAssetTag string
	// AssetTagSeq is the organization's asset_tag_seq after the run.
	AssetTagSeq int64
	// SoftwareStarter says the run installed the software starter set
	// (publishers, products and title rules every organization gets; the
	// server installs it at start into organizations that lack it).
	SoftwareStarter bool
	// Duration is the wall time of the whole run; Analyze is the part of it
	// spent refreshing planner statistics after the commit, Software the
	// part spent generating software (catalog, installations, licenses),
	// Money the part spent on profiles, rates, ledger entries and contracts.
	Duration, Analyze, Software, Money time.Duration
}

// analyzeTargets lists the tables a run may write and how many rows it
// wrote to each; those that got rows are ANALYZEd afterwards.
func analyzeTargets(c Counts) []string {
	var out []string
	for _, t := range []struct {
		table string
		n     int64
	}{
		{"teams", c.Teams}, {"locations", c.Locations}, {"people", c.People},
		{"manufacturers", c.Manufacturers}, {"categories", c.Categories}, {"models", c.Models},
		{"suppliers", c.Suppliers}, {"assets", c.Assets}, {"asset_history", c.History},
		// asset_counts: the assets' trigger fills it (assetCounts reads it).
		{"asset_counts", c.Assets},
		{"software_publishers", c.SoftwarePublishers}, {"software_products", c.SoftwareProducts},
		{"software_title_rules", c.SoftwareTitleRules},
		{"software_installations", c.SoftwareInstallations}, {"licenses", c.Licenses},
		{"license_seats", c.LicenseSeats}, {"license_history", c.LicenseHistory},
		// cost_entries also holds the assets' PURCHASE entries.
		{"depreciation_profiles", c.DepreciationProfiles}, {"exchange_rates", c.ExchangeRates},
		{"cost_entries", c.CostEntries + c.Assets}, {"contracts", c.Contracts},
		{"contract_charges", c.ContractCharges}, {"contract_assets", c.ContractAssets},
	} {
		if t.n > 0 {
			out = append(out, t.table)
		}
	}
	return out
}

// Run ensures the organization opt.OrgSlug exists and, when opt.Assets > 0,
// adds a generated inventory to it in one transaction, then ANALYZEs the
// touched tables. Adding to an organization that holds records not
// generated here fails with an *itam.Error of code CONFLICT unless
// opt.Force. pool must connect as a role that may write every tenant
// table (the migrations' owner role).
func Run(ctx context.Context, pool *pgxpool.Pool, opt Options) (Result, error) {
	start := time.Now()
	var res Result
	if opt.Assets < 0 {
		return res, errors.New("seed: Assets must not be negative")
	}
	orgID, created, err := EnsureOrg(ctx, pool, opt.OrgSlug, opt.OrgName)
	if err != nil {
		return res, err
	}
	res.OrgID, res.OrgCreated = orgID, created
	if opt.Assets == 0 {
		err := pool.QueryRow(ctx, `SELECT asset_tag_seq FROM organizations WHERE id = $1`, orgID).Scan(&res.AssetTagSeq)
		res.Duration = time.Since(start)
		return res, err
	}
	people := opt.People
	if people == 0 {
		people = max(20, opt.Assets/2)
	}
	if people < 0 {
		people = 0
	}

	tx, err := pool.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return res, fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))

	g := &generator{tx: tx, orgID: orgID, slug: opt.OrgSlug, seed: opt.RandSeed, force: opt.Force,
		swProducts: opt.SoftwareProducts, installsPerAsset: opt.InstallsPerAsset, noMoney: opt.NoMoney}
	if err := g.run(ctx, opt.Assets, people, &res); err != nil {
		return res, err
	}
	if err := tx.Commit(ctx); err != nil {
		return res, fmt.Errorf("seed: commit: %w", err)
	}
	res.SoftwareStarter = g.starterInstalled

	// Fresh statistics, so the planner does not treat the new rows as absent
	// until autovacuum gets around to it.
	aStart := time.Now()
	if tables := analyzeTargets(res.Inserted); len(tables) > 0 {
		if _, err := pool.Exec(ctx, "ANALYZE "+strings.Join(tables, ", ")); err != nil {
			return res, fmt.Errorf("seed: analyze: %w", err)
		}
	}
	res.Analyze = time.Since(aStart)
	res.Duration = time.Since(start)
	return res, nil
}

// EnsureOrg returns the id of the organization with this slug, creating it
// (with a default owner team named "IT") when it does not exist. created
// says whether this call created it. Concurrent calls are safe: the loser
// of a race finds the winner's row.
func EnsureOrg(ctx context.Context, pool *pgxpool.Pool, slug, name string) (orgID uuid.UUID, created bool, err error) {
	if slug == "" {
		return uuid.Nil, false, errors.New("seed: organization slug is required")
	}
	if strings.TrimSpace(name) == "" {
		name = nameFromSlug(slug)
	}
	for attempt := 0; attempt < 3; attempt++ {
		// Fast path: it already exists. The lookup goes through the
		// SECURITY DEFINER function made for finding an org before its
		// tenant is known, so it works whatever row security applies.
		var existing pgtype.UUID
		if err := pool.QueryRow(ctx, `SELECT itam.org_id_by_slug($1)`, slug).Scan(&existing); err != nil {
			return uuid.Nil, false, fmt.Errorf("seed: look up organization: %w", err)
		}
		if existing.Valid {
			return existing.Bytes, false, nil
		}

		orgID, teamID := newID(), newID()
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT set_config('itam.org_id', $1, true)`, orgID.String()); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `
				INSERT INTO organizations (id, slug, name, default_owner_team_id)
				VALUES ($1, $2, $3, $4)
				ON CONFLICT (slug) DO NOTHING`, orgID, slug, name, teamID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return errLostRace
			}
			_, err = tx.Exec(ctx, `
				INSERT INTO teams (id, org_id, name, description, seeded) VALUES ($1, $2, 'IT', $3, true)`,
				teamID, orgID, teamDefs[0].description)
			return err
		})
		if errors.Is(err, errLostRace) {
			continue // someone else created it; read it back
		}
		if err != nil {
			return uuid.Nil, false, fmt.Errorf("seed: create organization: %w", err)
		}
		return orgID, true, nil
	}
	return uuid.Nil, false, fmt.Errorf("seed: organization %q neither found nor created", slug)
}

var errLostRace = errors.New("organization created concurrently")

func nameFromSlug(slug string) string {
	parts := strings.FieldsFunc(slug, func(r rune) bool { return r == '-' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	if len(parts) == 0 {
		return slug
	}
	return strings.Join(parts, " ")
}

// newID returns a time-ordered UUID so bulk-loaded rows land at the right
// edge of the primary-key index instead of all over it.
func newID() uuid.UUID {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.New()
	}
	return id
}

// generator holds the state of one run inside its transaction.
type generator struct {
	tx    pgx.Tx
	orgID uuid.UUID
	slug  string
	seed  int64
	force bool
	today time.Time // the database's current_date: purchase dates end here
	rng   *rand.Rand

	prefix   string
	startSeq int64
	itTeam   uuid.UUID
	teams    map[string]uuid.UUID // by team name

	sites     []*site
	siteByLoc map[uuid.UUID]*site // any location id → the seeded site it is under

	manufacturers map[string]uuid.UUID // by lower(name)
	categories    map[string]*category // by kind
	models        []*model
	suppliers     map[string]uuid.UUID // by name
	invoicePrefix map[uuid.UUID]string // by supplier id

	active []*person // people deployed assets may go to

	added            []historyRow // the assets this run added, in order
	swProducts       int          // Options.SoftwareProducts
	starterInstalled bool         // this run installed the software starter set
	installsPerAsset float64      // Options.InstallsPerAsset
	noMoney          bool         // Options.NoMoney
}

func (g *generator) run(ctx context.Context, assets, people int, res *Result) error {
	tx := g.tx
	if _, err := tx.Exec(ctx, `SELECT set_config('itam.org_id', $1, true)`, g.orgID.String()); err != nil {
		return fmt.Errorf("seed: set tenant: %w", err)
	}
	// Lock the organization row: the application bumps asset_tag_seq with an
	// UPDATE, so tag generation elsewhere waits for this run to finish.
	var seq int64
	if err := tx.QueryRow(ctx, `
		SELECT asset_tag_prefix, asset_tag_seq, current_date
		  FROM organizations WHERE id = $1 FOR UPDATE`, g.orgID).Scan(&g.prefix, &seq, &g.today); err != nil {
		return fmt.Errorf("seed: lock organization: %w", err)
	}
	if !g.force {
		if err := g.refuseRealRecords(ctx); err != nil {
			return err
		}
	}
	// Continue after the sequence and after any numeric tag already in use
	// with this prefix (imports may have written tags without the sequence).
	var maxTag int64
	if err := tx.QueryRow(ctx, `
		SELECT coalesce(max(substr(asset_tag, length($2) + 1)::bigint), 0)
		  FROM assets
		 WHERE org_id = $1
		   AND lower(left(asset_tag, length($2))) = lower($2)
		   AND substr(asset_tag, length($2) + 1) ~ '^[0-9]{1,18}$'`, g.orgID, g.prefix).Scan(&maxTag); err != nil {
		return fmt.Errorf("seed: highest asset tag: %w", err)
	}
	g.startSeq = max(seq, maxTag)
	// The stream depends on the seed and on where the tags start, so a
	// second run on the same org with the same seed still makes new data.
	g.rng = rand.New(rand.NewPCG(uint64(g.seed), uint64(g.startSeq)^0x9e3779b97f4a7c15))

	steps := []struct {
		name string
		fn   func(context.Context, *Counts) error
	}{
		{"teams", g.ensureTeams},
		{"locations", g.ensureLocations},
		{"catalog", g.ensureCatalog},
		{"people", func(ctx context.Context, c *Counts) error { return g.insertPeople(ctx, people, c) }},
		{"assets", func(ctx context.Context, c *Counts) error { return g.insertAssets(ctx, assets, c, res) }},
		{"software", func(ctx context.Context, c *Counts) error {
			start := time.Now()
			defer func() { res.Software = time.Since(start) }()
			return g.insertSoftware(ctx, assets, c)
		}},
		{"money", func(ctx context.Context, c *Counts) error {
			if g.noMoney {
				return nil
			}
			start := time.Now()
			defer func() { res.Money = time.Since(start) }()
			return g.insertMoney(ctx, c)
		}},
	}
	for _, s := range steps {
		if err := s.fn(ctx, &res.Inserted); err != nil {
			return fmt.Errorf("seed: %s: %w", s.name, err)
		}
	}

	if err := tx.QueryRow(ctx, `
		UPDATE organizations
		   SET asset_tag_seq = greatest(asset_tag_seq, $2),
		       default_owner_team_id = coalesce(default_owner_team_id, $3),
		       updated_at = now()
		 WHERE id = $1
		RETURNING asset_tag_seq`, g.orgID, g.startSeq+res.Inserted.Assets, g.itTeam).Scan(&res.AssetTagSeq); err != nil {
		return fmt.Errorf("seed: advance asset_tag_seq: %w", err)
	}
	return nil
}

func (g *generator) ensureTeams(ctx context.Context, c *Counts) error {
	names := make([]string, len(teamDefs))
	descs := make([]string, len(teamDefs))
	for i, t := range teamDefs {
		names[i], descs[i] = t.name, t.description
	}
	tag, err := g.tx.Exec(ctx, `
		INSERT INTO teams (org_id, name, description, seeded)
		SELECT $1, t.name, t.description, true
		  FROM unnest($2::text[], $3::text[]) AS t(name, description)
		ON CONFLICT (org_id, name) DO NOTHING`, g.orgID, names, descs)
	if err != nil {
		return err
	}
	c.Teams += tag.RowsAffected()
	rows, _ := g.tx.Query(ctx, `SELECT name, id FROM teams WHERE org_id = $1`, g.orgID)
	g.teams = map[string]uuid.UUID{}
	var name string
	var id uuid.UUID
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error {
		g.teams[name] = id
		return nil
	}); err != nil {
		return err
	}
	g.itTeam = g.teams["IT"]
	return nil
}
