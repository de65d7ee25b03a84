package jamf

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/itam-dev/itam/connectors"
)

func TestParseTime(t *testing.T) {
	t.Parallel()
	want := time.Date(2018, 10, 31, 18, 4, 13, 0, time.UTC)
	cases := []struct {
		in   string
		want *time.Time
	}{
		{"2018-10-31T18:04:13Z", &want},     // the documented shape
		{"2018-10-31T18:04:13.000Z", &want}, // milliseconds
		{"2018-10-31T18:04:13.35Z", ptr(want.Add(350 * time.Millisecond))},
		{"2018-10-31T18:04:13.123456789Z", ptr(want.Add(123456789))},
		{"2018-10-31T18:04:13", &want}, // no zone: UTC
		{"2018-10-31T18:04:13.5", ptr(want.Add(500 * time.Millisecond))},
		{"2018-10-31T18:04:13.000+0000", &want}, // offset without colon
		{"2018-10-31T20:04:13+02:00", &want},    // offset with colon
		{"2018-10-31 18:04:13", &want},
		{"2019-01-01", ptr(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))}, // purchasing dates
		{"  2019-01-01  ", ptr(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC))},
		{"1970-01-01T00:00:00Z", nil}, // "never"
		{"", nil},
		{"null", nil},
		{"yesterday", nil},
	}
	for _, tc := range cases {
		got := parseTime(tc.in)
		if tc.want == nil {
			require.Nil(t, got, tc.in)
			continue
		}
		require.NotNil(t, got, tc.in)
		require.True(t, tc.want.Equal(*got), "%s: got %s", tc.in, got)
		require.Equal(t, time.UTC, got.Location(), tc.in)
	}
}

func TestParsePrice(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, price, currency string }{
		{"$500", "500", ""}, // the documented example: "$" alone is ambiguous
		{"$1,299.00", "1299.00", ""},
		{"1299", "1299", ""},
		{"1299.5", "1299.5", ""},
		{"€1.499,00", "1499.00", "EUR"},
		{"1.499,00 €", "1499.00", "EUR"},
		{"USD 999.99", "999.99", "USD"},
		{"999.99 usd", "999.99", "USD"},
		{"US$ 1,049", "1049", "USD"},
		{"£1,049", "1049", "GBP"},
		{"CHF 1'299.90", "1299.90", "CHF"},
		{"THB 35,900", "35900", "THB"}, // any ISO 4217 code, not a short list
		{"abc 100", "100", ""},         // three letters that are no currency
		{"1 299,90 kr", "1299.90", ""},
		{"12,5", "12.5", ""},
		{"1,299", "1299", ""},
		{"1.299", "1299", ""},
		{"1,234,567.89", "1234567.89", ""},
		{"0", "0", ""},
		{".50", "0.50", ""},
		{"", "", ""},
		{"   ", "", ""},
		{"n/a", "", ""},
		{"free", "", ""},
	}
	for _, tc := range cases {
		p, c := parsePrice(tc.in)
		require.Equal(t, tc.price, p, "price of %q", tc.in)
		require.Equal(t, tc.currency, c, "currency of %q", tc.in)
	}
}

func TestToDeviceNullSections(t *testing.T) {
	t.Parallel()
	var c computer
	require.NoError(t, json.Unmarshal([]byte(`{"id":"9","udid":"x","general":null,"hardware":null,
		"operatingSystem":null,"userAndLocation":null,"purchasing":null,"applications":null}`), &c))
	d := toDevice(c, true)
	require.Equal(t, connectors.Device{ExternalID: "9"}, d)

	require.NoError(t, json.Unmarshal([]byte(`{"id":10,"applications":[],"purchasing":{"purchasePrice":1299}}`), &c))
	d = toDevice(c, true)
	require.Equal(t, "10", d.ExternalID, "a numeric id is read as text")
	require.NotNil(t, d.Software, "an empty APPLICATIONS section is no software, not unknown")
	require.Empty(t, d.Software)
	require.Equal(t, "1299", d.PurchasePrice)
}

