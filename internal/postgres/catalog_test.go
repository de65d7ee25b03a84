package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/pgtest"
)

// catalogFixture is a fresh database with two organizations, A and B, each
// seeded with the same catalog, so tests can reference rows across tenants.
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
	owner *pgx.Conn // the owning role: not subject to RLS, for counting and snapshots
	orgA  uuid.UUID
	orgB  uuid.UUID
	A, B  seeded
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

func as(org uuid.UUID, role itam.Role, subject string) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{Subject: subject, OrgID: org, Role: role})
}

func newCatalogFixture(t *testing.T) *catalogFixture {
	t.Helper()
	ctx := t.Context()
	url := pgtest.NewURL(t)
	db, err := Open(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	owner, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = owner.Close(context.Background()) })

	f := &catalogFixture{db: db, a: NewAssetStore(db), owner: owner,
		people: NewPersonStore(db), teams: NewTeamStore(db), locations: NewLocationStore(db), models: NewModelStore(db),
		suppliers: NewSupplierStore(db), orgs: NewOrganizationStore(db), provenance: NewProvenanceStore(db), relations: NewRelationStore(db)}
	for _, o := range []struct {
		id   *uuid.UUID
		slug string
	}{{&f.orgA, "org-a"}, {&f.orgB, "org-b"}} {
		require.NoError(t, owner.QueryRow(ctx, `INSERT INTO organizations (slug, name) VALUES ($1, $2) RETURNING id`, o.slug, strings.ToUpper(o.slug)).Scan(o.id))
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

func requireCode(t *testing.T, err error, code itam.Code, field string) {
	t.Helper()
	require.Error(t, err)
	var e *itam.Error
	require.True(t, errors.As(err, &e), "want an *itam.Error, got %T: %v", err, err)
	require.Equal(t, code, e.Code, "error: %v", err)
	require.Equal(t, field, e.Field, "error: %v", err)
}

var catalogTables = []string{"organizations", "teams", "people", "locations", "manufacturers", "categories", "models", "suppliers", "assets"}

// snapshot digests every catalog table's full contents, so a failed
// mutation can be shown to have written nothing at all.
func (f *catalogFixture) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, tbl := range catalogTables {
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

func TestCatalogCreateUpdateDelete(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	ctx := f.A.admin

	// Each case creates a row, changes it (checking the stored row comes
	// back at version 2), and deletes it.
	cases := []struct {
		name   string
		table  string
		create func(t *testing.T) (uuid.UUID, int)
		update func(t *testing.T, id uuid.UUID, version int) int
		delete func(id uuid.UUID, version *int) error
	}{
		{
			name: "team", table: "teams",
			create: func(t *testing.T) (uuid.UUID, int) {
				x, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "  Finance  ", Description: ptr("  ")})
				require.NoError(t, err)
				require.Equal(t, "Finance", x.Name)
				require.Nil(t, x.Description)
				return x.ID, x.Version
			},
			update: func(t *testing.T, id uuid.UUID, v int) int {
				x, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: id, Version: v, Name: itam.Some("Finance & Legal"), Description: itam.Some("Money")})
				require.NoError(t, err)
				require.Equal(t, "Finance & Legal", x.Name)
				require.Equal(t, "Money", *x.Description)
				return x.Version
			},
			delete: func(id uuid.UUID, v *int) error { _, err := f.teams.DeleteTeam(ctx, id, v); return err },
		},
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
		{
			name: "location", table: "locations",
			create: func(t *testing.T) (uuid.UUID, int) {
				x, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationRoom, Name: "Lab", ParentID: &f.A.floor.ID,
					Address: itam.Address{Line1: ptr(" 1 Main St "), Country: ptr("us")}})
				require.NoError(t, err)
				require.Equal(t, f.A.floor.ID, *x.ParentID)
				require.Equal(t, "1 Main St", *x.Address.Line1)
				require.Equal(t, "US", *x.Address.Country)
				return x.ID, x.Version
			},
			update: func(t *testing.T, id uuid.UUID, v int) int {
				x, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: id, Version: v, Name: itam.Some("Big Lab"),
					Address: itam.Some(itam.AddressPatch{City: itam.Some("Paris"), Country: itam.Some("fr")})})
				require.NoError(t, err)
				require.Equal(t, "Big Lab", x.Name)
				require.Equal(t, "1 Main St", *x.Address.Line1, "address lines not in the patch stay")
				require.Equal(t, "Paris", *x.Address.City)
				require.Equal(t, "FR", *x.Address.Country)
				return x.Version
			},
			delete: func(id uuid.UUID, v *int) error { _, err := f.locations.DeleteLocation(ctx, id, v); return err },
		},
		{
			name: "manufacturer", table: "manufacturers",
			create: func(t *testing.T) (uuid.UUID, int) {
				x, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "Lenovo"})
				require.NoError(t, err)
				return x.ID, x.Version
			},
			update: func(t *testing.T, id uuid.UUID, v int) int {
				x, err := f.models.UpdateManufacturer(ctx, itam.ManufacturerPatch{ID: id, Version: v, SupportURL: itam.Some("https://support.lenovo.com")})
				require.NoError(t, err)
				require.Equal(t, "Lenovo", x.Name)
				require.Equal(t, "https://support.lenovo.com", *x.SupportURL)
				return x.Version
			},
			delete: func(id uuid.UUID, v *int) error { _, err := f.models.DeleteManufacturer(ctx, id, v); return err },
		},
		{
			name: "category", table: "categories",
			create: func(t *testing.T) (uuid.UUID, int) {
				x, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "Phones", Kind: itam.CategoryPhone})
				require.NoError(t, err)
				require.NotNil(t, x.FieldDefinitions)
				require.Empty(t, x.FieldDefinitions)
				return x.ID, x.Version
			},
			update: func(t *testing.T, id uuid.UUID, v int) int {
				defs := []itam.FieldDefinition{{Key: "carrier", Label: "Carrier", Type: itam.FieldEnum, Options: []string{"A", "B"}, Required: true}}
				x, err := f.models.UpdateCategory(ctx, itam.CategoryPatch{ID: id, Version: v, FieldDefinitions: itam.Some(defs)})
				require.NoError(t, err)
				require.Equal(t, defs, x.FieldDefinitions)
				return x.Version
			},
			delete: func(id uuid.UUID, v *int) error { _, err := f.models.DeleteCategory(ctx, id, v); return err },
		},
		{
			name: "model", table: "models",
			create: func(t *testing.T) (uuid.UUID, int) {
				x, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "XPS 13", ManufacturerID: f.A.mfr.ID, CategoryID: f.A.cat.ID, ModelNumber: ptr("9340")})
				require.NoError(t, err)
				require.Equal(t, f.A.mfr.ID, x.ManufacturerID)
				return x.ID, x.Version
			},
			update: func(t *testing.T, id uuid.UUID, v int) int {
				m2, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "Dell Technologies"})
				require.NoError(t, err)
				x, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: id, Version: v, ManufacturerID: itam.Some(m2.ID), UsefulLifeMonths: itam.Some(48),
					ModelNumber: itam.Optional[string]{Set: true}})
				require.NoError(t, err)
				require.Equal(t, m2.ID, x.ManufacturerID, "an unused model may change manufacturer")
				require.Equal(t, 48, *x.UsefulLifeMonths)
				require.Nil(t, x.ModelNumber)
				return x.Version
			},
			delete: func(id uuid.UUID, v *int) error { _, err := f.models.DeleteModel(ctx, id, v); return err },
		},
		{
			name: "supplier", table: "suppliers",
			create: func(t *testing.T) (uuid.UUID, int) {
				x, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "Insight", Phone: ptr(" +1 555 "), Email: ptr("")})
				require.NoError(t, err)
				require.Equal(t, "+1 555", *x.Phone)
				require.Nil(t, x.Email)
				return x.ID, x.Version
			},
			update: func(t *testing.T, id uuid.UUID, v int) int {
				x, err := f.suppliers.UpdateSupplier(ctx, itam.SupplierPatch{ID: id, Version: v, Email: itam.Some("orders@insight.example"), Phone: itam.Optional[string]{Set: true}})
				require.NoError(t, err)
				require.Equal(t, "orders@insight.example", *x.Email)
				require.Nil(t, x.Phone)
				return x.Version
			},
			delete: func(id uuid.UUID, v *int) error { _, err := f.suppliers.DeleteSupplier(ctx, id, v); return err },
		},
	}
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

	t.Run("no-op update keeps the version", func(t *testing.T) {
		x, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: f.A.spare.ID, Version: f.A.spare.Version, Name: itam.Some(" Spare ")})
		require.NoError(t, err)
		require.Equal(t, f.A.spare.Version, x.Version)
	})

	t.Run("organization", func(t *testing.T) {
		org, err := f.orgs.Organization(ctx)
		require.NoError(t, err)
		require.Equal(t, f.orgA, org.ID)
		require.Equal(t, "org-a", org.Slug)
		require.Equal(t, "USD", org.DefaultCurrency)
		require.Nil(t, org.DefaultOwnerTeamID)

		org, err = f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some(" Acme "), AssetTagPrefix: itam.Some("IT-"),
			DefaultCurrency: itam.Some("eur"), DefaultOwnerTeamID: itam.Some(f.A.spare.ID)})
		require.NoError(t, err)
		require.Equal(t, "Acme", org.Name)
		require.Equal(t, "IT-", org.AssetTagPrefix)
		require.Equal(t, "EUR", org.DefaultCurrency)
		require.Equal(t, f.A.spare.ID, *org.DefaultOwnerTeamID)

		// The default owner team is now referenced (a deferred foreign key).
		_, err = f.teams.DeleteTeam(ctx, f.A.spare.ID, nil)
		requireCode(t, err, itam.CodeConflict, "id")

		org, err = f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{DefaultOwnerTeamID: itam.Optional[uuid.UUID]{Set: true}})
		require.NoError(t, err)
		require.Nil(t, org.DefaultOwnerTeamID)
		require.Equal(t, "Acme", org.Name)
	})
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestCatalogRefusesBadWritesWithoutWriting(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	ctx, A, B := f.A.admin, f.A, f.B
	stale := 99

	cases := []struct {
		name  string
		op    func() error
		code  itam.Code
		field string
	}{
		// Blank required names.
		{"team blank name", func() error { _, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "  "}); return err }, itam.CodeInvalid, "name"},
		{"person blank name", func() error { _, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "", Email: "x@y"}); return err }, itam.CodeInvalid, "name"},
		{"location blank name", func() error {
			_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "\t"})
			return err
		}, itam.CodeInvalid, "name"},
		{"manufacturer blank name", func() error { _, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{}); return err }, itam.CodeInvalid, "name"},
		{"category blank name", func() error {
			_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: " ", Kind: itam.CategoryOther})
			return err
		}, itam.CodeInvalid, "name"},
		{"model blank name", func() error {
			_, err := f.models.CreateModel(ctx, itam.ModelInput{ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID})
			return err
		}, itam.CodeInvalid, "name"},
		{"supplier blank name", func() error { _, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: " "}); return err }, itam.CodeInvalid, "name"},
		{"organization blank name", func() error {
			_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("")})
			return err
		}, itam.CodeInvalid, "name"},
		{"update clears a name", func() error {
			_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.team.ID, Version: A.team.Version, Name: itam.Optional[string]{Set: true}})
			return err
		}, itam.CodeInvalid, "name"},

		// Duplicates, regardless of case.
		{"duplicate team", func() error { _, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "OPS"}); return err }, itam.CodeConflict, "name"},
		{"rename team onto another", func() error {
			_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.spare.ID, Version: A.spare.Version, Name: itam.Some("ops")})
			return err
		}, itam.CodeConflict, "name"},
		{"duplicate email", func() error {
			_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "Ann 2", Email: "ANN@example.COM"})
			return err
		}, itam.CodeConflict, "email"},
		{"duplicate email on update", func() error {
			_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.boss.ID, Version: A.boss.Version, Email: itam.Some("ann@example.com")})
			return err
		}, itam.CodeConflict, "email"},
		{"duplicate location under one parent", func() error {
			_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationBuilding, Name: "Main", ParentID: &A.site.ID})
			return err
		}, itam.CodeConflict, "name"},
		{"duplicate manufacturer", func() error { _, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "DELL"}); return err }, itam.CodeConflict, "name"},
		{"duplicate category", func() error {
			_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "laptops", Kind: itam.CategoryLaptop})
			return err
		}, itam.CodeConflict, "name"},
		{"duplicate model of a manufacturer", func() error {
			_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "LATITUDE 7440", ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID})
			return err
		}, itam.CodeConflict, "name"},
		{"duplicate supplier", func() error { _, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "cdw"}); return err }, itam.CodeConflict, "name"},

		// Invalid values.
		{"bad email", func() error {
			_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "X", Email: "not an email"})
			return err
		}, itam.CodeInvalid, "email"},
		{"bad supplier email", func() error {
			_, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "Y", Email: ptr("nope")})
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
		{"country not two letters", func() error {
			_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "NYC", Address: itam.Address{Country: ptr("USA")}})
			return err
		}, itam.CodeInvalid, "address.country"},
		{"useful life out of range", func() error {
			_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "M", ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID, UsefulLifeMonths: ptr(0)})
			return err
		}, itam.CodeInvalid, "usefulLifeMonths"},
		{"bad field definition", func() error {
			_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "C", Kind: itam.CategoryCustom,
				FieldDefinitions: []itam.FieldDefinition{{Key: "ok", Label: "OK", Type: itam.FieldText}, {Key: "Bad Key", Label: "B", Type: itam.FieldText}}})
			return err
		}, itam.CodeInvalid, "fieldDefinitions[1].key"},
		{"unknown category kind", func() error {
			_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "C", Kind: "TOASTER"})
			return err
		}, itam.CodeInvalid, "kind"},
		{"bad currency", func() error {
			_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{DefaultCurrency: itam.Some("EURO")})
			return err
		}, itam.CodeInvalid, "defaultCurrency"},
		{"prefix too long", func() error {
			_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{AssetTagPrefix: itam.Some(strings.Repeat("A", 17))})
			return err
		}, itam.CodeInvalid, "assetTagPrefix"},

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
		{"parent of another org", func() error {
			_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationBuilding, Name: "X", ParentID: &B.site.ID})
			return err
		}, itam.CodeInvalid, "parentId"},
		{"manufacturer of another org", func() error {
			_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "M", ManufacturerID: B.mfr.ID, CategoryID: A.cat.ID})
			return err
		}, itam.CodeInvalid, "manufacturerId"},
		{"category of another org", func() error {
			_, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: A.model.Version, CategoryID: itam.Some(B.cat.ID)})
			return err
		}, itam.CodeInvalid, "categoryId"},
		{"default owner team of another org", func() error {
			_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("Renamed"), DefaultOwnerTeamID: itam.Some(B.team.ID)})
			return err
		}, itam.CodeInvalid, "defaultOwnerTeamId"},

		// Stale versions.
		{"stale team", func() error {
			_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.spare.ID, Version: stale, Name: itam.Some("New")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale person", func() error {
			_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.ann.ID, Version: stale, Title: itam.Some("T")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale location", func() error {
			_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.floor.ID, Version: stale, Name: itam.Some("2")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale manufacturer", func() error {
			_, err := f.models.UpdateManufacturer(ctx, itam.ManufacturerPatch{ID: A.mfr.ID, Version: stale, Name: itam.Some("D")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale category", func() error {
			_, err := f.models.UpdateCategory(ctx, itam.CategoryPatch{ID: A.cat.ID, Version: stale, Name: itam.Some("C")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale model", func() error {
			_, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: stale, Name: itam.Some("M")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale supplier", func() error {
			_, err := f.suppliers.UpdateSupplier(ctx, itam.SupplierPatch{ID: A.supplier.ID, Version: stale, Name: itam.Some("S")})
			return err
		}, itam.CodeConflict, "version"},
		{"stale delete", func() error { _, err := f.teams.DeleteTeam(ctx, A.spare.ID, &stale); return err }, itam.CodeConflict, "version"},

		// Deletes of referenced rows.
		{"delete team with members and assets", func() error { _, err := f.teams.DeleteTeam(ctx, A.team.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete manager", func() error { _, err := f.people.DeletePerson(ctx, A.boss.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete assignee", func() error { _, err := f.people.DeletePerson(ctx, A.ann.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete location with children", func() error { _, err := f.locations.DeleteLocation(ctx, A.site.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete location with people and assets", func() error { _, err := f.locations.DeleteLocation(ctx, A.floor.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete manufacturer with models", func() error { _, err := f.models.DeleteManufacturer(ctx, A.mfr.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete category with models", func() error { _, err := f.models.DeleteCategory(ctx, A.cat.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete model with assets", func() error { _, err := f.models.DeleteModel(ctx, A.model.ID, nil); return err }, itam.CodeConflict, "id"},
		{"delete supplier with assets", func() error { _, err := f.suppliers.DeleteSupplier(ctx, A.supplier.ID, nil); return err }, itam.CodeConflict, "id"},
		{"change manufacturer of a model in use", func() error {
			m2, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "HP"})
			if err != nil {
				return err
			}
			defer func() { _, _ = f.models.DeleteManufacturer(ctx, m2.ID, nil) }()
			_, err = f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: A.model.Version, ManufacturerID: itam.Some(m2.ID)})
			return err
		}, itam.CodeConflict, "manufacturerId"},

		// Location cycles.
		{"location under itself", func() error {
			_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.site.ID, Version: A.site.Version, ParentID: itam.Some(A.site.ID)})
			return err
		}, itam.CodeInvalid, "parentId"},
		{"location under its descendant", func() error {
			_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.site.ID, Version: A.site.Version, ParentID: itam.Some(A.floor.ID)})
			return err
		}, itam.CodeInvalid, "parentId"},

		// Rows of another organization do not exist.
		{"update another org's team", func() error {
			_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: B.team.ID, Version: B.team.Version, Name: itam.Some("Mine")})
			return err
		}, itam.CodeNotFound, ""},
		{"delete another org's supplier", func() error { _, err := f.suppliers.DeleteSupplier(ctx, B.supplier.ID, nil); return err }, itam.CodeNotFound, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := f.snapshot(t)
			requireCode(t, tc.op(), tc.code, tc.field)
			require.Equal(t, before, f.snapshot(t), "a refused change must write nothing")
		})
	}
}

