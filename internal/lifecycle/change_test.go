package lifecycle_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

func ref[T any](v T) *T { return &v }

var (
	person   = ref(uuid.MustParse("00000000-0000-0000-0000-00000000000a"))
	place    = ref(uuid.MustParse("00000000-0000-0000-0000-00000000000b"))
	shelf    = ref(uuid.MustParse("00000000-0000-0000-0000-00000000000c"))
	toPerson = itam.Assignee{PersonID: person}
	toPlace  = itam.Assignee{LocationID: place}
)

// requireInvalid checks err is a BAD_USER_INPUT on field whose message
// contains msg.
func requireInvalid(t *testing.T, err error, field, msg string) {
	t.Helper()
	var e *itam.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, itam.CodeInvalid, e.Code, e.Message)
	require.Equal(t, field, e.Field, e.Message)
	require.Contains(t, e.Message, msg)
}

func TestCreate(t *testing.T) {
	t.Parallel()
	model := uuid.MustParse("00000000-0000-0000-0000-0000000000ff")
	tests := []struct {
		name       string
		in         itam.AssetInput
		assignee   *itam.Assignee
		want       func(a *itam.Asset) // changes to the expected defaults
		field, err string              // the refusal, if any
	}{
		{name: "defaults: in stock, new, untagged", in: itam.AssetInput{ModelID: model}},
		{name: "text trimmed, blank dropped", in: itam.AssetInput{ModelID: model, AssetTag: ref("  LT-1 "), SerialNumber: ref(" SN "), Name: ref("  "), OrderNumber: ref(" PO-1 ")},
			want: func(a *itam.Asset) { a.AssetTag, a.SerialNumber, a.OrderNumber = "LT-1", ref("SN"), ref("PO-1") }},
		{name: "starts ordered", in: itam.AssetInput{ModelID: model, Status: ref(ord)}, want: func(a *itam.Asset) { a.Status = ord }},
		{name: "condition given", in: itam.AssetInput{ModelID: model, Condition: ref(itam.ConditionFair)}, want: func(a *itam.Asset) { a.Condition = itam.ConditionFair }},
		{name: "cannot start deployed", in: itam.AssetInput{ModelID: model, Status: ref(dep)}, field: "status", err: "starts ORDERED or IN_STOCK"},
		{name: "cannot start retired", in: itam.AssetInput{ModelID: model, Status: ref(ret)}, field: "status", err: "not RETIRED"},
		{name: "blank tag", in: itam.AssetInput{ModelID: model, AssetTag: ref("   ")}, field: "assetTag", err: "cannot be blank"},
		{name: "assigned to a person starts deployed", in: itam.AssetInput{ModelID: model}, assignee: &toPerson,
			want: func(a *itam.Asset) { a.Status, a.AssignedPersonID = dep, person }},
		{name: "assigned to a place is located there", in: itam.AssetInput{ModelID: model}, assignee: &toPlace,
			want: func(a *itam.Asset) { a.Status, a.AssignedLocationID, a.LocationID = dep, place, place }},
		{name: "a given location wins over the assignee's", in: itam.AssetInput{ModelID: model, LocationID: shelf}, assignee: &toPlace,
			want: func(a *itam.Asset) { a.Status, a.AssignedLocationID, a.LocationID = dep, place, shelf }},
		{name: "ordered cannot be assigned", in: itam.AssetInput{ModelID: model, Status: ref(ord)}, assignee: &toPerson, field: "status", err: "cannot assign an asset that is ORDERED"},
		{name: "assignee is one of the two", in: itam.AssetInput{ModelID: model}, assignee: &itam.Assignee{PersonID: person, LocationID: place}, field: "assigneeId", err: "exactly one"},
		{name: "assignee is not none", in: itam.AssetInput{ModelID: model}, assignee: &itam.Assignee{}, field: "assigneeId", err: "exactly one"},
		{name: "external id needs a source", in: itam.AssetInput{ModelID: model, ExternalIDs: []itam.ExternalID{{Source: "jamf", ExternalID: "1"}, {Source: " ", ExternalID: "2"}}},
			field: "externalIds[1]", err: "required"},
		{name: "external id needs an id", in: itam.AssetInput{ModelID: model, ExternalIDs: []itam.ExternalID{{Source: "jamf", ExternalID: ""}}},
			field: "externalIds[0]", err: "required"},
		{name: "external ids trimmed", in: itam.AssetInput{ModelID: model, ExternalIDs: []itam.ExternalID{{Source: " jamf ", ExternalID: " 7 "}}},
			want: func(a *itam.Asset) { a.ExternalIDs = []itam.ExternalID{{Source: "jamf", ExternalID: "7"}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := lifecycle.Create(tt.in, tt.assignee)
			if tt.err != "" {
				requireInvalid(t, err, tt.field, tt.err)
				return
			}
			require.NoError(t, err)
			want := itam.Asset{ModelID: model, Status: stk, Condition: itam.ConditionNew}
			if tt.want != nil {
				tt.want(&want)
			}
			require.Equal(t, want, ch.Asset)
			require.Equal(t, itam.HistoryCreate, ch.Action)
		})
	}
}

func TestAssign(t *testing.T) {
	t.Parallel()
	today := time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC)
	home := ref(uuid.MustParse("00000000-0000-0000-0000-00000000000d"))
	other := ref(uuid.MustParse("00000000-0000-0000-0000-00000000000e"))
	stock := itam.Asset{AssetTag: "LT-1", Status: stk, LocationID: shelf}
	held := itam.Asset{AssetTag: "LT-1", Status: dep, LocationID: shelf, AssignedPersonID: other}
	tests := []struct {
		name       string
		before     itam.Asset
		req        lifecycle.AssignRequest
		facts      lifecycle.AssignFacts
		want       func(a *itam.Asset) // from before
		field, err string
	}{
		{name: "to a person without a location: stays where it is", before: stock, req: lifecycle.AssignRequest{To: toPerson},
			want: func(a *itam.Asset) { a.Status, a.AssignedPersonID = dep, person }},
		{name: "to a person with a location: moves there", before: stock, req: lifecycle.AssignRequest{To: toPerson}, facts: lifecycle.AssignFacts{PersonLocation: home},
			want: func(a *itam.Asset) { a.Status, a.AssignedPersonID, a.LocationID = dep, person, home }},
		{name: "an explicit location wins over the person's", before: stock, req: lifecycle.AssignRequest{To: toPerson, LocationID: place}, facts: lifecycle.AssignFacts{PersonLocation: home},
			want: func(a *itam.Asset) { a.Status, a.AssignedPersonID, a.LocationID = dep, person, place }},
		{name: "to a location: moves there", before: stock, req: lifecycle.AssignRequest{To: toPlace},
			want: func(a *itam.Asset) { a.Status, a.AssignedLocationID, a.LocationID = dep, place, place }},
		{name: "to a location, placed elsewhere", before: stock, req: lifecycle.AssignRequest{To: toPlace, LocationID: home},
			want: func(a *itam.Asset) { a.Status, a.AssignedLocationID, a.LocationID = dep, place, home }},
		{name: "held by someone else: refused, naming them", before: held, req: lifecycle.AssignRequest{To: toPerson}, facts: lifecycle.AssignFacts{Holder: "Grace Hopper"},
			field: "reassign", err: "asset LT-1 is assigned to Grace Hopper: pass reassign: true"},
		{name: "held by someone else, reassign", before: held, req: lifecycle.AssignRequest{To: toPerson, Reassign: true}, facts: lifecycle.AssignFacts{Holder: "Grace Hopper"},
			want: func(a *itam.Asset) { a.AssignedPersonID = person }},
		{name: "held by someone else, handed to a place", before: held, req: lifecycle.AssignRequest{To: toPlace, Reassign: true},
			want: func(a *itam.Asset) { a.AssignedPersonID, a.AssignedLocationID, a.LocationID = nil, place, place }},
		{name: "same holder again: refused", before: held, req: lifecycle.AssignRequest{To: itam.Assignee{PersonID: other}, Reassign: true}, facts: lifecycle.AssignFacts{Holder: "Grace Hopper"},
			field: "assigneeId", err: "asset LT-1 is already assigned to Grace Hopper: nothing to do"},
		{name: "due today", before: stock, req: lifecycle.AssignRequest{To: toPerson, ExpectedReturn: ref(time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC))},
			want: func(a *itam.Asset) { a.Status, a.AssignedPersonID = dep, person }},
		{name: "due yesterday", before: stock, req: lifecycle.AssignRequest{To: toPerson, ExpectedReturn: ref(time.Date(2026, 6, 14, 0, 0, 0, 0, time.UTC))},
			field: "expectedReturnDate", err: "expected return date 2026-06-14 is before today (2026-06-15, UTC)"},
		{name: "acceptance by a person", before: stock, req: lifecycle.AssignRequest{To: toPerson, RequireAcceptance: true},
			want: func(a *itam.Asset) { a.Status, a.AssignedPersonID = dep, person }},
		{name: "acceptance by a place", before: stock, req: lifecycle.AssignRequest{To: toPlace, RequireAcceptance: true},
			field: "requireAcceptance", err: "only a person can accept"},
		{name: "in repair keeps its holder", before: itam.Asset{Status: rep, AssignedPersonID: other}, req: lifecycle.AssignRequest{To: toPerson, Reassign: true},
			field: "status", err: "cannot assign an asset that is IN_REPAIR"},
		{name: "status before assignee", before: itam.Asset{Status: ret}, req: lifecycle.AssignRequest{},
			field: "status", err: "RETIRED"},
		{name: "assignee is one of the two", before: stock, req: lifecycle.AssignRequest{To: itam.Assignee{PersonID: person, LocationID: place}},
			field: "assigneeId", err: "exactly one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.facts.Today = today
			ch, err := lifecycle.Assign(tt.before, tt.req, tt.facts)
			if tt.err != "" {
				requireInvalid(t, err, tt.field, tt.err)
				return
			}
			require.NoError(t, err)
			want := tt.before
			tt.want(&want)
			require.Equal(t, lifecycle.Change{Asset: want, Action: itam.HistoryAssign}, ch)
		})
	}
	// Every status: only IN_STOCK and DEPLOYED may be assigned.
	for _, from := range all {
		_, err := lifecycle.Assign(itam.Asset{Status: from}, lifecycle.AssignRequest{To: toPerson}, lifecycle.AssignFacts{Today: today})
		if from == stk || from == dep {
			require.NoError(t, err, from)
			continue
		}
		requireInvalid(t, err, "status", "cannot assign an asset that is "+string(from))
	}
}

