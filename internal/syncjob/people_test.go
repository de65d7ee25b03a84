package syncjob

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRunCursor: a source with a directory resumes in the phase its stored
// cursor names; one without keeps its bare vendor cursor.
func TestRunCursor(t *testing.T) {
	cases := []struct {
		stored    string
		hasPeople bool
		want      runCursor
	}{
		{"", false, runCursor{}},
		{"42", false, runCursor{cursor: "42"}},
		{"people:3", false, runCursor{cursor: "people:3"}}, // a vendor's cursor, whatever it looks like
		{"", true, runCursor{people: true}},
		{"people:", true, runCursor{people: true}},
		{"people:page=3", true, runCursor{people: true, cursor: "page=3"}},
		{"devices:", true, runCursor{}},
		{"devices:https://x.test/next?p=2", true, runCursor{cursor: "https://x.test/next?p=2"}},
		{"17", true, runCursor{cursor: "17"}}, // stored before the source had a directory
	}
	for _, c := range cases {
		require.Equal(t, c.want, parseCursor(c.stored, c.hasPeople), "%q people=%v", c.stored, c.hasPeople)
	}
	require.Equal(t, "devices:5", deviceCursor("5", true))
	require.Equal(t, "5", deviceCursor("5", false))
	require.Equal(t, runCursor{cursor: "5"}, parseCursor(deviceCursor("5", true), true))
}
