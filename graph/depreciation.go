package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for depreciation profiles, schedules and book values (helpers of
// graph/depreciation.resolvers.go, kept out of it because gqlgen moves
// non-resolver code out of resolver files). They only translate: the rules
// are internal/costs', the role checks the stores'.

func (r *Resolver) depreciation(ctx context.Context) *loaders.DepreciationLoaders {
	return loaders.For(ctx).Depreciation(r.DepreciationProfiles)
}

// depreciationProfileNode loads one for node(id:); nil when missing or not
// visible (EMPLOYEE never sees money).
func (r *Resolver) depreciationProfileNode(ctx context.Context, id uuid.UUID) func() (any, error) {
	return thunk(ctx, r.depreciation(ctx).Node.LoadThunk(ctx, id))
}

// profileOf is the profile a category, model or the organization points
// at, batched across the request; money, so FORBIDDEN for EMPLOYEE even
// where none is set.
func (r *Resolver) profileOf(ctx context.Context, id *uuid.UUID) (*costs.Profile, error) {
	if _, err := costs.RequireRead(ctx); err != nil {
		return nil, err
	}
	return loadOptional(ctx, r.depreciation(ctx).Profile, id)
}

// isDefaultProfile reads the organization's default once per request.
func (r *Resolver) isDefaultProfile(ctx context.Context, p *costs.Profile) (bool, error) {
	v, err := r.depreciation(ctx).Once("default", func() (any, error) { return r.DepreciationProfiles.DefaultProfileID(ctx) })
	if err != nil {
		return false, err
	}
	def, _ := v.(*uuid.UUID)
	return def != nil && *def == p.ID, nil
}

// assetProfile is the profile that applies to an asset, batched over every
// asset of the list it belongs to (loaders.Nested): one round trip for
// depreciationProfile, its source, the schedule and the book value of a
// whole page.
func (r *Resolver) assetProfile(ctx context.Context, asset uuid.UUID) (costs.AssetProfile, error) {
	_, parentPath := nestedKey(ctx)
	key := graphql.GetFieldContext(ctx).Object + "#profile:" + parentPath
	return loaders.Nested(ctx, key, parentPath, asset, r.DepreciationProfiles.EffectiveProfiles)
}

// profileInput reads createDepreciationProfile's input.
func profileInput(in model.CreateDepreciationProfileInput) costs.Profile {
	return costs.Profile{
		Name: in.Name, Method: in.Method, UsefulLifeMonths: in.UsefulLifeMonths, SalvageValue: val(in.SalvageValue),
		SalvagePercent: val(in.SalvagePercent), Rate: val(in.Rate), Convention: in.Convention,
	}
}

// profilePatch reads updateDepreciationProfile's input: absent fields stay,
// null clears salvageValue, salvagePercent or rate and leaves the others.
func profilePatch(in model.UpdateDepreciationProfileInput) (uuid.UUID, costs.ProfilePatch, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypeDepreciationProfile)
	if err != nil {
		return id, costs.ProfilePatch{}, err
	}
	return id, costs.ProfilePatch{
		Name: val(in.Name), Method: val(in.Method), UsefulLifeMonths: val(in.UsefulLifeMonths), Convention: val(in.Convention),
		SalvageValue: opt(in.SalvageValue), SalvagePercent: opt(in.SalvagePercent), Rate: opt(in.Rate),
	}, nil
}

func profilePayload(p *costs.Profile, err error) (*model.DepreciationProfilePayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.DepreciationProfilePayload{DepreciationProfile: p}, nil
}

// today is the default asOf: the current day in UTC.
func today() time.Time { return itam.CalendarDay(time.Now().UTC()) }

// groupBookValue is AssetCountGroup.bookValue: the book values of every
// group of the assetCounts it belongs to are computed by one store call
// (same groupBy and filter, read from that field's arguments) and shared
// by the groups.
func (r *Resolver) groupBookValue(ctx context.Context, g *itam.AssetCountGroup, asOf *time.Time) ([]*itam.Money, error) {
	at := today()
	if asOf != nil {
		at = itam.CalendarDay(*asOf)
	}
	counts := graphql.GetFieldContext(ctx)
	for counts != nil && (counts.Field.Field == nil || counts.Field.Name != "assetCounts") {
		counts = counts.Parent
	}
	if counts == nil {
		return nil, itam.Invalid("bookValue", "bookValue is read under assetCounts")
	}
	groupBy, _ := counts.Args["groupBy"].([]itam.AssetGroupBy)
	filter, _ := counts.Args["filter"].(*model.AssetFilter)
	key := "bookValue:" + counts.Path().String() + "@" + at.Format(time.DateOnly)
	v, err := r.depreciation(ctx).Once(key, func() (any, error) {
		f, err := assetFilter(filter, "filter")
		if err != nil {
			return nil, err
		}
		return r.AssetStore.AssetBookValues(ctx, groupBy, f, at)
	})
	if err != nil {
		return nil, err
	}
	values, _ := v.(map[string][]itam.Money)
	return ptrs(values[postgres.CountGroupKey(*g)]), nil
}

// setDepreciationComplexity prices depreciation profiles by page size, each
// asset's schedule as a list of up to 60 periods (a five-year monthly
// schedule; longer lives cost the same work per period, and the price must
// stay flat so a page of assets is not refused for what it may not select),
// and the profile histories by page size.
func setDepreciationComplexity(c *generated.ComplexityRoot) {
	c.Query.DepreciationProfiles = filteredConnectionCost[*model.NameFilter]
	c.DepreciationProfile.History = connectionCost
	c.Asset.DepreciationSchedule = func(child int) int { return addCost(1, mulCost(child, schedulePeriods)) }
}

// schedulePeriods is what one schedule is priced as (see setDepreciationComplexity).
const schedulePeriods = 60
