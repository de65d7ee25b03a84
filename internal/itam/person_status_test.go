package itam

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckStatusChange(t *testing.T) {
	t.Parallel()
	ada := Person{Name: "Ada", Status: PersonActive}
	gone := Person{Name: "Ada", Status: PersonOffboarded}
	tests := []struct {
		name string
		p    Person
		to   PersonStatus
		held Holdings
		err  string
	}{
		{"offboarding someone holding nothing", ada, PersonOffboarded, Holdings{}, ""},
		{"offboarding someone holding two assets", ada, PersonOffboarded, Holdings{Assets: 2, ExampleAsset: "LT-1"}, "Ada holds 2 assets (e.g. LT-1): use offboardPerson"},
		{"one asset", ada, PersonOffboarded, Holdings{Assets: 1, ExampleAsset: "LT-1"}, "Ada holds 1 asset (e.g. LT-1)"},
		{"already offboarded", gone, PersonOffboarded, Holdings{Assets: 1, ExampleAsset: "LT-1"}, ""},
		{"back to active while holding", gone, PersonActive, Holdings{Assets: 1, ExampleAsset: "LT-1"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := CheckStatusChange(tt.p, tt.to, tt.held)
			if tt.err == "" {
				require.NoError(t, err)
				return
			}
			requireInvalidField(t, err, "status", tt.err)
		})
	}
}
