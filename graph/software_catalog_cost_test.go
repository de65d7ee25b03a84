package graph

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// The catalog's connections cost their selection times their page size,
// so 500 products with 500 installations each are refused before they run.
func TestSoftwareCatalogCost(t *testing.T) {
	es := executableSchema(&Resolver{})
	cost := func(query string) int {
		c, _ := operationCost(context.Background(), es, validated(t, query).Operations[0], nil)
		return c
	}
	for _, q := range []string{
		"{softwarePublishers(first:100){nodes{name}}}",
		"{softwareProducts(first:100){nodes{name}}}",
	} {
		require.Equal(t, 1+100*2, cost(q), q)
	}
	require.Equal(t, 1+10*(1+1+(1+20*2)), cost("{softwareProducts(first:10){nodes{name installations(first:20){nodes{title}}}}}"))
	require.Greater(t, cost("{softwareProducts(first:500){nodes{installations(first:500){nodes{title asset{assetTag}}}}}}"), MaxComplexity)
}

// Every connection and bulk field of the catalog, the title rules and the
// licenses is priced: by its page size, a default page, or its items.
func TestSoftwareAndLicenseCosts(t *testing.T) {
	es := executableSchema(&Resolver{})
	for _, c := range []struct {
		query string
		want  int
	}{
		{"{licenses(first:10){nodes{id}}}", 1 + 10*2},
		{"{licenses(first:2){nodes{seatAssignments(last:3){nodes{id}}}}}", 1 + 2*(1+1+3*2)},
		{"{licenses(first:2){nodes{history(first:3){nodes{action}}}}}", 1 + 2*(1+1+3*2)},
		{"{people(first:2){nodes{licenseSeats{id}}}}", 1 + 2*(1+1+itam.DefaultPageSize*1)},
		{"{assets(first:2){nodes{licenseSeats{id}}}}", 1 + 2*(1+1+itam.DefaultPageSize*1)},
		{"{assets(first:2){nodes{software(includeEnded:true){title}}}}", 1 + 2*(1+1+installationsPerDevice*1)},
		{`mutation{assignLicenseSeats(input:[{licenseId:"a"},{licenseId:"b"},{licenseId:"c"}]){succeeded}}`, 1 + 3*1},
		{`mutation{reclaimLicenseSeats(input:[{seatId:"a",reason:"x"},{seatId:"b",reason:"x"}]){succeeded}}`, 1 + 2*1},
		{"{softwarePublishers(last:7){nodes{name}}}", 1 + 7*2},
		{"{softwareTitleRules(first:5){nodes{id}}}", 1 + 5*2},
		{"{softwarePublishers(first:2){nodes{history(first:3){nodes{action}}}}}", 1 + 2*(1+1+3*2)},
		{"{softwareProducts(first:2){nodes{history(last:4){nodes{action}}}}}", 1 + 2*(1+1+4*2)},
		{"{softwareTitleRules(first:2){nodes{history(first:5){nodes{action}}}}}", 1 + 2*(1+1+5*2)},
		{"{softwareNormalizationRuns(last:4){nodes{id}}}", 1 + 4*2},
		{"{unmatchedSoftwareTitles(first:6){nodes{title}}}", 1 + 6*2},
		{`{testSoftwareTitleRules(titles:[{title:"a"},{title:"b"}]){title}}`, 1 + 2*1},
	} {
		got, _ := operationCost(context.Background(), es, validated(t, c.query).Operations[0], nil)
		require.Equal(t, c.want, got, c.query)
	}
}
