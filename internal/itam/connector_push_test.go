package itam

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCanReadPushErrors: refused write-backs are for the roles that read
// and act on the whole inventory, not for an EMPLOYEE.
func TestCanReadPushErrors(t *testing.T) {
	for role, want := range map[Role]bool{RoleAdmin: true, RoleManager: true, RoleAuditor: true, RoleEmployee: false} {
		require.Equal(t, want, Principal{Role: role}.CanReadPushErrors(), role)
	}
}
