package tickets

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

func principal(r itam.Role) itam.Principal {
	return itam.Principal{OrgID: uuid.New(), Role: r, Subject: "someone@example.com", ActorKind: itam.ActorUser}
}

func code(t *testing.T, err error) (itam.Code, string) {
	t.Helper()
	if err == nil {
		return "", ""
	}
	var e *itam.Error
	require.True(t, errors.As(err, &e), "not an *itam.Error: %v", err)
	return e.Code, e.Field
}

// TestRoles: reading is ADMIN, MANAGER, AUDITOR and an EMPLOYEE's own
// asset; opening is ADMIN, MANAGER and an EMPLOYEE's own asset.
func TestRoles(t *testing.T) {
	me, other := uuid.New(), uuid.New()
	mine := &itam.Asset{ID: uuid.New(), AssignedPersonID: &me}
	theirs := &itam.Asset{ID: uuid.New(), AssignedPersonID: &other}
	unassigned := &itam.Asset{ID: uuid.New()}
	cases := []struct {
		role         itam.Role
		asset        *itam.Asset
		self         *uuid.UUID
		read, create itam.Code
	}{
		{itam.RoleAdmin, theirs, nil, "", ""},
		{itam.RoleManager, unassigned, nil, "", ""},
		{itam.RoleAuditor, theirs, nil, "", itam.CodeForbidden},
		{itam.RoleEmployee, mine, &me, "", ""},
		{itam.RoleEmployee, theirs, &me, itam.CodeNotFound, itam.CodeNotFound},
		{itam.RoleEmployee, unassigned, &me, itam.CodeNotFound, itam.CodeNotFound},
		{itam.RoleEmployee, mine, nil, itam.CodeNotFound, itam.CodeNotFound}, // no person record
		{"GUEST", mine, &me, itam.CodeForbidden, itam.CodeForbidden},
	}
	for _, tc := range cases {
		name := fmt.Sprintf("%s/%v", tc.role, tc.asset.AssignedPersonID)
		c, _ := code(t, CanRead(principal(tc.role), tc.asset, tc.self))
		require.Equal(t, tc.read, c, "read "+name)
		c, _ = code(t, CanCreate(principal(tc.role), tc.asset, tc.self))
		require.Equal(t, tc.create, c, "create "+name)
	}
}

func TestFirst(t *testing.T) {
	n := func(v int) *int { return &v }
	cases := []struct {
		in   *int
		want int
		ok   bool
	}{{nil, 20, true}, {n(1), 1, true}, {n(50), 50, true}, {n(0), 0, false}, {n(51), 0, false}, {n(-1), 0, false}}
	for _, tc := range cases {
		got, err := First(tc.in)
		if !tc.ok {
			c, f := code(t, err)
			require.Equal(t, itam.CodeInvalid, c)
			require.Equal(t, "first", f)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got)
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name, summary, description string
		field                      string // "" accepted
		trimmed                    string
	}{
		{"ok", "  Screen flickers  ", "since Monday", "", "Screen flickers"},
		{"blank", "   ", "", "summary", ""},
		{"160 runes", strings.Repeat("é", 160), "", "", strings.Repeat("é", 160)},
		{"161 runes", strings.Repeat("é", 161), "", "summary", ""},
		{"nul", "a\x00b", "", "summary", ""},
		{"32 KB", "x", strings.Repeat("d", MaxDescription), "", "x"},
		{"over 32 KB", "x", strings.Repeat("d", MaxDescription+1), "description", ""},
		{"multibyte over 32 KB", "x", strings.Repeat("é", MaxDescription/2+1), "description", ""},
		{"bad utf-8", "x", "\xff", "description", ""},
	}
	for _, tc := range cases {
		in := NewTicketInput{Summary: tc.summary, Description: tc.description}
		err := in.Validate()
		c, f := code(t, err)
		if tc.field == "" {
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.trimmed, in.Summary, tc.name)
			continue
		}
		require.Equal(t, itam.CodeInvalid, c, tc.name)
		require.Equal(t, tc.field, f, tc.name)
	}
}

