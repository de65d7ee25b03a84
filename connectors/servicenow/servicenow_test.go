package servicenow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/connectors/vendorfake"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/testkit"
)

type auth string

const (
	basic        auth = "basic"
	clientCreds  auth = "client_credentials"
	passwordFlow auth = "password"
)

func credentials(srv *servicenowtest.Server, a auth) map[string]string {
	o := srv.Options()
	switch a {
	case clientCreds:
		return map[string]string{"clientId": o.ClientID, "clientSecret": o.ClientSecret}
	case passwordFlow:
		return map[string]string{"clientId": o.ClientID, "clientSecret": o.ClientSecret, "username": o.Username, "password": o.Password}
	}
	return map[string]string{"username": o.Username, "password": o.Password}
}

// newSource builds a ServiceNow source through the registry, pointed at srv.
func newSource(t *testing.T, srv *servicenowtest.Server, a auth, mutate ...func(*connectors.Config)) connectors.Source {
	t.Helper()
	cfg := connectors.Config{
		Egress:        connectors.AllowLoopback(), // the fake listens on 127.0.0.1
		BaseURL:       srv.URL,
		Credentials:   credentials(srv, a),
		Options:       map[string]any{},
		MaxInlineWait: 5 * time.Second,
		RetryBaseWait: time.Millisecond, // retried 5xx and 429 cost no real time
	}
	for _, m := range mutate {
		m(&cfg)
	}
	src, err := connectors.New(connectors.ServiceNow, cfg)
	require.NoError(t, err)
	require.Equal(t, connectors.ServiceNow, src.Kind())
	servicenow.IsolateRefs(src)
	return src
}

func withOptions(kv ...any) func(*connectors.Config) {
	return func(c *connectors.Config) {
		for i := 0; i < len(kv); i += 2 {
			c.Options[kv[i].(string)] = kv[i+1]
		}
	}
}

// syncAll pages to the end as the sync engine does.
func syncAll(t *testing.T, src connectors.Source, req connectors.PageRequest) (devices []connectors.Device, cursors []string) {
	t.Helper()
	for {
		page, err := src.FetchPage(context.Background(), req)
		require.NoError(t, err)
		devices = append(devices, page.Devices...)
		if page.Done {
			require.Empty(t, page.NextCursor)
			return devices, cursors
		}
		require.NotEmpty(t, page.NextCursor)
		cursors = append(cursors, page.NextCursor)
		req.Cursor = page.NextCursor
	}
}

func TestPagesFollowTheLinkHeaderToTheEnd(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 2500})
	src := newSource(t, srv, basic, withOptions("pageSize", 1000))
	devices, cursors := syncAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 2500)
	require.Equal(t, []string{"1000", "2000"}, cursors)
	seen := map[string]bool{}
	for _, d := range devices {
		require.False(t, seen[d.ExternalID], "duplicate %s", d.ExternalID)
		seen[d.ExternalID] = true
	}
	lists := srv.RequestsTo("GET", "/api/now/table/cmdb_ci_computer")
	require.Len(t, lists, 3)
	q := lists[0].Query
	require.Equal(t, "ORDERBYsys_id", q.Get("sysparm_query"))
	require.Equal(t, "1000", q.Get("sysparm_limit"))
	require.Equal(t, "0", q.Get("sysparm_offset"))
	require.Equal(t, "true", q.Get("sysparm_exclude_reference_link"))
	for _, f := range []string{"sys_id", "serial_number", "asset_tag", "assigned_to.email", "location.name", "model_id.name", "manufacturer.name", "install_status"} {
		require.Contains(t, strings.Split(q.Get("sysparm_fields"), ","), f)
	}
	require.Equal(t, "2000", lists[2].Query.Get("sysparm_offset"))
	require.True(t, src.(connectors.OffsetPaging).OffsetPaging())
}

func TestEmptyTableIsOneDonePage(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{})
	page, err := newSource(t, srv, basic).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Empty(t, page.Devices)
}

// Generated record 0 is assigned, record 6 has an empty assigned_to ("")
// and record 9 no serial: string values and empty references map cleanly.
func TestComputerMapping(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 10, Users: 5})
	devices, _ := syncAll(t, newSource(t, srv, basic), connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 10)
	d := devices[0]
	purchased := time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)
	warranty := time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	seen := servicenowtest.Base
	require.Equal(t, connectors.Device{
		ExternalID: servicenowtest.RecordID(0), Name: "SN-000000", SerialNumber: "SNC0000000", AssetTag: "P0000000",
		Manufacturer: "Apple", Model: "MacBook Pro 14", OSName: "Mac OS X", OSVersion: "14.5",
		UserEmail: servicenowtest.UserEmail(0), UserName: "User 00000", Location: "Berlin Office",
		Status: "DEPLOYED", PurchaseDate: &purchased, PurchasePrice: "1000.50", PurchaseCurrency: "USD",
		WarrantyEnd: &warranty, LastCheckIn: &seen,
	}, d)
	require.Empty(t, devices[6].UserEmail, "empty reference")
	require.Empty(t, devices[6].UserName)
	require.Empty(t, devices[9].SerialNumber, "no serial: matched by tag")
	require.Equal(t, "P0000009", devices[9].AssetTag)
	require.Equal(t, "IN_STOCK", devices[3].Status)
	require.Equal(t, "RETIRED", devices[4].Status)
	require.Equal(t, "IN_REPAIR", devices[5].Status)
}

