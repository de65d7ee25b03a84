package kandjitest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
)

func get(t *testing.T, srv *kandjitest.Server, token, path string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, body
}

func TestAuthAndRoutes(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 6, Token: "secret"})
	id := kandjitest.DeviceID(2)
	tests := []struct {
		name, token, path string
		status            int
	}{
		{"no token", "", "/api/v1/devices", http.StatusUnauthorized},
		{"wrong token", "nope", "/api/v1/devices", http.StatusUnauthorized},
		{"list", "secret", "/api/v1/devices?limit=2&offset=4", http.StatusOK},
		{"bad limit", "secret", "/api/v1/devices?limit=x", http.StatusBadRequest},
		{"bad offset", "secret", "/api/v1/devices?offset=-1", http.StatusBadRequest},
		{"bad ordering", "secret", "/api/v1/devices?ordering=colour", http.StatusBadRequest},
		{"documented ordering", "secret", "/api/v1/devices?ordering=-serial_number,platform", http.StatusOK},
		{"device", "secret", "/api/v1/devices/" + id, http.StatusOK},
		{"apps", "secret", "/api/v1/devices/" + id + "/apps", http.StatusOK},
		{"details", "secret", "/api/v1/devices/" + id + "/details", http.StatusOK},
		{"unknown device", "secret", "/api/v1/devices/00000009-0000-4000-8000-000000000000", http.StatusNotFound},
		{"unknown apps", "secret", "/api/v1/devices/x/apps", http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _ := get(t, srv, tc.token, tc.path)
			require.Equal(t, tc.status, resp.StatusCode)
		})
	}
}

func TestPayloadShapes(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 10})

	_, body := get(t, srv, srv.Token(), "/api/v1/devices?limit=10")
	var list []map[string]any
	require.NoError(t, json.Unmarshal(body, &list), "the list is a bare array")
	require.Len(t, list, 10)
	for _, key := range []string{"device_id", "device_name", "model", "serial_number", "platform", "os_version",
		"last_check_in", "user", "asset_tag", "blueprint_id", "blueprint_name", "first_enrollment", "last_enrollment",
		"mdm_enabled", "agent_installed", "is_missing", "is_removed", "agent_version", "lost_mode_status", "tags"} {
		require.Contains(t, list[0], key)
	}
	require.Equal(t, "", list[3]["user"], "no user is the empty string")
	user, ok := list[0]["user"].(map[string]any)
	require.True(t, ok)
	require.Contains(t, user, "email")
	require.IsType(t, "", user["id"])
	legacy := list[2]["user"].(map[string]any)
	require.IsType(t, float64(0), legacy["id"], "legacy integer user id")

	_, body = get(t, srv, srv.Token(), "/api/v1/devices/"+kandjitest.DeviceID(0)+"/apps")
	var apps struct {
		DeviceID string           `json:"device_id"`
		Apps     []map[string]any `json:"apps"`
	}
	require.NoError(t, json.Unmarshal(body, &apps))
	require.Equal(t, kandjitest.DeviceID(0), apps.DeviceID)
	require.Len(t, apps.Apps, kandjitest.DefaultAppsPerDevice)
	for _, key := range []string{"app_id", "app_name", "bundle_id", "bundle_size", "version", "path", "source", "creation_date", "modification_date"} {
		require.Contains(t, apps.Apps[0], key)
	}

	_, body = get(t, srv, srv.Token(), "/api/v1/devices/"+kandjitest.DeviceID(0)+"/details")
	var det struct {
		HardwareOverview struct {
			ModelIdentifier string `json:"model_identifier"`
		} `json:"hardware_overview"`
	}
	require.NoError(t, json.Unmarshal(body, &det))
	require.Equal(t, kandjitest.GenerateDevice(0).ModelIdentifier, det.HardwareOverview.ModelIdentifier)
}

func TestDeterministicAndSorted(t *testing.T) {
	require.Equal(t, kandjitest.GenerateDevice(42), kandjitest.GenerateDevice(42))
	for i := range 500 {
		require.Less(t, kandjitest.DeviceID(i), kandjitest.DeviceID(i+1), "ids sort in index order")
	}
}

func TestFaults(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 3})
	srv.RateLimitNext(1, kandjitest.HTTPDate(2*time.Second))
	srv.UnavailableNext(1, kandjitest.FractionalSeconds(250*time.Millisecond))
	srv.FailNextOn(kandjitest.EndpointApps, 1, http.StatusTooManyRequests, kandjitest.Seconds(3))

	resp, _ := get(t, srv, srv.Token(), "/api/v1/devices")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	when, err := http.ParseTime(resp.Header.Get("Retry-After"))
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(2*time.Second), when, 2*time.Second)

	resp, _ = get(t, srv, srv.Token(), "/api/v1/devices")
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	require.Equal(t, "0.25", resp.Header.Get("Retry-After"))

	resp, _ = get(t, srv, srv.Token(), "/api/v1/devices")
	require.Equal(t, http.StatusOK, resp.StatusCode, "the apps fault waits for an apps request")
	resp, _ = get(t, srv, srv.Token(), "/api/v1/devices/"+kandjitest.DeviceID(1)+"/apps")
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	require.Equal(t, "3", resp.Header.Get("Retry-After"))

	for _, m := range []kandjitest.Malformation{kandjitest.Truncated, kandjitest.NotJSON, kandjitest.WrongShape} {
		srv.MalformedPage(0, m)
		resp, body := get(t, srv, srv.Token(), "/api/v1/devices")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var list []map[string]any
		require.Error(t, json.Unmarshal(body, &list), "malformation %d", m)
	}
	srv.ClearFaults()
	_, body := get(t, srv, srv.Token(), "/api/v1/devices")
	var list []map[string]any
	require.NoError(t, json.Unmarshal(body, &list))

	c := srv.Counts()
	require.Equal(t, 3, c.Faulted)
	require.Equal(t, 8, c.Total)
}
