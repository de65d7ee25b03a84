package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

type bencher struct {
	o         options
	owner     *pgxpool.Pool
	conns     *postgres.ConnectorStore
	admin     context.Context
	connector uuid.UUID
	fake      *fakeJamf
	pg        *pgInfo
	progress  func(string, ...any)
	worker    *river.Client[pgx.Tx]
}

func (b *bencher) count(ctx context.Context, sql string) (int, error) {
	var n int
	err := b.owner.QueryRow(ctx, sql).Scan(&n)
	return n, err
}

// measure runs one FULL sync and records what it cost.
func (b *bencher) measure(ctx context.Context, name string) (*Phase, error) {
	p := &Phase{Name: name}
	history, err := b.count(ctx, `SELECT count(*) FROM asset_history`)
	if err != nil {
		return nil, err
	}
	var tablesBefore map[string]tableCounts
	if b.o.pgStats {
		if tablesBefore, err = tableStats(ctx, b.owner); err != nil {
			return nil, err
		}
		if err := b.pg.resetStatements(ctx, b.owner); err != nil {
			return nil, err
		}
	}
	suffix := "-first.pprof"
	if strings.Contains(name, "re-sync") {
		suffix = "-resync.pprof"
	}
	var prof *os.File
	if b.o.cpuprofile != "" {
		if prof, err = os.Create(b.o.cpuprofile + suffix); err != nil {
			return nil, err
		}
		defer prof.Close()
	}
	runtime.GC()
	resetPeakRSS()
	memBefore := readMem()
	sampler := startHeapSampler(20 * time.Millisecond)
	cpuBefore := b.cpu()
	p.LoadStart = benchkit.LoadAvg()
	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return nil, err
		}
	}
	b.progress("%s: starting", name)

	var t0 time.Time
	run, err := b.startSync(ctx, &t0)
	if err == nil {
		run, err = b.wait(ctx, run.ID, t0, &p.PageDone)
	}
	p.Wall = time.Since(t0)

	if prof != nil {
		pprof.StopCPUProfile()
	}
	p.CPU = b.cpu().sub(cpuBefore)
	p.Mem = sampler.stop(memBefore)
	p.PeakRSS = peakRSS()
	p.LoadEnd = benchkit.LoadAvg()
	if b.o.memprofile != "" {
		if f, ferr := os.Create(b.o.memprofile + suffix); ferr == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if err != nil {
		return p, fmt.Errorf("%s: %w", name, err)
	}
	p.Run = run
	if run.StartedAt != nil {
		p.QueueWait = run.StartedAt.Sub(run.QueuedAt)
	}
	p.DBDuration = run.FinishedAt.Sub(run.QueuedAt)
	p.RecordsPerSec = float64(run.RecordsSeen) / p.Wall.Seconds()
	b.progress("%s: %s in %s (%d records, %.0f/s)", name, run.Status, p.Wall.Round(time.Millisecond), run.RecordsSeen, p.RecordsPerSec)

	after, err := b.count(ctx, `SELECT count(*) FROM asset_history`)
	if err != nil {
		return p, err
	}
	p.HistoryDelta = after - history
	if p.Assets, err = b.count(ctx, `SELECT count(*) FROM assets`); err != nil {
		return p, err
	}
	if p.Software, err = b.count(ctx, `SELECT count(*) FROM software_installations`); err != nil {
		return p, err
	}
	if b.o.pgStats {
		if p.Statements, p.StmtTotalMS, err = b.pg.topStatements(ctx, b.owner, b.o.pgTop); err != nil {
			return p, err
		}
		b.progress("%s: waiting %s for PostgreSQL's table counters", name, statsFlushWait)
		time.Sleep(statsFlushWait)
		tablesAfter, err := tableStats(ctx, b.owner)
		if err != nil {
			return p, err
		}
		p.Tables = diffTables(tablesBefore, tablesAfter)
	}
	if run.Status != itam.SyncSucceeded && run.Status != itam.SyncPartial {
		return p, fmt.Errorf("%s: run %s ended %s: %s", name, run.ID, run.Status, deref(run.Message))
	}
	return p, nil
}

// startSync asks for a FULL sync; *t0 is when it was asked for. A run and
// its job end in one transaction, so the previous run never makes it CONFLICT.
func (b *bencher) startSync(_ context.Context, t0 *time.Time) (*itam.SyncRun, error) {
	*t0 = time.Now()
	return b.conns.SyncConnector(b.admin, b.connector, itam.SyncFull, "syncbench", nil)
}

// wait polls the run until it has finished.
func (b *bencher) wait(ctx context.Context, id uuid.UUID, t0 time.Time, pages *[]time.Duration) (*itam.SyncRun, error) {
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	lastPages := -1
	for {
		run, err := b.conns.SyncRun(b.admin, id)
		if err != nil {
			return nil, err
		}
		for len(*pages) < run.PagesFetched {
			*pages = append(*pages, time.Since(t0))
		}
		if run.FinishedAt != nil {
			return run, nil
		}
		if run.PagesFetched != lastPages && run.PagesFetched%5 == 0 && run.PagesFetched > 0 {
			b.progress("  … %d pages, %d records after %s", run.PagesFetched, run.RecordsSeen, time.Since(t0).Round(100*time.Millisecond))
		}
		lastPages = run.PagesFetched
		if time.Since(t0) > b.o.timeout {
			return run, fmt.Errorf("run %s did not finish in %s (at page %d: %s)", id, b.o.timeout, run.PagesFetched, deref(run.Message))
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-tick.C:
		}
	}
}

func (b *bencher) cpu() cpuTimes {
	return cpuTimes{self: benchkit.SelfCPU(), fake: b.fake.cpu(), pg: b.pg.cpu()}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// gogc is the GC target in effect.
func gogc() string {
	if v := os.Getenv("GOGC"); v != "" {
		s := v + " (GOGC)"
		if v := os.Getenv("GOMEMLIMIT"); v != "" {
			s += ", GOMEMLIMIT " + v
		}
		return s
	}
	s := "400 with a 256MiB memory limit (as the itam binary sets it)"
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		s = "400, GOMEMLIMIT " + v
	}
	return s
}
