// Package fakewire is the line protocol between itam-syncbench and its
// fakejamf child: one JSON Hello on start, one JSON Stats per "stats" line.
// Both sides use these types so the protocol cannot drift between them.
package fakewire

import (
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
)

// Hello is the first line fakejamf prints: where the fake listens, its
// credentials and its pid (for CPU accounting).
type Hello struct {
	URL          string `json:"url"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	PID          int    `json:"pid"`
}

// Stats is fakejamf's answer to "stats": the fake's counters and its Go
// runtime and resident memory figures.
type Stats struct {
	Jamf jamftest.Stats `json:"jamf"`
	// ServiceNow is set by fakeservicenow (syncbench -vendor servicenow).
	ServiceNow *servicenowtest.Stats `json:"servicenow,omitempty"`
	TotalAlloc uint64                `json:"totalAllocBytes"`
	Mallocs    uint64                `json:"mallocs"`
	NumGC      uint32                `json:"numGC"`
	HeapSys    uint64                `json:"heapSysBytes"`
	VmHWM      int64                 `json:"vmHWMBytes"`
	VmRSS      int64                 `json:"vmRSSBytes"`
}
