package servicenowtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors/vendorfake"
)

// BatchPath is the Batch API ("Batch API", POST /api/now/{api_version}/batch;
// only v1 answers).
const BatchPath = "/api/now/v1/batch"

// The Batch API's request and answer, as documented.
type batchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type restRequest struct {
	ID                     string        `json:"id"`
	Method                 string        `json:"method"`
	URL                    string        `json:"url"`
	Headers                []batchHeader `json:"headers"`
	Body                   string        `json:"body"`
	ExcludeResponseHeaders bool          `json:"exclude_response_headers"`
}

type servicedRequest struct {
	ID            string        `json:"id"`
	Body          string        `json:"body"`
	StatusCode    int           `json:"status_code"`
	StatusText    string        `json:"status_text"`
	Headers       []batchHeader `json:"headers"`
	ExecutionTime int64         `json:"execution_time"`
	ErrorMessage  string        `json:"error_message,omitempty"`
}

// ServeAtMost makes every later batch service only its first n calls and
// list the others' ids in unserviced_requests, as a batch that reached a
// size or processing limit does; 0 services all.
func (s *Server) ServeAtMost(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serveAtMost = n
}

// batch serves POST /api/now/v1/batch: each call in rest_requests runs as
// if sent alone (its Base64 body decoded, the faults injected for its
// method and path applied, logged as a request of its own, so a test's
// "exactly one PATCH with this body" holds however it was sent), and its
// answer comes back Base64-encoded under its id.
//
// Rate limiting counts the batch as ONE request: ServiceNow's rate limit
// rules "limit the number of inbound REST API requests processed per hour"
// per REST API resource ("Inbound REST API rate limiting", rules in
// sys_rate_limit_rules), and a batch is one inbound request to the Batch
// API resource; the Batch API documentation applies the ACLs of each call
// in the batch, and says nothing of applying rate limit rules to them.
func (s *Server) batch(w http.ResponseWriter, r *http.Request, body []byte) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		writeError(w, http.StatusBadRequest, "Content-Type must be application/json", "")
		return
	}
	var in struct {
		BatchRequestID string        `json:"batch_request_id"`
		RestRequests   []restRequest `json:"rest_requests"`
	}
	if err := json.Unmarshal(body, &in); err != nil || in.RestRequests == nil {
		writeError(w, http.StatusBadRequest, "Exception while reading request", "rest_requests is required")
		return
	}
	s.mu.Lock()
	s.stats.Batches++
	limit := s.serveAtMost
	s.mu.Unlock()
	out := struct {
		BatchRequestID     string            `json:"batch_request_id"`
		ServicedRequests   []servicedRequest `json:"serviced_requests"`
		UnservicedRequests []string          `json:"unserviced_requests"`
	}{BatchRequestID: in.BatchRequestID, ServicedRequests: []servicedRequest{}, UnservicedRequests: []string{}}
	for i, rr := range in.RestRequests {
		if rr.ID == "" || rr.Method == "" || rr.URL == "" {
			writeError(w, http.StatusBadRequest, "Exception while reading request", "id, method and url are required in every rest request")
			return
		}
		if limit > 0 && i >= limit {
			out.UnservicedRequests = append(out.UnservicedRequests, rr.ID)
			continue
		}
		out.ServicedRequests = append(out.ServicedRequests, s.call(r, rr))
	}
	vendorfake.WriteJSON(w, http.StatusOK, "application/json;charset=UTF-8", out)
}

// call runs one call of a batch through the API's handlers.
func (s *Server) call(outer *http.Request, rr restRequest) servicedRequest {
	start := time.Now()
	answer := func(rec *httptest.ResponseRecorder) servicedRequest {
		res := rec.Result()
		b, _ := io.ReadAll(res.Body)
		sr := servicedRequest{ID: rr.ID, Body: base64.StdEncoding.EncodeToString(b), StatusCode: res.StatusCode,
			StatusText: http.StatusText(res.StatusCode), Headers: []batchHeader{}, ExecutionTime: time.Since(start).Milliseconds()}
		if !rr.ExcludeResponseHeaders {
			for name, vs := range res.Header {
				for _, v := range vs {
					sr.Headers = append(sr.Headers, batchHeader{name, v})
				}
			}
		}
		return sr
	}
	rec := httptest.NewRecorder()
	body, err := base64.StdEncoding.DecodeString(rr.Body)
	u, uerr := url.Parse(rr.URL)
	if err != nil || uerr != nil || !strings.HasPrefix(u.Path, "/api/") || u.IsAbs() {
		writeError(rec, http.StatusBadRequest, "Exception while reading request", "invalid url or body in the batch item")
		return answer(rec)
	}
	req := httptest.NewRequestWithContext(outer.Context(), strings.ToUpper(rr.Method), u.RequestURI(), bytes.NewReader(body))
	for _, h := range rr.Headers {
		req.Header.Add(h.Name, h.Value)
	}
	s.api.ServeHTTP(rec, req)
	return answer(rec)
}

// item wraps a handler for a call inside a batch: logged like a request of
// its own, faults applied, authentication and rate limit those of the batch.
func (s *Server) item(h func(w http.ResponseWriter, r *http.Request, body []byte)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.stats.BatchCalls++
		if len(s.log) < 100000 {
			s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Body: string(body)})
		}
		s.mu.Unlock()
		if f := s.takeFault(r.Method, r.URL.Path, false); f != nil {
			if f.status == http.StatusTooManyRequests {
				s.rateLimited(w, f.retryAfter)
				return
			}
			writeError(w, f.status, f.message, f.detail)
			return
		}
		h(w, r, body)
	}
}
