package connector_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	_ "github.com/itam-dev/itam/connectors/all"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/itam"
)

const plainToken = "kandji-SECRET-token-7f3a9c"

func ptr[T any](v T) *T { return &v }

func requireInvalid(t *testing.T, err error, field, name string) {
	t.Helper()
	var e *itam.Error
	require.True(t, errors.As(err, &e), "%s: %v", name, err)
	require.Equal(t, itam.CodeInvalid, e.Code, name)
	require.Equal(t, field, e.Field, name)
}

// TestKindsMatchVendors: the kinds named here are exactly the vendor
// packages' kinds, so a new vendor cannot be forgotten on either side.
func TestKindsMatchVendors(t *testing.T) {
	var vendor []string
	for _, k := range connectors.Kinds() {
		vendor = append(vendor, string(k))
	}
	require.ElementsMatch(t, vendor, connector.Kinds)
	require.NoError(t, connector.ValidKind("KANDJI"))
	requireInvalid(t, connector.ValidKind("MDM"), "kind", "unknown kind")
}

func TestValidateCredentials(t *testing.T) {
	cases := []struct {
		name  string
		kind  string
		creds map[string]string
		field string // "" means valid
		want  map[string]string
	}{
		{"kandji token", "KANDJI", map[string]string{"apiToken": " t "}, "", map[string]string{"apiToken": "t"}},
		{"fleet token", "FLEET", map[string]string{"apiToken": "t"}, "", map[string]string{"apiToken": "t"}},
		{"jamf client", "JAMF_PRO", map[string]string{"clientId": "i", "clientSecret": "s"}, "", map[string]string{"clientId": "i", "clientSecret": "s"}},
		{"jamf user", "JAMF_PRO", map[string]string{"username": "u", "password": "p", "clientId": ""}, "", map[string]string{"username": "u", "password": "p"}},
		{"intune", "INTUNE", map[string]string{"tenantId": "t", "clientId": "i", "clientSecret": "s"}, "", nil},
		{"unknown kind", "MDM", map[string]string{}, "kind", nil},
		{"missing token", "KANDJI", map[string]string{}, "credentials.apiToken", nil},
		{"blank token", "KANDJI", map[string]string{"apiToken": " "}, "credentials.apiToken", nil},
		{"unknown name", "KANDJI", map[string]string{"apiToken": "t", "apiKey": "x"}, "credentials.apiKey", nil},
		{"too long", "KANDJI", map[string]string{"apiToken": string(make([]byte, 17<<10))}, "credentials.apiToken", nil},
		{"jamf nothing", "JAMF_PRO", nil, "credentials.clientId", nil},
		{"jamf half client", "JAMF_PRO", map[string]string{"clientId": "i"}, "credentials.clientSecret", nil},
		{"jamf half user", "JAMF_PRO", map[string]string{"username": "u"}, "credentials.password", nil},
		{"intune missing tenant", "INTUNE", map[string]string{"clientId": "a", "clientSecret": "b"}, "credentials.tenantId", nil},
	}
	for _, tc := range cases {
		got, err := connector.ValidateCredentials(tc.kind, tc.creds)
		if tc.field != "" {
			requireInvalid(t, err, tc.field, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		if tc.want != nil {
			require.Equal(t, tc.want, got, tc.name)
		}
	}
	// A refused credential's value is never quoted.
	_, err := connector.ValidateCredentials("KANDJI", map[string]string{"apiToken": plainToken, "bogus": plainToken})
	require.NotContains(t, err.Error(), plainToken)
}

func TestScheduleValidate(t *testing.T) {
	cases := []struct {
		name     string
		in       *connector.Schedule
		field    string
		interval *time.Duration
		cron     *string
	}{
		{"manual", nil, "", nil, nil},
		{"empty", &connector.Schedule{}, "", nil, nil},
		{"blank cron is manual", &connector.Schedule{Cron: ptr("  ")}, "", nil, nil},
		{"interval", &connector.Schedule{IntervalMinutes: ptr(90)}, "", ptr(90 * time.Minute), nil},
		{"cron", &connector.Schedule{Cron: ptr(" 30 2 * * * ")}, "", nil, ptr("30 2 * * *")},
		{"descriptor", &connector.Schedule{Cron: ptr("@hourly")}, "", nil, ptr("@hourly")},
		{"both", &connector.Schedule{IntervalMinutes: ptr(5), Cron: ptr("* * * * *")}, "schedule", nil, nil},
		{"zero interval", &connector.Schedule{IntervalMinutes: ptr(0)}, "schedule.intervalMinutes", nil, nil},
		{"over a year", &connector.Schedule{IntervalMinutes: ptr(367 * 24 * 60)}, "schedule.intervalMinutes", nil, nil},
		{"bad cron", &connector.Schedule{Cron: ptr("61 * * * *")}, "schedule.cron", nil, nil},
		{"six-field cron", &connector.Schedule{Cron: ptr("0 0 1 * * *")}, "schedule.cron", nil, nil},
	}
	for _, tc := range cases {
		d, c, err := tc.in.Validate()
		if tc.field != "" {
			requireInvalid(t, err, tc.field, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.interval, d, tc.name)
		require.Equal(t, tc.cron, c, tc.name)
	}
}

func TestNextSyncAt(t *testing.T) {
	at := time.Date(2025, 3, 1, 10, 17, 0, 0, time.UTC)
	d := 90 * time.Minute
	cases := []struct {
		name     string
		interval *time.Duration
		cron     *string
		want     *time.Time
	}{
		{"cron", nil, ptr("*/15 * * * *"), ptr(time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC))},
		{"interval", &d, nil, ptr(at.Add(d))},
		{"manual", nil, nil, nil},
		{"descriptor", nil, ptr("@daily"), ptr(time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC))},
	}
	for _, tc := range cases {
		got, err := connector.NextSyncAt(tc.interval, tc.cron, at)
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}

func kandji() connector.Input {
	return connector.Input{Kind: "KANDJI", Name: "Kandji", BaseURL: ptr("https://acme.api.kandji.io/"),
		Credentials: map[string]string{"apiToken": plainToken}, Schedule: &connector.Schedule{IntervalMinutes: ptr(60)}}
}

// TestInputValidate covers the rules of a new connector: every refusal
// names its field and quotes no credential.
func TestInputValidate(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*connector.Input)
		field string
	}{
		{"valid", func(*connector.Input) {}, ""},
		{"unknown kind", func(in *connector.Input) { in.Kind = "MOBILEIRON" }, "kind"},
		{"blank name", func(in *connector.Input) { in.Name = "  " }, "name"},
		{"long name", func(in *connector.Input) { in.Name = string(make([]byte, 201)) }, "name"},
		{"no base url", func(in *connector.Input) { in.BaseURL = nil }, "baseUrl"},
		{"intune needs no base url", func(in *connector.Input) {
			in.Kind, in.BaseURL, in.Credentials = "INTUNE", nil, map[string]string{"tenantId": "t", "clientId": "i", "clientSecret": "s"}
		}, ""},
		{"bad base url", func(in *connector.Input) { in.BaseURL = ptr("ftp://x") }, "baseUrl"},
		{"credentials in url", func(in *connector.Input) { in.BaseURL = ptr("https://u:p@x.example.com") }, "baseUrl"},
		{"bad auth url", func(in *connector.Input) { in.AuthURL = ptr("not a url") }, "authUrl"},
		{"missing token", func(in *connector.Input) { in.Credentials = map[string]string{} }, "credentials.apiToken"},
		{"both schedules", func(in *connector.Input) { in.Schedule.Cron = ptr("* * * * *") }, "schedule"},
		{"options too large", func(in *connector.Input) { in.Options = map[string]any{"x": string(make([]byte, 65<<10))} }, "options"},
		{"options not JSON", func(in *connector.Input) { in.Options = map[string]any{"x": func() {}} }, "options"},
		{"stale days zero", func(in *connector.Input) { in.StaleAfterDays = ptr(0) }, "staleAfterDays"},
		{"stale days too many", func(in *connector.Input) { in.StaleAfterDays = ptr(3651) }, "staleAfterDays"},
		{"short webhook secret", func(in *connector.Input) { in.WebhookSecret = ptr("short") }, "webhookSecret"},
		{"long webhook secret", func(in *connector.Input) { in.WebhookSecret = ptr(string(make([]byte, 513))) }, "webhookSecret"},
		{"both webhook secrets", func(in *connector.Input) {
			in.WebhookSecret, in.GenerateWebhookSecret = ptr("a-long-enough-webhook-secret"), true
		}, "webhookSecret"},
	}
	for _, tc := range cases {
		in := kandji()
		tc.edit(&in)
		err := in.Validate()
		if tc.field == "" {
			require.NoError(t, err, tc.name)
			continue
		}
		requireInvalid(t, err, tc.field, tc.name)
		require.NotContains(t, err.Error(), plainToken, tc.name)
	}
}

