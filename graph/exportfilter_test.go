package graph

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
)

// ExportFilter (itam export --filter) refuses what it cannot read in full
// as BAD_USER_INPUT on filter: a mistyped key, a second JSON value after
// the first (which would otherwise be ignored, exporting more than asked),
// or something that is not JSON.
func TestExportFilterRefusesWhatItCannotRead(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, raw string
		code      itam.Code
	}{
		{"empty", "", ""},
		{"one filter", `{"search":"mac"}`, ""},
		{"one filter and spaces", " {\"search\":\"mac\"}\n ", ""},
		{"unknown key", `{"serach":"mac"}`, itam.CodeInvalid},
		{"second value", `{"search":"mac"} {"search":"pc"}`, itam.CodeInvalid},
		{"trailing garbage", `{"search":"mac"}}`, itam.CodeInvalid},
		{"not JSON", `search=mac`, itam.CodeInvalid},
	} {
		for _, kind := range []exports.Kind{exports.KindAssets, exports.KindPeople, exports.KindLicenses} {
			_, err := ExportFilter(kind, []byte(c.raw))
			if c.code == "" {
				require.NoError(t, err, c.name)
				continue
			}
			require.Equal(t, c.code, itam.ErrorCode(err), "%s %s: %v", c.name, kind, err)
			require.Equal(t, "filter", err.(*itam.Error).Field, c.name)
		}
	}
}
