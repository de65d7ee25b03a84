package main

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"text/tabwriter"
)

// verify sends one request of w with fixed parameters to both sides and
// compares what they return.
func verify(ctx, pctx context.Context, gql *gqlClient, st stores, w workload, smp *samples, seed uint64) error {
	r := mrand.New(mrand.NewPCG(seed, 99))
	for attempt := 0; attempt < 5; attempt++ {
		p := w.gen(r, smp)
		data, err := gql.do(ctx, w.op, w.doc, w.vars(p))
		if err != nil {
			return err
		}
		sfp, err := w.serverFP(data)
		if err != nil {
			return err
		}
		var ffp []string
		if err := w.floor(pctx, st, p, &ffp); err != nil {
			return fmt.Errorf("floor: %w", err)
		}
		if !slices.Equal(sfp, ffp) {
			return fmt.Errorf("server and floor differ for %+v:\n server %d rows: %.400q\n floor  %d rows: %.400q", p, len(sfp), sfp, len(ffp), ffp)
		}
		if len(sfp) > 1 { // a non-trivial answer compared equal
			return nil
		}
	}
	return nil
}

func report(w io.Writer, res *Results) {
	fmt.Fprintf(w, "itam bench: %d assets, %d clients, %s per side in %d slices (+%s warmup), server %s, %d CPUs, %s, db pool max %d conns; seed %.1fs, vacuum %.1fs\n",
		res.Assets, res.Clients, res.Duration, res.Rounds, res.Warmup, res.Server, res.CPUs, res.GoVersion, res.PoolMax, res.SeedSeconds, res.VacuumSeconds)
	if len(res.ServerEnv) > 0 {
		fmt.Fprintf(w, "server environment: %s\n", strings.Join(res.ServerEnv, " "))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tside\treq\treq/s\tp50 ms\tp95 ms\tp99 ms\tRT/req\tpool wait ms/req\tGo CPU ms/req\tclient CPU ms/req\tpg CPU ms/req\tother procs CPU\t")
	for _, r := range res.Workloads {
		row := func(name, side string, s Stats) {
			client := "-"
			if s.ClientCPUms > 0 {
				client = fmt.Sprintf("%.2f", s.ClientCPUms)
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%.2f\t%.0f%%\t\n",
				name, side, s.Requests, s.Throughput, s.P50ms, s.P95ms, s.P99ms, s.RoundTrips, s.PoolWaitms, s.ServerCPUms, client, s.PGCPUms, s.OtherCPUPct)
		}
		row(r.Title, "server", r.Server)
		row("", "floor", r.Floor)
		fmt.Fprintf(tw, "\tserver/floor\t\t%.2f×\t%.2f×\t\t\t\t\t\t\t\t\t\n", r.ThroughputRatio, r.P50Ratio)
	}
	tw.Flush()
	worst := 0.0
	for _, r := range res.Workloads {
		worst = max(worst, r.Server.OtherCPUPct, r.Floor.OtherCPUPct)
	}
	if worst >= 10 {
		fmt.Fprintf(w, "WARNING: other processes used up to %.0f%% of the machine's CPU during a measurement; rerun on a quiet machine before trusting the ratios\n", worst)
	}
	for _, t := range res.Targets {
		verdict := "MISS"
		if t.Pass {
			verdict = "PASS"
		}
		note := ""
		if res.Clients != targetClients {
			note = fmt.Sprintf(" (targets are for %d clients; this run used %d)", targetClients, res.Clients)
		}
		fmt.Fprintf(w, "target %-40s %.2f (limit %.2f) %s%s\n", t.Name+":", t.Value, t.Limit, verdict, note)
	}
	if res.Failures > 0 {
		fmt.Fprintf(w, "FAILED REQUESTS: %d\n", res.Failures)
	} else {
		fmt.Fprintln(w, "failed requests: 0")
	}
}
