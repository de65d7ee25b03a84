package licenses

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func ptr[T any](v T) *T { return &v }

func day0(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

func usd(s string) *itam.Money { return testMoney(s, "usd") }

// requireInvalid checks err is BAD_USER_INPUT on field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *itam.Error
	require.True(t, errors.As(err, &e), "want *itam.Error, got %v", err)
	require.Equal(t, itam.CodeInvalid, e.Code, "%v", err)
	require.Equal(t, field, e.Field, "%v", err)
}

func TestInputValidate(t *testing.T) {
	product := uuid.New()
	base := func(m Model, seats *int) Input { return Input{ProductID: product, Model: m, Seats: seats} }
	long := strings.Repeat("x", MaxCoverageLength+1)
	tests := []struct {
		name  string
		in    Input
		field string // "" = valid
	}{
		{"per device", base(PerDevice, ptr(10)), ""},
		{"per user", base(PerUser, ptr(0)), ""},
		{"concurrent", base(Concurrent, ptr(5)), ""},
		{"subscription", base(Subscription, ptr(100)), ""},
		{"site without seats", base(Site, nil), ""},
		{"site with seats", base(Site, ptr(10)), "seats"},
		{"site with zero seats", base(Site, ptr(0)), "seats"},
		{"per user without seats", base(PerUser, nil), "seats"},
		{"negative seats", base(PerDevice, ptr(-1)), "seats"},
		{"unknown model", base(Model("FLOATING"), ptr(1)), "licenseModel"},
		{"no product", Input{Model: PerUser, Seats: ptr(1)}, "productId"},
		{"both costs", func() Input { in := base(PerUser, ptr(1)); in.SeatCost, in.TotalCost = usd("1"), usd("2"); return in }(), "totalCost"},
		{"seat cost", func() Input { in := base(PerUser, ptr(1)); in.SeatCost = usd("12.50"); return in }(), ""},
		{"unknown seat currency", func() Input {
			in := base(PerUser, ptr(1))
			in.SeatCost = &itam.Money{Amount: decimal.NewFromInt(1), Currency: "XYZ"}
			return in
		}(), "seatCost.currency"},
		{"unknown total currency", func() Input {
			in := base(PerUser, ptr(1))
			in.TotalCost = &itam.Money{Amount: decimal.NewFromInt(1), Currency: "ZZ"}
			return in
		}(), "totalCost.currency"},
		{"negative total", func() Input { in := base(PerUser, ptr(1)); in.TotalCost = usd("-1"); return in }(), "totalCost.amount"},
		{"end before start", func() Input {
			in := base(Subscription, ptr(1))
			in.TermStart, in.TermEnd = day0(2026, 1, 1), day0(2025, 12, 31)
			return in
		}(), "termEnd"},
		{"one-day term", func() Input {
			in := base(Subscription, ptr(1))
			in.TermStart, in.TermEnd = day0(2026, 1, 1), day0(2026, 1, 1)
			return in
		}(), ""},
		{"renewal before start", func() Input {
			in := base(Subscription, ptr(1))
			in.TermStart, in.RenewalDate = day0(2026, 1, 1), day0(2025, 1, 1)
			return in
		}(), "renewalDate"},
		{"renewal in year 20000", func() Input { in := base(Subscription, ptr(1)); in.RenewalDate = day0(20000, 1, 1); return in }(), "renewalDate"},
		{"unknown billing", func() Input { in := base(PerUser, ptr(1)); in.BillingPeriod = ptr(BillingPeriod("WEEKLY")); return in }(), "billingPeriod"},
		{"blank edition", func() Input { in := base(PerUser, ptr(1)); in.Editions = []string{"Pro", " "}; return in }(), "editions[1]"},
		{"long version", func() Input { in := base(PerUser, ptr(1)); in.Versions = []string{long}; return in }(), "versions[0]"},
		{"too many editions", func() Input { in := base(PerUser, ptr(1)); in.Editions = make([]string, MaxCoverageItems+1); return in }(), "editions"},
		{"long key", func() Input {
			in := base(PerUser, ptr(1))
			in.Key = ptr(strings.Repeat("k", MaxKeyLength+1))
			return in
		}(), "licenseKey"},
		{"key at the limit", func() Input { in := base(PerUser, ptr(1)); in.Key = ptr(strings.Repeat("k", MaxKeyLength)); return in }(), ""},
		{"long name", func() Input {
			in := base(PerUser, ptr(1))
			in.Name = ptr(strings.Repeat("n", MaxLabelLength+1))
			return in
		}(), "name"},
		{"NUL in purchase order", func() Input { in := base(PerUser, ptr(1)); in.PurchaseOrder = ptr("PO\x00"); return in }(), "purchaseOrder"},
		{"long notes", func() Input {
			in := base(PerUser, ptr(1))
			in.Notes = ptr(strings.Repeat("n", itam.MaxTextLength+1))
			return in
		}(), "notes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			err := in.Validate()
			if tt.field == "" {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
		})
	}
}

