package fleet_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/fleet"
	"github.com/itam-dev/itam/connectors/fleet/fleettest"
)

// Hosts enrolled and deleted while a sync pages through the fleet: paging
// by id (after=<last id>) skips none of the hosts that exist throughout,
// where page numbers would shift the rest forward past the cursor.
func TestKeyPagingSurvivesChangesMidRun(t *testing.T) {
	t.Parallel()
	var srv *fleettest.Server
	srv = fleettest.New(t, fleettest.Options{Hosts: 35, BeforeServe: func(r *http.Request) {
		if r.URL.Path != "/api/v1/fleet/hosts" {
			return
		}
		switch srv.Stats().Lists { // lists answered before this one
		case 1: // before the second page: two hosts already read go away, five enroll
			srv.RemoveHost(3)
			srv.RemoveHost(5)
			srv.AddHosts(5)
		case 2: // before the third page: a host not yet read goes away
			srv.RemoveHost(25)
		}
	}})
	devices, _, err := fetchAll(t, source(t, srv, noSoftware), connectors.Full)
	require.NoError(t, err)

	seen := map[string]int{}
	for _, d := range devices {
		seen[d.ExternalID]++
	}
	for id := 1; id <= 40; id++ {
		key := strconv.Itoa(id)
		switch id {
		case 3, 5: // read before they were deleted
			require.Equal(t, 1, seen[key], "host %d", id)
		case 25: // deleted before its page
			require.Zero(t, seen[key], "host %d", id)
		default:
			require.Equal(t, 1, seen[key], "host %d exists throughout: read once, never skipped", id)
		}
	}
	require.Len(t, devices, 39)
}

// A page of hosts with their software is one request: no host detail.
func TestSoftwareComesWithThePage(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 30})
	devices, pages, err := fetchAll(t, source(t, srv), connectors.Full)
	require.NoError(t, err)
	require.Len(t, devices, 30)
	require.Equal(t, 4, pages) // 10, 10, 10 and the empty last page
	st := srv.Stats()
	require.Equal(t, 4, st.Requests, "one request per page")
	require.Zero(t, st.Details)
	for i, d := range devices {
		w := want(i%10 + 1)
		require.Equal(t, len(w.Software), len(d.Software), "host %s", d.ExternalID)
		require.NotNil(t, d.Software, "software was read: none is empty, not unknown")
	}
}

// A server that does not honour order_key/after would hand out the same
// hosts forever: the page fails instead of looping.
func TestServerIgnoringAfterIsMalformed(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"hosts":[{"id":1},{"id":2}]}`))
	}))
	t.Cleanup(ts.Close)
	src, err := connectors.New(connectors.Fleet, connectors.Config{
		Egress: connectors.AllowLoopback(), BaseURL: ts.URL,
		Credentials: map[string]string{fleet.CredentialAPIToken: "t"},
		Options:     map[string]any{fleet.OptionPageSize: 2, fleet.OptionIncludeSoftware: false},
	})
	require.NoError(t, err)
	first, err := src.FetchPage(context.Background(), connectors.PageRequest{})
	require.NoError(t, err)
	require.Equal(t, "2", first.NextCursor)
	_, err = src.FetchPage(context.Background(), connectors.PageRequest{Cursor: first.NextCursor})
	var me *connectors.MalformedError
	require.ErrorAs(t, err, &me)
}

// A server older than populate_software=without_vulnerability_details
// refuses it with 400: the source asks again with populate_software=true,
// and keeps doing so, still one request per page.
func TestOldServerGetsBooleanPopulateSoftware(t *testing.T) {
	t.Parallel()
	srv := fleettest.New(t, fleettest.Options{Hosts: 25, BoolPopulateSoftware: true})
	devices, pages, err := fetchAll(t, source(t, srv), connectors.Full)
	require.NoError(t, err)
	require.Equal(t, 3, pages)
	require.Len(t, devices, 25)
	for _, d := range devices {
		require.NotNil(t, d.Software)
	}
	var values []string
	for _, q := range srv.ListQueries() {
		values = append(values, q.Get("populate_software"))
	}
	require.Equal(t, []string{"true", "true", "true"}, values, "answered lists")
	st := srv.Stats()
	require.Equal(t, 4, st.Requests, "one refused request, then one per page")
	require.Zero(t, st.Details)
}
