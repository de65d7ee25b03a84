package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/secretbox"
	"github.com/itam-dev/itam/internal/testkit"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const hookSecret = "webhook-secret-0123456789-abcdef"

type fixture struct {
	t     *testing.T
	owner *pgxpool.Pool
	store *postgres.ConnectorStore
	srv   *httptest.Server
	logs  *testkit.LockedBuffer
	orgA  uuid.UUID
	orgB  uuid.UUID
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	url := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	t.Cleanup(owner.Close)
	db, err := postgres.Open(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	key := make([]byte, secretbox.KeySize)
	_, _ = rand.Read(key)
	box, err := secretbox.New(key)
	require.NoError(t, err)
	rc, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	f := &fixture{t: t, owner: owner, store: postgres.NewConnectorStore(db, box, postgres.RiverEnqueuer{Client: rc}), logs: &testkit.LockedBuffer{}}
	for i, slug := range []string{"alpha", "bravo"} {
		var id uuid.UUID
		require.NoError(t, owner.QueryRow(ctx, `INSERT INTO organizations (slug, name) VALUES ($1, $1) RETURNING id`, slug).Scan(&id))
		if i == 0 {
			f.orgA = id
		} else {
			f.orgB = id
		}
	}
	mux := http.NewServeMux()
	mux.Handle("POST /webhooks/{connectorId}", New(f.store, slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func admin(org uuid.UUID) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "admin@test"})
}

func (f *fixture) connector(org uuid.UUID, kind, name string, secret *string) uuid.UUID {
	f.t.Helper()
	in := connector.Input{Kind: kind, Name: name, BaseURL: ptr("https://tenant.example.com"), WebhookSecret: secret}
	switch kind {
	case "JAMF_PRO":
		in.Credentials = map[string]string{"clientId": "id", "clientSecret": "jamf-client-secret"}
	default:
		in.Credentials = map[string]string{"apiToken": "vendor-api-token"}
	}
	c, _, err := connector.NewService(f.store, nil).Create(admin(org), in)
	require.NoError(f.t, err)
	return c.ID
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) post(id string, body []byte, hdr map[string]string) (int, map[string]any) {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+"/webhooks/"+id, bytes.NewReader(body))
	require.NoError(f.t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(f.t, err)
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func (f *fixture) runs(connector uuid.UUID) []map[string]any {
	f.t.Helper()
	rows, err := f.owner.Query(context.Background(), `SELECT target_external_id, trigger, mode::text, status::text, job_id FROM sync_runs WHERE connector_id = $1 ORDER BY queued_at`, connector)
	require.NoError(f.t, err)
	defer rows.Close()
	var out []map[string]any
	for rows.Next() {
		var target, trigger, mode, status string
		var job *int64
		require.NoError(f.t, rows.Scan(&target, &trigger, &mode, &status, &job))
		out = append(out, map[string]any{"target": target, "trigger": trigger, "mode": mode, "status": status, "job": job})
	}
	return out
}

func (f *fixture) jobs(connector uuid.UUID) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'connector.sync' AND args->>'connector_id' = $1`, connector.String()).Scan(&n))
	return n
}

// jamfInventory is a ComputerInventoryCompleted webhook as Jamf Pro sends it:
// the computer's fields directly under "event".
const jamfInventory = `{
  "event": {"alternateMacAddress": "72:00:01:DD:A0:B9", "deviceName": "John's MacBook Pro", "jssID": 13,
            "model": "MacBook Pro", "serialNumber": "C02M23PJFH50", "udid": "EBBFF74D-C6B7-5599-93A9-19E8BDDEFE32", "username": "john"},
  "webhook": {"eventTimestamp": 1553550275590, "id": 7, "name": "itam", "webhookEvent": "ComputerInventoryCompleted"}
}`

// jamfCheckIn is a ComputerCheckIn webhook: the computer nested in event.computer.
const jamfCheckIn = `{
  "event": {"computer": {"jssID": 42, "serialNumber": "C02XYZ", "udid": "X"}, "trigger": "CLIENT_CHECKIN", "username": "john"},
  "webhook": {"eventTimestamp": 1553550275590, "id": 8, "name": "itam", "webhookEvent": "ComputerCheckIn"}
}`

func TestWebhookSignedQueuesTargetedSync(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.connector(f.orgA, "JAMF_PRO", "Jamf", ptr(hookSecret))
	body := []byte(jamfInventory)

	code, out := f.post(id.String(), body, map[string]string{SignatureHeader: Sign([]byte(hookSecret), body)})
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	require.Equal(t, "queued", out["status"])
	require.NotEmpty(t, out["runId"])
	runs := f.runs(id)
	require.Len(t, runs, 1)
	require.Equal(t, "13", runs[0]["target"])
	require.Equal(t, "webhook", runs[0]["trigger"])
	require.Equal(t, "INCREMENTAL", runs[0]["mode"], "a targeted run must never count as a full sync")
	require.Equal(t, "QUEUED", runs[0]["status"])
	require.NotNil(t, runs[0]["job"])
	require.Equal(t, 1, f.jobs(id))

	// While that sync is queued, another webhook is accepted but queues nothing.
	code, out = f.post(id.String(), []byte(jamfCheckIn), map[string]string{SignatureHeader: Sign([]byte(hookSecret), []byte(jamfCheckIn))})
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, "already_active", out["status"])
	require.Len(t, f.runs(id), 1)
	require.Equal(t, 1, f.jobs(id))

	// Once it is done, a check-in (computer nested under event.computer) queues one.
	_, err := f.owner.Exec(context.Background(), `UPDATE river_job SET state = 'completed', finalized_at = now()`)
	require.NoError(t, err)
	code, _ = f.post(id.String(), []byte(jamfCheckIn), map[string]string{"Authorization": "Bearer " + hookSecret})
	require.Equal(t, http.StatusAccepted, code)
	runs = f.runs(id)
	require.Len(t, runs, 2)
	require.Equal(t, "42", runs[1]["target"])

	require.NotContains(t, f.logs.String(), hookSecret)
}

func TestWebhookRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.connector(f.orgA, "JAMF_PRO", "Jamf", ptr(hookSecret))
	noSecret := f.connector(f.orgA, "KANDJI", "Kandji", nil)
	other := f.connector(f.orgB, "JAMF_PRO", "Jamf", ptr("org-b-secret-0123456789"))
	body := []byte(jamfInventory)

	cases := []struct {
		name string
		id   string
		body []byte
		hdr  map[string]string
	}{
		{"no proof", id.String(), body, nil},
		{"wrong hmac key", id.String(), body, map[string]string{SignatureHeader: Sign([]byte("not-the-secret"), body)}},
		{"hmac of another body", id.String(), body, map[string]string{SignatureHeader: Sign([]byte(hookSecret), []byte(`{}`))}},
		{"hmac without prefix", id.String(), body, map[string]string{SignatureHeader: strings.TrimPrefix(Sign([]byte(hookSecret), body), "sha256=")}},
		{"bad signature beats good bearer", id.String(), body, map[string]string{SignatureHeader: "sha256=00", "Authorization": "Bearer " + hookSecret}},
		{"wrong bearer", id.String(), body, map[string]string{"Authorization": "Bearer nope"}},
		{"secret prefix", id.String(), body, map[string]string{SecretHeader: hookSecret[:10]}},
		{"other org's secret", id.String(), body, map[string]string{SecretHeader: "org-b-secret-0123456789"}},
		{"connector without secret", noSecret.String(), body, map[string]string{SecretHeader: ""}},
		{"unknown connector", uuid.NewString(), body, map[string]string{SecretHeader: hookSecret}},
		{"not an id", "nonsense", body, map[string]string{SecretHeader: hookSecret}},
	}
	for _, tc := range cases {
		code, _ := f.post(tc.id, tc.body, tc.hdr)
		require.Equal(t, http.StatusUnauthorized, code, tc.name)
	}
	for _, c := range []uuid.UUID{id, noSecret, other} {
		require.Empty(t, f.runs(c))
		require.Zero(t, f.jobs(c))
	}

	// Too large: 413, nothing queued.
	big := bytes.Repeat([]byte(" "), MaxBody+1)
	code, _ := f.post(id.String(), big, map[string]string{SecretHeader: hookSecret})
	require.Equal(t, http.StatusRequestEntityTooLarge, code)

	// Authenticated but not JSON: 400; events about no computer: ignored.
	code, _ = f.post(id.String(), []byte("<xml/>"), map[string]string{SecretHeader: hookSecret})
	require.Equal(t, http.StatusBadRequest, code)
	code, out := f.post(id.String(), []byte(`{"webhook": {"webhookEvent": "JSSStartup"}, "event": {"institution": "x"}}`), map[string]string{SecretHeader: hookSecret})
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, "ignored", out["status"])
	require.Empty(t, f.runs(id))

	// A disabled connector accepts and ignores.
	c, err := f.store.Connector(admin(f.orgA), id)
	require.NoError(t, err)
	_, _, err = connector.NewService(f.store, nil).Update(admin(f.orgA), connector.Patch{ID: id, Version: c.Version, Enabled: itam.Some(false)})
	require.NoError(t, err)
	code, out = f.post(id.String(), body, map[string]string{SecretHeader: hookSecret})
	require.Equal(t, http.StatusAccepted, code)
	require.Equal(t, "ignored", out["status"])
	require.Empty(t, f.runs(id))
	require.Zero(t, f.jobs(id))

	require.NotContains(t, f.logs.String(), hookSecret)
}

func TestWebhookGenericAndBasic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	id := f.connector(f.orgA, "FLEET", "Fleet", ptr(hookSecret))
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("jamf:"+hookSecret))
	code, out := f.post(id.String(), []byte(`{"data": {"device_id": 1234}}`), map[string]string{"Authorization": basic})
	require.Equal(t, http.StatusAccepted, code, "%v", out)
	runs := f.runs(id)
	require.Len(t, runs, 1)
	require.Equal(t, "1234", runs[0]["target"])
	require.Equal(t, 1, f.jobs(id))
}

func TestDeviceID(t *testing.T) {
	cases := []struct {
		kind, body, want string
		bad              bool
	}{
		{"JAMF_PRO", jamfInventory, "13", false},
		{"JAMF_PRO", jamfCheckIn, "42", false},
		{"JAMF_PRO", `{"webhook": {"webhookEvent": "ComputerAdded"}, "event": {"jssID": "77"}}`, "77", false},
		{"JAMF_PRO", `{"webhook": {"webhookEvent": "MobileDeviceCheckIn"}, "event": {"jssID": 5}}`, "", false},
		{"JAMF_PRO", `{"webhook": {"webhookEvent": "ComputerAdded"}, "event": {}}`, "", true},
		{"JAMF_PRO", `{"deviceId": "x"}`, "", true},
		{"KANDJI", `{"deviceId": "abc"}`, "abc", false},
		{"KANDJI", `{"device_id": "def"}`, "def", false},
		{"FLEET", `{"id": 12}`, "12", false},
		{"FLEET", `{"device": {"id": "h-1"}}`, "h-1", false},
		{"FLEET", `{"id": 1.5}`, "", false},
		{"INTUNE", `{"nothing": true}`, "", false},
		{"INTUNE", `[1, 2]`, "", true},
	}
	for _, tc := range cases {
		got, _, err := DeviceID(tc.kind, []byte(tc.body))
		if tc.bad {
			require.Error(t, err, tc.body)
			continue
		}
		require.NoError(t, err, tc.body)
		require.Equal(t, tc.want, got, tc.body)
	}
}

func TestVerify(t *testing.T) {
	secret, body := []byte(hookSecret), []byte(`{"a":1}`)
	ok := func(h http.Header) bool { return Verify(h, body, secret, time.Now()) }
	require.True(t, ok(http.Header{SignatureHeader: {Sign(secret, body)}}))
	require.True(t, ok(http.Header{"Authorization": {"bearer " + hookSecret}}))
	require.True(t, ok(http.Header{SecretHeader: {hookSecret}}))
	require.False(t, ok(http.Header{}))
	require.False(t, ok(http.Header{SignatureHeader: {"sha256=zz"}}))
	require.False(t, ok(http.Header{"Authorization": {"Basic !!"}}))
	require.False(t, ok(http.Header{"Authorization": {"Token " + hookSecret}}))
}
