package main

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
)

var pageRefs = regexp.MustCompile(`(?:src|href)="([^"]*)"`)

// TestGraphiQLWorksOffline: GET / must load nothing from another host (no
// internet on many IT networks), every file it names must be served by the
// binary with its content type, and the dev token must reach the headers
// editor intact however it is spelled.
func TestGraphiQLWorksOffline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewURL(t), nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	const devToken = `tok"</div><script>alert(1)</script>&'`
	srv := httptest.NewServer(httpapi.NewServer(newLogger(io.Discard, "error"), db, v, metrics.New(db.Pool), devToken))
	t.Cleanup(srv.Close)

	res, err := http.Get(srv.URL + "/")
	require.NoError(t, err)
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	require.NoError(t, err)
	page := string(body)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NotContains(t, page, "https://")
	require.NotContains(t, page, "http://")
	require.Equal(t, "text/html; charset=utf-8", res.Header.Get("Content-Type"))
	require.NotContains(t, page, "<script>alert(1)")
	for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		require.Contains(t, tag, ` src="`, "no inline script: the CSP allows none")
	}

	csp := res.Header.Get("Content-Security-Policy")
	require.Contains(t, csp, "default-src 'none'")
	require.Contains(t, csp, "script-src 'self';")
	require.NotContains(t, csp, "unsafe-inline")
	require.NotContains(t, csp, "unsafe-eval")

	// The token travels in data-headers, JSON inside an HTML attribute.
	m := regexp.MustCompile(`data-headers="([^"]*)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the dev token is pre-filled")
	var headers map[string]string
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(m[1])), &headers))
	require.Equal(t, map[string]string{"Authorization": "Bearer " + devToken}, headers)

	refs := pageRefs.FindAllStringSubmatch(page, -1)
	require.GreaterOrEqual(t, len(refs), 5, "react, react-dom, graphiql (js+css), the explorer and the bootstrap")
	wantType := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	for _, ref := range refs {
		u := ref[1]
		require.True(t, strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//"), "%s is not on this server", u)
		res, err := http.Get(srv.URL + u)
		require.NoError(t, err)
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, res.StatusCode, u)
		require.Equal(t, wantType[path.Ext(u)], res.Header.Get("Content-Type"), u)
		require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), u)
		require.Contains(t, res.Header.Get("Cache-Control"), "immutable", u)
		require.NotEmpty(t, b, u)
	}
}
