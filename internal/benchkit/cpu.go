package benchkit

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

// The benchmarks' machine is shared: wall times alone depend on the load,
// so they also report the CPU time each party (the itam process, a fake
// vendor, PostgreSQL) spent, from which a quiet-machine figure can be
// estimated. Linux only; elsewhere every reading is 0.

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
	// f[0] is field 3 (state): ppid is field 4, utime..cstime fields 14–17.
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

// SelfCPU is this process's user+system CPU time so far.
func SelfCPU() time.Duration { return ProcCPU(0) }

// ProcCPU is a process's user+system CPU time so far (0: this process).
func ProcCPU(pid int) time.Duration {
	name := "self"
	if pid != 0 {
		name = strconv.Itoa(pid)
	}
	_, t, ok := procStat(name)
	if !ok {
		return 0
	}
	return ticks(t[0] + t[1])
}

// TreeCPU is the CPU time of a PostgreSQL postmaster and its children: the
// live ones' own, plus the exited ones' that the postmaster has reaped.
func TreeCPU(root int) time.Duration {
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

// Postmaster is the local pid of the PostgreSQL server pool talks to, or 0
// when it is not a process on this machine.
func Postmaster(ctx context.Context, pool *pgxpool.Pool) (int, error) {
	var backend int
	if err := pool.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		return 0, err
	}
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", backend))
	if err != nil || !strings.HasPrefix(string(comm), "postgres") {
		return 0, nil
	}
	ppid, _, _ := procStat(strconv.Itoa(backend))
	return ppid, nil
}

// OwnerPool is a small pool on a bench database as its owner (row-level
// security does not apply): for seeding and for checks behind the API.
func OwnerPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 2
	return pgxpool.NewWithConfig(ctx, cfg)
}
