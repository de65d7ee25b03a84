package freshservice_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	fs "github.com/itam-dev/itam/connectors/freshservice/freshservicetest"
)

func pusher(t *testing.T, srv *fs.Server, mutate ...func(*connectors.Config)) connectors.Pusher {
	t.Helper()
	return newSource(t, srv, mutate...).(connectors.Pusher)
}

// Each opted field is sent alone, exactly once, the way Freshservice
// takes it: ids for people and locations, type fields under the record's
// suffixed keys.
func TestPushSendsExactlyTheOptedFields(t *testing.T) {
	t.Parallel()
	hw := fmt.Sprint(fs.TypeHardware)
	bought := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	warranty := time.Date(2028, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		rec  func(a *account) connectors.PushRecord
		body func(a *account) string
	}{
		{"assignee by email", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssignee}, AssigneeEmail: "BOB@example.com", AssetTag: "ignored"}
		}, func(a *account) string { return fmt.Sprintf(`{"user_id": %d}`, a.bob) }},
		{"assignee is an agent", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssignee}, AssigneeEmail: "dave@example.com"}
		}, func(a *account) string { return fmt.Sprintf(`{"user_id": %d}`, a.dave) }},
		{"assignee cleared", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssignee}}
		}, func(*account) string { return `{"user_id": null}` }},
		{"location by name", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushLocation}, Location: "paris"}
		}, func(a *account) string { return fmt.Sprintf(`{"location_id": %d}`, a.paris) }},
		{"asset tag", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "IT-9999"}
		}, func(*account) string { return `{"asset_tag": "IT-9999"}` }},
		{"status", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushStatus}, Status: "IN_REPAIR"}
		}, func(*account) string { return `{"type_fields": {"asset_state_` + hw + `": "In Repair"}}` }},
		{"purchase", func(a *account) connectors.PushRecord {
			return connectors.PushRecord{Fields: []connectors.PushField{connectors.PushPurchase}, PurchasePrice: "1299.50", PurchaseCurrency: "EUR",
				PurchaseDate: &bought, WarrantyEnd: &warranty}
		}, func(*account) string {
			return `{"type_fields": {"cost_` + hw + `": 1299.5, "acquisition_date_` + hw + `": "2025-06-01T00:00:00Z", "warranty_expiry_date_` + hw + `": "2028-06-01T00:00:00Z"}}`
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAccount(t, fs.Options{})
			rec := tc.rec(a)
			rec.ExternalID = fmt.Sprint(a.laptop)
			require.NoError(t, pusher(t, a.srv).PushRecord(context.Background(), rec))
			puts := a.srv.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v2/assets/%d", a.laptop))
			require.Len(t, puts, 1)
			require.JSONEq(t, tc.body(a), puts[0].Body)
		})
	}
}

// The pushed values land on the record; pushing them again is harmless.
func TestPushIsIdempotent(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	p := pusher(t, a.srv)
	rec := connectors.PushRecord{ExternalID: fmt.Sprint(a.laptop), Fields: []connectors.PushField{connectors.PushAssignee, connectors.PushStatus, connectors.PushLocation},
		AssigneeEmail: "bob@example.com", Status: "IN_STOCK", Location: "Paris"}
	require.NoError(t, p.PushRecord(context.Background(), rec))
	require.NoError(t, p.PushRecord(context.Background(), rec))
	puts := a.srv.RequestsTo(http.MethodPut, fmt.Sprintf("/api/v2/assets/%d", a.laptop))
	require.Len(t, puts, 2)
	require.JSONEq(t, puts[0].Body, puts[1].Body)
	got := a.srv.Asset(a.laptop)
	require.Equal(t, a.bob, *got.UserID)
	require.Equal(t, a.paris, *got.LocationID)
	require.Equal(t, "In Stock", got.TypeFields["asset_state"])
	// The requester lookup is cached per Source.
	require.Len(t, a.srv.RequestsTo(http.MethodGet, "/api/v2/requesters"), 1)

	// What was pushed is what the next pull reads: no change comes back.
	d, err := newSource(t, a.srv).FetchDevice(context.Background(), fmt.Sprint(a.laptop))
	require.NoError(t, err)
	require.Equal(t, "bob@example.com", d.UserEmail)
	require.Equal(t, "IN_STOCK", d.Status)
	require.Equal(t, "Paris", d.Location)
}