func TestInputDraft(t *testing.T) {
	in := kandji()
	in.Options = map[string]any{"pageSize": 50}
	in.GenerateWebhookSecret = true
	d, err := in.Draft()
	require.NoError(t, err)
	require.Equal(t, "https://acme.api.kandji.io", *d.Connector.BaseURL, "trailing slash trimmed")
	require.True(t, d.Connector.Enabled)
	require.Equal(t, 30, d.Connector.StaleAfterDays)
	require.Equal(t, time.Hour, *d.Connector.ScheduleInterval)
	require.Equal(t, map[string]any{"pageSize": float64(50)}, d.Connector.Options, "numbers as jsonb reads them back")
	require.Len(t, d.Generated, 43)
	require.Equal(t, d.Generated, *d.WebhookSecret)

	in = kandji()
	in.WebhookSecret = ptr("  a-long-enough-webhook-secret ")
	d, err = in.Draft()
	require.NoError(t, err)
	require.Equal(t, "a-long-enough-webhook-secret", *d.WebhookSecret)
	require.Empty(t, d.Generated)
}

func stored() connector.Stored {
	return connector.Stored{
		Connector: &itam.Connector{ID: uuid.New(), Kind: "KANDJI", Name: "Kandji", BaseURL: ptr("https://acme.api.kandji.io"),
			Options: map[string]any{}, Enabled: true, StaleAfterDays: 30, Version: 3, HasWebhookSecret: true},
		Credentials: func() (map[string]string, error) { return map[string]string{"apiToken": plainToken}, nil },
	}
}

