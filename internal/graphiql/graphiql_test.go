package graphiql

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func newMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", Page(slog.New(slog.DiscardHandler), Options{Title: "itam", Endpoint: "/graphql"}))
	mux.Handle(AssetsPattern, Assets())
	return mux
}

func get(t *testing.T, h http.Handler, url string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAssets(t *testing.T) {
	t.Parallel()
	mux := newMux()
	js := assetsPrefix + version + "/graphiql.min.js"
	embeddedJS, err := embedded.ReadFile("assets/graphiql.min.js")
	require.NoError(t, err)

	tests := []struct {
		name       string
		url        string
		header     http.Header
		wantStatus int
		wantType   string
		wantGzip   bool
	}{
		{name: "plain", url: js, wantStatus: 200, wantType: "text/javascript; charset=utf-8"},
		{name: "gzip", url: js, header: http.Header{"Accept-Encoding": {"br, gzip"}}, wantStatus: 200, wantType: "text/javascript; charset=utf-8", wantGzip: true},
		{name: "gzip refused", url: js, header: http.Header{"Accept-Encoding": {"gzip;q=0"}}, wantStatus: 200, wantType: "text/javascript; charset=utf-8"},
		{name: "css", url: assetsPrefix + version + "/graphiql.min.css", wantStatus: 200, wantType: "text/css; charset=utf-8"},
		{name: "license", url: assetsPrefix + version + "/licenses/react.LICENSE", wantStatus: 200, wantType: "text/plain; charset=utf-8"},
		{name: "another version", url: assetsPrefix + "000000000000/graphiql.min.js", wantStatus: 404},
		{name: "unknown file", url: assetsPrefix + version + "/nope.js", wantStatus: 404},
		{name: "no traversal", url: assetsPrefix + version + "/../page.html", wantStatus: 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, mux, tt.url, tt.header)
			if tt.wantStatus == 404 {
				// The mux may redirect a cleaned path first; neither serves a file.
				require.True(t, rec.Code == http.StatusNotFound || rec.Code/100 == 3, "status %d", rec.Code)
				return
			}
			require.Equal(t, tt.wantStatus, rec.Code)
			require.Equal(t, tt.wantType, rec.Header().Get("Content-Type"))
			require.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
			require.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			if tt.url != js {
				return
			}
			body := rec.Body.Bytes()
			if tt.wantGzip {
				require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
				zr, err := gzip.NewReader(bytes.NewReader(body))
				require.NoError(t, err)
				body, err = io.ReadAll(zr)
				require.NoError(t, err)
			} else {
				require.Empty(t, rec.Header().Get("Content-Encoding"))
			}
			require.Equal(t, embeddedJS, body)

			// A browser revalidating with the ETag gets no body again.
			h := http.Header{"If-None-Match": {rec.Header().Get("ETag")}}
			for k, v := range tt.header {
				h[k] = v
			}
			require.Equal(t, http.StatusNotModified, get(t, mux, tt.url, h).Code)
		})
	}
}

func TestPage(t *testing.T) {
	t.Parallel()
	nonceAttr := regexp.MustCompile(`data-style-nonce="([^"]+)"`)
	nonces := map[string]bool{}
	for range 2 {
		rec := get(t, newMux(), "/", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		page := rec.Body.String()
		require.NotContains(t, page, "data-headers", "no headers editor content unless given")
		require.Equal(t, "no-store", rec.Header().Get("Cache-Control"))

		// The nonce the script hands to GraphiQL is the one the CSP allows,
		// and a new one each time.
		m := nonceAttr.FindStringSubmatch(page)
		require.NotNil(t, m)
		require.Equal(t, contentSecurityPolicy(m[1]), rec.Header().Get("Content-Security-Policy"))
		nonces[m[1]] = true

		for _, u := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1) {
			require.True(t, strings.HasPrefix(u[1], assetsPrefix+version+"/"), u[1])
		}
	}
	require.Len(t, nonces, 2)
}

// TestBootstrapReadsThePageAttributes keeps page.html and itam-graphiql.js in
// step: the script reads what the template writes.
func TestBootstrapReadsThePageAttributes(t *testing.T) {
	t.Parallel()
	js, err := embedded.ReadFile("assets/itam-graphiql.js")
	require.NoError(t, err)
	for _, attr := range regexp.MustCompile(`data-([a-z-]+)=`).FindAllStringSubmatch(pageHTML, -1) {
		// data-style-nonce is read as dataset.styleNonce.
		parts := strings.Split(attr[1], "-")
		for i := 1; i < len(parts); i++ {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
		require.Contains(t, string(js), "data."+strings.Join(parts, ""), attr[0])
	}
}
