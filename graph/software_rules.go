package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/software"
)

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// testResults adapts TestRules' results, loading the products they name in
// one query.
func (r *Resolver) testResults(ctx context.Context, results []postgres.RuleTestResult) ([]*model.SoftwareTitleTestResult, error) {
	var ids []uuid.UUID
	for _, res := range results {
		if res.Match != nil {
			ids = append(ids, res.Match.ProductID)
		}
	}
	found, err := r.catalog(ctx).Product.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	products := make(map[uuid.UUID]*software.Product, len(found))
	for _, x := range found {
		if x != nil {
			products[x.ID] = x
		}
	}
	out := make([]*model.SoftwareTitleTestResult, len(results))
	for i, res := range results {
		t := &model.SoftwareTitleTestResult{Title: res.Sample.Title}
		if res.Sample.Identifier != "" {
			t.Identifier = &res.Sample.Identifier
		}
		if m := res.Match; m != nil {
			rule := *m.Rule
			v := m.Version
			t.Rule, t.Product, t.Edition = &rule, products[m.ProductID], m.Edition
			if v != "" {
				t.NormalizedVersion = &v
			}
		}
		out[i] = t
	}
	return out, nil
}

// matchedBy is SoftwareInstallation.matchedBy: the rule, batched per
// request; null when unmatched or for callers who may not read rules.
func (r *Resolver) matchedBy(ctx context.Context, obj *software.Installation) (*software.Rule, error) {
	if obj.RuleID == nil {
		return nil, nil
	}
	if _, err := software.RequireRuleRead(ctx); err != nil {
		return nil, nil // an EMPLOYEE sees their software, not the rules behind it
	}
	return loaders.For(ctx).SoftwareRules(r.SoftwareRules).Rule.Load(ctx, *obj.RuleID)
}

// unmatchedTitles is unmatchedSoftwareTitles (see SoftwareRuleStore.Unmatched).
func (r *Resolver) unmatchedTitles(ctx context.Context, first *int, after *string, filter *model.UnmatchedSoftwareTitleFilter) (*model.Connection[*software.UnmatchedTitle], error) {
	var f software.UnmatchedFilter
	if filter != nil {
		if err := checkInput("filter", filter); err != nil {
			return nil, err
		}
		f = software.UnmatchedFilter{Search: val(filter.Search), Source: val(filter.Source), MinDevices: val(filter.MinDevices)}
	}
	return listPage(ctx, f, pageArgs(first, after, nil, nil), r.SoftwareRules.ListUnmatched, r.SoftwareRules.CountUnmatched)
}
