package offboarding

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func requireCode(t *testing.T, err error, code itam.Code, field string) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, itam.ErrorCode(err), "%v", err)
	var e *itam.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, field, e.Field, "%v", err)
}

func TestCheckOffboard(t *testing.T) {
	today := day(2026, 6, 15)
	open := uuid.New()
	start := day(2026, 3, 1)
	for _, tc := range []struct {
		name      string
		person    Person
		effective time.Time
		field     string
	}{
		{"active, today", Person{Status: itam.PersonActive}, today, ""},
		{"a year back", Person{Status: itam.PersonActive}, today.AddDate(0, 0, -MaxEffectiveDateDays), ""},
		{"a year ahead", Person{Status: itam.PersonActive}, today.AddDate(0, 0, MaxEffectiveDateDays), ""},
		{"too far back", Person{Status: itam.PersonActive}, today.AddDate(0, 0, -MaxEffectiveDateDays-1), "effectiveDate"},
		{"too far ahead", Person{Status: itam.PersonActive}, today.AddDate(0, 0, MaxEffectiveDateDays+1), "effectiveDate"},
		{"offboarded, no open checklist: again", Person{Status: itam.PersonOffboarded}, today, ""},
		{"open checklist", Person{Status: itam.PersonOffboarded, OpenChecklist: &open}, today, "personId"},
		{"before the start", Person{Status: itam.PersonActive, StartDate: &start}, start.AddDate(0, 0, -1), "effectiveDate"},
		{"on the start", Person{Status: itam.PersonActive, StartDate: &start}, start, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckOffboard(tc.person, tc.effective, today)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			requireCode(t, err, itam.CodeInvalid, tc.field)
		})
	}
}

func TestNewChecklistKindsAndCompletion(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	due := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	laptop, loaner, seat := uuid.New(), uuid.New(), uuid.New()
	for _, tc := range []struct {
		name   string
		assets []HeldAsset
		seats  []uuid.UUID
		kinds  []ItemKind
		status Status
	}{
		{"nothing held: completed at once", nil, nil, []ItemKind{}, Completed},
		{"an assignment is an ASSET", []HeldAsset{{ID: laptop}}, nil, []ItemKind{KindAsset}, Open},
		{"a loan with a due date is a CHECKOUT", []HeldAsset{{ID: loaner, ExpectedReturnDate: &due}}, nil, []ItemKind{KindCheckout}, Open},
		{"assets first, then seats", []HeldAsset{{ID: laptop}, {ID: loaner, ExpectedReturnDate: &due}}, []uuid.UUID{seat},
			[]ItemKind{KindAsset, KindCheckout, KindLicenseSeat}, Open},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewChecklist(uuid.New(), now, tc.assets, tc.seats, "admin@test", now)
			kinds := []ItemKind{}
			for _, it := range c.Items {
				kinds = append(kinds, it.Kind)
				require.Equal(t, ToReturn, it.State)
			}
			require.Equal(t, tc.kinds, kinds)
			require.Equal(t, tc.status, c.Status)
			require.Equal(t, tc.status == Completed, c.CompletedAt != nil)
			require.Equal(t, day(2026, 6, 15), c.EffectiveDate)
		})
	}
}

func TestClosingItemsCompletesTheChecklist(t *testing.T) {
	now := time.Date(2026, 6, 15, 10, 0, 0, 0, time.UTC)
	due := day(2026, 7, 1)
	c := NewChecklist(uuid.New(), now, []HeldAsset{{ID: uuid.New()}, {ID: uuid.New(), ExpectedReturnDate: &due}}, []uuid.UUID{uuid.New()}, "a", now)
	asset, loan, seat := c.Items[0], c.Items[1], c.Items[2]

	require.True(t, CameBack(asset, "m@test", now))
	require.Equal(t, Returned, asset.State)
	require.False(t, CameBack(asset, "m@test", now), "closed once")
	require.False(t, c.Complete(now), "two still to return")

	require.True(t, CameBack(seat, "m@test", now))
	require.Equal(t, Reclaimed, seat.State, "a seat comes back reclaimed")
	require.False(t, c.Complete(now))

	requireCode(t, WriteOff(loan, " ", "m@test", now), itam.CodeInvalid, "reason")
	requireCode(t, WriteOff(loan, string(make([]rune, MaxReasonLength+1)), "m@test", now), itam.CodeInvalid, "reason")
	require.Equal(t, ToReturn, loan.State, "a refused write-off changes nothing")
	require.NoError(t, WriteOff(loan, " lost on a train ", "m@test", now))
	require.Equal(t, WrittenOff, loan.State)
	require.Equal(t, "lost on a train", *loan.Reason)
	requireCode(t, WriteOff(asset, "gone", "m@test", now), itam.CodeConflict, "itemId")

	require.True(t, c.Complete(now))
	require.Equal(t, Completed, c.Status)
	require.False(t, c.Complete(now), "completes once")
}

func TestDone(t *testing.T) {
	for _, tc := range []struct {
		states []ItemState
		done   bool
	}{
		{nil, true},
		{[]ItemState{Returned, Reclaimed, WrittenOff}, true},
		{[]ItemState{Returned, ToReturn}, false},
		{[]ItemState{ToReturn}, false},
	} {
		items := make([]*Item, len(tc.states))
		for i, s := range tc.states {
			items[i] = &Item{State: s}
		}
		require.Equal(t, tc.done, Done(items), "%v", tc.states)
	}
}

func TestRoles(t *testing.T) {
	org := uuid.New()
	for _, tc := range []struct {
		role        itam.Role
		read, write bool
	}{
		{itam.RoleAdmin, true, true},
		{itam.RoleManager, true, true},
		{itam.RoleAuditor, true, false},
		{itam.RoleEmployee, false, false},
	} {
		ctx := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: org, Role: tc.role, Subject: "x@test"})
		_, err := RequireRead(ctx)
		require.Equal(t, tc.read, err == nil, tc.role)
		_, err = RequireWrite(ctx)
		require.Equal(t, tc.write, err == nil, tc.role)
		if err != nil {
			require.Equal(t, itam.CodeForbidden, itam.ErrorCode(err))
		}
	}
}
