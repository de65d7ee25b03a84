// Command itam is the IT asset management server.
//
//	itam serve      run the HTTP server and the job workers (default)
//	itam worker     run only the job workers (connector syncs, schedules)
//	itam migrate    apply database migrations
//	itam token      print a signed JWT for an organization and role
//	itam seed       create an organization, optionally with generated data
//	itam export     write an organization's assets, people or licenses as CSV or XLSX
//	itam db stop    stop the project-local PostgreSQL
//	itam version    print the version and VCS revision
//	itam help       print the usage
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"riverqueue.com/riverui"

	"github.com/itam-dev/itam/graph"
	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/devdb"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/httplog"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/syncjob"
	"github.com/itam-dev/itam/internal/tickets"
	"github.com/itam-dev/itam/migrations"
)

func main() {
	config.ApplyRuntimeDefaults(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "itam:", err)
		os.Exit(1)
	}
}

// run is the whole program, callable from tests with their own arguments,
// environment and output. Usage questions (help, -h, version) are answered
// before the configuration is read, so they work whatever the environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	err := dispatch(ctx, cmd, args, getenv, stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, cmd string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	switch cmd {
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version":
		if err := parseFlags(flag.NewFlagSet("version", flag.ContinueOnError), args, stdout, stderr); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "itam", version())
		return nil
	case "serve", "worker", "migrate":
		if err := parseFlags(flag.NewFlagSet(cmd, flag.ContinueOnError), args, stdout, stderr); err != nil {
			return err
		}
	case "token", "seed", "db", "software", "import", "export":
		// They parse their own flags, after the configuration is read.
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	switch cmd {
	case "serve":
		return serve(ctx, cfg, log, stdout)
	case "migrate":
		return migrate(ctx, cfg, log, stdout)
	case "token":
		return token(cfg, args, stdout, stderr)
	case "seed":
		return seedCmd(ctx, cfg, log, args, stdout, stderr)
	case "db":
		return dbCmd(ctx, cfg, log, args, stdout, stderr)
	case "software":
		return softwareCmd(ctx, cfg, log, args, stdout, stderr)
	case "import":
		return importCmd(ctx, cfg, log, args, stdout, stderr)
	case "export":
		return exportCmd(ctx, cfg, log, args, stdout, stderr)
	default: // worker
		return runWorker(ctx, cfg, log)
	}
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(httplog.Handler{Handler: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})})
}

// databaseURL returns DATABASE_URL, or starts (or reuses) the project-local
// cluster under the data directory when it is unset.
func databaseURL(ctx context.Context, cfg config.Config, log *slog.Logger) (string, error) {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL, nil
	}
	log.Info("DATABASE_URL is not set: using the local PostgreSQL under " + filepath.Join(cfg.DataDir, "postgres"))
	c, err := devdb.Ensure(ctx, filepath.Join(cfg.DataDir, "postgres"), log)
	if err != nil {
		return "", err
	}
	return c.URL(), nil
}

// prepareDatabase returns the database URL (see databaseURL), first applying
// pending migrations when ITAM_AUTO_MIGRATE is on.
func prepareDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (string, error) {
	url, err := databaseURL(ctx, cfg, log)
	if err != nil {
		return "", err
	}
	if cfg.AutoMigrate {
		applied, err := migrations.UpURL(ctx, url)
		if err != nil {
			return "", err
		}
		if len(applied) > 0 {
			log.Info("applied migrations", "files", applied)
		}
	}
	return url, nil
}

