package tickets

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/sync/singleflight"

	"github.com/itam-dev/itam/connectors"
)

const (
	// DefaultCacheTTL is how long an answer is reused (ITAM_TICKET_CACHE_TTL).
	DefaultCacheTTL = 30 * time.Second
	// MaxCacheTTL bounds the setting: tickets change, and a stale list
	// misleads whoever is about to open a duplicate.
	MaxCacheTTL = 10 * time.Minute
	// MaxCacheEntries bounds memory: past it, expired entries go first,
	// then arbitrary ones.
	MaxCacheEntries = 10_000
)

// CacheKey is one connector's tickets of one asset.
type CacheKey struct {
	Connector uuid.UUID
	Asset     uuid.UUID
}

type cacheEntry struct {
	ref     connectors.TicketRef // what was asked: a changed tag is a miss
	tickets []connectors.Ticket
	expires time.Time
}

// Cache keeps vendors' ticket lists for a short TTL and lets concurrent
// lookups of one key share one vendor call. Failures are not kept. The
// zero value is unusable: use NewCache.
type Cache struct {
	ttl time.Duration
	now func() time.Time
	max int

	mu      sync.Mutex
	entries map[CacheKey]cacheEntry
	// gen grows on every Drop: a lookup that started before it does not
	// store what it fetched, which may predate the change.
	gen   uint64
	group singleflight.Group
	// waiting, when set (tests), is called once a lookup waits on a call.
	waiting func()
}

// NewCache returns a cache keeping answers for ttl (0: not kept, lookups
// still shared while in flight); now is the clock (nil: time.Now).
func NewCache(ttl time.Duration, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{ttl: ttl, now: now, max: MaxCacheEntries, entries: map[CacheKey]cacheEntry{}}
}

// Get returns the tickets of key, asking fetch when none are kept for ref.
// fetch runs detached from ctx (other callers may be waiting on it), so
// it must bound itself; Get returns early when ctx ends.
func (c *Cache) Get(ctx context.Context, key CacheKey, ref connectors.TicketRef, fetch func(context.Context) ([]connectors.Ticket, error)) ([]connectors.Ticket, error) {
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && e.ref == ref && c.now().Before(e.expires) {
		c.mu.Unlock()
		return e.tickets, nil
	}
	gen := c.gen
	c.mu.Unlock()
	// The generation is part of the call's key: a lookup after a drop
	// must not share a call started before it (its answer predates the
	// ticket just opened).
	flight := strconv.FormatUint(gen, 10) + "/" + key.Connector.String() + "/" + key.Asset.String() + "/" + ref.ExternalID + "/" + ref.AssetTag
	ch := c.group.DoChan(flight, func() (any, error) {
		ts, err := fetch(context.WithoutCancel(ctx))
		if err == nil {
			c.store(key, ref, ts, gen)
		}
		return ts, err
	})
	if c.waiting != nil {
		c.waiting()
	}
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]connectors.Ticket), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (c *Cache) store(key CacheKey, ref connectors.TicketRef, ts []connectors.Ticket, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	now := c.now()
	if len(c.entries) >= c.max {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		for k := range c.entries {
			if len(c.entries) < c.max {
				break
			}
			delete(c.entries, k)
		}
	}
	c.entries[key] = cacheEntry{ref: ref, tickets: ts, expires: now.Add(c.ttl)}
}

// DropAsset forgets every connector's tickets of asset (a ticket was just
// opened about it), including lookups still in flight.
func (c *Cache) DropAsset(asset uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for k := range c.entries {
		if k.Asset == asset {
			delete(c.entries, k)
		}
	}
}

// Len is how many answers are kept (tests, metrics).
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
