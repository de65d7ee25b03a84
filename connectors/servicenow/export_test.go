package servicenow

import (
	"time"

	"github.com/itam-dev/itam/connectors"
)

// SetClock makes src judge token expiry on now (tests advance it by hand).
func SetClock(src connectors.Source, now func() time.Time) { src.(*source).now = now }

// IsolateRefs gives src a reference cache of its own, so a test's lookup
// counts do not depend on what other tests (or an earlier fake on the same
// port) resolved.
func IsolateRefs(src connectors.Source) {
	src.(*source).refs = &refCache{m: map[string]refEntry{}, now: time.Now}
}
