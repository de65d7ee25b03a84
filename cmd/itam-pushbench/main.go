// Command itam-pushbench measures write-back to an ITSM as production runs
// it: assignee changes made through the asset store (as the API makes
// them) queue connector.push jobs in their own transactions (the outbox of
// migration 00030), and a River working client built as `serve` builds it
// runs the PushWorker against a fake ServiceNow (servicenowtest) that
// limits the instance to -rate requests per second, answering 429 with
// Retry-After beyond it, as a ServiceNow rate limit rule does.
//
// Setup (not measured): a SERVICENOW connector (OAuth client credentials,
// authoritative for people, pushFields [ASSIGNEE]) pulls -cis CIs and the
// sys_user directory in one FULL sync, so the assets are linked and the
// people exist. Measured: -changes assignee changes (each asset handed to
// another person ServiceNow knows, one transaction each), then the wall
// time until every push job has finished and the fake holds every new
// assignee, read from the fake's records, not from job states.
//
// Every request to the fake goes through a recording proxy, so the report
// counts what the vendor saw: PATCHes (answered 2xx and 429, alone or as
// calls of a Batch API request, by each call's own status), Batch API
// requests, sys_user lookups, token requests, 429s; and from River:
// retried and snoozed jobs.
//
// Target (PASS/MISS, never fatal): the issue's "1,000 assignee changes
// pushed within 60 s through a vendor limiting to 10 requests/s". Push
// jobs running together send their PATCHes in one Batch API request (up
// to 50, the push queue's workers), which the rate limit counts once; the
// report prints the floor the successful requests impose at -rate next to
// the figure. A push that is lost, duplicated or refused exits non-zero.
//
//	go run ./cmd/itam-pushbench [-changes 1000] [-cis 1500] [-rate 10]
//	    [-database-url postgres://…] [-timeout 10m] [-out results.json]
package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/syncjob"
)

// The target.
const (
	targetWall    = 60 * time.Second
	targetChanges = 1000
	targetRate    = 10
)

type options struct {
	changes     int
	cis         int
	rate        int
	databaseURL string
	keep        bool
	timeout     time.Duration
	out         string
}