func TestInputValidateNormalizes(t *testing.T) {
	in := Input{ProductID: uuid.New(), Model: PerUser, Seats: ptr(3), Name: ptr("  M365 E3 "),
		Editions: []string{" Pro ", "pro", "Standard"}, Versions: []string{"2019", "2021", "2019"},
		SeatCost: usd("10"), TermStart: ptr(time.Date(2026, 1, 1, 15, 4, 5, 0, time.UTC)), Key: ptr("  "), PurchaseOrder: ptr(" ")}
	require.NoError(t, in.Validate())
	require.Equal(t, "M365 E3", *in.Name)
	require.Equal(t, []string{"Pro", "Standard"}, in.Editions)
	require.Equal(t, []string{"2019", "2021"}, in.Versions)
	require.Equal(t, "USD", in.SeatCost.Currency)
	require.Equal(t, *day0(2026, 1, 1), *in.TermStart)
	require.Nil(t, in.Key, "a blank key is no key")
	require.Nil(t, in.PurchaseOrder)
	require.Equal(t, OneTime, *in.BillingPeriod)
	l := in.License()
	require.False(t, l.HasKey)
	require.Equal(t, PerUser, l.Model)
}

func TestPatchApply(t *testing.T) {
	cur := License{ProductID: uuid.New(), Model: PerUser, Seats: ptr(10), SeatCost: &itam.Money{Amount: decimal.NewFromInt(5), Currency: "USD"},
		BillingPeriod: Annual, Editions: []string{}, Versions: []string{},
		TermStart: day0(2026, 1, 1), TermEnd: day0(2026, 12, 31), HasKey: true}
	tests := []struct {
		name  string
		patch Patch
		field string
		check func(t *testing.T, l License)
	}{
		{"nothing", Patch{}, "", func(t *testing.T, l License) { require.Equal(t, cur, l) }},
		{"seats", Patch{Seats: itam.Some(20)}, "", func(t *testing.T, l License) { require.Equal(t, 20, *l.Seats) }},
		{"clear seats", Patch{Seats: itam.Optional[int]{Set: true}}, "seats", nil},
		{"negative seats", Patch{Seats: itam.Some(-5)}, "seats", nil},
		{"to SITE drops seats", Patch{Model: ptr(Site)}, "", func(t *testing.T, l License) { require.Nil(t, l.Seats) }},
		{"to SITE with seats", Patch{Model: ptr(Site), Seats: itam.Some(3)}, "seats", nil},
		{"second cost", Patch{TotalCost: itam.Some(*usd("100"))}, "totalCost", nil},
		{"swap costs", Patch{SeatCost: itam.Optional[itam.Money]{Set: true}, TotalCost: itam.Some(*usd("100"))}, "", func(t *testing.T, l License) {
			require.Nil(t, l.SeatCost)
			require.Equal(t, "100", l.TotalCost.Amount.String())
		}},
		{"end before start", Patch{TermEnd: itam.Some(*day0(2025, 6, 1))}, "termEnd", nil},
		{"remove key", Patch{Key: itam.Optional[string]{Set: true}}, "", func(t *testing.T, l License) { require.False(t, l.HasKey) }},
		{"long key", Patch{Key: itam.Some(strings.Repeat("k", MaxKeyLength+1))}, "licenseKey", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.patch
			l, err := p.Apply(cur)
			if tt.field != "" {
				requireInvalid(t, err, tt.field)
				return
			}
			require.NoError(t, err)
			tt.check(t, l)
		})
	}
	require.Equal(t, 10, *cur.Seats, "Apply never changes the current license")
}

