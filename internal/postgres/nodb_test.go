// Tests of the store's pure functions: no database needed.
package postgres

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestKnownSource(t *testing.T) {
	id := uuid.New()
	for s, want := range map[string]bool{
		"manual": true, "procurement": true, "authoritative": true, "import": true,
		"JAMF_PRO": true, "INTUNE": true, "KANDJI": true, "FLEET": true,
		"INTUNE:" + id.String():                  true,
		"INTUNE:" + strings.ToUpper(id.String()): false, // sources are recorded lower-case
		"INTUNE:not-a-uuid":                      false,
		"SCCM":                                   false,
		"SCCM:" + id.String():                    false,
		"":                                       false,
		"Manual":                                 false,
		"IMPORT":                                 false,
	} {
		require.Equal(t, want, knownSource(s), s)
	}
	require.NoError(t, requireSyncedField("name"))
	require.Error(t, requireSyncedField("notes"))
}
