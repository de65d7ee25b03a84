package httplog

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestObserveSeesTheMatchedRoute: observe gets the request the mux served,
// so the route it matched is known without matching again.
func TestObserveSeesTheMatchedRoute(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		if RequestID(r.Context()) == "" {
			t.Error("the handler's context has no request id")
		}
		w.WriteHeader(http.StatusTeapot)
	})
	type seen struct {
		pattern, id string
		status      int
	}
	var got []seen
	h := Middleware(slog.New(slog.DiscardHandler), func(r *http.Request, status int) {
		got = append(got, seen{r.Pattern, RequestID(r.Context()), status})
	})(mux)

	for _, path := range []string{"/things/7", "/nowhere"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("X-Request-Id", "req-"+path)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	want := []seen{{"GET /things/{id}", "req-/things/7", http.StatusTeapot}, {"", "req-/nowhere", http.StatusNotFound}}
	if len(got) != len(want) {
		t.Fatalf("observed %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("request %d: observed %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestSetAttrsReachTheRequestLine: what handlers set from inside the
// request shows on its one log line, a later value replacing an earlier.
func TestSetAttrsReachTheRequestLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(Handler{slog.NewJSONHandler(&buf, nil)})
	h := Middleware(log, nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		SetAttrs(r.Context(), slog.String("role", "ADMIN"), slog.String("operation", "First"))
		SetAttrs(r.Context(), slog.String("operation", "Second"), slog.Any("error_codes", []string{"FORBIDDEN"}))
	}))
	SetAttrs(context.Background(), slog.String("ignored", "outside a request")) // must not panic
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("X-Request-Id", "r1")
	h.ServeHTTP(httptest.NewRecorder(), req)

	var line map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &line))
	require.Equal(t, "http request", line["msg"])
	require.Equal(t, "r1", line["request_id"])
	require.Equal(t, "ADMIN", line["role"])
	require.Equal(t, "Second", line["operation"])
	require.Equal(t, []any{"FORBIDDEN"}, line["error_codes"])
	require.EqualValues(t, 200, line["status"])
}
