package jsm_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jsm"
	"github.com/itam-dev/itam/connectors/jsm/jsmtest"
	"github.com/itam-dev/itam/internal/testkit"
)

func config(srv *jsmtest.Server, mutate ...func(*connectors.Config)) connectors.Config {
	cfg := connectors.Config{
		Egress:        connectors.AllowLoopback(), // the fake listens on 127.0.0.1
		BaseURL:       srv.URL,
		Credentials:   map[string]string{jsm.CredEmail: srv.Email(), jsm.CredAPIToken: srv.APIToken()},
		Options:       map[string]any{jsm.OptAssetsAPIURL: srv.URL},
		MaxInlineWait: 5 * time.Second,
		RetryBaseWait: time.Millisecond, // retried 5xx and 429 cost no real time
	}
	for _, m := range mutate {
		m(&cfg)
	}
	return cfg
}

func newSource(t *testing.T, srv *jsmtest.Server, mutate ...func(*connectors.Config)) *jsm.Source {
	t.Helper()
	src, err := connectors.New(connectors.JSMAssets, config(srv, mutate...))
	require.NoError(t, err)
	require.Equal(t, connectors.JSMAssets, src.Kind())
	return src.(*jsm.Source)
}

func withOptions(kv ...any) func(*connectors.Config) {
	return func(c *connectors.Config) {
		for i := 0; i < len(kv); i += 2 {
			c.Options[kv[i].(string)] = kv[i+1]
		}
	}
}

// seed adds a location, two users (one hiding the email) and computers.
func seed(srv *jsmtest.Server) (laptop, monitor string) {
	srv.Add(jsmtest.TypeLocations, jsmtest.Record{"Name": "Berlin"})
	srv.Add(jsmtest.TypeLocations, jsmtest.Record{"Name": "Paris"})
	srv.AddUser(jsmtest.User{AccountID: "acc-ada", Email: "Ada@Example.com", Name: "Ada Lovelace"})
	srv.AddUser(jsmtest.User{AccountID: "acc-bob", Email: "bob@example.com", Name: "Bob Hidden", HideEmail: true})
	laptop = srv.Add(jsmtest.TypeComputers, jsmtest.Record{
		"Name": "LT-0001", "Serial Number": "C02XK1", "Asset Tag": "IT-0001", "Model": "MacBook Pro 14",
		"Manufacturer": "Apple", "Owner": "acc-ada", "Status": "In Use", "Location": "Berlin",
		"Purchase Date": "2024-03-01", "Cost": "2499.0", "Warranty End Date": "2027-03-01",
	})
	srv.Add(jsmtest.TypeComputers, jsmtest.Record{"Name": "LT-0002", "Serial Number": "C02XK2", "Owner": "acc-bob", "Status": "Retired"})
	srv.Add(jsmtest.TypeComputers, jsmtest.Record{"Name": "LT-0003", "Serial Number": "C02XK3", "Status": "Running"})
	monitor = srv.Add(jsmtest.TypeMonitors, jsmtest.Record{"Name": "MON-1", "Asset Tag": "IT-M1", "Model": "U2723QE", "Manufacturer": "Dell"})
	return laptop, monitor
}

func fetchAll(t *testing.T, src *jsm.Source, req connectors.PageRequest) ([]connectors.Device, int) {
	t.Helper()
	var out []connectors.Device
	pages := 0
	for {
		page, err := src.FetchPage(context.Background(), req)
		require.NoError(t, err)
		pages++
		out = append(out, page.Devices...)
		if page.Done {
			return out, pages
		}
		require.NotEmpty(t, page.NextCursor)
		req.Cursor = page.NextCursor
		require.Less(t, pages, 100)
	}
}

