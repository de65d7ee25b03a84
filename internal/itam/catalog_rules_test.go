package itam

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

// TestCatalogValidate: each catalog entry is trimmed in place when valid and
// refused with BAD_USER_INPUT on the offending field when not.
func TestCatalogValidate(t *testing.T) {
	t.Parallel()
	self := uuid.New()
	day := func(s string) *time.Time { v, _ := time.Parse("2006-01-02", s); return &v }
	tests := []struct {
		name       string
		entry      interface{ Validate() error }
		field, msg string // empty: valid
		want       any    // the entry after a valid Validate
	}{
		{"supplier trimmed", &Supplier{Name: " Acme ", Email: ptr(" a@b.c "), Phone: ptr("  ")},
			"", "", &Supplier{Name: "Acme", Email: ptr("a@b.c")}},
		{"supplier blank name", &Supplier{Name: "  "}, "name", "cannot be blank", nil},
		{"supplier bad email", &Supplier{Name: "Acme", Email: ptr("nope")}, "email", "not an email", nil},
		{"category trimmed", &Category{Name: " Laptops ", Kind: CategoryLaptop, FieldDefinitions: []FieldDefinition{{Key: " ram ", Label: " RAM ", Type: FieldText}}},
			"", "", &Category{Name: "Laptops", Kind: CategoryLaptop, FieldDefinitions: []FieldDefinition{{Key: "ram", Label: "RAM", Type: FieldText}}}},
		{"category definitions never nil", &Category{Name: "x", Kind: CategoryLaptop},
			"", "", &Category{Name: "x", Kind: CategoryLaptop, FieldDefinitions: []FieldDefinition{}}},
		{"category unknown kind", &Category{Name: "x", Kind: "TOASTER"}, "kind", "unknown category kind", nil},
		{"category blank option", &Category{Name: "x", Kind: CategoryLaptop, FieldDefinitions: []FieldDefinition{{Key: "k", Label: "K", Type: FieldText, Options: []string{"a", " "}}}},
			"fieldDefinitions[0].options[1]", "cannot be blank", nil},
		{"model trimmed", &Model{Name: " M1 ", ModelNumber: ptr(" "), UsefulLifeMonths: ptr(36)},
			"", "", &Model{Name: "M1", UsefulLifeMonths: ptr(36)}},
		{"model life too short", &Model{Name: "M1", UsefulLifeMonths: ptr(0)}, "usefulLifeMonths", "between 1 and 600", nil},
		{"model life too long", &Model{Name: "M1", UsefulLifeMonths: ptr(601)}, "usefulLifeMonths", "between 1 and 600", nil},
		{"location country upper-cased", &Location{Name: " HQ ", Kind: LocationSite, Address: Address{City: ptr(" Paris "), Country: ptr("fr")}},
			"", "", &Location{Name: "HQ", Kind: LocationSite, Address: Address{City: ptr("Paris"), Country: ptr("FR")}}},
		{"location bad country", &Location{Name: "HQ", Kind: LocationSite, Address: Address{Country: ptr("FRA")}}, "address.country", "two-letter", nil},
		{"location unknown kind", &Location{Name: "HQ", Kind: "MOON"}, "kind", "unknown location kind", nil},
		{"person trimmed", &Person{Name: " Ada ", Email: " ada@x.io ", Title: ptr(" "), Status: PersonActive},
			"", "", &Person{Name: "Ada", Email: "ada@x.io", Status: PersonActive}},
		{"person blank email", &Person{Name: "Ada", Email: " ", Status: PersonActive}, "email", "cannot be blank", nil},
		{"person unknown status", &Person{Name: "Ada", Email: "a@x.io", Status: "GONE"}, "status", "unknown person status", nil},
		{"person ends before start", &Person{Name: "Ada", Email: "a@x.io", Status: PersonActive, StartDate: day("2024-02-01"), EndDate: day("2024-01-01")},
			"endDate", "before start", nil},
		{"person own manager", &Person{ID: self, Name: "Ada", Email: "a@x.io", Status: PersonActive, ManagerID: &self}, "managerId", "own manager", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.entry.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				require.Equal(t, tt.want, tt.entry)
				return
			}
			requireInvalidField(t, err, tt.field, tt.msg)
		})
	}
}

// TestPatchRequired: unset keeps the value; null or blank is refused; a
// value is trimmed.
func TestPatchRequired(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Optional[string]
		want string
		bad  bool
	}{
		{"unset keeps", Optional[string]{}, "old", false},
		{"value trimmed", Optional[string]{Set: true, Value: ptr(" new ")}, "new", false},
		{"null refused", Optional[string]{Set: true}, "old", true},
		{"blank refused", Optional[string]{Set: true, Value: ptr("  ")}, "old", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dst := "old"
			err := PatchRequired(&dst, "name", tt.in)
			if tt.bad {
				requireInvalidField(t, err, "name", "cannot be blank")
			} else {
				require.NoError(t, err)
			}
			require.Equal(t, tt.want, dst)
		})
	}
}

// TestOrganizationPatchApply: the organization settings rules; a refused
// patch is reported on its field.
func TestOrganizationPatchApply(t *testing.T) {
	t.Parallel()
	team, profile := uuid.New(), uuid.New()
	cur := Organization{Name: "Acme", AssetTagPrefix: "AC-", DefaultCurrency: "EUR", DefaultOwnerTeamID: &team}
	tests := []struct {
		name       string
		in         OrganizationPatch
		want       Organization
		field, msg string
	}{
		{"empty patch keeps", OrganizationPatch{}, cur, "", ""},
		{"trimmed name, prefix, currency", OrganizationPatch{Name: Some(" New "), AssetTagPrefix: Some(" X- "), DefaultCurrency: Some("usd")},
			Organization{Name: "New", AssetTagPrefix: "X-", DefaultCurrency: "USD", DefaultOwnerTeamID: &team}, "", ""},
		{"null prefix and team clear", OrganizationPatch{AssetTagPrefix: Optional[string]{Set: true}, DefaultOwnerTeamID: Optional[uuid.UUID]{Set: true}},
			Organization{Name: "Acme", DefaultCurrency: "EUR"}, "", ""},
		{"default depreciation profile set", OrganizationPatch{DefaultDepreciationProfileID: Some(profile)},
			Organization{Name: "Acme", AssetTagPrefix: "AC-", DefaultCurrency: "EUR", DefaultOwnerTeamID: &team, DefaultDepreciationProfileID: &profile}, "", ""},
		{"blank name", OrganizationPatch{Name: Some(" ")}, Organization{}, "name", "cannot be blank"},
		{"long prefix", OrganizationPatch{AssetTagPrefix: Some("ABCDEFGHIJKLMNOPQ")}, Organization{}, "assetTagPrefix", "at most 16"},
		{"currency removed", OrganizationPatch{DefaultCurrency: Optional[string]{Set: true}}, Organization{}, "defaultCurrency", "cannot be removed"},
		{"bad currency", OrganizationPatch{DefaultCurrency: Some("EURO")}, Organization{}, "defaultCurrency", "ISO 4217"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.in.Apply(cur)
			if tt.field != "" {
				requireInvalidField(t, err, tt.field, tt.msg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
