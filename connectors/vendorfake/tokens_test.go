package vendorfake

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/testkit"
)

func TestTokens(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	book := NewTokens(time.Minute, clock.Now)
	require.Equal(t, clock.Now().Add(time.Minute), book.Issue("a", book.Lifetime()))
	require.True(t, book.Valid("a"))
	require.False(t, book.Valid("never issued"))
	clock.Advance(time.Minute)
	require.False(t, book.Valid("a"), "expired at its expiry")

	book.SetLifetime(time.Hour)
	book.Issue("b", book.Lifetime())
	book.Issue("c", book.Lifetime())
	book.Forget("b")
	require.False(t, book.Valid("b"))
	require.True(t, book.Valid("c"))
	book.ExpireAll()
	require.False(t, book.Valid("c"))
	require.False(t, book.Revoked())

	book.Issue("d", time.Hour)
	book.Revoke()
	require.True(t, book.Revoked())
	require.False(t, book.Valid("d"))
	book.Restore()
	require.False(t, book.Revoked())
}