// TestPatchApply covers the rules of a change: what it refuses, and that
// nothing to change is nil.
func TestPatchApply(t *testing.T) {
	cases := []struct {
		name    string
		patch   connector.Patch
		field   string // refused on this field
		nothing bool   // nothing to change
	}{
		{"no change", connector.Patch{}, "", true},
		{"same name", connector.Patch{Name: itam.Some("Kandji")}, "", true},
		{"rename", connector.Patch{Name: itam.Some(" Kandji EU ")}, "", false},
		{"null name", connector.Patch{Name: itam.Optional[string]{Set: true}}, "name", false},
		{"base url without credentials", connector.Patch{BaseURL: itam.Some("https://evil.example.com")}, "credentials", false},
		{"base url with credentials", connector.Patch{BaseURL: itam.Some("https://eu.kandji.io"), Credentials: map[string]string{"apiToken": "x"}}, "", false},
		{"base url removed", connector.Patch{BaseURL: itam.Optional[string]{Set: true}, Credentials: map[string]string{"apiToken": "x"}}, "baseUrl", false},
		{"auth url", connector.Patch{AuthURL: itam.Some("mailto:x")}, "authUrl", false},
		{"bad credentials", connector.Patch{Credentials: map[string]string{}}, "credentials.apiToken", false},
		{"schedule", connector.Patch{Schedule: itam.Some(connector.Schedule{Cron: ptr("@hourly")})}, "", false},
		{"bad schedule", connector.Patch{Schedule: itam.Some(connector.Schedule{Cron: ptr("nope")})}, "schedule.cron", false},
		{"null enabled", connector.Patch{Enabled: itam.Optional[bool]{Set: true}}, "enabled", false},
		{"null authoritative", connector.Patch{AuthoritativeForPeople: itam.Optional[bool]{Set: true}}, "authoritativeForPeople", false},
		{"null stale days", connector.Patch{StaleAfterDays: itam.Optional[int]{Set: true}}, "staleAfterDays", false},
		{"stale days", connector.Patch{StaleAfterDays: itam.Some(4000)}, "staleAfterDays", false},
		{"both webhook secrets", connector.Patch{GenerateWebhookSecret: true, WebhookSecret: itam.Some("a-long-enough-webhook-secret")}, "webhookSecret", false},
		{"short webhook secret", connector.Patch{WebhookSecret: itam.Some("short")}, "webhookSecret", false},
		{"remove webhook secret", connector.Patch{WebhookSecret: itam.Optional[string]{Set: true}}, "", false},
		{"generate webhook secret", connector.Patch{GenerateWebhookSecret: true}, "", false},
	}
	for _, tc := range cases {
		ch, err := tc.patch.Apply(stored())
		switch {
		case tc.field != "":
			requireInvalid(t, err, tc.field, tc.name)
			require.NotContains(t, err.Error(), plainToken, tc.name)
		case tc.nothing:
			require.NoError(t, err, tc.name)
			require.Nil(t, ch, tc.name)
		default:
			require.NoError(t, err, tc.name)
			require.NotNil(t, ch, tc.name)
		}
	}

	// Removing a secret the connector does not have changes nothing.
	s := stored()
	s.Connector.HasWebhookSecret = false
	ch, err := connector.Patch{WebhookSecret: itam.Optional[string]{Set: true}}.Apply(s)
	require.NoError(t, err)
	require.Nil(t, ch)

	// New credentials replace stored ones that no longer open.
	s = stored()
	s.Credentials = func() (map[string]string, error) { return nil, errors.New("wrong key") }
	ch, err = connector.Patch{Credentials: map[string]string{"apiToken": "new"}}.Apply(s)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"apiToken": "new"}, ch.Credentials)
	_, err = connector.Patch{Name: itam.Some("x")}.Apply(s)
	require.ErrorContains(t, err, "wrong key")

	ch, err = connector.Patch{GenerateWebhookSecret: true}.Apply(stored())
	require.NoError(t, err)
	require.Len(t, ch.Generated, 43)
	require.Equal(t, ch.Generated, *ch.WebhookSecret.Value)
}

