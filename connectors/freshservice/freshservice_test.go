package freshservice_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/freshservice"
	fs "github.com/itam-dev/itam/connectors/freshservice/freshservicetest"
)

var now = time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)

// account is a fake account with a small directory and three assets.
type account struct {
	srv                         *fs.Server
	berlin, paris               int64
	eng                         int64
	alice, bob, carol, dave     int64
	laptop, monitor, loanedDesk int64
}

func newAccount(t *testing.T, opt fs.Options) *account {
	t.Helper()
	if opt.Now == nil {
		opt.Now = func() time.Time { return now }
	}
	a := &account{srv: fs.New(t, opt)}
	s := a.srv
	a.berlin, a.paris = s.AddLocation("Berlin HQ"), s.AddLocation("Paris")
	a.eng = s.AddDepartment("Engineering")
	// Bob manages Alice and comes after her, on another page when pages are small.
	a.alice = s.AddRequester(fs.User{FirstName: "Alice", LastName: "Ng", Email: "Alice.Ng@example.com", JobTitle: "Engineer",
		DepartmentIDs: []int64{a.eng}, LocationID: &a.berlin, Active: true, EmployeeID: "E-100"})
	a.bob = s.AddRequester(fs.User{FirstName: "Bob", LastName: "Stone", Email: "bob@example.com", Active: true})
	a.carol = s.AddRequester(fs.User{FirstName: "Carol", LastName: "Old", Email: "carol@example.com", Active: false})
	a.dave = s.AddAgent(fs.User{FirstName: "Dave", LastName: "Desk", Email: "dave@example.com", Active: true})
	s.SetManager(a.alice, a.bob)

	a.laptop = s.AddAsset(fs.Asset{AssetTypeID: fs.TypeLaptop, Name: "Alice's MacBook", AssetTag: "IT-0001",
		UserID: &a.alice, LocationID: &a.berlin, TypeFields: map[string]any{
			"serial_number": "C02XYZ123", "product": fs.ProductMacBook, "asset_state": "In Use", "cost": 2499.99,
			"acquisition_date": "2025-02-03T00:00:00-05:00", "warranty_expiry_date": "2028-02-03T00:00:00Z", "os": "macOS",
		}})
	a.monitor = s.AddAsset(fs.Asset{AssetTypeID: fs.TypeMonitor, Name: "Monitor 7", AssetTag: "IT-0002",
		TypeFields: map[string]any{"product": fs.ProductMonitor, "asset_state": "In Stock"}})
	a.loanedDesk = s.AddAsset(fs.Asset{AssetTypeID: fs.TypeComputer, Name: "Loaner", AssetTag: "IT-0003",
		TypeFields: map[string]any{"serial_number": "SN-LOAN", "asset_state": "Loaned"}})
	s.ResetLog()
	return a
}

func newSource(t *testing.T, srv *fs.Server, mutate ...func(*connectors.Config)) connectors.Source {
	t.Helper()
	cfg := connectors.Config{
		Egress:        connectors.AllowLoopback(), // the fake listens on 127.0.0.1
		BaseURL:       srv.URL,
		Credentials:   map[string]string{freshservice.CredAPIKey: fs.DefaultAPIKey},
		Options:       map[string]any{},
		MaxInlineWait: 5 * time.Second,
		RetryBaseWait: time.Millisecond, // retried 5xx and 429 cost no real time
	}
	for _, m := range mutate {
		m(&cfg)
	}
	src, err := connectors.New(connectors.Freshservice, cfg)
	require.NoError(t, err)
	return src
}

func withOption(k string, v any) func(*connectors.Config) {
	return func(c *connectors.Config) { c.Options[k] = v }
}

func syncAll(t *testing.T, src connectors.Source, req connectors.PageRequest) (devices []connectors.Device, pages int) {
	t.Helper()
	for {
		page, err := src.FetchPage(context.Background(), req)
		require.NoError(t, err)
		pages++
		devices = append(devices, page.Devices...)
		if page.Done {
			require.Empty(t, page.NextCursor)
			return devices, pages
		}
		require.NotEmpty(t, page.NextCursor)
		require.Less(t, pages, 1000, "runaway paging")
		req.Cursor = page.NextCursor
	}
}

func byID(devices []connectors.Device) map[string]connectors.Device {
	out := map[string]connectors.Device{}
	for _, d := range devices {
		out[d.ExternalID] = d
	}
	return out
}

func TestRegisteredAndOffsetPaged(t *testing.T) {
	require.Contains(t, connectors.Kinds(), connectors.Freshservice)
	src := newSource(t, newAccount(t, fs.Options{}).srv)
	require.Equal(t, connectors.Freshservice, src.Kind())
	op, ok := src.(connectors.OffsetPaging)
	require.True(t, ok && op.OffsetPaging(), "page-number paging: missing only after two full syncs")
}

