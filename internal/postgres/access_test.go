package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// TestOrgIDByClaim: a token's org claim resolves to an existing
// organization, by slug or by id, in one round trip; anything else is
// NOT_FOUND, a random UUID included.
func TestOrgIDByClaim(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var rounds atomic.Int64
	f.db.Queries = func() { rounds.Add(1) }
	for _, tc := range []struct {
		name, claim string
		want        uuid.UUID // Nil: NOT_FOUND
	}{
		{"slug", "alpha", f.a.id},
		{"id", f.b.id.String(), f.b.id},
		{"upper-case id", strings.ToUpper(f.a.id.String()), f.a.id},
		{"unknown slug", "initech", uuid.Nil},
		{"unknown id", uuid.NewString(), uuid.Nil},
		{"id without dashes is a slug", strings.ReplaceAll(f.a.id.String(), "-", ""), uuid.Nil},
	} {
		rounds.Store(0)
		id, err := f.db.OrgIDByClaim(t.Context(), tc.claim)
		if tc.want == uuid.Nil {
			requireCode(t, err, itam.CodeNotFound, "")
		} else {
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.want, id, tc.name)
		}
		require.EqualValues(t, 1, rounds.Load(), tc.name)
	}
}

// TestOffboardedEmployeeReadsNothing: once an EMPLOYEE's person record is
// offboarded, every read of their token is FORBIDDEN, at no extra round
// trip; other roles are not affected, and an EMPLOYEE without a person
// record still reads (nothing of anyone's).
func TestOffboardedEmployeeReadsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	personStore, models := NewPersonStore(f.db), NewModelStore(f.db)
	mine := f.newAsset(f.a, func(in *itam.AssetInput) { in.OwnerPersonID = &f.a.bob })
	_, err := f.assets.AssignAsset(f.admin(f.a), mine.ID, itam.Assignee{PersonID: &f.a.bob}, nil)
	require.NoError(t, err)
	var rounds atomic.Int64
	f.db.Queries = func() { rounds.Add(1) }
	bob := as(f.a.id, itam.RoleEmployee, "BOB@alpha.test")

	reads := map[string]func(ctx context.Context) error{
		"list assets": func(ctx context.Context) error {
			_, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{})
			return err
		},
		"assets by id": func(ctx context.Context) error {
			_, err := f.assets.AssetsByIDs(ctx, []uuid.UUID{mine.ID})
			return err
		},
		"count assets": func(ctx context.Context) error {
			_, err := f.assets.CountAssets(ctx, nil)
			return err
		},
		"history": func(ctx context.Context) error {
			_, err := f.assets.HistoryOf(ctx, mine, itam.PageArgs{})
			return err
		},
		"own person": func(ctx context.Context) error {
			_, err := personStore.PeopleByIDs(ctx, []uuid.UUID{f.a.bob})
			return err
		},
		"people": func(ctx context.Context) error {
			_, err := personStore.ListPeople(ctx, itam.PersonQuery{}, itam.PageArgs{})
			return err
		},
		"models": func(ctx context.Context) error {
			_, err := models.ModelsByIDs(ctx, []uuid.UUID{f.a.laptop})
			return err
		},
	}
	for name, read := range reads {
		rounds.Store(0)
		require.NoError(t, read(bob), name)
		require.EqualValues(t, 1, rounds.Load(), "%s: the check adds no round trip", name)
	}
	page, err := f.assets.ListAssets(bob, itam.AssetQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	f.exec(`UPDATE people SET status = 'OFFBOARDED' WHERE id = $1`, f.a.bob)
	carol := as(f.a.id, itam.RoleEmployee, "carol@alpha.test") // offboarded from the start
	for name, read := range reads {
		rounds.Store(0)
		requireCode(t, read(bob), itam.CodeForbidden, "")
		require.EqualValues(t, 1, rounds.Load(), name)
		requireCode(t, read(carol), itam.CodeForbidden, "")
	}
	// Writes are refused too (by role first; the check backs it up).
	_, err = f.assets.UnassignAsset(bob, mine.ID, nil)
	requireCode(t, err, itam.CodeForbidden, "")

	// Only EMPLOYEE tokens read through a person record.
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		for name, read := range reads {
			require.NoError(t, read(as(f.a.id, role, "bob@alpha.test")), "%s %s", role, name)
		}
	}
	// Bob in another organization is another person.
	_, err = f.assets.ListAssets(as(f.b.id, itam.RoleEmployee, "bob@bravo.test"), itam.AssetQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	// No person record: nothing to read, and no error.
	stranger := as(f.a.id, itam.RoleEmployee, "nobody@alpha.test")
	page, err = f.assets.ListAssets(stranger, itam.AssetQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, page.Items)
	people, err := personStore.ListPeople(stranger, itam.PersonQuery{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, people.Items)
}

// TestEmployeeHistoryShowsOnlyTheirs: an EMPLOYEE's view of their asset's
// history shows their own person id, hides other people's, and leaves out
// supplier and cost changes; ADMIN, MANAGER and AUDITOR see every change as
// recorded.
func TestEmployeeHistoryShowsOnlyTheirs(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.newAsset(f.a, func(in *itam.AssetInput) {
		in.OwnerPersonID, in.SupplierID, in.OrderNumber = &f.a.alice, &f.a.supplier, ptr("PO-7")
	})
	_, err := f.assets.AssignAsset(f.admin(f.a), a.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	require.NoError(t, err)
	_, err = f.assets.CheckOutAsset(f.admin(f.a), a.ID, lifecycle.AssignRequest{To: itam.Assignee{PersonID: &f.a.bob}, Reassign: true}, nil)
	require.NoError(t, err)

	type change struct{ from, to string }
	changes := func(ctx context.Context) []map[string]change {
		t.Helper()
		hist, err := f.assets.AssetHistory(ctx, a.ID, itam.PageArgs{})
		require.NoError(t, err)
		var out []map[string]change
		for _, h := range hist.Items {
			m := map[string]change{}
			for _, c := range h.Changes {
				m[c.Field] = change{string(c.From), string(c.To)}
			}
			out = append(out, m)
		}
		return out
	}
	q := func(id uuid.UUID) string { b, _ := json.Marshal(id); return string(b) }
	const redacted = `"[redacted]"`

	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		all := changes(as(f.a.id, role, "staff@alpha.test"))
		require.Len(t, all, 3, role)
		require.Equal(t, change{"null", q(f.a.supplier)}, all[0]["supplierId"], role)
		require.Equal(t, change{"null", q(f.a.alice)}, all[0]["ownerPersonId"], role)
		require.Contains(t, all[0], "orderNumber", role)
		require.Equal(t, change{"null", q(f.a.alice)}, all[1]["assignedPersonId"], role)
		require.Equal(t, change{q(f.a.alice), q(f.a.bob)}, all[2]["assignedPersonId"], role)
	}

	mine := changes(as(f.a.id, itam.RoleEmployee, "bob@alpha.test"))
	require.Len(t, mine, 3)
	require.NotContains(t, mine[0], "supplierId")
	require.NotContains(t, mine[0], "orderNumber")
	require.Equal(t, change{"null", redacted}, mine[0]["ownerPersonId"])
	require.Equal(t, change{"null", q(f.a.laptop)}, mine[0]["modelId"], "ids the employee may read stay")
	require.Equal(t, change{"null", redacted}, mine[1]["assignedPersonId"])
	require.Equal(t, change{redacted, q(f.a.bob)}, mine[2]["assignedPersonId"], "their own id shows")
	for _, entry := range mine {
		for field, c := range entry {
			for _, v := range []string{c.from, c.to} {
				require.NotContains(t, v, f.a.alice.String(), field)
				require.NotContains(t, v, f.a.supplier.String(), field)
			}
		}
	}
}