func TestUnassign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		before itam.Asset
		want   itam.AssetStatus
		err    string
	}{
		{"deployed to a person returns to stock", itam.Asset{Status: dep, AssignedPersonID: person}, stk, ""},
		{"deployed to a place returns to stock and stays there", itam.Asset{Status: dep, AssignedLocationID: place, LocationID: place}, stk, ""},
		{"in repair keeps its status", itam.Asset{Status: rep, AssignedPersonID: person}, rep, ""},
		{"lost keeps its status", itam.Asset{Status: lst, AssignedPersonID: person}, lst, ""},
		{"not assigned", itam.Asset{AssetTag: "LT-9", Status: stk}, "", "asset LT-9 is not assigned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ch, err := lifecycle.Unassign(tt.before)
			if tt.err != "" {
				requireInvalid(t, err, "id", tt.err)
				return
			}
			require.NoError(t, err)
			want := tt.before
			want.Status, want.AssignedPersonID, want.AssignedLocationID = tt.want, nil, nil
			require.Equal(t, lifecycle.Change{Asset: want, Action: itam.HistoryUnassign}, ch)
		})
	}
}

// Move applies Transition (walked above) to an asset: every status pair,
// assigned or not, either is refused with Transition's error or lands on
// the target, checked in when the target is IN_STOCK.
func TestMove(t *testing.T) {
	t.Parallel()
	for _, from := range all {
		for _, to := range append(all, "BROKEN") {
			for _, who := range []*uuid.UUID{nil, person} {
				before := itam.Asset{Status: from, AssignedPersonID: who, LocationID: shelf}
				ch, err := lifecycle.Move(before, to)
				if want := lifecycle.Transition(from, to, who != nil); want != nil {
					require.Equal(t, want, err, "%s → %s", from, to)
					continue
				}
				require.NoError(t, err)
				after := before
				after.Status = to
				if to == stk {
					after.AssignedPersonID = nil
				}
				require.Equal(t, lifecycle.Change{Asset: after, Action: itam.HistoryTransition}, ch, "%s → %s", from, to)
			}
		}
	}
	// Retiring is a Move to RETIRED: only unassigned, from stock.
	_, err := lifecycle.Move(itam.Asset{Status: stk, AssignedLocationID: place}, ret)
	requireInvalid(t, err, "status", "while it is assigned")
	ch, err := lifecycle.Move(itam.Asset{Status: stk}, ret)
	require.NoError(t, err)
	require.Equal(t, ret, ch.Asset.Status)
}

