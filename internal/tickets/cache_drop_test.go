package tickets

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// TestCacheLookupAfterDropSkipsOlderFlight: a list asked for after a
// ticket was opened (DropAsset) must not share a vendor call started
// before it, whose answer predates the new ticket.
func TestCacheLookupAfterDropSkipsOlderFlight(t *testing.T) {
	c := NewCache(time.Minute, nil)
	key := CacheKey{Connector: uuid.New(), Asset: uuid.New()}
	started, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	fetch := func(context.Context) ([]connectors.Ticket, error) {
		if calls.Add(1) == 1 {
			close(started)
			<-release
			return []connectors.Ticket{{Number: "INC1"}}, nil // before the new ticket
		}
		return []connectors.Ticket{{Number: "INC1"}, {Number: "INC2"}}, nil
	}
	first := make(chan error, 1)
	go func() { _, err := c.Get(context.Background(), key, connectors.TicketRef{}, fetch); first <- err }()
	<-started
	c.DropAsset(key.Asset) // INC2 was just opened

	inFlight := make(chan struct{}, 1)
	c.waiting = func() { inFlight <- struct{}{} }
	got := make(chan []connectors.Ticket, 1)
	go func() {
		ts, err := c.Get(context.Background(), key, connectors.TicketRef{}, fetch)
		if err != nil {
			ts = nil
		}
		got <- ts
	}()
	<-inFlight
	select {
	case ts := <-got:
		require.Len(t, ts, 2, "the list after the drop shows the new ticket")
	case <-time.After(10 * time.Second):
		// Only reached when the lookup joined the older call, which waits
		// on release: a failure, not a timing assumption.
		close(release)
		require.Len(t, <-got, 2, "the lookup after the drop joined the call started before it")
	}
	close(release)
	require.NoError(t, <-first)
	require.Equal(t, int32(2), calls.Load())
}
