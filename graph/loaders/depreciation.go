package loaders

import (
	"sync"

	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/postgres"
)

// DepreciationLoaders batch depreciation profile lookups by id (a
// category's, a model's, the organization's default) and node(id:), and
// keep per-request answers every profile or group shares (whether a
// profile is the default, a report's book values).
type DepreciationLoaders struct {
	Profile *dataloadgen.Loader[uuid.UUID, *costs.Profile]
	// Node is Profile for node(id:): nil, not FORBIDDEN, for EMPLOYEE.
	Node *dataloadgen.Loader[uuid.UUID, *costs.Profile]

	mu   sync.Mutex
	once map[string]*onceValue
}

// onceValue is one memoized answer.
type onceValue struct {
	once sync.Once
	v    any
	err  error
}

// Once returns fetch's answer for key, fetching it the first time only in
// this request: the organization's default profile for every profile's
// isDefault, one assetCounts' book values for all its groups.
func (d *DepreciationLoaders) Once(key string, fetch func() (any, error)) (any, error) {
	d.mu.Lock()
	o, ok := d.once[key]
	if !ok {
		o = &onceValue{}
		d.once[key] = o
	}
	d.mu.Unlock()
	o.once.Do(func() { o.v, o.err = fetch() })
	return o.v, o.err
}

// Depreciation returns the request's depreciation loaders over s.
func (l *Loaders) Depreciation(s *postgres.DepreciationProfileStore) *DepreciationLoaders {
	return l.dep.get(func() *DepreciationLoaders {
		return &DepreciationLoaders{Profile: mapped(s.ProfilesByIDs), Node: mapped(s.ProfileNodes), once: map[string]*onceValue{}}
	})
}
