package servicenow

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// References come as {link, value}, as "" when empty, or as plain sys_ids
// with sysparm_exclude_reference_link; sysparm_display_value=all wraps
// every field; a bare number from a proxy does not fail the page.
func TestValueShapes(t *testing.T) {
	t.Parallel()
	var r record
	require.NoError(t, json.Unmarshal([]byte(`{
		"assigned_to": {"link": "https://x.service-now.com/api/now/table/sys_user/abc", "value": "abc"},
		"location": "",
		"model_id": "def",
		"state": {"display_value": "In Progress", "value": "2"},
		"cmdb_ci": {"display_value": "mbp", "link": "https://x/api/now/table/cmdb_ci/123", "value": "123"},
		"cost": 12.5,
		"virtual": false,
		"missing": null
	}`), &r))
	require.Equal(t, "abc", r.get("assigned_to"))
	require.Equal(t, "", r.get("location"))
	require.Equal(t, "def", r.get("model_id"))
	require.Equal(t, "2", r.get("state"))
	require.Equal(t, "In Progress", r.display("state"))
	require.Equal(t, "123", r.get("cmdb_ci"))
	require.Equal(t, "mbp", r.display("cmdb_ci"))
	require.Equal(t, "12.5", r.get("cost"))
	require.Equal(t, "false", r.get("virtual"))
	require.Equal(t, "", r.get("missing"))
	require.Error(t, json.Unmarshal([]byte(`{"x": [1]}`), &r))
}

func TestNextOffsetFromLinkHeader(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		links   []string
		want    int
		ok      bool
		wantErr bool
	}{
		{name: "ServiceNow's spacing", links: []string{`<https://i.service-now.com/api/now/table/cmdb_ci?sysparm_limit=2&sysparm_offset=0>;rel="first",<https://i.service-now.com/api/now/table/cmdb_ci?sysparm_limit=2&sysparm_offset=2>;rel="next",<https://i.service-now.com/api/now/table/cmdb_ci?sysparm_limit=2&sysparm_offset=8>;rel="last"`}, want: 2, ok: true},
		{name: "RFC 8288 spacing", links: []string{`<https://i/a?sysparm_offset=4>; rel="prev", <https://i/a?sysparm_offset=8>; rel="next"`}, want: 8, ok: true},
		{name: "links split over several headers", links: []string{`<https://i/a?sysparm_offset=0>;rel="first"`, `<https://i/a?sysparm_offset=4>;rel="next"`}, want: 4, ok: true},
		{name: "last page", links: []string{`<https://i/a?sysparm_offset=0>;rel="first",<https://i/a?sysparm_offset=8>;rel="last"`}},
		{name: "empty", links: []string{``}},
		{name: "garbage", links: []string{`next please`}},
		{name: "next without an offset", links: []string{`<https://i/a?sysparm_limit=4>;rel="next"`}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, ok, err := nextOffset(http.Header{"Link": tc.links})
			if tc.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, n)
		})
	}
}

func TestStatusCodeForPush(t *testing.T) {
	t.Parallel()
	m := statusMap{}
	for k, v := range DefaultStatusMap {
		m[k] = v
	}
	for status, want := range map[string]string{"DEPLOYED": "1", "IN_STOCK": "6", "IN_REPAIR": "3", "RETIRED": "7", "LOST": "8", "ORDERED": "2"} {
		got, ok := m.code(status)
		require.True(t, ok)
		require.Equal(t, want, got, status)
	}
	_, ok := m.code("STOLEN")
	require.False(t, ok)
	delete(m, "6")
	got, _ := m.code("IN_STOCK")
	require.Equal(t, "4", got, "the preferred code unmapped: the lowest left")
}