// Refusals carry Freshservice's words and change nothing there; a
// reference that cannot be resolved is refused before any write.
func TestPushRefused(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	id := fmt.Sprint(a.laptop)
	ctx := context.Background()
	refused := func(t *testing.T, err error, status int, msg string) {
		t.Helper()
		var pr *connectors.PushRefusedError
		require.ErrorAs(t, err, &pr)
		require.Equal(t, status, pr.Status)
		require.Contains(t, pr.Message, msg)
		require.NotContains(t, err.Error(), fs.DefaultAPIKey)
	}

	a.srv.Forbid(http.MethodPut, "/api/v2/assets")
	err := pusher(t, a.srv).PushRecord(ctx, connectors.PushRecord{ExternalID: id, Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "NEW"})
	refused(t, err, http.StatusForbidden, "You are not authorized to perform this action.")
	require.Contains(t, err.Error(), "Create and edit Assets", "names the permission to grant")
	a.srv.ClearFaults()
	require.Equal(t, "IT-0001", a.srv.Asset(a.laptop).AssetTag)

	a.srv.ResetLog()
	err = pusher(t, a.srv).PushRecord(ctx, connectors.PushRecord{ExternalID: id, Fields: []connectors.PushField{connectors.PushAssignee}, AssigneeEmail: "nobody@example.com"})
	refused(t, err, http.StatusNotFound, "no Freshservice requester or agent has the email nobody@example.com")
	err = pusher(t, a.srv).PushRecord(ctx, connectors.PushRecord{ExternalID: id, Fields: []connectors.PushField{connectors.PushLocation}, Location: "Atlantis"})
	refused(t, err, http.StatusNotFound, `no Freshservice location is named "Atlantis"`)
	require.Empty(t, a.srv.RequestsTo(http.MethodPut, "/api/v2/assets/"+id), "nothing written")

	// Freshservice's own validation: a state the account does not offer.
	p := pusher(t, a.srv, withOption("statusMap", map[string]any{"Loaned": "DEPLOYED"}))
	err = p.PushRecord(ctx, connectors.PushRecord{ExternalID: id, Fields: []connectors.PushField{connectors.PushStatus}, Status: "DEPLOYED"})
	refused(t, err, http.StatusBadRequest, fmt.Sprintf("type_fields.asset_state_%d: It should be one of these values", fs.TypeHardware))
	err = p.PushRecord(ctx, connectors.PushRecord{ExternalID: id, Fields: []connectors.PushField{connectors.PushStatus}, Status: "STOLEN"})
	refused(t, err, http.StatusBadRequest, "no Freshservice asset state maps to the status STOLEN")
	require.Equal(t, "In Use", a.srv.Asset(a.laptop).TypeFields["asset_state"])
}

// 429 and 5xx are not refusals: a short Retry-After is waited out, the
// rest is an error the push job retries.
func TestPushThrottledAndFailing(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	id := fmt.Sprint(a.laptop)
	rec := connectors.PushRecord{ExternalID: id, Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "T-1"}
	a.srv.Throttle("/api/v2/assets/"+id, 1, "0.01")
	require.NoError(t, pusher(t, a.srv).PushRecord(context.Background(), rec))
	require.Len(t, a.srv.RequestsTo(http.MethodPut, "/api/v2/assets/"+id), 2)

	a.srv.Throttle("/api/v2/assets/"+id, 1, "300")
	var rl *connectors.RateLimitError
	require.ErrorAs(t, pusher(t, a.srv).PushRecord(context.Background(), rec), &rl)

	// A 503 past the client's own retries (1 + 4 attempts).
	a.srv.ResetLog()
	a.srv.Fail(http.MethodPut, "/api/v2/assets/"+id, 10, http.StatusServiceUnavailable, "")
	err := pusher(t, a.srv).PushRecord(context.Background(), rec)
	require.Len(t, a.srv.RequestsTo(http.MethodPut, "/api/v2/assets/"+id), 5)
	var se *connectors.StatusError
	require.ErrorAs(t, err, &se)
	var pr *connectors.PushRefusedError
	require.NotErrorAs(t, err, &pr)
}

