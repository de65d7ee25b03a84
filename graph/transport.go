package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// MaxRequestBytes bounds a POST body: a query document with its variables
// is kilobytes; anything near this is a mistake or an attack.
const MaxRequestBytes = 4 << 20

const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// postTransport serves GraphQL over HTTP POST (application/json requests)
// like gqlgen's transport.POST, with one difference that matters at scale:
// the response is written as gqlgen produced it. transport.POST encodes
// graphql.Response with encoding/json, which re-validates and compacts the
// data payload (json.RawMessage) byte by byte: on a page of 100 assets with
// their relations that was about a tenth of the server's CPU. The data
// gqlgen's marshalers write is already compact, valid JSON.
type postTransport struct{}

var _ graphql.Transport = postTransport{}

func (postTransport) Supports(r *http.Request) bool {
	if r.Method != http.MethodPost || r.Header.Get("Upgrade") != "" {
		return false
	}
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mediaType == mediaJSON
}

func (postTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := setResponseHeaders(w, r)
	start := graphql.Now()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		badRequest(ctx, w, exec, "could not read request body: %v", err)
		return
	}
	var params graphql.RawParams
	if err := decodeJSON(body, &params); err != nil {
		badRequest(ctx, w, exec, "json request body could not be decoded: %v", err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(ctx, w, exec, contentType, &params, false)
}

// Multipart uploads (startImport's file): the body may hold the largest
// file an import takes plus the operations and map parts around it; past
// uploadMemory bytes the file spools to a temporary file, not to RAM.
const (
	MaxUploadBytes = imports.MaxFileSize + 1<<20
	uploadMemory   = 1 << 20
)

// uploadTransport serves the GraphQL multipart request spec (gqlgen's
// MultipartForm). It needs the Authorization header like every request, so
// a cross-site form post (which can send multipart bodies but not that
// header) is refused as unauthenticated: multipart opens no CSRF hole.
// It refuses two bodies up front, with coded errors where gqlgen answers
// a bare message: one larger than MaxUploadBytes (BAD_USER_INPUT, field
// file), and one without a Content-Length, which gqlgen would read into
// memory whole instead of spooling. A malformed multipart body, which
// gqlgen answers 422 with uncoded errors, is answered 400 BAD_REQUEST.
type uploadTransport struct{ transport.MultipartForm }

var _ graphql.Transport = uploadTransport{}

func newUploadTransport() uploadTransport {
	return uploadTransport{transport.MultipartForm{MaxUploadSize: MaxUploadBytes, MaxMemory: uploadMemory}}
}

func (u uploadTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	switch {
	case r.ContentLength > MaxUploadBytes:
		setResponseHeaders(w, r)
		e := imports.TooLarge(r.ContentLength).(*itam.Error)
		err := &gqlerror.Error{Message: e.Message, Extensions: map[string]any{"code": string(e.Code), "field": e.Field}}
		respond(w, http.StatusRequestEntityTooLarge, exec.DispatchError(ctx, gqlerror.List{err}))
	case r.ContentLength < 0:
		setResponseHeaders(w, r)
		refuse(ctx, w, exec, http.StatusLengthRequired, codeBadRequest, "a multipart upload needs a Content-Length header")
	default:
		mw := &malformedMultipart{ResponseWriter: w}
		u.MultipartForm.Do(mw, r, exec)
		if mw.refused {
			var resp graphql.Response
			if err := json.Unmarshal(mw.body.Bytes(), &resp); err != nil || len(resp.Errors) == 0 {
				resp.Errors = gqlerror.List{gqlerror.Errorf("the multipart request could not be read")}
			}
			for _, e := range resp.Errors {
				errcode.Set(e, codeBadRequest)
			}
			setResponseHeaders(w, r)
			respond(w, http.StatusBadRequest, &graphql.Response{Errors: resp.Errors})
		}
	}
}

// malformedMultipart holds back what gqlgen's MultipartForm writes when it
// refuses a body (status 422), so uploadTransport answers it with codes.
type malformedMultipart struct {
	http.ResponseWriter
	refused bool
	body    bytes.Buffer
}

func (m *malformedMultipart) WriteHeader(status int) {
	if status == http.StatusUnprocessableEntity {
		m.refused = true
		return
	}
	m.ResponseWriter.WriteHeader(status)
}

func (m *malformedMultipart) Write(b []byte) (int, error) {
	if m.refused {
		return m.body.Write(b)
	}
	return m.ResponseWriter.Write(b)
}

// getTransport serves GraphQL over HTTP GET: queries only, parameters in
// the URL. Unlike gqlgen's transport.GET, every refusal is a GraphQL
// response with extensions.code.
type getTransport struct{}

var _ graphql.Transport = getTransport{}

func (getTransport) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet && r.Header.Get("Upgrade") == ""
}