// fakeStore records what the service asks it to save.
type fakeStore struct {
	cur      connector.Stored
	inserted *itam.Connector
	creds    map[string]string
	secret   *string
	change   *itam.ConnectorChange
}

func (f *fakeStore) CanSeal() error { return nil }

func (f *fakeStore) InsertConnector(_ context.Context, c *itam.Connector, creds map[string]string, secret *string) (*itam.Connector, error) {
	f.inserted, f.creds, f.secret = c, creds, secret
	return c, nil
}

func (f *fakeStore) UpdateConnector(_ context.Context, _ uuid.UUID, _ int, change func(itam.StoredConnector) (*itam.ConnectorChange, error)) (*itam.Connector, error) {
	ch, err := change(f.cur)
	if err != nil || ch == nil {
		return f.cur.Connector, err
	}
	f.change = ch
	return ch.Connector, nil
}

func as(role itam.Role) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{OrgID: uuid.New(), Role: role, Subject: "x@test"})
}

// TestServiceRoles: only an ADMIN creates or changes a connector; every
// other role is FORBIDDEN before any input rule or the store is reached.
func TestServiceRoles(t *testing.T) {
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		t.Run(string(role), func(t *testing.T) {
			st := &fakeStore{cur: stored()}
			svc := connector.NewService(st, nil)
			bad := kandji()
			bad.Name = ""
			_, _, errCreate := svc.Create(as(role), bad)
			_, _, errUpdate := svc.Update(as(role), connector.Patch{Name: itam.Some("")})
			if role == itam.RoleAdmin {
				requireInvalid(t, errCreate, "name", "create")
				requireInvalid(t, errUpdate, "name", "update")
				return
			}
			for _, err := range []error{errCreate, errUpdate} {
				var e *itam.Error
				require.True(t, errors.As(err, &e))
				require.Equal(t, itam.CodeForbidden, e.Code)
			}
			require.Nil(t, st.inserted)
			require.Nil(t, st.change)
		})
	}
}

