// Package testkit holds the small pieces tests and test fakes share: a
// buffer that concurrent writers may log into, a barrier that holds
// requests until enough of them are in flight, a clock advanced by hand and
// a counter of callers in flight. It imports nothing of ours,
// so any package's tests (and the vendor fakes under connectors/) can use it.
package testkit

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// LockedBuffer collects output written from several goroutines (River's
// workers, HTTP handlers) while a test reads it.
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (l *LockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything written so far.
func (l *LockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Barrier holds every caller of Wait until N callers are waiting at once,
// then lets them and all later callers through. A test that must see N
// requests in flight together waits on the event itself instead of hoping
// that sleeps overlap: on a busy machine sleeps stop overlapping, a
// barrier does not.
type Barrier struct {
	n    int
	mu   sync.Mutex
	seen int
	open chan struct{}
}

// NewBarrier returns a Barrier that opens when n callers are waiting.
func NewBarrier(n int) *Barrier {
	b := &Barrier{n: n, open: make(chan struct{})}
	if n <= 0 {
		close(b.open)
	}
	return b
}

// Wait blocks until the barrier is open or ctx ends (the request was given
// up: a bound below N never opens it, and the test fails on its own
// deadline instead of passing).
func (b *Barrier) Wait(ctx context.Context) error {
	b.mu.Lock()
	b.seen++
	if b.seen == b.n {
		close(b.open)
	}
	b.mu.Unlock()
	select {
	case <-b.open:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Opened is closed once N callers have met.
func (b *Barrier) Opened() <-chan struct{} { return b.open }

// Clock is a clock a test moves by hand: code under test that takes a
// `now func() time.Time` sees time pass exactly as the test says, however
// slowly the machine runs.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock stopped at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// InFlight counts callers inside a section and keeps the most seen at once,
// so a test can check a concurrency bound. Safe for concurrent use.
type InFlight struct {
	n, peak atomic.Int64
}

// Enter counts one caller in and returns the func that counts it out.
func (f *InFlight) Enter() (leave func()) {
	n := f.n.Add(1)
	for {
		p := f.peak.Load()
		if n <= p || f.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return func() { f.n.Add(-1) }
}

// Peak is the most callers seen inside at once.
func (f *InFlight) Peak() int64 { return f.peak.Load() }
