package loaders

import (
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

// Licenses returns the request's license loaders over s.
func (l *Loaders) Licenses(s *postgres.LicenseStore) *LicenseLoaders {
	return l.lic.get(func() *LicenseLoaders {
		return &LicenseLoaders{License: mapped(s.LicensesByIDs), Seat: mapped(s.SeatsByIDs)}
	})
}
