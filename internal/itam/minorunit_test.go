package itam

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMinorUnits(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]int32{"EUR": 2, "USD": 2, "JPY": 0, "KRW": 0, "BHD": 3, "KWD": 3, "CHF": 2, "XYZ": 2} {
		require.Equal(t, want, MinorUnits(code), code)
	}
}
