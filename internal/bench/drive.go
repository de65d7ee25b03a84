package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Stats summarizes one measured phase (warmup excluded).
type Stats struct {
	Requests   int     `json:"requests"`
	Failures   int     `json:"failures"`
	Seconds    float64 `json:"seconds"`
	Throughput float64 `json:"throughput_rps"`
	P50ms      float64 `json:"p50_ms"`
	P95ms      float64 `json:"p95_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	// RoundTrips is database round trips (pool acquires) per request.
	RoundTrips float64 `json:"round_trips_per_request"`
	// CPU per request, in milliseconds, of the Go process serving the
	// requests (the server for the server phase, this process for the
	// floor), of this process as the HTTP client (server phase only), and
	// of the PostgreSQL processes.
	ServerCPUms float64 `json:"server_cpu_ms_per_request"`
	ClientCPUms float64 `json:"client_cpu_ms_per_request,omitempty"`
	PGCPUms     float64 `json:"postgres_cpu_ms_per_request"`
	// PoolWaitms is time spent waiting for a free pool connection, per request.
	PoolWaitms float64 `json:"pool_wait_ms_per_request"`
}

// failures collects errors across workers; the first few are kept verbatim.
type failures struct {
	n     atomic.Int64
	mu    sync.Mutex
	first []string
}

func (f *failures) add(phase string, err error) {
	f.n.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.first) < 10 {
		f.first = append(f.first, phase+": "+err.Error())
	}
}

// drive runs op from clients goroutines, each with its own random source,
// first for warmup (not measured), then for dur. Every error counts as a
// failure in both phases; latencies are recorded for the measured phase only.
// counters is read right before and after the measured phase.
func drive(ctx context.Context, phase string, clients int, warmup, dur time.Duration, seed uint64,
	op func(ctx context.Context, r *rand.Rand) error, fails *failures, counters func() counters) Stats {
	run := func(d time.Duration, record bool) ([]time.Duration, int, time.Duration) {
		var wg sync.WaitGroup
		samples := make([][]time.Duration, clients)
		errs := make([]int, clients)
		start := time.Now()
		deadline := start.Add(d)
		for i := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := rand.New(rand.NewPCG(seed, uint64(i)+1))
				local := make([]time.Duration, 0, 4096)
				for ctx.Err() == nil {
					t0 := time.Now()
					if !t0.Before(deadline) {
						break
					}
					err := op(ctx, r)
					el := time.Since(t0)
					if err != nil {
						errs[i]++
						fails.add(phase, err)
					}
					if record {
						local = append(local, el)
					}
				}
				samples[i] = local
			}()
		}
		wg.Wait()
		elapsed := time.Since(start)
		var all []time.Duration
		nerr := 0
		for i := range samples {
			all = append(all, samples[i]...)
			nerr += errs[i]
		}
		return all, nerr, elapsed
	}
	if warmup > 0 {
		run(warmup, false)
	}
	before := counters()
	all, nerr, elapsed := run(dur, true)
	after := counters()

	slices.Sort(all)
	st := Stats{Requests: len(all), Failures: nerr, Seconds: elapsed.Seconds()}
	if len(all) == 0 {
		return st
	}
	st.Throughput = float64(len(all)) / elapsed.Seconds()
	st.P50ms = ms(pct(all, 0.50))
	st.P95ms = ms(pct(all, 0.95))
	st.P99ms = ms(pct(all, 0.99))
	st.MaxMs = ms(all[len(all)-1])
	n := float64(len(all))
	st.RoundTrips = float64(after.acquires-before.acquires) / n
	st.ServerCPUms = ms(after.serverCPU-before.serverCPU) / n
	if after.clientCPU > 0 {
		st.ClientCPUms = ms(after.clientCPU-before.clientCPU) / n
	}
	st.PGCPUms = ms(after.pgCPU.since(before.pgCPU)) / n
	st.PoolWaitms = ms(after.poolWait-before.poolWait) / n
	return st
}

func pct(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// counters are the cumulative numbers a phase reports deltas of.
type counters struct {
	acquires  int64
	poolWait  time.Duration
	serverCPU time.Duration
	clientCPU time.Duration
	pgCPU     procCPU
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// clockTick is USER_HZ, the unit of /proc/<pid>/stat times (100 on Linux).
const clockTick = 100

// pidCPU is one process's user+system CPU time from /proc.
func pidCPU(pid int) time.Duration {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0
	}
	// Fields after the parenthesized command name: state is field 3, utime 14, stime 15.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / clockTick
}

// procCPU is the CPU time of every PostgreSQL process, by pid.
type procCPU map[int]time.Duration

// postgresCPU reads the CPU time of all processes named postgres.
func postgresCPU() procCPU {
	out := procCPU{}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		comm, err := os.ReadFile(filepath.Join("/proc", e.Name(), "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != "postgres" {
			continue
		}
		out[pid] = pidCPU(pid)
	}
	return out
}

// since is the CPU the processes in p used after before; processes that
// started in between count whole, those that exited are lost (rare: pool
// connections live through a phase).
func (p procCPU) since(before procCPU) time.Duration {
	var d time.Duration
	for pid, t := range p {
		d += t - before[pid]
	}
	return d
}

func (s Stats) String() string {
	return fmt.Sprintf("%d req, %.0f/s, p50 %.2fms p95 %.2fms p99 %.2fms", s.Requests, s.Throughput, s.P50ms, s.P95ms, s.P99ms)
}
