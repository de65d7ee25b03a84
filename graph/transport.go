package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
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
	contentType := responseContentType(r)
	w.Header().Set("Content-Type", contentType)
	// The data is not HTML-escaped (see writeResponse): never let a browser
	// sniff it as anything but JSON.
	w.Header().Set("X-Content-Type-Options", "nosniff")
	start := graphql.Now()

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		badRequest(ctx, w, exec, "could not read request body: %v", err)
		return
	}
	var params graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // variables keep their exact numeric text (Decimal, Int range checks)
	if err := dec.Decode(&params); err != nil {
		badRequest(ctx, w, exec, "json request body could not be decoded: %v", err)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}

	oc, opErr := exec.CreateOperationContext(ctx, &params)
	if opErr != nil {
		respond(w, statusForOperationError(contentType, opErr), exec.DispatchError(graphql.WithOperationContext(ctx, oc), opErr))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	respond(w, http.StatusOK, responses(ctx))
}

// badRequest answers a request that is not a GraphQL request at all. The
// error carries its own code, so the error presenter shows it as it is.
func badRequest(ctx context.Context, w http.ResponseWriter, exec graphql.GraphExecutor, format string, args ...any) {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, "BAD_REQUEST")
	respond(w, http.StatusBadRequest, exec.DispatchError(ctx, gqlerror.List{err}))
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

// statusForOperationError is the status of a request that never ran:
// parse and validation failures are 400 under graphql-response+json and 422
// under application/json, per the GraphQL over HTTP spec.
func statusForOperationError(contentType string, errs gqlerror.List) int {
	if errcode.GetErrorKind(errs) != errcode.KindProtocol {
		return http.StatusOK
	}
	if contentType == mediaGraphQLResponse {
		return http.StatusBadRequest
	}
	return http.StatusUnprocessableEntity
}

// respond writes resp with status. The length is known before the first
// byte goes out, so the body is sent with a Content-Length, not chunked.
func respond(w http.ResponseWriter, status int, resp *graphql.Response) {
	head, data, tail := responseParts(resp)
	w.Header().Set("Content-Length", strconv.Itoa(len(head)+len(data)+len(tail)+len(`{"data":}`)))
	w.WriteHeader(status)
	writeParts(w, head, data, tail)
}

// responseParts splits resp as graphql.Response's JSON encoding would
// write it (errors first, then data, label, path, hasNext, extensions),
// with the data payload as it is. The members around the data are encoded
// before anything is written, so a failure there cannot leave half a
// response sent.
func responseParts(resp *graphql.Response) (head, data, tail []byte) {
	if len(resp.Errors) > 0 {
		head = appendMember(head, "errors", resp.Errors)
		head = append(head, ',')
	}
	if resp.Label != "" {
		tail = appendMember(append(tail, ','), "label", resp.Label)
	}
	if len(resp.Path) > 0 {
		tail = appendMember(append(tail, ','), "path", resp.Path)
	}
	if resp.HasNext != nil {
		tail = appendMember(append(tail, ','), "hasNext", *resp.HasNext)
	}
	if len(resp.Extensions) > 0 {
		tail = appendMember(append(tail, ','), "extensions", resp.Extensions)
	}
	data = resp.Data
	if len(data) == 0 {
		data = []byte("null")
	}
	return head, data, tail
}

func writeParts(w io.Writer, head, data, tail []byte) {
	_, _ = io.WriteString(w, "{")
	_, _ = w.Write(head)
	_, _ = io.WriteString(w, `"data":`)
	_, _ = w.Write(data)
	_, _ = w.Write(tail)
	_, _ = io.WriteString(w, "}")
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
