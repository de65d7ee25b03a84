package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Stats summarizes one side's measurement of a workload (warmup excluded).
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
	// PeakRSSMB is the serving process's peak resident memory during the
	// measured slices (VmHWM, reset before each); 0 for the floors, which
	// run inside this process beside the client.
	PeakRSSMB float64 `json:"peak_rss_mb,omitempty"`
	// OtherCPUPct is the share of the machine's CPU time that processes
	// other than the server, this program and PostgreSQL used during the
	// phase: when it is high, the numbers are not to be trusted.
	OtherCPUPct float64 `json:"other_processes_cpu_pct"`
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

// phase is one side (server or floor) of one workload. Its measurement is
// taken in slices alternating with the other side's, so load that other
// programs put on the machine meanwhile hits both sides alike.
type phase struct {
	name     string
	op       func(ctx context.Context, r *rand.Rand) error
	counters func() counters
	fails    *failures
	// pid is the serving child process whose peak RSS is measured (0: none).
	pid int
	// cpuprofile: profile this process during the measured slices
	// (-cpuprofile, itam side); profileKey names the slice's file.
	cpuprofile, profileKey string
	peakRSS                int64

	samples []time.Duration
	errs    int
	elapsed time.Duration
	// sums of the counters' deltas over the measured slices
	acquires                   int64
	poolWait, serverCPU        time.Duration
	clientCPU, pgCPU, busyTime time.Duration
}

// run drives op from clients goroutines, each with its own random source,
// for d. Every error counts as a failure; latencies are kept when record.
func (p *phase) run(ctx context.Context, clients int, d time.Duration, seed uint64, record bool) {
	var wg sync.WaitGroup
	samples := make([][]time.Duration, clients)
	errs := make([]int, clients)
	var before counters
	if record {
		if p.pid > 0 {
			resetPeakRSS(p.pid)
		}
		if p.cpuprofile != "" {
			defer profile(p.cpuprofile, p.profileKey)()
		}
		before = p.counters()
	}
	start := time.Now()
	deadline := start.Add(d)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, uint64(i)+1))
			local := make([]time.Duration, 0, 1024)
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				err := p.op(ctx, r)
				el := time.Since(t0)
				if err != nil {
					errs[i]++
					p.fails.add(p.name, err)
				}
				if record {
					local = append(local, el)
				}
			}
			samples[i] = local
		}()
	}
	wg.Wait()
	if !record {
		return
	}
	p.elapsed += time.Since(start)
	after := p.counters()
	if p.pid > 0 {
		p.peakRSS = max(p.peakRSS, peakRSS(p.pid))
	}
	for i := range samples {
		p.samples = append(p.samples, samples[i]...)
		p.errs += errs[i]
	}
	p.acquires += after.acquires - before.acquires
	p.poolWait += after.poolWait - before.poolWait
	p.serverCPU += after.serverCPU - before.serverCPU
	p.clientCPU += after.clientCPU - before.clientCPU
	p.pgCPU += after.pgCPU.since(before.pgCPU)
	p.busyTime += after.machineBusy - before.machineBusy
}

// stats summarizes the measured slices.
func (p *phase) stats() Stats {
	all := slices.Clone(p.samples)
	slices.Sort(all)
	st := Stats{Requests: len(all), Failures: p.errs, Seconds: p.elapsed.Seconds()}
	if len(all) == 0 {
		return st
	}
	n := float64(len(all))
	st.Throughput = n / p.elapsed.Seconds()
	st.P50ms = ms(pct(all, 0.50))
	st.P95ms = ms(pct(all, 0.95))
	st.P99ms = ms(pct(all, 0.99))
	st.MaxMs = ms(all[len(all)-1])
	st.RoundTrips = float64(p.acquires) / n
	st.ServerCPUms = ms(p.serverCPU) / n
	st.ClientCPUms = ms(p.clientCPU) / n
	st.PGCPUms = ms(p.pgCPU) / n
	st.PoolWaitms = ms(p.poolWait) / n
	st.PeakRSSMB = math.Round(float64(p.peakRSS)/(1<<20)*10) / 10
	if p.busyTime > 0 {
		other := max(0, p.busyTime-p.serverCPU-p.clientCPU-p.pgCPU)
		st.OtherCPUPct = math.Round(1000*other.Seconds()/(p.elapsed.Seconds()*float64(runtime.NumCPU()))) / 10
	}
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
	// machineBusy is the non-idle CPU time of the whole machine (/proc/stat).
	machineBusy time.Duration
}

// machineBusy reads the machine's non-idle CPU time from /proc/stat.
func machineBusy() time.Duration {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return 0
	}
	// user, nice, system and steal (time another VM took). Interrupts are
	// left out: on loopback they are mostly this benchmark's own traffic.
	var busy int64
	for _, i := range []int{1, 2, 3, 8} {
		n, _ := strconv.ParseInt(f[i], 10, 64)
		busy += n
	}
	return time.Duration(busy) * time.Second / clockTick
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

// procStat reads a process's parent pid and user+system CPU time from /proc.
func procStat(pid int) (ppid int, cpu time.Duration, ok bool) {
	ppid, cpu, _, ok = procStatChildren(pid)
	return ppid, cpu, ok
}

// procStatChildren is procStat plus the CPU time of the process's children
// that have exited and been waited for.
func procStatChildren(pid int) (ppid int, cpu, children time.Duration, ok bool) {
	b, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return 0, 0, 0, false
	}
	// Fields after the parenthesized command name: state, ppid, …, utime
	// (the 12th after it), stime.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, 0, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 15 {
		return 0, 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	tick := func(k int) time.Duration {
		n, _ := strconv.ParseInt(f[k], 10, 64)
		return time.Duration(n) * time.Second / clockTick
	}
	return ppid, tick(11) + tick(12), tick(13) + tick(14), true
}

// pidCPU is one process's user+system CPU time.
func pidCPU(pid int) time.Duration {
	_, cpu, _ := procStat(pid)
	return cpu
}

// procCPU is the CPU time of a PostgreSQL server's processes, by pid; key
// -1 holds the exited children's (parallel workers come and go within a
// phase), which the postmaster accumulates.
type procCPU map[int]time.Duration

// postgresCPU reads the CPU time of the postmaster and its children (the
// benchmark's cluster only: other clusters on the machine are not counted).
func postgresCPU(postmaster int) procCPU {
	out := procCPU{}
	if postmaster <= 0 {
		return out
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return out
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, cpu, children, ok := procStatChildren(pid)
		if ok && (pid == postmaster || ppid == postmaster) {
			out[pid] = cpu
		}
		if ok && pid == postmaster {
			out[-1] = children
		}
	}
	return out
}

// since is the CPU the processes in p used after before: processes that
// started in between count whole, those that exited through the
// postmaster's children's time.
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
