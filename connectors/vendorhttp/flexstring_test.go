package vendorhttp

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFlexString(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, want, wantErr string
	}{
		{`{"v":"A-12"}`, "A-12", ""},
		{`{"v":12.50}`, "12.50", ""},
		{`{"v":-3}`, "-3", ""},
		{`{"v":null}`, "", ""},
		{`{}`, "", ""},
		{`{"v":true}`, "", "expected a string or a number"},
		{`{"v":{"a":1}}`, "", "expected a string or a number"},
	}
	for _, tc := range cases {
		var out struct {
			V FlexString `json:"v"`
		}
		err := json.Unmarshal([]byte(tc.in), &out)
		if tc.wantErr != "" {
			require.ErrorContains(t, err, tc.wantErr, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		require.Equal(t, tc.want, string(out.V), tc.in)
	}
}
