// Package loaders batches the lookups GraphQL fields make per object into one
// query per relation per request, so a page of N assets with nested model,
// manufacturer, category, people, teams and locations costs the same number
// of round trips for any N.
package loaders

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// Loaders is one request's set of loaders. They cache for the request only,
// so a mutation's payload sees its own writes when read through a new request.
type Loaders struct {
	Asset        *dataloadgen.Loader[uuid.UUID, *itam.Asset]
	Person       *dataloadgen.Loader[uuid.UUID, *itam.Person]
	Team         *dataloadgen.Loader[uuid.UUID, *itam.Team]
	Location     *dataloadgen.Loader[uuid.UUID, *itam.Location]
	Manufacturer *dataloadgen.Loader[uuid.UUID, *itam.Manufacturer]
	Category     *dataloadgen.Loader[uuid.UUID, *itam.Category]
	Model        *dataloadgen.Loader[uuid.UUID, *itam.Model]
	Supplier     *dataloadgen.Loader[uuid.UUID, *itam.Supplier]
	ExternalIDs  *dataloadgen.Loader[uuid.UUID, []itam.ExternalID]
	// Per-asset sync details, keyed by asset id.
	Provenance *dataloadgen.Loader[uuid.UUID, []itam.FieldProvenance]
	Conflicts  *dataloadgen.Loader[uuid.UUID, []*itam.SyncConflict]
	// SyncConflict is keyed by the conflict's own id (node(id:)).
	SyncConflict *dataloadgen.Loader[uuid.UUID, *itam.SyncConflict]
	// LocationChildren and LocationAncestors are keyed by location id.
	LocationChildren  *dataloadgen.Loader[uuid.UUID, []*itam.Location]
	LocationAncestors *dataloadgen.Loader[uuid.UUID, []*itam.Location]

	// Loaders over stores New does not take, built on first use (most
	// requests never touch them), so New keeps its signature.
	conn    lazy[ConnectorLoaders]    // see Connectors
	lic     lazy[LicenseLoaders]      // see Licenses
	rules   lazy[SoftwareRuleLoaders] // see SoftwareRules
	catalog lazy[CatalogLoaders]      // see SoftwareCatalog
	dep     lazy[DepreciationLoaders] // see Depreciation
	ledger  lazy[CostLedgerLoaders]   // see CostLedger
	ctr     lazy[ContractLoaders]     // see Contracts
	ntf     lazy[NotificationLoaders] // see Notifications
	off     lazy[OffboardingLoaders]  // see Offboarding
	chk     lazy[CheckoutLoaders]     // see Checkouts
	po      lazy[ProcurementLoaders]  // see Procurement
	aud     lazy[AuditLoaders]        // see Audits
	hist    lazy[HistoryLoaders]      // see History
	push    lazy[PushLoaders]         // see Push

	// siblings and nested batch nested connections (see Nested).
	siblings sync.Map // parent path → []uuid.UUID
	nested   sync.Map // field key → *nestedField
}

// ConnectorLoaders batch connector lookups: by id, sync runs by id, and
// each connector's last run.
type ConnectorLoaders struct {
	Connector *dataloadgen.Loader[uuid.UUID, *itam.Connector]
	SyncRun   *dataloadgen.Loader[uuid.UUID, *itam.SyncRun]
	LastSync  *dataloadgen.Loader[uuid.UUID, *itam.SyncRun]
	// Linked is Connector for links (a run's, an external id's): nil, not
	// FORBIDDEN, for roles that may not see connectors.
	Linked *dataloadgen.Loader[uuid.UUID, *itam.Connector]
}

// Connectors returns the request's connector loaders over s.
func (l *Loaders) Connectors(s *postgres.ConnectorStore) *ConnectorLoaders {
	return l.conn.get(func() *ConnectorLoaders {
		return &ConnectorLoaders{Connector: mapped(s.ConnectorsByIDs), SyncRun: mapped(s.SyncRunsByIDs), LastSync: mapped(s.LastSync),
			Linked: mapped(s.LinkedConnectors)}
	})
}

// lazy is a group of loaders built on the request's first use of it.
type lazy[T any] struct {
	once sync.Once
	v    *T
}

// get returns the group, building it with build the first time.
func (z *lazy[T]) get(build func() *T) *T {
	z.once.Do(func() { z.v = build() })
	return z.v
}

// wait is how long a loader collects keys before querying. Resolvers of one
// page run concurrently and enqueue within microseconds; a short wait keeps
// single-object requests fast.
var wait = 500 * time.Microsecond

// mapped adapts a store's ByIDs method: keys missing from its result resolve
// to nil without an error, which GraphQL renders as null (not visible).
func mapped[V any](fetch func(context.Context, []uuid.UUID) (map[uuid.UUID]V, error)) *dataloadgen.Loader[uuid.UUID, V] {
	return dataloadgen.NewMappedLoader(func(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]V, error) {
		m, err := fetch(ctx, ids)
		if err != nil {
			return nil, err
		}
		var zero V
		for _, id := range ids {
			if _, ok := m[id]; !ok {
				m[id] = zero
			}
		}
		return m, nil
	}, dataloadgen.WithWait(wait), dataloadgen.WithBatchCapacity(1000))
}

// Stores are what the loaders read through, one store per entity.
type Stores struct {
	Assets     *postgres.AssetStore
	People     *postgres.PersonStore
	Teams      *postgres.TeamStore
	Locations  *postgres.LocationStore
	Models     *postgres.ModelStore // manufacturers, categories and models
	Suppliers  *postgres.SupplierStore
	Provenance *postgres.ProvenanceStore // per-asset sync details and conflicts
}

// New returns a fresh set of loaders over the stores.
func New(s Stores) *Loaders {
	return &Loaders{
		Asset:        mapped(s.Assets.AssetsByIDs),
		Person:       mapped(s.People.PeopleByIDs),
		Team:         mapped(s.Teams.TeamsByIDs),
		Location:     mapped(s.Locations.LocationsByIDs),
		Manufacturer: mapped(s.Models.ManufacturersByIDs),
		Category:     mapped(s.Models.CategoriesByIDs),
		Model:        mapped(s.Models.ModelsByIDs),
		Supplier:     mapped(s.Suppliers.SuppliersByIDs),
		ExternalIDs:  mapped(s.Provenance.ExternalIDsByAssetIDs),

		Provenance:        mapped(s.Provenance.ProvenanceByAssetIDs),
		Conflicts:         mapped(s.Provenance.ConflictsByAssetIDs),
		SyncConflict:      mapped(s.Provenance.SyncConflictsByIDs),
		LocationChildren:  mapped(s.Locations.LocationChildren),
		LocationAncestors: mapped(s.Locations.LocationAncestors),
	}
}

type ctxKey struct{}

// Middleware gives each request its own loaders.
func Middleware(s Stores, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(With(r.Context(), New(s))))
	})
}

// With returns ctx carrying l.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders { return ctx.Value(ctxKey{}).(*Loaders) }
