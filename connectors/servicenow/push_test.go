package servicenow_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
)

const ciPath = "/api/now/table/cmdb_ci_computer/"

func pusher(t *testing.T, srv *servicenowtest.Server, a auth, mutate ...func(*connectors.Config)) connectors.Pusher {
	t.Helper()
	return newSource(t, srv, a, mutate...).(connectors.Pusher)
}

func body(t *testing.T, r servicenowtest.Request) map[string]string {
	t.Helper()
	var m map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.Body), &m), r.Body)
	return m
}

func TestPushSendsExactlyTheOptedFieldsOnce(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 3, Users: 5})
	p := pusher(t, srv, passwordFlow)
	id := servicenowtest.RecordID(1)
	rec := connectors.PushRecord{
		ExternalID: id, Fields: []connectors.PushField{connectors.PushAssignee, connectors.PushStatus, connectors.PushLocation},
		AssigneeEmail: "USER00003@example.com", Status: "IN_STOCK", Location: "Remote",
		AssetTag: "not-opted", SerialNumber: "context only",
	}
	require.NoError(t, p.PushRecord(context.Background(), rec))
	patches := srv.RequestsTo("PATCH", ciPath+id)
	require.Len(t, patches, 1)
	require.Equal(t, map[string]string{
		"assigned_to":    servicenowtest.UserID(3),
		"install_status": "6",
		"location":       servicenowtest.LocationID("Remote"),
	}, body(t, patches[0]))
	got := srv.Get("cmdb_ci_computer", id)
	require.Equal(t, servicenowtest.UserID(3), got["assigned_to"])
	require.Equal(t, "P0000001", got["asset_tag"], "not opted: untouched")

	// Pushing the same values again is harmless and asks no lookup again.
	lookups := len(srv.RequestsTo("GET", "/api/now/table/sys_user")) + len(srv.RequestsTo("GET", "/api/now/table/cmn_location"))
	require.Equal(t, 2, lookups)
	require.NoError(t, p.PushRecord(context.Background(), rec))
	require.Len(t, srv.RequestsTo("PATCH", ciPath+id), 2)
	require.Equal(t, lookups, len(srv.RequestsTo("GET", "/api/now/table/sys_user"))+len(srv.RequestsTo("GET", "/api/now/table/cmn_location")))
}

func TestPushClearsAndWritesPurchaseData(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	bought := time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)
	id := servicenowtest.RecordID(0)
	err := pusher(t, srv, basic).PushRecord(context.Background(), connectors.PushRecord{
		ExternalID: id, Fields: []connectors.PushField{connectors.PushAssignee, connectors.PushAssetTag, connectors.PushPurchase},
		AssetTag: "A-1", PurchaseDate: &bought, PurchasePrice: "1499.00", PurchaseCurrency: "EUR", OrderNumber: "PO-7",
	})
	require.NoError(t, err)
	require.Equal(t, map[string]string{
		"assigned_to": "", "asset_tag": "A-1", "purchase_date": "2025-04-02", "cost": "1499.00", "cost_cc": "EUR",
		"po_number": "PO-7", "warranty_expiration": "",
	}, body(t, srv.RequestsTo("PATCH", ciPath+id)[0]))
}

func TestPushRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		status  int
		message string
		detail  string
		want    string
	}{
		// ServiceNow's message and detail as vendorhttp reads every
		// vendor's error body; a 403 also says what was refused.
		{"ACL", http.StatusForbidden, "Operation Failed", "ACL Exception Update Failed due to security constraints",
			"the vendor refused PATCH /api/now/table/cmdb_ci_computer/" + servicenowtest.RecordID(0) +
				" (HTTP 403); the vendor said: Operation Failed; ACL Exception Update Failed due to security constraints"},
		{"validation", http.StatusBadRequest, "Invalid value for install_status", "", "Invalid value for install_status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
			id := servicenowtest.RecordID(0)
			srv.Fail("PATCH", ciPath, 1, tc.status, tc.message, tc.detail)
			err := pusher(t, srv, basic).PushRecord(context.Background(), connectors.PushRecord{
				ExternalID: id, Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "A-2"})
			var pr *connectors.PushRefusedError
			require.ErrorAs(t, err, &pr)
			require.Equal(t, tc.status, pr.Status)
			require.Equal(t, tc.want, pr.Message)
			require.NotContains(t, err.Error(), servicenowtest.DefaultPassword)
			require.Equal(t, "P0000000", srv.Get("cmdb_ci_computer", id)["asset_tag"], "nothing changed")
			require.Len(t, srv.RequestsTo("PATCH", ciPath+id), 1, "a refusal is not retried")
		})
	}
}

