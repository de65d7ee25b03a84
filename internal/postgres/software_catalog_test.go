package postgres

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// softwareFixture is the catalog fixture with a publisher and a product in
// each organization.
type softwareFixture struct {
	*catalogFixture
	sw         *SoftwareCatalogStore
	pubA, pubB *software.Publisher
	prodA      *software.Product
	prodB      *software.Product
}

func newSoftwareFixture(t *testing.T) *softwareFixture {
	t.Helper()
	f := &softwareFixture{catalogFixture: newCatalogFixture(t)}
	f.sw = NewSoftwareCatalogStore(f.db)
	var err error
	f.pubA, err = f.sw.CreatePublisher(f.A.admin, software.PublisherInput{Name: "Adobe", Website: ptr("https://adobe.com")})
	require.NoError(t, err)
	f.pubB, err = f.sw.CreatePublisher(f.B.admin, software.PublisherInput{Name: "Adobe"})
	require.NoError(t, err)
	f.prodA, err = f.sw.CreateProduct(f.A.admin, software.ProductInput{PublisherID: f.pubA.ID, Name: "Acrobat Pro", Editions: []string{"Standard", "Pro"}, Notes: ptr("contract 7")})
	require.NoError(t, err)
	f.prodB, err = f.sw.CreateProduct(f.B.admin, software.ProductInput{PublisherID: f.pubB.ID, Name: "Acrobat Pro"})
	require.NoError(t, err)
	return f
}

// ownerExec runs a statement as the owner, past row-level security.
func (f *softwareFixture) ownerExec(t *testing.T, sql string, args ...any) {
	t.Helper()
	_, err := f.owner.Exec(t.Context(), sql, args...)
	require.NoError(t, err)
}

// softwareSnapshot digests the software tables, so a refused change can be
// shown to have written nothing.
func (f *softwareFixture) softwareSnapshot(t *testing.T) map[string]string {
	t.Helper()
	return f.snapshotTables(t, slices.Concat(catalogTables, []string{"software_publishers", "software_products", "software_title_rules", "licenses"})...)
}

