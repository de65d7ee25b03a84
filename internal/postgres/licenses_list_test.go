package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

func TestLicenseFilter(t *testing.T) {
	t.Parallel()
	f := newLicenseFixture(t)
	ctx := f.admin(f.a)
	other := f.product(f.a, "Zoom")
	f.store.now = func() time.Time { return date(2026, 6, 1) }
	current := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerUser, Seats: ptr(1), Name: ptr("Slack Business+"),
		TermStart: ptr(date(2026, 1, 1)), TermEnd: ptr(date(2026, 12, 31))})
	expired := f.license(ctx, licenses.Input{ProductID: f.productA, Model: licenses.PerDevice, Seats: ptr(1), PurchaseOrder: ptr("PO-77"),
		TermEnd: ptr(date(2026, 5, 31))})
	zoom := f.license(ctx, licenses.Input{ProductID: other, Model: licenses.Site})
	id := func(l *licenses.License) uuid.UUID { return l.ID }
	zoomInc := f.id(`SELECT publisher_id FROM software_products WHERE id = $1`, other)
	for _, tt := range []struct {
		name string
		f    licenses.Filter
		want []uuid.UUID
	}{
		{"all", licenses.Filter{}, []uuid.UUID{current.ID, expired.ID, zoom.ID}},
		{"product", licenses.Filter{ProductID: &other}, []uuid.UUID{zoom.ID}},
		{"publisher", licenses.Filter{PublisherID: &zoomInc}, []uuid.UUID{zoom.ID}},
		{"model", licenses.Filter{Model: ptr(licenses.PerDevice)}, []uuid.UUID{expired.ID}},
		{"search name", licenses.Filter{Search: ptr("business")}, []uuid.UUID{current.ID}},
		{"search product name", licenses.Filter{Search: ptr("zoo")}, []uuid.UUID{zoom.ID}},
		{"search purchase order", licenses.Filter{Search: ptr("po-7")}, []uuid.UUID{expired.ID}},
		{"active", licenses.Filter{Active: ptr(true)}, []uuid.UUID{current.ID, zoom.ID}},
		{"inactive", licenses.Filter{Active: ptr(false)}, []uuid.UUID{expired.ID}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			page, err := f.store.ListLicenses(ctx, tt.f, itam.PageArgs{})
			require.NoError(t, err)
			require.Equal(t, tt.want, ids(page.Items, id))
			for _, l := range page.Items {
				if tt.f.Active != nil {
					require.Equal(t, *tt.f.Active, l.Active(f.store.now()), "the SQL and licenses.License.Active agree")
				}
			}
		})
	}
	// Pages of one follow each other.
	first, err := f.store.ListLicenses(ctx, licenses.Filter{}, itam.PageArgs{First: ptr(1)})
	require.NoError(t, err)
	next, err := f.store.ListLicenses(ctx, licenses.Filter{}, itam.PageArgs{First: ptr(2), After: &first.Cursors[0]})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{expired.ID, zoom.ID}, ids(next.Items, id))
	require.True(t, strings.HasPrefix(first.Items[0].ID.String(), current.ID.String()))
}

// licenseTenantRows gives org o a row in licenses, license_seats and
// license_history, through the store (tenantRows).
func licenseTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	lf := &licenseFixture{fixture: f, store: NewLicenseStore(f.db, nil)}
	product := lf.product(o, "RLS Suite")
	l := lf.license(f.admin(o), licenses.Input{ProductID: product, Model: licenses.PerUser, Seats: ptr(1)})
	_, err := lf.store.AssignSeat(f.admin(o), licenses.SeatInput{LicenseID: l.ID, PersonID: &o.alice})
	require.NoError(f.t, err)
}