// ownerPool opens a pool on the prepared database (see prepareDatabase)
// as its owner, for commands that write to any organization (seed,
// software install-starter); the caller closes it.
func ownerPool(ctx context.Context, cfg config.Config, log *slog.Logger) (*pgxpool.Pool, error) {
	url, err := prepareDatabase(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	return pgxpool.New(ctx, url)
}

// openDatabase prepares the database and opens the application's pool on
// it; the URL is returned for what connects as the owner.
func openDatabase(ctx context.Context, cfg config.Config, log *slog.Logger) (*postgres.DB, string, error) {
	url, err := prepareDatabase(ctx, cfg, log)
	if err != nil {
		return nil, "", err
	}
	db, err := postgres.Open(ctx, url, log, postgres.MaxConns(cfg.DBMaxConn),
		postgres.StatementTimeout(cfg.StatementTimeout), postgres.JobStatementTimeout(cfg.JobStatementTimeout),
		postgres.SyncLookBack(cfg.SyncLookBack))
	if err != nil {
		return nil, "", err
	}
	return db, url, nil
}

func migrate(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	url, err := databaseURL(ctx, cfg, log)
	if err != nil {
		return err
	}
	applied, err := migrations.UpURL(ctx, url)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}

// serve runs the HTTP server and, unless ITAM_WORKERS=false, the job
// workers, until ctx ends.
func serve(ctx context.Context, cfg config.Config, log *slog.Logger, stdout io.Writer) error {
	if err := cfg.CheckServe(); err != nil {
		return err
	}
	db, url, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()

	var devToken string
	if cfg.DevAuth {
		if cfg.JWTSecret, err = auth.LoadOrCreateSecret(filepath.Join(cfg.DataDir, "jwt-secret")); err != nil {
			return err
		}
		if devToken, err = devOrganization(ctx, url, cfg); err != nil {
			return err
		}
		if cfg.OperatorToken == "" {
			if cfg.OperatorToken, err = devOperatorToken(cfg.DataDir); err != nil {
				return err
			}
		}
	}
	verifier, err := auth.NewVerifier(ctx, cfg.AuthConfig())
	if err != nil {
		return err
	}
	m := metrics.New(db.Pool, metrics.WithMaxOperations(cfg.MetricsMaxOperations))
	svc, err := startJobs(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	defer svc.stop()
	installSoftwareStarters(ctx, url, postgres.RiverEnqueuer{Client: svc.insert}, log)
	opts := []httpapi.ServerOption{httpapi.WithConnectors(svc.box, postgres.RiverEnqueuer{Client: svc.insert}, cfg.PublicURL),
		httpapi.WithMetricsToken(cfg.MetricsToken), httpapi.WithConnectorEgress(cfg.ConnectorEgress()),
		httpapi.WithGraphQL(graph.Options{DisableIntrospection: !cfg.Introspection, CompiledExecution: cfg.CompiledExecution}),
		httpapi.WithTickets(tickets.NewCache(cfg.TicketCacheTTL, nil), nil)}
	links, err := exportLinkSigner(cfg, log)
	if err != nil {
		return err
	}
	opts = append(opts, httpapi.WithExportLinks(links))
	// The job dashboard sees every organization's jobs: only an operator
	// credential that belongs to no organization opens it.
	if cfg.OperatorToken != "" {
		dashboard, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(svc.insert, nil), Logger: log, Prefix: "/riverui"})
		if err != nil {
			return err
		}
		if err := dashboard.Start(ctx); err != nil {
			return err
		}
		opts = append(opts, httpapi.WithJobDashboard(dashboard, cfg.OperatorToken))
	} else {
		log.Info("job dashboard (/riverui/) off: set ITAM_OPERATOR_TOKEN to turn it on")
	}
	if cfg.MetricsToken == "" && !cfg.DevAuth {
		log.Warn("/metrics is open on ITAM_ADDR: set ITAM_METRICS_TOKEN to require a bearer token, or scrape it on ITAM_DEBUG_ADDR")
	}
	srv := &http.Server{
		Handler:           httpapi.NewServer(log, db, verifier, m, devToken, opts...),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	if cfg.DebugAddr != "" {
		stopDebug, err := serveDebug(cfg.DebugAddr, m, log)
		if err != nil {
			return err
		}
		defer stopDebug()
	}
	addr := ln.Addr().String()
	log.Info("listening", "addr", addr, "version", version())
	if devToken != "" {
		base := "http://" + displayAddr(addr)
		fmt.Fprintf(stdout, "\nitam is running in dev mode.\n  GraphiQL:  %s/\n  GraphQL:   %s/graphql\n  Job dashboard: %s/riverui/login?token=%s\n  Admin token for organization %q (valid %s):\n\n%s\n\n",
			base, base, base, cfg.OperatorToken, cfg.DemoOrg, cfg.TokenTTL, devToken)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveDebug serves the runtime profiles (net/http/pprof) and the metrics,
// without a token, on addr until the returned stop is called: a listener
// meant for the private network only.
func serveDebug(addr string, m *metrics.Metrics, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ITAM_DEBUG_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving profiles", "addr", ln.Addr().String())
	go func() { _ = srv.Serve(ln) }()
	return func() { _ = srv.Close() }, nil
}

func displayAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" || host == "127.0.0.1" {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// devOrganization makes sure the demo organization exists and returns an
// ADMIN token for it, so `make run` ends with something a newcomer can query.
func devOrganization(ctx context.Context, url string, cfg config.Config) (string, error) {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	if _, _, err := seed.EnsureOrg(ctx, pool, cfg.DemoOrg, ""); err != nil {
		return "", err
	}
	return auth.IssueHS256(cfg.JWTSecret, auth.Claims{Subject: "admin@" + cfg.DemoOrg + ".example.com", Org: cfg.DemoOrg, Role: itam.RoleAdmin},
		cfg.TokenTTL, auth.IssueOptions{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience})
}

func token(cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	org := fs.String("org", "", "organization slug (or id)")
	role := fs.String("role", "ADMIN", "ADMIN, MANAGER, AUDITOR or EMPLOYEE")
	sub := fs.String("sub", "", "subject: the user's email")
	ttl := fs.Duration("ttl", time.Hour, "lifetime")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *org == "" || *sub == "" {
		return errors.New("token: --org and --sub are required")
	}
	secret := cfg.JWTSecret
	if secret == nil {
		if cfg.JWKSURL != "" {
			return errors.New("token: tokens come from your identity provider when ITAM_JWKS_URL is set; set ITAM_JWT_SECRET to mint HS256 tokens")
		}
		if !cfg.DevAuth {
			// A secret generated here would sign tokens no server accepts.
			return errors.New("token: set ITAM_JWT_SECRET to the server's secret (dev mode's generated one is used only without DATABASE_URL or with ITAM_DEV=true)")
		}
		var err error
		if secret, err = auth.LoadOrCreateSecret(filepath.Join(cfg.DataDir, "jwt-secret")); err != nil {
			return err
		}
	}
	tok, err := auth.IssueHS256(secret, auth.Claims{Subject: *sub, Org: *org, Role: itam.Role(strings.ToUpper(*role))}, *ttl,
		auth.IssueOptions{Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "# %s token for %s in %s, valid %s\n%s\n", strings.ToUpper(*role), *sub, *org, *ttl, tok)
	return nil
}

func seedCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	org := fs.String("org", "", "organization slug (created when missing)")
	name := fs.String("name", "", "organization name when it is created")
	assets := fs.Int("assets", 0, "how many assets to generate")
	people := fs.Int("people", 0, "how many people to generate (default: derived from --assets)")
	products := fs.Int("software-products", 0, "software products in the generated catalog (default: max(104, assets/20); negative: no software)")
	perAsset := fs.Float64("installs-per-asset", 0, "software installations per generated asset, on its laptops and desktops (default 10; negative: no software)")
	randSeed := fs.Int64("seed", 1, "random seed; equal seeds give equal data")
	force := fs.Bool("force", false, "add generated data even to an organization holding records seed did not generate")
	noMoney := fs.Bool("no-money", false, "skip depreciation profiles, exchange rates, ledger entries and contracts")
	if err := parseFlags(fs, args, stdout, stderr); err != nil {
		return err
	}
	if *org == "" {
		return errors.New("seed: --org is required")
	}
	pool, err := ownerPool(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := seed.Run(ctx, pool, seed.Options{OrgSlug: *org, OrgName: *name, Assets: *assets, People: *people,
		SoftwareProducts: *products, InstallsPerAsset: *perAsset, RandSeed: *randSeed, Force: *force, NoMoney: *noMoney})
	if err != nil {
		return err
	}
	verb := "exists"
	if res.OrgCreated {
		verb = "created"
	}
	fmt.Fprintf(stdout, "organization %s %s (%s)\n", *org, verb, res.OrgID)
	if *assets > 0 {
		fmt.Fprintf(stdout, "inserted %+v in %s (software %s, money %s, analyze %s)\n", res.Inserted, res.Duration.Round(time.Millisecond),
			res.Software.Round(time.Millisecond), res.Money.Round(time.Millisecond), res.Analyze.Round(time.Millisecond))
	}
	return nil
}

// loadSecretBox returns the box sealing connector credentials, keyed by
// ITAM_SECRET_KEY. Without it, a dev setup (no token verification
// configured, or the local database) keeps a generated key in the data
// directory; any other setup runs with connectors disabled (nil box) rather
// than trust credentials to a key file a redeploy would lose.
func loadSecretBox(cfg config.Config, log *slog.Logger) (*secretbox.Box, error) {
	key := cfg.SecretKey
	if key == nil {
		if !cfg.DevAuth && cfg.DatabaseURL != "" {
			log.Warn("ITAM_SECRET_KEY is not set: connectors are disabled (set it to 32 random bytes, e.g. openssl rand -hex 32)")
			return nil, nil
		}
		var err error
		if key, err = secretbox.LoadOrCreateKey(filepath.Join(cfg.DataDir, "secret-key")); err != nil {
			return nil, err
		}
	}
	return secretbox.New(key)
}

// jobServices are the River clients of one process: an insert-only client
// that stores use to enqueue inside their transactions, and, when this
// process works jobs, a working client.
type jobServices struct {
	box    *secretbox.Box
	insert *river.Client[pgx.Tx]
	work   *river.Client[pgx.Tx]
}

func (j *jobServices) stop() {
	if j.work == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = j.work.Stop(ctx) // lets running syncs finish their page; the rest resume later
}

// startJobs builds the River clients and, unless ITAM_WORKERS=false,
// starts working jobs: syncs, the scheduler, the stale-device pass.
func startJobs(ctx context.Context, cfg config.Config, db *postgres.DB, log *slog.Logger) (*jobServices, error) {
	box, err := loadSecretBox(cfg, log)
	if err != nil {
		return nil, err
	}
	deps := syncjob.Deps{DB: db, Sync: postgres.NewSyncStore(db), Log: log, Egress: cfg.ConnectorEgress()}
	insert, err := syncjob.NewClient(deps, syncjob.Options{})
	if err != nil {
		return nil, err
	}
	j := &jobServices{box: box, insert: insert}
	db.SetPushEnqueuer(postgres.RiverEnqueuer{Client: insert}) // write-backs queued by any transaction
	if !cfg.Workers {
		return j, nil
	}
	deps.SoftwareRules = postgres.NewSoftwareRuleStore(db, postgres.RiverEnqueuer{Client: insert})
	// Notifications: the hourly scan and webhook deliveries (secrets need box).
	deps.Notifications = postgres.NewNotificationStore(db, postgres.RiverEnqueuer{Client: insert})
	deps.Webhooks = postgres.NewWebhookStore(db, box, postgres.RiverEnqueuer{Client: insert}, cfg.ConnectorAllowPrivate)
	if box == nil {
		// Software re-normalization needs no credentials: it runs anyway.
		log.Warn("connector sync workers not started: connectors are disabled without ITAM_SECRET_KEY")
		if j.work, err = syncjob.NewClient(deps, syncjob.Options{Workers: true, NoSync: true}); err != nil {
			return nil, err
		}
		return j, j.work.Start(ctx)
	}
	deps.Connectors = postgres.NewConnectorStore(db, box, postgres.RiverEnqueuer{Client: insert})
	if j.work, err = syncjob.NewClient(deps, syncjob.Options{Workers: true}); err != nil {
		return nil, err
	}
	if err := j.work.Start(ctx); err != nil {
		return nil, err
	}
	return j, nil
}

// runWorker runs job workers without HTTP, so syncs can scale out to more
// processes than serve; River elects one leader for periodic jobs.
func runWorker(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	db, _, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	cfg.Workers = true
	svc, err := startJobs(ctx, cfg, db, log)
	if err != nil {
		return err
	}
	if svc.box == nil {
		svc.stop()
		return errors.New("worker: nothing to do without ITAM_SECRET_KEY (connector credentials cannot be opened)")
	}
	log.Info("worker running")
	<-ctx.Done()
	svc.stop()
	return nil
}
