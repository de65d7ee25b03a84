package itam

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestBulkSelectionCheck(t *testing.T) {
	a, b := uuid.New(), uuid.New()
	many := make([]uuid.UUID, MaxBulkItems+1)
	for i := range many {
		many[i] = uuid.New()
	}
	for _, tc := range []struct {
		name  string
		sel   BulkSelection
		field string // "" when accepted
	}{
		{"ids", BulkSelection{IDs: []uuid.UUID{a, b}, HasIDs: true}, ""},
		{"empty ids: no items", BulkSelection{IDs: []uuid.UUID{}, HasIDs: true}, ""},
		{"filter", BulkSelection{Filter: &AssetFilter{}}, ""},
		{"ids at the cap", BulkSelection{IDs: many[:MaxBulkItems], HasIDs: true}, ""},
		{"neither", BulkSelection{}, "ids"},
		{"both", BulkSelection{IDs: []uuid.UUID{a}, HasIDs: true, Filter: &AssetFilter{}}, "filter"},
		{"ids over the cap", BulkSelection{IDs: many, HasIDs: true}, "ids"},
		{"an id twice", BulkSelection{IDs: []uuid.UUID{a, b, a}, HasIDs: true}, "ids[2]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.sel.Check()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, CodeInvalid, ErrorCode(err))
			require.Equal(t, tc.field, err.(*Error).Field)
		})
	}
}

func TestCheckBulkMatches(t *testing.T) {
	require.NoError(t, CheckBulkMatches(MaxBulkItems))
	err := CheckBulkMatches(MaxBulkItems + 1)
	require.Equal(t, CodeInvalid, ErrorCode(err))
	require.Equal(t, "filter", err.(*Error).Field)
	require.Contains(t, err.Error(), "matches 1001 items; at most 1000")
}

func TestBulkResultSettle(t *testing.T) {
	v := 7
	refused := Invalid("status", "no")
	for _, tc := range []struct {
		name      string
		errs      []*Error
		partial   bool
		applied   bool
		succeeded int
	}{
		{"all good", []*Error{nil, nil}, false, true, 2},
		{"one bad: nothing applied", []*Error{nil, refused}, false, false, 1},
		{"one bad, partial: the good one applied", []*Error{nil, refused}, true, true, 1},
		{"all bad, partial", []*Error{refused, refused}, true, true, 0},
		{"no items", nil, false, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := BulkResult[*int]{}
			for _, e := range tc.errs {
				it := BulkItem[*int]{ID: uuid.New(), Err: e}
				if e == nil {
					it.Value = &v
				}
				r.Items = append(r.Items, it)
			}
			require.Equal(t, tc.applied, r.Settle(tc.partial))
			require.Equal(t, tc.applied, r.Applied)
			require.Equal(t, tc.succeeded, r.Succeeded())
			require.Equal(t, len(tc.errs)-tc.succeeded, r.Failed())
			for _, it := range r.Items {
				// A value is reported only when it was written.
				require.Equal(t, tc.applied && it.Err == nil, it.Value != nil)
			}
		})
	}
}

func TestBulkItemError(t *testing.T) {
	for _, tc := range []struct {
		err  error
		item bool
	}{
		{Invalid("status", "refused move"), true},
		{NotFound("asset"), true},
		{Conflict("version", "stale"), true},
		{Forbidden("no"), false},
		{Timeout("slow"), false},
		{&Error{Code: CodeInternal, Message: "x"}, false},
		{errors.New("connection reset"), false},
	} {
		e, ok := BulkItemError(tc.err)
		require.Equal(t, tc.item, ok, "%v", tc.err)
		require.Equal(t, tc.item, e != nil)
	}
}

func TestCheckBulkPatch(t *testing.T) {
	name := "x"
	for _, tc := range []struct {
		name  string
		patch AssetPatch
		field string
	}{
		{"descriptive fields", AssetPatch{Name: Some(name), Notes: Optional[string]{Set: true}}, ""},
		{"a tag", AssetPatch{AssetTag: Some(name)}, "patch.assetTag"},
		{"a serial, even cleared", AssetPatch{SerialNumber: Optional[string]{Set: true}}, "patch.serialNumber"},
	} {
		err := CheckBulkPatch(tc.patch)
		if tc.field == "" {
			require.NoError(t, err, tc.name)
			continue
		}
		require.Equal(t, tc.field, err.(*Error).Field, tc.name)
	}
}
