package software_test

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/software"
)

func TestHistoryDiff(t *testing.T) {
	t.Parallel()
	site, other := "https://adobe.example", "https://adobe.test"
	prod, prod2 := uuid.MustParse("00000000-0000-0000-0000-000000000001"), uuid.MustParse("00000000-0000-0000-0000-000000000002")
	ed := "Pro"
	pub := &software.Publisher{Name: "Adobe", Website: &site, Version: 1}
	product := &software.Product{PublisherID: prod, Name: "Acrobat", Editions: []string{"Pro"}, Version: 3}
	rule := &software.Rule{Position: 2, Kind: software.MatchExact, Pattern: "Acrobat", ProductID: prod, Edition: &ed}
	with := func(f func(*software.Rule)) *software.Rule { r := *rule; f(&r); return &r }
	tests := []struct {
		name string
		got  software.Changes
		want map[string][2]string // field → from, to
	}{
		{"publisher created: set fields only", software.PublisherDiff(nil, &software.Publisher{Name: "Adobe"}),
			map[string][2]string{"name": {`null`, `"Adobe"`}}},
		{"publisher website changed, version ignored",
			software.PublisherDiff(pub, &software.Publisher{Name: "Adobe", Website: &other, Version: 2}),
			map[string][2]string{"website": {`"https://adobe.example"`, `"https://adobe.test"`}}},
		{"publisher unchanged", software.PublisherDiff(pub, pub), map[string][2]string{}},
		{"publisher deleted", software.PublisherDiff(pub, nil),
			map[string][2]string{"name": {`"Adobe"`, `null`}, "website": {`"https://adobe.example"`, `null`}}},
		{"product moved and editions cleared",
			software.ProductDiff(product, &software.Product{PublisherID: prod2, Name: "Acrobat"}),
			map[string][2]string{"publisherId": {`"` + prod.String() + `"`, `"` + prod2.String() + `"`}, "editions": {`["Pro"]`, `[]`}}},
		{"product created without editions",
			software.ProductDiff(nil, &software.Product{PublisherID: prod, Name: "Reader"}),
			map[string][2]string{"publisherId": {`null`, `"` + prod.String() + `"`}, "name": {`null`, `"Reader"`}}},
		{"rule created", software.RuleDiff(nil, rule), map[string][2]string{"position": {`null`, `2`}, "kind": {`null`, `"EXACT"`},
			"pattern": {`null`, `"Acrobat"`}, "productId": {`null`, `"` + prod.String() + `"`}, "edition": {`null`, `"Pro"`}}},
		{"rule pattern and edition changed",
			software.RuleDiff(rule, with(func(r *software.Rule) { r.Pattern, r.Edition = "Acrobat DC", nil })),
			map[string][2]string{"pattern": {`"Acrobat"`, `"Acrobat DC"`}, "edition": {`"Pro"`, `null`}}},
		{"rule moved", software.MoveChanges(5, 1), map[string][2]string{"position": {`5`, `1`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := map[string][2]string{}
			for f, c := range tt.got {
				got[f] = [2]string{string(c["from"]), string(c["to"])}
			}
			require.Equal(t, tt.want, got)
			_, err := json.Marshal(tt.got)
			require.NoError(t, err)
		})
	}
}
