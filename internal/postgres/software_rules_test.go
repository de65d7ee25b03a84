package postgres

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/software"
)

// fakeNormalizeQueue records the jobs a rule change queues; fail makes the
// enqueue fail, to prove the run and the rule roll back with it.
type fakeNormalizeQueue struct {
	jobs []jobs.NormalizeArgs
	fail bool
}

func (q *fakeNormalizeQueue) EnqueueNormalizeTx(_ context.Context, _ pgx.Tx, args jobs.NormalizeArgs) error {
	if q.fail {
		return errors.New("queue down")
	}
	q.jobs = append(q.jobs, args)
	return nil
}

type ruleFixture struct {
	*fixture
	queue    *fakeNormalizeQueue
	rules    *SoftwareRuleStore
	slack    uuid.UUID // products of org a
	office   uuid.UUID
	bProduct uuid.UUID // a product of org b
}

func newRuleFixture(t *testing.T) *ruleFixture {
	t.Helper()
	f := &ruleFixture{fixture: newFixture(t), queue: &fakeNormalizeQueue{}}
	f.rules = NewSoftwareRuleStore(f.db, f.queue)
	pub := f.id(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Acme Soft') RETURNING id`, f.a.id)
	f.slack = f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Slack') RETURNING id`, f.a.id, pub)
	f.office = f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Office') RETURNING id`, f.a.id, pub)
	bPub := f.id(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'Other') RETURNING id`, f.b.id)
	f.bProduct = f.id(`INSERT INTO software_products (org_id, publisher_id, name) VALUES ($1, $2, 'Other') RETURNING id`, f.b.id, bPub)
	return f
}

func (f *ruleFixture) create(ctx context.Context, kind software.MatchKind, pattern string, product uuid.UUID, position *int) *software.Rule {
	f.t.Helper()
	r, run, err := f.rules.CreateRule(ctx, software.RuleInput{Kind: kind, Pattern: pattern, ProductID: product, Position: position})
	require.NoError(f.t, err)
	require.NotNil(f.t, run)
	return r
}

// patterns lists the organization's rule patterns in position order,
// checking positions are 1 … n without gaps.
func (f *ruleFixture) patterns(ctx context.Context) []string {
	f.t.Helper()
	page, err := f.rules.ListRules(ctx, itam.PageArgs{})
	require.NoError(f.t, err)
	var out []string
	for i, r := range page.Items {
		require.Equal(f.t, i+1, r.Position, "positions are 1 … n")
		out = append(out, r.Pattern)
	}
	return out
}

func TestSoftwareRulesOrderAndEdits(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := f.admin(f.a)

	f.create(ctx, software.MatchExact, "Slack", f.slack, nil)
	f.create(ctx, software.MatchPrefix, "Microsoft Office", f.office, nil)
	c := f.create(ctx, software.MatchIdentifier, "com.tinyspeck.slackmacgap", f.slack, nil)
	require.Equal(t, []string{"Slack", "Microsoft Office", "com.tinyspeck.slackmacgap"}, f.patterns(ctx))

	first := f.create(ctx, software.MatchRegex, `^Slack Beta$`, f.slack, ptr(1))
	require.Equal(t, 1, first.Position)
	require.Equal(t, []string{`^Slack Beta$`, "Slack", "Microsoft Office", "com.tinyspeck.slackmacgap"}, f.patterns(ctx))

	moved, _, err := f.rules.MoveRule(ctx, c.ID, 2)
	require.NoError(t, err)
	require.Equal(t, 2, moved.Position)
	require.Equal(t, c.Version+1, moved.Version)
	require.Equal(t, []string{`^Slack Beta$`, "com.tinyspeck.slackmacgap", "Slack", "Microsoft Office"}, f.patterns(ctx))
	_, _, err = f.rules.MoveRule(ctx, first.ID, 4)
	require.NoError(t, err)
	require.Equal(t, []string{"com.tinyspeck.slackmacgap", "Slack", "Microsoft Office", `^Slack Beta$`}, f.patterns(ctx))

	updated, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: first.ID, Version: first.Version + 1,
		Pattern: itam.Some(`^Slack (Beta|Nightly)$`), Edition: itam.Some(" Beta "), VersionPattern: itam.Some(`(\d+)`)})
	require.NoError(t, err)
	require.Equal(t, `^Slack (Beta|Nightly)$`, updated.Pattern)
	require.Equal(t, "Beta", *updated.Edition)
	require.Equal(t, first.Version+2, updated.Version)

	deleted, _, err := f.rules.DeleteRule(ctx, moved.ID, nil)
	require.NoError(t, err)
	require.Equal(t, moved.ID, deleted.ID)
	require.Equal(t, []string{"Slack", "Microsoft Office", `^Slack (Beta|Nightly)$`}, f.patterns(ctx))
	n, err := f.rules.CountRules(ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
}

func TestSoftwareRulesRefuseBadInputWithoutWriting(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := f.admin(f.a)
	r := f.create(ctx, software.MatchExact, "Slack", f.slack, nil)
	rulesBefore, runsBefore := f.count("software_title_rules", f.a.id), f.count("software_normalization_runs", f.a.id)

	create := func(in software.RuleInput) error { _, _, err := f.rules.CreateRule(ctx, in); return err }
	for _, tc := range []struct {
		name  string
		do    func() error
		code  itam.Code
		field string
	}{
		{"invalid regex", func() error {
			return create(software.RuleInput{Kind: software.MatchRegex, Pattern: "^Slack (", ProductID: f.slack})
		}, itam.CodeInvalid, "pattern"},
		{"version pattern without a group", func() error {
			return create(software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.slack, VersionPattern: ptr(`\d+`)})
		}, itam.CodeInvalid, "versionPattern"},
		{"unknown kind", func() error {
			return create(software.RuleInput{Kind: "SUFFIX", Pattern: "Zoom", ProductID: f.slack})
		}, itam.CodeInvalid, "kind"},
		{"position past the end", func() error {
			return create(software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.slack, Position: ptr(3)})
		}, itam.CodeInvalid, "position"},
		{"position zero", func() error {
			return create(software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.slack, Position: ptr(0)})
		}, itam.CodeInvalid, "position"},
		{"unknown product", func() error {
			return create(software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: uuid.New()})
		}, itam.CodeInvalid, "productId"},
		{"another organization's product", func() error {
			return create(software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.bProduct})
		}, itam.CodeInvalid, "productId"},
		{"move out of range", func() error { _, _, err := f.rules.MoveRule(ctx, r.ID, 2); return err }, itam.CodeInvalid, "position"},
		{"stale version", func() error {
			_, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: r.ID, Version: r.Version + 5, Pattern: itam.Some("Zoom")})
			return err
		}, itam.CodeConflict, "version"},
		{"kind cleared", func() error {
			_, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: r.ID, Version: r.Version, Kind: itam.Optional[software.MatchKind]{Set: true}})
			return err
		}, itam.CodeInvalid, "kind"},
		{"update to an invalid regex", func() error {
			_, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: r.ID, Version: r.Version,
				Kind: itam.Some(software.MatchRegex), Pattern: itam.Some("a)(b")})
			return err
		}, itam.CodeInvalid, "pattern"},
		{"manager", func() error {
			_, _, err := f.rules.CreateRule(as(f.a.id, itam.RoleManager, "m@test"), software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.slack})
			return err
		}, itam.CodeForbidden, ""},
		{"auditor renormalizes", func() error {
			_, err := f.rules.Renormalize(as(f.a.id, itam.RoleAuditor, "a@test"))
			return err
		}, itam.CodeForbidden, ""},
		{"employee moves", func() error {
			_, _, err := f.rules.MoveRule(as(f.a.id, itam.RoleEmployee, "alice@alpha.test"), r.ID, 1)
			return err
		}, itam.CodeForbidden, ""},
		{"another organization's rule", func() error {
			_, _, err := f.rules.DeleteRule(f.admin(f.b), r.ID, nil)
			return err
		}, itam.CodeNotFound, ""},
	} {
		requireCode(t, tc.do(), tc.code, tc.field)
		require.Equal(t, rulesBefore, f.count("software_title_rules", f.a.id), tc.name)
		require.Equal(t, runsBefore, f.count("software_normalization_runs", f.a.id), tc.name)
	}
	require.Equal(t, []string{"Slack"}, f.patterns(ctx))

	// The job is queued in the mutation's transaction: when it cannot be,
	// neither the rule nor the run is written. (With a run still QUEUED the
	// change would join it and queue nothing.)
	f.exec(`UPDATE software_normalization_runs SET state = 'COMPLETED'`)
	f.queue.fail = true
	require.Error(t, create(software.RuleInput{Kind: software.MatchExact, Pattern: "Zoom", ProductID: f.slack}))
	require.Equal(t, rulesBefore, f.count("software_title_rules", f.a.id))
	require.Equal(t, runsBefore, f.count("software_normalization_runs", f.a.id))
}

func TestSoftwareRulesReadRoles(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	a := f.create(f.admin(f.a), software.MatchExact, "Slack", f.slack, nil)
	b := f.create(f.admin(f.b), software.MatchExact, "Other", f.bProduct, nil)
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		ctx := as(f.a.id, role, "x@test")
		require.Equal(t, []string{"Slack"}, f.patterns(ctx), role)
		byID, err := f.rules.RulesByIDs(ctx, []uuid.UUID{a.ID, b.ID})
		require.NoError(t, err)
		require.Len(t, byID, 1, "only the caller's organization's rule")
		runs, err := f.rules.ListRuns(ctx, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, runs.Items, 1, role)
		_, err = f.rules.TestRules(ctx, []software.Title{{Title: "Slack"}})
		require.NoError(t, err, role)
	}
	employee := as(f.a.id, itam.RoleEmployee, "alice@alpha.test")
	_, err := f.rules.ListRules(employee, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.rules.ListRuns(employee, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.rules.ListUnmatched(employee, software.UnmatchedFilter{}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.rules.TestRules(employee, nil)
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.rules.RulesByIDs(employee, []uuid.UUID{a.ID})
	requireCode(t, err, itam.CodeForbidden, "")
}

func TestSoftwareTestRulesWritesNothing(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := f.admin(f.a)
	f.create(ctx, software.MatchIdentifier, "com.tinyspeck.slackmacgap", f.slack, nil)
	office := f.create(ctx, software.MatchPrefix, "Microsoft Office Professional Plus", f.office, nil)
	_, _, err := f.rules.UpdateRule(ctx, software.RulePatch{ID: office.ID, Version: office.Version,
		Edition: itam.Some("Professional Plus"), VersionPattern: itam.Some(`(20\d\d)`)})
	require.NoError(t, err)
	runs := f.count("software_normalization_runs", f.a.id)

	got, err := f.rules.TestRules(as(f.a.id, itam.RoleAuditor, "a@test"), []software.Title{
		{Title: "Slack.app", Identifier: "com.tinyspeck.slackmacgap"},
		{Title: "Microsoft Office Professional Plus 2019", Version: "16.0.10827.20181"},
		{Title: "Notepad++"},
	})
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, f.slack, got[0].Match.ProductID)
	require.Equal(t, f.office, got[1].Match.ProductID)
	require.Equal(t, "Professional Plus", *got[1].Match.Edition)
	require.Equal(t, "2019", got[1].Match.Version)
	require.Nil(t, got[2].Match)
	require.Equal(t, runs, f.count("software_normalization_runs", f.a.id))

	_, err = f.rules.TestRules(ctx, make([]software.Title, software.MaxTestSamples+1))
	requireCode(t, err, itam.CodeInvalid, "titles")
}
