package freshservice_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	fs "github.com/itam-dev/itam/connectors/freshservice/freshservicetest"
)

// Reads and writes (both through vendorhttp's client) pass the egress
// guard: with the default policy a loopback account is
// refused before connecting.
func TestEgressGuardCoversReadsAndWrites(t *testing.T) {
	t.Parallel()
	a := newAccount(t, fs.Options{})
	src := newSource(t, a.srv, func(c *connectors.Config) { c.Egress = connectors.Egress{} })
	var be *connectors.BlockedAddressError
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.ErrorAs(t, err, &be)
	err = src.(connectors.Pusher).PushRecord(context.Background(), connectors.PushRecord{ExternalID: fmt.Sprint(a.laptop),
		Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "X"})
	require.ErrorAs(t, err, &be)
	_, err = src.(connectors.Ticketer).CreateTicket(context.Background(), connectors.NewTicket{Ref: connectors.TicketRef{ExternalID: "1"},
		Summary: "s", RequesterEmail: "bob@example.com"})
	require.ErrorAs(t, err, &be)
	require.Empty(t, a.srv.Requests(), "nothing reached the account")
}

// The API key appears in no log line and no error, in any form (the
// basic-auth header carries it base64-encoded).
func TestCredentialsNeverLoggedNorReturned(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 1250})
	var logs bytes.Buffer
	src := newSource(t, srv, func(c *connectors.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	since := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	_, _ = syncAll(t, src, connectors.PageRequest{Mode: connectors.Incremental, Since: &since}) // logs the fallback to a full listing
	require.NotEmpty(t, logs.String())

	var errs []error
	// Enough 500s to outlast vendorhttp's own retries (one is retried away).
	srv.Fail("", "/api/v2/assets", 10, http.StatusInternalServerError, "")
	_, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	errs = append(errs, err)
	srv.Forbid(http.MethodPut, "/api/v2/assets")
	errs = append(errs, src.(connectors.Pusher).PushRecord(context.Background(), connectors.PushRecord{ExternalID: "100001",
		Fields: []connectors.PushField{connectors.PushAssetTag}, AssetTag: "X"}))
	srv.RotateKey("rotated")
	_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	errs = append(errs, err)

	encoded := base64.StdEncoding.EncodeToString([]byte(fs.DefaultAPIKey + ":X"))
	for _, err := range errs {
		require.Error(t, err)
		require.NotContains(t, err.Error(), fs.DefaultAPIKey)
		require.NotContains(t, err.Error(), encoded)
	}
	require.NotContains(t, logs.String(), fs.DefaultAPIKey)
	require.NotContains(t, logs.String(), encoded)
}

// A 403 on a read names the request, the permission Freshservice's docs
// name for it and Freshservice's own message, not "credentials refused".
func TestForbiddenReadNamesPermission(t *testing.T) {
	t.Parallel()
	srv := fs.New(t, fs.Options{Generated: 3})
	srv.Forbid(http.MethodGet, "/api/v2/requesters")
	src := newSource(t, srv)
	_, err := src.(connectors.PeopleSource).FetchPeoplePage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	var fe *connectors.ForbiddenError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "GET /api/v2/requesters", fe.Endpoint)
	require.Equal(t, "View Requesters/Departments (agent role)", fe.Privilege)
	require.Equal(t, "You are not authorized to perform this action.", fe.Message)
	require.NotErrorIs(t, err, connectors.ErrUnauthorized)
}