// The repair round trip keeps the holder: DEPLOYED → IN_REPAIR →
// DEPLOYED ends with the same assignee; IN_REPAIR → IN_STOCK checks it in.
func TestRepairRoundTrip(t *testing.T) {
	t.Parallel()
	deployed := itam.Asset{Status: dep, AssignedPersonID: person, LocationID: shelf}
	out, err := lifecycle.Move(deployed, rep)
	require.NoError(t, err)
	require.Equal(t, person, out.Asset.AssignedPersonID, "a repair keeps the holder")
	back, err := lifecycle.Move(out.Asset, dep)
	require.NoError(t, err)
	require.Equal(t, deployed, back.Asset)
	require.False(t, lifecycle.Returned(deployed, back.Asset))
	in, err := lifecycle.Move(out.Asset, stk)
	require.NoError(t, err)
	require.Nil(t, in.Asset.AssignedPersonID, "back to stock checks it in")
	require.True(t, lifecycle.Returned(out.Asset, in.Asset))
}

func TestReturned(t *testing.T) {
	t.Parallel()
	other := ref(uuid.MustParse("00000000-0000-0000-0000-00000000000e"))
	tests := []struct {
		name          string
		before, after itam.Asset
		want          bool
	}{
		{"checked in", itam.Asset{AssignedPersonID: person}, itam.Asset{}, true},
		{"handed on", itam.Asset{AssignedPersonID: person}, itam.Asset{AssignedPersonID: other}, true},
		{"person to place", itam.Asset{AssignedPersonID: person}, itam.Asset{AssignedLocationID: place}, true},
		{"kept", itam.Asset{AssignedPersonID: person}, itam.Asset{AssignedPersonID: ref(*person)}, false},
		{"checked out", itam.Asset{}, itam.Asset{AssignedPersonID: person}, false},
		{"never held", itam.Asset{}, itam.Asset{}, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, lifecycle.Returned(tt.before, tt.after), tt.name)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	for _, from := range all {
		for _, a := range []itam.Asset{
			{AssetTag: "LT-1", Status: from},
			{AssetTag: "LT-1", Status: from, AssignedPersonID: person},
			{AssetTag: "LT-1", Status: from, AssignedLocationID: place},
		} {
			ch, err := lifecycle.Delete(a)
			unassigned := a.AssignedPersonID == nil && a.AssignedLocationID == nil
			if (from == ord || from == stk) && unassigned {
				require.NoError(t, err, from)
				require.Equal(t, lifecycle.Change{Asset: a, Action: itam.HistoryDelete}, ch)
				continue
			}
			requireInvalid(t, err, "id", "asset LT-1 is "+string(from)+": only unassigned ORDERED or IN_STOCK assets can be deleted")
		}
	}
}
