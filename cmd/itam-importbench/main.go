// Command itam-importbench measures a spreadsheet import as production runs
// it: a -rows asset CSV (default 100,000) written the way an IT team's
// inventory spreadsheet looks (300 models of 8 manufacturers, 50
// locations, 2,000 people assigned by email, purchase dates in both ISO and
// day/month/year form, prices with a currency symbol and thousands
// separators) is uploaded into a fresh organization, and the River workers
// of internal/importjob (the ones `itam serve` and `itam import` run) plan
// it and commit it in this process.
//
// Measured: the dry run (upload, then until the run is READY) and the
// commit (from commitImport until COMMITTED), each against the issue's
// 30 s, and this process's peak RSS against 300 MB. Targets are PASS/MISS
// (never fatal); checks (every row planned CREATE, every asset written,
// the references created once) are fatal.
//
//	go run ./cmd/itam-importbench [-rows 100000] [-commit=false] [-database-url postgres://…] [-keep]
//	    [-out results.json] [-memprofile heap.prof] [-cpuprofile commit.prof]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/importjob"
	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
)

// The targets.
const (
	targetRows = 100_000
	targetWall = 30 * time.Second
	targetRSS  = 300 << 20
)

type options struct {
	rows        int
	databaseURL string
	keep        bool
	out         string
	timeout     time.Duration
	memProfile  string
	cpuProfile  string
	commit      bool
}

func main() {
	var o options
	flag.IntVar(&o.rows, "rows", targetRows, "asset rows in the generated CSV")
	flag.StringVar(&o.databaseURL, "database-url", "", "superuser URL of a PostgreSQL server to create the bench database on (default: a throwaway cluster)")
	flag.BoolVar(&o.keep, "keep", false, "keep the bench database (with -database-url)")
	flag.StringVar(&o.out, "out", "", "also write the results as JSON to this file")
	flag.DurationVar(&o.timeout, "timeout", 5*time.Minute, "give up on a phase after this long")
	flag.BoolVar(&o.commit, "commit", true, "commit after the dry run (false: measure the dry run only)")
	flag.StringVar(&o.memProfile, "memprofile", "", "write a heap profile (allocations included: go tool pprof -sample_index=alloc_space) after the commit")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of this process over the commit")
	flag.Parse()
	config.ApplyRuntimeDefaults(os.Getenv) // as the itam binary does
	benchkit.Main("importbench", func(ctx context.Context, stdout, stderr io.Writer) error { return run(ctx, o, stdout, stderr) })
}

// Results is what the bench measured (-out writes it as JSON).
type Results struct {
	Started   time.Time      `json:"started"`
	GoVersion string         `json:"go_version"`
	CPUs      int            `json:"cpus"`
	Rows      int            `json:"rows"`
	FileBytes int64          `json:"file_bytes"`
	Upload    time.Duration  `json:"upload_ns"`
	DryRun    time.Duration  `json:"dry_run_ns"` // upload included
	Commit    time.Duration  `json:"commit_ns"`
	Totals    imports.Totals `json:"totals"`
	Assets    int            `json:"assets_written"`
	PeakRSS   int64          `json:"peak_rss_bytes"`
	// DryRunRSS is the peak up to the end of the dry run.
	DryRunRSS int64  `json:"dry_run_peak_rss_bytes"`
	LoadStart string `json:"loadavg_start"`
	LoadEnd   string `json:"loadavg_end"`
	// LoadDryRun is the load average at the end of the dry run.
	LoadDryRun string `json:"loadavg_dry_run"`
	// CPU spent by each side in the dry run and in the commit.
	DryRunCPU cpuDelta `json:"dry_run_cpu"`
	CommitCPU cpuDelta `json:"commit_cpu"`
}

