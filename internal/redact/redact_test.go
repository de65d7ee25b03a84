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
