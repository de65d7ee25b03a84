package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/internal/itam"
)

// pushCreateArgs adapts createConnector's write-back settings.
func pushCreateArgs(fields graphql.Omittable[[]string], create graphql.Omittable[*bool]) ([]string, bool) {
	c := val(create)
	return fields.Value(), c != nil && *c
}

// pushPatchArgs adapts updateConnector's pushFields: omitted keeps them,
// null or [] writes nothing back.
func pushPatchArgs(fields graphql.Omittable[[]string]) itam.Optional[[]string] {
	v, set := fields.ValueOK()
	if !set {
		return itam.Optional[[]string]{}
	}
	if v == nil {
		v = []string{}
	}
	return itam.Some(v)
}

// pushErrorsPerAsset prices Asset.pushErrors: one entry per ITSM connector
// that refused the asset's record, and an organization has a handful.
const pushErrorsPerAsset = 10

func setPushComplexity(c *generated.ComplexityRoot) {
	c.Connector.PushErrors = func(child int, first *int, _ *string) int { return pageCost(child, first, nil) }
	c.Asset.PushErrors = func(child int) int { return addCost(1, mulCost(child, pushErrorsPerAsset)) }
}
