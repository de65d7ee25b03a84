package reconcile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSoftwareList(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		add  [][3]string
		want []Software
	}{
		{"nothing reported: empty, not nil", nil, []Software{}},
		{"trimmed", [][3]string{{" Slack ", " 4.41 ", " com.tinyspeck.slackmacgap "}},
			[]Software{{Title: "Slack", Version: "4.41", Identifier: "com.tinyspeck.slackmacgap"}}},
		{"untitled dropped", [][3]string{{"  ", "1.0", "com.example"}}, []Software{}},
		{"exact repeats once, order kept", [][3]string{{"B", "1", ""}, {"A", "1", ""}, {"B ", "1", ""}},
			[]Software{{Title: "B", Version: "1"}, {Title: "A", Version: "1"}}},
		{"other versions kept", [][3]string{{"A", "1", ""}, {"A", "2", ""}},
			[]Software{{Title: "A", Version: "1"}, {Title: "A", Version: "2"}}},
	}
	for _, tc := range cases {
		l := NewSoftwareList(len(tc.add))
		for _, a := range tc.add {
			l.Add(a[0], a[1], a[2])
		}
		require.Equal(t, tc.want, l.Items(), tc.name)
		var zero SoftwareList
		for _, a := range tc.add {
			zero.Add(a[0], a[1], a[2])
		}
		require.Equal(t, tc.want, zero.Items(), tc.name+" (zero value)")
	}
}
