package jsm_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jsm"
	"github.com/itam-dev/itam/connectors/jsm/jsmtest"
)

func TestPushSendsExactlyTheOptedAttributesOnce(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	laptop, _ := seed(srv)
	src := newSource(t, srv)
	rec := connectors.PushRecord{
		ExternalID: laptop,
		Fields:     []connectors.PushField{connectors.PushAssignee, connectors.PushStatus, connectors.PushLocation},
		// Context the push must not write:
		AssetTag: "IGNORED", SerialNumber: "IGNORED",
		AssigneeEmail: "bob@example.com", Status: "IN_STOCK", Location: "Paris",
	}
	srv.AddUser(jsmtest.User{AccountID: "acc-bob2", Email: "bob@example.com", Name: "Bob Visible"})
	require.NoError(t, src.PushRecord(context.Background(), rec))

	puts := srv.RequestsTo(http.MethodPut, "/object/"+laptop)
	require.Len(t, puts, 1)
	require.JSONEq(t, `{"objectTypeId": "10", "attributes": [
		{"objectTypeAttributeId": "108", "objectAttributeValues": [{"value": "acc-bob2"}]},
		{"objectTypeAttributeId": "109", "objectAttributeValues": [{"value": "2"}]},
		{"objectTypeAttributeId": "110", "objectAttributeValues": [{"value": "IT-1002"}]}
	]}`, puts[0].Body)
	v := srv.Values(laptop)
	require.Equal(t, "acc-bob2", v["Owner"])
	require.Equal(t, "In Stock", v["Status"])
	require.Equal(t, "Paris", v["Location"])
	require.Equal(t, "IT-0001", v["Asset Tag"], "not opted: untouched")

	// Pushing the same values again is harmless, and the lookups are cached.
	require.NoError(t, src.PushRecord(context.Background(), rec))
	require.Len(t, srv.RequestsTo(http.MethodPut, "/object/"+laptop), 2)
	require.Len(t, srv.RequestsTo(http.MethodGet, "/rest/api/3/user/search"), 1)
	require.Len(t, srv.RequestsTo(http.MethodGet, "/config/statustype"), 1)
	require.Equal(t, srv.Values(laptop), v)
}

func TestPushPurchaseAndTagAndClear(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	laptop, _ := seed(srv)
	bought := time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC)
	err := newSource(t, srv).PushRecord(context.Background(), connectors.PushRecord{
		ExternalID: laptop,
		Fields:     []connectors.PushField{connectors.PushPurchase, connectors.PushAssetTag, connectors.PushAssignee},
		AssetTag:   "IT-9999", PurchaseDate: &bought, PurchasePrice: "1299.00", AssigneeEmail: "",
	})
	require.NoError(t, err)
	puts := srv.RequestsTo(http.MethodPut, "/object/"+laptop)
	require.Len(t, puts, 1)
	require.JSONEq(t, `{"objectTypeId": "10", "attributes": [
		{"objectTypeAttributeId": "111", "objectAttributeValues": [{"value": "2025-02-03"}]},
		{"objectTypeAttributeId": "112", "objectAttributeValues": [{"value": "1299.00"}]},
		{"objectTypeAttributeId": "113", "objectAttributeValues": []},
		{"objectTypeAttributeId": "105", "objectAttributeValues": [{"value": "IT-9999"}]},
		{"objectTypeAttributeId": "108", "objectAttributeValues": []}
	]}`, puts[0].Body)
	v := srv.Values(laptop)
	require.Equal(t, "IT-9999", v["Asset Tag"])
	require.NotContains(t, v, "Owner", "an empty assignee clears the owner")
	require.NotContains(t, v, "Warranty End Date")
}

func TestPushRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		fault   func(*jsmtest.Server, string)
		rec     connectors.PushRecord
		status  int
		message string
	}{
		{
			name:    "403 from Assets",
			fault:   func(s *jsmtest.Server, id string) { s.Forbid(http.MethodPut, "/object/"+id, 1) },
			rec:     connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "X"},
			status:  403,
			message: "The user does not have permission to perform this action.",
		},
		{
			name: "400 validation",
			fault: func(s *jsmtest.Server, id string) {
				s.FailNext(http.MethodPut, "/object/"+id, 1, 400, `{"errorMessages":[],"errors":{"Asset Tag":"The value is not unique"}}`)
			},
			rec:     connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "X"},
			status:  400,
			message: "Asset Tag: The value is not unique",
		},
		{
			name:    "unknown assignee",
			rec:     connectors.PushRecord{Fields: []connectors.PushField{connectors.PushAssignee}, AssigneeEmail: "nobody@example.com"},
			status:  404,
			message: "nobody@example.com",
		},
		{
			name:    "unknown location",
			rec:     connectors.PushRecord{Fields: []connectors.PushField{connectors.PushLocation}, Location: "Atlantis"},
			status:  404,
			message: `"Atlantis"`,
		},
		{
			name:    "status without an Assets name",
			rec:     connectors.PushRecord{Fields: []connectors.PushField{connectors.PushStatus}, Status: "ORDERED"},
			status:  404,
			message: `Assets has no status "Ordered"`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := jsmtest.New(t, jsmtest.Options{})
			laptop, _ := seed(srv)
			before := srv.Values(laptop)
			if tc.fault != nil {
				tc.fault(srv, laptop)
			}
			tc.rec.ExternalID = laptop
			err := newSource(t, srv).PushRecord(context.Background(), tc.rec)
			var pr *connectors.PushRefusedError
			require.ErrorAs(t, err, &pr)
			require.Equal(t, tc.status, pr.Status)
			require.Contains(t, pr.Message, tc.message)
			if tc.status == http.StatusForbidden {
				// Editing objects takes the developer role: users only view.
				require.Contains(t, pr.Message, "the Object schema developers role")
			}
			require.Equal(t, before, srv.Values(laptop), "nothing changed")
			require.NotContains(t, err.Error(), srv.APIToken())
		})
	}
}

func TestPushThrottledIsRetriedNotRefused(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	laptop, _ := seed(srv)
	srv.ThrottleNext(http.MethodPut, "/object/", 1, "0")
	err := newSource(t, srv).PushRecord(context.Background(), connectors.PushRecord{ExternalID: laptop, Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "IT-7"})
	require.NoError(t, err)
	require.Len(t, srv.RequestsTo(http.MethodPut, "/object/"), 2)
	require.Equal(t, "IT-7", srv.Values(laptop)["Asset Tag"])
}

func TestCreateRecordReturnsNewID(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	seed(srv)
	src := newSource(t, srv)
	id, err := src.CreateRecord(context.Background(), connectors.PushRecord{
		Fields:   []connectors.PushField{connectors.PushAssetTag, connectors.PushStatus},
		AssetTag: "IT-0100", SerialNumber: "SN100", Name: "LT-0100", Model: "ThinkPad X1", Manufacturer: "Lenovo",
		Status: "DEPLOYED", AssigneeEmail: "ada@example.com", Location: "Berlin",
	})
	require.NoError(t, err)
	require.NotEmpty(t, id)
	require.Len(t, srv.RequestsTo(http.MethodPost, "/object/create"), 1)
	v := srv.Values(id)
	require.Equal(t, map[string]string{
		"Name": "LT-0100", "Serial Number": "SN100", "Model": "ThinkPad X1", "Manufacturer": "Lenovo",
		"Owner": "acc-ada", "Status": "In Use", "Location": "Berlin", "Asset Tag": "IT-0100",
	}, v)

	// A 5xx on create is not retried: it may have created the object.
	srv.FailNext(http.MethodPost, "/object/create", 1, http.StatusBadGateway, "")
	_, err = src.CreateRecord(context.Background(), connectors.PushRecord{Name: "LT-0101"})
	require.Error(t, err)
	require.Len(t, srv.RequestsTo(http.MethodPost, "/object/create"), 2)
}