func TestOptionsRefusedAtBuild(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cfg   func(*connectors.Config)
		field string
	}{
		{"no base URL", func(c *connectors.Config) { c.BaseURL = "" }, "baseUrl"},
		{"base URL not http", func(c *connectors.Config) { c.BaseURL = "ftp://acme.freshservice.com" }, "baseUrl"},
		{"no API key", func(c *connectors.Config) { c.Credentials = map[string]string{} }, "credentials.apiKey"},
		{"page size zero", withOption("pageSize", 0), "options.pageSize"},
		{"status map not an object", withOption("statusMap", 42), "options.statusMap"},
		{"status map unknown status", withOption("statusMap", map[string]any{"In Use": "USED"}), "options.statusMap"},
		{"status map value not a string", withOption("statusMap", map[string]any{"In Use": 3}), "options.statusMap"},
		{"status map empty", withOption("statusMap", map[string]any{}), "options.statusMap"},
		{"status map duplicate state", withOption("statusMap", map[string]any{"In Use": "DEPLOYED", "in use": "IN_STOCK"}), "options.statusMap"},
		{"asset type id negative", withOption("defaultAssetTypeId", -4), "options.defaultAssetTypeId"},
		{"asset type id text", withOption("defaultAssetTypeId", "laptop"), "options.defaultAssetTypeId"},
		{"currency", withOption("currency", "dollars"), "options.currency"},
		{"asset types empty", withOption("assetTypes", []any{}), "options.assetTypes"},
		{"asset types not names", withOption("assetTypes", []any{"Hardware", 7}), "options.assetTypes"},
		{"asset types blank", withOption("assetTypes", []any{" "}), "options.assetTypes"},
		{"asset types a string", withOption("assetTypes", "Hardware"), "options.assetTypes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := connectors.Config{BaseURL: "https://acme.freshservice.com", Credentials: map[string]string{"apiKey": "k-secret"}, Options: map[string]any{}}
			tc.cfg(&cfg)
			_, err := connectors.New(connectors.Freshservice, cfg)
			var ce *connectors.ConfigError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, tc.field, ce.Field)
			require.NotContains(t, err.Error(), "k-secret")
		})
	}
	// A pasted API URL and a large page size are accepted (clamped to 100).
	_, err := connectors.New(connectors.Freshservice, connectors.Config{BaseURL: "https://acme.freshservice.com/api/v2/",
		Credentials: map[string]string{"apiKey": "k"}, Options: map[string]any{"pageSize": 500, "statusMap": `{"Loaned":"DEPLOYED"}`, "defaultAssetTypeId": float64(fs.TypeLaptop), "currency": "eur"}})
	require.NoError(t, err)
}

// The assets of a page map with their type fields' suffixes stripped (the
// laptop's serial is named after the Hardware type it inherits it from),
// products to model and manufacturer, ids to people and locations, states
// through the status map.
func TestFetchPageMapsAssets(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	devices, pages := syncAll(t, newSource(t, a.srv, withOption("pageSize", 2), withOption("currency", "EUR")), connectors.PageRequest{Mode: connectors.Full})
	require.Equal(t, 2, pages)
	require.Len(t, devices, 3)
	got := byID(devices)

	laptop := got[fmt.Sprint(a.laptop)]
	acquired := time.Date(2025, 2, 3, 5, 0, 0, 0, time.UTC)
	warranty := time.Date(2028, 2, 3, 0, 0, 0, 0, time.UTC)
	require.Equal(t, connectors.Device{
		ExternalID: fmt.Sprint(a.laptop), Name: "Alice's MacBook", AssetTag: "IT-0001", SerialNumber: "C02XYZ123",
		Manufacturer: "Apple", Model: "MacBook Pro 14", UserEmail: "Alice.Ng@example.com", UserName: "Alice Ng",
		Location: "Berlin HQ", Status: "DEPLOYED", Category: "LAPTOP", PurchasePrice: "2499.99", PurchaseCurrency: "EUR",
		PurchaseDate: &acquired, WarrantyEnd: &warranty,
	}, laptop)

	monitor := got[fmt.Sprint(a.monitor)]
	require.Empty(t, monitor.SerialNumber, "a monitor without a serial still comes, matched by tag")
	require.Equal(t, "IT-0002", monitor.AssetTag)
	require.Equal(t, "MONITOR", monitor.Category)
	require.Equal(t, "IN_STOCK", monitor.Status)
	require.Equal(t, "Dell", monitor.Manufacturer)
	require.Nil(t, monitor.LastCheckIn, "Freshservice has no last-seen time")

	desk := got[fmt.Sprint(a.loanedDesk)]
	require.Equal(t, "SN-LOAN", desk.SerialNumber)
	require.Empty(t, desk.Status, "an unmapped state leaves the status alone")

	lists := a.srv.RequestsTo(http.MethodGet, "/api/v2/assets")
	require.Len(t, lists, 2)
	for i, r := range lists {
		require.Equal(t, "type_fields", r.Query.Get("include"))
		require.Equal(t, "2", r.Query.Get("per_page"))
		require.Equal(t, fmt.Sprint(i+1), r.Query.Get("page"))
	}
	// Reference lists are read once per Source, not per page.
	require.Len(t, a.srv.RequestsTo(http.MethodGet, "/api/v2/asset_types"), 1)
	require.Len(t, a.srv.RequestsTo(http.MethodGet, "/api/v2/locations"), 1)
}

