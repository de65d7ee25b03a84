package importjob

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(commitProcessEnv); spec != "" {
		os.Exit(commitProcess(spec)) // a commit worker the test kills (kill_test.go)
	}
	pgtest.Main(m)
}

// env is a fresh database with two organizations, the import store acting
// for either, and a Runner over it.
type env struct {
	t      *testing.T
	url    string        // the test database, as its owner
	owner  *pgxpool.Pool // bypasses row-level security: checks and sabotage
	db     *postgres.DB
	insert *river.Client[pgx.Tx]
	store  imports.RunStore
	org    uuid.UUID
	admin  context.Context
	other  uuid.UUID
	admin2 context.Context
	runner *Runner
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	org, _, err := seed.EnsureOrg(ctx, owner, "acme", "Acme")
	require.NoError(t, err)
	other, _, err := seed.EnsureOrg(ctx, owner, "globex", "Globex")
	require.NoError(t, err)
	db, err := postgres.Open(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	insert, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{})
	require.NoError(t, err)
	store := postgres.NewImportStore(db, postgres.RiverEnqueuer{Client: insert})
	return &env{t: t, url: url, owner: owner, db: db, insert: insert, store: store, org: org, other: other,
		admin:  itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "admin@acme.test"}),
		admin2: itam.WithPrincipal(ctx, itam.Principal{OrgID: other, Role: itam.RoleAdmin, Subject: "admin@globex.test"}),
		runner: &Runner{Store: store, Orgs: postgres.NewOrganizationStore(db)}}
}

// start runs a working River client with the import workers until the test ends.
func (e *env) start() {
	e.t.Helper()
	c, err := NewClient(e.db.Pool, e.runner)
	require.NoError(e.t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(e.t, c.Start(ctx))
	e.t.Cleanup(func() {
		cancel()
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = c.Stop(stopCtx)
	})
}

// create uploads a file as a new run of actx's organization.
func (e *env) create(actx context.Context, name, content string, m imports.Mapping) *imports.Run {
	e.t.Helper()
	return e.createWith(actx, name, content, m, imports.Options{DateOrder: imports.DMY, DefaultCurrency: "USD"})
}

func (e *env) createWith(actx context.Context, name, content string, m imports.Mapping, opt imports.Options) *imports.Run {
	e.t.Helper()
	r, err := e.store.CreateRun(actx, &imports.Run{Kind: imports.KindAssets, FileName: name, FileSize: int64(len(content)),
		Options: opt, Mapping: m, CreatedBy: "admin"}, strings.NewReader(content))
	require.NoError(e.t, err)
	require.Equal(e.t, imports.StatusPlanning, r.Status)
	return r
}

func (e *env) run(actx context.Context, id uuid.UUID) *imports.Run {
	e.t.Helper()
	r, err := e.store.Run(actx, id)
	require.NoError(e.t, err)
	return r
}

// plan runs the dry run as its job does and requires it READY.
func (e *env) plan(actx context.Context, id uuid.UUID) *imports.Run {
	e.t.Helper()
	p, _ := itam.PrincipalFrom(actx)
	require.NoError(e.t, e.runner.Plan(context.Background(), p.OrgID, id))
	r := e.run(actx, id)
	require.Equal(e.t, imports.StatusReady, r.Status, "%v", r.Error)
	return r
}

// startCommit moves a READY run to COMMITTING (its job is queued, not run).
func (e *env) startCommit(actx context.Context, r *imports.Run, skipInvalid bool) {
	e.t.Helper()
	_, err := e.store.StartCommit(actx, r.ID, skipInvalid, &r.Version)
	require.NoError(e.t, err)
}

// waitStatus polls until the run leaves status (the workers run it).
func (e *env) waitWhile(actx context.Context, id uuid.UUID, status imports.RunStatus) *imports.Run {
	e.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		r := e.run(actx, id)
		if r.Status != status {
			return r
		}
		require.True(e.t, time.Now().Before(deadline), "run still %s", status)
		time.Sleep(20 * time.Millisecond)
	}
}

func (e *env) count(sql string, args ...any) int {
	e.t.Helper()
	var n int
	require.NoError(e.t, e.owner.QueryRow(context.Background(), sql, args...).Scan(&n))
	return n
}

