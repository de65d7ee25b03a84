package fleet

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestSplitOS(t *testing.T) {
	t.Parallel()
	cases := []struct {
		osVersion, platform, name, version string
	}{
		{"macOS 14.4.1", "darwin", "macOS", "14.4.1"},
		{"Ubuntu 22.04.4 LTS", "ubuntu", "Ubuntu", "22.04.4 LTS"},
		{"CentOS Linux 8.3.2011", "rhel", "CentOS Linux", "8.3.2011"},
		{"Windows 11 Enterprise 23H2 10.0.22631.3447", "windows", "Windows", "11 Enterprise 23H2 10.0.22631.3447"},
		{"iPadOS 17.4", "ipados", "iPadOS", "17.4"},
		{"  Arch   Linux  ", "arch", "Arch Linux", ""},
		{"", "darwin", "macOS", ""},
		{"", "chrome", "ChromeOS", ""},
		{"", "gentoo", "", ""},
	}
	for _, tc := range cases {
		name, version := splitOS(tc.osVersion, tc.platform)
		require.Equal(t, tc.name, name, tc.osVersion)
		require.Equal(t, tc.version, version, tc.osVersion)
	}
}

func TestUserEmail(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		mapping  []deviceMapping
		endUsers []endUser
		want     string
	}{
		{"none", nil, nil, ""},
		{"IdP over Chrome", []deviceMapping{{"chrome@example.com", "google_chrome_profiles"}, {"idp@example.com", "mdm_idp_accounts"}}, nil, "idp@example.com"},
		{"documented IdP name", []deviceMapping{{"chrome@example.com", "google_chrome_profiles"}, {"idp@example.com", "identity_provider"}}, nil, "idp@example.com"},
		{"custom over Chrome", []deviceMapping{{"chrome@example.com", "google_chrome_profiles"}, {"admin-set@example.com", "custom"}}, nil, "admin-set@example.com"},
		{"raw custom source", []deviceMapping{{"x@example.com", "unknown_source"}, {"set@example.com", "custom_override"}}, nil, "set@example.com"},
		{"unknown source as a last resort", []deviceMapping{{"x@example.com", "something_new"}}, nil, "x@example.com"},
		{"IdP spelling kept over Chrome's", []deviceMapping{{"ada.lovelace@example.com", "google_chrome_profiles"}, {"  Ada.Lovelace@Example.COM ", "mdm_idp_accounts"}}, nil, "Ada.Lovelace@Example.COM"},
		{"not an email skipped", []deviceMapping{{"ada", "mdm_idp_accounts"}, {"ada@example.com", "google_chrome_profiles"}}, nil, "ada@example.com"},
		{"end user over custom", []deviceMapping{{"set@example.com", "custom"}}, []endUser{{IdpUsername: "Idp@Example.com"}}, "Idp@Example.com"},
		{"end user without an email", []deviceMapping{{"set@example.com", "custom"}}, []endUser{{IdpUsername: "ada"}}, "set@example.com"},
		{"first of equal rank", []deviceMapping{{"a@example.com", "google_chrome_profiles"}, {"b@example.com", "google_chrome_profiles"}}, nil, "a@example.com"},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, userEmail(tc.mapping, tc.endUsers), tc.name)
	}
}

func TestTimestamp(t *testing.T) {
	t.Parallel()
	at := time.Date(2025, 1, 5, 6, 3, 39, 0, time.UTC)
	cases := []struct {
		json string
		want *time.Time
	}{
		{`"2025-01-05T06:03:39Z"`, &at},
		{`"2025-01-05T07:03:39+01:00"`, &at},
		{`"2025-01-05 06:03:39"`, &at},
		{`"0001-01-01T00:00:00Z"`, nil},
		{`"1970-01-01T00:00:00Z"`, nil},
		{`"2000-01-01T00:00:00Z"`, nil},
		{`""`, nil},
		{`null`, nil},
		{`"yesterday"`, nil},
		{`12345`, nil},
	}
	for _, tc := range cases {
		var v struct {
			T timestamp `json:"t"`
		}
		require.NoError(t, json.Unmarshal([]byte(`{"t":`+tc.json+`}`), &v), tc.json)
		require.Equal(t, tc.want, v.T.t, tc.json)
	}
}

func TestToSoftware(t *testing.T) {
	t.Parallel()
	require.Nil(t, toSoftware(nil))
	got := toSoftware([]software{
		{Name: "Slack.app", Version: "4.38.121", Source: "apps", BundleIdentifier: "com.tinyspeck.slackmacgap"},
		{Name: "Slack.app", Version: "4.38.121", Source: "apps", BundleIdentifier: "com.tinyspeck.slackmacgap"},
		{Name: "curl", Version: "8.5.0", Source: "deb_packages"},
		{Name: "Zoom", Version: "5.17", Source: "programs"},
		{Name: " ", Version: "1"},
	})
	require.Len(t, got, 3)
	require.Equal(t, "com.tinyspeck.slackmacgap", got[0].Identifier)
	require.Equal(t, "curl", got[1].Identifier)
	require.Empty(t, got[2].Identifier)
}