// TestSoftwareCatalogStore: publishers and products round-trip; bad input,
// duplicates, stale versions and deletes of referenced rows are refused
// and write nothing; org A never sees org B's catalog.
func TestSoftwareCatalogStore(t *testing.T) {
	t.Parallel()
	f := newSoftwareFixture(t)
	ctx := f.A.admin
	stale := 99

	t.Run("round trip", func(t *testing.T) {
		pub, err := f.sw.CreatePublisher(f.manager(), software.PublisherInput{Name: " Slack Technologies ", Website: ptr(" ")})
		require.NoError(t, err)
		require.Equal(t, "Slack Technologies", pub.Name)
		require.Nil(t, pub.Website)
		pub, err = f.sw.UpdatePublisher(ctx, software.PublisherPatch{ID: pub.ID, Version: 1, Website: itam.Some("https://slack.com")})
		require.NoError(t, err)
		require.Equal(t, 2, pub.Version)
		require.Equal(t, "https://slack.com", *pub.Website)
		same, err := f.sw.UpdatePublisher(ctx, software.PublisherPatch{ID: pub.ID, Version: 2, Name: itam.Some("Slack Technologies")})
		require.NoError(t, err)
		require.Equal(t, 2, same.Version, "a change that changes nothing writes nothing")

		prod, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: pub.ID, Name: "Slack", Editions: []string{"Pro", "pro", " Business+ "}})
		require.NoError(t, err)
		require.Equal(t, []string{"Pro", "Business+"}, prod.Editions)
		prod, err = f.sw.UpdateProduct(ctx, software.ProductPatch{ID: prod.ID, Version: 1, PublisherID: itam.Some(f.pubA.ID),
			Editions: itam.Optional[[]string]{Set: true}, Notes: itam.Some("moved")})
		require.NoError(t, err)
		require.Equal(t, f.pubA.ID, prod.PublisherID)
		require.Empty(t, prod.Editions)
		require.Equal(t, "moved", *prod.Notes)

		_, err = f.sw.DeleteProduct(ctx, prod.ID, &prod.Version)
		require.NoError(t, err)
		_, err = f.sw.DeletePublisher(ctx, pub.ID, nil)
		require.NoError(t, err)
		requireCode(t, func() error { _, err := f.sw.DeletePublisher(ctx, pub.ID, nil); return err }(), itam.CodeNotFound, "")
	})

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedLists(t, []isolatedList{
			{"publishers", func() ([]uuid.UUID, error) {
				p, err := f.sw.ListPublishers(ctx, itam.NameFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *software.Publisher) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.sw.CountPublishers(ctx, itam.NameFilter{}) }, []uuid.UUID{f.pubA.ID}},
			{"products", func() ([]uuid.UUID, error) {
				p, err := f.sw.ListProducts(ctx, software.ProductFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *software.Product) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.sw.CountProducts(ctx, software.ProductFilter{}) }, []uuid.UUID{f.prodA.ID}},
			{"products of B's publisher", func() ([]uuid.UUID, error) {
				p, err := f.sw.ListProducts(ctx, software.ProductFilter{PublisherID: &f.pubB.ID}, itam.PageArgs{})
				return ids(p.Items, func(x *software.Product) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.sw.CountProducts(ctx, software.ProductFilter{PublisherID: &f.pubB.ID}) }, []uuid.UUID{}},
		})
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"publishers", func(x []uuid.UUID) (int, error) { m, err := f.sw.PublishersByIDs(ctx, x); return len(m), err }, f.pubA.ID, f.pubB.ID},
			{"products", func(x []uuid.UUID) (int, error) { m, err := f.sw.ProductsByIDs(ctx, x); return len(m), err }, f.prodA.ID, f.prodB.ID},
		})
	})

	t.Run("filters", func(t *testing.T) {
		other, err := f.sw.CreatePublisher(ctx, software.PublisherInput{Name: "Zoom Video"})
		require.NoError(t, err)
		zoom, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: other.ID, Name: "Zoom Workplace"})
		require.NoError(t, err)
		t.Cleanup(func() {
			_, _ = f.sw.DeleteProduct(ctx, zoom.ID, nil)
			_, _ = f.sw.DeletePublisher(ctx, other.ID, nil)
		})
		for _, tc := range []struct {
			f    software.ProductFilter
			want []uuid.UUID
		}{
			{software.ProductFilter{Search: ptr("ACRO")}, []uuid.UUID{f.prodA.ID}},
			{software.ProductFilter{Search: ptr("%")}, []uuid.UUID{}},
			{software.ProductFilter{PublisherID: &other.ID}, []uuid.UUID{zoom.ID}},
			{software.ProductFilter{Search: ptr("zoom"), PublisherID: &f.pubA.ID}, []uuid.UUID{}},
			{software.ProductFilter{}, []uuid.UUID{f.prodA.ID, zoom.ID}},
		} {
			p, err := f.sw.ListProducts(ctx, tc.f, itam.PageArgs{})
			require.NoError(t, err)
			require.Equal(t, tc.want, ids(p.Items, func(x *software.Product) uuid.UUID { return x.ID }))
			n, err := f.sw.CountProducts(ctx, tc.f)
			require.NoError(t, err)
			require.Equal(t, len(tc.want), n)
		}
		p, err := f.sw.ListPublishers(ctx, itam.NameFilter{Search: ptr("zoo")}, itam.PageArgs{})
		require.NoError(t, err)
		require.Equal(t, []uuid.UUID{other.ID}, ids(p.Items, func(x *software.Publisher) uuid.UUID { return x.ID }))
	})

	t.Run("refuses bad writes without writing", func(t *testing.T) {
		// A rule and a license keep B's product in use; A's product gets
		// the same in its own subtest below.
		f.ownerExec(t, `INSERT INTO software_title_rules (org_id, position, kind, pattern, product_id) VALUES ($1, 1, 'EXACT', 'Acrobat', $2)`, f.orgA, f.prodA.ID)
		f.ownerExec(t, `INSERT INTO licenses (org_id, product_id, license_model, seats) VALUES ($1, $2, 'PER_DEVICE', 5)`, f.orgA, f.prodA.ID)
		long := strings.Repeat("n", software.MaxNameLength+1)
		cases := []refusal{
			{"blank publisher name", func() error { _, err := f.sw.CreatePublisher(ctx, software.PublisherInput{Name: " "}); return err }, itam.CodeInvalid, "name"},
			{"publisher name too long", func() error { _, err := f.sw.CreatePublisher(ctx, software.PublisherInput{Name: long}); return err }, itam.CodeInvalid, "name"},
			{"bad website", func() error {
				_, err := f.sw.CreatePublisher(ctx, software.PublisherInput{Name: "X", Website: ptr("ftp://x.com")})
				return err
			}, itam.CodeInvalid, "website"},
			{"duplicate publisher, other case", func() error { _, err := f.sw.CreatePublisher(ctx, software.PublisherInput{Name: "ADOBE"}); return err }, itam.CodeConflict, "name"},
			{"null publisher name", func() error {
				_, err := f.sw.UpdatePublisher(ctx, software.PublisherPatch{ID: f.pubA.ID, Version: 1, Name: itam.Optional[string]{Set: true}})
				return err
			}, itam.CodeInvalid, "name"},
			{"stale publisher", func() error {
				_, err := f.sw.UpdatePublisher(ctx, software.PublisherPatch{ID: f.pubA.ID, Version: stale, Name: itam.Some("X")})
				return err
			}, itam.CodeConflict, "version"},
			{"delete publisher with products", func() error { _, err := f.sw.DeletePublisher(ctx, f.pubA.ID, nil); return err }, itam.CodeConflict, "id"},
			{"delete another org's publisher", func() error { _, err := f.sw.DeletePublisher(ctx, f.pubB.ID, nil); return err }, itam.CodeNotFound, ""},

			{"blank product name", func() error {
				_, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: ""})
				return err
			}, itam.CodeInvalid, "name"},
			{"blank edition", func() error {
				_, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: "Y", Editions: []string{"A", ""}})
				return err
			}, itam.CodeInvalid, "editions[1]"},
			{"unknown publisher", func() error {
				_, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: uuid.New(), Name: "Y"})
				return err
			}, itam.CodeInvalid, "publisherId"},
			{"another org's publisher", func() error {
				_, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubB.ID, Name: "Y"})
				return err
			}, itam.CodeInvalid, "publisherId"},
			{"move to another org's publisher", func() error {
				_, err := f.sw.UpdateProduct(ctx, software.ProductPatch{ID: f.prodA.ID, Version: 1, PublisherID: itam.Some(f.pubB.ID)})
				return err
			}, itam.CodeInvalid, "publisherId"},
			{"duplicate product of the publisher", func() error {
				_, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: "acrobat PRO"})
				return err
			}, itam.CodeConflict, "name"},
			{"stale product", func() error {
				_, err := f.sw.UpdateProduct(ctx, software.ProductPatch{ID: f.prodA.ID, Version: stale, Name: itam.Some("X")})
				return err
			}, itam.CodeConflict, "version"},
			{"delete product with a rule and a license", func() error { _, err := f.sw.DeleteProduct(ctx, f.prodA.ID, nil); return err }, itam.CodeConflict, "id"},
			{"delete another org's product", func() error { _, err := f.sw.DeleteProduct(ctx, f.prodB.ID, nil); return err }, itam.CodeNotFound, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := f.softwareSnapshot(t)
				requireCode(t, tc.op(), tc.code, tc.field)
				require.Equal(t, before, f.softwareSnapshot(t), "a refused change must write nothing")
			})
		}
		_, err := f.sw.DeleteProduct(ctx, f.prodA.ID, nil)
		require.ErrorContains(t, err, `software product "Acrobat Pro" is still referenced by 1 title rule and 1 license`)
		_, err = f.sw.DeletePublisher(ctx, f.pubA.ID, nil)
		require.ErrorContains(t, err, `software publisher "Adobe" is still referenced by 1 product`)
		_, err = f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: "acrobat pro"})
		require.ErrorContains(t, err, `this publisher already has a product named "acrobat pro"`)
	})

	t.Run("roles", func(t *testing.T) {
		writes := map[string]func(ctx context.Context) error{
			"CreatePublisher": func(ctx context.Context) error {
				_, err := f.sw.CreatePublisher(ctx, software.PublisherInput{Name: "P"})
				return err
			},
			"UpdatePublisher": func(ctx context.Context) error {
				_, err := f.sw.UpdatePublisher(ctx, software.PublisherPatch{ID: f.pubA.ID, Version: 1, Name: itam.Some("P")})
				return err
			},
			"DeletePublisher": func(ctx context.Context) error { _, err := f.sw.DeletePublisher(ctx, f.pubA.ID, nil); return err },
			"CreateProduct": func(ctx context.Context) error {
				_, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: "P"})
				return err
			},
			"UpdateProduct": func(ctx context.Context) error {
				_, err := f.sw.UpdateProduct(ctx, software.ProductPatch{ID: f.prodA.ID, Version: 1, Name: itam.Some("P")})
				return err
			},
			"DeleteProduct": func(ctx context.Context) error { _, err := f.sw.DeleteProduct(ctx, f.prodA.ID, nil); return err },
		}
		for name, write := range writes {
			t.Run(name, func(t *testing.T) {
				before := f.softwareSnapshot(t)
				requireCode(t, write(f.auditor()), itam.CodeForbidden, "")
				requireCode(t, write(f.employee()), itam.CodeForbidden, "")
				requireCode(t, write(context.Background()), itam.CodeUnauthenticated, "")
				require.Equal(t, before, f.softwareSnapshot(t))
			})
		}
		t.Run("everyone reads; EMPLOYEE without notes", func(t *testing.T) {
			for _, c := range []struct {
				ctx   context.Context
				notes bool
			}{{f.auditor(), true}, {f.manager(), true}, {f.employee(), false}} {
				p, err := f.sw.ListProducts(c.ctx, software.ProductFilter{}, itam.PageArgs{})
				require.NoError(t, err)
				require.Len(t, p.Items, 1)
				require.Equal(t, "Acrobat Pro", p.Items[0].Name)
				m, err := f.sw.ProductsByIDs(c.ctx, []uuid.UUID{f.prodA.ID})
				require.NoError(t, err)
				if c.notes {
					require.Equal(t, "contract 7", *p.Items[0].Notes)
					require.Equal(t, "contract 7", *m[f.prodA.ID].Notes)
				} else {
					require.Nil(t, p.Items[0].Notes)
					require.Nil(t, m[f.prodA.ID].Notes)
				}
				n, err := f.sw.CountPublishers(c.ctx, itam.NameFilter{})
				require.NoError(t, err)
				require.Equal(t, 1, n)
			}
		})
	})
}

