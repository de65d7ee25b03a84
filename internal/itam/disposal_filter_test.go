package itam

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestDisposalFilterValidate(t *testing.T) {
	t.Parallel()
	jan, feb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		f     DisposalFilter
		field string
	}{
		{"empty", DisposalFilter{}, ""},
		{"a forward period", DisposalFilter{From: &jan, To: &feb}, ""},
		{"one day", DisposalFilter{From: &jan, To: &jan}, ""},
		{"backwards", DisposalFilter{From: &feb, To: &jan}, "filter.to"},
		{"too many methods", DisposalFilter{Methods: make([]DisposalMethod, MaxListItems+1)}, "filter.methods"},
		{"too many sanitization methods", DisposalFilter{SanitizationMethods: make([]SanitizationMethod, MaxListItems+1)}, "filter.sanitizationMethods"},
	}
	for _, tt := range tests {
		err := tt.f.Validate()
		if tt.field == "" {
			require.NoError(t, err, tt.name)
			continue
		}
		var e *Error
		require.ErrorAs(t, err, &e, tt.name)
		require.Equal(t, CodeInvalid, e.Code, tt.name)
		require.Equal(t, tt.field, e.Field, tt.name)
	}
}
