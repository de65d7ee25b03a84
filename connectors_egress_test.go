package main

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/kandji/kandjitest"
	"github.com/itam-dev/itam/internal/connectorlimit"
	"github.com/itam-dev/itam/internal/itam"
)

const (
	createKandji = `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { connector { id } } }`
	testOne      = `mutation($id: ID!) { testConnector(id: $id) { ok message devicesSeen } }`
)

func (a *connAPI) kandji(tok, name, baseURL, token string) string {
	a.t.Helper()
	in := map[string]any{"kind": "KANDJI", "name": name, "baseUrl": baseURL, "credentials": map[string]any{"apiToken": token}}
	return str(a.ok(tok, createKandji, map[string]any{"in": in}), "createConnector.connector.id")
}

// With the production policy (nothing private allowed), testConnector
// cannot reach loopback, link-local or the metadata address, by IP or by
// name, and its answer reads the same whether something listens or not.
func TestConnectorTestRefusesPrivateTargets(t *testing.T) {
	t.Parallel()
	a := newConnAPIWith(t, connectors.Egress{})
	vendor := kandjitest.New(t, kandjitest.Options{Devices: 3})
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(vendor.URL, "http://"))

	// One answer for every spelling of the address: no resolved IP, nothing
	// that tells a name that resolves from one that does not.
	refusal := "the connector's URL resolves to an address that is not allowed: loopback and private targets are refused (ITAM_CONNECTOR_ALLOW_PRIVATE)"
	for _, tc := range []struct{ name, url, want string }{
		{"listening", vendor.URL, refusal},
		{"closed port", closed, refusal},
		{"mapped", "http://[::ffff:127.0.0.1]:" + port, refusal},
		{"by name", "http://localhost:" + port, refusal},
	} {
		id := a.kandji(admin, tc.name, tc.url, vendor.Token())
		d := a.ok(admin, testOne, map[string]any{"id": id})
		require.Equal(t, false, get(d, "testConnector.ok"), tc.name)
		msg := str(d, "testConnector.message")
		require.Equal(t, tc.want, msg, tc.name)
		require.NotContains(t, msg, "127.0.0.1", tc.name)
	}
	require.Zero(t, vendor.Counts().Total, "no request reached the vendor fake")
}

// One testConnector or syncConnector per request, however it is spelt; a
// document with more does none of them.
func TestVendorCallsOnePerRequest(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	vendor := kandjitest.New(t, kandjitest.Options{Devices: 3})
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	id := a.kandji(admin, "Kandji", vendor.URL, vendor.Token())

	for _, doc := range []string{
		`mutation($id: ID!) { a: testConnector(id: $id) { ok } b: testConnector(id: $id) { ok } }`,
		`mutation($id: ID!) { testConnector(id: $id) { ok } s: syncConnector(id: $id, mode: FULL) { id } }`,
		`mutation($id: ID!) { ...F } fragment F on Mutation { a: testConnector(id: $id) { ok } b: syncConnector(id: $id) { id } }`,
	} {
		r := a.do(admin, doc, map[string]any{"id": id})
		require.Len(t, r.Errors, 2, doc)
		for _, e := range r.Errors {
			require.Equal(t, "BAD_USER_INPUT", e.Extensions["code"], "%+v", e)
			require.Contains(t, e.Message, "at most 1 testConnector or syncConnector per request")
		}
	}
	require.Zero(t, vendor.Counts().Total, "no test reached the vendor")
	var runs int
	require.NoError(t, a.owner.QueryRow(context.Background(), `SELECT count(*) FROM sync_runs`).Scan(&runs))
	require.Zero(t, runs, "no sync was queued")

	// A skipped one does not count.
	d := a.ok(admin, `mutation($id: ID!, $no: Boolean!) { testConnector(id: $id) { ok } b: testConnector(id: $id) @include(if: $no) { ok } }`,
		map[string]any{"id": id, "no": false})
	require.Equal(t, true, get(d, "testConnector.ok"))
}

// testConnector is rate limited per connector with a typed error and a
// retry hint; a refused test makes no request.
func TestConnectorTestRateLimit(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	vendor := kandjitest.New(t, kandjitest.Options{Devices: 3})
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	id := a.kandji(admin, "Kandji", vendor.URL, vendor.Token())
	other := a.kandji(admin, "Other", vendor.URL, vendor.Token())

	var limited *gqlError
	passed := 0
	// The bucket refills one test every 12 s: unless each call took that
	// long, one of these is refused.
	for range 3 * connectorlimit.TestBurst {
		r := a.do(admin, testOne, map[string]any{"id": id})
		if len(r.Errors) > 0 {
			limited = &r.Errors[0]
			break
		}
		require.Equal(t, true, get(r.Data, "testConnector.ok"))
		passed++
	}
	require.NotNil(t, limited, "testConnector was never rate limited")
	require.GreaterOrEqual(t, passed, connectorlimit.TestBurst)
	require.Equal(t, "RATE_LIMITED", limited.Extensions["code"])
	require.Contains(t, limited.Message, "retry in")
	require.Greater(t, limited.Extensions["retryAfterSeconds"], float64(0))
	require.Equal(t, passed, vendor.Counts().List, "the refused test made no request")

	// Another connector is not affected.
	d := a.ok(admin, testOne, map[string]any{"id": other})
	require.Equal(t, true, get(d, "testConnector.ok"))
}

// Where the policy allows a target, a failed connection is reported
// without the network's own words (refused, reset, no route), which would
// tell an open port from a closed or filtered one.
func TestConnectorTestHidesDialErrors(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	id := a.kandji(admin, "Closed", "http://"+addr, "t")
	d := a.ok(admin, testOne, map[string]any{"id": id})
	require.Equal(t, false, get(d, "testConnector.ok"))
	require.Equal(t, "could not connect to "+addr, str(d, "testConnector.message"))
}
