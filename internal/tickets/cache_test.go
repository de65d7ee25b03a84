package tickets

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// clock is a settable time for TTL tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// counter is a fetch that counts its calls.
func counter(n *atomic.Int32, err error) func(context.Context) ([]connectors.Ticket, error) {
	return func(context.Context) ([]connectors.Ticket, error) {
		n.Add(1)
		if err != nil {
			return nil, err
		}
		return []connectors.Ticket{{Number: "INC1"}}, nil
	}
}

// TestCacheTTL: an answer is reused until the TTL passes (injected
// clock), a changed ref is a miss, failures are not kept, 0 keeps nothing,
// DropAsset forgets one asset's answers only.
func TestCacheTTL(t *testing.T) {
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
	key := CacheKey{Connector: uuid.New(), Asset: uuid.New()}
	ref := connectors.TicketRef{ExternalID: "abc", AssetTag: "IT-1"}
	type step struct {
		name    string
		advance time.Duration
		ref     connectors.TicketRef
		fails   bool
		drop    bool
		calls   int32 // total fetches after the step
	}
	cases := []struct {
		name  string
		ttl   time.Duration
		steps []step
	}{
		{"ttl", 30 * time.Second, []step{
			{name: "first", ref: ref, calls: 1},
			{name: "again", advance: 29 * time.Second, ref: ref, calls: 1},
			{name: "expired", advance: time.Second, ref: ref, calls: 2},
			{name: "kept again", advance: time.Second, ref: ref, calls: 2},
		}},
		{"ref changed", 30 * time.Second, []step{
			{name: "first", ref: ref, calls: 1},
			{name: "new tag", ref: connectors.TicketRef{ExternalID: "abc", AssetTag: "IT-2"}, calls: 2},
		}},
		{"failures not kept", 30 * time.Second, []step{
			{name: "fails", ref: ref, fails: true, calls: 1},
			{name: "asks again", ref: ref, calls: 2},
			{name: "kept", ref: ref, calls: 2},
		}},
		{"disabled", 0, []step{
			{name: "first", ref: ref, calls: 1},
			{name: "again", ref: ref, calls: 2},
		}},
		{"dropped", 30 * time.Second, []step{
			{name: "first", ref: ref, calls: 1},
			{name: "dropped", ref: ref, drop: true, calls: 2},
		}},
	}
	for _, tc := range cases {
		c := NewCache(tc.ttl, clk.now)
		var n atomic.Int32
		for _, s := range tc.steps {
			clk.add(s.advance)
			if s.drop {
				c.DropAsset(uuid.New()) // another asset: nothing changes
				_, err := c.Get(ctx, key, s.ref, counter(&n, nil))
				require.NoError(t, err)
				require.Equal(t, s.calls-1, n.Load(), tc.name+"/"+s.name+": another asset's drop")
				c.DropAsset(key.Asset)
			}
			var ferr error
			if s.fails {
				ferr = errors.New("503")
			}
			got, err := c.Get(ctx, key, s.ref, counter(&n, ferr))
			if s.fails {
				require.Error(t, err, tc.name+"/"+s.name)
			} else {
				require.NoError(t, err, tc.name+"/"+s.name)
				require.Equal(t, "INC1", got[0].Number)
			}
			require.Equal(t, s.calls, n.Load(), tc.name+"/"+s.name)
		}
	}
}

// TestCacheSingleflight: concurrent lookups of one key share one vendor
// call, even with the cache disabled; a caller that gives up does not
// cancel the call the others wait on.
func TestCacheSingleflight(t *testing.T) {
	for _, ttl := range []time.Duration{0, time.Minute} {
		c := NewCache(ttl, nil)
		key := CacheKey{Connector: uuid.New(), Asset: uuid.New()}
		started, release := make(chan struct{}), make(chan struct{})
		var calls atomic.Int32
		fetch := func(ctx context.Context) ([]connectors.Ticket, error) {
			if calls.Add(1) == 1 {
				close(started)
			}
			<-release
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return []connectors.Ticket{{Number: "INC7"}}, nil
		}
		const waiters = 8
		inFlight := make(chan struct{}, waiters+1)
		c.waiting = func() { inFlight <- struct{}{} }
		errs := make(chan error, waiters)
		go func() { _, err := c.Get(context.Background(), key, connectors.TicketRef{}, fetch); errs <- err }()
		<-started
		<-inFlight
		// One caller gives up while the call is in flight.
		gone, cancel := context.WithCancel(context.Background())
		quit := make(chan error, 1)
		go func() { _, err := c.Get(gone, key, connectors.TicketRef{}, fetch); quit <- err }()
		<-inFlight
		cancel()
		require.ErrorIs(t, <-quit, context.Canceled)
		for range waiters - 1 {
			go func() {
				got, err := c.Get(context.Background(), key, connectors.TicketRef{}, fetch)
				if err == nil && got[0].Number != "INC7" {
					err = errors.New("wrong tickets")
				}
				errs <- err
			}()
		}
		for range waiters - 1 {
			<-inFlight // every one waits on the same call
		}
		close(release)
		for range waiters {
			require.NoError(t, <-errs)
		}
		require.Equal(t, int32(1), calls.Load(), "ttl %s", ttl)
	}
}

// TestCacheDropDuringFlight: an answer fetched before a drop is not kept.
func TestCacheDropDuringFlight(t *testing.T) {
	c := NewCache(time.Minute, nil)
	key := CacheKey{Connector: uuid.New(), Asset: uuid.New()}
	var n atomic.Int32
	_, err := c.Get(context.Background(), key, connectors.TicketRef{}, func(ctx context.Context) ([]connectors.Ticket, error) {
		n.Add(1)
		c.DropAsset(key.Asset) // a ticket is opened while the list is fetched
		return nil, nil
	})
	require.NoError(t, err)
	require.Equal(t, 0, c.Len())
	_, err = c.Get(context.Background(), key, connectors.TicketRef{}, counter(&n, nil))
	require.NoError(t, err)
	require.Equal(t, int32(2), n.Load())
}

// TestCacheBound: the cache never grows past its bound.
func TestCacheBound(t *testing.T) {
	clk := &clock{t: time.Now()}
	c := NewCache(time.Minute, clk.now)
	c.max = 5
	var n atomic.Int32
	for i := range 12 {
		if i == 6 {
			clk.add(2 * time.Minute) // everything so far expired
		}
		_, err := c.Get(context.Background(), CacheKey{Connector: uuid.New(), Asset: uuid.New()}, connectors.TicketRef{}, counter(&n, nil))
		require.NoError(t, err)
		require.LessOrEqual(t, c.Len(), 5)
	}
}
