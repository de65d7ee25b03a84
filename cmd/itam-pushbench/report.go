package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Results is what the bench measured (-out writes it as JSON).
type Results struct {
	Started   time.Time `json:"started"`
	GoVersion string    `json:"go_version"`
	CPUs      int       `json:"cpus"`
	Changes   int       `json:"changes"`
	CIs       int       `json:"cis"`
	Rate      int       `json:"rate_per_second"`
	LoadStart string    `json:"loadavg_start"`
	LoadEnd   string    `json:"loadavg_end"`
	// Apply is the time the changes took to commit; AllHeld when the fake
	// first held every new assignee; Wall when, besides, no push job was
	// left (all three from the first change).
	Apply      time.Duration `json:"apply_ns"`
	AllHeld    time.Duration `json:"all_held_ns"`
	Wall       time.Duration `json:"wall_ns"`
	Held       int           `json:"held"`
	Throttled  int           `json:"throttled_429"`
	Vendor     VendorCounts  `json:"vendor"`
	Jobs       jobCounts     `json:"jobs"`
	PushErrors int           `json:"push_errors"`
	SetupRSS   int64         `json:"setup_rss_bytes"`
	PeakRSS    int64         `json:"peak_rss_bytes"`
	Targets    []line        `json:"targets"`
	Checks     []line        `json:"checks"`
}

// jobCounts are the connector.push jobs as River left them.
type jobCounts struct {
	Total     int `json:"total"`
	Completed int `json:"completed"`
	Ended     int `json:"cancelled_or_discarded"`
	Retried   int `json:"retried"` // jobs with at least one failed attempt
	Errors    int `json:"errors"`  // failed attempts
	Snoozed   int `json:"snoozed"` // jobs snoozed at least once (rate limit past the inline bound, or changed while pushing)
	Snoozes   int `json:"snoozes"`
}

type line struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
	OK     bool   `json:"ok"`
}

// judge fills the target (PASS/MISS) and the checks, and returns a
// message naming the failed checks: a push lost, doubled or refused.
func judge(res *Results) string {
	scaled := ""
	if res.Changes != targetChanges || res.Rate != targetRate {
		scaled = fmt.Sprintf(" (target set for %d changes at %d req/s)", targetChanges, targetRate)
	}
	res.Targets = append(res.Targets, line{Name: fmt.Sprintf("%d assignee changes pushed through %d req/s%s", res.Changes, res.Rate, scaled),
		Value: secs(res.Wall), Target: "≤ " + secs(targetWall), OK: res.Held == res.Changes && res.Wall <= targetWall})
	var failed []string
	check := func(name string, ok bool, note string) {
		res.Checks = append(res.Checks, line{Name: name, Value: note, OK: ok})
		if !ok {
			failed = append(failed, name)
		}
	}
	v := res.Vendor
	check("the fake holds every new assignee", res.Held == res.Changes, fmt.Sprintf("%d of %d", res.Held, res.Changes))
	check("one PATCH answered 2xx per changed record, none twice", v.PatchOK == res.Changes && v.RecordsPatched == res.Changes && v.Duplicates == 0,
		fmt.Sprintf("%d PATCHes 2xx over %d records, %d duplicates", v.PatchOK, v.RecordsPatched, v.Duplicates))
	check("every push job completed", res.Jobs.Completed == res.Jobs.Total && res.Jobs.Total == res.Changes,
		fmt.Sprintf("%d of %d completed, %d cancelled or discarded", res.Jobs.Completed, res.Jobs.Total, res.Jobs.Ended))
	check("no push refused", res.PushErrors == 0 && v.PatchOther == 0, fmt.Sprintf("%d push errors, %d PATCHes answered neither 2xx nor 429", res.PushErrors, v.PatchOther))
	if len(failed) > 0 {
		return "check failed: " + strings.Join(failed, "; ")
	}
	return ""
}

func report(w io.Writer, res *Results) {
	v := res.Vendor
	fmt.Fprintf(w, "pushbench: %d assignee changes to a SERVICENOW connector (pushFields [ASSIGNEE], OAuth client credentials), %d CIs, fake instance limiting to %d req/s (429 + Retry-After beyond); %s, %d CPUs\n",
		res.Changes, res.CIs, res.Rate, res.GoVersion, res.CPUs)
	fmt.Fprintf(w, "load average at start %s, at end %s\n\n", res.LoadStart, res.LoadEnd)
	floor := time.Duration(float64(v.Requests2xx) / float64(res.Rate) * float64(time.Second))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  changes committed (one transaction each)\t%s\n", secs(res.Apply))
	fmt.Fprintf(tw, "  fake held every new assignee\t%s\n", secs(res.AllHeld))
	fmt.Fprintf(tw, "  total wall time (held + no push job left)\t%s\n", secs(res.Wall))
	fmt.Fprintf(tw, "  pushes/s\t%.1f\n", float64(res.Held)/res.Wall.Seconds())
	fmt.Fprintf(tw, "  floor at %d req/s for the %d successful requests\t%s\n", res.Rate, v.Requests2xx, secs(floor))
	fmt.Fprintf(tw, "  PATCHes (alone or in a batch)\t%d answered 2xx over %d records (%d duplicates), %d answered 429, %d other\n", v.PatchOK, v.RecordsPatched, v.Duplicates, v.Patch429, v.PatchOther)
	fmt.Fprintf(tw, "  Batch API requests\t%d answered 2xx carrying %d calls, %d answered 429\n", v.BatchOK, v.BatchCalls, v.Batch429)
	fmt.Fprintf(tw, "  sys_user lookups (assignee by email)\t%d answered 2xx, %d answered 429\n", v.LookupOK, v.Lookup429)
	fmt.Fprintf(tw, "  token requests, other requests\t%d, %d\n", v.Tokens, v.Other)
	fmt.Fprintf(tw, "  429s sent by the fake (each retried inline after Retry-After)\t%d\n", res.Throttled)
	fmt.Fprintf(tw, "  push jobs\t%d: %d completed, %d cancelled/discarded, %d retried (%d failed attempts), %d snoozed (%d snoozes)\n",
		res.Jobs.Total, res.Jobs.Completed, res.Jobs.Ended, res.Jobs.Retried, res.Jobs.Errors, res.Jobs.Snoozed, res.Jobs.Snoozes)
	fmt.Fprintf(tw, "  push errors recorded\t%d\n", res.PushErrors)
	fmt.Fprintf(tw, "  peak RSS (itam and the in-process fake)\t%s (at setup end %s)\n", mb(res.PeakRSS), mb(res.SetupRSS))
	tw.Flush()
	fmt.Fprintln(w, "\ntargets:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range res.Targets {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, t.Value, t.Target, map[bool]string{true: "PASS", false: "MISS"}[t.OK])
	}
	tw.Flush()
	fmt.Fprintln(w, "checks:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range res.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, map[bool]string{true: "ok", false: "FAIL"}[c.OK], c.Value)
	}
	tw.Flush()
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func mb(b int64) string { return fmt.Sprintf("%.0fMB", float64(b)/(1<<20)) }
