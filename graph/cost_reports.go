package graph

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// reportSpec adapts a report's arguments (the store validates them).
func reportSpec(groupBy []costs.GroupBy, from, to time.Time, every costs.Interval, currency *string) (costs.ReportSpec, error) {
	if err := itam.CheckList("groupBy", len(groupBy)); err != nil {
		return costs.ReportSpec{}, err
	}
	return costs.ReportSpec{GroupBy: groupBy, From: from, To: to, Every: every, Currency: deref(currency)}, nil
}

// reportCurrency is the report's reporting currency as the API shows it.
func reportCurrency(r costs.Report) *string {
	if r.Spec.Currency == "" {
		return nil
	}
	c := r.Spec.Currency
	return &c
}

func costRollupOf(r costs.Report) *model.CostRollup {
	return &model.CostRollup{From: r.Spec.From, To: r.Spec.To, Groups: ptrs(r.Groups), Total: ptrs(r.Total),
		ReportingCurrency: reportCurrency(r), RatesUsed: ptrs(r.Rates)}
}

func spendReportOf(r costs.Report) *model.SpendReport {
	return &model.SpendReport{Period: r.Spec.Every, Buckets: ptrs(r.Groups), ReportingCurrency: reportCurrency(r), RatesUsed: ptrs(r.Rates)}
}

// A report group's dimension objects resolve through the request's
// loaders, so every group of a report shares one query per dimension.

func idOrNil(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}

func (r *Resolver) reportModel(ctx context.Context, g *costs.ReportGroup) (*model.Model, error) {
	return r.modelNode(ctx)(loadOptional(ctx, loaders.For(ctx).Model, idOrNil(g.Key.Model)))
}

func reportCategory(ctx context.Context, g *costs.ReportGroup) (*itam.Category, error) {
	return loadOptional(ctx, loaders.For(ctx).Category, idOrNil(g.Key.Category))
}

func reportTeam(ctx context.Context, g *costs.ReportGroup) (*itam.Team, error) {
	return loadOptional(ctx, loaders.For(ctx).Team, idOrNil(g.Key.Team))
}

func reportLocation(ctx context.Context, g *costs.ReportGroup) (*itam.Location, error) {
	return loadOptional(ctx, loaders.For(ctx).Location, idOrNil(g.Key.Location))
}

func reportSupplier(ctx context.Context, g *costs.ReportGroup) (*itam.Supplier, error) {
	return loadOptional(ctx, loaders.For(ctx).Supplier, idOrNil(g.Key.Supplier))
}

// reportOwner is the group's owner, a Person or a Team (null when neither
// is grouped by or visible).
func reportOwner(ctx context.Context, g *costs.ReportGroup) (model.Owner, error) {
	l := loaders.For(ctx)
	switch {
	case g.Key.OwnerPerson != uuid.Nil:
		p, err := l.Person.Load(ctx, g.Key.OwnerPerson)
		if err != nil || p == nil {
			return nil, err
		}
		return p, nil
	case g.Key.OwnerTeam != uuid.Nil:
		t, err := l.Team.Load(ctx, g.Key.OwnerTeam)
		if err != nil || t == nil {
			return nil, err
		}
		return t, nil
	}
	return nil, nil
}

func reportByKind(g *costs.ReportGroup) []*model.CostKindTotal {
	out := make([]*model.CostKindTotal, len(g.ByKind))
	for i, k := range g.ByKind {
		out[i] = &model.CostKindTotal{Kind: k.Kind, Total: k.Total}
	}
	return out
}

// Pricing: a report's groups are unknown until it runs, so a grouped
// report is priced as reportGroupEstimate groups (per period for spend);
// each filter condition adds FilterLeafCost, like on assets.
const reportGroupEstimate = 25

func reportGroups(groupBy []costs.GroupBy) int {
	if len(groupBy) == 0 {
		return 1
	}
	return reportGroupEstimate
}

// setCostReportComplexity prices costRollup by its groups and
// spendByPeriod by its periods times its groups, plus their filters.
func setCostReportComplexity(c *generated.ComplexityRoot) {
	c.Query.CostRollup = func(child int, groupBy []costs.GroupBy, _, _ time.Time, f *model.AssetFilter, _ *string) int {
		return addCost(addCost(1, mulCost(child, reportGroups(groupBy))), FilterLeafCost*filterLeaves(f, itam.MaxFilterLeaves+1))
	}
	c.Query.SpendByPeriod = func(child int, every costs.Interval, from, to time.Time, groupBy []costs.GroupBy, f *model.AssetFilter, _ *string) int {
		periods := costs.ReportSpec{From: from, To: to, Every: every}.Periods()
		return addCost(addCost(1, mulCost(child, mulCost(reportGroups(groupBy), periods))), FilterLeafCost*filterLeaves(f, itam.MaxFilterLeaves+1))
	}
}