// assets lists an organization's assets as comparable text, by tag.
func (e *env) assets(org uuid.UUID) []string {
	e.t.Helper()
	rows, err := e.owner.Query(context.Background(), `
		SELECT a.asset_tag || '|' || coalesce(a.serial_number, '') || '|' || coalesce(a.name, '') || '|' || a.status::text
		       || '|' || coalesce(m.name, '') || '|' || coalesce(a.purchase_date::text, '') || '|' || coalesce(a.purchase_price::text || ' ' || a.purchase_currency, '')
		FROM assets a LEFT JOIN models m ON m.id = a.model_id WHERE a.org_id = $1 ORDER BY a.asset_tag`, org)
	require.NoError(e.t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(e.t, err)
	return out
}

const header = "Asset Tag,Serial No.,Asset Name,Model,Manufacturer,Category,Status,Purchase Date,Purchase Cost\n"

// inventory is a CSV of n valid new laptops, tags T-0001….
func inventory(n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "T-%04d,SN%06d,Laptop %d,Latitude %d,Dell,Laptop,IN_STOCK,31/12/2024,\"$1,299.00\"\n", i, i, i, 5400+i%3)
	}
	return b.String()
}

// TestPlanAndCommitEndToEnd: the workers, run by River, dry-run a real CSV
// (one bad row among valid ones), writing nothing; the commit with
// skipInvalid applies exactly the valid rows, recorded in history as the
// import.
func TestPlanAndCommitEndToEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.start()
	csv := header +
		"T-1,SN1,Laptop 1,Latitude 5440,Dell,Laptop,IN_STOCK,31/12/2024,\"$1,299.00\"\n" +
		"T-2,SN2,Laptop 2,Latitude 5440,Dell,Laptop,IN_STOCK,31/13/2024,\"$1,299.00\"\n" +
		"T-3,SN3,Laptop 3,ThinkPad X1,Lenovo,Laptop,IN_STOCK,2024-01-05,\"€999,50\"\n"
	r := e.create(e.admin, "inventory.csv", csv, imports.Mapping{})
	r = e.waitWhile(e.admin, r.ID, imports.StatusPlanning)
	require.Equal(t, imports.StatusReady, r.Status, "%v", r.Error)
	require.Equal(t, 3, r.Totals.Rows)
	require.Equal(t, 2, r.Totals.Create)
	require.Equal(t, 1, r.Totals.Error)
	require.Equal(t, 3, r.RowsDone, "progress counts every row read")
	require.Equal(t, strings.Split(strings.TrimSpace(header), ","), r.Headers)
	require.Zero(t, e.count(`SELECT count(*) FROM assets`), "a dry run writes nothing")
	require.Zero(t, e.count(`SELECT count(*) FROM models`), "a dry run creates no reference")

	page, err := e.store.Rows(e.admin, r.ID, imports.RowFilter{Actions: []imports.Action{imports.ActionError}}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	bad := page.Items[0]
	require.Equal(t, 3, bad.Line, "the header is line 1")
	require.NotEmpty(t, bad.Errors)
	require.Equal(t, "Purchase Date", bad.Errors[0].Header)
	require.Equal(t, 7, bad.Errors[0].Column)
	require.Contains(t, bad.Errors[0].Message, "31/13/2024")

	e.startCommit(e.admin, r, true)
	r = e.waitWhile(e.admin, r.ID, imports.StatusCommitting)
	require.Equal(t, imports.StatusCommitted, r.Status, "%v", r.Error)
	require.Equal(t, []string{
		"T-1|SN1|Laptop 1|IN_STOCK|Latitude 5440|2024-12-31|1299.0000 USD",
		"T-3|SN3|Laptop 3|IN_STOCK|ThinkPad X1|2024-01-05|999.5000 EUR",
	}, e.assets(e.org))
	require.Equal(t, 2, e.count(`SELECT count(*) FROM asset_history WHERE actor_kind = 'IMPORT' AND actor = $1`, r.ID.String()),
		"each created asset's history names the import")
	require.Zero(t, e.count(`SELECT count(*) FROM assets WHERE org_id = $1`, e.other))
}

// TestPlanFailsOnTheCallersFile: a file or mapping the caller got wrong
// ends the run FAILED with a plain message and the job done (no retry);
// nothing is planned.
func TestPlanFailsOnTheCallersFile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		name, content string
		mapping       imports.Mapping
		want          string
	}{
		{"empty file", "", imports.Mapping{}, "the file is empty"},
		{"no key column", "Name,Model\nLaptop,Latitude\n", imports.Mapping{}, "assetTag or serialNumber"},
		{"mapping past the last column", "Asset Tag,Name\nT-1,Laptop\n", imports.Mapping{Columns: map[int]string{0: "assetTag", 5: "name"}}, "column 5 does not exist"},
		{"unknown field", "Asset Tag,Name\nT-1,Laptop\n", imports.Mapping{Columns: map[int]string{0: "assetTag", 1: "colour"}}, `"colour" is not a field`},
		{"open quote", "Asset Tag,Name\nT-1,\"Laptop\nT-2,Desk\"top\"x\n" + strings.Repeat("y", 40000) + "\n", imports.Mapping{}, "line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.create(e.admin, "bad.csv", tc.content, tc.mapping)
			require.NoError(t, e.runner.Plan(context.Background(), e.org, r.ID), "the caller's mistake is not retried")
			r = e.run(e.admin, r.ID)
			require.Equal(t, imports.StatusFailed, r.Status)
			require.NotNil(t, r.Error)
			require.Contains(t, *r.Error, tc.want)
			rows, err := e.store.Rows(e.admin, r.ID, imports.RowFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Empty(t, rows.Items)
		})
	}
}

