package freshservice

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

const (
	assetsPath = apiPrefix + "/assets"
	// filterPageSize and maxFilterPages are the documented bounds of a
	// filtered list: 30 records a page, 40 pages at most.
	filterPageSize = 30
	maxFilterPages = 40
	// filterCursor prefixes the page cursor of a filtered (incremental) listing.
	filterCursor = "u:"
)

// FetchPage returns one page of assets. The cursor is the page number of
// the full listing ("3"), or "u:<page>" of an incremental one. An
// incremental sync reads the documented filter updated_at:>'<day before
// Since>'; when more records changed than the filter can return (40 pages
// of 30), it goes on with the full listing from page 1 rather than miss any.
func (s *Source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	filtered := false
	cur := req.Cursor
	if cur == "" && req.Mode == connectors.Incremental && req.Since != nil {
		filtered, cur = true, ""
	}
	if strings.HasPrefix(cur, filterCursor) {
		filtered, cur = true, strings.TrimPrefix(cur, filterCursor)
	}
	page := 1
	if cur != "" {
		n, err := strconv.Atoi(cur)
		if err != nil || n < 1 {
			return connectors.Page{}, fmt.Errorf("freshservice: invalid page cursor %q", req.Cursor)
		}
		page = n
	}
	if filtered && req.Since == nil {
		return connectors.Page{}, fmt.Errorf("freshservice: cursor %q needs the incremental window", req.Cursor)
	}
	if err := s.ensureReferences(ctx); err != nil {
		return connectors.Page{}, err
	}
	q := url.Values{"include": {"type_fields"}}
	perPage := s.pageSize
	if filtered {
		// Day granularity: "after the day before" covers Since's own day.
		day := req.Since.UTC().AddDate(0, 0, -1).Format(time.DateOnly)
		q.Set("filter", fmt.Sprintf(`"updated_at:>'%s'"`, day))
		perPage = 0 // not applicable to filtered lists
	}
	raw, next, err := listPage[apiAsset](ctx, s, assetsPath, "assets", q, page, perPage)
	if err != nil {
		return connectors.Page{}, err
	}
	if filtered && len(raw) >= filterPageSize {
		// The filter's own page size is fixed: a full page may be followed
		// by another even if a proxy dropped the Link header.
		next = true
	}
	devices, err := s.toDevices(ctx, raw)
	if err != nil {
		return connectors.Page{}, err
	}
	out := connectors.Page{Devices: devices}
	switch {
	case filtered && next && page >= maxFilterPages:
		s.log.Info("freshservice: more changes than the filter returns; reading the full listing", "since", req.Since)
		out.NextCursor = "1"
	case filtered && next:
		out.NextCursor = filterCursor + strconv.Itoa(page+1)
	case next:
		out.NextCursor = strconv.Itoa(page + 1)
	default:
		out.Done = true
	}
	return out, nil
}

// FetchDevice returns one asset by display_id; nil when Freshservice no
// longer knows it (HTTP 404).
func (s *Source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	externalID = strings.TrimSpace(externalID)
	if externalID == "" {
		return nil, errors.New("freshservice: empty display_id")
	}
	if err := s.ensureReferences(ctx); err != nil {
		return nil, err
	}
	var body struct {
		Asset apiAsset `json:"asset"`
	}
	err := s.client.GetJSON(ctx, assetPath(externalID), url.Values{"include": {"type_fields"}}, &body)
	if vendorhttp.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("freshservice: fetching asset %s: %w", externalID, err)
	}
	d, err := s.toDevices(ctx, []apiAsset{body.Asset})
	if err != nil || len(d) == 0 {
		return nil, err // a record of a type not synced is not a device here
	}
	return &d[0], nil
}

func assetPath(displayID string) string { return assetsPath + "/" + url.PathEscape(displayID) }