func main() {
	var o options
	flag.IntVar(&o.changes, "changes", targetChanges, "assignee changes to push")
	flag.IntVar(&o.cis, "cis", 0, "CIs the fake serves (default 1.5 × -changes: retired ones cannot be assigned)")
	flag.IntVar(&o.rate, "rate", targetRate, "requests per second the fake instance accepts before answering 429")
	flag.StringVar(&o.databaseURL, "database-url", "", "superuser URL of a PostgreSQL server to create the bench database on (default: a throwaway cluster)")
	flag.BoolVar(&o.keep, "keep", false, "keep the bench database (with -database-url)")
	flag.DurationVar(&o.timeout, "timeout", 10*time.Minute, "give up waiting for the pushes after this long")
	flag.StringVar(&o.out, "out", "", "also write the results as JSON to this file")
	flag.Parse()
	if o.cis == 0 {
		o.cis = o.changes * 3 / 2
	}
	config.ApplyRuntimeDefaults(os.Getenv) // as the itam binary does
	benchkit.Main("pushbench", func(ctx context.Context, stdout, stderr io.Writer) error { return run(ctx, o, stdout, stderr) })
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	if o.changes < 1 || o.cis < o.changes || o.rate < 1 {
		return errors.New("-changes and -rate must be positive and -cis at least -changes")
	}
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, "pushbench: %s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res := &Results{Started: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(),
		Changes: o.changes, CIs: o.cis, Rate: o.rate, LoadStart: benchkit.LoadAvg()}

	// The fake in this process: the bench reads its records to verify the
	// pushes. It generates records on demand, so it adds little memory.
	fake := servicenowtest.Start(servicenowtest.Options{Records: o.cis, Users: max(20, o.cis/25)})
	defer fake.Close()
	proxy, err := startProxy(fake.URL)
	if err != nil {
		return err
	}
	defer proxy.Close()
	progress("fake ServiceNow at %s behind a recording proxy at %s, %d CIs", fake.URL, proxy.URL, o.cis)

	db, done, err := benchkit.Throwaway(ctx, o.databaseURL, "itam_pushbench", o.keep, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done(context.WithoutCancel(ctx))) }()
	owner, err := benchkit.OwnerPool(ctx, db.URL)
	if err != nil {
		return err
	}
	defer owner.Close()
	org, _, err := seed.EnsureOrg(ctx, owner, "pushbench", "Push Bench")
	if err != nil {
		return err
	}

	// The itam side, wired as `serve` wires it (server.go startJobs).
	idb, err := postgres.Open(ctx, db.URL, log)
	if err != nil {
		return err
	}
	defer idb.Close()
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		return err
	}
	// The fake listens on loopback, as ITAM_CONNECTOR_ALLOW_PRIVATE=127.0.0.0/8 allows.
	deps := syncjob.Deps{DB: idb, Sync: postgres.NewSyncStore(idb), Log: log, Egress: connectors.AllowLoopback()}
	insert, err := syncjob.NewClient(deps, syncjob.Options{})
	if err != nil {
		return err
	}
	idb.SetPushEnqueuer(postgres.RiverEnqueuer{Client: insert})
	deps.Connectors = postgres.NewConnectorStore(idb, box, postgres.RiverEnqueuer{Client: insert})
	worker, err := syncjob.NewClient(deps, syncjob.Options{Workers: true})
	if err != nil {
		return err
	}
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	if err := worker.Start(workCtx); err != nil {
		cancelWork()
		return err
	}
	defer func() {
		cancelWork()
		stopCtx, done := context.WithTimeout(context.Background(), 10*time.Second)
		defer done()
		_ = worker.Stop(stopCtx)
	}()

	adminCtx := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "pushbench@itam.test"})
	so := fake.Options()
	in := connector.Input{
		Kind: "SERVICENOW", Name: "ServiceNow (pushbench)", BaseURL: &proxy.URL,
		Credentials:            map[string]string{"clientId": so.ClientID, "clientSecret": so.ClientSecret},
		Options:                map[string]any{"pageSize": 1000},
		AuthoritativeForPeople: true,
		PushFields:             []string{"ASSIGNEE"},
	}
	c, _, err := connector.NewService(deps.Connectors, connectorcheck.Config).Create(adminCtx, in)
	if err != nil {
		return fmt.Errorf("creating the connector: %w", err)
	}
	b := &bencher{o: o, owner: owner, idb: idb, conns: deps.Connectors, admin: adminCtx, connector: c.ID,
		fake: fake, proxy: proxy, progress: progress}
	if err := b.sync(ctx); err != nil {
		return err
	}
	plan, err := b.plan(ctx)
	if err != nil {
		return err
	}

	// The measured phase: the vendor limits from now on.
	fake.LimitRate(o.rate)
	proxy.reset()
	throttledBefore := fake.Stats().Throttled
	runtime.GC()
	resetPeakRSS()
	res.SetupRSS = peakRSS()
	phaseErr := b.measure(ctx, plan, res)
	res.PeakRSS = peakRSS()
	res.Throttled = fake.Stats().Throttled - throttledBefore
	res.Vendor = proxy.counts()
	res.LoadEnd = benchkit.LoadAvg()
	if jerr := b.jobStats(ctx, res); jerr != nil {
		phaseErr = errors.Join(phaseErr, jerr)
	}
	failed := judge(res)
	report(stdout, res)
	if o.out != "" {
		j, _ := json.MarshalIndent(res, "", "  ")
		if werr := os.WriteFile(o.out, append(j, '\n'), 0o644); werr != nil {
			err = errors.Join(err, werr)
		}
	}
	if phaseErr != nil {
		return phaseErr
	}
	if failed != "" {
		return errors.New(failed)
	}
	return nil
}

// peakRSS is this process's peak resident memory so far, in bytes.
func peakRSS() int64 {
	hwm, _ := benchkit.ProcStatus()
	return hwm
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0), so the
// next reading is the peak of what follows.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