func TestFetchPagesToTheEndAndMaps(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	laptop, _ := seed(srv)
	src := newSource(t, srv, withOptions(jsm.OptPageSize, 2, jsm.OptCurrency, "EUR"))

	devices, pages := fetchAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Equal(t, 2, pages, "3 computers in pages of 2")
	require.Len(t, devices, 3, "only the Computers object type by default")
	d := devices[0]
	require.Equal(t, laptop, d.ExternalID)
	require.Equal(t, "LT-0001", d.Name)
	require.Equal(t, "C02XK1", d.SerialNumber)
	require.Equal(t, "IT-0001", d.AssetTag)
	require.Equal(t, "MacBook Pro 14", d.Model)
	require.Equal(t, "Apple", d.Manufacturer)
	require.Equal(t, "Ada@Example.com", d.UserEmail, "the account id resolved through user/bulk")
	require.Equal(t, "Ada Lovelace", d.UserName)
	require.Equal(t, "DEPLOYED", d.Status)
	require.Equal(t, "Berlin", d.Location, "a reference reads as its label")
	require.Equal(t, "2024-03-01", d.PurchaseDate.Format("2006-01-02"))
	require.Equal(t, "2027-03-01", d.WarrantyEnd.Format("2006-01-02"))
	require.Equal(t, "2499.0", d.PurchasePrice)
	require.Equal(t, "EUR", d.PurchaseCurrency)
	require.Nil(t, d.LastCheckIn, "Assets has no last-seen time")
	require.Equal(t, "RETIRED", devices[1].Status)
	require.Empty(t, devices[1].UserEmail, "a hidden email stays unknown")
	require.Equal(t, "Bob Hidden", devices[1].UserName)
	require.Empty(t, devices[2].Status)

	require.Len(t, srv.RequestsTo(http.MethodGet, "/rest/servicedeskapi/assets/workspace"), 1, "the workspace is discovered once")
	require.Len(t, srv.RequestsTo(http.MethodGet, "/objecttype/"+jsmtest.TypeComputers+"/attributes"), 1, "attributes are read once per type")
	require.Len(t, srv.RequestsTo(http.MethodGet, "/rest/api/3/user/bulk"), 1, "owners resolve in one batch, and the cache holds")
	aql := srv.RequestsTo(http.MethodPost, "/object/aql")
	require.Len(t, aql, 2)
	require.JSONEq(t, `{"qlQuery": "objectType = \"Computers\" ORDER BY Created ASC"}`, aql[0].Body)
	require.Equal(t, "0", aql[0].Query.Get("startAt"))
	require.Equal(t, "2", aql[0].Query.Get("maxResults"))
	require.Equal(t, "true", aql[0].Query.Get("includeAttributes"))
	require.Equal(t, "2", aql[1].Query.Get("startAt"))
	var src2 connectors.Source = src
	op, ok := src2.(connectors.OffsetPaging)
	require.True(t, ok && op.OffsetPaging(), "startAt paging is offset paging")
}

func TestMonitorsWithoutSerialByAQLOption(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	_, monitor := seed(srv)
	src := newSource(t, srv, withOptions(jsm.OptAQL, `objectType = "Monitors"`))
	devices, _ := fetchAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 1)
	require.Equal(t, monitor, devices[0].ExternalID)
	require.Empty(t, devices[0].SerialNumber, "matched by tag downstream")
	require.Equal(t, "IT-M1", devices[0].AssetTag)
	require.Equal(t, "MONITOR", devices[0].Category)
}

func TestEmptyResult(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	page, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Empty(t, page.Devices)
}

func TestIncrementalSendsUpdatedWindow(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Now().Add(-time.Hour))
	srv := jsmtest.New(t, jsmtest.Options{Now: clock.Now})
	srv.Add(jsmtest.TypeComputers, jsmtest.Record{"Name": "old", "Serial Number": "OLD1"})
	clock.Advance(time.Hour)
	srv.Add(jsmtest.TypeComputers, jsmtest.Record{"Name": "new", "Serial Number": "NEW1"})

	// 9.5 minutes ago: the window rounds up to 10 minutes.
	since := time.Now().Add(-9*time.Minute - 30*time.Second)
	devices, _ := fetchAll(t, newSource(t, srv), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.Len(t, devices, 1)
	require.Equal(t, "NEW1", devices[0].SerialNumber)
	aql := srv.RequestsTo(http.MethodPost, "/object/aql")
	require.JSONEq(t, `{"qlQuery": "(objectType = \"Computers\") AND Updated > now(-10m) ORDER BY Created ASC"}`, aql[0].Body)
}

