package webhook

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWebhookRefusesBadDeviceIDs: an id no vendor sends (a NUL, a control
// character, 600 characters) is the caller's mistake, answered 400 with a
// JSON reason before anything reaches the database.
func TestWebhookRefusesBadDeviceIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.connector(f.orgA, "KANDJI", "Kandji", ptr(hookSecret))
	cases := map[string]string{
		"NUL":            "ab\x00cd",
		"600 characters": strings.Repeat("x", 600),
		"newline":        "ab\ncd",
		"escape":         "\x1b[31mred",
		"DEL":            "ab\x7f",
		"line separator": "ab\u2028cd",
	}
	for name, device := range cases {
		body, err := json.Marshal(map[string]string{"deviceId": device})
		require.NoError(t, err)
		code, out := f.post(id.String(), body, map[string]string{SecretHeader: hookSecret})
		require.Equal(t, http.StatusBadRequest, code, name)
		require.Equal(t, "bad request", out["status"], name)
		require.Contains(t, out["reason"], "deviceId", name)
	}
	// A Jamf id is checked the same way.
	jamf := f.connector(f.orgA, "JAMF_PRO", "Jamf", ptr(hookSecret))
	code, _ := f.post(jamf.String(), []byte(`{"webhook": {"webhookEvent": "ComputerAdded"}, "event": {"jssID": "1\u0000"}}`), map[string]string{SecretHeader: hookSecret})
	require.Equal(t, http.StatusBadRequest, code)
	require.Empty(t, f.runs(id))
	require.Empty(t, f.runs(jamf))

	// The longest id allowed, with spaces and non-ASCII letters, is queued.
	long := strings.Repeat("é", MaxDeviceIDLen/2-1) + " x"
	require.LessOrEqual(t, len(long), MaxDeviceIDLen)
	body, err := json.Marshal(map[string]string{"deviceId": long})
	require.NoError(t, err)
	code, out := f.post(id.String(), body, map[string]string{SecretHeader: hookSecret})
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	runs := f.runs(id)
	require.Len(t, runs, 1)
	require.Equal(t, long, runs[0]["target"])
}

// signAt returns the headers of a timestamped signature.
func signAt(secret, body []byte, at time.Time) map[string]string {
	ts := strconv.FormatInt(at.Unix(), 10)
	return map[string]string{TimestampHeader: ts, SignatureHeader: Sign(secret, append([]byte(ts+"."), body...))}
}

func TestWebhookTimestampedSignature(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.connector(f.orgA, "FLEET", "Fleet", ptr(hookSecret))
	secret, body := []byte(hookSecret), []byte(`{"id": 7}`)
	now := time.Now()
	plain := Sign(secret, body)

	refused := []struct {
		name string
		hdr  map[string]string
	}{
		{"ten minutes old", signAt(secret, body, now.Add(-10*time.Minute))},
		{"ten minutes ahead", signAt(secret, body, now.Add(10*time.Minute))},
		{"plain-body signature with a timestamp", map[string]string{TimestampHeader: strconv.FormatInt(now.Unix(), 10), SignatureHeader: plain}},
		{"timestamp changed after signing", func() map[string]string {
			h := signAt(secret, body, now)
			h[TimestampHeader] = strconv.FormatInt(now.Unix()+1, 10)
			return h
		}()},
		{"timestamp not a number", map[string]string{TimestampHeader: "soon", SignatureHeader: Sign(secret, append([]byte("soon."), body...))}},
		{"timestamp in milliseconds", func() map[string]string {
			ms := strconv.FormatInt(now.UnixMilli(), 10)
			return map[string]string{TimestampHeader: ms, SignatureHeader: Sign(secret, append([]byte(ms+"."), body...))}
		}()},
		{"timestamp with a bearer secret instead of a signature", map[string]string{TimestampHeader: strconv.FormatInt(now.Unix(), 10), "Authorization": "Bearer " + hookSecret}},
	}
	for _, tc := range refused {
		code, _ := f.post(id.String(), body, tc.hdr)
		require.Equal(t, http.StatusUnauthorized, code, tc.name)
	}
	require.Empty(t, f.runs(id))

	code, out := f.post(id.String(), body, signAt(secret, body, now.Add(-4*time.Minute)))
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	require.Equal(t, "queued", out["status"])
	require.Len(t, f.runs(id), 1)
}

// TestVerifyComparesWholeSignature: a signature is refused unless every one
// of its 32 bytes matches; a prefix of the right one proves nothing.
func TestVerifyComparesWholeSignature(t *testing.T) {
	t.Parallel()
	secret, body := []byte(hookSecret), []byte(`{"a":1}`)
	now := time.Now()
	good := Sign(secret, body)
	hexSum := strings.TrimPrefix(good, "sha256=")
	require.Len(t, hexSum, 64)
	flipLast := hexSum[:63] + string("0123456789abcdef"[(strings.IndexByte("0123456789abcdef", hexSum[63])+1)%16])
	refused := map[string]string{
		"empty after the prefix": "sha256=",
		"8 hex characters":       "sha256=" + hexSum[:8],
		"all but the last byte":  "sha256=" + hexSum[:62],
		"last character changed": "sha256=" + flipLast,
		"a byte too many":        good + "00",
	}
	for name, sig := range refused {
		require.False(t, Verify(http.Header{SignatureHeader: {sig}}, body, secret, now), name)
	}
	require.True(t, Verify(http.Header{SignatureHeader: {good}}, body, secret, now))
	require.True(t, Verify(http.Header{SignatureHeader: {"sha256=" + strings.ToUpper(hexSum)}}, body, secret, now), "hex case does not matter")

	// The same over HTTP: 401, nothing queued.
	f := newFixture(t)
	id := f.connector(f.orgA, "FLEET", "Fleet", ptr(hookSecret))
	hook := []byte(`{"id": 9}`)
	sum := strings.TrimPrefix(Sign(secret, hook), "sha256=")
	for _, sig := range []string{"sha256=", "sha256=" + sum[:8]} {
		code, _ := f.post(id.String(), hook, map[string]string{SignatureHeader: sig})
		require.Equal(t, http.StatusUnauthorized, code, sig)
	}
	require.Empty(t, f.runs(id))
}

func TestValidDeviceID(t *testing.T) {
	t.Parallel()
	for id, ok := range map[string]bool{
		"13": true, "a1b2-c3": true, "VMware-56 4d 1a": true, "éè": true,
		"": false, "a\x00": false, "a\tb": false, "a\rb": false, "\u200b": false, "\xff": false,
		strings.Repeat("x", MaxDeviceIDLen): true, strings.Repeat("x", MaxDeviceIDLen+1): false,
	} {
		require.Equal(t, ok, ValidDeviceID(id) == nil, "%q", id)
	}
}
