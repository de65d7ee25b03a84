package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// catalogFixture is a fresh database with two organizations, A and B, each
// seeded through the stores with the same catalog, so tests can reference
// rows across tenants.
type catalogFixture struct {
	db         *DB
	a          *AssetStore
	people     *PersonStore
	teams      *TeamStore
	locations  *LocationStore
	models     *ModelStore
	suppliers  *SupplierStore
	orgs       *OrganizationStore
	provenance *ProvenanceStore
	relations  *RelationStore
	owner      *pgxpool.Pool // the owning role: not subject to RLS, for counting and snapshots
	orgA       uuid.UUID
	orgB       uuid.UUID
	A, B       seeded
}

// seeded is one organization's catalog: a team owning an asset, a manager
// and a report in that team, a site > building > floor tree, a manufacturer,
// category and model, and a supplier.
type seeded struct {
	admin    context.Context
	team     *itam.Team
	spare    *itam.Team // referenced by nothing
	boss     *itam.Person
	ann      *itam.Person // assigned the asset, managed by boss
	site     *itam.Location
	building *itam.Location
	floor    *itam.Location
	mfr      *itam.Manufacturer
	cat      *itam.Category
	model    *itam.Model
	supplier *itam.Supplier
	asset    *itam.Asset
}

func newCatalogFixture(t *testing.T) *catalogFixture {
	t.Helper()
	db, owner := openTestDB(t)
	f := &catalogFixture{db: db, a: NewAssetStore(db), owner: owner,
		people: NewPersonStore(db), teams: NewTeamStore(db), locations: NewLocationStore(db), models: NewModelStore(db),
		suppliers: NewSupplierStore(db), orgs: NewOrganizationStore(db), provenance: NewProvenanceStore(db), relations: NewRelationStore(db)}
	for _, o := range []struct {
		id   *uuid.UUID
		slug string
	}{{&f.orgA, "org-a"}, {&f.orgB, "org-b"}} {
		require.NoError(t, owner.QueryRow(t.Context(), `INSERT INTO organizations (slug, name) VALUES ($1, $2) RETURNING id`, o.slug, strings.ToUpper(o.slug)).Scan(o.id))
	}
	f.A = f.seed(t, f.orgA)
	f.B = f.seed(t, f.orgB)
	return f
}

func (f *catalogFixture) seed(t *testing.T, org uuid.UUID) seeded {
	t.Helper()
	s := seeded{admin: as(org, itam.RoleAdmin, "admin@x")}
	ctx := s.admin
	var err error
	s.team, err = f.teams.CreateTeam(ctx, itam.TeamInput{Name: "Ops", Description: ptr("Operations")})
	require.NoError(t, err)
	s.spare, err = f.teams.CreateTeam(ctx, itam.TeamInput{Name: "Spare"})
	require.NoError(t, err)
	s.site, err = f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "HQ", Address: itam.Address{City: ptr("Berlin"), Country: ptr("de")}})
	require.NoError(t, err)
	s.building, err = f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationBuilding, Name: "Main", ParentID: &s.site.ID})
	require.NoError(t, err)
	s.floor, err = f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationFloor, Name: "1", ParentID: &s.building.ID})
	require.NoError(t, err)
	s.boss, err = f.people.CreatePerson(ctx, itam.PersonInput{Name: "Boss", Email: "boss@example.com", TeamID: &s.team.ID})
	require.NoError(t, err)
	s.ann, err = f.people.CreatePerson(ctx, itam.PersonInput{Name: "Ann", Email: "Ann@Example.com", TeamID: &s.team.ID, ManagerID: &s.boss.ID, LocationID: &s.floor.ID})
	require.NoError(t, err)
	s.mfr, err = f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "Dell", Website: ptr("https://dell.com")})
	require.NoError(t, err)
	s.cat, err = f.models.CreateCategory(ctx, itam.CategoryInput{Name: "Laptops", Kind: itam.CategoryLaptop,
		FieldDefinitions: []itam.FieldDefinition{{Key: "ram_gb", Label: "RAM (GB)", Type: itam.FieldNumber}}})
	require.NoError(t, err)
	s.model, err = f.models.CreateModel(ctx, itam.ModelInput{Name: "Latitude 7440", ManufacturerID: s.mfr.ID, CategoryID: s.cat.ID, UsefulLifeMonths: ptr(36)})
	require.NoError(t, err)
	s.supplier, err = f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "CDW", Email: ptr("sales@cdw.example")})
	require.NoError(t, err)
	s.asset, err = f.a.CreateAsset(ctx, itam.AssetInput{ModelID: s.model.ID, OwnerTeamID: &s.team.ID, SupplierID: &s.supplier.ID, LocationID: &s.floor.ID},
		&itam.Assignee{PersonID: &s.ann.ID})
	require.NoError(t, err)
	return s
}

var catalogTables = []string{"organizations", "teams", "people", "locations", "manufacturers", "categories", "models", "suppliers", "assets"}

