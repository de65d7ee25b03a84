package freshservice

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// lookups are the reference lists a record's ids resolve through, read once
// per Source (a Source lives for one sync or one push job) and guarded by
// Source.mu.
type lookups struct {
	types       map[string]apiAssetType // by id
	locations   map[string]string       // id → name
	locationIDs map[string]string       // lower-cased name → id
	departments map[string]string       // id → name
	products    map[string]apiProduct   // by id
	// people holds requesters and agents seen so far by id; directory
	// says the whole directory has been read (so a miss is final).
	people    map[string]person
	directory bool
	// userIDs caches push lookups: lower-cased email → id ("" = none).
	userIDs map[string]string
	// typeKeys caches GET /asset_types/{id}/fields: base name → type-field key.
	typeKeys map[string]map[string]string
}

type person struct{ email, name string }

// listAll reads every page of a list endpoint whose body is {wrap: [...]},
// in the largest pages the API allows: reference lists are read whole.
func listAll[T any](ctx context.Context, s *Source, path, wrap string, q url.Values) ([]T, error) {
	var out []T
	for page := 1; ; page++ {
		items, next, err := listPage[T](ctx, s, path, wrap, q, page, MaxPageSize)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
		if !next {
			return out, nil
		}
	}
}

// listPage reads one page; next reports the Link header's rel="next".
func listPage[T any](ctx context.Context, s *Source, path, wrap string, q url.Values, page, perPage int) ([]T, bool, error) {
	query := url.Values{}
	for k, v := range q {
		query[k] = v
	}
	query.Set("page", strconv.Itoa(page))
	if perPage > 0 {
		query.Set("per_page", strconv.Itoa(perPage))
	}
	var body map[string][]T
	h, err := s.client.Do(ctx, vendorhttp.Call{Path: path, Query: query}, &body)
	if err != nil {
		return nil, false, fmt.Errorf("freshservice: %s page %d: %w", path, page, err)
	}
	items, ok := body[wrap]
	if !ok {
		// Read as empty, a FULL sync would count every asset missing.
		return nil, false, &connectors.MalformedError{URL: path, Err: fmt.Errorf("no %q in the answer to page %d", wrap, page)}
	}
	return items, vendorhttp.NextLink(h) != "", nil
}

// ensureReferences loads asset types, locations and products.
func (s *Source) ensureReferences(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &s.lookups
	if err := s.loadTypes(ctx); err != nil {
		return err
	}
	if l.locations == nil {
		if err := s.loadLocations(ctx); err != nil {
			return err
		}
	}
	if l.products == nil {
		products, err := listAll[apiProduct](ctx, s, apiPrefix+"/products", "products", nil)
		if err != nil {
			return err
		}
		l.products = make(map[string]apiProduct, len(products))
		for _, p := range products {
			l.products[string(p.ID)] = p
		}
	}
	return nil
}

// loadTypes reads the asset types once; the caller holds s.mu.
func (s *Source) loadTypes(ctx context.Context) error {
	if s.lookups.types != nil {
		return nil
	}
	types, err := listAll[apiAssetType](ctx, s, apiPrefix+"/asset_types", "asset_types", nil)
	if err != nil {
		return err
	}
	s.lookups.types = make(map[string]apiAssetType, len(types))
	for _, t := range types {
		s.lookups.types[string(t.ID)] = t
	}
	return nil
}

// loadLocations reads the locations; the caller holds s.mu.
func (s *Source) loadLocations(ctx context.Context) error {
	locs, err := listAll[apiNamed](ctx, s, apiPrefix+"/locations", "locations", nil)
	if err != nil {
		return err
	}
	l := &s.lookups
	l.locations, l.locationIDs = make(map[string]string, len(locs)), make(map[string]string, len(locs))
	for _, x := range locs {
		name := strings.TrimSpace(x.Name)
		l.locations[string(x.ID)] = name
		l.locationIDs[strings.ToLower(name)] = string(x.ID)
	}
	return nil
}

