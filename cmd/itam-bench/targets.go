package main

import "fmt"

// Issue 14's targets (reported, never fatal): ratios are measured in one
// run, at 8 clients, on 100,000 assets; the sorted and deep pages with
// one client.
const (
	targetClients        = 8
	targetW1PerPeer      = 4.0  // workload 1 throughput ≥ 4× PostGraphile's
	targetW1PerSQL       = 0.4  // … and ≥ 0.4× the SQL floor's
	targetW1P50ms        = 15.0 // workload 1 p50
	targetW1RSSMB        = 150.0
	targetCountsP50ms    = 60.0  // workload 4
	targetSearchP99ms    = 100.0 // workload 2
	targetLocationsP50ms = 100.0 // nested-locations
	targetPeopleP50ms    = 30.0  // nested-people
	targetPageP50ms      = 15.0  // every sorted and deep variant
)

// targets checks the results of the workloads that ran.
func targets(res *Results) []Target {
	var out []Target
	note := ""
	if res.Clients != targetClients {
		note = fmt.Sprintf("targets are for %d clients; this run used %d", targetClients, res.Clients)
	}
	atMost := func(name string, v, limit float64, note string) {
		out = append(out, Target{Name: name, Value: v, Limit: limit, Pass: v > 0 && v <= limit, Note: note})
	}
	atLeast := func(name string, v, limit float64, note string) {
		out = append(out, Target{Name: name, Value: v, Limit: limit, Pass: v >= limit, Note: note})
	}
	worst := map[string]WorkloadResult{}
	for _, r := range res.Workloads {
		switch r.Key {
		case "list":
			if r.Peer != nil {
				atLeast("W1 throughput itam ÷ PostGraphile ≥ 4", r.ItamPerPeer, targetW1PerPeer, note)
			} else {
				out = append(out, Target{Name: "W1 throughput itam ÷ PostGraphile ≥ 4", Limit: targetW1PerPeer, Note: "peer not run (-peers)"})
			}
			if r.SQL != nil {
				atLeast("W1 throughput itam ÷ sql floor ≥ 0.4", r.ItamPerSQL, targetW1PerSQL, note)
			}
			atMost("W1 p50 ms ≤ 15", r.Itam.P50ms, targetW1P50ms, note)
			if r.Itam.PeakRSSMB > 0 {
				atMost("W1 server peak RSS MB under load ≤ 150", r.Itam.PeakRSSMB, targetW1RSSMB, note)
			}
		case "counts":
			atMost("W4 assetCounts p50 ms ≤ 60", r.Itam.P50ms, targetCountsP50ms, note)
		case "search":
			atMost("W2 search p99 ms ≤ 100", r.Itam.P99ms, targetSearchP99ms, note)
		case "nested-locations":
			atMost("locations × assets totalCount p50 ms ≤ 100", r.Itam.P50ms, targetLocationsP50ms, note)
		case "nested-people":
			atMost("people × assets(5) p50 ms ≤ 30", r.Itam.P50ms, targetPeopleP50ms, note)
		case "sorted", "deep":
			if w, ok := worst[r.Key]; !ok || r.Itam.P50ms > w.Itam.P50ms {
				worst[r.Key] = r
			}
		}
	}
	for _, k := range []string{"sorted", "deep"} {
		if w, ok := worst[k]; ok {
			atMost(fmt.Sprintf("%s pages worst p50 ms ≤ 15 (%s)", k, w.Variant), w.Itam.P50ms, targetPageP50ms, "")
		}
	}
	return out
}
