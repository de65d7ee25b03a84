package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestRunMessagesHideEndpoints: connector details are ADMIN-only, so
// wherever MANAGER and AUDITOR read a sync run, its message and per-record
// errors show the connector's base and auth URLs (and their hosts) masked;
// ADMIN reads them as recorded.
func TestRunMessagesHideEndpoints(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	store := NewConnectorStore(f.db, nil, nil)
	connector := f.id(`INSERT INTO connectors (org_id, kind, name, base_url, auth_url, credentials)
		VALUES ($1, 'INTUNE', 'Intune', 'https://graph.acme-mdm.example', 'https://login.acme-idp.example/tenant-7', '\x00') RETURNING id`, f.a.id)
	const message = `Get "https://graph.acme-mdm.example/v1.0/deviceManagement/managedDevices": dial tcp: lookup GRAPH.acme-mdm.example: no such host; ` +
		`token from https://login.acme-idp.example/tenant-7/oauth2/v2.0/token`
	run := f.id(`INSERT INTO sync_runs (org_id, connector_id, mode, status, message, errors, error_count)
		VALUES ($1, $2, 'FULL', 'FAILED', $3, jsonb_build_array(jsonb_build_object('externalId', 'd-1', 'message', 'redirected to https://graph.acme-mdm.example/x')), 1)
		RETURNING id`, f.a.id, connector, message)
	const masked = `Get "[redacted]/v1.0/deviceManagement/managedDevices": dial tcp: lookup [redacted]: no such host; ` +
		`token from [redacted]/oauth2/v2.0/token`

	reads := map[string]func(ctx context.Context) (*itam.SyncRun, error){
		"syncRun": func(ctx context.Context) (*itam.SyncRun, error) { return store.SyncRun(ctx, run) },
		"by ids": func(ctx context.Context) (*itam.SyncRun, error) {
			m, err := store.SyncRunsByIDs(ctx, []uuid.UUID{run})
			return m[run], err
		},
		"syncRuns": func(ctx context.Context) (*itam.SyncRun, error) {
			page, err := store.SyncRuns(ctx, connector, itam.PageArgs{})
			if err != nil || len(page.Items) != 1 {
				return nil, err
			}
			return page.Items[0], nil
		},
		"lastSync": func(ctx context.Context) (*itam.SyncRun, error) {
			m, err := store.LastSync(ctx, []uuid.UUID{connector})
			return m[connector], err
		},
	}
	for name, read := range reads {
		r, err := read(f.admin(f.a))
		require.NoError(t, err, name)
		require.NotNil(t, r, name)
		require.Equal(t, message, *r.Message, "%s: ADMIN sees the message as recorded", name)
		require.Equal(t, "redirected to https://graph.acme-mdm.example/x", r.Errors[0].Message, name)
		for _, role := range []itam.Role{itam.RoleManager, itam.RoleAuditor} {
			r, err := read(as(f.a.id, role, "staff@alpha.test"))
			require.NoError(t, err, "%s %s", name, role)
			require.NotNil(t, r, "%s %s", name, role)
			require.Equal(t, masked, *r.Message, "%s %s", name, role)
			require.Equal(t, "redirected to [redacted]/x", r.Errors[0].Message, "%s %s", name, role)
			require.Nil(t, r.Cursor)
		}
	}
}