// ensureDepartments loads the departments; the caller holds s.mu.
func (s *Source) ensureDepartments(ctx context.Context) error {
	if s.lookups.departments != nil {
		return nil
	}
	deps, err := listAll[apiNamed](ctx, s, apiPrefix+"/departments", "departments", nil)
	if err != nil {
		return err
	}
	s.lookups.departments = make(map[string]string, len(deps))
	for _, d := range deps {
		s.lookups.departments[string(d.ID)] = strings.TrimSpace(d.Name)
	}
	return nil
}

// remember records people seen in a page; the caller holds s.mu.
func (s *Source) remember(users []apiUser) {
	if s.lookups.people == nil {
		s.lookups.people = map[string]person{}
	}
	for _, u := range users {
		if u.ID != "" {
			s.lookups.people[string(u.ID)] = person{email: u.email(), name: u.name()}
		}
	}
}

// resolvePeople returns the people with the given ids, reading the whole
// directory (requesters, then agents) once when one is unknown: a page of
// requests per hundred people instead of one per person. The caller holds
// s.mu.
func (s *Source) resolvePeople(ctx context.Context, ids []string) error {
	if s.lookups.directory {
		return nil
	}
	missing := false
	for _, id := range ids {
		if _, ok := s.lookups.people[id]; id != "" && !ok {
			missing = true
			break
		}
	}
	if !missing {
		return nil
	}
	for _, src := range []struct{ path, wrap string }{{"/requesters", "requesters"}, {"/agents", "agents"}} {
		users, err := listAll[apiUser](ctx, s, apiPrefix+src.path, src.wrap, nil)
		if err != nil {
			return err
		}
		s.remember(users)
	}
	s.lookups.directory = true
	return nil
}

// typeChain is the asset type and its ancestors, most specific first.
func (l *lookups) typeChain(id string) []apiAssetType {
	var chain []apiAssetType
	for id != "" && len(chain) < 16 { // bounded: a cycle in vendor data must not hang a sync
		t, ok := l.types[id]
		if !ok {
			break
		}
		chain = append(chain, t)
		id = string(t.ParentAssetTypeID)
	}
	return chain
}

// typeFieldBase strips the asset-type suffix of a type-field key: a field
// is named after the type that defines it (serial_number_<Hardware id> on
// a laptop, whose type inherits from Computer and Hardware), so the suffix
// is the record's type or one of its ancestors. A key whose suffix is no
// known type id is kept whole, never guessed at.
func (l *lookups) typeFieldBase(key string, chain []apiAssetType) string {
	i := strings.LastIndexByte(key, '_')
	if i <= 0 || i == len(key)-1 {
		return key
	}
	suffix := key[i+1:]
	for _, t := range chain {
		if string(t.ID) == suffix {
			return key[:i]
		}
	}
	if _, ok := l.types[suffix]; ok {
		return key[:i]
	}
	return key
}

// categoryOf classifies a record by its asset type names, most specific
// first ("" lets the sync guess from the model).
func categoryOf(chain []apiAssetType) string {
	rules := []struct {
		kind  string
		words []string
	}{
		{"LAPTOP", []string{"laptop", "notebook"}},
		{"DESKTOP", []string{"desktop", "workstation"}},
		{"SERVER", []string{"server"}},
		{"MONITOR", []string{"monitor", "display"}},
		{"TABLET", []string{"tablet", "ipad"}},
		{"PHONE", []string{"mobile", "phone"}},
		{"NETWORK", []string{"router", "switch", "access point", "firewall", "network"}},
		{"PERIPHERAL", []string{"printer", "scanner", "keyboard", "mouse", "dock", "headset", "peripheral"}},
	}
	for _, t := range chain {
		name := strings.ToLower(t.Name)
		for _, r := range rules {
			for _, w := range r.words {
				if strings.Contains(name, w) {
					return r.kind
				}
			}
		}
	}
	return ""
}
