package audits

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestNextAuditDue(t *testing.T) {
	t.Parallel()
	twelve, one := 12, 1
	created := time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC)
	audited := time.Date(2026, 1, 31, 23, 0, 0, 0, time.UTC)
	bought := day("2020-06-30")
	for _, tc := range []struct {
		name              string
		status            itam.AssetStatus
		audited, purchase *time.Time
		interval          *int
		want              string // "" = nil
	}{
		{"no interval: never due", itam.StatusInStock, &audited, &bought, nil, ""},
		{"from the last audit", itam.StatusDeployed, &audited, &bought, &twelve, "2027-01-31"},
		{"month end clamps", itam.StatusInStock, &audited, nil, &one, "2026-02-28"},
		{"never audited: from the purchase date", itam.StatusInStock, nil, &bought, &twelve, "2021-06-30"},
		{"never audited nor bought: from when it was recorded", itam.StatusInStock, nil, nil, &twelve, "2027-03-10"},
		{"retired: none due", itam.StatusRetired, &audited, &bought, &twelve, ""},
		{"disposed: none due", itam.StatusDisposed, &audited, &bought, &twelve, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := NextAuditDue(tc.status, tc.audited, tc.purchase, created, tc.interval)
			if tc.want == "" {
				require.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			require.Equal(t, tc.want, got.Format(time.DateOnly))
		})
	}
}

func TestCheckInterval(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		months *int
		ok     bool
	}{{nil, true}, {ptr(1), true}, {ptr(120), true}, {ptr(0), false}, {ptr(121), false}, {ptr(-3), false}} {
		err := CheckInterval("auditIntervalMonths", tc.months)
		if tc.ok {
			require.NoError(t, err)
			continue
		}
		require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
	}
}

func ptr[T any](v T) *T { return &v }

func TestClose(t *testing.T) {
	t.Parallel()
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	here, there := uuid.New(), uuid.New()
	at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	seen := []Seen{
		{AssetID: a, Outcome: OutcomeFound, ScannedAt: at, ScannedLocationID: &there, Condition: itam.ConditionGood, LocationID: &here},
		{AssetID: b, Outcome: OutcomeUnexpected, ScannedAt: at, ScannedLocationID: &here, ScannedCondition: ptr(itam.ConditionPoor),
			Condition: itam.ConditionGood, LocationID: &there},
		{AssetID: c, Outcome: OutcomeUnexpected, ScannedAt: at, ScannedLocationID: &here, ScannedCondition: ptr(itam.ConditionGood),
			Condition: itam.ConditionGood, LocationID: &here},
	}
	for _, tc := range []struct {
		name string
		move bool
		want []AssetChange
	}{
		{"without moving: audit dates and changed conditions", false, []AssetChange{
			{AssetID: a, LastAuditedAt: at}, {AssetID: b, LastAuditedAt: at, Condition: ptr(itam.ConditionPoor)}, {AssetID: c, LastAuditedAt: at}}},
		{"moving: only UNEXPECTED assets registered elsewhere move", true, []AssetChange{
			{AssetID: a, LastAuditedAt: at}, {AssetID: b, LastAuditedAt: at, Condition: ptr(itam.ConditionPoor), LocationID: &here},
			{AssetID: c, LastAuditedAt: at}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Close(seen, tc.move)
			require.Equal(t, tc.want, got)
			require.False(t, got[0].Changed())
			require.True(t, got[1].Changed())
		})
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	x, y := Match{AssetID: uuid.New()}, Match{AssetID: uuid.New()}
	for _, tc := range []struct {
		name          string
		byTag, serial []Match
		want          *Match
		err           bool
	}{
		{"tag wins over serial", []Match{x}, []Match{y}, &x, false},
		{"serial", nil, []Match{y}, &y, false},
		{"unknown", nil, nil, nil, false},
		{"serial of two manufacturers is ambiguous", nil, []Match{x, y}, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve("C02", tc.byTag, tc.serial)
			if tc.err {
				require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	loc := uuid.New()
	for _, tc := range []struct {
		name  string
		in    CampaignInput
		field string
	}{
		{"ok with a location", CampaignInput{Name: " Q2 Berlin ", LocationID: &loc, DueDate: day("2026-06-30")}, ""},
		{"ok with a filter", CampaignInput{Name: "Laptops", Filter: &itam.AssetFilter{}, DueDate: day("2026-06-30")}, ""},
		{"no scope", CampaignInput{Name: "x", DueDate: day("2026-06-30")}, "locationId"},
		{"blank name", CampaignInput{Name: "  ", LocationID: &loc, DueDate: day("2026-06-30")}, "name"},
		{"no due date", CampaignInput{Name: "x", LocationID: &loc}, "dueDate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			err := in.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				require.NotContains(t, []string{" Q2 Berlin "}, in.Name)
				return
			}
			var e *itam.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tc.field, e.Field)
		})
	}
	for _, tc := range []struct {
		scan  Scan
		field string
	}{
		{Scan{Code: "  a-001\r\n"}, ""},
		{Scan{Code: " \t"}, "code"},
		{Scan{Code: "A-1", Condition: ptr(itam.Condition("SHINY"))}, "condition"},
	} {
		s := tc.scan
		err := s.Validate()
		if tc.field == "" {
			require.NoError(t, err)
			require.Equal(t, "a-001", s.Code)
			continue
		}
		var e *itam.Error
		require.ErrorAs(t, err, &e)
		require.Equal(t, tc.field, e.Field)
	}
}

func TestGhostCutoff(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		days int
		ok   bool
	}{{1, true}, {3650, true}, {0, false}, {3651, false}} {
		got, err := GhostCutoff(tc.days, now)
		if !tc.ok {
			var e *itam.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, "notSeenForDays", e.Field)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, now.AddDate(0, 0, -tc.days), got)
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	org := uuid.New()
	for _, tc := range []struct {
		role                 itam.Role
		manage, scan, reader bool
	}{
		{itam.RoleAdmin, true, true, true}, {itam.RoleManager, true, true, true},
		{itam.RoleAuditor, false, true, true}, {itam.RoleEmployee, false, false, false},
	} {
		ctx := itam.WithPrincipal(context.Background(), itam.Principal{Subject: "x@test", OrgID: org, Role: tc.role})
		_, err := RequireManage(ctx)
		require.Equal(t, tc.manage, err == nil, tc.role)
		_, err = RequireScan(ctx)
		require.Equal(t, tc.scan, err == nil, tc.role)
		_, err = RequireRead(ctx)
		require.Equal(t, tc.reader, err == nil, tc.role)
	}
}
