package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/itam-dev/itam/internal/connectorlimit"
)

// vendorCallFields are the mutations that make the server call a vendor.
var vendorCallFields = map[string]bool{"testConnector": true, "syncConnector": true, "createTicket": true}

// checkVendorCalls applies connectorlimit.CheckPerRequest to the operation
// being executed: it counts the vendor-calling fields of the whole
// document, aliases and fragments included (skipped ones excluded), so
// every one of them answers the same way whatever its position.
func checkVendorCalls(ctx context.Context) error {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	oc := graphql.GetOperationContext(ctx)
	n := 0
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Mutation"}) {
		if vendorCallFields[f.Name] {
			n++
		}
	}
	return connectorlimit.CheckPerRequest(n)
}