// toDevices maps a page, resolving users, locations and products.
func (s *Source) toDevices(ctx context.Context, raw []apiAsset) ([]connectors.Device, error) {
	ids := make([]string, 0, len(raw))
	for i, a := range raw {
		if strings.TrimSpace(string(a.DisplayID)) == "" {
			return nil, &connectors.MalformedError{URL: assetsPath, Err: fmt.Errorf("asset %d of the page has no display_id", i)}
		}
		ids = append(ids, string(a.UserID))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.resolvePeople(ctx, ids); err != nil {
		return nil, err
	}
	out := make([]connectors.Device, 0, len(raw))
	for _, a := range raw {
		if s.wanted(a) {
			out = append(out, s.toDevice(a))
		}
	}
	return out, nil
}

// wanted reports whether a record's type is one the connector syncs; the
// caller holds s.mu.
func (s *Source) wanted(a apiAsset) bool {
	if s.assetTypes == nil {
		return true
	}
	for _, t := range s.lookups.typeChain(string(a.AssetTypeID)) {
		if slices.Contains(s.assetTypes, strings.ToLower(strings.TrimSpace(t.Name))) {
			return true
		}
	}
	return false
}

// toDevice maps one asset; the caller holds s.mu.
func (s *Source) toDevice(a apiAsset) connectors.Device {
	l := &s.lookups
	chain := l.typeChain(string(a.AssetTypeID))
	f := make(map[string]string, len(a.TypeFields))
	for k, v := range a.TypeFields {
		if str := rawString(v); str != "" {
			f[l.typeFieldBase(k, chain)] = str
		}
	}
	d := connectors.Device{
		ExternalID:   strings.TrimSpace(string(a.DisplayID)),
		Name:         strings.TrimSpace(a.Name),
		AssetTag:     strings.TrimSpace(string(a.AssetTag)),
		SerialNumber: f["serial_number"],
		Location:     l.locations[string(a.LocationID)],
		Category:     categoryOf(chain),
		PurchaseDate: parseTime(f["acquisition_date"]),
		WarrantyEnd:  parseTime(f["warranty_expiry_date"]),
	}
	if p, ok := l.products[f["product"]]; ok {
		d.Model, d.Manufacturer = strings.TrimSpace(p.Name), strings.TrimSpace(p.Manufacturer)
	}
	if cost := f["cost"]; cost != "" {
		d.PurchasePrice, d.PurchaseCurrency = cost, s.currency
	}
	if st := f["asset_state"]; st != "" {
		d.Status = s.status[strings.ToLower(st)] // "" when unmapped: the sync leaves the status alone
	}
	if p, ok := l.people[string(a.UserID)]; ok {
		d.UserEmail, d.UserName = p.email, p.name
	}
	return d
}

// FetchPeoplePage returns one page of people: requesters first (cursor
// "r:<page>"), then agents ("a:<page>"), who are not requesters. Every
// sync reads the whole directory: a deactivation must be seen, and the
// requesters' query filter pages as narrowly as the assets' one.
func (s *Source) FetchPeoplePage(ctx context.Context, req connectors.PageRequest) (connectors.PeoplePage, error) {
	kind, cur := "r", req.Cursor
	if cur != "" {
		var ok bool
		kind, cur, ok = strings.Cut(cur, ":")
		if !ok || (kind != "r" && kind != "a") {
			return connectors.PeoplePage{}, fmt.Errorf("freshservice: invalid people cursor %q", req.Cursor)
		}
	}
	page := 1
	if cur != "" {
		n, err := strconv.Atoi(cur)
		if err != nil || n < 1 {
			return connectors.PeoplePage{}, fmt.Errorf("freshservice: invalid people cursor %q", req.Cursor)
		}
		page = n
	}
	path, wrap := apiPrefix+"/requesters", "requesters"
	if kind == "a" {
		path, wrap = apiPrefix+"/agents", "agents"
	}
	users, next, err := listPage[apiUser](ctx, s, path, wrap, nil, page, s.pageSize)
	if err != nil {
		return connectors.PeoplePage{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureDepartments(ctx); err != nil {
		return connectors.PeoplePage{}, err
	}
	if s.lookups.locations == nil {
		if err := s.loadLocations(ctx); err != nil {
			return connectors.PeoplePage{}, err
		}
	}
	s.remember(users)
	managers := make([]string, 0, len(users))
	for _, u := range users {
		managers = append(managers, string(u.ReportingManagerID))
	}
	if err := s.resolvePeople(ctx, managers); err != nil {
		return connectors.PeoplePage{}, err
	}
	out := connectors.PeoplePage{People: make([]connectors.Person, 0, len(users))}
	for _, u := range users {
		if u.ID == "" {
			return connectors.PeoplePage{}, &connectors.MalformedError{URL: path, Err: errors.New("a person has no id")}
		}
		p := connectors.Person{
			ExternalID:     string(u.ID),
			Email:          u.email(),
			Name:           u.name(),
			EmployeeNumber: strings.TrimSpace(string(u.EmployeeID)),
			Title:          strings.TrimSpace(u.JobTitle),
			Location:       s.lookups.locations[string(u.LocationID)],
			ManagerEmail:   s.lookups.people[string(u.ReportingManagerID)].email,
			Active:         u.Active == nil || *u.Active,
		}
		for _, id := range u.DepartmentIDs {
			if name := s.lookups.departments[string(id)]; name != "" {
				p.Department = name
				break
			}
		}
		out.People = append(out.People, p)
	}
	switch {
	case next:
		out.NextCursor = kind + ":" + strconv.Itoa(page+1)
	case kind == "r":
		out.NextCursor = "a:1"
	default:
		out.Done = true
	}
	return out, nil
}
