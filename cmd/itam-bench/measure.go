package main

// Driving the sides of each workload: the server ("itam"), the stores
// floor ("stores"), the SQL floor ("sql") and, with -peers, PostGraphile
// ("peer"), each warmed up, then measured in -rounds slices alternating
// with the others', so load other programs put on the machine falls on
// every side alike.

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Side names, in the order they are run and reported.
const (
	sideSQL    = "sql"
	sideStores = "stores"
	sideItam   = "itam"
	sidePeer   = "peer"
)

// rig is everything the sides of a workload run with.
type rig struct {
	o        options
	gql      *gqlClient
	st       stores
	sqlf     *sqlFloor
	smp      *samples
	pctx     context.Context // the principal the stores read as
	peer     *peerSide       // nil without -peers or when skipped
	fails    *failures
	itamCtr  func() counters
	floorCtr func() counters // the stores floor's (this process)
	sqlCtr   func() counters
	itamPID  int // the server process, for its RSS (0: in process)
	stderr   io.Writer
}

// peerSide is a running PostGraphile and its queries.
type peerSide struct {
	proc    *childProc
	gql     *gqlClient
	q       peerQueries
	counter func() counters
}

// verifyAll sends one request of each workload to every side and compares
// their data with the server's.
func (r *rig) verifyAll(ctx context.Context, wls []workload) error {
	for _, w := range wls {
		if err := verify(ctx, r, w); err != nil {
			return fmt.Errorf("verify %s %s: %w", w.op, w.variant, err)
		}
	}
	return nil
}

// explainSQL prints the plan of every SQL floor statement of wls, each
// run once with EXPLAIN (ANALYZE, BUFFERS), as the floor runs it.
func (r *rig) explainSQL(ctx context.Context, wls []workload) error {
	r.sqlf.explain = r.stderr
	defer func() { r.sqlf.explain = nil }()
	rnd := mrand.New(mrand.NewPCG(r.o.seed, 98))
	for _, w := range wls {
		if w.sql == nil {
			continue
		}
		fmt.Fprintf(r.stderr, "bench: sql floor plan of %s %s:\n", w.op, w.variant)
		// The JSON of an explained request is empty; only the plan matters.
		if err := w.sql(ctx, r.sqlf, w.gen(rnd, r.smp), nil); err != nil {
			return fmt.Errorf("explain %s: %w", w.op, err)
		}
	}
	return nil
}

// phases builds w's sides.
func (r *rig) phases(w workload) []*phase {
	ps := []*phase{}
	if w.sql != nil {
		ps = append(ps, &phase{name: sideSQL, fails: r.fails, counters: r.sqlCtr,
			op: func(ctx context.Context, rnd *mrand.Rand) error { return w.sql(ctx, r.sqlf, w.gen(rnd, r.smp), nil) }})
	}
	ps = append(ps, &phase{name: sideStores, fails: r.fails, counters: r.floorCtr,
		op: func(ctx context.Context, rnd *mrand.Rand) error { return w.floor(r.pctx, r.st, w.gen(rnd, r.smp), nil) }})
	ps = append(ps, &phase{name: sideItam, fails: r.fails, counters: r.itamCtr, pid: r.itamPID, cpuprofile: r.o.cpuprofile,
		op: func(ctx context.Context, rnd *mrand.Rand) error {
			_, err := r.gql.post(ctx, w.op, w.doc, w.variant, w.gen(rnd, r.smp), w.vars)
			return err
		}})
	if r.peer != nil {
		if doc, ok := r.peer.q.docs[w.peerKey]; ok && w.peerKey != "" {
			ps = append(ps, &phase{name: sidePeer, fails: r.fails, counters: r.peer.counter, pid: r.peer.proc.pid(),
				op: func(ctx context.Context, rnd *mrand.Rand) error {
					_, err := r.peer.gql.post(ctx, "", doc, "", peerParams(w.gen(rnd, r.smp)), peerVars)
					return err
				}})
		}
	}
	return ps
}

// peerParams keeps what the peer's queries take: its own cursor.
func peerParams(p params) params { return params{afterPeer: p.afterPeer} }

func peerVars(p params) map[string]any {
	if p.afterPeer == nil {
		return nil
	}
	return map[string]any{"after": *p.afterPeer}
}

// drive measures every side of every workload.
func (r *rig) drive(ctx context.Context, wls []workload, progress func(string, ...any)) ([]WorkloadResult, error) {
	var out []WorkloadResult
	for i, w := range wls {
		clients, d := r.o.clients, r.o.duration
		if w.clients > 0 {
			clients = w.clients
		}
		warmup := r.o.warmup
		if w.group != "" {
			d, warmup = r.o.groupDuration, min(warmup, r.o.groupDuration)
		}
		seedBase := r.o.seed*1000 + uint64(i)*10
		ps := r.phases(w)
		names := make([]string, len(ps))
		for k, p := range ps {
			names[k] = p.name
			p.name += " " + w.op + " " + w.variant
		}
		progress("%s %s: %s; %d clients, %s warmup then %s per side in %d alternating slices", w.op, w.variant, strings.Join(names, ", "), clients, warmup, d, r.o.rounds)
		for _, p := range ps {
			p.run(ctx, clients, warmup, seedBase, false)
		}
		for round := range r.o.rounds {
			for _, p := range ps {
				p.profileKey = w.key + strings.ReplaceAll(w.variant, " ", "_") + "-" + strconv.Itoa(round)
				p.run(ctx, clients, d/time.Duration(r.o.rounds), seedBase+uint64(round)+1, true)
			}
		}
		wr := WorkloadResult{Key: w.key, Group: w.group, Variant: w.variant, Title: w.title, Operation: w.op, Clients: clients}
		for _, p := range ps {
			st := p.stats()
			progress("%s: %-6s %s", w.op+" "+w.variant, names[slices.Index(ps, p)], st)
			switch names[slices.Index(ps, p)] {
			case sideItam:
				wr.Itam = st
			case sideStores:
				wr.Stores = &st
			case sideSQL:
				wr.SQL = &st
			case sidePeer:
				wr.Peer, wr.PeerNote = &st, r.peer.q.notes[w.peerKey]
			}
		}
		wr.ratios()
		out = append(out, wr)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

// ratios fills itam's throughput relative to the other sides.
func (wr *WorkloadResult) ratios() {
	div := func(s *Stats) float64 {
		if s == nil || s.Throughput == 0 {
			return 0
		}
		return round3(wr.Itam.Throughput / s.Throughput)
	}
	wr.ItamPerSQL, wr.ItamPerStores, wr.ItamPerPeer = div(wr.SQL), div(wr.Stores), div(wr.Peer)
}

// profile starts a CPU profile of this process for the server's slice
// (with -server=inprocess, where the server runs here); stop ends it.
func profile(base, key string) (stop func()) {
	f, err := os.OpenFile(profileName(base, key), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return func() {}
	}
	if pprof.StartCPUProfile(f) != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// resetPeakRSS starts a new peak-RSS window of a child process (writing 5
// to clear_refs resets VmHWM); peakRSS reads it, in bytes.
func resetPeakRSS(pid int) {
	_ = os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

func peakRSS(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
