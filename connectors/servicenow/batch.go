package servicenow

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// The Batch API ("Batch API", POST /api/now/{api_version}/batch): one
// request carrying many REST calls, each with its own id, method, relative
// url (query included), headers as [{name, value}] and a Base64-encoded
// body; the answer lists serviced_requests (id, status_code, status_text,
// headers, Base64 body, error_message) and, when the batch hit a size or
// processing limit (30 s per transaction), the ids it did not process in
// unserviced_requests. ACLs apply to each call as if sent alone. Only the
// versioned URL answers (the unversioned one is a 400 in practice).
const batchPath = "/api/now/v1/batch"

// MaxPushBatch is how many PATCHes one Batch API request carries: each is
// a few hundred bytes and milliseconds, far below the documented 5 MB per
// item and the 30-second transaction quota, so a batch is never cut short.
const MaxPushBatch = 100

// refBatch bounds the values of one "fieldIN a,b,…" lookup, so its URL
// stays short.
const refBatch = 50

// unservicedWait is what a sub-request answered 429 without Retry-After
// waits.
const itemRetryWait = 5 * time.Second

type batchHeader struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type batchRequest struct {
	BatchRequestID string        `json:"batch_request_id"`
	RestRequests   []restRequest `json:"rest_requests"`
}

type restRequest struct {
	ID      string        `json:"id"`
	Method  string        `json:"method"`
	URL     string        `json:"url"`
	Headers []batchHeader `json:"headers"`
	Body    string        `json:"body,omitempty"`
}

type batchResponse struct {
	BatchRequestID   string            `json:"batch_request_id"`
	ServicedRequests []servicedRequest `json:"serviced_requests"`
	// UnservicedRequests are documented as the ids of the calls not
	// processed; read as raw values so a string or an object both work.
	UnservicedRequests []json.RawMessage `json:"unserviced_requests"`
}

type servicedRequest struct {
	ID           string        `json:"id"`
	StatusCode   int           `json:"status_code"`
	StatusText   string        `json:"status_text"`
	Headers      []batchHeader `json:"headers"`
	Body         string        `json:"body"`
	ErrorMessage string        `json:"error_message"`
}

// MaxBatch is MaxPushBatch.
func (s *source) MaxBatch() int { return MaxPushBatch }