func TestHardwareAssetTableMapping(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Table: "alm_hardware", Records: 3})
	src := newSource(t, srv, basic, withOptions("table", "alm_hardware"))
	devices, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 3)
	d := devices[1]
	require.Equal(t, "P0000001 - Dell Latitude 7440", d.Name)
	require.Equal(t, "Dell", d.Manufacturer)
	require.Equal(t, "Latitude 7440", d.Model)
	require.Equal(t, "SNC0000001", d.SerialNumber)
	require.Empty(t, d.PurchaseCurrency, "alm_hardware has no currency field: the org's default applies")
	require.Equal(t, "1001.50", d.PurchasePrice)
	require.Nil(t, d.LastCheckIn, "an asset record has no real last-seen time")
	q := srv.RequestsTo("GET", "/api/now/table/alm_hardware")[0].Query
	require.Contains(t, q.Get("sysparm_fields"), "model.manufacturer.name")
}

func TestStatusMapOptionOverridesDefaults(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 6})
	src := newSource(t, srv, basic, withOptions("statusMap", map[string]any{"6": "", "7": "DISPOSED"}))
	devices, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Equal(t, "DEPLOYED", devices[0].Status, "defaults kept")
	require.Empty(t, devices[3].Status, `6 mapped to "": unmapped`)
	require.Equal(t, "DISPOSED", devices[4].Status)
}

func TestIncrementalSendsUpdatedSinceInUTC(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 50, Now: clock.Now})
	require.True(t, srv.Update("cmdb_ci_computer", servicenowtest.RecordID(7), servicenowtest.Record{"asset_tag": "P-NEW"}))
	src := newSource(t, srv, basic)
	since := time.Date(2026, 2, 1, 11, 0, 0, 0, time.FixedZone("CET", 3600)) // 10:00 UTC
	devices, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.Len(t, devices, 1)
	require.Equal(t, "P-NEW", devices[0].AssetTag)
	q := srv.RequestsTo("GET", "/api/now/table/cmdb_ci_computer")[0].Query
	require.Equal(t, "sys_updated_on>=2026-02-01 10:00:00^ORDERBYsys_id", q.Get("sysparm_query"))
}

func TestQueryOptionIsANDedToTheListing(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 12})
	devices, _ := syncAll(t, newSource(t, srv, basic, withOptions("query", "install_status!=7")), connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 10)
	require.Equal(t, "install_status!=7^ORDERBYsys_id", srv.Requests()[0].Query.Get("sysparm_query"))
}

func TestFetchDevice(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 5})
	src := newSource(t, srv, basic)
	d, err := src.FetchDevice(context.Background(), servicenowtest.RecordID(2))
	require.NoError(t, err)
	require.Equal(t, "SN-000002", d.Name)
	srv.Delete("cmdb_ci_computer", servicenowtest.RecordID(2))
	d, err = src.FetchDevice(context.Background(), servicenowtest.RecordID(2))
	require.NoError(t, err)
	require.Nil(t, d, "404 No Record found: gone")
	_, err = src.FetchDevice(context.Background(), "../sys_user")
	require.Error(t, err)
}

func TestPeopleMapping(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Users: 3})
	require.True(t, srv.Update("sys_user", servicenowtest.UserID(2), servicenowtest.Record{"active": "false"}))
	src := newSource(t, srv, basic).(connectors.PeopleSource)
	page, err := src.FetchPeoplePage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Len(t, page.People, 3)
	require.Equal(t, connectors.Person{
		ExternalID: servicenowtest.UserID(1), Email: servicenowtest.UserEmail(1), Name: "User 00001",
		EmployeeNumber: "E00001", Department: "Finance", ManagerEmail: servicenowtest.UserEmail(0),
		Location: "London Office", Title: "Engineer", Active: true,
	}, page.People[1])
	require.Empty(t, page.People[0].ManagerEmail, "no manager: empty reference")
	require.False(t, page.People[2].Active, "deactivated")
	reqs := srv.RequestsTo("GET", "/api/now/table/sys_user")
	require.Len(t, reqs, 1, "the manager's email is dot-walked, not fetched per person")
	require.Contains(t, reqs[0].Query.Get("sysparm_fields"), "manager.email")
}

func TestUnauthorizedCarriesNoCredentials(t *testing.T) {
	t.Parallel()
	for _, a := range []auth{basic, clientCreds, passwordFlow} {
		t.Run(string(a), func(t *testing.T) {
			t.Parallel()
			srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
			creds := credentials(srv, a)
			for k := range creds {
				if k == "password" || k == "clientSecret" {
					creds[k] = "wrong-secret-" + k
				}
			}
			src := newSource(t, srv, a, func(c *connectors.Config) { c.Credentials = creds })
			_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
			require.ErrorIs(t, err, connectors.ErrUnauthorized)
			for _, v := range creds {
				require.NotContains(t, err.Error(), v)
			}
		})
	}
}

