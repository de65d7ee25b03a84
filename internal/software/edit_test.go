package software_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

func TestNewRulePosition(t *testing.T) {
	t.Parallel()
	in := software.RuleInput{Kind: software.MatchExact, Pattern: " Slack ", ProductID: uuid.New()}
	r, err := software.NewRule(in, 3)
	require.NoError(t, err)
	require.Equal(t, 4, r.Position, "default last")
	require.Equal(t, "Slack", r.Pattern)
	for _, pos := range []int{1, 2, 4} {
		in.Position = &pos
		r, err := software.NewRule(in, 3)
		require.NoError(t, err)
		require.Equal(t, pos, r.Position)
	}
	for _, pos := range []int{0, -1, 5} {
		in.Position = &pos
		_, err := software.NewRule(in, 3)
		requireInvalid(t, err, "position")
	}
	in.Position = nil
	_, err = software.NewRule(in, software.MaxRulesPerOrganization)
	require.Equal(t, itam.CodeConflict, itam.ErrorCode(err))
	in.Pattern = "("
	in.Kind = software.MatchRegex
	_, err = software.NewRule(in, 0)
	requireInvalid(t, err, "pattern")
}

func TestRulePatchApply(t *testing.T) {
	t.Parallel()
	cur := validRule()
	cur.Edition = ptr("Pro")
	got, err := software.RulePatch{Pattern: itam.Some(" Slack Beta "), Edition: itam.Optional[string]{Set: true}}.Apply(cur)
	require.NoError(t, err)
	require.Equal(t, "Slack Beta", got.Pattern)
	require.Nil(t, got.Edition, "null clears the edition")
	require.Equal(t, cur.Kind, got.Kind, "absent fields stay")

	for field, patch := range map[string]software.RulePatch{
		"kind":           {Kind: itam.Optional[software.MatchKind]{Set: true}},
		"pattern":        {Pattern: itam.Optional[string]{Set: true}},
		"productId":      {ProductID: itam.Optional[uuid.UUID]{Set: true}},
		"versionPattern": {VersionPattern: itam.Some("no group")},
	} {
		_, err := patch.Apply(cur)
		requireInvalid(t, err, field)
	}
	_, err = software.RulePatch{Kind: itam.Some(software.MatchRegex), Pattern: itam.Some("a)(b")}.Apply(cur)
	requireInvalid(t, err, "pattern")
}

func TestCheckMoveAndSamples(t *testing.T) {
	t.Parallel()
	require.NoError(t, software.CheckMove(1, 1))
	require.NoError(t, software.CheckMove(3, 3))
	requireInvalid(t, software.CheckMove(0, 3), "position")
	requireInvalid(t, software.CheckMove(4, 3), "position")

	require.NoError(t, software.CheckSamples(nil))
	require.NoError(t, software.CheckSamples(make([]software.Title, software.MaxTestSamples)))
	requireInvalid(t, software.CheckSamples(make([]software.Title, software.MaxTestSamples+1)), "titles")
	requireInvalid(t, software.CheckSamples([]software.Title{{Title: strings.Repeat("x", 1001)}}), "titles")
	requireInvalid(t, software.CheckSamples([]software.Title{{Title: "a", Identifier: "\x00"}}), "titles")
}

func TestRuleRoles(t *testing.T) {
	t.Parallel()
	org := uuid.New()
	for _, tc := range []struct {
		role        itam.Role
		write, read bool
	}{
		{itam.RoleAdmin, true, true},
		{itam.RoleManager, false, true},
		{itam.RoleAuditor, false, true},
		{itam.RoleEmployee, false, false},
	} {
		ctx := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: tc.role, Subject: "x"})
		_, err := software.RequireRuleAdmin(ctx)
		if tc.write {
			require.NoError(t, err, tc.role)
		} else {
			require.Equal(t, itam.CodeForbidden, itam.ErrorCode(err), tc.role)
		}
		_, err = software.RequireRuleRead(ctx)
		if tc.read {
			require.NoError(t, err, tc.role)
		} else {
			require.Equal(t, itam.CodeForbidden, itam.ErrorCode(err), tc.role)
		}
	}
	_, err := software.RequireRuleRead(context.Background())
	require.Equal(t, itam.CodeUnauthenticated, itam.ErrorCode(err))
}

func TestUnmatchedFilterCheck(t *testing.T) {
	t.Parallel()
	f := software.UnmatchedFilter{Search: ptr("  zip "), Source: ptr(" "), MinDevices: ptr(1)}
	require.NoError(t, f.Check())
	require.Equal(t, "zip", *f.Search)
	require.Nil(t, f.Source)
	requireInvalid(t, (&software.UnmatchedFilter{MinDevices: ptr(0)}).Check(), "filter.minDevices")
	requireInvalid(t, (&software.UnmatchedFilter{Search: ptr(strings.Repeat("é", 257))}).Check(), "filter.search")
	require.NoError(t, (&software.UnmatchedFilter{Search: ptr(strings.Repeat("é", 256))}).Check())
}
