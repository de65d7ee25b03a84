package kandjitest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
)

type prismPage struct {
	Offset int                   `json:"offset"`
	Limit  int                   `json:"limit"`
	Total  int                   `json:"total"`
	Data   []kandjitest.PrismApp `json:"data"`
	Cursor *string               `json:"cursor"`
}

func prismGet(t *testing.T, srv *kandjitest.Server, q url.Values) (int, prismPage) {
	t.Helper()
	resp, body := get(t, srv, srv.Token(), "/api/v1/prism/apps?"+q.Encode())
	var p prismPage
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.Unmarshal(body, &p))
	}
	return resp.StatusCode, p
}

func TestPrismAppsPaging(t *testing.T) {
	srv := kandjitest.New(t, kandjitest.Options{Devices: 100}) // 3..5 apps each
	want := 0
	for i := range 100 {
		want += len(srv.Apps(i))
	}

	// Cursor paging to the end, as Kandji's pagination example does.
	q := url.Values{"limit": {"120"}}
	var rows []kandjitest.PrismApp
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		status, p := prismGet(t, srv, q)
		require.Equal(t, http.StatusOK, status)
		require.Equal(t, want, p.Total)
		rows = append(rows, p.Data...)
		if p.Cursor == nil {
			break
		}
		q.Set("cursor", *p.Cursor)
	}
	require.Len(t, rows, want)
	require.Equal(t, kandjitest.DeviceID(0), rows[0].DeviceID)
	require.NotEmpty(t, rows[0].Name)
	require.NotEmpty(t, rows[0].BundleID)
	require.NotEmpty(t, rows[0].SerialNumber)

	t.Run("limit is capped at 300", func(t *testing.T) {
		_, p := prismGet(t, srv, url.Values{"limit": {"1000"}})
		require.Equal(t, 300, p.Limit)
		require.Len(t, p.Data, 300)
	})
	t.Run("offset paging works too", func(t *testing.T) {
		_, p := prismGet(t, srv, url.Values{"limit": {"10"}, "offset": {"10"}})
		require.Equal(t, rows[10:20], p.Data)
	})
	t.Run("a cursor is bound to its query", func(t *testing.T) {
		_, p := prismGet(t, srv, url.Values{"limit": {"10"}})
		status, _ := prismGet(t, srv, url.Values{"limit": {"20"}, "cursor": {*p.Cursor}})
		require.Equal(t, http.StatusBadRequest, status)
		status, _ = prismGet(t, srv, url.Values{"limit": {"10"}, "cursor": {"garbage"}})
		require.Equal(t, http.StatusBadRequest, status)
	})
	t.Run("filter by device_id in", func(t *testing.T) {
		f := `{"device_id":{"in":["` + kandjitest.DeviceID(7) + `","` + kandjitest.DeviceID(3) + `"]}}`
		_, p := prismGet(t, srv, url.Values{"filter": {f}})
		require.Equal(t, len(srv.Apps(3))+len(srv.Apps(7)), p.Total)
		require.Equal(t, kandjitest.DeviceID(3), p.Data[0].DeviceID, "rows in device_id order")
		require.Nil(t, p.Cursor)
	})
	t.Run("filter not_in", func(t *testing.T) {
		_, p := prismGet(t, srv, url.Values{"filter": {`{"name":{"not_in":["Safari"]}}`}, "limit": {"300"}})
		for _, r := range p.Data {
			require.NotEqual(t, "Safari", r.Name)
		}
	})
	t.Run("bad filters are refused", func(t *testing.T) {
		for _, f := range []string{`nope`, `{"colour":{"in":["red"]}}`, `{"name":{"like":["S%"]}}`} {
			status, _ := prismGet(t, srv, url.Values{"filter": {f}})
			require.Equal(t, http.StatusBadRequest, status, f)
		}
	})
	t.Run("an empty result has no cursor", func(t *testing.T) {
		status, p := prismGet(t, srv, url.Values{"filter": {`{"device_id":{"in":["nope"]}}`}})
		require.Equal(t, http.StatusOK, status)
		require.Empty(t, p.Data)
		require.NotNil(t, p.Data)
		require.Nil(t, p.Cursor)
	})
	t.Run("unauthenticated", func(t *testing.T) {
		resp, _ := get(t, srv, "wrong", "/api/v1/prism/apps")
		require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	})
}
