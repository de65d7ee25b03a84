package servicenow_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/testkit"
)

func TestTicketsCreateAndListNewestFirst(t *testing.T) {
	t.Parallel()
	clock := testkit.NewClock(time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC))
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 2, Users: 3, Now: clock.Now})
	tk := newSource(t, srv, basic).(connectors.Ticketer)
	ctx := context.Background()
	ci := servicenowtest.RecordID(1)
	ref := connectors.TicketRef{ExternalID: ci, AssetTag: "P0000001"}

	first, err := tk.CreateTicket(ctx, connectors.NewTicket{Ref: ref, Summary: "Stale device", Description: "Not seen for 45 days",
		RequesterEmail: servicenowtest.UserEmail(2)})
	require.NoError(t, err)
	require.Regexp(t, `^INC\d{7}$`, first.Number)
	require.Equal(t, "New", first.Status)
	require.Equal(t, "Stale device", first.Summary)
	require.Equal(t, srv.URL+"/incident.do?sys_id="+first.ExternalID, first.URL)
	posts := srv.RequestsTo("POST", "/api/now/table/incident")
	require.Len(t, posts, 1)
	require.Equal(t, map[string]string{"short_description": "Stale device", "description": "Not seen for 45 days",
		"cmdb_ci": ci, "caller_id": servicenowtest.UserID(2)}, body(t, posts[0]))

	clock.Advance(time.Hour)
	second, err := tk.CreateTicket(ctx, connectors.NewTicket{Ref: ref, Summary: "Failed audit", RequesterEmail: "unknown@example.com"})
	require.NoError(t, err)
	require.NotContains(t, body(t, srv.RequestsTo("POST", "/api/now/table/incident")[1]), "caller_id", "an unknown requester is left out")
	// Another CI's incident is not listed.
	_, err = tk.CreateTicket(ctx, connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: servicenowtest.RecordID(0)}, Summary: "Other"})
	require.NoError(t, err)

	list, err := tk.Tickets(ctx, ref, 10)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{second.Number, first.Number}, []string{list[0].Number, list[1].Number})
	require.Equal(t, "5 - Planning", list[0].Priority)
	require.Equal(t, time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), *list[0].OpenedAt)
	q := srv.RequestsTo("GET", "/api/now/table/incident")[0].Query
	require.Equal(t, "cmdb_ci="+ci+"^ORDERBYDESCopened_at", q.Get("sysparm_query"))

	// Without a link: by the CI's asset tag (dot-walked).
	byTag, err := tk.Tickets(ctx, connectors.TicketRef{AssetTag: "P0000001"}, 1)
	require.NoError(t, err)
	require.Len(t, byTag, 1)
	require.Equal(t, second.Number, byTag[0].Number)

	none, err := tk.Tickets(ctx, connectors.TicketRef{}, 5)
	require.NoError(t, err)
	require.Empty(t, none)
}

// On the asset table an incident points at the asset's CI.
func TestTicketsOnHardwareAssets(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Table: "alm_hardware", Records: 1})
	ciID := srv.Insert("cmdb_ci_computer", servicenowtest.Record{"name": "mbp", "asset_tag": "P0000000"})
	asset := servicenowtest.RecordID(0)
	require.True(t, srv.Update("alm_hardware", asset, servicenowtest.Record{"ci": ciID}))
	require.True(t, srv.Update("cmdb_ci_computer", ciID, servicenowtest.Record{"asset": asset}))
	tk := newSource(t, srv, basic, withOptions("table", "alm_hardware")).(connectors.Ticketer)
	ctx := context.Background()
	created, err := tk.CreateTicket(ctx, connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: asset}, Summary: "Broken screen"})
	require.NoError(t, err)
	require.Equal(t, ciID, body(t, srv.RequestsTo("POST", "/api/now/table/incident")[0])["cmdb_ci"])
	list, err := tk.Tickets(ctx, connectors.TicketRef{ExternalID: asset}, 5)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, created.Number, list[0].Number)
}