func TestPushOfAnUnknownReferenceIsRefusedWithoutWriting(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	id := servicenowtest.RecordID(0)
	p := pusher(t, srv, basic)
	for _, rec := range []connectors.PushRecord{
		{ExternalID: id, Fields: []connectors.PushField{connectors.PushAssignee}, AssigneeEmail: "nobody@example.com"},
		{ExternalID: id, Fields: []connectors.PushField{connectors.PushLocation}, Location: "Mars Base"},
		{ExternalID: id, Fields: []connectors.PushField{connectors.PushStatus}, Status: "STOLEN"},
	} {
		err := p.PushRecord(context.Background(), rec)
		var pr *connectors.PushRefusedError
		require.ErrorAs(t, err, &pr)
		require.Regexp(t, `nobody@example.com|Mars Base|STOLEN`, pr.Message)
	}
	require.Empty(t, srv.RequestsTo("PATCH", ciPath+id))
}

func TestPushOfADeletedRecordIsRefused(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	id := servicenowtest.RecordID(0)
	srv.Delete("cmdb_ci_computer", id)
	err := pusher(t, srv, basic).PushRecord(context.Background(), connectors.PushRecord{
		ExternalID: id, Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "A"})
	var pr *connectors.PushRefusedError
	require.ErrorAs(t, err, &pr)
	require.Equal(t, http.StatusNotFound, pr.Status)
	require.Contains(t, pr.Message, "No Record found")
}

func TestThrottledPushWaitsAndWritesOnce(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	id := servicenowtest.RecordID(0)
	srv.Throttle(ciPath, 2, "0")
	require.NoError(t, pusher(t, srv, basic).PushRecord(context.Background(), connectors.PushRecord{
		ExternalID: id, Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "A-3"}))
	require.Len(t, srv.RequestsTo("PATCH", ciPath+id), 3)
	require.Equal(t, 2, srv.Stats().Throttled)
	require.Equal(t, "A-3", srv.Get("cmdb_ci_computer", id)["asset_tag"])
}

func TestPushBeyondTheInlineWaitIsARateLimitError(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	srv.Throttle(ciPath, 1, "600")
	err := pusher(t, srv, basic).PushRecord(context.Background(), connectors.PushRecord{
		ExternalID: servicenowtest.RecordID(0), Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "A"})
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 600*time.Second, rl.RetryAfter)
}

func TestPushServerErrorIsRetriable(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	// A PATCH is idempotent: vendorhttp retries a 5xx on its own (1 + 4
	// attempts) before the push job's own retry takes over.
	srv.Fail("PATCH", ciPath, 10, http.StatusInternalServerError, "Internal error", "")
	err := pusher(t, srv, basic).PushRecord(context.Background(), connectors.PushRecord{
		ExternalID: servicenowtest.RecordID(0), Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "A"})
	require.Len(t, srv.RequestsTo("PATCH", ciPath+servicenowtest.RecordID(0)), 5)
	var se *connectors.StatusError
	require.ErrorAs(t, err, &se)
	require.Equal(t, 500, se.Status)
	require.False(t, isRefused(err))
}

// An OAuth token the instance expired between pushes: refreshed once.
func TestPushRefreshesAnExpiredToken(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 1})
	p := pusher(t, srv, clientCreds)
	rec := connectors.PushRecord{ExternalID: servicenowtest.RecordID(0), Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "A"}
	require.NoError(t, p.PushRecord(context.Background(), rec))
	srv.ExpireTokens()
	require.NoError(t, p.PushRecord(context.Background(), rec))
	require.Equal(t, 2, srv.TokensIssued())
}

