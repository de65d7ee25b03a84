package scalar

import (
	"context"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Field names the input value being read, the way domain errors name
// fields: the path below the field's arguments, without the "input." every
// mutation's single argument adds ("purchasePrice.amount",
// "externalIds[0].lastSeenAt", "filter.and[1].search").
func Field(ctx context.Context) string {
	path := graphql.GetPath(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		if base := fc.Path(); len(base) <= len(path) && base.String() == path[:len(base)].String() {
			path = path[len(base):]
		}
	}
	if len(path) > 1 {
		if f, ok := path[0].(ast.PathName); ok && f == "input" {
			path = path[1:]
		}
	}
	var b strings.Builder
	for _, e := range path {
		switch e := e.(type) {
		case ast.PathName:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(string(e))
		case ast.PathIndex:
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(int(e)))
			b.WriteByte(']')
		}
	}
	return b.String()
}