// TestServiceSchedulesAndChecks: the service computes the next sync, asks
// the vendor check with the credentials the connector ends with, and only
// restarts the schedule when it changes or the connector is enabled.
func TestServiceSchedulesAndChecks(t *testing.T) {
	var checked []map[string]string
	check := func(c *itam.Connector, creds map[string]string) error {
		checked = append(checked, creds)
		if v, ok := c.Options["refuse"]; ok {
			return itam.Invalid("options", "%v", v)
		}
		return nil
	}
	st := &fakeStore{cur: stored()}
	svc := connector.NewService(st, check)
	admin := as(itam.RoleAdmin)
	before := time.Now()
	c, secret, err := svc.Create(admin, kandji())
	require.NoError(t, err)
	require.Empty(t, secret)
	require.WithinDuration(t, before.Add(time.Hour), *c.NextSyncAt, time.Minute)
	require.Equal(t, map[string]string{"apiToken": plainToken}, checked[0])

	in := kandji()
	in.Options = map[string]any{"refuse": "no"}
	_, _, err = svc.Create(admin, in)
	requireInvalid(t, err, "options", "vendor check")

	// Renaming keeps the stored next sync; a new schedule restarts it.
	next := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	st.cur.Connector.NextSyncAt = &next
	st.cur.Connector.ScheduleInterval = ptr(time.Hour)
	c, _, err = svc.Update(admin, connector.Patch{Name: itam.Some("Renamed")})
	require.NoError(t, err)
	require.Equal(t, next, *c.NextSyncAt)
	require.Equal(t, map[string]string{"apiToken": plainToken}, checked[len(checked)-1], "the stored credentials are checked")
	c, _, err = svc.Update(admin, connector.Patch{Schedule: itam.Some(connector.Schedule{IntervalMinutes: ptr(5)})})
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(5*time.Minute), *c.NextSyncAt, time.Minute)
	st.cur.Connector.Enabled = false
	c, _, err = svc.Update(admin, connector.Patch{Enabled: itam.Some(true)})
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), *c.NextSyncAt, time.Minute, "enabling restarts the schedule")

	// Nothing to change: no check, no write.
	n := len(checked)
	st.change = nil
	_, _, err = svc.Update(admin, connector.Patch{Name: itam.Some("Kandji")})
	require.NoError(t, err)
	require.Len(t, checked, n)
	require.Nil(t, st.change)
}

// TestSourceHidesCredentials: a connector with opened credentials prints
// and logs without them.
func TestSourceHidesCredentials(t *testing.T) {
	src := &connector.Source{Connector: stored().Connector, Credentials: map[string]string{"apiToken": plainToken}}
	out := fmt.Sprintf("%v %+v %#v %s", src, src, src, *src)
	require.NotContains(t, out, plainToken)
	require.Contains(t, out, "apiToken redacted")
	var logged []byte
	h := slog.NewJSONHandler(writerFunc(func(b []byte) { logged = append(logged, b...) }), nil)
	slog.New(h).Info("x", "src", *src)
	require.NotContains(t, string(logged), plainToken)
	require.True(t, slices.Contains(connector.Kinds, src.Connector.Kind))
}

type writerFunc func([]byte)

func (w writerFunc) Write(b []byte) (int, error) { w(b); return len(b), nil }