func TestCreateRecordReturnsTheNewSysID(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Users: 2})
	p := pusher(t, srv, basic)
	id, err := p.CreateRecord(context.Background(), connectors.PushRecord{
		Fields: []connectors.PushField{connectors.PushAssetTag}, Name: "mbp-42", SerialNumber: "C02XYZ", AssetTag: "A-42",
		Status: "DEPLOYED", AssigneeEmail: servicenowtest.UserEmail(1), Location: "Berlin Office",
		// Unknown to ServiceNow: left out instead of refusing the record.
	})
	require.NoError(t, err)
	got := srv.Get("cmdb_ci_computer", id)
	require.NotNil(t, got)
	posts := srv.RequestsTo("POST", "/api/now/table/cmdb_ci_computer")
	require.Len(t, posts, 1)
	require.Equal(t, map[string]string{
		"name": "mbp-42", "serial_number": "C02XYZ", "asset_tag": "A-42", "install_status": "1",
		"assigned_to": servicenowtest.UserID(1), "location": servicenowtest.LocationID("Berlin Office"),
	}, body(t, posts[0]))

	id2, err := p.CreateRecord(context.Background(), connectors.PushRecord{SerialNumber: "C02ABC", AssigneeEmail: "ghost@example.com"})
	require.NoError(t, err)
	require.NotEqual(t, id, id2)
	require.Equal(t, map[string]string{"serial_number": "C02ABC"}, body(t, srv.RequestsTo("POST", "/api/now/table/cmdb_ci_computer")[1]))
}

func isRefused(err error) bool {
	var pr *connectors.PushRefusedError
	return err != nil && errors.As(err, &pr)
}

// A push job builds a source per record: references resolved by one are
// reused by the next (same instance, same API identity), not asked again.
func TestReferenceLookupsAreSharedAcrossSources(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 3, Users: 3, Username: "push-share-" + t.Name(), Password: "pw-" + t.Name()})
	build := func(user string) connectors.Pusher {
		creds := credentials(srv, basic)
		creds["username"] = user
		src, err := connectors.New(connectors.ServiceNow, connectors.Config{Egress: connectors.AllowLoopback(), BaseURL: srv.URL, Credentials: creds})
		require.NoError(t, err)
		return src.(connectors.Pusher)
	}
	rec := func(i int) connectors.PushRecord {
		return connectors.PushRecord{ExternalID: servicenowtest.RecordID(i), Fields: []connectors.PushField{connectors.PushAssignee},
			AssigneeEmail: servicenowtest.UserEmail(1)}
	}
	for i := range 3 {
		require.NoError(t, build(srv.Options().Username).PushRecord(context.Background(), rec(i)))
	}
	require.Len(t, srv.RequestsTo("GET", "/api/now/table/sys_user"), 1)
	require.Len(t, srv.RequestsTo("PATCH", ciPath+servicenowtest.RecordID(2)), 1)

	// Another API identity resolves for itself (its ACLs may differ): the
	// fake refuses its password, so the lookup is tried and refused.
	err := build("someone-else-"+t.Name()).PushRecord(context.Background(), rec(0))
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Len(t, srv.RequestsTo("GET", "/api/now/table/sys_user"), 2)

	// The same user with a wrong password (another organization's
	// connector naming this instance) does not read the cached lookups.
	creds := credentials(srv, basic)
	creds["password"] = "wrong-" + t.Name()
	src, err := connectors.New(connectors.ServiceNow, connectors.Config{Egress: connectors.AllowLoopback(), BaseURL: srv.URL, Credentials: creds})
	require.NoError(t, err)
	err = src.(connectors.Pusher).PushRecord(context.Background(), rec(1))
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Len(t, srv.RequestsTo("GET", "/api/now/table/sys_user"), 3, "the lookup was tried, not served from another identity's cache")
}
