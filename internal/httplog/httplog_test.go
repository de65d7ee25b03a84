package httplog

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
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
