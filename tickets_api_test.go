package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/testkit"
	"github.com/itam-dev/itam/internal/tickets"
)

// fakeDesk is a small service desk over HTTP for the tickets API tests:
// GET /tickets lists the tickets of a record or an asset tag, POST
// /tickets opens one. It wants "Authorization: Bearer <token>", counts
// its calls, and fails the next call on request. (The three vendors'
// documented fakes take over in the coordinator's round trips; this one
// tests the API's side: roles, cache, failures, redaction.)
type fakeDesk struct {
	srv   *httptest.Server
	token string

	mu      sync.Mutex
	tickets []fakeTicket
	lists   int
	creates []map[string]string
	fail    []fakeFailure
}

type fakeTicket struct {
	connectors.Ticket
	ref, tag string
}

type fakeFailure struct {
	status int
	body   string
}

func newFakeDesk(t *testing.T, token string, ts ...fakeTicket) *fakeDesk {
	d := &fakeDesk{token: token, tickets: ts}
	d.srv = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.srv.Close)
	return d
}

func (d *fakeDesk) serve(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+d.token {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		d.lists++
	}
	if len(d.fail) > 0 {
		f := d.fail[0]
		d.fail = d.fail[1:]
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "120")
		}
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, f.body)
		return
	}
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		out := []connectors.Ticket{}
		for _, t := range d.tickets {
			if q.Get("ref") != "" && t.ref == q.Get("ref") || q.Get("ref") == "" && t.tag == q.Get("tag") {
				out = append(out, t.Ticket)
			}
		}
		_ = json.NewEncoder(w).Encode(out)
	case http.MethodPost:
		var in map[string]string
		_ = json.NewDecoder(r.Body).Decode(&in)
		d.creates = append(d.creates, in)
		now := time.Now().UTC()
		t := fakeTicket{Ticket: connectors.Ticket{ExternalID: fmt.Sprint("new-", len(d.creates)), Number: fmt.Sprint("NEW", len(d.creates)),
			Summary: in["summary"], Status: "New", OpenedAt: &now}, ref: in["ref"], tag: in["tag"]}
		d.tickets = append(d.tickets, t)
		_ = json.NewEncoder(w).Encode(t.Ticket)
	}
}

// failNext makes the next call answer status with body.
func (d *fakeDesk) failNext(status int, body string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.fail = append(d.fail, fakeFailure{status, body})
}

func (d *fakeDesk) listCalls() int { d.mu.Lock(); defer d.mu.Unlock(); return d.lists }

func (d *fakeDesk) created() []map[string]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]map[string]string(nil), d.creates...)
}

// deskClient is the connectors.Ticketer of a fakeDesk, answering with the
// connectors package's errors as a vendor package would.
type deskClient struct{ base, token string }

func (c deskClient) call(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	switch {
	case res.StatusCode == http.StatusUnauthorized:
		return connectors.ErrUnauthorized
	case res.StatusCode == http.StatusForbidden:
		return &connectors.ForbiddenError{Endpoint: method + " " + path, Message: string(msg)}
	case res.StatusCode == http.StatusTooManyRequests:
		return &connectors.RateLimitError{RetryAfter: 2 * time.Minute}
	case res.StatusCode >= 500:
		return &connectors.StatusError{Status: res.StatusCode, URL: c.base + path}
	case res.StatusCode >= 400:
		return &connectors.PushRefusedError{Status: res.StatusCode, URL: c.base + path, Message: string(msg)}
	}
	return json.Unmarshal(msg, out)
}

func (c deskClient) Tickets(ctx context.Context, ref connectors.TicketRef, limit int) ([]connectors.Ticket, error) {
	var out []connectors.Ticket
	q := url.Values{"ref": {ref.ExternalID}, "tag": {ref.AssetTag}, "limit": {fmt.Sprint(limit)}}
	return out, c.call(ctx, http.MethodGet, "/tickets?"+q.Encode(), nil, &out)
}

func (c deskClient) CreateTicket(ctx context.Context, t connectors.NewTicket) (connectors.Ticket, error) {
	var out connectors.Ticket
	in := map[string]string{"ref": t.Ref.ExternalID, "tag": t.Ref.AssetTag, "summary": t.Summary,
		"description": t.Description, "requester": t.RequesterEmail}
	return out, c.call(ctx, http.MethodPost, "/tickets", in, &out)
}

