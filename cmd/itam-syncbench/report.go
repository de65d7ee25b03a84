package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// judge fills the targets (PASS/MISS) and checks (correctness) and returns
// a non-empty message when a check failed.
func judge(res *Results, o options) string {
	var first, again *Phase
	for _, p := range res.Phases {
		switch {
		case p.Run == nil:
		case strings.HasPrefix(p.Name, "first"):
			first = p
		default:
			again = p
		}
	}
	scaled := ""
	if o.computers != targetAtCount {
		scaled = fmt.Sprintf(" (target set for %d)", targetAtCount)
	}
	target := func(name string, value, limit time.Duration, ok bool) {
		res.Targets = append(res.Targets, targetLine{Name: name, Value: secs(value), Target: "< " + secs(limit), Pass: ok && value < limit})
	}
	records, fakeName, rssLimit := "computers", "fake Jamf", int64(targetPeakRSS)
	firstLimit, resyncLimit := targetFirstJamf, targetResyncJamf
	if o.vendor == vendorServiceNow {
		firstLimit, resyncLimit = targetFirst, targetResync
		records, fakeName, rssLimit = "ServiceNow CIs (pages of "+fmt.Sprint(o.pageSize)+")", "fake ServiceNow", targetPeakRSSServiceNow
	}
	if first != nil {
		target(fmt.Sprintf("first full sync of %d %s%s", o.computers, records, scaled), first.Wall, firstLimit, true)
	}
	if again != nil {
		target("unchanged re-sync"+scaled, again.Wall, resyncLimit, true)
	}
	res.Targets = append(res.Targets, targetLine{Name: "peak RSS of the itam process" + map[bool]string{true: " (" + fakeName + " included: -fake inprocess)", false: ""}[o.fake == "inprocess"],
		Value: mb(res.ProcessRSS), Target: "< " + mb(rssLimit), Pass: res.ProcessRSS > 0 && res.ProcessRSS < rssLimit})

	// A ServiceNow run also reads the sys_user directory when the engine
	// has a people phase: those records count as seen too.
	sawEvery := func(seen int) bool {
		if o.vendor == vendorServiceNow {
			return seen >= o.computers
		}
		return seen == o.computers
	}
	var failed []string
	check := func(name string, ok bool, note string) {
		res.Checks = append(res.Checks, checkLine{Name: name, OK: ok, Note: note})
		if !ok {
			failed = append(failed, name)
		}
	}
	if first != nil {
		r := first.Run
		check("first sync SUCCEEDED with no record errors", r.Status == itam.SyncSucceeded && r.ErrorCount == 0,
			fmt.Sprintf("%s, %d errors%s", r.Status, r.ErrorCount, firstError(r)))
		check("first sync saw every computer", sawEvery(r.RecordsSeen), fmt.Sprintf("%d of %d", r.RecordsSeen, o.computers))
		check("first sync's created count = assets in the database", r.Created == first.Assets, fmt.Sprintf("created %d, assets %d", r.Created, first.Assets))
		if o.vendor == vendorServiceNow {
			check("first sync made one asset per CI", first.Assets == o.computers, fmt.Sprintf("%d assets, %d CIs", first.Assets, o.computers))
		}
	}
	if again != nil {
		r := again.Run
		check("re-sync SUCCEEDED with no record errors", r.Status == itam.SyncSucceeded && r.ErrorCount == 0,
			fmt.Sprintf("%s, %d errors%s", r.Status, r.ErrorCount, firstError(r)))
		check("re-sync saw every computer", sawEvery(r.RecordsSeen), fmt.Sprintf("%d of %d", r.RecordsSeen, o.computers))
		check("re-sync created 0 and updated 0", r.Created == 0 && r.Updated == 0, fmt.Sprintf("created %d, updated %d, unchanged %d", r.Created, r.Updated, r.Unchanged))
		check("re-sync wrote no asset_history", again.HistoryDelta == 0, fmt.Sprintf("%+d rows", again.HistoryDelta))
		if first != nil {
			check("re-sync left the asset count alone", again.Assets == first.Assets, fmt.Sprintf("%d → %d", first.Assets, again.Assets))
		}
	}
	if len(failed) > 0 {
		return "check failed: " + strings.Join(failed, "; ")
	}
	return ""
}

func firstError(r *itam.SyncRun) string {
	if r.ErrorCount == 0 || len(r.Errors) == 0 {
		return ""
	}
	return fmt.Sprintf(" (first: %s: %s)", r.Errors[0].ExternalID, r.Errors[0].Message)
}

