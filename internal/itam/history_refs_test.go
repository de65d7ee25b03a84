package itam

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAuditFilterWindow(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	at := func(days int) *time.Time { d := now.AddDate(0, 0, days); return &d }
	asset, unknown, long := AuditEntityType("ASSET"), AuditEntityType("NOPE"), strings.Repeat("a", 321)
	for _, tc := range []struct {
		name     string
		f        AuditFilter
		from, to time.Time
		field    string // "" = no error
	}{
		{"defaults: the 30 days before now", AuditFilter{}, now.AddDate(0, 0, -DefaultAuditDays), now, ""},
		{"from without to ends now", AuditFilter{From: at(-100)}, *at(-100), now, ""},
		{"to without from starts 30 days before it", AuditFilter{To: at(-10)}, now.AddDate(0, 0, -10-DefaultAuditDays), *at(-10), ""},
		{"a full year", AuditFilter{From: at(-MaxAuditDays), To: &now}, *at(-MaxAuditDays), now, ""},
		{"longer than the bound", AuditFilter{From: at(-MaxAuditDays - 1)}, time.Time{}, time.Time{}, "filter.from"},
		{"to before from", AuditFilter{From: at(-1), To: at(-2)}, time.Time{}, time.Time{}, "filter.to"},
		{"known entity type", AuditFilter{EntityType: &asset}, now.AddDate(0, 0, -DefaultAuditDays), now, ""},
		{"unknown entity type", AuditFilter{EntityType: &unknown}, time.Time{}, time.Time{}, "filter.entityType"},
		{"overlong actor", AuditFilter{ActorSubject: &long}, time.Time{}, time.Time{}, "filter.actorSubject"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := tc.f.Window(now)
			if tc.field != "" {
				requireInvalidField(t, err, tc.field, "")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.from, from)
			require.Equal(t, tc.to, to)
		})
	}
}

func TestAuditEntityTypes(t *testing.T) {
	t.Parallel()
	for k, typ := range auditNodeTypes {
		require.Equal(t, typ, k.NodeType())
		require.Equal(t, k, AuditEntityTypeOf(typ), "NodeType and AuditEntityTypeOf are inverses")
	}
	require.Empty(t, AuditEntityType("NOPE").NodeType())
	require.Empty(t, AuditEntityTypeOf("Person"))
}

func TestFallbackLabel(t *testing.T) {
	t.Parallel()
	raw := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	for _, tc := range []struct {
		name    string
		changes []FieldChange
		want    string // "" = nil
	}{
		{"a deletion records the tag as from", []FieldChange{{Field: "status", From: raw("IN_STOCK")}, {Field: "assetTag", From: raw("LT-1"), To: raw(nil)}}, "LT-1"},
		{"a rename: the new name", []FieldChange{{Field: "name", From: raw("Old"), To: raw("New")}}, "New"},
		{"the tag before the name", []FieldChange{{Field: "name", To: raw("Laptop")}, {Field: "assetTag", To: raw("LT-2")}}, "LT-2"},
		{"nothing that labels", []FieldChange{{Field: "status", From: raw("IN_STOCK"), To: raw("DEPLOYED")}}, ""},
		{"blank values do not label", []FieldChange{{Field: "name", From: raw(""), To: raw("")}}, ""},
	} {
		got := AuditEvent{Changes: tc.changes}.FallbackLabel()
		if tc.want == "" {
			require.Nil(t, got, tc.name)
			continue
		}
		require.NotNil(t, got, tc.name)
		require.Equal(t, tc.want, *got, tc.name)
	}
}

func TestRequireAuditRead(t *testing.T) {
	t.Parallel()
	for role, ok := range map[Role]bool{RoleAdmin: true, RoleAuditor: true, RoleManager: false, RoleEmployee: false} {
		err := RequireAuditRead(Principal{Role: role})
		if ok {
			require.NoError(t, err, role)
			continue
		}
		require.Equal(t, CodeForbidden, ErrorCode(err), role)
	}
}