func TestCatalogRoles(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A := f.A

	writes := map[string]func(ctx context.Context) error{
		"CreateTeam": func(ctx context.Context) error { _, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "T"}); return err },
		"UpdateTeam": func(ctx context.Context) error {
			_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.spare.ID, Version: 1})
			return err
		},
		"DeleteTeam": func(ctx context.Context) error { _, err := f.teams.DeleteTeam(ctx, A.spare.ID, nil); return err },
		"CreatePerson": func(ctx context.Context) error {
			_, err := f.people.CreatePerson(ctx, itam.PersonInput{Name: "P", Email: "p@x"})
			return err
		},
		"UpdatePerson": func(ctx context.Context) error {
			_, err := f.people.UpdatePerson(ctx, itam.PersonPatch{ID: A.ann.ID, Version: 1, Title: itam.Some("Boss")})
			return err
		},
		"DeletePerson": func(ctx context.Context) error { _, err := f.people.DeletePerson(ctx, A.ann.ID, nil); return err },
		"CreateLocation": func(ctx context.Context) error {
			_, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "L"})
			return err
		},
		"UpdateLocation": func(ctx context.Context) error {
			_, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.floor.ID, Version: 1, Name: itam.Some("2")})
			return err
		},
		"DeleteLocation": func(ctx context.Context) error { _, err := f.locations.DeleteLocation(ctx, A.floor.ID, nil); return err },
		"CreateManufacturer": func(ctx context.Context) error {
			_, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "M"})
			return err
		},
		"UpdateManufacturer": func(ctx context.Context) error {
			_, err := f.models.UpdateManufacturer(ctx, itam.ManufacturerPatch{ID: A.mfr.ID, Version: 1})
			return err
		},
		"DeleteManufacturer": func(ctx context.Context) error { _, err := f.models.DeleteManufacturer(ctx, A.mfr.ID, nil); return err },
		"CreateCategory": func(ctx context.Context) error {
			_, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "C", Kind: itam.CategoryOther})
			return err
		},
		"UpdateCategory": func(ctx context.Context) error {
			_, err := f.models.UpdateCategory(ctx, itam.CategoryPatch{ID: A.cat.ID, Version: 1})
			return err
		},
		"DeleteCategory": func(ctx context.Context) error { _, err := f.models.DeleteCategory(ctx, A.cat.ID, nil); return err },
		"CreateModel": func(ctx context.Context) error {
			_, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "M", ManufacturerID: A.mfr.ID, CategoryID: A.cat.ID})
			return err
		},
		"UpdateModel": func(ctx context.Context) error {
			_, err := f.models.UpdateModel(ctx, itam.ModelPatch{ID: A.model.ID, Version: 1})
			return err
		},
		"DeleteModel": func(ctx context.Context) error { _, err := f.models.DeleteModel(ctx, A.model.ID, nil); return err },
		"CreateSupplier": func(ctx context.Context) error {
			_, err := f.suppliers.CreateSupplier(ctx, itam.SupplierInput{Name: "S"})
			return err
		},
		"UpdateSupplier": func(ctx context.Context) error {
			_, err := f.suppliers.UpdateSupplier(ctx, itam.SupplierPatch{ID: A.supplier.ID, Version: 1})
			return err
		},
		"DeleteSupplier": func(ctx context.Context) error { _, err := f.suppliers.DeleteSupplier(ctx, A.supplier.ID, nil); return err },
		"UpdateOrganization": func(ctx context.Context) error {
			_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("Mine")})
			return err
		},
	}
	auditor := as(f.orgA, itam.RoleAuditor, "audit@x")
	employee := as(f.orgA, itam.RoleEmployee, "ANN@EXAMPLE.COM") // subjects match emails regardless of case
	manager := as(f.orgA, itam.RoleManager, "it@x")
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			before := f.snapshot(t)
			requireCode(t, write(auditor), itam.CodeForbidden, "")
			requireCode(t, write(employee), itam.CodeForbidden, "")
			requireCode(t, write(context.Background()), itam.CodeUnauthenticated, "")
			if name == "UpdateOrganization" {
				requireCode(t, write(manager), itam.CodeForbidden, "")
			}
			require.Equal(t, before, f.snapshot(t))
		})
	}

	t.Run("manager writes inventory", func(t *testing.T) {
		x, err := f.teams.CreateTeam(manager, itam.TeamInput{Name: "By manager"})
		require.NoError(t, err)
		_, err = f.teams.DeleteTeam(manager, x.ID, &x.Version)
		require.NoError(t, err)
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

	t.Run("employee reads the catalog but not suppliers", func(t *testing.T) {
		_, err := f.suppliers.ListSuppliers(employee, itam.NameFilter{}, itam.PageArgs{})
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.suppliers.CountSuppliers(employee, itam.NameFilter{})
		requireCode(t, err, itam.CodeForbidden, "")
		_, err = f.suppliers.SuppliersByIDs(employee, []uuid.UUID{A.supplier.ID})
		requireCode(t, err, itam.CodeForbidden, "")

		teams, err := f.teams.ListTeams(employee, itam.TeamFilter{}, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, teams.Items, 2)
		locs, err := f.locations.ListLocations(employee, itam.LocationFilter{}, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, locs.Items, 3)
		mfrs, err := f.models.ListManufacturers(employee, itam.NameFilter{}, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, mfrs.Items, 1)
		cats, err := f.models.ListCategories(employee, itam.CategoryFilter{}, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, cats.Items, 1)
		models, err := f.models.ListModels(employee, itam.ModelFilter{}, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, models.Items, 1)
		org, err := f.orgs.Organization(employee)
		require.NoError(t, err)
		require.Equal(t, f.orgA, org.ID)

		sups, err := f.suppliers.ListSuppliers(auditor, itam.NameFilter{}, itam.PageArgs{})
		require.NoError(t, err)
		require.Len(t, sups.Items, 1)
	})
}

func ids[T any](items []T, id func(T) uuid.UUID) []uuid.UUID {
	out := make([]uuid.UUID, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func TestCatalogTenantIsolation(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := A.admin

	// Every list shows exactly org A's rows, never B's.
	lists := []struct {
		name  string
		list  func() ([]uuid.UUID, error)
		count func() (int, error)
		want  []uuid.UUID
	}{
		{"people", func() ([]uuid.UUID, error) {
			p, err := f.people.ListPeople(ctx, itam.PersonQuery{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Person) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.people.CountPeople(ctx, itam.PersonFilter{}) }, []uuid.UUID{A.ann.ID, A.boss.ID}},
		{"teams", func() ([]uuid.UUID, error) {
			p, err := f.teams.ListTeams(ctx, itam.TeamFilter{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Team) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.teams.CountTeams(ctx, itam.TeamFilter{}) }, []uuid.UUID{A.team.ID, A.spare.ID}},
		{"locations", func() ([]uuid.UUID, error) {
			p, err := f.locations.ListLocations(ctx, itam.LocationFilter{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Location) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.locations.CountLocations(ctx, itam.LocationFilter{}) }, []uuid.UUID{A.floor.ID, A.site.ID, A.building.ID}},
		{"manufacturers", func() ([]uuid.UUID, error) {
			p, err := f.models.ListManufacturers(ctx, itam.NameFilter{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Manufacturer) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.models.CountManufacturers(ctx, itam.NameFilter{}) }, []uuid.UUID{A.mfr.ID}},
		{"categories", func() ([]uuid.UUID, error) {
			p, err := f.models.ListCategories(ctx, itam.CategoryFilter{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Category) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.models.CountCategories(ctx, itam.CategoryFilter{}) }, []uuid.UUID{A.cat.ID}},
		{"models", func() ([]uuid.UUID, error) {
			p, err := f.models.ListModels(ctx, itam.ModelFilter{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Model) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.models.CountModels(ctx, itam.ModelFilter{}) }, []uuid.UUID{A.model.ID}},
		{"suppliers", func() ([]uuid.UUID, error) {
			p, err := f.suppliers.ListSuppliers(ctx, itam.NameFilter{}, itam.PageArgs{})
			return ids(p.Items, func(x *itam.Supplier) uuid.UUID { return x.ID }), err
		}, func() (int, error) { return f.suppliers.CountSuppliers(ctx, itam.NameFilter{}) }, []uuid.UUID{A.supplier.ID}},
	}
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

	// ByIDs given B's ids through A's principal return nothing; A's own come back.
	byIDs := []struct {
		name string
		load func([]uuid.UUID) (int, error)
		a, b uuid.UUID
	}{
		{"people", func(x []uuid.UUID) (int, error) { m, err := f.people.PeopleByIDs(ctx, x); return len(m), err }, A.ann.ID, B.ann.ID},
		{"teams", func(x []uuid.UUID) (int, error) { m, err := f.teams.TeamsByIDs(ctx, x); return len(m), err }, A.team.ID, B.team.ID},
		{"locations", func(x []uuid.UUID) (int, error) { m, err := f.locations.LocationsByIDs(ctx, x); return len(m), err }, A.floor.ID, B.floor.ID},
		{"manufacturers", func(x []uuid.UUID) (int, error) { m, err := f.models.ManufacturersByIDs(ctx, x); return len(m), err }, A.mfr.ID, B.mfr.ID},
		{"categories", func(x []uuid.UUID) (int, error) { m, err := f.models.CategoriesByIDs(ctx, x); return len(m), err }, A.cat.ID, B.cat.ID},
		{"models", func(x []uuid.UUID) (int, error) { m, err := f.models.ModelsByIDs(ctx, x); return len(m), err }, A.model.ID, B.model.ID},
		{"suppliers", func(x []uuid.UUID) (int, error) { m, err := f.suppliers.SuppliersByIDs(ctx, x); return len(m), err }, A.supplier.ID, B.supplier.ID},
		{"external ids", func(x []uuid.UUID) (int, error) { m, err := f.provenance.ExternalIDsByAssetIDs(ctx, x); return len(m), err }, uuid.Nil, B.asset.ID},
		{"location children", func(x []uuid.UUID) (int, error) { m, err := f.locations.LocationChildren(ctx, x); return len(m), err }, A.site.ID, B.site.ID},
		{"location ancestors", func(x []uuid.UUID) (int, error) { m, err := f.locations.LocationAncestors(ctx, x); return len(m), err }, A.floor.ID, B.floor.ID},
	}
	for _, b := range byIDs {
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

	// A page's relations come back in one round trip, with the same
	// visibility as the loaders: B's rows never, and for an EMPLOYEE only
	// their own person.
	t.Run("asset relations", func(t *testing.T) {
		want := AssetRelationIDs{
			Models:             []uuid.UUID{A.model.ID, B.model.ID},
			Manufacturers:      []uuid.UUID{A.mfr.ID, B.mfr.ID},
			CategoriesOfModels: []uuid.UUID{A.model.ID, B.model.ID},
			People:             []uuid.UUID{A.ann.ID, A.boss.ID, B.ann.ID},
			Teams:              []uuid.UUID{A.team.ID, B.team.ID},
			Locations:          []uuid.UUID{A.floor.ID, B.floor.ID},
		}
		var rounds atomic.Int64
		f.db.Queries = func() { rounds.Add(1) }
		defer func() { f.db.Queries = nil }()
		rel, err := f.relations.AssetRelations(ctx, want)
		require.NoError(t, err)
		require.EqualValues(t, 1, rounds.Load(), "one round trip for every kind")
		require.Equal(t, []uuid.UUID{A.model.ID}, slices.Collect(maps.Keys(rel.Models)))
		require.Equal(t, []uuid.UUID{A.mfr.ID}, slices.Collect(maps.Keys(rel.Manufacturers)))
		require.Equal(t, []uuid.UUID{A.model.ID}, slices.Collect(maps.Keys(rel.CategoryByModel)))
		require.Equal(t, A.cat.ID, rel.CategoryByModel[A.model.ID].ID)
		require.ElementsMatch(t, []uuid.UUID{A.ann.ID, A.boss.ID}, slices.Collect(maps.Keys(rel.People)))
		require.Equal(t, []uuid.UUID{A.team.ID}, slices.Collect(maps.Keys(rel.Teams)))
		require.Equal(t, []uuid.UUID{A.floor.ID}, slices.Collect(maps.Keys(rel.Locations)))

		employee := as(f.orgA, itam.RoleEmployee, "ann@example.com")
		rel, err = f.relations.AssetRelations(employee, want)
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{A.ann.ID}, slices.Collect(maps.Keys(rel.People)), "an employee sees only their own person")
		require.Len(t, rel.Models, 1)

		rounds.Store(0)
		rel, err = f.relations.AssetRelations(ctx, AssetRelationIDs{})
		require.NoError(t, err)
		require.Zero(t, rounds.Load(), "nothing asked, nothing sent")
		require.Empty(t, rel.Models)

		_, err = f.relations.AssetRelations(context.Background(), want)
		requireCode(t, err, itam.CodeUnauthenticated, "")
	})

	t.Run("location path", func(t *testing.T) {
		_, err := f.locations.LocationPath(ctx, B.floor.ID)
		requireCode(t, err, itam.CodeNotFound, "")
	})

	t.Run("organization", func(t *testing.T) {
		org, err := f.orgs.Organization(B.admin)
		require.NoError(t, err)
		require.Equal(t, f.orgB, org.ID)
		_, err = f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("A2")})
		require.NoError(t, err)
		org, err = f.orgs.Organization(B.admin)
		require.NoError(t, err)
		require.Equal(t, "ORG-B", org.Name, "updating A's organization leaves B's alone")
	})
}

func TestLocationTree(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A := f.A
	ctx := A.admin
	locID := func(l *itam.Location) uuid.UUID { return l.ID }

	room, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationRoom, Name: "101", ParentID: &A.floor.ID})
	require.NoError(t, err)
	other, err := f.locations.CreateLocation(ctx, itam.LocationInput{Kind: itam.LocationSite, Name: "Annex"})
	require.NoError(t, err)

	anc, err := f.locations.LocationAncestors(ctx, []uuid.UUID{room.ID, A.building.ID, A.site.ID})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{A.site.ID, A.building.ID, A.floor.ID}, ids(anc[room.ID], locID))
	require.Equal(t, []uuid.UUID{A.site.ID}, ids(anc[A.building.ID], locID))
	require.NotContains(t, anc, A.site.ID, "a root has no ancestors")

	kids, err := f.locations.LocationChildren(ctx, []uuid.UUID{A.site.ID, A.floor.ID, room.ID})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{A.building.ID}, ids(kids[A.site.ID], locID))
	require.Equal(t, []uuid.UUID{room.ID}, ids(kids[A.floor.ID], locID))
	require.NotContains(t, kids, room.ID)

	list := func(lf itam.LocationFilter) []uuid.UUID {
		t.Helper()
		p, err := f.locations.ListLocations(ctx, lf, itam.PageArgs{})
		require.NoError(t, err)
		n, err := f.locations.CountLocations(ctx, lf)
		require.NoError(t, err)
		require.Len(t, p.Items, n)
		return ids(p.Items, locID)
	}
	require.Equal(t, []uuid.UUID{A.floor.ID, room.ID, A.building.ID}, list(itam.LocationFilter{WithinID: &A.building.ID}))
	require.Equal(t, []uuid.UUID{other.ID, A.site.ID}, list(itam.LocationFilter{RootsOnly: true}))
	require.Equal(t, []uuid.UUID{A.building.ID}, list(itam.LocationFilter{ParentID: &A.site.ID}))
	require.Equal(t, []uuid.UUID{room.ID}, list(itam.LocationFilter{Kind: ptr(itam.LocationRoom)}))
	require.Equal(t, []uuid.UUID{other.ID}, list(itam.LocationFilter{Search: ptr("nne")}))

	// Moving the building under another site moves everything below it.
	b, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.building.ID, Version: A.building.Version, ParentID: itam.Some(other.ID)})
	require.NoError(t, err)
	require.Equal(t, other.ID, *b.ParentID)
	path, err := f.locations.LocationPath(ctx, room.ID)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{other.ID, A.building.ID, A.floor.ID, room.ID}, path)
	require.Equal(t, []uuid.UUID{A.floor.ID, room.ID, other.ID, A.building.ID}, list(itam.LocationFilter{WithinID: &other.ID}))

	// Clearing the parent makes it a root.
	b, err = f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: b.ID, Version: b.Version, ParentID: itam.Optional[uuid.UUID]{Set: true}})
	require.NoError(t, err)
	require.Nil(t, b.ParentID)
	path, err = f.locations.LocationPath(ctx, A.floor.ID)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{A.building.ID, A.floor.ID}, path)

	// Clearing the address clears every line.
	s, err := f.locations.UpdateLocation(ctx, itam.LocationPatch{ID: A.site.ID, Version: A.site.Version, Address: itam.Optional[itam.AddressPatch]{Set: true}})
	require.NoError(t, err)
	require.Equal(t, itam.Address{}, s.Address)
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