// TestSoftwareInstallationsOf: each product's page of current
// installations, by asset then source and key, for many products in one
// statement; ended installations and other organizations' never show, and
// an EMPLOYEE sees only those on devices assigned to them.
func TestSoftwareInstallationsOf(t *testing.T) {
	t.Parallel()
	f := newSoftwareFixture(t)
	ctx := f.A.admin
	other, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: "Photoshop"})
	require.NoError(t, err)
	unused, err := f.sw.CreateProduct(ctx, software.ProductInput{PublisherID: f.pubA.ID, Name: "Illustrator"})
	require.NoError(t, err)
	spare, err := f.a.CreateAsset(ctx, itam.AssetInput{ModelID: f.A.model.ID, OwnerTeamID: &f.A.team.ID}, nil)
	require.NoError(t, err)
	anns := f.A.asset // assigned to Ann, the employee
	install := func(org, asset uuid.UUID, source, key string, product uuid.UUID, ended bool) {
		f.ownerExec(t, `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, product_id, ended_at)
			VALUES ($1, $2, $3, $4, $4, $5, CASE WHEN $6 THEN now() END)`, org, asset, source, key, product, ended)
	}
	install(f.orgA, anns.ID, "JAMF_PRO", "com.adobe.acrobat.pro", f.prodA.ID, false)
	install(f.orgA, anns.ID, "INTUNE", "adobe acrobat dc (64-bit)", f.prodA.ID, false)
	install(f.orgA, anns.ID, "JAMF_PRO", "acrobat reader", f.prodA.ID, true) // ended: history only
	install(f.orgA, spare.ID, "JAMF_PRO", "com.adobe.acrobat.pro", f.prodA.ID, false)
	install(f.orgA, spare.ID, "JAMF_PRO", "com.adobe.photoshop", other.ID, false)
	install(f.orgB, f.B.asset.ID, "JAMF_PRO", "com.adobe.acrobat.pro", f.prodB.ID, false)

	type key struct {
		asset       uuid.UUID
		source, app string
	}
	keysOf := func(p itam.Page[*software.Installation]) []key {
		out := make([]key, len(p.Items))
		for i, x := range p.Items {
			out[i] = key{x.AssetID, x.Source, x.Key}
		}
		return out
	}
	// Expected order: by asset id, then source and key.
	acrobat := []key{{anns.ID, "INTUNE", "adobe acrobat dc (64-bit)"}, {anns.ID, "JAMF_PRO", "com.adobe.acrobat.pro"}}
	if spare.ID.String() < anns.ID.String() {
		acrobat = append([]key{{spare.ID, "JAMF_PRO", "com.adobe.acrobat.pro"}}, acrobat...)
	} else {
		acrobat = append(acrobat, key{spare.ID, "JAMF_PRO", "com.adobe.acrobat.pro"})
	}
	products := []uuid.UUID{f.prodA.ID, other.ID, unused.ID, f.prodB.ID}

	t.Run("every product's page at once", func(t *testing.T) {
		pages, err := f.sw.InstallationsOf(ctx, products, itam.PageArgs{})
		require.NoError(t, err)
		require.Equal(t, acrobat, keysOf(pages[f.prodA.ID]))
		require.Equal(t, []key{{spare.ID, "JAMF_PRO", "com.adobe.photoshop"}}, keysOf(pages[other.ID]))
		require.Empty(t, pages[unused.ID].Items)
		require.Empty(t, pages[f.prodB.ID].Items, "another organization's installations are invisible")
		counts, err := f.sw.CountInstallationsOf(ctx, products)
		require.NoError(t, err)
		require.Equal(t, map[uuid.UUID]int{f.prodA.ID: 3, other.ID: 1, unused.ID: 0, f.prodB.ID: 0}, counts)
		one, err := f.sw.CountInstallationsOf(ctx, []uuid.UUID{f.prodA.ID})
		require.NoError(t, err)
		require.Equal(t, 3, one[f.prodA.ID])
	})

	t.Run("pages follow cursors, alone and batched", func(t *testing.T) {
		for _, parents := range [][]uuid.UUID{{f.prodA.ID}, products} {
			var got []key
			var after *string
			for range 4 {
				pages, err := f.sw.InstallationsOf(ctx, parents, itam.PageArgs{First: ptr(1), After: after})
				require.NoError(t, err)
				pg := pages[f.prodA.ID]
				got = append(got, keysOf(pg)...)
				if !pg.HasNextPage {
					break
				}
				after = &pg.Cursors[0]
			}
			require.Equal(t, acrobat, got)
			pages, err := f.sw.InstallationsOf(ctx, parents, itam.PageArgs{Last: ptr(2)})
			require.NoError(t, err)
			require.Equal(t, acrobat[1:], keysOf(pages[f.prodA.ID]))
			require.True(t, pages[f.prodA.ID].HasPreviousPage)
		}
	})

	t.Run("EMPLOYEE sees their own devices only", func(t *testing.T) {
		pages, err := f.sw.InstallationsOf(f.employee(), products, itam.PageArgs{})
		require.NoError(t, err)
		require.Equal(t, []key{{anns.ID, "INTUNE", "adobe acrobat dc (64-bit)"}, {anns.ID, "JAMF_PRO", "com.adobe.acrobat.pro"}}, keysOf(pages[f.prodA.ID]))
		require.Empty(t, pages[other.ID].Items)
		counts, err := f.sw.CountInstallationsOf(f.employee(), products)
		require.NoError(t, err)
		require.Equal(t, 2, counts[f.prodA.ID])
		require.Equal(t, 0, counts[other.ID])
		// Someone with no person record sees none.
		stranger := as(f.orgA, itam.RoleEmployee, "nobody@example.com")
		pages, err = f.sw.InstallationsOf(stranger, []uuid.UUID{f.prodA.ID}, itam.PageArgs{})
		require.NoError(t, err)
		require.Empty(t, pages[f.prodA.ID].Items)
		// An auditor sees them all.
		counts, err = f.sw.CountInstallationsOf(f.auditor(), []uuid.UUID{f.prodA.ID})
		require.NoError(t, err)
		require.Equal(t, 3, counts[f.prodA.ID])
	})
}
