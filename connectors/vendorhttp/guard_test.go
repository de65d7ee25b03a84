package vendorhttp

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorfake"
)

func TestAllowed(t *testing.T) {
	t.Parallel()
	only127 := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	cases := []struct {
		addr  string
		allow []netip.Prefix
		want  bool
	}{
		{"8.8.8.8", nil, true},
		{"140.82.112.3", nil, true},
		{"2606:4700::6810:84e5", nil, true},
		{"127.0.0.1", nil, false},
		{"127.1.2.3", nil, false},
		{"0.0.0.0", nil, false},
		{"10.1.2.3", nil, false},
		{"172.16.0.1", nil, false},
		{"172.31.255.255", nil, false},
		{"192.168.1.1", nil, false},
		{"100.64.0.1", nil, false},      // CGNAT
		{"169.254.169.254", nil, false}, // cloud metadata
		{"224.0.0.1", nil, false},
		{"255.255.255.255", nil, false},
		{"::", nil, false},
		{"::1", nil, false},
		{"::ffff:127.0.0.1", nil, false}, // IPv4-mapped
		{"::ffff:169.254.169.254", nil, false},
		{"::127.0.0.1", nil, false},         // IPv4-compatible
		{"64:ff9b::7f00:1", nil, false},     // NAT64 of 127.0.0.1
		{"64:ff9b::808:808", nil, true},     // NAT64 of 8.8.8.8
		{"2002:7f00:1::", nil, false},       // 6to4 of 127.0.0.1
		{"2002:a9fe:a9fe::1", nil, false},   // 6to4 of 169.254.169.254
		{"2002:808:808::1", nil, true},      // 6to4 of 8.8.8.8
		{"2001:0:4136:e378::1", nil, false}, // Teredo
		{"fc00::1", nil, false},
		{"fd12:3456::1", nil, false},
		{"fe80::1", nil, false},
		{"fe80::1%eth0", nil, false},
		{"ff02::1", nil, false},
		{"127.0.0.1", only127, true},
		{"::ffff:127.0.0.1", only127, true},
		{"10.0.0.1", only127, false},
		{"10.9.8.7", []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}, true},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, Allowed(netip.MustParseAddr(tc.addr), tc.allow), "%s allowed by %v", tc.addr, tc.allow)
	}
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestGuardRefusesLoopbackByDefault(t *testing.T) {
	t.Parallel()
	srv, hits := vendorfake.CountingServer(t, "")
	get := func(base string) error {
		var out page
		return New(Options{BaseURL: base, BaseWait: 1}).GetJSON(context.Background(), "/x", nil, &out)
	}
	open := get(srv.URL)
	var be *connectors.BlockedAddressError
	require.ErrorAs(t, open, &be)
	require.Equal(t, "address 127.0.0.1 is not allowed: loopback/private targets are refused (ITAM_CONNECTOR_ALLOW_PRIVATE)", open.Error())
	require.Zero(t, hits.Load(), "the guard refuses before connecting")

	// A port nothing listens on reads exactly the same: no port scanning.
	closed := get("http://" + closedPort(t))
	require.Equal(t, open.Error(), closed.Error())

	// A DNS name that resolves to loopback is judged by the address dialed.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	byName := get("http://localhost:" + port)
	require.True(t, IsBlocked(byName), "%v", byName)
	require.Zero(t, hits.Load())

	// Explicitly allowed, the same server answers.
	var out page
	require.NoError(t, New(Options{BaseURL: srv.URL, Transport: loopback()}).GetJSON(context.Background(), "/x", nil, &out))
	require.Equal(t, 1, out.N)
}

