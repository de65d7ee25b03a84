package costs

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestBookValue(t *testing.T) {
	t.Parallel()
	annual := profile(StraightLine, 60, Annual)
	annual.SalvageValue = mp("1000", "USD")
	monthly := profile(StraightLine, 60, Monthly)
	monthly.SalvageValue = mp("1000", "USD")
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	inService := day(2024, 4, 15)
	cases := []struct {
		name string
		p    Profile
		asOf time.Time
		want string
	}{
		{"annual before in service", annual, day(2024, 4, 14), "10000"},
		{"annual on the in-service day", annual, day(2024, 4, 15), "10000"},
		{"annual inside the first year", annual, day(2024, 12, 31), "10000"},
		{"annual at the end of the first year", annual, day(2025, 4, 14), "8200"},
		{"annual inside the third year", annual, day(2026, 6, 1), "6400"},
		{"annual on the last day of the life", annual, day(2029, 4, 14), "1000"},
		{"annual after the life", annual, day(2040, 1, 1), "1000"},
		{"monthly before in service, same month", monthly, day(2024, 4, 1), "10000"},
		{"monthly inside the first month", monthly, day(2024, 4, 29), "10000"},
		{"monthly end of the first month", monthly, day(2024, 4, 30), "9850"},
		{"monthly end of the first calendar year", monthly, day(2024, 12, 31), "8650"},
		{"monthly last month closed", monthly, day(2029, 3, 31), "1000"},
		{"monthly after the life", monthly, day(2030, 1, 1), "1000"},
		// The calendar date of asOf counts, not its instant in UTC.
		{"asOf in another zone", monthly, time.Date(2024, 4, 30, 0, 30, 0, 0, paris), "9850"}, // 29 April in UTC
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := BookValue(tc.p, money("10000", "usd"), inService, tc.asOf)
			require.NoError(t, err)
			require.True(t, d(tc.want).Equal(got.Amount), "want %s, got %s", tc.want, got.Amount)
			require.Equal(t, "USD", got.Currency)
		})
	}
}

func TestBookValueBadInput(t *testing.T) {
	t.Parallel()
	p := profile(StraightLine, 0, Annual)
	_, err := BookValue(p, money("1", "USD"), day(2024, 1, 1), day(2025, 1, 1))
	requireInvalid(t, err, "usefulLifeMonths")
}

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	var e *itam.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, itam.CodeInvalid, e.Code, err.Error())
	require.Equal(t, field, e.Field, err.Error())
}

func TestProfileValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(p *Profile)
		field  string // "" = valid
	}{
		{"valid straight line", func(p *Profile) {}, ""},
		{"valid declining with rate", func(p *Profile) { p.Method = DecliningBalance; p.Rate = dp("1.5") }, ""},
		{"valid salvage percent 0", func(p *Profile) { p.SalvagePercent = dp("0") }, ""},
		{"valid salvage value", func(p *Profile) { p.SalvageValue = mp("100", "eur") }, ""},
		{"valid 600 months", func(p *Profile) { p.UsefulLifeMonths = 600 }, ""},
		{"name blank", func(p *Profile) { p.Name = "  " }, "name"},
		{"name too long", func(p *Profile) { p.Name = strings.Repeat("x", 201) }, "name"},
		{"unknown method", func(p *Profile) { p.Method = "UNITS_OF_PRODUCTION" }, "method"},
		{"unknown convention", func(p *Profile) { p.Convention = "HALF_YEAR" }, "convention"},
		{"useful life 0", func(p *Profile) { p.UsefulLifeMonths = 0 }, "usefulLifeMonths"},
		{"useful life negative", func(p *Profile) { p.UsefulLifeMonths = -12 }, "usefulLifeMonths"},
		{"useful life 601", func(p *Profile) { p.UsefulLifeMonths = 601 }, "usefulLifeMonths"},
		{"both salvage fields", func(p *Profile) { p.SalvageValue = mp("1", "USD"); p.SalvagePercent = dp("1") }, "salvagePercent"},
		{"salvage percent 100", func(p *Profile) { p.SalvagePercent = dp("100") }, "salvagePercent"},
		{"salvage percent negative", func(p *Profile) { p.SalvagePercent = dp("-0.1") }, "salvagePercent"},
		{"salvage negative", func(p *Profile) { p.SalvageValue = mp("-1", "USD") }, "salvageValue.amount"},
		{"salvage unknown currency", func(p *Profile) { p.SalvageValue = mp("1", "XYZ") }, "salvageValue.currency"},
		{"declining without rate", func(p *Profile) { p.Method = DecliningBalance }, "rate"},
		{"declining rate 0", func(p *Profile) { p.Method = DecliningBalance; p.Rate = dp("0") }, "rate"},
		{"declining rate negative", func(p *Profile) { p.Method = DecliningBalance; p.Rate = dp("-1.5") }, "rate"},
		{"rate on straight line", func(p *Profile) { p.Rate = dp("1.5") }, "rate"},
		{"rate on double declining", func(p *Profile) { p.Method = DoubleDecliningBalance; p.Rate = dp("2") }, "rate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := Profile{Name: " Laptops ", Method: StraightLine, UsefulLifeMonths: 36, Convention: Monthly}
			tc.change(&p)
			err := p.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				require.Equal(t, "Laptops", p.Name)
				if p.SalvageValue != nil {
					require.Equal(t, "EUR", p.SalvageValue.Currency)
				}
				return
			}
			requireInvalid(t, err, tc.field)
		})
	}
}

func TestScheduleBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		change func(p *Profile)
		cost   itam.Money
		field  string
	}{
		{"useful life 0", func(p *Profile) { p.UsefulLifeMonths = 0 }, money("1000", "USD"), "usefulLifeMonths"},
		{"salvage above cost", func(p *Profile) { p.SalvageValue = mp("1000.01", "USD") }, money("1000", "USD"), "salvageValue"},
		{"salvage in another currency", func(p *Profile) { p.SalvageValue = mp("10", "EUR") }, money("1000", "USD"), "salvageValue.currency"},
		{"rate 0", func(p *Profile) { p.Method = DecliningBalance; p.Rate = dp("0") }, money("1000", "USD"), "rate"},
		{"negative cost", func(p *Profile) {}, money("-1", "USD"), "cost.amount"},
		{"unknown cost currency", func(p *Profile) {}, money("1000", "ABC"), "cost.currency"},
		{"empty cost currency", func(p *Profile) {}, money("1000", ""), "cost.currency"},
		{"unknown salvage currency", func(p *Profile) { p.SalvageValue = mp("1", "ABC") }, money("1000", "USD"), "salvageValue.currency"},
		{"negative salvage", func(p *Profile) { p.SalvageValue = mp("-1", "USD") }, money("1000", "USD"), "salvageValue.amount"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := profile(StraightLine, 36, Annual)
			tc.change(&p)
			sched, err := Schedule(p, tc.cost, day(2024, 1, 1))
			requireInvalid(t, err, tc.field)
			require.Nil(t, sched)
		})
	}

	// Salvage equal to cost is allowed: nothing to depreciate, every period 0.
	p := profile(DoubleDecliningBalance, 24, Annual)
	p.SalvageValue = mp("500", "USD")
	sched, err := Schedule(p, money("500", "USD"), day(2024, 1, 1))
	require.NoError(t, err)
	require.Equal(t, []string{"0", "0"}, amounts(t, sched))
}