func TestFetchDevice(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	laptop, _ := seed(srv)
	src := newSource(t, srv, withOptions(jsm.OptWorkspaceID, srv.WorkspaceID()))
	d, err := src.FetchDevice(context.Background(), laptop)
	require.NoError(t, err)
	require.Equal(t, "C02XK1", d.SerialNumber)
	require.Empty(t, srv.RequestsTo(http.MethodGet, "/rest/servicedeskapi/assets/workspace"), "a configured workspace id skips discovery")
	srv.Delete(laptop)
	d, err = src.FetchDevice(context.Background(), laptop)
	require.NoError(t, err)
	require.Nil(t, d, "gone from Assets")
}

func TestUnauthorizedWithAtlassianBody(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	src := newSource(t, srv, func(c *connectors.Config) { c.Credentials[jsm.CredAPIToken] = "wrong-token-123" })
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.NotContains(t, err.Error(), "wrong-token-123")
	require.Len(t, srv.Requests(), 1, "a refused token is not retried")
}

func TestTokenRevokedMidSync(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{Generated: 10})
	src := newSource(t, srv, withOptions(jsm.OptPageSize, 5))
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.Len(t, page.Devices, 5)
	srv.SetAPIToken("rotated")
	_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: page.NextCursor})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Contains(t, err.Error(), "HTTP 401")
}

func TestThrottledRequestHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	src := newSource(t, srv)
	srv.ThrottleNext(http.MethodPost, "/object/aql", 1, "0.3")
	start := time.Now()
	devices, _ := fetchAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 3)
	require.GreaterOrEqual(t, time.Since(start), 300*time.Millisecond, "waited out Retry-After")
	require.Len(t, srv.RequestsTo(http.MethodPost, "/object/aql"), 2)

	// Longer than the inline wait: the job snoozes instead.
	srv.ThrottleNext(http.MethodPost, "/object/aql", 1, "120")
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 120*time.Second, rl.RetryAfter)
}

func TestServerErrorRetried(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	srv.FailNext(http.MethodPost, "/object/aql", 2, http.StatusServiceUnavailable, `{"errorMessages":["Service unavailable"]}`)
	devices, _ := fetchAll(t, newSource(t, srv), connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 3)
	require.Len(t, srv.RequestsTo(http.MethodPost, "/object/aql"), 3)

	// Past the retries: a StatusError, as every connector reports it,
	// with Atlassian's message.
	srv.FailNext(http.MethodPost, "/object/aql", 10, http.StatusServiceUnavailable, `{"errorMessages":["Service unavailable"]}`)
	_, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var se *connectors.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, http.StatusServiceUnavailable, se.Status)
	require.Contains(t, err.Error(), "Service unavailable")
}

func TestForbiddenNamesEndpointAndMessage(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	srv.Forbid(http.MethodPost, "/object/aql", 1)
	_, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var fe *connectors.ForbiddenError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "POST /jsm/assets/workspace/"+srv.WorkspaceID()+"/v1/object/aql", fe.Endpoint)
	require.Contains(t, fe.Message, "The user does not have permission to perform this action.")
	require.Equal(t, "the Object schema users role in the Assets object schema", fe.Privilege)
}

func TestCredentialsAbsentFromErrors(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	secret := srv.APIToken()
	basic := base64.StdEncoding.EncodeToString([]byte(srv.Email() + ":" + secret))
	var errs []error
	src := newSource(t, srv)
	srv.Forbid("", "/object/aql", 1)
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	errs = append(errs, err)
	srv.FailNext("", "/object/aql", 5, http.StatusInternalServerError, `{"errorMessages":["boom"]}`)
	_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	errs = append(errs, err)
	// The zero egress policy refuses the loopback fake, the Assets host
	// (assetsApiUrl, asked first with a configured workspace) included.
	blocked, err := connectors.New(connectors.JSMAssets, config(srv, withOptions(jsm.OptWorkspaceID, srv.WorkspaceID()),
		func(c *connectors.Config) { c.Egress = connectors.Egress{} }))
	require.NoError(t, err)
	_, err = blocked.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var be *connectors.BlockedAddressError
	require.ErrorAs(t, err, &be)
	errs = append(errs, err)
	for _, e := range errs {
		require.Error(t, e)
		require.NotContains(t, e.Error(), secret)
		require.NotContains(t, e.Error(), basic)
	}
}