// PushRecords writes every record's fields with one Batch API request of
// PATCH /api/now/table/{table}/{sys_id} calls, each the body PushRecord
// would send. References are resolved for the whole batch first, with one
// "emailIN…"/"nameIN…" lookup per table for those not cached. Each
// call's own answer is that record's result: a 4xx its *PushRefusedError
// with ServiceNow's message, a 429 a *RateLimitError, a 5xx or a call the
// batch left unserviced an error the job retries.
func (s *source) PushRecords(ctx context.Context, rs []connectors.PushRecord) []error {
	errs := make([]error, len(rs))
	all := func(err error) []error {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	if len(rs) > MaxPushBatch {
		return all(fmt.Errorf("servicenow: %d records in one batch, at most %d", len(rs), MaxPushBatch))
	}
	absent, err := s.prefetch(ctx, rs)
	if err != nil {
		return all(err)
	}
	req := batchRequest{BatchRequestID: strconv.FormatInt(s.now().UnixNano(), 36)}
	q := url.Values{"sysparm_fields": {"sys_id"}}.Encode()
	for i, r := range rs {
		if !sysID.MatchString(r.ExternalID) {
			errs[i] = fmt.Errorf("servicenow: %q is not a sys_id", r.ExternalID)
			continue
		}
		body, err := s.values(ctx, r, r.Fields, false, absent)
		if err != nil {
			errs[i] = err
			continue
		}
		if len(body) == 0 {
			continue
		}
		b, err := json.Marshal(body)
		if err != nil {
			errs[i] = err
			continue
		}
		req.RestRequests = append(req.RestRequests, restRequest{
			ID: strconv.Itoa(i), Method: http.MethodPatch, URL: tablePath + s.table + "/" + r.ExternalID + "?" + q,
			Headers: []batchHeader{{"Content-Type", "application/json"}, {"Accept", "application/json"}},
			Body:    base64.StdEncoding.EncodeToString(b),
		})
	}
	if len(req.RestRequests) == 0 {
		return errs
	}
	var resp batchResponse
	// Safe: every call in it is a PATCH, so sending the batch again after
	// a 5xx or a lost answer writes the same values again.
	_, err = s.client.Do(ctx, vendorhttp.Call{Method: http.MethodPost, Path: batchPath, Body: req, Safe: true}, &resp)
	if err != nil {
		fallback := batchUnavailable(err)
		err = refused(http.MethodPost, s.errBase+batchPath, err)
		for _, rr := range req.RestRequests {
			i, _ := strconv.Atoi(rr.ID)
			errs[i] = err
			if fallback {
				// The instance (or a proxy before it) does not take
				// batches from this account: each record alone, so each
				// gets its own answer, as without batching.
				errs[i] = s.PushRecord(ctx, rs[i])
			}
		}
		return errs
	}
	answered := make(map[string]servicedRequest, len(resp.ServicedRequests))
	for _, sr := range resp.ServicedRequests {
		answered[sr.ID] = sr
	}
	for _, rr := range req.RestRequests {
		i, _ := strconv.Atoi(rr.ID)
		sr, ok := answered[rr.ID]
		if !ok {
			// Unserviced (a size or processing limit) or missing: not
			// written, so the job sends it again.
			errs[i] = fmt.Errorf("servicenow: the batch request left PATCH %s unserviced", s.errBase+rr.URL)
			continue
		}
		errs[i] = s.itemError(rr, sr)
	}
	return errs
}

// batchUnavailable says the Batch API itself was refused (not found, not
// allowed, or forbidden to the account: its REST resource has ACLs of its
// own), rather than the calls in it.
func batchUnavailable(err error) bool {
	var fe *connectors.ForbiddenError
	var se *connectors.StatusError
	if errors.As(err, &fe) {
		return true
	}
	return errors.As(err, &se) && (se.Status == http.StatusNotFound || se.Status == http.StatusMethodNotAllowed || se.Status == http.StatusBadRequest)
}

// itemError classifies one call's answer as send classifies a lone one.
func (s *source) itemError(rr restRequest, sr servicedRequest) error {
	st := sr.StatusCode
	if st >= 200 && st <= 299 {
		return nil
	}
	path, _, _ := strings.Cut(rr.URL, "?")
	shown := s.errBase + path
	body, _ := base64.StdEncoding.DecodeString(sr.Body)
	msg := vendorhttp.VendorMessage(bytes.NewReader(body))
	if msg == "" {
		msg = strings.TrimSpace(sr.ErrorMessage)
	}
	header := func(name string) string {
		for _, h := range sr.Headers {
			if strings.EqualFold(h.Name, name) {
				return h.Value
			}
		}
		return ""
	}
	switch {
	case st == http.StatusTooManyRequests:
		wait, ok := vendorhttp.ParseRetryAfter(header("Retry-After"), s.now())
		if !ok {
			wait = itemRetryWait
		}
		return &connectors.RateLimitError{RetryAfter: wait}
	case st == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s answered HTTP 401 in a batch", connectors.ErrUnauthorized, shown)
	case st == http.StatusForbidden:
		fe := &connectors.ForbiddenError{Endpoint: http.MethodPatch + " " + path, Message: msg}
		return &connectors.PushRefusedError{Status: st, URL: http.MethodPatch + " " + shown, Message: fe.Error()}
	case st >= 400 && st <= 499:
		if msg == "" {
			msg = http.StatusText(st)
		}
		return &connectors.PushRefusedError{Status: st, URL: http.MethodPatch + " " + shown, Message: msg}
	default:
		return &connectors.StatusError{Status: st, URL: shown, Message: msg}
	}
}

// prefetch resolves the batch's references not yet cached with one
// lookup per table and up to refBatch values, filling the shared cache; it
// returns the keys no record has, which values then refuses without asking
// again. A value with a comma cannot go in an IN list and is left to
// values' own lookup.
func (s *source) prefetch(ctx context.Context, rs []connectors.PushRecord) (map[string]bool, error) {
	type ref struct{ table, field string }
	want := map[ref][]string{}
	seen := map[string]bool{}
	add := func(rf ref, v string) {
		v = strings.TrimSpace(v)
		key := s.refKey(rf.table, rf.field, v)
		if v == "" || strings.Contains(v, ",") || seen[key] {
			return
		}
		seen[key] = true
		if _, ok := s.refs.get(key); !ok {
			want[rf] = append(want[rf], v)
		}
	}
	for _, r := range rs {
		if r.Has(connectors.PushAssignee) {
			add(ref{userTable, "email"}, r.AssigneeEmail)
		}
		if r.Has(connectors.PushLocation) {
			add(ref{"cmn_location", "name"}, r.Location)
		}
	}
	absent := map[string]bool{}
	for rf, vs := range want {
		for len(vs) > 0 {
			chunk := vs[:min(len(vs), refBatch)]
			vs = vs[len(chunk):]
			quoted := make([]string, len(chunk))
			for i, v := range chunk {
				quoted[i] = quote(v)
			}
			q := url.Values{
				"sysparm_query":  {rf.field + "IN" + strings.Join(quoted, ",") + "^ORDERBYsys_id"},
				"sysparm_fields": {"sys_id," + rf.field},
				"sysparm_limit":  {strconv.Itoa(maxPageSize)},
			}
			var resp listResponse
			if err := s.client.GetJSON(ctx, tablePath+rf.table, q, &resp); err != nil {
				return nil, err
			}
			if resp.Result == nil {
				return nil, s.malformed(tablePath+rf.table, errors.New(`no "result" in the answer`))
			}
			found := map[string]string{}
			for _, rec := range *resp.Result {
				k := strings.ToLower(rec.get(rf.field))
				if _, dup := found[k]; !dup && rec.get("sys_id") != "" {
					found[k] = rec.get("sys_id") // the lowest sys_id, as a lone lookup takes
				}
			}
			for _, v := range chunk {
				key := s.refKey(rf.table, rf.field, v)
				if id, ok := found[strings.ToLower(v)]; ok {
					s.refs.put(key, id)
				} else {
					absent[key] = true
				}
			}
		}
	}
	return absent, nil
}

var _ connectors.BatchPusher = (*source)(nil)
