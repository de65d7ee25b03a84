package itam

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func requireInvalidField(t *testing.T, err error, field, msg string) {
	t.Helper()
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, CodeInvalid, e.Code, e.Message)
	require.Equal(t, field, e.Field, e.Message)
	require.Contains(t, e.Message, msg)
}

func TestAssetNormalize(t *testing.T) {
	t.Parallel()
	team, person := uuid.New(), uuid.New()
	d := func(s string) *time.Time { v, _ := time.Parse("2006-01-02", s); return &v }
	valid := func() Asset {
		return Asset{AssetTag: "LT-1", OwnerTeamID: &team, Condition: ConditionGood, PurchaseDate: d("2024-01-10")}
	}
	tests := []struct {
		name       string
		change     func(a *Asset)
		field, err string
	}{
		{"valid", func(a *Asset) {}, "", ""},
		{"owned by a person", func(a *Asset) { a.OwnerTeamID, a.OwnerPersonID = nil, &person }, "", ""},
		{"no condition is left alone", func(a *Asset) { a.Condition = "" }, "", ""},
		{"64-character tag", func(a *Asset) { a.AssetTag = strings.Repeat("x", 64) }, "", ""},
		{"warranty ends on the purchase date", func(a *Asset) { a.WarrantyEnd = d("2024-01-10") }, "", ""},
		{"blank tag", func(a *Asset) { a.AssetTag = "  " }, "assetTag", "cannot be blank"},
		{"long tag", func(a *Asset) { a.AssetTag = strings.Repeat("x", 65) }, "assetTag", "at most 64"},
		{"negative price", func(a *Asset) { a.PurchasePrice = &Money{Amount: decimal.NewFromInt(-1), Currency: "USD"} }, "purchasePrice.amount", "negative"},
		{"unknown currency", func(a *Asset) { a.PurchasePrice = &Money{Amount: decimal.NewFromInt(1), Currency: "XYZ"} }, "purchasePrice.currency", "ISO 4217"},
		{"no owner", func(a *Asset) { a.OwnerTeamID = nil }, "ownerId", "exactly one owner"},
		{"two owners", func(a *Asset) { a.OwnerPersonID = &person }, "ownerId", "exactly one owner"},
		{"warranty before purchase", func(a *Asset) { a.WarrantyEnd = d("2024-01-09") }, "warrantyEnd", "before the purchase date"},
		{"end of life before purchase", func(a *Asset) { a.EndOfLife = d("2023-12-31") }, "endOfLife", "before the purchase date"},
		{"dates without a purchase date", func(a *Asset) { a.PurchaseDate, a.WarrantyEnd, a.EndOfLife = nil, d("2000-01-01"), d("2000-01-01") }, "", ""},
		{"unknown condition", func(a *Asset) { a.Condition = "MINT" }, "condition", `unknown condition "MINT"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := valid()
			tt.change(&a)
			got, err := a.Normalize()
			if tt.err != "" {
				requireInvalidField(t, err, tt.field, tt.err)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.Equal(t, a, *got)
		})
	}
	t.Run("currency made canonical on a copy", func(t *testing.T) {
		t.Parallel()
		price := &Money{Amount: decimal.RequireFromString("12.5"), Currency: " eur "}
		a := valid()
		a.PurchasePrice = price
		got, err := a.Normalize()
		require.NoError(t, err)
		require.Equal(t, "EUR", got.PurchasePrice.Currency)
		require.Equal(t, " eur ", price.Currency, "the input is not changed through the shared pointer")
	})
}

func TestValidCondition(t *testing.T) {
	t.Parallel()
	for _, c := range []Condition{ConditionNew, ConditionGood, ConditionFair, ConditionPoor, ConditionBroken} {
		require.True(t, ValidCondition(c), c)
	}
	for _, c := range []Condition{"", "new", "MINT"} {
		require.False(t, ValidCondition(c), c)
	}
}

func TestAssigneeValidate(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	require.NoError(t, Assignee{PersonID: &id}.Validate())
	require.NoError(t, Assignee{LocationID: &id}.Validate())
	requireInvalidField(t, Assignee{}.Validate(), "assigneeId", "exactly one")
	requireInvalidField(t, Assignee{PersonID: &id, LocationID: &id}.Validate(), "assigneeId", "exactly one")
}

func TestAssetInputValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		ids   []ExternalID
		field string
	}{
		{"none", nil, ""},
		{"complete", []ExternalID{{Source: "jamf", ExternalID: "12"}}, ""},
		{"blank source", []ExternalID{{Source: "jamf", ExternalID: "12"}, {Source: " ", ExternalID: "13"}}, "externalIds[1]"},
		{"blank id", []ExternalID{{Source: "intune", ExternalID: "\t"}}, "externalIds[0]"},
	}
	for _, tt := range tests {
		err := AssetInput{ExternalIDs: tt.ids}.Validate()
		if tt.field == "" {
			require.NoError(t, err, tt.name)
			continue
		}
		requireInvalidField(t, err, tt.field, "source and external id are required")
	}
}

func TestAssetPatchApply(t *testing.T) {
	t.Parallel()
	model, loc, team, person, profile := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	inService := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	serial := "SN-1"
	before := Asset{AssetTag: "LT-1", SerialNumber: &serial, ModelID: uuid.New(), Condition: ConditionGood, OwnerTeamID: &team,
		CustomFields: map[string]any{"ram": 16.0}, Status: StatusDeployed}
	tests := []struct {
		name               string
		patch              AssetPatch
		want               func(a *Asset)
		field, err         string
		checksModel        bool
		checksDepreciation bool
	}{
		{name: "nothing set changes nothing", patch: AssetPatch{}},
		{name: "tag trimmed", patch: AssetPatch{AssetTag: Some(" LT-2 ")}, want: func(a *Asset) { a.AssetTag = "LT-2" }},
		{name: "tag cannot be removed", patch: AssetPatch{AssetTag: Optional[string]{Set: true}}, field: "assetTag", err: "cannot be removed"},
		{name: "blank text clears", patch: AssetPatch{SerialNumber: Some("  "), Name: Some(" Laptop ")},
			want: func(a *Asset) { a.SerialNumber, a.Name = nil, ptrTo("Laptop") }},
		{name: "condition changes", patch: AssetPatch{Condition: Some(ConditionPoor)}, want: func(a *Asset) { a.Condition = ConditionPoor }},
		{name: "condition cannot be removed", patch: AssetPatch{Condition: Optional[Condition]{Set: true}}, field: "condition", err: "cannot be removed"},
		{name: "a person owner replaces the team", patch: AssetPatch{OwnerPersonID: Some(person), OwnerTeamID: Optional[uuid.UUID]{Set: true}},
			want: func(a *Asset) { a.OwnerPersonID, a.OwnerTeamID = &person, nil }},
		{name: "location set", patch: AssetPatch{LocationID: Some(loc)}, want: func(a *Asset) { a.LocationID = &loc }},
		{name: "custom fields replaced", patch: AssetPatch{CustomFields: Some(map[string]any{"cpu": "m3"})}, checksModel: true,
			want: func(a *Asset) { a.CustomFields = map[string]any{"cpu": "m3"} }},
		{name: "custom fields cleared", patch: AssetPatch{CustomFields: Optional[map[string]any]{Set: true}}, checksModel: true,
			want: func(a *Asset) { a.CustomFields = map[string]any{} }},
		{name: "model changes", patch: AssetPatch{ModelID: Some(model)}, checksModel: true, want: func(a *Asset) { a.ModelID = model }},
		{name: "model cannot be removed", patch: AssetPatch{ModelID: Optional[uuid.UUID]{Set: true}}, checksModel: true, field: "modelId", err: "cannot be removed"},
		{name: "depreciation profile and in-service date set", patch: AssetPatch{DepreciationProfileID: Some(profile), InServiceDate: Some(inService)},
			checksDepreciation: true, want: func(a *Asset) { a.DepreciationProfileID, a.InServiceDate = &profile, &inService }},
		{name: "price changes check the profile", patch: AssetPatch{PurchasePrice: Optional[Money]{Set: true}}, checksDepreciation: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.checksModel, tt.patch.ChecksModel())
			require.Equal(t, tt.checksDepreciation, tt.patch.ChecksDepreciation())
			got, err := tt.patch.Apply(before)
			if tt.err != "" {
				requireInvalidField(t, err, tt.field, tt.err)
				return
			}
			require.NoError(t, err)
			want := before
			if tt.want != nil {
				tt.want(&want)
			}
			require.Equal(t, want, got)
			require.Equal(t, "SN-1", *before.SerialNumber, "the asset passed in is not changed")
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestCheckGrouping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		groupBy    []AssetGroupBy
		field, err string
	}{
		{"none", nil, "", ""},
		{"every dimension once", AssetGroupBys, "", ""},
		{"unknown", []AssetGroupBy{GroupByStatus, "COLOR"}, "groupBy[1]", `cannot group by "COLOR"`},
		{"twice", []AssetGroupBy{GroupByModel, GroupByStatus, GroupByModel}, "groupBy[2]", "MODEL is listed twice"},
	}
	for _, tt := range tests {
		err := CheckGrouping(tt.groupBy)
		if tt.err == "" {
			require.NoError(t, err, tt.name)
			continue
		}
		requireInvalidField(t, err, tt.field, tt.err)
	}
}
