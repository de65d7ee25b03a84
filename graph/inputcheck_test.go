package graph

import (
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// TestContractCoverageListsBeyondTheUsualBound: a contract's assetIds and
// licenseIds take up to their documented bounds (10,000 and 1,000), not the
// 100 items every other list argument is held to; one more is
// BAD_USER_INPUT on the field, and other lists keep the usual bound.
func TestContractCoverageListsBeyondTheUsualBound(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "x"
		}
		return out
	}
	field := func(err error) string {
		var e *itam.Error
		require.True(t, errors.As(err, &e), "%v", err)
		require.Equal(t, itam.CodeInvalid, e.Code)
		return e.Field
	}
	in := model.CreateContractInput{Kind: costs.ContractLease, AssetIds: graphql.OmittableOf(ids(costs.MaxContractAssets)), LicenseIds: graphql.OmittableOf(ids(costs.MaxContractLicenses))}
	require.NoError(t, checkInputLists("", in, contractLists))
	require.Equal(t, "assetIds", field(checkInput("", in)), "without the exception the usual bound applies")

	in.AssetIds = graphql.OmittableOf(ids(costs.MaxContractAssets + 1))
	require.Equal(t, "assetIds", field(checkInputLists("", in, contractLists)))
	in.AssetIds, in.LicenseIds = graphql.Omittable[[]string]{}, graphql.OmittableOf(ids(costs.MaxContractLicenses+1))
	require.Equal(t, "licenseIds", field(checkInputLists("", in, contractLists)))

	in.LicenseIds = graphql.Omittable[[]string]{}
	in.Charges = graphql.OmittableOf(make([]*model.ContractChargeInput, itam.MaxListItems+1))
	require.Equal(t, "charges", field(checkInputLists("", in, contractLists)))

	up := model.UpdateContractInput{AssetIds: graphql.OmittableOf(ids(costs.MaxContractAssets))}
	require.NoError(t, checkInputLists("", up, contractLists))
}

// TestEntryRefsNameTheirField: a malformed or other-type id in the ledger's
// input or filter is BAD_USER_INPUT naming that field, under filter. in the
// filter.
func TestEntryRefsNameTheirField(t *testing.T) {
	bad := "not-an-id"
	_, err := entryInput(model.CreateCostEntryInput{ContractID: graphql.OmittableOf(&bad)})
	var e *itam.Error
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, "contractId", e.Field)
	_, err = entryFilter(&model.CostEntryFilter{SupplierID: graphql.OmittableOf(&bad)})
	require.True(t, errors.As(err, &e), "%v", err)
	require.Equal(t, itam.CodeInvalid, e.Code)
	require.Equal(t, "filter.supplierId", e.Field)
}
