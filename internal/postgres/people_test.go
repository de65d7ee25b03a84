package postgres

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/stretchr/testify/require"
)

// TestPersonStore: org A sees its own people only; bad emails, dates,
// self-management, other tenants' references and deleting a manager or
// assignee are refused and write nothing; an EMPLOYEE sees only themself.
func TestPersonStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := f.A.admin
	stale := 99
	auditor := f.auditor()
	employee := f.employee()

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedLists(t, []isolatedList{
			{"people", func() ([]uuid.UUID, error) {
				p, err := f.people.ListPeople(ctx, itam.PersonQuery{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Person) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.people.CountPeople(ctx, itam.PersonFilter{}) }, []uuid.UUID{A.ann.ID, A.boss.ID}},
		})
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"people", func(x []uuid.UUID) (int, error) { m, err := f.people.PeopleByIDs(ctx, x); return len(m), err }, A.ann.ID, B.ann.ID},
		})
	})
	t.Run("refuses bad writes without writing", func(t *testing.T) {
		f.requireRefusals(t, []refusal{
			// Blank required names.
			{"person blank name", func() error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "", Email: "x@y"})
				return err
			}, itam.CodeInvalid, "name"},

			// Duplicates, regardless of case.
			{"duplicate email", func() error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "Ann 2", Email: "ANN@example.COM"})
				return err
			}, itam.CodeConflict, "email"},
			{"duplicate email on update", func() error {
				_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.boss.ID, Version: A.boss.Version, Email: itam.Some("ann@example.com")})
				return err
			}, itam.CodeConflict, "email"},

			// Invalid values.
			{"bad email", func() error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "X", Email: "not an email"})
				return err
			}, itam.CodeInvalid, "email"},
			{"end before start", func() error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "X", Email: "x@y", StartDate: ptr(date(2024, 2, 1)), EndDate: ptr(date(2024, 1, 1))})
				return err
			}, itam.CodeInvalid, "endDate"},
			{"own manager", func() error {
				_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.ann.ID, Version: A.ann.Version, ManagerID: itam.Some(A.ann.ID)})
				return err
			}, itam.CodeInvalid, "managerId"},

			// References to rows of another organization are unknown.
			{"team of another org", func() error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "X", Email: "x@y", TeamID: &B.team.ID})
				return err
			}, itam.CodeInvalid, "teamId"},
			{"manager of another org", func() error {
				_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.ann.ID, Version: A.ann.Version, ManagerID: itam.Some(B.boss.ID)})
				return err
			}, itam.CodeInvalid, "managerId"},
			{"location of another org", func() error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "X", Email: "x@y", LocationID: &B.floor.ID})
				return err
			}, itam.CodeInvalid, "locationId"},

			// Stale versions.
			{"stale person", func() error {
				_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.ann.ID, Version: stale, Title: itam.Some("T")})
				return err
			}, itam.CodeConflict, "version"},

			// Deletes of referenced rows.
			{"delete manager", func() error { _, err := f.people.DeletePerson(ctx, A.boss.ID, nil); return err }, itam.CodeConflict, "id"},
			{"delete assignee", func() error { _, err := f.people.DeletePerson(ctx, A.ann.ID, nil); return err }, itam.CodeConflict, "id"},
		})
	})
	t.Run("roles", func(t *testing.T) {
		f.requireWritersOnly(t, false, map[string]func(ctx context.Context) error{
			"CreatePerson": func(ctx context.Context) error {
				_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "P", Email: "p@x"})
				return err
			},
			"UpdatePerson": func(ctx context.Context) error {
				_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.ann.ID, Version: 1, Title: itam.Some("Boss")})
				return err
			},
			"DeletePerson": func(ctx context.Context) error { _, err := f.people.DeletePerson(ctx, A.ann.ID, nil); return err },
		})
		t.Run("employee sees only their own person", func(t *testing.T) {
			page, err := f.people.ListPeople(employee, itam.PersonQuery{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Equal(t, []uuid.UUID{A.ann.ID}, ids(page.Items, func(p *itam.Person) uuid.UUID { return p.ID }))
			n, err := f.people.CountPeople(employee, itam.PersonFilter{})
			require.NoError(t, err)
			require.Equal(t, 1, n)
			m, err := f.people.PeopleByIDs(employee, []uuid.UUID{A.ann.ID, A.boss.ID})
			require.NoError(t, err)
			require.Len(t, m, 1)
			require.Contains(t, m, A.ann.ID)

			// Someone without a person record sees nobody.
			page, err = f.people.ListPeople(as(f.orgA, itam.RoleEmployee, "contractor@x"), itam.PersonQuery{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Empty(t, page.Items)

			// Everyone else sees everyone.
			n, err = f.people.CountPeople(auditor, itam.PersonFilter{})
			require.NoError(t, err)
			require.Equal(t, 2, n)
		})
	})
	t.Run("create update delete", func(t *testing.T) {
		f.requireCRUD(t, []crudCase{
			{
				name: "person", table: "people",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: " Zoe ", Email: " Zoe@Example.com ", EmployeeNumber: ptr("E-1"),
						TeamID: &f.A.team.ID, StartDate: ptr(date(2024, 1, 2))})
					require.NoError(t, err)
					require.Equal(t, "Zoe", x.Name)
					require.Equal(t, "Zoe@Example.com", x.Email, "email is stored as given")
					require.Equal(t, itam.PersonActive, x.Status)
					require.Equal(t, f.A.team.ID, *x.TeamID)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					x, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: id, Version: v, Title: itam.Some("CFO"), TeamID: itam.Optional[uuid.UUID]{Set: true},
						ManagerID: itam.Some(f.A.boss.ID), Status: itam.Some(itam.PersonOffboarded), EndDate: itam.Some(date(2025, 6, 30))})
					require.NoError(t, err)
					require.Equal(t, "CFO", *x.Title)
					require.Nil(t, x.TeamID)
					require.Equal(t, f.A.boss.ID, *x.ManagerID)
					require.Equal(t, itam.PersonOffboarded, x.Status)
					require.Equal(t, "2025-06-30", x.EndDate.Format(time.DateOnly))
					require.Equal(t, "2024-01-02", x.StartDate.Format(time.DateOnly), "fields not in the patch stay")
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.people.DeletePerson(ctx, id, v); return err },
			},
		})
	})
}

