package kandji

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// Kandji allows 10,000 API requests per hour per customer (api-docs.kandji.io,
// "Rate Limits"), shared by every integration of the tenant. The connector
// keeps its own count below that so a large tenant's sync snoozes before
// Kandji starts answering 429 to everything else the customer runs.

const (
	// DefaultHourlyRequestBudget leaves 1,000 of Kandji's 10,000 requests per
	// hour to the customer's other integrations.
	DefaultHourlyRequestBudget = 9000
	// MaxHourlyRequestBudget is Kandji's documented limit.
	MaxHourlyRequestBudget = 10000

	budgetWindow = time.Hour
)

// budget is a sliding one-hour window of request times: at most limit
// requests in any hour. A sliding window is never more generous than the
// vendor's own counting, whichever way it aligns its hours.
type budget struct {
	now func() time.Time

	mu    sync.Mutex
	limit int
	// stamps are the times of the requests still in the window, oldest
	// first (a queue: dropped from the front, appended at the back).
	stamps []time.Time
}

func newBudget(limit int, now func() time.Time) *budget {
	return &budget{now: now, limit: limit}
}

// take counts one request, or returns a *connectors.RateLimitError saying
// when enough requests will have left the window for this one.
func (b *budget) take() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	for len(b.stamps) > 0 && !b.stamps[0].Add(budgetWindow).After(now) {
		b.stamps = b.stamps[1:]
	}
	if over := len(b.stamps) - b.limit; over >= 0 {
		return &connectors.RateLimitError{RetryAfter: b.stamps[over].Add(budgetWindow).Sub(now)}
	}
	b.stamps = append(b.stamps, now)
	return nil
}

// setLimit changes the limit (a connector's option was edited); requests
// already counted stay counted.
func (b *budget) setLimit(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.limit = n
}

// budgets holds one budget per Kandji tenant and API token for the whole
// process: every connector and every job with that token draws from it.
// The token is part of the key so that another itam organisation naming
// the same tenant URL (with a token of its own, or a wrong one) can neither
// spend this budget nor change its limit.
var budgets = struct {
	mu sync.Mutex
	m  map[string]*budget
}{m: map[string]*budget{}}

// budgetFor returns the budget of tenant and token, created with limit or
// moved to it. Only a digest of the token is kept as the key.
func budgetFor(tenant, token string, limit int) *budget {
	sum := sha256.Sum256([]byte(token))
	key := tenant + "\x00" + hex.EncodeToString(sum[:])
	budgets.mu.Lock()
	defer budgets.mu.Unlock()
	b, ok := budgets.m[key]
	if !ok {
		b = newBudget(limit, time.Now)
		budgets.m[key] = b
		return b
	}
	b.setLimit(limit)
	return b
}

// budgeted counts every request attempt against the tenant's budget. It
// sits in the Authenticator because vendorhttp asks it for the header
// once per attempt, retries included, which is exactly what Kandji counts;
// an exhausted budget fails the attempt with the *RateLimitError, which
// vendorhttp does not retry, so the sync job snoozes.
type budgeted struct {
	vendorhttp.Authenticator
	b *budget
}

func (a budgeted) Authorization(ctx context.Context) (string, error) {
	if err := a.b.take(); err != nil {
		return "", err
	}
	return a.Authenticator.Authorization(ctx)
}
