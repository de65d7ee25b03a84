// Package httplog gives every request an id and one structured log line, so
// an error a client reports (it sees the id in X-Request-Id) can be found in
// the logs.
package httplog

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

type ctxKey struct{}

type recordKey struct{}

// record is what handlers add to a request's log line: the middleware
// logs after the handler returned, so who the caller was and what the
// GraphQL operation did are known only from inside.
type record struct {
	mu    sync.Mutex
	attrs []slog.Attr
}

// SetAttrs adds attributes to the log line of the request ctx belongs to
// (a later value for a key replaces the earlier one). Outside a request it
// does nothing.
func SetAttrs(ctx context.Context, attrs ...slog.Attr) {
	rec, _ := ctx.Value(recordKey{}).(*record)
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
next:
	for _, a := range attrs {
		for i := range rec.attrs {
			if rec.attrs[i].Key == a.Key {
				rec.attrs[i] = a
				continue next
			}
		}
		rec.attrs = append(rec.attrs, a)
	}
}

func (r *record) all() []slog.Attr {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attrs
}

// RequestID returns the request's id, or "" outside a request.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// Handler is a slog.Handler that adds request_id to records logged with a
// request's context.
type Handler struct{ slog.Handler }

// Handle adds the request id.
func (h Handler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs keeps the wrapper.
func (h Handler) WithAttrs(a []slog.Attr) slog.Handler { return Handler{h.Handler.WithAttrs(a)} }

// WithGroup keeps the wrapper.
func (h Handler) WithGroup(n string) slog.Handler { return Handler{h.Handler.WithGroup(n)} }

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *recorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (a long
// export extends its write deadline page by page).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Middleware assigns a request id (keeping a well-formed incoming
// X-Request-Id from a proxy), echoes it in the response, and logs the request
// when it ends. observe, when set, gets the request as served (with the
// Pattern a mux set on it) and the final status, for metrics.
func Middleware(log *slog.Logger, observe func(r *http.Request, status int)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-Id")
			if len(id) == 0 || len(id) > 64 {
				var b [8]byte
				_, _ = rand.Read(b[:])
				id = hex.EncodeToString(b[:])
			}
			w.Header().Set("X-Request-Id", id)
			ctx := context.WithValue(r.Context(), ctxKey{}, id)
			extra := &record{}
			ctx = context.WithValue(ctx, recordKey{}, extra)
			rec := &recorder{ResponseWriter: w}
			start := time.Now()
			// observe gets the request next served: a mux records the matched
			// route on it (Request.Pattern).
			served := r.WithContext(ctx)
			next.ServeHTTP(rec, served)
			if rec.status == 0 {
				rec.status = http.StatusOK
			}
			if observe != nil {
				observe(served, rec.status)
			}
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
				level = slog.LevelDebug
			}
			attrs := append([]slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
				slog.Int("bytes", rec.bytes), slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000)}, extra.all()...)
			log.LogAttrs(ctx, level, "http request", attrs...)
		})
	}
}
