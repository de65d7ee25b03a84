package redact

import "testing"

func TestSecrets(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		secrets  map[string]string
		want     string
	}{
		{"none", "nothing secret", nil, "nothing secret"},
		{"every occurrence", "tok s3cret and s3cret again", map[string]string{"k": "s3cret"}, "tok [redacted] and [redacted] again"},
		{"short values are left", "id abc", map[string]string{"id": "abc"}, "id abc"},
		{"longest first", "secret-part-two", map[string]string{"a": "part", "b": "secret-part-two"}, "[redacted]"},
	} {
		if got := Secrets(tc.in, tc.secrets); got != tc.want {
			t.Errorf("%s: Secrets(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func TestEndpoints(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		urls     []string
		want     string
	}{
		{"none", "sync failed", nil, "sync failed"},
		{"url with a path", `Get "https://acme.jamfcloud.com/api/v1/computers": EOF`, []string{"https://acme.jamfcloud.com"},
			`Get "[redacted]/api/v1/computers": EOF`},
		{"trailing slash", `Post "https://fleet.example.com/fleet/api": 502`, []string{"https://fleet.example.com/fleet/"},
			`Post "[redacted]/api": 502`},
		{"host alone, any case", "dial tcp: lookup ACME.jamfcloud.com: no such host", []string{"https://acme.jamfcloud.com"},
			"dial tcp: lookup [redacted]: no such host"},
		{"host and port", "dial tcp mdm.corp:8443: connection refused; tried mdm.corp", []string{"https://mdm.corp:8443"},
			"dial tcp [redacted]: connection refused; tried [redacted]"},
		{"auth url too", `Post "https://login.example.net/tenant/oauth2/token": 401; base https://graph.example.net`,
			[]string{"https://graph.example.net", "https://login.example.net/tenant"}, `Post "[redacted]/oauth2/token": 401; base [redacted]`},
		{"regexp metacharacters are literal", "host a.b.c.d and axbxcxd", []string{"http://a.b.c.d"}, "host [redacted] and axbxcxd"},
		{"empty and short values are left", "ab failed", []string{"", "ab"}, "ab failed"},
	} {
		if got := Endpoints(tc.in, tc.urls...); got != tc.want {
			t.Errorf("%s: Endpoints(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}
