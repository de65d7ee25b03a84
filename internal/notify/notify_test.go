package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/notify"
)

// verifyFromRecipe is the receiver's check written only from the
// documented recipe, sharing no code with notify.Sign: HMAC-SHA256 keyed
// with the secret over "<X-Itam-Timestamp>.<raw body>", hex, after
// "sha256=" in X-Itam-Signature.
func verifyFromRecipe(secret, timestamp, signature string, body []byte) bool {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp + "." + string(body)))
	return hmac.Equal([]byte(signature), []byte("sha256="+hex.EncodeToString(mac.Sum(nil))))
}

func TestSignatureFollowsTheDocumentedRecipe(t *testing.T) {
	t.Parallel()
	secret := "whsec-0123456789abcdef"
	body := []byte(`{"event":"WARRANTY_ENDING","x":"ü"}`)
	ts := int64(1764950400)
	sig := notify.Sign([]byte(secret), ts, body)
	require.True(t, verifyFromRecipe(secret, fmt.Sprint(ts), sig, body))
	require.Equal(t, "sha256=", sig[:7])
	require.Len(t, sig, 7+64)

	now := time.Unix(ts, 0).Add(time.Minute)
	require.NoError(t, notify.Verify([]byte(secret), fmt.Sprint(ts), sig, body, now, 5*time.Minute))
	for name, tc := range map[string]struct {
		secret, ts, sig string
		body            []byte
		want            error
	}{
		"other secret":    {"whsec-other-secret-000", fmt.Sprint(ts), sig, body, notify.ErrBadSignature},
		"changed body":    {secret, fmt.Sprint(ts), sig, append([]byte{}, append(body, ' ')...), notify.ErrBadSignature},
		"changed time":    {secret, fmt.Sprint(ts + 1), sig, body, notify.ErrBadSignature},
		"no prefix":       {secret, fmt.Sprint(ts), sig[7:], body, notify.ErrBadSignature},
		"short":           {secret, fmt.Sprint(ts), sig[:40], body, notify.ErrBadSignature},
		"not a number":    {secret, "1764950400.5", sig, body, notify.ErrBadSignature},
		"too old":         {secret, fmt.Sprint(ts - 3600), notify.Sign([]byte(secret), ts-3600, body), body, notify.ErrStale},
		"from the future": {secret, fmt.Sprint(ts + 3600), notify.Sign([]byte(secret), ts+3600, body), body, notify.ErrStale},
	} {
		require.ErrorIs(t, notify.Verify([]byte(tc.secret), tc.ts, tc.sig, tc.body, now, 5*time.Minute), tc.want, name)
	}
}

func TestBackoffAndRetryWindow(t *testing.T) {
	t.Parallel()
	require.Equal(t, 30*time.Second, notify.Backoff(1))
	require.Equal(t, time.Minute, notify.Backoff(2))
	require.Equal(t, 64*time.Minute, notify.Backoff(8))
	require.Equal(t, 2*time.Hour, notify.Backoff(9))
	require.Equal(t, 2*time.Hour, notify.Backoff(30))

	first := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s := notify.RetrySchedule(notify.Backoff)
	now, attempts := first, 1
	for {
		next, ok := s.NextRetry(attempts, first, now)
		if !ok {
			break
		}
		require.True(t, next.After(now))
		now, attempts = next, attempts+1
	}
	require.LessOrEqual(t, now.Sub(first), notify.RetryWindow, "no attempt after the window")
	require.Greater(t, now.Sub(first), notify.RetryWindow-3*time.Hour, "retries cover most of the window")
	require.Less(t, attempts, notify.MaxAttempts, "the window ends a delivery, not the attempt count")
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	loop := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, tc := range []struct {
		url   string
		allow []netip.Prefix
		ok    bool
	}{
		{"https://hooks.example.com/itam", nil, true},
		{"https://hooks.slack.com/services/T/B/X", nil, true},
		{"http://hooks.example.com/itam", nil, false},
		{"https://127.0.0.1/x", nil, false},
		{"https://localhost:8443/x", nil, false},
		{"https://api.localhost/x", nil, false},
		{"https://10.1.2.3/x", nil, false},
		{"https://169.254.169.254/latest/meta-data", nil, false},
		{"https://[::1]/x", nil, false},
		{"https://[::ffff:127.0.0.1]/x", nil, false},
		{"https://[fd00::1]/x", nil, false},
		{"https://0.0.0.0/x", nil, false},
		{"https://user:pw@hooks.example.com/x", nil, false},
		{"ftp://hooks.example.com/x", nil, false},
		{"/relative", nil, false},
		{"", nil, false},
		{"http://127.0.0.1:9999/hook", loop, true},
		{"https://localhost:9999/hook", loop, true},
		{"http://10.0.0.1/hook", loop, false},
	} {
		_, err := notify.CheckURL(tc.url, tc.allow)
		if tc.ok {
			require.NoError(t, err, tc.url)
			continue
		}
		require.Error(t, err, tc.url)
		require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err), tc.url)
		var e *itam.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, "url", e.Field, tc.url)
	}
}