// Paging follows the Link header: an account of exactly two full pages
// is read in two requests (no empty third page), and a custom status map
// replaces the defaults.
func TestPagingFollowsLinkHeader(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 200})
	src := newSource(t, srv, withOption("statusMap", map[string]any{"In Use": "IN_REPAIR"}))
	devices, pages := syncAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Equal(t, 2, pages)
	require.Len(t, devices, 200)
	require.Len(t, srv.RequestsTo(http.MethodGet, "/api/v2/assets"), 2)
	require.Equal(t, "FSN0000199", devices[199].SerialNumber)
	require.Equal(t, "IN_REPAIR", devices[0].Status)
	require.Equal(t, "1999.5", devices[0].PurchasePrice)
}

// assetTypes keeps records whose type or an ancestor is named: a laptop
// (Laptop < Computer < Hardware) syncs under "hardware", a service does not.
func TestAssetTypesOption(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	svc := a.srv.AddAsset(fs.Asset{AssetTypeID: fs.TypeServices, Name: "Email service"})
	all, _ := syncAll(t, newSource(t, a.srv), connectors.PageRequest{Mode: connectors.Full})
	require.Contains(t, byID(all), fmt.Sprint(svc))

	src := newSource(t, a.srv, withOption("assetTypes", []any{"hardware"}))
	hw, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, hw, 3)
	require.NotContains(t, byID(hw), fmt.Sprint(svc))
	d, err := src.FetchDevice(context.Background(), fmt.Sprint(svc))
	require.NoError(t, err)
	require.Nil(t, d)

	monitors, _ := syncAll(t, newSource(t, a.srv, withOption("assetTypes", []string{"Monitor"})), connectors.PageRequest{Mode: connectors.Full})
	require.Len(t, monitors, 1)
	require.Equal(t, fmt.Sprint(a.monitor), monitors[0].ExternalID)
}

func TestEmptyAccount(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{})
	page, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Empty(t, page.Devices)
}

// A refused key fails with ErrUnauthorized at once (a key cannot be
// refreshed), and no error names the key.
func TestUnauthorized(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 3})
	srv.RotateKey("another-key")
	src := newSource(t, srv)
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.NotContains(t, err.Error(), fs.DefaultAPIKey)
	require.Len(t, srv.Requests(), 1, "a refused key is not retried")

	err = src.(connectors.Pusher).PushRecord(context.Background(), connectors.PushRecord{ExternalID: "100000", Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "X"})
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.NotContains(t, err.Error(), fs.DefaultAPIKey)
}

// A 429 with Retry-After is waited out per request: the page is read, the
// throttled request was sent again; a wait longer than MaxInlineWait
// becomes a RateLimitError for the job to snooze.
func TestThrottledRequestHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 5})
	src := newSource(t, srv)
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full}) // warm the reference lists
	require.NoError(t, err)
	srv.ResetLog()

	srv.Throttle("/api/v2/assets", 2, "0.01")
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.Len(t, page.Devices, 5)
	require.Len(t, srv.RequestsTo(http.MethodGet, "/api/v2/assets"), 3)

	srv.Throttle("/api/v2/assets", 1, "120")
	_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 120*time.Second, rl.RetryAfter)
}

// An incremental sync sends the documented filter from the day before
// Since, without per_page, and reads only what changed.
func TestIncrementalSendsUpdatedAtFilter(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 50, Now: func() time.Time { return now }})
	srv.ChangeAsset(fs.GeneratedBase+7, func(a *fs.Asset) { a.AssetTag = "CHANGED" })
	since := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	devices, _ := syncAll(t, newSource(t, srv), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.Len(t, devices, 1)
	require.Equal(t, "CHANGED", devices[0].AssetTag)
	lists := srv.RequestsTo(http.MethodGet, "/api/v2/assets")
	require.Len(t, lists, 1)
	require.Equal(t, `"updated_at:>'2026-03-09'"`, lists[0].Query.Get("filter"))
	require.Empty(t, lists[0].Query.Get("per_page"))
}