func TestCatalogSearchFilters(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A := f.A
	ctx := A.admin

	hp, err := f.models.CreateManufacturer(ctx, itam.ManufacturerInput{Name: "HP"})
	require.NoError(t, err)
	phones, err := f.models.CreateCategory(ctx, itam.CategoryInput{Name: "Phones", Kind: itam.CategoryPhone})
	require.NoError(t, err)
	elite, err := f.models.CreateModel(ctx, itam.ModelInput{Name: "EliteBook", ManufacturerID: hp.ID, CategoryID: A.cat.ID, ModelNumber: ptr("840-G10")})
	require.NoError(t, err)

	models := func(mf itam.ModelFilter) []uuid.UUID {
		t.Helper()
		p, err := f.models.ListModels(ctx, mf, itam.PageArgs{})
		require.NoError(t, err)
		return ids(p.Items, func(m *itam.Model) uuid.UUID { return m.ID })
	}
	require.Equal(t, []uuid.UUID{elite.ID, A.model.ID}, models(itam.ModelFilter{}))
	require.Equal(t, []uuid.UUID{elite.ID}, models(itam.ModelFilter{ManufacturerIDs: []uuid.UUID{hp.ID}}))
	require.Equal(t, []uuid.UUID{elite.ID}, models(itam.ModelFilter{Search: ptr("g10")}))
	require.Empty(t, models(itam.ModelFilter{CategoryIDs: []uuid.UUID{phones.ID}}))

	cats, err := f.models.ListCategories(ctx, itam.CategoryFilter{Kind: ptr(itam.CategoryPhone)}, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{phones.ID}, ids(cats.Items, func(x *itam.Category) uuid.UUID { return x.ID }))
	n, err := f.models.CountManufacturers(ctx, itam.NameFilter{Search: ptr("d")})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = f.teams.CountTeams(ctx, itam.TeamFilter{Search: ptr("SPA")})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = f.suppliers.CountSuppliers(ctx, itam.NameFilter{Search: ptr("nothing")})
	require.NoError(t, err)
	require.Zero(t, n)
}