func run(ctx context.Context, o options, stdout, stderr io.Writer) (err error) {
	if o.rows < 1 {
		return errors.New("-rows must be positive")
	}
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, "importbench: %s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res := &Results{Started: time.Now().UTC(), GoVersion: runtime.Version(), CPUs: runtime.NumCPU(), Rows: o.rows, LoadStart: benchkit.LoadAvg()}

	file, err := os.CreateTemp("", "itam-importbench-*.csv")
	if err != nil {
		return err
	}
	defer os.Remove(file.Name())
	if res.FileBytes, err = writeCSV(file, o.rows); err != nil {
		return err
	}
	progress("wrote %s: %d rows, %.1f MB", file.Name(), o.rows, float64(res.FileBytes)/(1<<20))

	db, done, err := benchkit.Throwaway(ctx, o.databaseURL, "itam_importbench", o.keep, log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, done(context.WithoutCancel(ctx))) }()
	owner, err := benchkit.OwnerPool(ctx, db.URL)
	if err != nil {
		return err
	}
	defer owner.Close()
	org, _, err := seed.EnsureOrg(ctx, owner, "importbench", "Import Bench")
	if err != nil {
		return err
	}

	// The itam side, wired as `itam import` wires it.
	idb, err := postgres.Open(ctx, db.URL, log)
	if err != nil {
		return err
	}
	defer idb.Close()
	insert, err := river.NewClient(riverpgxv5.New(idb.Pool), &river.Config{Logger: log})
	if err != nil {
		return err
	}
	store := postgres.NewImportStore(idb, postgres.RiverEnqueuer{Client: insert})
	worker, err := importjob.NewClient(idb.Pool, &importjob.Runner{Store: store, Orgs: postgres.NewOrganizationStore(idb), Log: log})
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
	actx := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "importbench@itam.test"})

	meter := newCPUMeter(ctx, owner)
	runtime.GC()
	resetPeakRSS()
	cpu0 := meter.now()
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return err
	}
	start := time.Now()
	r, err := store.CreateRun(actx, &imports.Run{Kind: imports.KindAssets, FileName: "inventory.csv", FileSize: res.FileBytes,
		Options: imports.Options{DateOrder: imports.DMY}, CreatedBy: "importbench"}, file)
	if err != nil {
		return fmt.Errorf("uploading: %w", err)
	}
	res.Upload = time.Since(start)
	progress("uploaded in %s; dry run", secs(res.Upload))
	if r, err = waitWhile(actx, store, r.ID, imports.StatusPlanning, o.timeout); err != nil {
		return err
	}
	res.DryRun = time.Since(start)
	res.DryRunRSS = peakRSS()
	res.DryRunCPU, res.LoadDryRun = meter.now().sub(cpu0), benchkit.LoadAvg()
	res.Totals = r.Totals
	if r.Status != imports.StatusReady {
		return fmt.Errorf("the dry run ended %s: %s", r.Status, deref(r.Error))
	}
	progress("dry run in %s: %+v", secs(res.DryRun), r.Totals)
	if !o.commit {
		res.PeakRSS, res.LoadEnd = res.DryRunRSS, benchkit.LoadAvg()
		fmt.Fprintf(stdout, "importbench: dry run of a %d-row asset CSV (%.1f MB): %s (%.0f rows/s; CPU itam %s, PostgreSQL %s; load %s → %s), peak RSS %s; dry run ≤ %s: %s (commit not run)\n",
			res.Rows, float64(res.FileBytes)/(1<<20), secs(res.DryRun), float64(res.Rows)/res.DryRun.Seconds(),
			secs(res.DryRunCPU.Itam), secs(res.DryRunCPU.PG), res.LoadStart, res.LoadEnd, mb(res.PeakRSS),
			secs(targetWall), map[bool]string{true: "PASS", false: "MISS"}[res.DryRun <= targetWall])
		return nil
	}
	stopProfile, err := startCPUProfile(o.cpuProfile)
	if err != nil {
		return err
	}
	start, cpu0 = time.Now(), meter.now()
	if r, err = store.StartCommit(actx, r.ID, false, &r.Version); err != nil {
		return fmt.Errorf("starting the commit: %w", err)
	}
	if r, err = waitWhile(actx, store, r.ID, imports.StatusCommitting, o.timeout); err != nil {
		return err
	}
	res.Commit = time.Since(start)
	res.CommitCPU = meter.now().sub(cpu0)
	if err := stopProfile(); err != nil {
		return err
	}
	res.PeakRSS = peakRSS()
	res.LoadEnd = benchkit.LoadAvg()
	if r.Status != imports.StatusCommitted {
		return fmt.Errorf("the commit ended %s: %s", r.Status, deref(r.Error))
	}
	progress("committed in %s", secs(res.Commit))
	if o.memProfile != "" {
		if err := writeHeapProfile(o.memProfile); err != nil {
			return err
		}
	}
	if err := owner.QueryRow(ctx, `SELECT count(*) FROM assets WHERE org_id = $1`, org).Scan(&res.Assets); err != nil {
		return err
	}
	failed := report(stdout, res)
	if o.out != "" {
		j, _ := json.MarshalIndent(res, "", "  ")
		if werr := os.WriteFile(o.out, append(j, '\n'), 0o644); werr != nil {
			return werr
		}
	}
	if failed != "" {
		return errors.New(failed)
	}
	return nil
}

