// Command bench measures the itam server beside the floors of what it
// does and, with -peers, beside PostGraphile on the same database (issue 14).
// Every workload has up to four sides:
//
//   - sql: the minimal hand-written SQL for the same data (one statement
//     per request, prepared by pgx), run as itam_app under row-level
//     security with the organization set per request like the server's,
//     decoding the rows and writing the response's JSON shape with
//     encoding/json (into a checksum): what any server must at least do;
//   - stores: the same store calls the server makes, in process, with no
//     HTTP and no GraphQL (internal/postgres as itam_app under RLS);
//   - itam: the server, built from the module and run as `itam serve`;
//   - peer (-peers): PostGraphile 5.1.5 with the amber preset, installed
//     with npm into a temporary folder (with Node 22 from npm's "node"
//     package when the system's is older) and run as the database owner,
//     for the workloads it can express (1 and the nested ones). Without
//     npm or the registry it is skipped with a message.
//
// It creates a fresh database (on a throwaway cluster unless -database-url
// names a server), migrates it, seeds an organization "bench" with -assets
// assets and VACUUMs it, then drives these read workloads from -clients
// concurrent clients:
//
//  1. a page of 100 assets with every nested relation (random cursor);
//  2. a filtered text search for a fragment of a real tag, serial or name;
//  3. one asset by tag (or, -history-by-id, by node id) with its history;
//  4. assetCounts grouped by category;
//  5. licenseCompliance, every product's license position (compliance.go);
//  6. licenseCompliance for one random product;
//  7. costRollup by category over a year (cost_reports.go);
//  8. spendByPeriod by month over five years;
//  9. refreshForecast over 8 quarters (refresh_forecast.go);
//  10. nested-locations: locations(first: 100), each one's asset totalCount;
//  11. nested-people: people(first: 100), their assets(first: 5) and models.
//
// Then, single client for -group-duration per side and variant, sorted (a
// page of 100 by every AssetOrderField, ASC and DESC, with and without a
// status filter) and deep (page 51 of a cursor walk) (sorted.go).
//
// Each side warms up for -warmup, then is measured for -duration in -rounds
// slices alternating with the other sides', so load other programs put on
// the machine falls on all alike (the report shows how much there was).
// Before measuring, one request of each workload goes to every side and
// their data is compared with the server's. Every response must be HTTP 200
// without GraphQL errors; any failure makes the run exit non-zero.
//
// Per workload it prints one table: per side throughput, latency
// percentiles, database round trips per request, CPU per request of the
// serving process (this one for the floors), of the HTTP client (request
// bodies are encoded once and reused; answers are only checked for errors)
// and of PostgreSQL, the serving process's peak RSS while measured, and
// itam's throughput relative to each side; then issue 14's targets as PASS
// or MISS lines.
//
//	go run ./cmd/itam-bench [-assets 100000] [-clients 8] [-duration 10s] [-warmup 2s] [-peers]
//	                        [-database-url postgres://…] [-out results.json] [-only list,nested-people]
//	go run ./cmd/itam-bench -server inprocess -cpuprofile /tmp/cpu.pprof -only list
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/devdb"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/httplog"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
)

type options struct {
	assets      int
	clients     int
	duration    time.Duration
	warmup      time.Duration
	databaseURL string
	out         string
	only        string
	server      string
	serverBin   string
	cpuprofile  string
	keep        bool
	seed        uint64
	poolMax     int
	historyByID bool
	// liveComplianceFloor: the compliance floor computes every position
	// live instead of reading the maintained counts the server reads.
	liveComplianceFloor bool
	rounds              int
	serverEnv           benchkit.KeyValues
	// peers: also measure PostGraphile (peer.go); groupDuration: the
	// measured time per side of each sorted and deep variant.
	peers         bool
	groupDuration time.Duration
	explainSQL    bool
	peerDir       string
}

