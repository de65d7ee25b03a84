package itam

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDiffSnapshots(t *testing.T) {
	raw := func(from, to string) map[string]json.RawMessage {
		return map[string]json.RawMessage{"from": json.RawMessage(from), "to": json.RawMessage(to)}
	}
	for _, tc := range []struct {
		name          string
		before, after map[string]any
		want          map[string]map[string]json.RawMessage
	}{
		{"update records changed fields only", map[string]any{"name": "a", "seats": 1}, map[string]any{"name": "b", "seats": 1},
			map[string]map[string]json.RawMessage{"name": raw(`"a"`, `"b"`)}},
		{"creation records set fields only", nil, map[string]any{"name": "a", "notes": nil, "tags": []string{}, "auto": false, "x": ""},
			map[string]map[string]json.RawMessage{"name": raw(`null`, `"a"`)}},
		{"deletion records what was there", map[string]any{"name": "a", "notes": nil}, nil,
			map[string]map[string]json.RawMessage{"name": raw(`"a"`, `null`)}},
		{"an update to false or empty is recorded", map[string]any{"auto": true, "tags": []string{"x"}}, map[string]any{"auto": false, "tags": []string{}},
			map[string]map[string]json.RawMessage{"auto": raw(`true`, `false`), "tags": raw(`["x"]`, `[]`)}},
		{"nothing changed", map[string]any{"n": 1}, map[string]any{"n": 1}, map[string]map[string]json.RawMessage{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, DiffSnapshots(tc.before, tc.after))
		})
	}
}
