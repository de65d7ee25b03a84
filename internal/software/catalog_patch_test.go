package software

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func set[T any](v T) itam.Optional[T] { return itam.Optional[T]{Set: true, Value: &v} }

func null[T any]() itam.Optional[T] { return itam.Optional[T]{Set: true} }

func TestPublisherPatchApply(t *testing.T) {
	t.Parallel()
	cur := Publisher{ID: uuid.New(), Name: "Adobe", Website: ptr("https://adobe.com"), Version: 3}
	cases := []struct {
		name  string
		patch PublisherPatch
		field string // "" = valid
		want  Publisher
	}{
		{"nothing set keeps all", PublisherPatch{}, "", cur},
		{"name trimmed", PublisherPatch{Name: set(" Adobe Inc. ")}, "", Publisher{ID: cur.ID, Name: "Adobe Inc.", Website: cur.Website, Version: 3}},
		{"website cleared", PublisherPatch{Website: null[string]()}, "", Publisher{ID: cur.ID, Name: "Adobe", Version: 3}},
		{"null name", PublisherPatch{Name: null[string]()}, "name", Publisher{}},
		{"blank name", PublisherPatch{Name: set("  ")}, "name", Publisher{}},
		{"bad website", PublisherPatch{Website: set("adobe.com")}, "website", Publisher{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.patch.Apply(cur)
			if c.field != "" {
				requireInvalid(t, err, c.field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}

func TestProductPatchApply(t *testing.T) {
	t.Parallel()
	pub, other := uuid.New(), uuid.New()
	cur := Product{ID: uuid.New(), PublisherID: pub, Name: "Acrobat", Editions: []string{"Pro"}, Notes: ptr("n"), Version: 2}
	cases := []struct {
		name  string
		patch ProductPatch
		field string // "" = valid
		want  Product
	}{
		{"nothing set keeps all", ProductPatch{}, "", cur},
		{"publisher moved", ProductPatch{PublisherID: set(other)}, "", Product{ID: cur.ID, PublisherID: other, Name: "Acrobat", Editions: []string{"Pro"}, Notes: ptr("n"), Version: 2}},
		{"editions null clears", ProductPatch{Editions: null[[]string]()}, "", Product{ID: cur.ID, PublisherID: pub, Name: "Acrobat", Editions: []string{}, Notes: ptr("n"), Version: 2}},
		{"editions deduplicated", ProductPatch{Editions: set([]string{" Std ", "std", "Pro"})}, "", Product{ID: cur.ID, PublisherID: pub, Name: "Acrobat", Editions: []string{"Std", "Pro"}, Notes: ptr("n"), Version: 2}},
		{"blank notes cleared", ProductPatch{Notes: set(" ")}, "", Product{ID: cur.ID, PublisherID: pub, Name: "Acrobat", Editions: []string{"Pro"}, Version: 2}},
		{"null publisher", ProductPatch{PublisherID: null[uuid.UUID]()}, "publisherId", Product{}},
		{"null name", ProductPatch{Name: null[string]()}, "name", Product{}},
		{"blank edition", ProductPatch{Editions: set([]string{"Pro", " "})}, "editions[1]", Product{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := c.patch.Apply(cur)
			if c.field != "" {
				requireInvalid(t, err, c.field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
}
