package keyfile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		want     []byte
		wantErr  string
	}{
		{"hex", " 00ff10 ", []byte{0x00, 0xff, 0x10}, ""},
		{"hex wins over base64", "abcd", []byte{0xab, 0xcd}, ""},
		{"standard base64", "AP8Q+/8=", []byte{0x00, 0xff, 0x10, 0xfb, 0xff}, ""},
		{"raw url base64", "AP8Q-_8", []byte{0x00, 0xff, 0x10, 0xfb, 0xff}, ""},
		{"empty", "  ", nil, "key is empty"},
		{"passphrase", "correct horse battery staple", nil, "key is neither hex nor base64"},
	}
	for _, tc := range cases {
		got, err := Decode(tc.in, "key")
		if tc.wantErr != "" {
			require.EqualError(t, err, tc.wantErr, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, got, tc.name)
	}
}
