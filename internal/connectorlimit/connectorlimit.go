// Package connectorlimit bounds how much vendor traffic an ADMIN can cause
// on demand. testConnector and syncConnector make the server call out to a
// URL the caller chose; without bounds, one GraphQL document of 200 aliased
// calls is 200 outbound requests, and a loop of them is a scanner.
package connectorlimit

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/itam-dev/itam/internal/itam"
)

// MaxPerRequest is how many testConnector and syncConnector calls one
// GraphQL request may hold, together.
const MaxPerRequest = 1

// CheckPerRequest refuses a request that holds n such calls when n is
// more than MaxPerRequest. Every one of them is refused, so the document
// does nothing instead of doing its first part.
func CheckPerRequest(n int) error {
	if n > MaxPerRequest {
		return itam.Invalid("", "at most %d testConnector or syncConnector per request; this one has %d: send them as separate requests", MaxPerRequest, n)
	}
	return nil
}

// Connection tests per connector: a burst of TestBurst, then one every
// TestEvery (so at most TestBurst + one a TestEvery in any stretch).
const (
	TestBurst = 5
	TestEvery = 12 * time.Second
)

// maxTracked bounds the limiter table; past it, limiters that are full
// again (their connector idle for a while) are dropped.
const maxTracked = 10_000

// TestLimiter holds one token bucket per connector. The zero value is
// ready to use. It is per process: several servers each allow their own
// rate, which is still a bound.
type TestLimiter struct {
	mu sync.Mutex
	m  map[uuid.UUID]*rate.Limiter
}

// Allow takes one test of connector id at now, or answers RATE_LIMITED
// with how long until the next one would be allowed.
func (l *TestLimiter) Allow(id uuid.UUID, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = map[uuid.UUID]*rate.Limiter{}
	}
	lim, ok := l.m[id]
	if !ok {
		if len(l.m) >= maxTracked {
			l.prune(now)
		}
		lim = rate.NewLimiter(rate.Every(TestEvery), TestBurst)
		l.m[id] = lim
	}
	r := lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		secs := time.Duration(math.Ceil(d.Seconds())) * time.Second
		return itam.RateLimited(secs, "this connector was tested too often: at most %d tests in a row, then one every %s; retry in %s",
			TestBurst, TestEvery, fmt.Sprint(secs))
	}
	return nil
}

func (l *TestLimiter) prune(now time.Time) {
	for id, lim := range l.m {
		if lim.TokensAt(now) >= TestBurst {
			delete(l.m, id)
		}
	}
}