// ServiceNow's 401 body on the API ({"error":{"message":"User Not
// Authenticated",…}}): basic credentials cannot be refreshed, so one try.
func TestBasicAuthRefusedOnce(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	srv.Revoke()
	_, err := newSource(t, srv, basic).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Equal(t, 1, srv.Stats().Unauthorized)
}

func TestOAuthGrantsAreFormEncoded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a     auth
		grant string
	}{{clientCreds, "client_credentials"}, {passwordFlow, "password"}} {
		t.Run(tc.grant, func(t *testing.T) {
			t.Parallel()
			srv := servicenowtest.New(t, servicenowtest.Options{Records: 3})
			devices, _ := syncAll(t, newSource(t, srv, tc.a), connectors.PageRequest{Mode: connectors.Full})
			require.Len(t, devices, 3)
			toks := srv.RequestsTo("POST", "/oauth_token.do")
			require.Len(t, toks, 1)
			require.Contains(t, toks[0].Body, "grant_type="+tc.grant)
			require.Equal(t, 0, srv.Stats().Unauthorized)
		})
	}
}

// A token the instance expired early is refused with 401: the source
// fetches one new token and retries the request once.
func TestExpiredTokenIsRefreshedOnce(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 30})
	src := newSource(t, srv, clientCreds, withOptions("pageSize", 10))
	ctx := context.Background()
	page, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	srv.ExpireTokens()
	_, err = src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, 2, srv.TokensIssued())
	require.Equal(t, 1, srv.Stats().Unauthorized)
}

// A token about to expire is replaced before it is used: no request is
// refused for it.
func TestTokenRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 30, Now: clock.Now})
	src := newSource(t, srv, passwordFlow, withOptions("pageSize", 10))
	servicenow.SetClock(src, clock.Now)
	ctx := context.Background()
	page, err := src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	clock.Advance(1800*time.Second - 30*time.Second) // within a minute of expiry
	_, err = src.FetchPage(ctx, connectors.PageRequest{Mode: connectors.Full, Cursor: page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, 2, srv.TokensIssued())
	require.Zero(t, srv.Stats().Unauthorized)
}

func TestThrottledPageHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 5})
	srv.Throttle("/api/now/table/cmdb_ci_computer", 1, "1")
	start := time.Now()
	devices, _ := syncAll(t, newSource(t, srv, basic), connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 5)
	require.GreaterOrEqual(t, time.Since(start), time.Second, "waited Retry-After")
	require.Equal(t, 1, srv.Stats().Throttled)
	require.Len(t, srv.RequestsTo("GET", "/api/now/table/cmdb_ci_computer"), 2)
}

func TestLongRetryAfterIsARateLimitError(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 5})
	srv.Throttle("", 1, "120")
	_, err := newSource(t, srv, basic).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 120*time.Second, rl.RetryAfter)
}

func TestServerErrorsAreRetried(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 5})
	srv.Fail("GET", "/api/now/table/", 2, 503, "Service Unavailable", "")
	devices, _ := syncAll(t, newSource(t, srv, basic), connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 5)
}

func TestOptionsRefusedAtBuild(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{})
	for _, tc := range []struct {
		name, field string
		opt         map[string]any
	}{
		{"table with a slash", "options.table", map[string]any{"table": "cmdb_ci/../sys_user"}},
		{"people table", "options.table", map[string]any{"table": "sys_user"}},
		{"page too large", "options.pageSize", map[string]any{"pageSize": 20000}},
		{"status code not a number", "options.statusMap", map[string]any{"statusMap": map[string]any{"installed": "DEPLOYED"}}},
		{"unknown status", "options.statusMap", map[string]any{"statusMap": map[string]any{"1": "IN_USE"}}},
		{"status map not an object", "options.statusMap", map[string]any{"statusMap": "1=DEPLOYED"}},
		{"query with its own order", "options.query", map[string]any{"query": "active=true^ORDERBYname"}},
		{"query with an OR of queries", "options.query", map[string]any{"query": "active=true^NQactive=false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := connectors.New(connectors.ServiceNow, connectors.Config{BaseURL: srv.URL, Credentials: credentials(srv, basic), Options: tc.opt})
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
	_, err := connectors.New(connectors.ServiceNow, connectors.Config{BaseURL: srv.URL, Credentials: map[string]string{"clientId": "x"}})
	var ce *connectors.ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "credentials.clientSecret", ce.Field)
}

// The token endpoint (authUrl) on a refused address is never contacted.
func TestTokenEndpointOnPrivateAddressIsRefused(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	tokens, hits := vendorfake.CountingServer(t, vendorfake.PrivateAddr)
	src := newSource(t, srv, clientCreds, func(c *connectors.Config) {
		c.AuthURL = tokens.URL
		c.Egress = vendorfake.FakesOnly()
	})
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.True(t, vendorhttp.IsBlocked(err) || errors.As(err, new(*connectors.BlockedAddressError)), "%v", err)
	require.Zero(t, hits.Load())
}
