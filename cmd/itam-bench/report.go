package main

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/itam-dev/itam/internal/seed"
)

// Results is what -out writes.
type Results struct {
	Started       time.Time        `json:"started"`
	GoVersion     string           `json:"go_version"`
	CPUs          int              `json:"cpus"`
	Server        string           `json:"server"`
	Assets        int              `json:"assets"`
	Clients       int              `json:"clients"`
	Duration      string           `json:"duration"`
	Warmup        string           `json:"warmup"`
	Rounds        int              `json:"rounds"`
	GroupDuration string           `json:"group_duration"`
	Peer          string           `json:"peer,omitempty"` // how the peer ran, or why not
	PoolMax       int32            `json:"db_pool_max_conns"`
	SeedSeconds   float64          `json:"seed_seconds"`
	VacuumSeconds float64          `json:"vacuum_seconds"`
	ServerEnv     []string         `json:"server_env,omitempty"`
	Seeded        seed.Counts      `json:"seeded"`
	Workloads     []WorkloadResult `json:"workloads"`
	Targets       []Target         `json:"targets"`
	Failures      int64            `json:"failures"`
}

// WorkloadResult is every side's numbers for one workload (or one variant
// of a group).
type WorkloadResult struct {
	Key       string `json:"key"`
	Group     string `json:"group,omitempty"`
	Variant   string `json:"variant,omitempty"`
	Title     string `json:"title"`
	Operation string `json:"operation"`
	Clients   int    `json:"clients"`
	Itam      Stats  `json:"itam"`
	Stores    *Stats `json:"stores,omitempty"`
	SQL       *Stats `json:"sql,omitempty"`
	Peer      *Stats `json:"peer,omitempty"`
	PeerNote  string `json:"peer_note,omitempty"`
	// itam's throughput divided by each other side's (0: side not run).
	ItamPerSQL    float64 `json:"itam_per_sql,omitempty"`
	ItamPerStores float64 `json:"itam_per_stores,omitempty"`
	ItamPerPeer   float64 `json:"itam_per_peer,omitempty"`
}

// Target is one checked goal of issue 14.
type Target struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	Pass  bool    `json:"pass"`
	Note  string  `json:"note,omitempty"`
}

// verify sends one request of w with fixed parameters to every side and
// compares what they return with the server's answer.
func verify(ctx context.Context, r *rig, w workload) error {
	rnd := mrand.New(mrand.NewPCG(r.o.seed, 99))
	for attempt := 0; attempt < 5; attempt++ {
		p := w.gen(rnd, r.smp)
		data, err := r.gql.do(ctx, w.op, w.doc, w.vars(p))
		if err != nil {
			return err
		}
		sfp, err := w.serverFP(data)
		if err != nil {
			return err
		}
		var ffp []string
		if err := w.floor(r.pctx, r.st, p, &ffp); err != nil {
			return fmt.Errorf("stores floor: %w", err)
		}
		if err := same("stores floor", p, sfp, ffp); err != nil {
			return err
		}
		if w.sql != nil {
			var qfp []string
			if err := w.sql(ctx, r.sqlf, p, &qfp); err != nil {
				return err
			}
			if err := same("sql floor", p, sfp, qfp); err != nil {
				return err
			}
		}
		if r.peer != nil && w.peerKey != "" {
			if doc, ok := r.peer.q.docs[w.peerKey]; ok {
				if err := verifyPeer(ctx, r, w, doc, p, sfp); err != nil {
					// The peer is a reference, not the subject: drop it
					// from this workload and say so rather than fail.
					fmt.Fprintf(r.stderr, "bench: peer: PostGraphile left out of %s: %v\n", w.key, err)
					delete(r.peer.q.docs, w.peerKey)
				}
			}
		}
		if len(sfp) > 1 { // a non-trivial answer compared equal
			return nil
		}
	}
	return nil
}

func verifyPeer(ctx context.Context, r *rig, w workload, doc string, p params, sfp []string) error {
	data, err := r.peer.gql.do(ctx, "", doc, peerVars(peerParams(p)))
	if err != nil {
		return err
	}
	pfp, err := r.peer.q.fps[w.peerKey](data)
	if err != nil {
		return err
	}
	if w.peerKey == "nested-locations" { // see its note: same locations, other counts
		sfp = namesOnly(sfp)
	}
	return same("PostGraphile", p, sfp, pfp)
}

func same(side string, p params, server, other []string) error {
	if slices.Equal(server, other) {
		return nil
	}
	return fmt.Errorf("server and %s differ for %+v:\n server %d rows: %.400q\n %s %d rows: %.400q", side, p, len(server), server, side, len(other), other)
}