func TestGuardRefusesRedirectToPrivate(t *testing.T) {
	t.Parallel()
	// 127.0.0.2 stands for a private address: on Linux all of 127/8 is
	// local, and only 127.0.0.1 is allowed here.
	inner, innerHits := vendorfake.CountingServer(t, vendorfake.PrivateAddr)
	outer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, inner.URL+"/secret", http.StatusFound)
	}))
	t.Cleanup(outer.Close)
	tr := NewTransport(connectors.Egress{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	var out page
	err := New(Options{BaseURL: outer.URL, Transport: tr, BaseWait: 1}).GetJSON(context.Background(), "/x", nil, &out)
	var be *connectors.BlockedAddressError
	require.ErrorAs(t, err, &be)
	require.Equal(t, netip.MustParseAddr("127.0.0.2"), be.Addr)
	require.Zero(t, innerHits.Load(), "the redirect target was never contacted")
}

func TestGuardRefusesTokenEndpointOnPrivateAddress(t *testing.T) {
	t.Parallel()
	tokenSrv, hits := vendorfake.CountingServer(t, "")
	cc := &clientcredentials.Config{ClientID: "id", ClientSecret: "secret", TokenURL: tokenSrv.URL + "/token"}
	guarded := NewTransport(connectors.Egress{}).Client(0)
	_, err := cc.Token(context.WithValue(context.Background(), oauth2.HTTPClient, guarded))
	require.True(t, IsBlocked(err), "%v", err)
	require.Zero(t, hits.Load())
}

// streamJSON writes a JSON string of n bytes in chunks, without a
// Content-Length, so only a cap enforced while reading can stop it.
func streamJSON(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		chunk := strings.Repeat("a", 64<<10)
		_, _ = io.WriteString(w, `{"s": "`)
		for written := 0; written < n; written += len(chunk) {
			if _, err := io.WriteString(w, chunk); err != nil {
				return // the client gave up: what the cap is for
			}
			w.(http.Flusher).Flush()
		}
		_, _ = io.WriteString(w, `"}`)
	}
}

func TestResponseCap(t *testing.T) {
	t.Parallel()
	var out struct{ S string }
	t.Run("default 32 MB, streamed", func(t *testing.T) {
		t.Parallel()
		srv := httptest.NewServer(streamJSON(33 << 20))
		t.Cleanup(srv.Close)
		var out struct{ S string }
		err := New(Options{BaseURL: srv.URL, Transport: loopback()}).GetJSON(context.Background(), "/", nil, &out)
		var tl *connectors.TooLargeError
		require.ErrorAs(t, err, &tl)
		require.Equal(t, "vendor response exceeds 32 MB", err.Error())
		require.Empty(t, out.S, "nothing was decoded")
	})
	t.Run("configured, announced by Content-Length", func(t *testing.T) {
		t.Parallel()
		srv, hits := vendorfake.CountingServer(t, "")
		e := connectors.AllowLoopback()
		e.MaxResponseBytes = 20
		err := New(Options{BaseURL: srv.URL, Transport: NewTransport(e)}).GetJSON(context.Background(), "/", nil, &out)
		require.Equal(t, "vendor response exceeds 20 bytes", err.Error())
		require.EqualValues(t, 1, hits.Load(), "a response too large is not retried")
	})
	t.Run("exactly the cap is fine", func(t *testing.T) {
		t.Parallel()
		body := `{"s": "0123456789"}`
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.(http.Flusher).Flush() // chunked: no Content-Length
			_, _ = io.WriteString(w, body)
		}))
		t.Cleanup(srv.Close)
		e := connectors.AllowLoopback()
		e.MaxResponseBytes = int64(len(body))
		var out struct{ S string }
		require.NoError(t, New(Options{BaseURL: srv.URL, Transport: NewTransport(e)}).GetJSON(context.Background(), "/", nil, &out))
		require.Equal(t, "0123456789", out.S)
		e.MaxResponseBytes--
		err := New(Options{BaseURL: srv.URL, Transport: NewTransport(e)}).GetJSON(context.Background(), "/", nil, &out)
		require.True(t, errors.As(err, new(*connectors.TooLargeError)), "%v", err)
	})
}
