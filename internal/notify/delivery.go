package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/relay"
)

// Headers of a delivery.
const (
	HeaderSignature = "X-Itam-Signature"
	HeaderTimestamp = "X-Itam-Timestamp"
	HeaderEvent     = "X-Itam-Event"
	HeaderDelivery  = "X-Itam-Delivery"
)

// Message is what one delivery carries: a notification, or the ping of
// testWebhookSubscription (Notification nil).
type Message struct {
	// DeliveryID is the same for every attempt of one delivery, so a
	// receiver can drop repeats (a retry after a 2xx that got lost).
	DeliveryID   string
	Organization string // the organization's slug
	Notification *Notification
	SentAt       time.Time
}

// Event is the delivery's event name: the notification's kind, or PING.
func (m Message) Event() string {
	if m.Notification == nil {
		return PingEvent
	}
	return string(m.Notification.Kind)
}

// jsonPayload is the JSON format's body. Ids are the API's global ids, so
// a receiver can look anything up with node(id:).
type jsonPayload struct {
	ID           string            `json:"id"`
	Event        string            `json:"event"`
	Organization string            `json:"organization"`
	SentAt       string            `json:"sentAt"`
	Notification *jsonNotification `json:"notification"`
}

type jsonNotification struct {
	ID        string      `json:"id"`
	Kind      string      `json:"kind"`
	Title     string      `json:"title"`
	Message   string      `json:"message"`
	Subject   jsonSubject `json:"subject"`
	DueDate   *string     `json:"dueDate"`
	CreatedAt string      `json:"createdAt"`
}

type jsonSubject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// text is the one-line rendering chat formats show.
func (m Message) text() (title, body string) {
	if m.Notification == nil {
		return "itam webhook test", "Test delivery from itam (" + m.Organization + "): this webhook is set up."
	}
	return m.Notification.Title, m.Notification.Message
}

// Body renders m in format f.
func Body(f Format, m Message) ([]byte, error) {
	switch f {
	case FormatSlack:
		// Slack incoming webhooks take {"text": …} with mrkdwn.
		title, body := m.text()
		return json.Marshal(map[string]string{"text": "*" + title + "*\n" + body})
	case FormatTeams:
		// A Teams message carrying one Adaptive Card, the shape Teams
		// incoming webhooks and Workflows' "When a Teams webhook request
		// is received" trigger accept.
		title, body := m.text()
		card := map[string]any{
			"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
			"type":    "AdaptiveCard",
			"version": "1.4",
			"body": []map[string]any{
				{"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": true},
				{"type": "TextBlock", "text": body, "wrap": true},
			},
		}
		return json.Marshal(map[string]any{
			"type": "message",
			"attachments": []map[string]any{
				{"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card},
			},
		})
	}
	p := jsonPayload{ID: m.DeliveryID, Event: m.Event(), Organization: m.Organization, SentAt: m.SentAt.UTC().Format(time.RFC3339)}
	if n := m.Notification; n != nil {
		jn := &jsonNotification{
			ID: relay.ID(relay.TypeNotification, n.ID), Kind: string(n.Kind), Title: n.Title, Message: n.Message,
			Subject:   jsonSubject{Type: n.SubjectType, ID: relay.ID(n.SubjectType, n.SubjectID)},
			CreatedAt: n.CreatedAt.UTC().Format(time.RFC3339),
		}
		if n.DueDate != nil {
			d := n.DueDate.Format(time.DateOnly)
			jn.DueDate = &d
		}
		p.Notification = jn
	}
	return json.Marshal(p)
}

// Sign returns the X-Itam-Signature value for body sent at ts:
// "sha256=" followed by the lowercase hex HMAC-SHA256, keyed with the
// subscription's secret, of the decimal Unix timestamp (the
// X-Itam-Timestamp header), a ".", and the raw body bytes.
func Sign(secret []byte, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(strconv.FormatInt(ts, 10)))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors of Verify.
var (
	ErrBadSignature = errors.New("signature does not match")
	ErrStale        = errors.New("timestamp is outside the tolerance")
)

// Verify is what a receiver does with a delivery, and the recipe the
// documentation gives: read X-Itam-Timestamp as a decimal integer (Unix
// seconds) and refuse it when more than tolerance away from now; compute
// HMAC-SHA256 with the secret over timestamp + "." + raw body; compare it,
// in constant time, with the hex after "sha256=" in X-Itam-Signature.
func Verify(secret []byte, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return ErrBadSignature
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return ErrStale
	}
	got, ok := strings.CutPrefix(signature, "sha256=")
	if !ok {
		return ErrBadSignature
	}
	sig, err := hex.DecodeString(got)
	if err != nil || len(sig) != sha256.Size {
		return ErrBadSignature
	}
	want, _ := hex.DecodeString(strings.TrimPrefix(Sign(secret, ts, body), "sha256="))
	if !hmac.Equal(sig, want) {
		return ErrBadSignature
	}
	return nil
}

// Delivery timing: one attempt may take DeliveryTimeout; failed attempts
// are retried with exponential backoff (RetrySchedule) for RetryWindow
// after the first attempt, then the delivery is given up.
const (
	DeliveryTimeout = 10 * time.Second
	RetryWindow     = 24 * time.Hour
	firstRetry      = 30 * time.Second
	maxRetryDelay   = 2 * time.Hour
)

// MaxAttempts bounds a delivery's attempts above what RetryWindow allows,
// so the window, not River's count, ends a delivery.
const MaxAttempts = 40

// RetrySchedule is how long to wait after failed attempt n (1-based).
type RetrySchedule func(attempt int) time.Duration

// Backoff doubles the wait from 30 s after each failed attempt, capped at
// two hours: 30 s, 1 m, 2 m, 4 m, … 64 m, then every 2 h: about 18 attempts
// in 24 h, dense at first (a receiver restarting) and sparse later (an
// outage), never hammering a receiver that is down.
func Backoff(attempt int) time.Duration {
	d := firstRetry
	for i := 1; i < attempt && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// NextRetry returns when to retry after failed attempt n of a delivery
// first attempted at first, or ok false when that would be past the
// retry window: the delivery is given up.
func (s RetrySchedule) NextRetry(attempt int, first, now time.Time) (time.Time, bool) {
	if attempt >= MaxAttempts {
		return time.Time{}, false
	}
	next := now.Add(s(attempt))
	if next.Sub(first) > RetryWindow {
		return time.Time{}, false
	}
	return next, true
}

// Retryable reports whether an answer is worth retrying: any failure to
// get one (timeout, refused connection) or a status other than 2xx. A 410
// Gone says the receiver was removed for good.
func Retryable(status int) bool {
	return status != 410 && (status < 200 || status > 299)
}

// Succeeded reports whether status is a successful answer.
func Succeeded(status int) bool { return status >= 200 && status <= 299 }

// MaxErrorText bounds the error text kept per attempt.
const MaxErrorText = 500

// ErrorText bounds s for storage, on a rune boundary.
func ErrorText(s string) string {
	if len(s) <= MaxErrorText {
		return s
	}
	cut := MaxErrorText - len("…")
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// NewDeliveryID returns a delivery id for a message: stable across the
// attempts of a delivery because it derives from its job.
func NewDeliveryID(jobID int64) string {
	return uuid.NewSHA1(deliveryNamespace, []byte(strconv.FormatInt(jobID, 10))).String()
}

var deliveryNamespace = uuid.MustParse("6f1f5b8e-2d0c-4a57-9b6e-4f1f0a9b7c11")