func TestTicketsNewestFirstAndCreate(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	laptop, _ := seed(srv)
	day := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	srv.AddTicket(laptop, jsmtest.Ticket{Key: "HELP-1", ID: "501", Title: "Broken hinge", Status: "Done", Priority: "Low", Created: day, Updated: day})
	srv.AddTicket(laptop, jsmtest.Ticket{Key: "HELP-2", ID: "502", Title: "Battery swelling", Status: "In Progress", Priority: "High", Created: day.Add(24 * time.Hour), Updated: day.Add(25 * time.Hour)})
	src := newSource(t, srv, withOptions(jsm.OptServiceDeskID, jsmtest.ServiceDeskID, jsm.OptRequestTypeID, 10.0, jsm.OptTicketField, "customfield_10050"))

	got, err := src.Tickets(context.Background(), connectors.TicketRef{ExternalID: laptop}, 10)
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "HELP-2", got[0].Number, "newest first")
	require.Equal(t, "Battery swelling", got[0].Summary)
	require.Equal(t, "In Progress", got[0].Status)
	require.Equal(t, "High", got[0].Priority)
	require.Equal(t, srv.URL+"/browse/HELP-2", got[0].URL)
	require.Equal(t, day.Add(24*time.Hour), *got[0].OpenedAt)

	byTag, err := src.Tickets(context.Background(), connectors.TicketRef{AssetTag: "IT-0001"}, 1)
	require.NoError(t, err)
	require.Len(t, byTag, 1, "found by asset tag, cut at the limit")
	none, err := src.Tickets(context.Background(), connectors.TicketRef{AssetTag: "NOPE"}, 5)
	require.NoError(t, err)
	require.Empty(t, none)

	tk, err := src.CreateTicket(context.Background(), connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: laptop}, Summary: "Stale device", Description: "No check-in for 45 days", RequesterEmail: "ada@example.com"})
	require.NoError(t, err)
	require.Regexp(t, `^HELP-\d+$`, tk.Number)
	require.Equal(t, "Waiting for support", tk.Status)
	require.NotEmpty(t, tk.URL)
	reqs := srv.RequestsTo(http.MethodPost, "/rest/servicedeskapi/request")
	require.Len(t, reqs, 1)
	require.JSONEq(t, `{"serviceDeskId": "1", "requestTypeId": "10", "raiseOnBehalfOf": "acc-ada", "requestFieldValues": {
		"summary": "Stale device", "description": "No check-in for 45 days",
		"customfield_10050": [{"workspaceId": "`+srv.WorkspaceID()+`", "id": "`+srv.WorkspaceID()+`:`+laptop+`", "objectId": "`+laptop+`"}]}}`, reqs[0].Body)
	got, err = src.Tickets(context.Background(), connectors.TicketRef{ExternalID: laptop}, 10)
	require.NoError(t, err)
	require.Len(t, got, 3, "the new request is connected to the object")

	_, err = src.CreateTicket(context.Background(), connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: laptop}})
	var pr *connectors.PushRefusedError
	require.ErrorAs(t, err, &pr, "JSM refuses a request without a summary")
	require.Contains(t, pr.Message, "You must specify a summary")

	_, err = newSource(t, srv).CreateTicket(context.Background(), connectors.NewTicket{Summary: "x"})
	var ce *connectors.ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "options.serviceDeskId", ce.Field)
}

func TestCreateThrottledIsRetried(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	srv.ThrottleNext(http.MethodPost, "/object/create", 1, "0")
	id, err := newSource(t, srv).CreateRecord(context.Background(), connectors.PushRecord{Name: "LT-1", AssetTag: "IT-1"})
	require.NoError(t, err)
	require.Len(t, srv.RequestsTo(http.MethodPost, "/object/create"), 2, "a 429 created nothing: asked again")
	require.Equal(t, "LT-1", srv.Values(id)["Name"])
}
