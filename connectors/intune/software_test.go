package intune_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/intune"
	"github.com/itam-dev/itam/connectors/intune/intunetest"
)

// appRequests counts the detectedApps requests the fake received for device i.
func appRequests(s *intunetest.Server, i int) int {
	n := 0
	for _, r := range s.Requests() {
		if strings.Contains(r.Path, "/"+intunetest.DeviceID(i)+"/detectedApps") {
			n++
		}
	}
	return n
}

// One device whose detected apps keep failing after their own retries does
// not fail its page: the page applies, that device's software is left as it
// was (nil, never emptied) and the device carries a per-record error; the
// device list is not requested again.
func TestOneDevicesAppsKeepFailing(t *testing.T) {
	t.Parallel()
	const victim = 3
	cases := []struct {
		name       string
		status     int
		retryAfter string
		// requests is how many times the device's apps are asked for:
		// 0 means "retried on its own" (the count depends on the budget).
		requests int
	}{
		{"throttled with Retry-After", http.StatusTooManyRequests, "0.01", 0},
		{"unavailable with Retry-After", http.StatusServiceUnavailable, "0.01", 0},
		// A 400 will not change: asked once.
		{"bad request (Graph's answer for some devices)", http.StatusBadRequest, "", 1},
		// vendorhttp retries a 5xx on its own a bounded number of times
		// (Options.Retries, default 4) before the device gives up.
		{"internal server error", http.StatusInternalServerError, "", 1 + 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 10})
			s.FailApps(victim, 1000, tc.status, tc.retryAfter)
			cfg := config(s, nil)
			cfg.RetryBaseWait = time.Millisecond // the 5xx backoff costs no real time
			p, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err, "the page applies")
			require.Len(t, p.Devices, 10)
			for i, d := range p.Devices {
				if i == victim {
					require.Nil(t, d.Software, "software left as it was, not emptied")
					require.Len(t, d.ReadErrors, 1)
					require.True(t, strings.HasPrefix(d.ReadErrors[0], "software not read, kept as it was: "), d.ReadErrors[0])
					require.NotContains(t, d.ReadErrors[0], s.ClientSecret)
					continue
				}
				require.NotNil(t, d.Software, "device %d", i)
				require.Empty(t, d.ReadErrors, "device %d", i)
			}
			require.Len(t, s.ListRequests(), 1, "the page was requested once")
			if tc.requests == 0 {
				require.Greater(t, appRequests(s, victim), 1, "the device's request retried on its own")
			} else {
				require.Equal(t, tc.requests, appRequests(s, victim))
			}
		})
	}
}

// A device's apps throttled a few times, with or without Retry-After,
// are read by that request's own retries: nothing else is fetched again.
func TestThrottledAppsRetryOnTheirOwn(t *testing.T) {
	t.Parallel()
	for _, retryAfter := range []string{"0.01", ""} {
		t.Run("Retry-After "+retryAfter, func(t *testing.T) {
			t.Parallel()
			s := intunetest.New(t, intunetest.Options{Devices: 5})
			s.ThrottleApps(2, 2, retryAfter)
			p, err := newSource(t, config(s, nil)).FetchPage(context.Background(), connectors.PageRequest{})
			require.NoError(t, err)
			d := byID(p.Devices)[intunetest.DeviceID(2)]
			require.Empty(t, d.ReadErrors)
			require.Equal(t, len(s.Apps(2)), len(d.Software))
			require.NotNil(t, d.Software)
			require.Equal(t, 3, appRequests(s, 2), "two 429s, then the apps")
			require.Len(t, s.ListRequests(), 1)
			for i := range 5 {
				if i != 2 {
					require.Equal(t, 1, appRequests(s, i))
				}
			}
		})
	}
}

// When Graph asks for a wait longer than a request waits in place, the
// device reports it and the page's remaining devices are not asked at all
// (a throttled tenant is not hammered); the page still applies.
func TestLongThrottleStopsAppRequestsForThePage(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 5})
	s.ThrottleApps(1, 1, "300")
	cfg := config(s, nil)
	cfg.MaxConcurrency = 1 // devices in order: 0 read, 1 throttled, 2-4 not asked
	p, err := newSource(t, cfg).FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	require.Len(t, p.Devices, 5)
	require.NotNil(t, p.Devices[0].Software)
	require.Empty(t, p.Devices[0].ReadErrors)
	require.Nil(t, p.Devices[1].Software)
	require.Len(t, p.Devices[1].ReadErrors, 1)
	require.Contains(t, p.Devices[1].ReadErrors[0], "retry after 5m0s")
	for i := 2; i < 5; i++ {
		require.Nil(t, p.Devices[i].Software, "device %d", i)
		require.Len(t, p.Devices[i].ReadErrors, 1, "device %d", i)
		require.Contains(t, p.Devices[i].ReadErrors[0], "skipped while Microsoft Graph throttles detectedApps")
		require.Zero(t, appRequests(s, i), "device %d not asked", i)
	}
	require.Equal(t, 1, s.Counts().Throttled)
}

// Refused credentials or a missing permission on detectedApps are no
// device's own problem: the page fails, as every request would.
func TestAppsForbiddenFailsThePage(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 5})
	s.FailApps(2, 1000, http.StatusForbidden, "")
	_, err := newSource(t, config(s, nil)).FetchPage(context.Background(), connectors.PageRequest{})
	var fe *connectors.ForbiddenError
	require.True(t, errors.Is(err, connectors.ErrUnauthorized) || errors.As(err, &fe), "%v", err)
}

// A targeted sync reads one device the same way: its apps failing leave its
// software as it was and report the device.
func TestFetchDeviceWithFailingApps(t *testing.T) {
	t.Parallel()
	s := intunetest.New(t, intunetest.Options{Devices: 5})
	s.FailApps(4, 1000, http.StatusBadRequest, "")
	d, err := newSource(t, config(s, map[string]any{intune.OptionIncludeSoftware: true})).FetchDevice(context.Background(), intunetest.DeviceID(4))
	require.NoError(t, err)
	require.NotNil(t, d)
	require.Nil(t, d.Software)
	require.Len(t, d.ReadErrors, 1)
	require.Equal(t, intunetest.DeviceID(4), d.ExternalID)
}
