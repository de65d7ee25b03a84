package fleettest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors/fleet/fleettest"
)

type listed struct {
	Hosts []struct {
		ID       uint               `json:"id"`
		Software *[]json.RawMessage `json:"software"`
	} `json:"hosts"`
	Message string `json:"message"`
	Errors  []struct {
		Name, Reason string
	} `json:"errors"`
}

func list(t *testing.T, srv *fleettest.Server, q url.Values) (int, listed) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/fleet/hosts?"+q.Encode(), nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var l listed
	require.NoError(t, json.Unmarshal(b, &l))
	return resp.StatusCode, l
}

func ids(l listed) []uint {
	out := []uint{}
	for _, h := range l.Hosts {
		out = append(out, h.ID)
	}
	return out
}

func TestListHostsParameters(t *testing.T) {
	srv := fleettest.New(t, fleettest.Options{Hosts: 12})
	srv.RemoveHost(6)

	cases := []struct {
		name   string
		q      url.Values
		status int
		ids    []uint
		reason string
	}{
		{"key paging", url.Values{"order_key": {"id"}, "after": {"4"}, "per_page": {"3"}}, 200, []uint{5, 7, 8}, ""},
		{"key paging, last page", url.Values{"order_key": {"id"}, "after": {"10"}, "per_page": {"3"}}, 200, []uint{11, 12}, ""},
		{"descending", url.Values{"order_key": {"id"}, "order_direction": {"desc"}, "after": {"5"}}, 200, []uint{4, 3, 2, 1}, ""},
		{"page numbers still work", url.Values{"page": {"1"}, "per_page": {"5"}}, 200, []uint{7, 8, 9, 10, 11}, ""},
		{"after without order_key", url.Values{"after": {"4"}}, 400, nil, "order_key must be specified with after"},
		{"direction without order_key", url.Values{"order_direction": {"asc"}}, 400, nil, "order_key must be specified with order_direction"},
		{"unknown direction", url.Values{"order_key": {"id"}, "order_direction": {"up"}}, 400, nil, "unknown order_direction: up"},
		{"per_page zero", url.Values{"per_page": {"0"}}, 400, nil, "invalid per_page value"},
		{"per_page not a number", url.Values{"per_page": {"ten"}}, 400, nil, "non-int per_page value"},
		{"negative page", url.Values{"page": {"-1"}}, 400, nil, "negative page value"},
		{"bad populate_software", url.Values{"populate_software": {"yes please"}}, 400, nil,
			`Invalid value for populate_software. Should be one of "true", "false", or "without_vulnerability_details".`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, l := list(t, srv, tc.q)
			require.Equal(t, tc.status, status)
			if tc.status == 200 {
				require.Equal(t, tc.ids, ids(l))
				return
			}
			require.Len(t, l.Errors, 1)
			require.Equal(t, tc.reason, l.Errors[0].Reason)
		})
	}
}

func TestListHostsPopulateSoftware(t *testing.T) {
	srv := fleettest.New(t, fleettest.Options{Hosts: 10})
	for _, v := range []string{"true", "without_vulnerability_details"} {
		_, l := list(t, srv, url.Values{"populate_software": {v}})
		require.Len(t, l.Hosts, 10)
		for _, h := range l.Hosts {
			require.NotNil(t, h.Software, "host %d has software with %s", h.ID, v)
			want, _ := srv.Host(h.ID)
			require.Len(t, *h.Software, len(want.Software))
		}
	}
	for _, v := range []string{"", "false"} {
		_, l := list(t, srv, url.Values{"populate_software": {v}})
		for _, h := range l.Hosts {
			require.Nil(t, h.Software, "no software unless asked (%q)", v)
		}
	}

	old := fleettest.New(t, fleettest.Options{Hosts: 3, IgnorePopulateSoftware: true})
	_, l := list(t, old, url.Values{"populate_software": {"without_vulnerability_details"}})
	for _, h := range l.Hosts {
		require.Nil(t, h.Software, "an old server ignores the parameter")
	}
}