func TestSubscriptionInput(t *testing.T) {
	t.Parallel()
	u, secret := "https://hooks.example.com/x", "0123456789abcdef"
	ok := notify.SubscriptionInput{URL: &u, Secret: &secret, Events: []notify.Kind{notify.DeviceStale, notify.WarrantyEnding, notify.DeviceStale}}
	v, err := ok.ValidateCreate(nil)
	require.NoError(t, err)
	require.Equal(t, []notify.Kind{notify.WarrantyEnding, notify.DeviceStale}, v.Events)
	require.Equal(t, notify.FormatJSON, *v.Format)
	require.True(t, *v.Active)

	short, spaced, bad := "short", " 0123456789abcdef ", notify.Format("XML")
	for field, in := range map[string]notify.SubscriptionInput{
		"url":    {Secret: &secret, Events: ok.Events},
		"secret": {URL: &u, Secret: &short, Events: ok.Events},
		"events": {URL: &u, Secret: &secret, Events: []notify.Kind{}},
		"format": {URL: &u, Secret: &secret, Events: ok.Events, Format: &bad},
	} {
		_, err := in.ValidateCreate(nil)
		var e *itam.Error
		require.ErrorAs(t, err, &e, field)
		require.Equal(t, field, e.Field)
	}
	_, err = notify.SubscriptionInput{URL: &u, Secret: &spaced, Events: ok.Events}.ValidateCreate(nil)
	require.Error(t, err)
	_, err = notify.SubscriptionInput{URL: &u, Secret: &secret, Events: []notify.Kind{"NOPE"}}.ValidateCreate(nil)
	require.Error(t, err)
}

func TestSettingsPatch(t *testing.T) {
	t.Parallel()
	one, year, zero, over := 1, 365, 0, 366
	s, err := notify.SettingsPatch{WarrantyDays: &one, StaleDeviceDays: &year}.Apply(notify.DefaultSettings)
	require.NoError(t, err)
	require.Equal(t, notify.Settings{WarrantyDays: 1, ContractDays: 60, LicenseDays: 60, StaleDeviceDays: 365}, s)
	for field, p := range map[string]notify.SettingsPatch{
		"warrantyDays": {WarrantyDays: &zero}, "contractDays": {ContractDays: &over},
		"licenseDays": {LicenseDays: &zero}, "staleDeviceDays": {StaleDeviceDays: &over},
	} {
		_, err := p.Apply(notify.DefaultSettings)
		var e *itam.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, field, e.Field)
	}
}

func TestPayloads(t *testing.T) {
	t.Parallel()
	due := time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC)
	n := &notify.Notification{ID: uuid.New(), Kind: notify.WarrantyEnding, SubjectType: "Asset", SubjectID: uuid.New(),
		Title: "Warranty ending: A-1", Message: "The warranty of asset A-1 ends on 2026-12-24.", DueDate: &due, CreatedAt: due}
	m := notify.Message{DeliveryID: notify.NewDeliveryID(7), Organization: "acme", Notification: n, SentAt: due}

	var j map[string]any
	b, err := notify.Body(notify.FormatJSON, m)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &j))
	require.Equal(t, "WARRANTY_ENDING", j["event"])
	require.Equal(t, "2026-12-24", j["notification"].(map[string]any)["dueDate"])
	require.Equal(t, "Asset", j["notification"].(map[string]any)["subject"].(map[string]any)["type"])
	require.Equal(t, notify.NewDeliveryID(7), j["id"], "stable across attempts")

	var s map[string]any
	b, err = notify.Body(notify.FormatSlack, m)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &s))
	require.Equal(t, "*Warranty ending: A-1*\nThe warranty of asset A-1 ends on 2026-12-24.", s["text"])

	var tm struct {
		Type        string `json:"type"`
		Attachments []struct {
			ContentType string `json:"contentType"`
			Content     struct {
				Type string `json:"type"`
				Body []struct {
					Text string `json:"text"`
				} `json:"body"`
			} `json:"content"`
		} `json:"attachments"`
	}
	b, err = notify.Body(notify.FormatTeams, m)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &tm))
	require.Equal(t, "message", tm.Type)
	require.Equal(t, "application/vnd.microsoft.card.adaptive", tm.Attachments[0].ContentType)
	require.Equal(t, "AdaptiveCard", tm.Attachments[0].Content.Type)
	require.Equal(t, "Warranty ending: A-1", tm.Attachments[0].Content.Body[0].Text)

	b, err = notify.Body(notify.FormatJSON, notify.Message{DeliveryID: "d", Organization: "acme", SentAt: due})
	require.NoError(t, err)
	require.Contains(t, string(b), `"event":"PING"`)
	require.Contains(t, string(b), `"notification":null`)
}

func TestDedupKeyAndDescribe(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	due := today.AddDate(0, 0, 10)
	id := uuid.New()
	d := notify.Due{Kind: notify.WarrantyEnding, SubjectType: "Asset", SubjectID: id, Label: "A-7", DueDate: &due, Occurrence: due}
	again := d
	again.Label = "renamed"
	require.Equal(t, d.DedupKey(), again.DedupKey(), "same occurrence found again")
	renewed := d
	renewed.Occurrence = due.AddDate(1, 0, 0)
	require.NotEqual(t, d.DedupKey(), renewed.DedupKey(), "a new due date is a new occurrence")
	title, msg := d.Describe(today)
	require.Equal(t, "Warranty ending: A-7", title)
	require.Equal(t, "The warranty of asset A-7 ends on 2026-12-11 (in 10 days).", msg)
	// today is a calendar day in its own zone: 20:00 on Dec 1 at UTC-10
	// (already Dec 2 in UTC) is still 10 days before Dec 11.
	_, msg = d.Describe(time.Date(2026, 12, 1, 20, 0, 0, 0, time.FixedZone("UTC-10", -10*3600)))
	require.Equal(t, "The warranty of asset A-7 ends on 2026-12-11 (in 10 days).", msg)
	for _, k := range notify.Kinds {
		title, msg := notify.Due{Kind: k, SubjectID: id, Label: "X"}.Describe(today)
		require.NotEmpty(t, title)
		require.NotEmpty(t, msg)
	}
	long := notify.ErrorText(strings.Repeat("é", 400))
	require.LessOrEqual(t, len(long), notify.MaxErrorText)
	require.True(t, utf8.ValidString(long))
}
