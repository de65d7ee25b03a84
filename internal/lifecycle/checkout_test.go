package lifecycle_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

func TestCheckin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		before     itam.Asset
		req        lifecycle.CheckinRequest
		want       func(a *itam.Asset)
		field, err string
	}{
		{name: "deployed, back to the shelf", before: itam.Asset{Status: dep, AssignedPersonID: person, LocationID: place, Condition: itam.ConditionNew},
			req: lifecycle.CheckinRequest{Condition: itam.ConditionFair, LocationID: shelf},
			want: func(a *itam.Asset) {
				a.Status, a.AssignedPersonID, a.Condition, a.LocationID = stk, nil, itam.ConditionFair, shelf
			}},
		{name: "no location given: stays where it is", before: itam.Asset{Status: dep, AssignedLocationID: place, LocationID: place},
			req:  lifecycle.CheckinRequest{Condition: itam.ConditionGood},
			want: func(a *itam.Asset) { a.Status, a.AssignedLocationID, a.Condition = stk, nil, itam.ConditionGood }},
		{name: "not checked out", before: itam.Asset{AssetTag: "LT-1", Status: stk}, req: lifecycle.CheckinRequest{Condition: itam.ConditionGood},
			field: "assetId", err: "asset LT-1 is not checked out"},
		{name: "in repair goes through transitionAsset", before: itam.Asset{AssetTag: "LT-1", Status: rep, AssignedPersonID: person},
			req: lifecycle.CheckinRequest{Condition: itam.ConditionGood}, field: "assetId", err: "asset LT-1 is IN_REPAIR, not DEPLOYED: use transitionAsset"},
		{name: "unknown condition", before: itam.Asset{Status: dep, AssignedPersonID: person}, req: lifecycle.CheckinRequest{Condition: "SHINY"},
			field: "condition", err: `unknown condition "SHINY"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := lifecycle.Checkin(tt.before, tt.req)
			if tt.err != "" {
				requireInvalid(t, err, tt.field, tt.err)
				return
			}
			require.NoError(t, err)
			want := tt.before
			tt.want(&want)
			require.Equal(t, lifecycle.Change{Asset: want, Action: itam.HistoryCheckin}, ch)
			require.True(t, lifecycle.Returned(tt.before, ch.Asset))
		})
	}
}

func TestAccept(t *testing.T) {
	t.Parallel()
	other := ref(uuid.MustParse("00000000-0000-0000-0000-00000000000e"))
	at := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	pending := &lifecycle.Checkout{PersonID: person, RequiresAcceptance: true}
	tests := []struct {
		name   string
		c      *lifecycle.Checkout
		caller *uuid.UUID
		code   itam.Code
		err    string
	}{
		{"the holder accepts", pending, person, "", ""},
		{"someone else", pending, other, itam.CodeForbidden, "only the person an asset is assigned to"},
		{"a caller without a person record", pending, nil, itam.CodeForbidden, "only the person"},
		{"not checked out", nil, person, itam.CodeForbidden, "only the person"},
		{"checked out to a place", &lifecycle.Checkout{LocationID: place, RequiresAcceptance: true}, person, itam.CodeForbidden, "only the person"},
		{"no acceptance asked", &lifecycle.Checkout{PersonID: person}, person, itam.CodeInvalid, "does not ask for acceptance"},
		{"already accepted", &lifecycle.Checkout{PersonID: person, RequiresAcceptance: true, AcceptedAt: &at}, person, itam.CodeInvalid, "already accepted on 2026-06-15T09:00:00Z"},
		{"already accepted, someone else", &lifecycle.Checkout{PersonID: person, RequiresAcceptance: true, AcceptedAt: &at}, other, itam.CodeForbidden, "only the person"},
	}
	for _, tt := range tests {
		err := lifecycle.Accept(tt.c, tt.caller)
		if tt.err == "" {
			require.NoError(t, err, tt.name)
			continue
		}
		require.Equal(t, tt.code, itam.ErrorCode(err), tt.name)
		require.ErrorContains(t, err, tt.err, tt.name)
	}
}

func TestDaysOverdue(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 6, 15, 23, 30, 0, 0, time.UTC)
	day := func(d int) *time.Time { return ref(time.Date(2026, 6, d, 0, 0, 0, 0, time.UTC)) }
	tests := []struct {
		name string
		c    lifecycle.Checkout
		want int
	}{
		{"no due date", lifecycle.Checkout{}, 0},
		{"due today", lifecycle.Checkout{ExpectedReturnDate: day(15)}, 0},
		{"due tomorrow", lifecycle.Checkout{ExpectedReturnDate: day(16)}, 0},
		{"due yesterday", lifecycle.Checkout{ExpectedReturnDate: day(14)}, 1},
		{"due ten days ago", lifecycle.Checkout{ExpectedReturnDate: day(5)}, 10},
		{"returned late", lifecycle.Checkout{ExpectedReturnDate: day(5), ReturnedAt: &today}, 0},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.c.DaysOverdue(today), tt.name)
	}
}

func TestOverdueFilterDueBefore(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 6, 15, 23, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		min  *int
		want time.Time
		err  string
	}{
		{"default: due before today", nil, time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC), ""},
		{"a week late", ref(7), time.Date(2026, 6, 8, 0, 0, 0, 0, time.UTC), ""},
		{"zero", ref(0), time.Time{}, "must be between 1 and 36500, got 0"},
		{"too many", ref(36501), time.Time{}, "must be between 1 and 36500"},
	}
	for _, tt := range tests {
		got, err := lifecycle.OverdueFilter{MinDaysOverdue: tt.min}.DueBefore(today)
		if tt.err != "" {
			requireInvalid(t, err, "filter.minDaysOverdue", tt.err)
			continue
		}
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.want, got, tt.name)
	}
}