func (getTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	contentType := setResponseHeaders(w, r)
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		badRequest(ctx, w, exec, "the URL's query string could not be decoded: %v", err)
		return
	}
	params := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	if v := q.Get("variables"); v != "" {
		if err := decodeJSON([]byte(v), &params.Variables); err != nil {
			badRequest(ctx, w, exec, "variables could not be decoded: %v", err)
			return
		}
	}
	if v := q.Get("extensions"); v != "" {
		if err := decodeJSON([]byte(v), &params.Extensions); err != nil {
			badRequest(ctx, w, exec, "extensions could not be decoded: %v", err)
			return
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	execute(ctx, w, exec, contentType, &params, true)
}

// otherRequests answers every request the GET and POST transports do not
// take (other methods, other media types, protocol upgrades) with a GraphQL
// error response, where gqlgen would answer a bare "transport not supported".
type otherRequests struct{}

var _ graphql.Transport = otherRequests{}

func (otherRequests) Supports(*http.Request) bool { return true }

func (otherRequests) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	setResponseHeaders(w, r)
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodPost:
		w.Header().Set("Allow", "GET, POST")
		refuse(ctx, w, exec, http.StatusMethodNotAllowed, codeMethodNotAllowed,
			"method %s is not allowed: send GraphQL requests with GET or POST", r.Method)
	case r.Method == http.MethodPost && r.Header.Get("Upgrade") == "":
		refuse(ctx, w, exec, http.StatusUnsupportedMediaType, codeUnsupportedMediaType,
			"a POST body must be %s, not %q", mediaJSON, r.Header.Get("Content-Type"))
	default:
		refuse(ctx, w, exec, http.StatusBadRequest, codeBadRequest, "protocol upgrades are not supported")
	}
}

// execute runs one GraphQL request and writes its response.
func execute(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, contentType string, params *graphql.RawParams, get bool) {
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		badRequest(ctx, w, exec, "the request has no query")
		return
	}
	oc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		respond(w, statusForOperationError(contentType, opErr), exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	if get && oc.Operation.Operation != ast.Query {
		// GraphQL over HTTP: a GET must not change anything.
		w.Header().Set("Allow", "POST")
		refuse(graphql.WithOperationContext(ctx, oc), w, exec, http.StatusMethodNotAllowed, codeMethodNotAllowed,
			"GET requests only run queries: send %s operations with POST", oc.Operation.Operation)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	respond(w, http.StatusOK, responses(ctx))
}

func decodeJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // variables keep their exact numeric text (Decimal, Int range checks)
	return dec.Decode(v)
}

func setResponseHeaders(w http.ResponseWriter, r *http.Request) string {
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	// The data is not HTML-escaped (see writeResponse): never let a browser
	// sniff it as anything but JSON.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	return contentType
}

// badRequest answers a request that is not a GraphQL request at all.
func badRequest(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, format string, args ...any) {
	refuse(ctx, w, exec, http.StatusBadRequest, codeBadRequest, format, args...)
}

// refuse answers with one error that carries its own code, so the error
// presenter shows it as it is.
func refuse(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, status int, code, format string, args ...any) {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, code)
	respond(w, status, exec.DispatchError(ctx, gqlerror.List{err}))
}

// responseContentType negotiates the response media type as the GraphQL
// over HTTP spec (and gqlgen's transports) do: application/json unless the
// client asks for application/graphql-response+json, or accepts neither.
func responseContentType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return mediaJSON
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", mediaJSON:
			return mediaJSON
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

// statusForOperationError is the status of a request that never ran, per
// the GraphQL over HTTP spec: under application/graphql-response+json a
// response without data is a 4xx; under application/json a well-formed
// request whose document fails to parse or validate is answered 200. A
// malformed request (BAD_REQUEST: an APQ hash that does not match) is 400
// under both.
func statusForOperationError(contentType string, errs gqlerror.List) int {
	if contentType == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	for _, e := range errs {
		if e.Extensions["code"] == codeBadRequest {
			return http.StatusBadRequest
		}
	}
	return http.StatusOK
}

// respond writes resp with status. The length is known before the first
// byte goes out, so the body is sent with a Content-Length, not chunked.
func respond(w http.ResponseWriter, status int, resp *graphql.Response) {
	head, data, tail := responseParts(resp)
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(data)+len(tail)))
	w.WriteHeader(status)
	_, _ = w.Write(head)
	_, _ = w.Write(data)
	_, _ = w.Write(tail)
}

// responseParts splits resp as graphql.Response's JSON encoding would
// write it (errors first, then data, label, path, hasNext, extensions),
// with the data payload as it is. A response without data (a request that
// never ran) has no data member, as the GraphQL over HTTP spec asks; an
// operation whose data is null has "data":null. The members around the
// data are encoded before anything is written, so a failure there cannot
// leave half a response sent.
func responseParts(resp *graphql.Response) (head, data, tail []byte) {
	head = []byte{'{'}
	if len(resp.Errors) > 0 {
		head = appendMember(head, "errors", resp.Errors)
	}
	if len(resp.Data) > 0 {
		if len(resp.Errors) > 0 {
			head = append(head, ',')
		}
		head = append(head, `"data":`...)
		data = resp.Data
	}
	empty := len(resp.Errors) == 0 && len(data) == 0
	member := func(name string, v any) {
		if !empty {
			tail = append(tail, ',')
		}
		tail, empty = appendMember(tail, name, v), false
	}
	if resp.Label != "" {
		member("label", resp.Label)
	}
	if len(resp.Path) > 0 {
		member("path", resp.Path)
	}
	if resp.HasNext != nil {
		member("hasNext", *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		member("extensions", resp.Extensions)
	}
	return head, data, append(tail, '}')
}

func appendMember(b []byte, name string, v any) []byte {
	enc, err := json.Marshal(v)
	if err != nil {
		// Errors, paths and extensions are plain values; failing here is a bug.
		panic(fmt.Errorf("graph: encode response %s: %w", name, err))
	}
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, `":`...)
	return append(b, enc...)
}
