// Package webhook receives vendor webhooks (POST /webhooks/{connectorId})
// and turns each into a targeted sync of the device it names.
//
// Webhooks carry no token. The connector's organization is found through a
// SECURITY DEFINER function, and the caller must prove the connector's
// webhook secret, one of:
//
//	X-Itam-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the secret>
//	X-Itam-Timestamp: <unix seconds> with
//	X-Itam-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">
//	Authorization: Bearer <secret>
//	X-Webhook-Secret: <secret>
//	Authorization: Basic <base64 of any-user:secret>   (Jamf Pro's "Basic Authentication")
//
// all compared in constant time. A timestamped signature is refused more
// than MaxSkew away from the server's clock, so a captured call cannot be
// replayed later; with a timestamp only that signature is accepted. A
// connector without a secret refuses webhooks. Unknown connector, missing or wrong proof: 401 and nothing is
// queued. A device id no vendor would send (control characters, longer
// than MaxDeviceIDLen) is 400. Accepted calls answer 202 whether a run was queued, a sync was
// already active, or the event named no device.
//
// Payloads:
//
//   - JAMF_PRO: Jamf Pro's webhook JSON, {"webhook": {"webhookEvent": …},
//     "event": {…}}. Computer events carry the computer's Jamf id in
//     event.jssID (ComputerAdded, ComputerInventoryCompleted,
//     ComputerPushCapabilityChanged) or event.computer.jssID
//     (ComputerCheckIn, ComputerPolicyFinished); both are read. Other
//     events (mobile devices, smart groups, JSS start/stop) are ignored.
//   - Other kinds: a JSON object naming the device in deviceId, device_id
//     or id, at the top level or inside "device" or "data".
package webhook

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// MaxBody is the largest webhook body accepted.
const MaxBody = 1 << 20

// SignatureHeader carries "sha256=<hex HMAC-SHA256 of the body>".
const SignatureHeader = "X-Itam-Signature"

// TimestampHeader carries the unix time (seconds) a signed call was made;
// the signature then covers "<timestamp>.<body>".
const TimestampHeader = "X-Itam-Timestamp"

// MaxSkew is how far a signed timestamp may be from the server's clock.
const MaxSkew = 5 * time.Minute

// MaxDeviceIDLen bounds a device id in bytes; vendors' ids are far shorter.
const MaxDeviceIDLen = 255

// SecretHeader carries the shared secret itself.
const SecretHeader = "X-Webhook-Secret"

// Handler serves POST /webhooks/{connectorId}.
type Handler struct {
	Store *postgres.ConnectorStore
	Log   *slog.Logger
}

// New returns a webhook handler over store.
func New(store *postgres.ConnectorStore, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	return &Handler{Store: store, Log: log}
}

type reply struct {
	Status string `json:"status"`
	RunID  string `json:"runId,omitempty"`
	Reason string `json:"reason,omitempty"`
}

func write(w http.ResponseWriter, code int, v reply) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func unauthorized(w http.ResponseWriter) {
	write(w, http.StatusUnauthorized, reply{Status: "unauthorized"})
}

