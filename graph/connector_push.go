package graph

import (
	"github.com/99designs/gqlgen/graphql"

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
