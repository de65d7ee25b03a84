package connectorlimit

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestCheckPerRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n    int
		code itam.Code
	}{{0, ""}, {1, ""}, {2, itam.CodeInvalid}, {200, itam.CodeInvalid}} {
		err := CheckPerRequest(tc.n)
		if tc.code == "" {
			require.NoError(t, err, tc.n)
			continue
		}
		require.Equal(t, tc.code, itam.ErrorCode(err), tc.n)
	}
}

func TestTestLimiter(t *testing.T) {
	t.Parallel()
	var l TestLimiter
	a, b := uuid.New(), uuid.New()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := range TestBurst {
		require.NoError(t, l.Allow(a, now), "test %d of the burst", i+1)
	}
	err := l.Allow(a, now)
	var de *itam.Error
	require.True(t, errors.As(err, &de), "%v", err)
	require.Equal(t, itam.CodeRateLimited, de.Code)
	require.Equal(t, TestEvery, de.RetryAfter)
	require.Contains(t, de.Message, "retry in 12s")

	// Another connector has its own budget.
	require.NoError(t, l.Allow(b, now))

	// A refused call costs nothing: one period later exactly one more passes.
	require.Error(t, l.Allow(a, now.Add(TestEvery/2)))
	require.NoError(t, l.Allow(a, now.Add(TestEvery)))
	err = l.Allow(a, now.Add(TestEvery))
	require.True(t, errors.As(err, &de))
	require.Equal(t, TestEvery, de.RetryAfter)
}

func TestTestLimiterPrunesIdleConnectors(t *testing.T) {
	t.Parallel()
	var l TestLimiter
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	busy := uuid.New()
	for range TestBurst {
		require.NoError(t, l.Allow(busy, now))
	}
	for range maxTracked {
		require.NoError(t, l.Allow(uuid.New(), now))
	}
	require.LessOrEqual(t, len(l.m), maxTracked+1)
	// An hour later the idle ones are full again and make room; the table
	// never grows past the bound.
	later := now.Add(time.Hour)
	require.NoError(t, l.Allow(uuid.New(), later))
	require.Less(t, len(l.m), 10)
}