// ServeHTTP handles one call. It is mounted as POST /webhooks/{connectorId}:
// the mux answers other methods with 405 before it runs.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := connectorID(r.PathValue("connectorId"))
	if !ok {
		unauthorized(w)
		return
	}
	log := h.Log.With("connector_id", id.String())
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			write(w, http.StatusRequestEntityTooLarge, reply{Status: "too large", Reason: "bodies are at most 1 MiB"})
			return
		}
		write(w, http.StatusBadRequest, reply{Status: "bad request"})
		return
	}
	org, err := h.Store.ConnectorOrg(ctx, id)
	if err != nil {
		if itam.ErrorCode(err) != itam.CodeNotFound {
			log.ErrorContext(ctx, "webhook: connector lookup failed", "err", err)
			write(w, http.StatusInternalServerError, reply{Status: "error"})
			return
		}
		log.InfoContext(ctx, "webhook refused: unknown connector")
		unauthorized(w)
		return
	}
	sys := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "webhook", ActorKind: itam.ActorSystem})
	target, err := h.Store.WebhookTarget(sys, id)
	if err != nil {
		if itam.ErrorCode(err) == itam.CodeNotFound {
			unauthorized(w)
			return
		}
		log.ErrorContext(ctx, "webhook: reading the connector failed", "err", err)
		write(w, http.StatusInternalServerError, reply{Status: "error"})
		return
	}
	if len(target.Secret) == 0 || !Verify(r.Header, body, target.Secret, time.Now()) {
		// Whether a timestamp was sent tells an operator to look at clock skew.
		log.InfoContext(ctx, "webhook refused: bad or missing secret", "has_secret", len(target.Secret) > 0,
			"timestamped", r.Header.Get(TimestampHeader) != "")
		unauthorized(w)
		return
	}
	if !target.Enabled {
		write(w, http.StatusAccepted, reply{Status: "ignored", Reason: "connector is disabled"})
		return
	}
	device, why, err := DeviceID(target.Kind, body)
	if err != nil {
		write(w, http.StatusBadRequest, reply{Status: "bad request", Reason: err.Error()})
		return
	}
	if device == "" {
		log.InfoContext(ctx, "webhook ignored", "reason", why)
		write(w, http.StatusAccepted, reply{Status: "ignored", Reason: why})
		return
	}
	run, err := h.Store.SyncConnector(sys, id, itam.SyncIncremental, "webhook", &device)
	switch {
	case err == nil:
		log.InfoContext(ctx, "webhook queued a sync", "run_id", run.ID.String())
		write(w, http.StatusAccepted, reply{Status: "queued", RunID: relay.ID(relay.TypeSyncRun, run.ID)})
	case itam.ErrorCode(err) == itam.CodeConflict:
		// A sync is already queued or running (or the connector was just
		// disabled): the vendor has done its part, so do not make it retry.
		write(w, http.StatusAccepted, reply{Status: "already_active"})
	case itam.ErrorCode(err) == itam.CodeNotFound:
		unauthorized(w)
	default:
		log.ErrorContext(ctx, "webhook: queueing the sync failed", "err", err)
		write(w, http.StatusInternalServerError, reply{Status: "error"})
	}
}

// connectorID accepts the connector's UUID or its global id.
func connectorID(s string) (uuid.UUID, bool) {
	if id, err := uuid.Parse(s); err == nil {
		return id, true
	}
	if typ, id, ok := relay.Parse(s); ok && typ == relay.TypeConnector {
		return id, true
	}
	return uuid.Nil, false
}

// Sign returns the X-Itam-Signature value for body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether the request headers prove secret for body at time
// now: an HMAC signature, or the secret itself as a bearer token, in
// X-Webhook-Secret, or as the password of Basic authentication. When a
// signature header is present it alone decides; when a timestamp header is
// present, only a signature over "<timestamp>.<body>" made within MaxSkew of
// now does (a plain-body signature would let the timestamp be swapped).
func Verify(hdr http.Header, body, secret []byte, now time.Time) bool {
	sig := strings.TrimSpace(hdr.Get(SignatureHeader))
	if ts := strings.TrimSpace(hdr.Get(TimestampHeader)); ts != "" {
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil || sig == "" {
			return false
		}
		if skew := now.Sub(time.Unix(sec, 0)); skew > MaxSkew || skew < -MaxSkew {
			return false
		}
		return signatureMatches(sig, secret, []byte(ts+"."), body)
	}
	if sig != "" {
		return signatureMatches(sig, secret, nil, body)
	}
	if v := hdr.Get(SecretHeader); v != "" {
		return equal([]byte(strings.TrimSpace(v)), secret)
	}
	auth := strings.TrimSpace(hdr.Get("Authorization"))
	if tok, ok := cutScheme(auth, "Bearer"); ok {
		return equal([]byte(tok), secret)
	}
	if _, ok := cutScheme(auth, "Basic"); ok {
		r := http.Request{Header: http.Header{"Authorization": {auth}}}
		if _, pass, ok := r.BasicAuth(); ok {
			return equal([]byte(pass), secret)
		}
	}
	return false
}