func main() {
	var o options
	flag.IntVar(&o.assets, "assets", 100000, "assets to seed into the organization \"bench\"")
	flag.IntVar(&o.clients, "clients", 8, "concurrent clients (goroutines) per workload")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per workload and side")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "unmeasured time before each measurement")
	flag.StringVar(&o.databaseURL, "database-url", "", "superuser URL of a PostgreSQL server to create the bench database on (default: a throwaway cluster)")
	flag.StringVar(&o.out, "out", "", "also write the results as JSON to this file")
	flag.StringVar(&o.only, "only", "", "comma-separated workloads to run: list, search, history, counts, compliance, compliance-one, cost-rollup, spend-by-period, refresh-forecast, nested-locations, nested-people, sorted, deep, and the diagnostic flat (default: "+strings.Join(defaultWorkloads, ",")+")")
	flag.BoolVar(&o.liveComplianceFloor, "compliance-live-floor", false, "the compliance workload's floor recomputes every position live (LivePositions) instead of reading the maintained counts like the server")
	flag.BoolVar(&o.historyByID, "history-by-id", false, "workload 3 looks the asset up with node(id:) instead of assetByTag")
	flag.Var(&o.serverEnv, "server-env", "extra KEY=VALUE for the server process, e.g. GOGC=400 (repeatable; -server=subprocess)")
	flag.StringVar(&o.server, "server", "subprocess", "subprocess: build and run the real binary; inprocess: rebuild its handler in this process (for -cpuprofile)")
	flag.StringVar(&o.serverBin, "server-bin", "", "with -server=subprocess, run this binary instead of building one")
	flag.StringVar(&o.cpuprofile, "cpuprofile", "", "write CPU profiles of this process during the server's measured slices, one file per workload and slice (use with -server=inprocess)")
	flag.BoolVar(&o.keep, "keep", false, "keep the bench database (with -database-url)")
	flag.Uint64Var(&o.seed, "seed", 1, "random seed for the data and the requests")
	flag.IntVar(&o.rounds, "rounds", 2, "split each side's -duration into this many slices, alternating server and floor")
	flag.BoolVar(&o.peers, "peers", false, "also install (npm) and measure PostGraphile 5.1.5 on the same database; skipped with a message when npm or the registry is unreachable")
	flag.DurationVar(&o.groupDuration, "group-duration", 2*time.Second, "measured time per side of each sorted and deep variant (single client)")
	flag.StringVar(&o.peerDir, "peer-dir", "", "with -peers, install PostGraphile into (or reuse it from) this folder instead of a temporary one")
	flag.BoolVar(&o.explainSQL, "explain-sql", false, "print EXPLAIN (ANALYZE, BUFFERS) of every SQL floor statement once, before measuring")
	flag.IntVar(&o.poolMax, "pool-max-conns", 0, "set pool_max_conns in DATABASE_URL, for the server and the floor alike (default: pgxpool's, max(4, CPUs))")
	flag.Parse()

	benchkit.Main("bench", func(ctx context.Context, stdout, stderr io.Writer) error { return run(ctx, o, stdout, stderr) })
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	if o.clients < 1 || o.assets < 1 || o.duration <= 0 || o.rounds < 1 || o.groupDuration <= 0 {
		return errors.New("-clients, -assets, -duration, -group-duration and -rounds must be positive")
	}
	if len(o.serverEnv) > 0 && o.server != "subprocess" {
		return errors.New("-server-env needs -server=subprocess")
	}
	wls := workloads(o.historyByID)
	keep := defaultWorkloads
	if o.only != "" {
		keep = strings.Split(o.only, ",")
	}
	wls = slices.DeleteFunc(wls, func(w workload) bool { return !slices.Contains(keep, w.key) })
	if len(wls) == 0 {
		return fmt.Errorf("-only %q names no workload (list, search, history, counts, compliance, compliance-one, cost-rollup, spend-by-period, refresh-forecast, nested-locations, nested-people, sorted, deep, flat)", o.only)
	}
	log := slog.New(httplog.Handler{Handler: slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})})
	progress := func(format string, args ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", args...) }
	res := Results{Started: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Server: o.server,
		Assets: o.assets, Clients: o.clients, Duration: o.duration.String(), Warmup: o.warmup.String(), Rounds: o.rounds, GroupDuration: o.groupDuration.String()}

	// 1. A fresh database, migrated and seeded.
	admin := o.databaseURL
	if admin == "" {
		t0 := time.Now()
		cluster, err := devdb.StartTemp(ctx, log)
		if err != nil {
			return err
		}
		defer func() { err = errors.Join(err, cluster.Stop(context.WithoutCancel(ctx))) }()
		admin = cluster.AdminURL()
		progress("started a throwaway PostgreSQL in %s", time.Since(t0).Round(time.Millisecond))
	}
	db, err := benchkit.CreateMigrated(ctx, admin, "itam_bench", o.keep, log)
	if err != nil {
		return err
	}
	if o.databaseURL != "" {
		defer func() { err = errors.Join(err, db.Cleanup(context.WithoutCancel(ctx))) }()
	}
	ownerPool, err := pgxpool.New(ctx, db.URL)
	if err != nil {
		return err
	}
	defer ownerPool.Close()
	seeded, err := seed.Run(ctx, ownerPool, seed.Options{OrgSlug: "bench", OrgName: "Bench", Assets: o.assets, RandSeed: int64(o.seed)})
	if err != nil {
		return err
	}
	res.SeedSeconds, res.Seeded = seeded.Duration.Seconds(), seeded.Inserted
	progress("seeded %d assets, %d people, %d history entries into org \"bench\" in %s (analyze %s)",
		seeded.Inserted.Assets, seeded.Inserted.People, seeded.Inserted.History,
		seeded.Duration.Round(time.Millisecond), seeded.Analyze.Round(time.Millisecond))
	// Steady state: without this, autovacuum processes the freshly loaded
	// tables in the middle of a measurement, and index-only scans visit
	// the heap until it has.
	t0 := time.Now()
	if _, err := ownerPool.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	res.VacuumSeconds = time.Since(t0).Seconds()
	progress("vacuumed in %s", time.Since(t0).Round(time.Millisecond))

	// The cluster's postmaster, whose processes' CPU time is PostgreSQL's.
	var backend int
	if err := ownerPool.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&backend); err != nil {
		return err
	}
	postmaster, _, _ := procStat(backend) // 0 when the server is on another machine

	// 2. The server's configuration, exactly as its environment gives it.
	var sb, kb [32]byte
	_, _ = rand.Read(sb[:])
	_, _ = rand.Read(kb[:])
	serverURL := db.URL
	if o.poolMax > 0 {
		u, err := url.Parse(db.URL)
		if err != nil {
			return err
		}
		q := u.Query()
		q.Set("pool_max_conns", fmt.Sprint(o.poolMax))
		u.RawQuery = q.Encode()
		serverURL = u.String()
	}
	env := map[string]string{
		"DATABASE_URL":      serverURL,
		"ITAM_ADDR":         "127.0.0.1:0",
		"ITAM_JWT_SECRET":   hex.EncodeToString(sb[:]),
		"ITAM_SECRET_KEY":   hex.EncodeToString(kb[:]), // connector credentials; unused here
		"ITAM_AUTO_MIGRATE": "false",
		"ITAM_LOG_LEVEL":    "warn",
	}
	tmp, err := os.MkdirTemp("", "itam-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	env["ITAM_DATA_DIR"] = tmp // never touch the checkout's .data
	if o.server == "subprocess" {
		if env["ITAM_ADDR"], err = freeAddr(); err != nil {
			return err
		}
	}
	for _, kv := range o.serverEnv {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	res.ServerEnv = o.serverEnv
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		return err
	}
	tok, err := auth.IssueHS256(cfg.JWTSecret, auth.Claims{Subject: "bench.manager@bench.example.com", Org: "bench", Role: itam.RoleManager},
		time.Hour, auth.IssueOptions{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience})
	if err != nil {
		return err
	}

	// The floor's side: the stores over a pool opened the way the server
	// opens its own (SET ROLE itam_app, same pool settings), with the
	// principal the token stands for.
	var floorOpts []postgres.Option
	if o.liveComplianceFloor {
		// The live whole report can outlast the request timeout on a busy
		// machine; the floor is a reference, not a request.
		floorOpts = append(floorOpts, postgres.StatementTimeout(0))
	}
	floorDB, err := postgres.Open(ctx, cfg.DatabaseURL, log, floorOpts...)
	if err != nil {
		return err
	}
	defer floorDB.Close()
	var floorQueries atomic.Int64
	floorDB.Queries = func() { floorQueries.Add(1) }
	res.PoolMax = floorDB.Pool.Config().MaxConns
	st := stores{assets: postgres.NewAssetStore(floorDB), models: postgres.NewModelStore(floorDB), relations: postgres.NewRelationStore(floorDB),
		people: postgres.NewPersonStore(floorDB), locations: postgres.NewLocationStore(floorDB),
		compliance: postgres.NewLicenseComplianceStore(floorDB), catalog: postgres.NewSoftwareCatalogStore(floorDB),
		liveCompliance: o.liveComplianceFloor,
		forecast:       postgres.NewCostReportStore(floorDB)}
	st.costReports = st.forecast
	pctx := itam.WithPrincipal(ctx, itam.Principal{Subject: "bench.manager@bench.example.com", OrgID: seeded.OrgID, Role: itam.RoleManager})
	smp, err := loadSamples(ctx, ownerPool, seeded.OrgID, st.assets, pctx)
	if err != nil {
		return err
	}
	if err := loadProductSamples(ctx, ownerPool, seeded.OrgID, &smp); err != nil {
		return err
	}
	if slices.ContainsFunc(wls, func(w workload) bool { return w.key == "compliance" }) {
		// The first whole report after the seed recounts every product
		// (the maintained counts start empty): what the first report after
		// a bulk change costs.
		t0 := time.Now()
		if _, err := st.compliance.Positions(pctx, licenses.ComplianceFilter{}); err != nil {
			return fmt.Errorf("cold compliance report: %w", err)
		}
		progress("cold compliance report (refreshes every product's counts) in %s", time.Since(t0).Round(time.Millisecond))
	}

	// 3. The server.
	var (
		base      string
		serverCPU func() time.Duration
		clientCPU func() time.Duration
		serverPID int
	)
	switch o.server {
	case "subprocess":
		bin := o.serverBin
		if bin == "" {
			t0 := time.Now()
			if bin, err = buildServer(ctx, tmp); err != nil {
				return err
			}
			progress("built the server in %s", time.Since(t0).Round(time.Millisecond))
		}
		base = "http://" + cfg.Addr
		proc, err := startServer(ctx, bin, env, base)
		if err != nil {
			return err
		}
		defer func() {
			if serr := proc.stop(20 * time.Second); serr != nil {
				err = errors.Join(err, fmt.Errorf("server: %w\n%s", serr, proc.stderr.String()))
			}
			if s := strings.TrimSpace(proc.stderr.String()); s != "" {
				fmt.Fprintf(stderr, "bench: server log (warn and above):\n%s\n", s)
			}
		}()
		serverCPU = func() time.Duration { return pidCPU(proc.pid()) }
		serverPID = proc.pid()
		clientCPU = selfCPU
	case "inprocess":
		sdb, err := postgres.Open(ctx, cfg.DatabaseURL, log)
		if err != nil {
			return err
		}
		defer sdb.Close()
		verifier, err := auth.NewVerifier(ctx, cfg.AuthConfig())
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: httpapi.NewServer(log, sdb, verifier, metrics.New(sdb.Pool), ""),
			ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
		ln, err := net.Listen("tcp", cfg.Addr)
		if err != nil {
			return err
		}
		go func() { _ = srv.Serve(ln) }()
		defer srv.Close()
		base = "http://" + ln.Addr().String()
		serverCPU = selfCPU // server and client share this process
		clientCPU = func() time.Duration { return 0 }
	default:
		return fmt.Errorf("-server must be subprocess or inprocess, not %q", o.server)
	}

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * o.clients,
		MaxIdleConnsPerHost: 2 * o.clients,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}}
	defer client.CloseIdleConnections()
	gql := &gqlClient{http: client, url: base + "/graphql", token: tok}

	// The server installs the starter rule set at its first start, and the
	// renormalization it queues rewrites installations for a while:
	// measure the reads, not that job.
	if err := awaitNormalization(ctx, ownerPool, seeded.OrgID, progress); err != nil {
		return err
	}
	if slices.ContainsFunc(wls, func(w workload) bool { return w.key == "compliance" }) {
		t0 := time.Now()
		if _, err := st.compliance.Positions(pctx, licenses.ComplianceFilter{}); err != nil {
			return fmt.Errorf("compliance report after renormalization: %w", err)
		}
		progress("compliance report after the renormalization (refreshes the products it changed) in %s", time.Since(t0).Round(time.Millisecond))
	}

	// The SQL floor, as itam_app under RLS like the server.
	sqlf, err := openSQLFloor(ctx, cfg.DatabaseURL, seeded.OrgID)
	if err != nil {
		return err
	}
	defer sqlf.Close()
	for _, w := range wls {
		if w.prepare != nil {
			if err := w.prepare(pctx, st, &smp); err != nil {
				return fmt.Errorf("prepare %s %s: %w", w.key, w.variant, err)
			}
		}
	}
	var fails failures
	r := &rig{o: o, gql: gql, st: st, sqlf: sqlf, smp: &smp, pctx: pctx, fails: &fails, stderr: stderr}
	if o.server == "subprocess" {
		r.itamPID = serverPID
	}
	r.itamCtr = func() counters {
		ps, err := scrapePool(client, base)
		if err != nil {
			fails.add("metrics", err)
		}
		return counters{acquires: ps.acquires, poolWait: ps.wait, serverCPU: serverCPU(), clientCPU: clientCPU(), pgCPU: postgresCPU(postmaster), machineBusy: machineBusy()}
	}
	r.floorCtr = func() counters {
		return counters{acquires: floorQueries.Load(), poolWait: floorDB.Pool.Stat().AcquireDuration(), serverCPU: selfCPU(), pgCPU: postgresCPU(postmaster), machineBusy: machineBusy()}
	}
	r.sqlCtr = func() counters {
		return counters{acquires: sqlf.queries.Load(), poolWait: sqlf.pool.Stat().AcquireDuration(), serverCPU: selfCPU(), pgCPU: postgresCPU(postmaster), machineBusy: machineBusy()}
	}
	if o.peers {
		peer, why := startPeerSide(ctx, ownerPool, db.URL, cmp.Or(o.peerDir, filepath.Join(tmp, "peer")), client, &smp, postmaster, progress)
		if peer == nil {
			res.Peer = "PostGraphile skipped: " + why
			fmt.Fprintf(stderr, "peer: %s\n", res.Peer)
		} else {
			defer func() { _ = peer.proc.stop(10 * time.Second) }()
			r.peer, res.Peer = peer, why
		}
	}

	// Every side must return the server's data before its speed means anything.
	if err := r.verifyAll(ctx, wls); err != nil {
		return err
	}
	progress("verified: every side returns the server's data for %d workloads", len(wls))
	if o.explainSQL {
		if err := r.explainSQL(ctx, wls); err != nil {
			return err
		}
	}
	gql.fastCheck = true
	if r.peer != nil {
		r.peer.gql.fastCheck = true
	}

	// 4. Drive each workload against every side.
	if res.Workloads, err = r.drive(ctx, wls, progress); err != nil {
		return err
	}
	res.Targets = targets(&res)
	res.Failures = fails.n.Load()

	// 5. Report.
	report(stdout, &res)
	if o.out != "" {
		b, _ := json.MarshalIndent(res, "", "  ")
		if err := os.WriteFile(o.out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if res.Failures > 0 {
		return fmt.Errorf("%d requests failed; first ones:\n  %s", res.Failures, strings.Join(fails.first, "\n  "))
	}
	return nil
}