// waitWhile polls the run until it leaves status; the polling interval
// bounds what it adds to a measured phase.
func waitWhile(ctx context.Context, store imports.RunStore, id uuid.UUID, status imports.RunStatus, timeout time.Duration) (*imports.Run, error) {
	deadline := time.Now().Add(timeout)
	for {
		r, err := store.Run(ctx, id)
		if err != nil {
			return nil, err
		}
		if r.Status != status {
			return r, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("run still %s after %s (%d of %d rows)", status, timeout, r.RowsDone, r.RowsTotal)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// report prints the figures, the targets (PASS/MISS) and the checks
// (ok/FAIL), and returns the failed checks.
func report(w io.Writer, res *Results) string {
	fmt.Fprintf(w, "importbench: a %d-row asset CSV (%.1f MB) dry-run and committed by the import workers; %s, %d CPUs\n",
		res.Rows, float64(res.FileBytes)/(1<<20), res.GoVersion, res.CPUs)
	fmt.Fprintf(w, "load average at start %s, after the dry run %s, at end %s\n\n", res.LoadStart, res.LoadDryRun, res.LoadEnd)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  upload (file into the run)\t%s\n", secs(res.Upload))
	fmt.Fprintf(tw, "  dry run (upload to READY)\t%s\t%.0f rows/s\tCPU itam %s, PostgreSQL %s\n", secs(res.DryRun), float64(res.Rows)/res.DryRun.Seconds(),
		secs(res.DryRunCPU.Itam), secs(res.DryRunCPU.PG))
	fmt.Fprintf(tw, "  commit (commitImport to COMMITTED)\t%s\t%.0f rows/s\tCPU itam %s, PostgreSQL %s\n", secs(res.Commit), float64(res.Rows)/res.Commit.Seconds(),
		secs(res.CommitCPU.Itam), secs(res.CommitCPU.PG))
	t := res.Totals
	fmt.Fprintf(tw, "  plan\t%d create, %d update, %d unchanged, %d error; references %d created, %d matched\n",
		t.Create, t.Update, t.Unchanged, t.Error, t.ReferencesCreated, t.ReferencesMatched)
	fmt.Fprintf(tw, "  peak RSS of this process\t%s (%s by the end of the dry run)\n", mb(res.PeakRSS), mb(res.DryRunRSS))
	tw.Flush()
	scaled := ""
	if res.Rows != targetRows {
		scaled = fmt.Sprintf(" (targets set for %d rows)", targetRows)
	}
	fmt.Fprintln(w, "\ntargets"+scaled+":")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	verdict := map[bool]string{true: "PASS", false: "MISS"}
	fmt.Fprintf(tw, "  dry run\t%s\t≤ %s\t%s\n", secs(res.DryRun), secs(targetWall), verdict[res.DryRun <= targetWall])
	fmt.Fprintf(tw, "  commit\t%s\t≤ %s\t%s\n", secs(res.Commit), secs(targetWall), verdict[res.Commit <= targetWall])
	fmt.Fprintf(tw, "  peak RSS\t%s\t≤ %s\t%s\n", mb(res.PeakRSS), mb(targetRSS), verdict[res.PeakRSS <= targetRSS])
	tw.Flush()
	fmt.Fprintln(w, "checks:")
	var failed []string
	check := func(name string, ok bool, note string) {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", name, map[bool]string{true: "ok", false: "FAIL"}[ok], note)
		if !ok {
			failed = append(failed, name)
		}
	}
	check("every row planned CREATE", t.Rows == res.Rows && t.Create == res.Rows && t.Error == 0,
		fmt.Sprintf("%d rows, %d create, %d error", t.Rows, t.Create, t.Error))
	check("every asset written once", res.Assets == res.Rows, fmt.Sprintf("%d of %d", res.Assets, res.Rows))
	check("the references created", t.ReferencesCreated == wantReferences(), fmt.Sprintf("%d of %d", t.ReferencesCreated, wantReferences()))
	if len(failed) > 0 {
		return "check failed: " + strings.Join(failed, "; ")
	}
	return ""
}

func deref(s *string) string {
	if s == nil {
		return "(no reason recorded)"
	}
	return *s
}

// startCPUProfile profiles this process until the returned stop is
// called; with no path it does nothing.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return nil, errors.Join(err, f.Close())
	}
	return func() error { pprof.StopCPUProfile(); return f.Close() }, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// peakRSS is this process's peak resident memory so far, in bytes.
func peakRSS() int64 {
	hwm, _ := benchkit.ProcStatus()
	return hwm
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0), so the
// next reading is the peak of what follows.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func mb(b int64) string { return fmt.Sprintf("%.0fMB", float64(b)/(1<<20)) }