func TestCreateRecord(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	rec := connectors.PushRecord{Name: "New MacBook", AssetTag: "IT-0100", SerialNumber: "C02NEW", Status: "IN_STOCK",
		AssigneeEmail: "alice.ng@example.com", Location: "Berlin HQ", PurchasePrice: "1800"}

	_, err := pusher(t, a.srv).CreateRecord(context.Background(), rec)
	var pr *connectors.PushRefusedError
	require.ErrorAs(t, err, &pr)
	require.Contains(t, pr.Message, "defaultAssetTypeId")

	id, err := pusher(t, a.srv, withOption("defaultAssetTypeId", float64(fs.TypeLaptop))).CreateRecord(context.Background(), rec)
	require.NoError(t, err)
	posts := a.srv.RequestsTo(http.MethodPost, "/api/v2/assets")
	require.Len(t, posts, 1)
	hw := fs.TypeHardware
	require.JSONEq(t, fmt.Sprintf(`{"name": "New MacBook", "asset_type_id": %d, "asset_tag": "IT-0100", "user_id": %d, "location_id": %d,
		"type_fields": {"serial_number_%d": "C02NEW", "asset_state_%d": "In Stock", "cost_%d": 1800}}`,
		fs.TypeLaptop, a.alice, a.berlin, hw, hw, hw), posts[0].Body)

	d, err := newSource(t, a.srv).FetchDevice(context.Background(), id)
	require.NoError(t, err)
	require.Equal(t, "C02NEW", d.SerialNumber)
	require.Equal(t, "IN_STOCK", d.Status)
}

func TestTickets(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	src := newSource(t, a.srv).(connectors.Ticketer)
	ctx := context.Background()
	laptop := fmt.Sprint(a.laptop)

	_, err := src.CreateTicket(ctx, connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: laptop}, Summary: "Stale device"})
	var pr *connectors.PushRefusedError
	require.ErrorAs(t, err, &pr, "Freshservice needs a requester")

	first, err := src.CreateTicket(ctx, connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: laptop}, Summary: "Stale device",
		Description: "Not seen for 40 days", RequesterEmail: "alice.ng@example.com"})
	require.NoError(t, err)
	require.Equal(t, "Open", first.Status)
	require.Equal(t, "Low", first.Priority)
	require.Equal(t, "#"+first.ExternalID, first.Number)
	require.Equal(t, a.srv.URL+"/helpdesk/tickets/"+first.ExternalID, first.URL)
	require.NotNil(t, first.OpenedAt)
	posts := a.srv.RequestsTo(http.MethodPost, "/api/v2/tickets")
	require.JSONEq(t, fmt.Sprintf(`{"email": "alice.ng@example.com", "subject": "Stale device", "description": "Not seen for 40 days",
		"status": 2, "priority": 1, "assets": [{"display_id": %d}]}`, a.laptop), posts[0].Body)

	// By tag only: the asset is found by the documented search.
	second, err := src.CreateTicket(ctx, connectors.NewTicket{Ref: connectors.TicketRef{AssetTag: "it-0001"}, Summary: "Audit failed", RequesterEmail: "bob@example.com"})
	require.NoError(t, err)
	a.srv.AddAssetRequest(a.laptop, "Problem", 77, "Fleet-wide battery issue", "Open")

	tickets, err := src.Tickets(ctx, connectors.TicketRef{ExternalID: laptop}, 10)
	require.NoError(t, err)
	require.Len(t, tickets, 2, "problems are not tickets")
	require.Equal(t, []string{second.ExternalID, first.ExternalID}, []string{tickets[0].ExternalID, tickets[1].ExternalID}, "newest first")
	require.Equal(t, "Audit failed", tickets[0].Summary)
	require.Equal(t, "Open", tickets[0].Status)

	limited, err := src.Tickets(ctx, connectors.TicketRef{AssetTag: "IT-0001"}, 1)
	require.NoError(t, err)
	require.Len(t, limited, 1)
	require.Equal(t, second.ExternalID, limited[0].ExternalID)

	none, err := src.Tickets(ctx, connectors.TicketRef{AssetTag: "NO-SUCH-TAG"}, 10)
	require.NoError(t, err)
	require.Empty(t, none)
}