func TestActive(t *testing.T) {
	today := time.Date(2026, 6, 15, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name       string
		start, end *time.Time
		want       bool
	}{
		{"no term", nil, nil, true},
		{"within", day0(2026, 1, 1), day0(2026, 12, 31), true},
		{"ends today", day0(2026, 1, 1), day0(2026, 6, 15), true},
		{"starts today", day0(2026, 6, 15), nil, true},
		{"ended yesterday", nil, day0(2026, 6, 14), false},
		{"starts tomorrow", day0(2026, 6, 16), nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, License{TermStart: tt.start, TermEnd: tt.end}.Active(today))
		})
	}
}

func TestCheckAssign(t *testing.T) {
	person, asset := ptr(uuid.New()), ptr(uuid.New())
	tests := []struct {
		model  Model
		in     SeatInput
		field  string
		reject bool
	}{
		{PerUser, SeatInput{PersonID: person}, "", false},
		{Concurrent, SeatInput{PersonID: person}, "", false},
		{Subscription, SeatInput{PersonID: person}, "", false},
		{PerDevice, SeatInput{AssetID: asset}, "", false},
		{PerUser, SeatInput{AssetID: asset}, "personId", true},
		{Subscription, SeatInput{}, "personId", true},
		{PerDevice, SeatInput{PersonID: person}, "assetId", true},
		{PerDevice, SeatInput{PersonID: person, AssetID: asset}, "assetId", true},
		{Site, SeatInput{PersonID: person}, "licenseId", true},
	}
	for _, tt := range tests {
		t.Run(string(tt.model)+"/"+tt.field, func(t *testing.T) {
			err := CheckAssign(&License{Model: tt.model}, tt.in)
			if !tt.reject {
				require.NoError(t, err)
				return
			}
			requireInvalid(t, err, tt.field)
		})
	}
}

func TestHolders(t *testing.T) {
	require.NoError(t, CheckPersonHolder(itam.PersonActive))
	requireInvalid(t, CheckPersonHolder(itam.PersonOffboarded), "personId")
	for _, s := range itam.AssetStatuses {
		err := CheckAssetHolder(s)
		if s == itam.StatusRetired || s == itam.StatusDisposed {
			requireInvalid(t, err, "assetId")
		} else {
			require.NoError(t, err, s)
		}
	}
	r, err := CheckReclaimReason("  left the company ")
	require.NoError(t, err)
	require.Equal(t, "left the company", r)
	_, err = CheckReclaimReason(" ")
	requireInvalid(t, err, "reason")
	_, err = CheckReclaimReason(strings.Repeat("r", MaxReasonLength+1))
	requireInvalid(t, err, "reason")
	require.NoError(t, CheckBulk(MaxBulkItems))
	requireInvalid(t, CheckBulk(MaxBulkItems+1), "input")
}

func TestRoles(t *testing.T) {
	org := uuid.New()
	tests := []struct {
		role                      itam.Role
		write, key, costs, seeAll bool
	}{
		{itam.RoleAdmin, true, true, true, true},
		{itam.RoleManager, true, false, true, true},
		{itam.RoleAuditor, false, false, true, true},
		{itam.RoleEmployee, false, false, false, false},
	}
	code := func(err error) itam.Code {
		if err == nil {
			return ""
		}
		return itam.ErrorCode(err)
	}
	allowed := func(ok bool) itam.Code {
		if ok {
			return ""
		}
		return itam.CodeForbidden
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			p := itam.Principal{OrgID: org, Role: tt.role, Subject: "x@test"}
			ctx := itam.WithPrincipal(context.Background(), p)
			_, err := RequireRead(ctx)
			require.NoError(t, err)
			_, err = RequireWrite(ctx)
			require.Equal(t, allowed(tt.write), code(err))
			_, err = RequireKeyRead(ctx)
			require.Equal(t, allowed(tt.key), code(err))
			_, err = RequireCosts(ctx)
			require.Equal(t, allowed(tt.costs), code(err))
			require.Equal(t, tt.costs, CanSeeCosts(p))
			require.Equal(t, tt.seeAll, SeesAll(p))
		})
	}
	for _, f := range []func(context.Context) (itam.Principal, error){RequireRead, RequireWrite, RequireKeyRead, RequireCosts} {
		_, err := f(context.Background())
		require.Equal(t, itam.CodeUnauthenticated, itam.ErrorCode(err))
	}
}
