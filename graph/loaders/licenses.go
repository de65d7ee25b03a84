package loaders

import (
	"sync"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/postgres"
)

// LicenseLoaders batch lookups by id of licenses and seats
// (LicenseSeat.license, LicenseHistoryEntry.seat, node(id:)). License.product
// reads through the catalog's loader (SoftwareCatalog).
type LicenseLoaders struct {
	License *dataloadgen.Loader[uuid.UUID, *licenses.License]
	Seat    *dataloadgen.Loader[uuid.UUID, *licenses.Seat]
}

// licenseLoaders is built on the request's first use (Loaders.Licenses).
type licenseLoaders struct {
	once sync.Once
	l    *LicenseLoaders
}

// Licenses returns the request's license loaders over s.
func (l *Loaders) Licenses(s *postgres.LicenseStore) *LicenseLoaders {
	l.lic.once.Do(func() {
		l.lic.l = &LicenseLoaders{License: mapped(s.LicensesByIDs), Seat: mapped(s.SeatsByIDs)}
	})
	return l.lic.l
}