// TestPlanOnlyWhilePlanning: a duplicate dry-run job of a planned run
// changes nothing, and another organization's job cannot reach a run.
func TestPlanOnlyWhilePlanning(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.create(e.admin, "inventory.csv", inventory(3), imports.Mapping{})
	ready := e.plan(e.admin, r.ID)
	require.NoError(t, e.runner.Plan(context.Background(), e.org, r.ID))
	again := e.run(e.admin, r.ID)
	require.Equal(t, ready.Version, again.Version, "a planned run is left alone")
	require.Equal(t, ready.Totals, again.Totals)

	// A job naming another organization acts as that one: the run is not there.
	r2 := e.create(e.admin, "inventory.csv", inventory(3), imports.Mapping{})
	require.NoError(t, e.runner.Plan(context.Background(), e.other, r2.ID))
	require.Equal(t, imports.StatusPlanning, e.run(e.admin, r2.ID).Status)
}

// TestPlanInChunks: a file of several chunks plans every row once, in line
// order, with progress and duplicates across chunk boundaries.
func TestPlanInChunks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.runner.PlanChunkRows = 4
	csv := inventory(10) + "T-0002,SN999999,Copy,Latitude 5400,Dell,Laptop,IN_STOCK,,\n"
	r := e.create(e.admin, "inventory.csv", csv, imports.Mapping{})
	r = e.plan(e.admin, r.ID)
	require.Equal(t, 11, r.Totals.Rows)
	require.Equal(t, 10, r.Totals.Create)
	require.Equal(t, 1, r.Totals.Duplicates, "the same tag in another chunk is a duplicate")
	page, err := e.store.Rows(e.admin, r.ID, imports.RowFilter{}, itam.PageArgs{First: ptr(100)})
	require.NoError(t, err)
	require.Len(t, page.Items, 11)
	for i, row := range page.Items {
		require.Equal(t, i+2, row.Line)
	}
	require.Equal(t, 3, page.Items[10].DuplicateOf, "T-0002 was first on line 3")
}

// TestPlanReadsAmountsInTheOrgsCurrency: a caller who names no currency
// gets amounts without one read in the organization's default currency.
func TestPlanReadsAmountsInTheOrgsCurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, err := e.owner.Exec(context.Background(), `UPDATE organizations SET default_currency = 'CHF' WHERE id = $1`, e.org)
	require.NoError(t, err)
	csv := header + "T-1,SN1,Laptop 1,Latitude 5440,Dell,Laptop,IN_STOCK,31/12/2024,\"1'299.00\"\n"
	r := e.createWith(e.admin, "inventory.csv", csv, imports.Mapping{}, imports.Options{})
	r = e.plan(e.admin, r.ID)
	require.Equal(t, 1, r.Totals.Create)
	page, err := e.store.Rows(e.admin, r.ID, imports.RowFilter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, "CHF", page.Items[0].Values["purchaseCurrency"])
	require.Equal(t, "1299.00", page.Items[0].Values["purchasePrice"])
}

func ptr[T any](v T) *T { return &v }

// TestAttemptTimeouts: a dry-run attempt ends before River's rescue delay
// (a second one would reset the plan under it); a commit attempt may run
// longer, since a second one waits on the run's row lock: a one-transaction
// commit on a slow database must not be cut at the dry run's bound and
// retried forever.
func TestAttemptTimeouts(t *testing.T) {
	t.Parallel()
	r := &Runner{}
	require.Equal(t, DefaultTimeout, (&PlanWorker{r: r}).Timeout(nil))
	require.Equal(t, DefaultCommitTimeout, (&CommitWorker{r: r}).Timeout(nil))
	require.Greater(t, DefaultCommitTimeout, 4*DefaultTimeout)
	r.Timeout, r.CommitTimeout = time.Minute, time.Hour
	require.Equal(t, time.Minute, (&PlanWorker{r: r}).Timeout(nil))
	require.Equal(t, time.Hour, (&CommitWorker{r: r}).Timeout(nil))
}