// snapshot digests every catalog table's full contents, so a failed
// mutation can be shown to have written nothing at all.
func (f *catalogFixture) snapshot(t *testing.T) map[string]string {
	t.Helper()
	return f.snapshotTables(t, catalogTables...)
}

// snapshotTables digests the full contents of tables, by name.
func (f *catalogFixture) snapshotTables(t *testing.T, tables ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tbl := range tables {
		var n int
		var digest *string
		require.NoError(t, f.owner.QueryRow(t.Context(),
			fmt.Sprintf(`SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t.id)) FROM %s t`, tbl)).Scan(&n, &digest))
		out[tbl] = fmt.Sprintf("%d:%v", n, deref(digest))
	}
	return out
}

func (f *catalogFixture) rows(t *testing.T, table string) int {
	t.Helper()
	var n int
	require.NoError(t, f.owner.QueryRow(t.Context(), "SELECT count(*) FROM "+table).Scan(&n))
	return n
}

// The callers of org A the role checks act as.
func (f *catalogFixture) auditor() context.Context { return as(f.orgA, itam.RoleAuditor, "audit@x") }
func (f *catalogFixture) manager() context.Context { return as(f.orgA, itam.RoleManager, "it@x") }

// employee is Ann: subjects match emails regardless of case.
func (f *catalogFixture) employee() context.Context {
	return as(f.orgA, itam.RoleEmployee, "ANN@EXAMPLE.COM")
}

// crudCase creates a row, changes it (checking the stored row comes back at
// version 2), and deletes it.
type crudCase struct {
	name   string
	table  string
	create func(t *testing.T) (uuid.UUID, int)
	update func(t *testing.T, id uuid.UUID, version int) int
	delete func(id uuid.UUID, version *int) error
}

func (f *catalogFixture) requireCRUD(t *testing.T, cases []crudCase) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.rows(t, tc.table)
			id, v := tc.create(t)
			require.Equal(t, 1, v)
			require.Equal(t, before+1, f.rows(t, tc.table))
			v = tc.update(t, id, v)
			require.Equal(t, 2, v)
			require.NoError(t, tc.delete(id, &v))
			require.Equal(t, before, f.rows(t, tc.table))
			requireCode(t, tc.delete(id, nil), itam.CodeNotFound, "")
		})
	}
}

// refusal is a change a store must refuse with code on field.
type refusal struct {
	name  string
	op    func() error
	code  itam.Code
	field string
}

// requireRefusals checks each change is refused and writes nothing at all.
func (f *catalogFixture) requireRefusals(t *testing.T, cases []refusal) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.snapshot(t)
			requireCode(t, tc.op(), tc.code, tc.field)
			require.Equal(t, before, f.snapshot(t), "a refused change must write nothing")
		})
	}
}

// requireWritersOnly checks AUDITOR, EMPLOYEE and anonymous callers cannot
// make any of writes (nor MANAGER when adminOnly), and that they write nothing.
func (f *catalogFixture) requireWritersOnly(t *testing.T, adminOnly bool, writes map[string]func(ctx context.Context) error) {
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			before := f.snapshot(t)
			requireCode(t, write(f.auditor()), itam.CodeForbidden, "")
			requireCode(t, write(f.employee()), itam.CodeForbidden, "")
			requireCode(t, write(context.Background()), itam.CodeUnauthenticated, "")
			if adminOnly {
				requireCode(t, write(f.manager()), itam.CodeForbidden, "")
			}
			require.Equal(t, before, f.snapshot(t))
		})
	}
}

// isolatedList is a list (and its count) that must show exactly want, org
// A's rows ordered by name, never B's.
type isolatedList struct {
	name  string
	list  func() ([]uuid.UUID, error)
	count func() (int, error)
	want  []uuid.UUID
}

func requireIsolatedLists(t *testing.T, lists []isolatedList) {
	for _, l := range lists {
		t.Run("list "+l.name, func(t *testing.T) {
			got, err := l.list()
			require.NoError(t, err)
			require.Equal(t, l.want, got, "ordered by name, org A only")
			n, err := l.count()
			require.NoError(t, err)
			require.Equal(t, len(l.want), n)
		})
	}
}

// isolatedByIDs is a ByIDs load that, given B's id b through A's principal,
// returns nothing, and given A's own a (unless uuid.Nil) too, returns it.
type isolatedByIDs struct {
	name string
	load func([]uuid.UUID) (int, error)
	a, b uuid.UUID
}

func requireIsolatedByIDs(t *testing.T, loads []isolatedByIDs) {
	for _, b := range loads {
		t.Run("by ids "+b.name, func(t *testing.T) {
			n, err := b.load([]uuid.UUID{b.b})
			require.NoError(t, err)
			require.Zero(t, n, "org B's rows are invisible to org A")
			if b.a != uuid.Nil {
				n, err = b.load([]uuid.UUID{b.a, b.b})
				require.NoError(t, err)
				require.Equal(t, 1, n)
			}
		})
	}
}