func TestPeopleFiltersAndPagination(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A := f.A
	ctx := A.admin

	// 25 more people; names repeat so the id tie-break matters.
	all := map[uuid.UUID]*itam.Person{A.ann.ID: A.ann, A.boss.ID: A.boss}
	for i := range 25 {
		in := itam.PersonInput{Name: fmt.Sprintf("Person %d", i%7), Email: fmt.Sprintf("p%02d@example.com", 24-i), EmployeeNumber: ptr(fmt.Sprintf("E%03d", i))}
		if i%3 == 0 {
			in.TeamID = &A.spare.ID
		}
		if i%5 == 0 {
			in.Status = ptr(itam.PersonOffboarded)
		}
		p, err := f.people.CreatePerson(ctx, in)
		require.NoError(t, err)
		all[p.ID] = p
	}
	personID := func(p *itam.Person) uuid.UUID { return p.ID }

	for _, sort := range []itam.PersonSortField{itam.PersonSortName, itam.PersonSortEmail, itam.PersonSortCreatedAt} {
		for _, dir := range []itam.SortDirection{itam.Asc, itam.Desc} {
			t.Run(fmt.Sprintf("%s %s", sort, dir), func(t *testing.T) {
				q := itam.PersonQuery{Sort: sort, Dir: dir}
				// The reference order is the database's own in one page (its
				// collation decides text order); it must hold everyone.
				full, err := f.people.ListPeople(ctx, q, itam.PageArgs{First: ptr(100)})
				require.NoError(t, err)
				require.False(t, full.HasNextPage)
				want := full.Items
				require.ElementsMatch(t, slices.Collect(maps.Keys(all)), ids(want, personID))
				if sort == itam.PersonSortCreatedAt {
					require.True(t, slices.IsSortedFunc(want, func(a, b *itam.Person) int {
						c := a.CreatedAt.Compare(b.CreatedAt)
						if dir == itam.Desc {
							return -c
						}
						return c
					}))
				}

				// Forward, 4 at a time.
				var got []uuid.UUID
				var after *string
				for pages := 0; ; pages++ {
					require.Less(t, pages, 20)
					page, err := f.people.ListPeople(ctx, q, itam.PageArgs{First: ptr(4), After: after})
					require.NoError(t, err)
					require.Equal(t, after != nil, page.HasPreviousPage)
					got = append(got, ids(page.Items, personID)...)
					if !page.HasNextPage {
						break
					}
					after = &page.Cursors[len(page.Cursors)-1]
				}
				require.Equal(t, ids(want, personID), got, "forward pages: no duplicates, no gaps")

				// Backward, 6 at a time.
				var back []uuid.UUID
				var before *string
				for pages := 0; ; pages++ {
					require.Less(t, pages, 20)
					page, err := f.people.ListPeople(ctx, q, itam.PageArgs{Last: ptr(6), Before: before})
					require.NoError(t, err)
					back = append(ids(page.Items, personID), back...)
					if !page.HasPreviousPage {
						break
					}
					before = &page.Cursors[0]
				}
				require.Equal(t, ids(want, personID), back, "backward pages: no duplicates, no gaps")
			})
		}
	}

	t.Run("filters", func(t *testing.T) {
		count := func(pf itam.PersonFilter) int {
			t.Helper()
			n, err := f.people.CountPeople(ctx, pf)
			require.NoError(t, err)
			p, err := f.people.ListPeople(ctx, itam.PersonQuery{Filter: pf}, itam.PageArgs{First: ptr(100)})
			require.NoError(t, err)
			require.Len(t, p.Items, n)
			return n
		}
		require.Equal(t, 27, count(itam.PersonFilter{}))
		require.Equal(t, 9, count(itam.PersonFilter{TeamIDs: []uuid.UUID{A.spare.ID}}))
		require.Equal(t, 11, count(itam.PersonFilter{TeamIDs: []uuid.UUID{A.spare.ID, A.team.ID}}))
		require.Equal(t, 0, count(itam.PersonFilter{TeamIDs: []uuid.UUID{}}))
		require.Equal(t, 5, count(itam.PersonFilter{Status: ptr(itam.PersonOffboarded)}))
		require.Equal(t, 1, count(itam.PersonFilter{ManagerIDs: []uuid.UUID{A.boss.ID}}))
		require.Equal(t, 1, count(itam.PersonFilter{LocationIDs: []uuid.UUID{A.site.ID}}), "a location includes everything below it")
		require.Equal(t, 1, count(itam.PersonFilter{Search: ptr("ANN@")}))
		require.Equal(t, 1, count(itam.PersonFilter{Search: ptr("e007")}))
		require.Equal(t, 4, count(itam.PersonFilter{Search: ptr("person 3")}))
		require.Equal(t, 0, count(itam.PersonFilter{Search: ptr("%")}), "LIKE wildcards are literal")
		_, err := f.people.ListPeople(ctx, itam.PersonQuery{Sort: "SALARY"}, itam.PageArgs{})
		requireCode(t, err, itam.CodeInvalid, "orderBy.field")
	})
}
