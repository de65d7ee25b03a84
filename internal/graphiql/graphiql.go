// Package graphiql serves the GraphiQL page and every file it loads from the
// binary, so the page works on networks without internet access (a CDN-hosted
// GraphiQL is a blank page there).
//
// assets/ holds the prebuilt UMD bundles of the npm packages graphiql,
// @graphiql/plugin-explorer, react and react-dom, with their licenses
// (assets/licenses/VERSIONS lists versions and files); fetch-assets.sh
// refreshes them from the npm registry. The page itself runs no inline
// script and carries a Content-Security-Policy that allows only this server.
package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"sort"
	"strings"
	"sync"
	"time"
)

// AssetsPattern is the ServeMux pattern Assets must be mounted at. The
// {version} segment is a digest of all assets, so their URLs change whenever
// a file does and browsers may cache them for good.
const AssetsPattern = "GET " + assetsPrefix + "{version}/{file...}"

const assetsPrefix = "/graphiql/assets/"

//go:embed page.html
var pageHTML string

//go:embed assets
var embedded embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
	gzipped     func() []byte // nil for files too small to be worth it
}

var (
	assets, version = loadAssets()
	page            = template.Must(template.New("graphiql").Funcs(template.FuncMap{"asset": assetURL}).Parse(pageHTML))
)

// contentTypes are those of the files assets/ holds; loadAssets refuses
// any other kind, so a new file cannot be served with a guessed type.
var contentTypes = map[string]string{
	".js":      "text/javascript; charset=utf-8",
	".css":     "text/css; charset=utf-8",
	".LICENSE": "text/plain; charset=utf-8",
	"":         "text/plain; charset=utf-8", // VERSIONS
}

func loadAssets() (map[string]*asset, string) {
	out := map[string]*asset{}
	var names []string
	err := fs.WalkDir(embedded, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return fmt.Errorf("graphiql: no content type for %s", p)
		}
		sum := sha256.Sum256(body)
		a := &asset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		if len(body) > 1024 {
			a.gzipped = sync.OnceValue(func() []byte { return gzipBytes(body) })
		}
		name := strings.TrimPrefix(p, "assets/")
		out[name] = a
		names = append(names, name)
		return nil
	})
	if err != nil {
		panic(err) // the embedded files are part of the build: a bad one is a bug
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s\x00%s\x00", n, out[n].etag)
	}
	return out, hex.EncodeToString(h.Sum(nil))[:12]
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// assetURL is the page template's link to an embedded file; a name that is
// not embedded fails the page rather than linking to nothing.
func assetURL(name string) (string, error) {
	if _, ok := assets[name]; !ok {
		return "", fmt.Errorf("graphiql: no asset %q", name)
	}
	return assetsPrefix + version + "/" + name, nil
}

// Assets serves the embedded files at AssetsPattern with long-lived cache
// headers, gzip-compressed for clients that accept it.
func Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := assets[r.PathValue("file")]
		// Another version's URL (a page from another server of a rolling
		// deploy) must not be cached forever with this version's content.
		if !ok || r.PathValue("version") != version {
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", a.contentType)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("X-Content-Type-Options", "nosniff")
		body, etag := a.body, a.etag
		if a.gzipped != nil {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				h.Set("Content-Encoding", "gzip")
				body, etag = a.gzipped(), strings.TrimSuffix(etag, `"`)+`-gz"`
			}
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0"
		}
	}
	return false
}

// Options configure the page.
type Options struct {
	Title    string
	Endpoint string // the GraphQL endpoint, e.g. "/graphql"
	// Headers are pre-filled in GraphiQL's headers editor (dev mode puts a
	// ready token there). They are written into the page: only for dev.
	Headers map[string]string
}

// Page serves the GraphiQL page. Its settings travel as HTML attributes
// (escaped by html/template) read by the embedded itam-graphiql.js, so the
// Content-Security-Policy needs no inline script; the only inline code is a
// <style> element GraphiQL's dialogs add, allowed by a per-request nonce.
func Page(log *slog.Logger, opt Options) http.Handler {
	var headers string
	if len(opt.Headers) > 0 {
		b, err := json.MarshalIndent(opt.Headers, "", "  ")
		if err != nil {
			panic(err) // a map of strings always marshals
		}
		headers = string(b)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nonce := rand.Text()
		var buf bytes.Buffer
		if err := page.Execute(&buf, map[string]string{
			"Title": opt.Title, "Endpoint": opt.Endpoint, "Headers": headers, "StyleNonce": nonce,
		}); err != nil {
			log.ErrorContext(r.Context(), "graphiql page", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Content-Security-Policy", contentSecurityPolicy(nonce))
		// The page may hold a token and its nonce must not be reused.
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		_, _ = w.Write(buf.Bytes())
	})
}

// contentSecurityPolicy is the page's policy: everything from this server
// only, no inline script; data: URLs for the fonts and icons inlined in
// GraphiQL's stylesheet; inline styles only with the request's nonce.
func contentSecurityPolicy(styleNonce string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-" + styleNonce + "'; " +
		"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
