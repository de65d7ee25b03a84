package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestAuditEventsKeysetAcrossTables: events of every history table at the
// very same instant page in a stable order (at, table rank, id) with no
// gaps or repeats, whatever the page size; filters and roles apply.
func TestAuditEventsKeysetAcrossTables(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	at := time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC)
	for _, o := range []orgFixture{f.a, f.b} {
		for i := range 3 {
			actor := "a@test"
			if i == 2 {
				actor = "b@test"
			}
			f.exec(`INSERT INTO asset_history (org_id, asset_id, action, actor_kind, actor, source, at) VALUES ($1, gen_random_uuid(), 'CREATE', 'USER', $2, 'api', $3)`, o.id, actor, at)
			f.exec(`INSERT INTO license_history (org_id, license_id, action, actor_kind, actor, at) VALUES ($1, gen_random_uuid(), 'CREATE', 'USER', $2, $3)`, o.id, actor, at)
			f.exec(`INSERT INTO software_history (org_id, entity_type, entity_id, action, actor_kind, actor, at) VALUES ($1, 'SoftwareProduct', gen_random_uuid(), 'CREATE', 'USER', $2, $3)`, o.id, actor, at)
			f.exec(`INSERT INTO cost_history (org_id, entity_type, entity_id, action, actor_kind, actor, at) VALUES ($1, 'Contract', gen_random_uuid(), 'UPDATE', 'USER', $2, $3)`, o.id, actor, at)
		}
		f.exec(`INSERT INTO asset_history (org_id, asset_id, action, actor_kind, actor, source, at) VALUES ($1, gen_random_uuid(), 'UPDATE', 'USER', 'a@test', 'api', $2)`, o.id, at.Add(time.Microsecond))
	}
	s := NewHistoryStore(f.db)
	ctx := as(f.a.id, itam.RoleAuditor, "auditor@test")
	window := itam.AuditFilter{From: ptr(at.Add(-time.Hour)), To: ptr(at.Add(time.Hour))}
	all := func(filter itam.AuditFilter, size int) []itam.AuditEvent {
		var out []itam.AuditEvent
		var after *string
		for {
			p, err := s.AuditEvents(ctx, filter, itam.PageArgs{First: &size, After: after})
			require.NoError(t, err)
			out = append(out, p.Items...)
			if !p.HasNextPage {
				return out
			}
			after = &p.Cursors[len(p.Cursors)-1]
		}
	}
	whole := all(window, 100)
	require.Len(t, whole, 13, "org a's events only")
	require.Equal(t, itam.AuditEntityType("ASSET"), whole[0].EntityType)
	require.Equal(t, "UPDATE", whole[0].Action, "newest first")
	for i := 1; i < len(whole); i++ {
		p, c := whole[i-1], whole[i]
		require.True(t, p.At.After(c.At) || (p.At.Equal(c.At) && (p.Rank > c.Rank || (p.Rank == c.Rank && p.ID > c.ID))), "ordered by (at, rank, id) descending")
	}
	for _, size := range []int{1, 2, 5} {
		require.Equal(t, whole, all(window, size), "page size %d", size)
	}

	lic := itam.AuditEntityType("LICENSE")
	byType := window
	byType.EntityType = &lic
	require.Len(t, all(byType, 2), 3)
	contract := itam.AuditEntityType("CONTRACT")
	byType.EntityType = &contract
	got := all(byType, 2)
	require.Len(t, got, 3)
	require.Equal(t, contract, got[0].EntityType)
	byActor := window
	byActor.ActorSubject = ptr("b@test")
	require.Len(t, all(byActor, 3), 4)

	_, err := s.AuditEvents(ctx, itam.AuditFilter{From: ptr(at.AddDate(-2, 0, 0)), To: &at}, itam.PageArgs{})
	requireCode(t, err, itam.CodeInvalid, "filter.from")
	_, err = s.AuditEvents(ctx, window, itam.PageArgs{Last: ptr(2)})
	requireCode(t, err, itam.CodeInvalid, "last")
	for _, role := range []itam.Role{itam.RoleManager, itam.RoleEmployee} {
		_, err = s.AuditEvents(as(f.a.id, role, "x@test"), window, itam.PageArgs{})
		requireCode(t, err, itam.CodeForbidden, "")
	}
	_, err = s.AuditEvents(as(f.a.id, itam.RoleAdmin, "x@test"), window, itam.PageArgs{})
	require.NoError(t, err)
}