// deskOpener opens the fake desk of a connector by its name, with the
// connector's own (opened) credential as the token; other connectors have
// no tickets.
type deskOpener map[string]*fakeDesk

func (o deskOpener) Open(sc *itam.ConnectorSecrets) (connectors.Ticketer, error) {
	d, ok := o[sc.Connector.Name]
	if !ok {
		return nil, tickets.ErrNoTickets
	}
	token := sc.Credentials["password"] + sc.Credentials["apiKey"]
	return deskClient{base: d.srv.URL, token: token}, nil
}

// ticketClock is the cache's clock, moved by the test.
type ticketClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *ticketClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *ticketClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type ticketsAPI struct {
	*connAPI
	clock *ticketClock
}

func newTicketsAPI(t *testing.T, open tickets.Opener) *ticketsAPI {
	t.Helper()
	box, err := secretbox.New(bytes.Repeat([]byte{9}, secretbox.KeySize))
	require.NoError(t, err)
	clk := &ticketClock{t: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
	logs := &testkit.LockedBuffer{}
	a := newAPIFrom(t, logs, "debug", func(db *postgres.DB) []httpapi.ServerOption {
		rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		return []httpapi.ServerOption{httpapi.WithConnectors(box, postgres.RiverEnqueuer{Client: rc}, ""),
			httpapi.WithTickets(tickets.NewCache(30*time.Second, clk.now), open)}
	})
	a.keep = true
	return &ticketsAPI{connAPI: &connAPI{api: a, owner: a.owner(), logs: logs}, clock: clk}
}

const ticketFields = `connector { name } connectorId connectorKind externalId number summary status priority url openedAt updatedAt`

const assetTickets = `query($id: ID!, $first: Int) { node(id: $id) { ... on Asset { tickets(first: $first) { ` + ticketFields + ` } } } }`

const createTicket = `mutation($in: CreateTicketInput!) { createTicket(input: $in) { ticket { ` + ticketFields + ` } asset { id assetTag } } }`

func numbers(v any) []string {
	out := []string{}
	for _, t := range v.([]any) {
		out = append(out, str(t, "number"))
	}
	return out
}

func rowID(t *testing.T, global string) uuid.UUID {
	_, id, ok := relay.Parse(global)
	require.True(t, ok)
	return id
}

// TestTicketsThroughAPI: Asset.tickets and createTicket per role, across
// organizations, through the cache, with failing vendors, never showing a
// credential.
func TestTicketsThroughAPI(t *testing.T) {
	t.Parallel()
	const deskPassword, freshKey = "desk-PASSWORD-9f8e7d", "fresh-APIKEY-1a2b3c"
	at := func(day int) *time.Time { v := time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC); return &v }
	desk := newFakeDesk(t, deskPassword,
		fakeTicket{Ticket: connectors.Ticket{ExternalID: "s1", Number: "INC0010001", Summary: "Battery swelling", Status: "Resolved", Priority: "3", URL: "https://desk.example/inc1", OpenedAt: at(1), UpdatedAt: at(2)}, ref: "sys-laptop"},
		fakeTicket{Ticket: connectors.Ticket{ExternalID: "s2", Number: "INC0010002", Summary: "Keyboard", OpenedAt: at(20)}, ref: "sys-laptop"})
	fresh := newFakeDesk(t, freshKey,
		fakeTicket{Ticket: connectors.Ticket{ExternalID: "7", Number: "#7", Summary: "Dock flickers", OpenedAt: at(10)}, tag: "LAP-1"})
	a := newTicketsAPI(t, deskOpener{"Desk": desk, "Fresh": fresh})
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	manager := mint(t, "acme", itam.RoleManager, "it@acme.test")
	auditor := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	grace := mint(t, "acme", itam.RoleEmployee, "grace@example.com")
	globex := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")

	ids := a.inventory(admin)
	laptop := str(a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assetTag": "LAP-1"}}), "createAsset.asset.id")
	adas := str(a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assetTag": "LAP-2"}}), "createAsset.asset.id")
	a.ok(admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { id } } }`, map[string]any{"id": adas, "to": ids["ada"]})
	conn := func(kind, name string, creds map[string]any) string {
		in := map[string]any{"kind": kind, "name": name, "baseUrl": "https://" + name + ".example.com", "credentials": creds}
		return str(a.ok(admin, `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { connector { id } } }`, map[string]any{"in": in}), "createConnector.connector.id")
	}
	deskID := conn("SERVICENOW", "Desk", map[string]any{"username": "itam", "password": deskPassword})
	freshID := conn("FRESHSERVICE", "Fresh", map[string]any{"apiKey": freshKey})
	mute := conn("FRESHSERVICE", "Mute", map[string]any{"apiKey": "mute-key"}) // its vendor has no tickets
	ctx := context.Background()
	_, err := a.owner.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id)
		SELECT org_id, id, 'SERVICENOW:'||$2::uuid::text, 'sys-laptop', $2::uuid FROM assets WHERE id = $1`, rowID(t, laptop), rowID(t, deskID))
	require.NoError(t, err)
	vars := func(id string) map[string]any { return map[string]any{"id": id} }

	// Every role that reads all: the linked record at Desk, the tag at
	// Fresh, newest first; the connector itself only for an ADMIN.
	d := a.ok(admin, assetTickets, vars(laptop))
	list := get(d, "node.tickets")
	require.Equal(t, []string{"INC0010002", "#7", "INC0010001"}, numbers(list))
	first := get(list, "2")
	require.Equal(t, "Desk", str(first, "connector.name"))
	require.Equal(t, deskID, str(first, "connectorId"))
	require.Equal(t, "SERVICENOW", str(first, "connectorKind"))
	require.Equal(t, "s1", str(first, "externalId"))
	require.Equal(t, "Battery swelling", str(first, "summary"))
	require.Equal(t, "Resolved", str(first, "status"))
	require.Equal(t, "3", str(first, "priority"))
	require.Equal(t, "https://desk.example/inc1", str(first, "url"))
	require.Equal(t, "2026-11-01T09:00:00Z", str(first, "openedAt"))
	require.Nil(t, get(list, "0.status"))
	require.Equal(t, freshID, str(get(list, "1"), "connectorId"))
	for _, tok := range []string{manager, auditor} {
		d = a.ok(tok, assetTickets, vars(laptop))
		require.Equal(t, []string{"INC0010002", "#7", "INC0010001"}, numbers(get(d, "node.tickets")))
		require.Nil(t, get(d, "node.tickets.0.connector"), "connector details are ADMIN only")
	}
	// Three reads within the TTL: one vendor call per connector.
	require.Equal(t, 1, desk.listCalls())
	require.Equal(t, 1, fresh.listCalls())
	a.clock.add(31 * time.Second)
	a.ok(manager, assetTickets, vars(laptop))
	require.Equal(t, 2, desk.listCalls())
	require.Equal(t, 2, fresh.listCalls())

	d = a.ok(admin, assetTickets, map[string]any{"id": laptop, "first": 1})
	require.Equal(t, []string{"INC0010002"}, numbers(get(d, "node.tickets")))
	for _, n := range []int{0, 51} {
		a.code(admin, assetTickets, map[string]any{"id": laptop, "first": n}, "BAD_USER_INPUT", "first")
	}

	// An EMPLOYEE: their own asset only; others' are not visible at all.
	a.ok(ada, assetTickets, vars(adas))
	require.Nil(t, get(a.ok(grace, assetTickets, vars(adas)), "node"))
	require.Nil(t, get(a.ok(ada, assetTickets, vars(laptop)), "node"))
	// Another organization sees nothing and can open nothing.
	require.Nil(t, get(a.ok(globex, assetTickets, vars(laptop)), "node"))
	a.code(globex, createTicket, map[string]any{"in": map[string]any{"assetId": laptop, "summary": "x"}}, "NOT_FOUND", "")
	a.code(globex, createTicket, map[string]any{"in": map[string]any{"assetId": laptop, "summary": "x", "connectorId": deskID}}, "NOT_FOUND", "")

	// A failing vendor fails only its part: the other's tickets and an
	// error on the field naming the failing connector, without its key.
	a.clock.add(31 * time.Second)
	fresh.failNext(http.StatusServiceUnavailable, "down")
	r := a.do(admin, assetTickets, vars(laptop))
	require.Equal(t, []string{"INC0010002", "INC0010001"}, numbers(get(r.Data, "node.tickets")))
	require.Len(t, r.Errors, 1)
	require.Equal(t, "UPSTREAM_UNAVAILABLE", r.Errors[0].Extensions["code"])
	require.Equal(t, []any{"node", "tickets"}, r.Errors[0].Path)
	require.Contains(t, r.Errors[0].Message, `"Fresh"`)
	require.Contains(t, r.Errors[0].Message, "HTTP 503")
	// A privilege the vendor refused: FORBIDDEN with its words (which here
	// quote the key: redacted); a MANAGER sees the connector by kind and id.
	fresh.failNext(http.StatusForbidden, "API key "+freshKey+" lacks the Asset viewer role")
	r = a.do(manager, assetTickets, vars(laptop))
	require.Len(t, get(r.Data, "node.tickets"), 2)
	require.Len(t, r.Errors, 1)
	require.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"])
	require.Contains(t, r.Errors[0].Message, "lacks the Asset viewer role")
	require.Contains(t, r.Errors[0].Message, "FRESHSERVICE connector "+freshID)
	require.NotContains(t, r.Errors[0].Message, "Fresh\"")
	a.clock.add(31 * time.Second)
	desk.failNext(http.StatusTooManyRequests, "")
	r = a.do(auditor, assetTickets, vars(laptop))
	require.Equal(t, []string{"#7"}, numbers(get(r.Data, "node.tickets")))
	require.Equal(t, "UPSTREAM_UNAVAILABLE", r.Errors[0].Extensions["code"])
	require.EqualValues(t, 120, r.Errors[0].Extensions["retryAfterSeconds"])
	// Until its Retry-After has passed, the limited vendor is not asked.
	limited := desk.listCalls()
	a.clock.add(time.Minute)
	r = a.do(auditor, assetTickets, vars(laptop))
	require.EqualValues(t, 60, r.Errors[0].Extensions["retryAfterSeconds"])
	require.Equal(t, limited, desk.listCalls())
	a.clock.add(time.Minute)

	// createTicket: the connector the asset is linked to; the caller is
	// the requester; the summary trimmed; the asset's cache dropped.
	calls := desk.listCalls()
	a.ok(admin, assetTickets, vars(laptop)) // cached now
	require.Equal(t, calls+1, desk.listCalls())
	in := map[string]any{"assetId": laptop, "summary": "  Fan is loud  ", "description": "since the update"}
	d = a.ok(manager, createTicket, map[string]any{"in": in})
	require.Equal(t, "NEW1", str(d, "createTicket.ticket.number"))
	require.Equal(t, deskID, str(d, "createTicket.ticket.connectorId"))
	require.Nil(t, get(d, "createTicket.ticket.connector"))
	require.Equal(t, "LAP-1", str(d, "createTicket.asset.assetTag"))
	require.Equal(t, []map[string]string{{"ref": "sys-laptop", "tag": "LAP-1", "summary": "Fan is loud",
		"description": "since the update", "requester": "it@acme.test"}}, desk.created())
	d = a.ok(admin, assetTickets, vars(laptop))
	require.Equal(t, calls+2, desk.listCalls(), "the cache was dropped")
	require.Contains(t, numbers(get(d, "node.tickets")), "NEW1")

	// Ada's laptop is linked nowhere: Desk and Fresh both could (Mute has
	// no tickets): she must choose, and is told which exist.
	r = a.code(ada, createTicket, map[string]any{"in": map[string]any{"assetId": adas, "summary": "Broken hinge"}}, "BAD_USER_INPUT", "connectorId")
	require.Contains(t, r.Errors[0].Message, deskID)
	require.Contains(t, r.Errors[0].Message, freshID)
	require.NotContains(t, r.Errors[0].Message, rowID(t, mute).String())
	d = a.ok(ada, createTicket, map[string]any{"in": map[string]any{"assetId": adas, "summary": "Broken hinge", "connectorId": freshID}})
	require.Equal(t, "FRESHSERVICE", str(d, "createTicket.ticket.connectorKind"))
	require.Equal(t, "ada@example.com", fresh.created()[0]["requester"])
	require.Equal(t, "LAP-2", fresh.created()[0]["tag"])
	a.code(grace, createTicket, map[string]any{"in": map[string]any{"assetId": adas, "summary": "x", "connectorId": freshID}}, "NOT_FOUND", "")
	a.code(auditor, createTicket, map[string]any{"in": map[string]any{"assetId": laptop, "summary": "x"}}, "FORBIDDEN", "")

	// Bad input and refusals change nothing at the vendor or here.
	before := len(desk.created())
	bad := func(in map[string]any, code, field string) gqlResponse {
		return a.code(admin, createTicket, map[string]any{"in": in}, code, field)
	}
	bad(map[string]any{"assetId": laptop, "summary": "   "}, "BAD_USER_INPUT", "summary")
	bad(map[string]any{"assetId": laptop, "summary": strings.Repeat("s", 161)}, "BAD_USER_INPUT", "summary")
	bad(map[string]any{"assetId": laptop, "summary": "x", "description": string(bytes.Repeat([]byte("d"), 32<<10+1))}, "BAD_USER_INPUT", "description")
	bad(map[string]any{"assetId": laptop, "summary": "x", "connectorId": relay.ID(relay.TypeConnector, uuid.New())}, "NOT_FOUND", "connectorId")
	bad(map[string]any{"assetId": laptop, "summary": "x", "connectorId": mute}, "BAD_USER_INPUT", "connectorId")
	bad(map[string]any{"assetId": laptop, "summary": "x", "connectorId": laptop}, "BAD_USER_INPUT", "connectorId")
	bad(map[string]any{"assetId": deskID, "summary": "x"}, "BAD_USER_INPUT", "assetId")
	_, err = a.owner.Exec(ctx, `UPDATE connectors SET enabled = false WHERE id = $1`, rowID(t, freshID))
	require.NoError(t, err)
	bad(map[string]any{"assetId": laptop, "summary": "x", "connectorId": freshID}, "BAD_USER_INPUT", "connectorId")
	require.Equal(t, before, len(desk.created()))
	desk.failNext(http.StatusUnprocessableEntity, `{"error":{"message":"Mandatory field: category"}}`)
	r = bad(map[string]any{"assetId": laptop, "summary": "x"}, "BAD_USER_INPUT", "")
	require.Contains(t, r.Errors[0].Message, "Mandatory field: category")
	desk.failNext(http.StatusForbidden, "user "+deskPassword+" lacks the itil role")
	r = bad(map[string]any{"assetId": laptop, "summary": "x"}, "FORBIDDEN", "")
	require.Contains(t, r.Errors[0].Message, "lacks the itil role")
	desk.failNext(http.StatusTooManyRequests, "")
	bad(map[string]any{"assetId": laptop, "summary": "x"}, "UPSTREAM_UNAVAILABLE", "")
	desk.failNext(http.StatusBadGateway, "")
	bad(map[string]any{"assetId": laptop, "summary": "x"}, "UPSTREAM_UNAVAILABLE", "")
	require.Equal(t, before, len(desk.created()))

	// Fresh is disabled: its tickets are no longer asked for.
	a.clock.add(31 * time.Second)
	freshCalls := fresh.listCalls()
	d = a.ok(admin, assetTickets, vars(laptop))
	require.NotContains(t, numbers(get(d, "node.tickets")), "#7")
	require.Equal(t, freshCalls, fresh.listCalls())

	// Tickets cost a vendor call per asset: a big page of them is refused
	// before anything runs.
	calls = desk.listCalls()
	r = a.code(admin, `{ assets(first: 500) { nodes { assetTag tickets { number } } } }`, nil, "COMPLEXITY_LIMIT_EXCEEDED", "")
	require.Equal(t, calls, desk.listCalls())
	a.ok(admin, `{ assets(first: 100) { nodes { assetTag tickets { number } } } }`, nil)

	a.noLeak(deskPassword, freshKey)
}