func TestToSoftwareDeduplicates(t *testing.T) {
	t.Parallel()
	got := toSoftware([]application{
		{Name: "Slack", Version: "4.41", BundleID: "com.tinyspeck.slackmacgap"},
		{Name: " Slack ", Version: "4.41 ", BundleID: "com.tinyspeck.slackmacgap"},
		{Name: "Slack", Version: "4.40", BundleID: "com.tinyspeck.slackmacgap"},
		{Name: "", Version: "1.0"},
	})
	require.Equal(t, []connectors.Software{
		{Title: "Slack", Version: "4.41", Identifier: "com.tinyspeck.slackmacgap"},
		{Title: "Slack", Version: "4.40", Identifier: "com.tinyspeck.slackmacgap"},
	}, got)
	require.Nil(t, toSoftware(nil))
}

func TestLastCheckInIsTheLatestContact(t *testing.T) {
	t.Parallel()
	// /v4 splits the last contact (any channel) from the binary check-in.
	c := computer{ID: "1", General: &general{LastContact: "2026-02-01T10:00:00Z", LastCheckIn: "2026-02-01T09:00:00Z"}}
	require.Equal(t, time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), *toDevice(c, false).LastCheckIn)
	c.General = &general{LastContactTime: "2026-02-01T08:00:00.000Z"}
	require.Equal(t, time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC), *toDevice(c, false).LastCheckIn)
	c.General = &general{}
	require.Nil(t, toDevice(c, false).LastCheckIn)
}

func TestRefreshMargin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		life, margin time.Duration
	}{
		{30 * time.Minute, time.Minute},      // long tokens: the cache's minute
		{60 * time.Second, 15 * time.Second}, // Jamf's documented expires_in example
		{8 * time.Second, 2 * time.Second},
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	for _, tc := range cases {
		real := now.Add(tc.life)
		fetch := withRefreshMargin(func(context.Context) (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: "t", Expiry: real}, nil
		}, clock)
		tok, err := fetch(context.Background())
		require.NoError(t, err)
		// The cache replaces the token when less than cacheEarly is left
		// before tok.Expiry, i.e. when less than margin is left for real.
		refreshAt := tok.Expiry.Add(-cacheEarly)
		require.Equal(t, real.Add(-tc.margin), refreshAt, "life %s", tc.life)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	since := time.Date(2026, 3, 4, 5, 6, 7, 8000000, time.UTC)
	for _, c := range []cursor{
		{Phase: phaseComputers, After: 0, Size: 500},
		{Phase: phaseComputers, After: 1500, Size: 2000, Since: &since},
		{Phase: phaseMobile, After: 42, Size: 100, Since: &since},
	} {
		got, err := parseCursor(c.String())
		require.NoError(t, err)
		require.Equal(t, c.Phase, got.Phase)
		require.Equal(t, c.After, got.After)
		require.Equal(t, c.Size, got.Size)
		if c.Since == nil {
			require.Nil(t, got.Since)
		} else {
			require.True(t, c.Since.Equal(*got.Since))
		}
	}
	// A cursor stored by the offset-paging release restarts the computers.
	old, err := parseCursor("page=3&size=500&eff=500&since=2026-03-04T05%3A06%3A07Z")
	require.NoError(t, err)
	require.Equal(t, cursor{Phase: phaseComputers, After: 0, Size: 500, Since: old.Since}, old)
	require.NotNil(t, old.Since)
	for _, bad := range []string{"phase=computers&after=x&size=1", "phase=computers&after=1&size=0", "phase=mobile&after=-1&size=5",
		"phase=printers&after=1&size=5", "phase=computers&after=1&size=5&since=yesterday", "page=x&size=1&eff=0", "size=5", "%zz"} {
		_, err := parseCursor(bad)
		require.Error(t, err, bad)
	}
}

func TestInstanceURL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"https://acme.jamfcloud.com":          "https://acme.jamfcloud.com",
		"https://acme.jamfcloud.com/":         "https://acme.jamfcloud.com",
		" https://acme.jamfcloud.com/api/ ":   "https://acme.jamfcloud.com",
		"https://jss.acme.example:8443/":      "https://jss.acme.example:8443",
		"https://acme.example/jamf/api?x=1#y": "https://acme.example/jamf",
	} {
		got, err := instanceURL(in, "baseUrl", true)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "acme.jamfcloud.com", "ftp://acme", "https://"} {
		_, err := instanceURL(bad, "baseUrl", true)
		var ce *connectors.ConfigError
		require.ErrorAs(t, err, &ce, bad)
		require.Equal(t, "baseUrl", ce.Field)
	}
}

func ptr[T any](v T) *T { return &v }