// signatureMatches checks "sha256=<hex>" against the HMAC of prefix+body.
// Only a full-length digest can match: a truncated or empty one is refused
// before the comparison, which itself covers every byte.
func signatureMatches(sig string, secret, prefix, body []byte) bool {
	hexSum, ok := strings.CutPrefix(sig, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil || len(got) != sha256.Size {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(prefix)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

func cutScheme(auth, scheme string) (string, bool) {
	if len(auth) > len(scheme)+1 && strings.EqualFold(auth[:len(scheme)], scheme) && auth[len(scheme)] == ' ' {
		return strings.TrimSpace(auth[len(scheme)+1:]), true
	}
	return "", false
}

// equal compares in constant time (for equal lengths; the length of a
// secret is not what it protects).
func equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// DeviceID extracts the vendor's id of the device a webhook is about. An
// empty id with a reason means the event names no device we sync; an error
// means the body is not the JSON the kind sends or the id is not one a
// vendor would send (see ValidDeviceID).
func DeviceID(kind string, body []byte) (id, reason string, err error) {
	id, reason, err = deviceID(kind, body)
	if err == nil && id != "" {
		err = ValidDeviceID(id)
	}
	if err != nil {
		return "", "", err
	}
	return id, reason, nil
}

// ValidDeviceID refuses ids no vendor sends: longer than MaxDeviceIDLen
// bytes, not UTF-8, or holding control or other unprintable characters
// (a NUL cannot even be stored). Such an id is the caller's mistake, so
// it is answered 400 before it reaches the database or a vendor URL.
func ValidDeviceID(id string) error {
	switch {
	case id == "":
		return errors.New("deviceId is empty")
	case len(id) > MaxDeviceIDLen:
		return fmt.Errorf("deviceId is longer than %d bytes", MaxDeviceIDLen)
	case !utf8.ValidString(id):
		return errors.New("deviceId is not UTF-8")
	}
	for _, r := range id {
		if !unicode.IsPrint(r) {
			return errors.New("deviceId holds a control or unprintable character")
		}
	}
	return nil
}

func deviceID(kind string, body []byte) (id, reason string, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return "", "", errors.New("body is not a JSON object")
	}
	if kind == "JAMF_PRO" {
		return jamfDeviceID(v)
	}
	for _, obj := range []any{v, v["device"], v["data"]} {
		m, _ := obj.(map[string]any)
		for _, k := range []string{"deviceId", "device_id", "id"} {
			if s := idString(m[k]); s != "" {
				return s, "", nil
			}
		}
	}
	return "", "no deviceId, device_id or id in the payload", nil
}

// jamfDeviceID reads a Jamf Pro webhook. Computers are synced by their Jamf
// id (jssID), which is the Jamf connector's external id.
func jamfDeviceID(v map[string]any) (string, string, error) {
	hook, _ := v["webhook"].(map[string]any)
	event, _ := v["event"].(map[string]any)
	if hook == nil || event == nil {
		return "", "", errors.New(`not a Jamf Pro webhook: "webhook" and "event" objects are required`)
	}
	name, _ := hook["webhookEvent"].(string)
	if !strings.HasPrefix(name, "Computer") {
		return "", "event " + strings.TrimSpace(name) + " names no computer", nil
	}
	if s := idString(event["jssID"]); s != "" {
		return s, "", nil
	}
	if c, ok := event["computer"].(map[string]any); ok {
		if s := idString(c["jssID"]); s != "" {
			return s, "", nil
		}
	}
	return "", "", errors.New("the Jamf Pro event carries no computer jssID")
}

// idString renders a JSON string or integer id; anything else is "".
func idString(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return x.String()
		}
	}
	return ""
}

var _ http.Handler = (*Handler)(nil)
