package vendorfake

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// PrivateAddr is where a test listens to stand for a private address: on
// Linux all of 127/8 is loopback, and FakesOnly allows only 127.0.0.1.
const PrivateAddr = "127.0.0.2:0"

// FakesOnly is an egress policy that allows 127.0.0.1 (where the fakes
// listen) and refuses every other private address, so egress tests keep the
// guard on and still reach the fake.
func FakesOnly() connectors.Egress {
	return connectors.Egress{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
}

// CountingServer starts a server on listen (an httptest default when empty)
// that counts its requests and answers a token-shaped JSON body, so a test
// can tell whether a guarded client reached it.
func CountingServer(t testing.TB, listen string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, `{"n": 1, "access_token": "tok", "token_type": "Bearer", "expires_in": 3600}`)
	}))
	if listen != "" {
		ln, err := net.Listen("tcp", listen)
		require.NoError(t, err)
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}
