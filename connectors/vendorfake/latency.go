package vendorfake

import (
	"net/http"
	"time"
)

// Latency holds a request for d, as a distant vendor would, and reports
// false when the client gave up first (the fake then answers nothing).
func Latency(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