func report(w io.Writer, res *Results) {
	fmt.Fprintf(w, "itam bench: %d assets, %d clients, %s per side in %d slices (+%s warmup; sorted/deep variants %s, 1 client), server %s, %d CPUs, %s, db pool max %d conns; seed %.1fs, vacuum %.1fs\n",
		res.Assets, res.Clients, res.Duration, res.Rounds, res.Warmup, res.GroupDuration, res.Server, res.CPUs, res.GoVersion, res.PoolMax, res.SeedSeconds, res.VacuumSeconds)
	if len(res.ServerEnv) > 0 {
		fmt.Fprintf(w, "server environment: %s\n", strings.Join(res.ServerEnv, " "))
	}
	fmt.Fprintln(w, "sides: sql = one hand-written statement per request through pgx as itam_app under RLS, JSON-encoded; stores = the server's store calls in process;")
	fmt.Fprintln(w, "       itam = the server over HTTP; peer = PostGraphile 5.1.5 (amber, owner role: no RLS). CPU per request: serving process (this one for the floors), client, PostgreSQL.")
	if res.Peer != "" {
		fmt.Fprintf(w, "peer: %s\n", res.Peer)
	}
	var groups []string
	for _, r := range res.Workloads {
		if r.Group != "" {
			if !slices.Contains(groups, r.Group) {
				groups = append(groups, r.Group)
			}
			continue
		}
		fmt.Fprintf(w, "\n%s (%s, %d clients)\n", r.Title, r.Operation, r.Clients)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "side\treq\treq/s\tp50 ms\tp95 ms\tp99 ms\tRT/req\tserving CPU ms/req\tclient CPU ms/req\tpg CPU ms/req\tpeak RSS MB\tother procs CPU\titam ÷ side\t")
		row := func(side string, s *Stats, ratio float64) {
			if s == nil {
				return
			}
			client, rss, rat, rt := "-", "-", "-", "-"
			if s.RoundTrips > 0 {
				rt = fmt.Sprintf("%.2f", s.RoundTrips)
			}
			if s.ClientCPUms > 0 {
				client = fmt.Sprintf("%.2f", s.ClientCPUms)
			}
			if s.PeakRSSMB > 0 {
				rss = fmt.Sprintf("%.0f", s.PeakRSSMB)
			}
			if ratio > 0 {
				rat = fmt.Sprintf("%.2f×", ratio)
			}
			fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%s\t%.2f\t%s\t%.2f\t%s\t%.0f%%\t%s\t\n",
				side, s.Requests, s.Throughput, s.P50ms, s.P95ms, s.P99ms, rt, s.ServerCPUms, client, s.PGCPUms, rss, s.OtherCPUPct, rat)
		}
		row(sideSQL, r.SQL, r.ItamPerSQL)
		row(sideStores, r.Stores, r.ItamPerStores)
		row(sideItam, &r.Itam, 0)
		row(sidePeer, r.Peer, r.ItamPerPeer)
		tw.Flush()
		if r.PeerNote != "" {
			fmt.Fprintf(w, "  peer note: %s\n", r.PeerNote)
		}
	}
	for _, g := range groups {
		fmt.Fprintf(w, "\n%s: p50 ms per variant, 1 client\n", g)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "variant\tsql p50\tstores p50\titam p50\titam p99\titam req/s\titam ÷ sql\titam pg CPU ms/req\t")
		for _, r := range res.Workloads {
			if r.Group != g {
				continue
			}
			p50 := func(s *Stats) string {
				if s == nil {
					return "-"
				}
				return fmt.Sprintf("%.2f", s.P50ms)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%.2f\t%.0f\t%.2f×\t%.2f\t\n", r.Variant, p50(r.SQL), p50(r.Stores), r.Itam.P50ms, r.Itam.P99ms, r.Itam.Throughput, r.ItamPerSQL, r.Itam.PGCPUms)
		}
		tw.Flush()
	}
	fmt.Fprintln(w)
	worst := 0.0
	for _, r := range res.Workloads {
		for _, s := range []*Stats{&r.Itam, r.Stores, r.SQL, r.Peer} {
			if s != nil {
				worst = max(worst, s.OtherCPUPct)
			}
		}
	}
	if worst >= 10 {
		fmt.Fprintf(w, "WARNING: other processes used up to %.0f%% of the machine's CPU during a measurement; rerun on a quiet machine before trusting the ratios\n", worst)
	}
	for _, t := range res.Targets {
		verdict := "MISS"
		if t.Pass {
			verdict = "PASS"
		}
		if t.Note != "" {
			verdict += " (" + t.Note + ")"
		}
		fmt.Fprintf(w, "target %-52s %8.2f (limit %.2f) %s\n", t.Name+":", t.Value, t.Limit, verdict)
	}
	if res.Failures > 0 {
		fmt.Fprintf(w, "FAILED REQUESTS: %d\n", res.Failures)
	} else {
		fmt.Fprintln(w, "failed requests: 0")
	}
}

func profileName(base, key string) string {
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		return base[:i] + "-" + key + base[i:]
	}
	return base + "-" + key
}

func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }
