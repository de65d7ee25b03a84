package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/internal/benchkit"
)

// The machine the targets are set for is shared: wall times alone depend
// on the load, so each phase also reports the CPU time this process (the
// itam side: planner, store, workers) and PostgreSQL spent in it, which a
// quiet-machine estimate can be built from.

// cpuTimes are user+system CPU times so far.
type cpuTimes struct{ itam, pg time.Duration }

// cpuDelta is the CPU each side used during a phase.
type cpuDelta struct {
	Itam time.Duration `json:"itam_ns"`
	PG   time.Duration `json:"postgres_ns"`
}

func (c cpuTimes) sub(b cpuTimes) cpuDelta { return cpuDelta{Itam: c.itam - b.itam, PG: c.pg - b.pg} }

// cpuMeter reads this process's CPU and that of a PostgreSQL postmaster
// and its children (0 when the server is not a local process).
type cpuMeter struct{ postmaster int }

func newCPUMeter(ctx context.Context, owner *pgxpool.Pool) cpuMeter {
	pm, _ := benchkit.Postmaster(ctx, owner) // an unreadable server reads 0
	return cpuMeter{postmaster: pm}
}

func (m cpuMeter) now() cpuTimes {
	return cpuTimes{itam: benchkit.SelfCPU(), pg: benchkit.TreeCPU(m.postmaster)}
}