func report(w io.Writer, res *Results, o options) {
	what := "computers with applications"
	if o.vendor == vendorServiceNow {
		what = "ServiceNow CIs (cmdb_ci_computer, OAuth client credentials)"
	}
	fmt.Fprintf(w, "syncbench: %d %s, pageSize %d, fake %s; %s, GOGC %s, %d CPUs\n",
		res.Computers, what, res.PageSize, map[string]string{"child": "in a child process", "inprocess": "in this process"}[res.Fake], res.GoVersion, res.GOGC, res.CPUs)
	fmt.Fprintf(w, "PostgreSQL %s (%s)\n", res.Postgres, res.PGSettings)
	fmt.Fprintf(w, "load average at start %s, at end %s\n\n", res.LoadStart, res.LoadEnd)

	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\twall\trun (db)\trecords/s\tpages\tseen\tcreated\tupdated\tunchanged\terrors\thistory +\tpeak RSS\tpeak heap\talloc\tGCs\tCPU itam\tCPU pg\tCPU fake\tload 1m\t")
	for _, p := range res.Phases {
		r := p.Run
		if r == nil {
			fmt.Fprintf(tw, "%s\t%s\tFAILED\t\t\t\t\t\t\t\t\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", p.Name, secs(p.Wall), mb(p.PeakRSS),
				mb(int64(p.Mem.PeakHeapLive)), mb(int64(p.Mem.TotalAlloc)), p.Mem.NumGC, secs(p.CPU.Itam), secs(p.CPU.PG), secs(p.CPU.Fake), load1(p.LoadEnd))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n",
			p.Name, secs(p.Wall), secs(p.DBDuration), p.RecordsPerSec, r.PagesFetched, r.RecordsSeen, r.Created, r.Updated, r.Unchanged,
			r.ErrorCount, p.HistoryDelta, mb(p.PeakRSS), mb(int64(p.Mem.PeakHeapLive)), mb(int64(p.Mem.TotalAlloc)), p.Mem.NumGC,
			secs(p.CPU.Itam), secs(p.CPU.PG), fakeCPU(p.CPU.Fake, o), load1(p.LoadStart)+"→"+load1(p.LoadEnd))
	}
	tw.Flush()
	fmt.Fprintf(w, "\npeak RSS of the itam process: %s overall (setup %s); peak RSS is VmHWM, reset at each phase's start; peak heap is Go's live heap objects, sampled every 20 ms\n",
		mb(res.ProcessRSS), mb(res.SetupRSS))
	if f := res.FakeStats; f != nil && f.ServiceNow != nil {
		where := "child process, not included above"
		if f.InProcess {
			where = "in this process, its memory and CPU included above"
		}
		fmt.Fprintf(w, "fake ServiceNow (%s): %d requests, %d list pages, %d records served, %d tokens; peak RSS %s, allocated %s in %d GCs, CPU %s\n",
			where, f.ServiceNow.Requests, f.ServiceNow.Lists, f.ServiceNow.Records, f.ServiceNow.Tokens, mb(f.VmHWM), mb(int64(f.TotalAlloc)), f.NumGC, secs(f.CPU))
	} else if f != nil {
		if f.InProcess {
			fmt.Fprintf(w, "fake Jamf Pro (in this process, its memory and CPU included above): %d inventory requests, %d tokens\n",
				f.Jamf.InventoryRequests, f.Jamf.TokensIssued)
		} else {
			fmt.Fprintf(w, "fake Jamf Pro (child process, not included above): %d inventory requests, %d tokens; peak RSS %s, allocated %s in %d GCs, CPU %s\n",
				f.Jamf.InventoryRequests, f.Jamf.TokensIssued, mb(f.VmHWM), mb(int64(f.TotalAlloc)), f.NumGC, secs(f.CPU))
		}
	}
	for _, p := range res.Phases {
		if line := pageLine(p); line != "" {
			fmt.Fprintf(w, "%s pages: %s\n", p.Name, line)
		}
	}
	for _, p := range res.Phases {
		if len(p.Tables) == 0 && len(p.Statements) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s — rows written and autovacuum runs (pg_stat_user_tables):\n", p.Name)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "table\tinserted\tupdated\t(HOT)\tdeleted\tautovacuums\tautoanalyzes\t")
		for _, t := range p.Tables {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", t.Table, t.Inserted, t.Updated, t.HOT, t.Deleted, t.Autovacuums, t.Autoanalyzes)
		}
		tw.Flush()
		if len(p.Statements) > 0 {
			fmt.Fprintf(w, "%s — top statements by execution time (pg_stat_statements; all statements: %s):\n", p.Name, secs(time.Duration(p.StmtTotalMS*float64(time.Millisecond))))
			tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "total\tshare\tcalls\tmean ms\trows\tstatement")
			for _, s := range p.Statements {
				share := 0.0
				if p.StmtTotalMS > 0 {
					share = 100 * s.TotalMS / p.StmtTotalMS
				}
				fmt.Fprintf(tw, "%s\t%.0f%%\t%d\t%.3f\t%d\t%s\n", secs(time.Duration(s.TotalMS*float64(time.Millisecond))), share, s.Calls, s.MeanMS, s.Rows, oneLine(s.Query, 110))
			}
			tw.Flush()
		}
	}

	fmt.Fprintln(w, "\ntargets:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, t := range res.Targets {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", t.Name, t.Value, t.Target, map[bool]string{true: "PASS", false: "MISS"}[t.Pass])
	}
	tw.Flush()
	fmt.Fprintln(w, "checks:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range res.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Name, map[bool]string{true: "ok", false: "FAIL"}[c.OK], c.Note)
	}
	tw.Flush()
}

func fakeCPU(d time.Duration, o options) string {
	if o.fake == "inprocess" {
		return "(in itam)"
	}
	return secs(d)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }

func mb(b int64) string { return fmt.Sprintf("%.0fMB", float64(b)/(1<<20)) }

func load1(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return s
}

// pageLine summarizes how long each page took (from one page's commit to
// the next; the first from SyncConnector).
func pageLine(p *Phase) string {
	if len(p.PageDone) == 0 {
		return ""
	}
	var d []time.Duration
	prev := time.Duration(0)
	for _, t := range p.PageDone {
		d = append(d, t-prev)
		prev = t
	}
	sorted := slices.Clone(d)
	slices.Sort(sorted)
	slowest := slices.Index(d, sorted[len(sorted)-1])
	var each []string
	for _, x := range d {
		each = append(each, fmt.Sprintf("%.1f", x.Seconds()))
	}
	return fmt.Sprintf("min %s, median %s, max %s (page %d); each (s): %s", secs(sorted[0]), secs(sorted[len(sorted)/2]),
		secs(sorted[len(sorted)-1]), slowest+1, strings.Join(each, " "))
}
