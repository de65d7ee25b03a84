package loaders

import (
	"sync"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/software"
)

// ComplianceLoaders batch what the compliance report links to: licenses,
// seats and products by id. They read through the compliance store, so the
// report does not depend on the license and catalog stores.
type ComplianceLoaders struct {
	License *dataloadgen.Loader[uuid.UUID, *licenses.License]
	Seat    *dataloadgen.Loader[uuid.UUID, *licenses.Seat]
	Product *dataloadgen.Loader[uuid.UUID, *software.Product]
}

// lazyCompliance builds the compliance loaders on first use.
type lazyCompliance struct {
	once sync.Once
	l    *ComplianceLoaders
}

// Compliance returns the request's compliance loaders over s.
func (l *Loaders) Compliance(s *postgres.LicenseComplianceStore) *ComplianceLoaders {
	l.compliance.once.Do(func() {
		l.compliance.l = &ComplianceLoaders{License: mapped(s.CompliantLicensesByIDs), Seat: mapped(s.CompliantSeatsByIDs),
			Product: mapped(s.CompliantProductsByIDs)}
	})
	return l.compliance.l
}
