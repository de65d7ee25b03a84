package kandji_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/kandji"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
)

// manyApps returns n distinct apps, so a device's rows span Prism pages.
func manyApps(prefix string, n int) []kandjitest.App {
	apps := make([]kandjitest.App, n)
	for i := range apps {
		apps[i] = kandjitest.App{AppName: fmt.Sprintf("%s %03d", prefix, i), BundleID: fmt.Sprintf("com.example.%s%d", prefix, i), Version: fmt.Sprintf("1.%d", i)}
	}
	return apps
}

func TestSoftwareFromPrismCostsRowsNotDevices(t *testing.T) {
	tests := []struct {
		name          string
		devices       int
		appsPerDevice int
		// wantPrism is the Prism requests of the whole sync: per chunk of
		// 50 devices, ceil(rows/300).
		wantPrism int
	}{
		{"one small page", 10, 3, 1},
		{"a full page of 300: six chunks", 300, 3, 6},
		{"exactly 300 rows: one request", 50, 6, 1}, // 50 devices x 6 apps
		{"two device pages", 350, 3, 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := kandjitest.New(t, kandjitest.Options{Devices: tc.devices, AppsPerDevice: tc.appsPerDevice})
			got, _ := syncAll(t, newSource(t, srv), connectors.Full)
			require.Len(t, got, tc.devices)
			for i, d := range got {
				apps := srv.Apps(i)
				want := make([]connectors.Software, len(apps))
				for k, a := range apps {
					want[k] = connectors.Software{Title: a.AppName, Version: a.Version, Identifier: a.BundleID}
				}
				require.Equal(t, want, d.Software, "device %d gets exactly its own apps", i)
			}
			c := srv.Counts()
			require.Zero(t, c.Apps, "no request per device")
			require.Equal(t, tc.wantPrism, c.PrismApps)
			for _, call := range srv.PrismCalls() {
				require.Equal(t, kandji.MaxPageSize, call.Limit)
				var f map[string]map[string][]string
				require.NoError(t, json.Unmarshal([]byte(call.Filter), &f))
				require.LessOrEqual(t, len(f["device_id"]["in"]), 50, "a chunk names at most 50 devices")
				require.NotEmpty(t, f["device_id"]["in"])
			}
		})
	}
}

func TestPrismCursorFollowedToTheEnd(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
	srv.SetApps(1, manyApps("Tool", 650)) // three Prism pages for one chunk
	srv.SetApps(2, nil)
	got, _ := syncAll(t, newSource(t, srv), connectors.Full)
	require.Len(t, got, 3)
	require.Len(t, got[1].Software, 650, "rows of one device across three cursor pages")
	require.NotNil(t, got[2].Software, "a device without rows has no apps, not unknown ones")
	require.Empty(t, got[2].Software)
	calls := srv.PrismCalls()
	require.Len(t, calls, 3)
	require.False(t, calls[0].Cursor)
	require.True(t, calls[1].Cursor)
	require.True(t, calls[2].Cursor)
}

func TestPrismFaults(t *testing.T) {
	t.Run("a 429 on Prism is retried on its own", func(t *testing.T) {
		t.Parallel()
		srv := kandjitest.New(t, kandjitest.Options{Devices: 5})
		srv.FailNextOn(kandjitest.EndpointPrismApps, 1, http.StatusTooManyRequests, kandjitest.FractionalSeconds(5*time.Millisecond))
		got, _ := syncAll(t, newSource(t, srv), connectors.Full)
		for _, d := range got {
			require.NotEmpty(t, d.Software)
		}
		c := srv.Counts()
		require.Equal(t, 1, c.List, "the device page was not read again")
		require.Equal(t, 1, c.PrismApps)
		require.Equal(t, 1, c.Faulted)
	})
	t.Run("an answer without data is malformed, not no apps", func(t *testing.T) {
		t.Parallel()
		srv := kandjitest.New(t, kandjitest.Options{Devices: 2})
		srv.MalformedPrism(kandjitest.WrongShape) // [ {...} ] instead of {...}
		_, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		var me *connectors.MalformedError
		require.ErrorAs(t, err, &me)
	})
	t.Run("a device removed between the list and Prism has no apps", func(t *testing.T) {
		t.Parallel()
		var srv *kandjitest.Server
		srv = kandjitest.New(t, kandjitest.Options{Devices: 4, BeforeServe: func(r *http.Request) {
			if r.URL.Path == "/api/v1/prism/apps" {
				srv.RemoveDevice(2)
			}
		}})
		page, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
		require.NoError(t, err)
		require.Len(t, page.Devices, 4)
		require.Empty(t, page.Devices[2].Software)
		require.NotEmpty(t, page.Devices[1].Software)
	})
}

func TestOffsetPaging(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{})
	op, ok := newSource(t, srv).(connectors.OffsetPaging)
	require.True(t, ok, "Kandji pages by offset: its source must say so")
	require.True(t, op.OffsetPaging())
}
