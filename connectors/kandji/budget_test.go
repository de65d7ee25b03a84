package kandji_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/kandji"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestBudgetWindow(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	c := &clock{t0}
	b := kandji.NewBudget(3, c.now)

	for range 3 {
		require.NoError(t, b.Take())
		c.t = c.t.Add(10 * time.Minute)
	}
	// 10:30: three requests at 10:00, 10:10, 10:20; the fourth must wait
	// until the 10:00 one leaves the hour at 11:00.
	err := b.Take()
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 30*time.Minute, rl.RetryAfter)

	c.t = t0.Add(time.Hour - time.Nanosecond)
	require.ErrorAs(t, b.Take(), &rl, "still inside the window")
	require.Equal(t, time.Nanosecond, rl.RetryAfter)

	c.t = t0.Add(time.Hour)
	require.NoError(t, b.Take(), "the 10:00 request left the window")
	require.ErrorAs(t, b.Take(), &rl)
	require.Equal(t, 10*time.Minute, rl.RetryAfter, "next: the 10:10 one leaves at 11:10")

	t.Run("lowering the limit counts what was already sent", func(t *testing.T) {
		b.SetLimit(1)
		require.ErrorAs(t, b.Take(), &rl)
		// Three in the window (10:10, 10:20, 11:00): under a limit of one
		// all three must leave first, the last at 12:00.
		require.Equal(t, time.Hour, rl.RetryAfter)
	})
}

func TestBudgetRefusalSnoozesTheSync(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 7})
	src := newSource(t, srv, withOptions(kandji.OptHourlyRequestBudget, 3, kandji.OptPageSize, 2), noSoftware)

	ctx := context.Background()
	first, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	second, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: first.NextCursor})
	require.NoError(t, err)
	third, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: second.NextCursor})
	require.NoError(t, err)
	require.False(t, third.Done)

	_, err = src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: third.NextCursor})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl, "a spent budget is a rate limit, so the job snoozes")
	require.Greater(t, rl.RetryAfter, 59*time.Minute)
	require.LessOrEqual(t, rl.RetryAfter, time.Hour)
	require.Equal(t, 3, srv.Counts().Total, "the refused request never reached Kandji")

	t.Run("shared by every connector of the tenant", func(t *testing.T) {
		other := newSource(t, srv, withOptions(kandji.OptHourlyRequestBudget, 3), noSoftware)
		_, err := other.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
		require.ErrorAs(t, err, &rl)
		require.Equal(t, 3, srv.Counts().Total)
	})
	t.Run("another token naming the tenant neither spends nor resizes it", func(t *testing.T) {
		// Another organisation's connector pointed at this tenant URL with
		// a token of its own (here a wrong one) and a budget of 1.
		intruder := newSource(t, srv, withOptions(kandji.OptHourlyRequestBudget, 1), noSoftware,
			func(c *connectors.Config) {
				c.Credentials = map[string]string{kandji.CredAPIToken: "not-the-tenant-token"}
			})
		_, err := intruder.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
		require.ErrorIs(t, err, connectors.ErrUnauthorized, "its requests reach Kandji on a budget of their own")
		_, err = intruder.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
		require.ErrorAs(t, err, &rl, "its own budget of 1 is spent")
		require.Equal(t, 4, srv.Counts().Total)
	})
	t.Run("other tenants have their own", func(t *testing.T) {
		fresh := kandjitest.New(t, kandjitest.Options{Devices: 1})
		_, err := newSource(t, fresh, withOptions(kandji.OptHourlyRequestBudget, 3), noSoftware).
			FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
		require.NoError(t, err)
	})
}

func TestBudgetCountsRetries(t *testing.T) {
	// Kandji counts every request it answers, a 429 or a 503 too.
	srv := kandjitest.New(t, kandjitest.Options{Devices: 1})
	src := newSource(t, srv, withOptions(kandji.OptHourlyRequestBudget, 2), noSoftware)
	srv.UnavailableNext(5, kandjitest.FractionalSeconds(time.Millisecond))
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 2, srv.Counts().Total, "the third attempt was refused by the budget, not sent")
}

func TestBudgetOptionValidated(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{})
	for _, bad := range []any{0, -1, 10001, "lots", 1.5} {
		_, err := connectors.New(connectors.Kandji, connectors.Config{
			Egress: connectors.AllowLoopback(), BaseURL: srv.URL,
			Credentials: map[string]string{kandji.CredAPIToken: srv.Token()},
			Options:     map[string]any{kandji.OptHourlyRequestBudget: bad},
		})
		var ce *connectors.ConfigError
		require.ErrorAs(t, err, &ce, "%v", bad)
		require.Equal(t, "options."+kandji.OptHourlyRequestBudget, ce.Field)
	}
	for _, good := range []any{1, 9000, float64(10000), "500"} {
		_, err := connectors.New(connectors.Kandji, connectors.Config{
			Egress: connectors.AllowLoopback(), BaseURL: srv.URL,
			Credentials: map[string]string{kandji.CredAPIToken: srv.Token()},
			Options:     map[string]any{kandji.OptHourlyRequestBudget: good},
		})
		require.NoError(t, err, "%v", good)
	}
}