func conn(name, kind string, enabled bool, link string) Connector {
	return Connector{Connector: &itam.Connector{ID: uuid.New(), Name: name, Kind: kind, Enabled: enabled}, ExternalID: link}
}

// TestChoose: the connector asked for, else the one linked, else the only
// one; errors name the candidates (by name only for an ADMIN).
func TestChoose(t *testing.T) {
	sn := conn("ServiceNow prod", itam.ConnectorServiceNow, true, "")
	snLinked := conn("ServiceNow prod", itam.ConnectorServiceNow, true, "abc123")
	fs := conn("Freshservice", itam.ConnectorFreshservice, true, "")
	fsLinked := conn("Freshservice", itam.ConnectorFreshservice, true, "42")
	off := conn("Old desk", itam.ConnectorJSMAssets, false, "7")
	noTickets := conn("No tickets", itam.ConnectorJSMAssets, true, "")
	has := func(c Connector) bool { return c.Connector.ID != noTickets.Connector.ID }
	unknown := uuid.New()
	cases := []struct {
		name      string
		cs        []Connector
		asked     *uuid.UUID
		want      *Connector
		code      itam.Code
		mentions  []string
		hidesName bool
	}{
		{"only one", []Connector{sn}, nil, &sn, "", nil, false},
		{"linked wins", []Connector{sn, fsLinked}, nil, &fsLinked, "", nil, false},
		{"asked", []Connector{snLinked, fs}, &fs.Connector.ID, &fs, "", nil, false},
		{"asked unknown", []Connector{sn}, &unknown, nil, itam.CodeNotFound, nil, false},
		{"asked disabled", []Connector{sn, off}, &off.Connector.ID, nil, itam.CodeInvalid, []string{"disabled"}, false},
		{"asked without tickets", []Connector{sn, noTickets}, &noTickets.Connector.ID, nil, itam.CodeInvalid, []string{"does not open tickets"}, false},
		{"disabled link ignored", []Connector{off, sn}, nil, &sn, "", nil, false},
		{"no tickets ignored", []Connector{noTickets, fs}, nil, &fs, "", nil, false},
		{"none", []Connector{off, noTickets}, nil, nil, itam.CodeInvalid, []string{"no enabled ITSM connector"}, false},
		{"nothing at all", nil, nil, nil, itam.CodeInvalid, []string{"SERVICENOW"}, false},
		{"ambiguous", []Connector{sn, fs}, nil, nil, itam.CodeInvalid, []string{"ServiceNow prod", "Freshservice"}, false},
		{"two linked", []Connector{snLinked, fsLinked}, nil, nil, itam.CodeInvalid, []string{"ServiceNow prod", "Freshservice"}, false},
		{"ambiguous for a MANAGER", []Connector{sn, fs}, nil, nil, itam.CodeInvalid, []string{"SERVICENOW", "FRESHSERVICE"}, true},
	}
	for _, tc := range cases {
		p := principal(itam.RoleAdmin)
		if tc.hidesName {
			p = principal(itam.RoleManager)
		}
		got, err := Choose(p, &Target{Connectors: tc.cs}, tc.asked, has)
		if tc.want != nil {
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.want.Connector.ID, got.Connector.ID, tc.name)
			continue
		}
		c, f := code(t, err)
		require.Equal(t, tc.code, c, tc.name)
		require.Equal(t, "connectorId", f, tc.name)
		for _, m := range tc.mentions {
			require.Contains(t, err.Error(), m, tc.name)
		}
		if tc.hidesName {
			require.NotContains(t, err.Error(), "ServiceNow prod", tc.name)
		}
	}
}