// The filter's pages are fixed at 30: a full one is followed even when the
// Link header does not come through.
func TestIncrementalFollowsFullFilterPagesWithoutLink(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 45})
	srv.OmitLinkHeader(true)
	since := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	devices, pages := syncAll(t, newSource(t, srv), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	require.Len(t, devices, 45)
	require.Equal(t, 2, pages)
}

// More changes than the filter returns (40 pages of 30): the run goes on
// with the full listing rather than miss any.
func TestIncrementalBeyondFilterCapReadsEverything(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 1250})
	since := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	devices, _ := syncAll(t, newSource(t, srv), connectors.PageRequest{Mode: connectors.Incremental, Since: &since})
	seen := byID(devices)
	require.Len(t, seen, 1250, "every asset, none missed")
	filtered := 0
	for _, r := range srv.RequestsTo(http.MethodGet, "/api/v2/assets") {
		if r.Query.Get("filter") != "" {
			filtered++
		}
	}
	require.Equal(t, 40, filtered)
}

func TestFetchDevice(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	src := newSource(t, a.srv)
	d, err := src.FetchDevice(context.Background(), fmt.Sprint(a.laptop))
	require.NoError(t, err)
	require.Equal(t, "C02XYZ123", d.SerialNumber)
	require.Equal(t, "alice.ng@example.com", strings.ToLower(d.UserEmail))

	d, err = src.FetchDevice(context.Background(), "999999")
	require.NoError(t, err)
	require.Nil(t, d, "a record Freshservice no longer knows")
}

// People: requesters then agents, page by page; a manager on a later page
// resolves to an email with one read of the directory (not one request per
// person); a deactivated requester comes inactive.
func TestFetchPeople(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	src := newSource(t, a.srv, withOption("pageSize", 1)).(connectors.PeopleSource)
	var people []connectors.Person
	req := connectors.PageRequest{Mode: connectors.Full}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 20)
		page, err := src.FetchPeoplePage(context.Background(), req)
		require.NoError(t, err)
		people = append(people, page.People...)
		if page.Done {
			break
		}
		req.Cursor = page.NextCursor
	}
	require.Len(t, people, 4)
	require.Equal(t, connectors.Person{
		ExternalID: fmt.Sprint(a.alice), Email: "Alice.Ng@example.com", Name: "Alice Ng", EmployeeNumber: "E-100",
		Department: "Engineering", ManagerEmail: "bob@example.com", Location: "Berlin HQ", Title: "Engineer", Active: true,
	}, people[0])
	require.False(t, people[2].Active, "carol was deactivated")
	require.Equal(t, "dave@example.com", people[3].Email, "agents are people too")

	// Pages: 3 requesters + 1 agent, one pass over the directory (in
	// pages of 100) for Alice's manager, and the departments once.
	require.Len(t, a.srv.RequestsTo(http.MethodGet, "/api/v2/requesters"), 3+1)
	require.Len(t, a.srv.RequestsTo(http.MethodGet, "/api/v2/agents"), 1+1)
	require.Len(t, a.srv.RequestsTo(http.MethodGet, "/api/v2/departments"), 1)
}

func TestBadCursor(t *testing.T) {
	t.Parallel()
	src := newSource(t, fs.New(t, fs.Options{}))
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Cursor: "x"})
	require.Error(t, err)
	_, err = src.(connectors.PeopleSource).FetchPeoplePage(context.Background(), connectors.PageRequest{Cursor: "z:1"})
	require.Error(t, err)
	require.False(t, errors.Is(err, connectors.ErrUnauthorized))
}

// Page-number paging shifts when a record goes mid-run: the record that
// moves onto an already-read page is not seen by this run, which is why
// the Source reports OffsetPaging (missing only after two full syncs).
func TestRecordRemovedMidRunShiftsPages(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 6})
	src := newSource(t, srv, withOption("pageSize", 3))
	first, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.Len(t, first.Devices, 3)
	srv.DeleteAsset(fs.GeneratedBase)
	second, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: first.NextCursor})
	require.NoError(t, err)
	require.True(t, second.Done)
	require.Len(t, second.Devices, 2)
	seen := byID(append(first.Devices, second.Devices...))
	require.NotContains(t, seen, fmt.Sprint(fs.GeneratedBase+3), "shifted onto page 1 after it was read")
}

// An answer without its "assets" list is malformed, not an empty account:
// read as empty, a FULL sync would count every asset missing.
func TestListingWithoutItsListIsMalformed(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 3})
	srv.Fail(http.MethodGet, "/api/v2/assets", 1, http.StatusOK, `{}`)
	_, err := newSource(t, srv).FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var me *connectors.MalformedError
	require.ErrorAs(t, err, &me)
}