func TestOptionsRefusedAtBuild(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	for _, tc := range []struct {
		name, field string
		opts        map[string]any
	}{
		{"page size", "options.pageSize", map[string]any{"pageSize": 0}},
		{"page size too large", "options.pageSize", map[string]any{"pageSize": 5000}},
		{"assets url", "options.assetsApiUrl", map[string]any{"assetsApiUrl": "ftp://x"}},
		{"object type quote", "options.objectType", map[string]any{"objectType": `Com"puters`}},
		{"unknown attribute role", "options.attributes", map[string]any{"attributes": map[string]any{"serialz": "Serial"}}},
		{"attributes not a map", "options.attributes", map[string]any{"attributes": "Serial"}},
		{"attribute not text", "options.attributes", map[string]any{"attributes": map[string]any{"serial": 3.0}}},
		{"status not an itam status", "options.statusMap", map[string]any{"statusMap": map[string]any{"In Use": "USED"}}},
		{"currency", "options.currency", map[string]any{"currency": "eur"}},
		{"people role", "options.peopleAttributes", map[string]any{"peopleAttributes": map[string]any{"boss": "Manager"}}},
		{"desk without type", "options.requestTypeId", map[string]any{"serviceDeskId": "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := connectors.New(connectors.JSMAssets, config(srv, withOptions(flatten(tc.opts)...)))
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
	for _, tc := range []struct {
		name, field string
		mutate      func(*connectors.Config)
	}{
		{"no base url", "baseUrl", func(c *connectors.Config) { c.BaseURL = "" }},
		{"no email", "credentials.email", func(c *connectors.Config) { delete(c.Credentials, jsm.CredEmail) }},
		{"no token", "credentials.apiToken", func(c *connectors.Config) { delete(c.Credentials, jsm.CredAPIToken) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := connectors.New(connectors.JSMAssets, config(srv, tc.mutate))
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
		})
	}
}

func flatten(m map[string]any) []any {
	var out []any
	for k, v := range m {
		out = append(out, k, v)
	}
	return out
}

func TestAttributeAndStatusMapOptions(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	src := newSource(t, srv, withOptions(
		jsm.OptAttributes, map[string]any{"assetTag": "Serial Number", "owner": ""},
		jsm.OptStatusMap, map[string]any{"in use": "IN_REPAIR"},
	))
	devices, _ := fetchAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Equal(t, "C02XK1", devices[0].AssetTag, "the tag read from the configured attribute")
	require.Empty(t, devices[0].UserEmail, "an empty name turns the owner off")
	require.Equal(t, "IN_REPAIR", devices[0].Status, "status names match case-insensitively")
	require.Empty(t, devices[1].Status, "a replaced map drops the defaults")
	require.Empty(t, srv.RequestsTo(http.MethodGet, "/user/bulk"))
}

func TestGeneratedTenantPagesToTheEnd(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{Generated: 1050, MaxResults: 100})
	src := newSource(t, srv, withOptions(jsm.OptPageSize, 500))
	devices, pages := fetchAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, devices, 1050)
	require.Equal(t, 11, pages, "the server's cap of 100 rules; paging follows isLast")
	seen := map[string]bool{}
	for _, d := range devices {
		require.False(t, seen[d.ExternalID], "no object twice")
		seen[d.ExternalID] = true
	}
}

// A 200 without "values" (a proxy, a changed API) is malformed, not an
// empty schema: read as empty, a FULL sync would count every object missing.
func TestAQLPageWithoutValuesIsMalformed(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	srv.FailNext(http.MethodPost, "/object/aql", 1, http.StatusOK, `{"startAt":0,"maxResults":50,"total":0}`)
	_, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var me *connectors.MalformedError
	require.ErrorAs(t, err, &me)
}