func TestMerge(t *testing.T) {
	at := func(h int) *time.Time { v := time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC); return &v }
	tk := func(n string, opened, updated *time.Time) Ticket {
		return Ticket{Ticket: connectors.Ticket{Number: n, OpenedAt: opened, UpdatedAt: updated}}
	}
	a := []Ticket{tk("A1", at(9), nil), tk("A2", at(3), nil)}
	b := []Ticket{tk("B1", nil, at(7)), tk("B2", nil, nil), tk("B3", at(11), at(12))}
	got := Merge(10, a, b)
	var order []string
	for _, t := range got {
		order = append(order, t.Number)
	}
	require.Equal(t, []string{"B3", "A1", "B1", "A2", "B2"}, order)
	require.Len(t, Merge(2, a, b), 2)
	require.NotNil(t, Merge(5))
	require.Empty(t, Merge(5))
}

// TestVendorError: what the caller sees of each vendor failure: never
// INTERNAL, never a credential, the connector named, the vendor's words.
func TestVendorError(t *testing.T) {
	const secret = "s3cr3t-token-value"
	creds := map[string]string{"apiKey": secret}
	c := &itam.Connector{ID: uuid.New(), Name: "Desk", Kind: itam.ConnectorServiceNow}
	cases := []struct {
		name     string
		err      error
		creating bool
		code     itam.Code
		says     string
		retry    time.Duration
	}{
		{"403", &connectors.ForbiddenError{Endpoint: "GET /api/now/table/incident", Privilege: "itil", Message: "ACL denied " + secret}, false, itam.CodeForbidden, "itil", 0},
		{"refused on create", &connectors.PushRefusedError{Status: 400, Message: "Mandatory field: caller_id"}, true, itam.CodeInvalid, "Mandatory field: caller_id", 0},
		{"refused on list", &connectors.PushRefusedError{Status: 400, Message: "bad query"}, false, CodeUpstreamUnavailable, "bad query", 0},
		{"refused 403", &connectors.PushRefusedError{Status: 403, Message: "no role"}, true, itam.CodeForbidden, "no role", 0},
		{"rate limit", fmt.Errorf("wrapped: %w", &connectors.RateLimitError{RetryAfter: 42 * time.Second}), false, CodeUpstreamUnavailable, "rate limited", 42 * time.Second},
		{"credentials", connectors.ErrUnauthorized, false, CodeUpstreamUnavailable, "credentials", 0},
		{"5xx", &connectors.StatusError{Status: 503, URL: "https://x/api"}, true, CodeUpstreamUnavailable, "HTTP 503", 0},
		{"4xx on create", &connectors.StatusError{Status: 422}, true, itam.CodeInvalid, "HTTP 422", 0},
		{"4xx on create with the vendor's words", &connectors.StatusError{Status: 400, Message: "Requester email is invalid"}, true, itam.CodeInvalid, "HTTP 400): Requester email is invalid", 0},
		{"4xx on list", &connectors.StatusError{Status: 400}, false, CodeUpstreamUnavailable, "HTTP 400", 0},
		{"403 status", &connectors.StatusError{Status: 403}, false, itam.CodeForbidden, "HTTP 403", 0},
		{"blocked", &connectors.BlockedAddressError{}, false, CodeUpstreamUnavailable, "not allowed", 0},
		{"config", &connectors.ConfigError{Field: "options.table", Message: "unknown table"}, false, CodeUpstreamUnavailable, "unknown table", 0},
		{"transport", errors.New("dial tcp 10.0.0.1:443: connection refused " + secret), false, CodeUpstreamUnavailable, "could not be reached", 0},
	}
	for _, tc := range cases {
		e := vendorError(principal(itam.RoleAdmin), c, creds, tc.err, tc.creating)
		require.Equal(t, tc.code, e.Code, tc.name)
		require.Contains(t, e.Message, tc.says, tc.name)
		require.Contains(t, e.Message, `"Desk"`, tc.name)
		require.NotContains(t, e.Message, secret, tc.name)
		require.Equal(t, tc.retry, e.RetryAfter, tc.name)
	}
}
