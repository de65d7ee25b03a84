package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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
	var backend int
	if err := owner.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return cpuMeter{}
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", backend)); err != nil || !strings.HasPrefix(string(comm), "postgres") {
		return cpuMeter{}
	}
	ppid, _, _ := procStat(strconv.Itoa(backend))
	return cpuMeter{postmaster: ppid}
}

func (m cpuMeter) now() cpuTimes {
	_, t, _ := procStat("self")
	return cpuTimes{itam: ticks(t[0] + t[1]), pg: treeCPU(m.postmaster)}
}

const clockTick = 100 // USER_HZ

// procStat returns a process's parent pid and utime, stime, cutime, cstime
// in clock ticks.
func procStat(pid string) (ppid int, times [4]int64, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return 0, times, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')') // the command may hold spaces
	if i < 0 {
		return 0, times, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return 0, times, false
	}
	ppid, _ = strconv.Atoi(f[1])
	for k := range 4 {
		times[k], _ = strconv.ParseInt(f[11+k], 10, 64)
	}
	return ppid, times, true
}

func ticks(n int64) time.Duration { return time.Duration(n) * time.Second / clockTick }

// treeCPU is the CPU time of a postmaster and its children: the live
// ones' own, plus the exited ones' the postmaster has reaped.
func treeCPU(root int) time.Duration {
	if root <= 0 {
		return 0
	}
	_, t, ok := procStat(strconv.Itoa(root))
	if !ok {
		return 0
	}
	total := t[0] + t[1] + t[2] + t[3]
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if e.Name()[0] < '0' || e.Name()[0] > '9' {
			continue
		}
		if ppid, ct, ok := procStat(e.Name()); ok && ppid == root {
			total += ct[0] + ct[1]
		}
	}
	return ticks(total)
}
