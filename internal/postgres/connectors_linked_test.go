package postgres

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestLinkedConnectorsByRole: the connector a run or an external id links
// to is shown to an ADMIN only; every other role gets no connector and no
// error (the link itself stays visible), where ConnectorsByIDs refuses.
func TestLinkedConnectorsByRole(t *testing.T) {
	t.Parallel()
	f := newConnFixture(t)
	c := f.create(f.a, kandjiInput("Kandji"))
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor, itam.RoleEmployee} {
		t.Run(string(role), func(t *testing.T) {
			ctx := as(f.a.id, role, "someone@test")
			got, err := f.store.LinkedConnectors(ctx, []uuid.UUID{c.ID})
			require.NoError(t, err)
			_, direct := f.store.ConnectorsByIDs(ctx, []uuid.UUID{c.ID})
			if role == itam.RoleAdmin {
				require.Equal(t, "Kandji", got[c.ID].Name)
				require.NoError(t, direct)
				return
			}
			require.Empty(t, got)
			requireCode(t, direct, itam.CodeForbidden, "")
		})
	}
}
