package jamf

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// rsqlTime formats an RSQL bound: Jamf compares timestamps against an
// ISO 8601 UTC timestamp with a Z (it rejects a numeric offset such as
// +00:00); quoting follows its RSQL guide.
func rsqlTime(t time.Time) string {
	return `"` + t.UTC().Format("2006-01-02T15:04:05.000Z") + `"`
}

// computerFilter is the RSQL filter of a computers page: the key bound
// and, for an incremental run, "reported inventory or last contacted
// since", contact naming the last-contact field ("" for reportDate only).
// The OR is distributed over the key bound ((k;a),(k;b)) rather than
// grouped with parentheses: RSQL gives ";" precedence over ",", and the
// flat form needs no grouping support.
func computerFilter(after int, since *time.Time, contact string) string {
	key := "id>" + strconv.Itoa(after)
	if since == nil {
		return key
	}
	bound := rsqlTime(*since)
	out := key + ";general.reportDate>=" + bound
	if contact != "" {
		out += "," + key + ";" + contact + ">=" + bound
	}
	return out
}

// contactFields are the names to filter the last contact by, per
// computers-inventory version, in the order tried: general.lastContactTime
// is in the documented list of filterable fields for /v1–/v3; /v4 names
// the field general.lastContact in its records, and its filter name is
// not in the documentation we could read, so /v4 tries that name, then
// the older one. "" (reportDate only, the last resort) keeps incremental
// syncs working on a server that refuses both, at the cost of check-ins.
func contactFields(version string) []string {
	if version == "v4" {
		return []string{"general.lastContact", "general.lastContactTime", ""}
	}
	return []string{"general.lastContactTime", ""}
}

// contactField is the last-contact field an incremental filter uses with
// version.
func (s *Source) contactField(version string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := contactFields(version)
	return f[min(s.contactSkip[version], len(f)-1)]
}

// dropContactField moves version to the next last-contact field name after
// the server refused a filter with the current one (400); false when
// there is none left, and the refusal is the run's error.
func (s *Source) dropContactField(version string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := contactFields(version)
	i := s.contactSkip[version]
	if i >= len(f)-1 {
		return false
	}
	if s.contactSkip == nil {
		s.contactSkip = map[string]int{}
	}
	s.contactSkip[version] = i + 1
	if next := f[i+1]; next != "" {
		s.log.Info("jamf: the server refused filtering on the last contact, trying another name", "version", version, "refused", f[i], "next", next)
	} else {
		s.log.Warn("jamf: the server refuses filtering on the last contact: incremental syncs read only computers with a new inventory report",
			"version", version, "refused", f[i])
	}
	return true
}

func isBadRequest(err error) bool {
	var se *connectors.StatusError
	return errors.As(err, &se) && se.Status == http.StatusBadRequest
}
