package jsm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// userBatch is how many account ids one /rest/api/3/user/bulk request asks
// for: the endpoint pages its answer, so a batch is one page.
const userBatch = 50

// FetchPage returns one page of the listing's objects. The cursor is the
// startAt of the page. An incremental sync adds `Updated > now(-Nm)` (AQL's
// relative date function: no date format or time zone to get wrong) with N
// the minutes since req.Since, rounded up.
func (s *Source) FetchPage(ctx context.Context, req connectors.PageRequest) (connectors.Page, error) {
	start, ok := req.Offset()
	if !ok {
		return connectors.Page{}, fmt.Errorf("jsm: invalid page cursor %q", req.Cursor)
	}
	base := s.aql
	if base == "" {
		base = `objectType = "` + s.objectType + `"`
	}
	q := listingAQL(base, req, time.Now())
	objs, last, err := s.aqlPage(ctx, q, start, s.pageSize)
	if err != nil {
		return connectors.Page{}, fmt.Errorf("jsm: listing objects at %d: %w", start, err)
	}
	devices, err := s.devices(ctx, objs)
	if err != nil {
		return connectors.Page{}, err
	}
	page := connectors.Page{Devices: devices}
	if last || len(objs) == 0 {
		page.Done = true
	} else {
		page.NextCursor = strconv.Itoa(start + len(objs))
	}
	return page, nil
}

// listingAQL is the AQL of a listing: base, the incremental window, and a
// stable order (by creation: new objects land at the end, so only a
// deletion can shift later pages mid-run).
func listingAQL(base string, req connectors.PageRequest, now time.Time) string {
	base, order := splitOrder(base)
	if order == "" {
		order = "ORDER BY Created ASC"
	}
	order = " " + order
	q := base
	if req.Mode == connectors.Incremental && req.Since != nil {
		mins := int(math.Ceil(now.Sub(*req.Since).Minutes()))
		if mins < 1 {
			mins = 1
		}
		q = "(" + base + ") AND Updated > now(-" + strconv.Itoa(mins) + "m)"
	}
	return q + order
}

// splitOrder splits a configured AQL's own ORDER BY off its condition:
// the order must stay last when conditions are added.
func splitOrder(aql string) (cond, order string) {
	if i := strings.LastIndex(strings.ToLower(aql), "order by"); i >= 0 {
		return strings.TrimSpace(aql[:i]), strings.TrimSpace(aql[i:])
	}
	return strings.TrimSpace(aql), ""
}

// aqlPage runs one AQL page and reports whether it is the last.
func (s *Source) aqlPage(ctx context.Context, aql string, start, size int) ([]apiObject, bool, error) {
	u, err := s.assetsURL(ctx, "/object/aql")
	if err != nil {
		return nil, false, err
	}
	q := url.Values{}
	q.Set("startAt", strconv.Itoa(start))
	q.Set("maxResults", strconv.Itoa(size))
	q.Set("includeAttributes", "true")
	var page apiAQLPage
	if err := s.api.do(ctx, http.MethodPost, u, q, map[string]string{"qlQuery": aql}, retrySafe, &page); err != nil {
		return nil, false, err
	}
	if page.Values == nil {
		// "values": [] decodes to an empty slice; no "values" at all is
		// not an empty listing: read so, a FULL sync would count every
		// object missing.
		return nil, false, &connectors.MalformedError{URL: u, Err: fmt.Errorf(`no "values" in the page at %d`, start)}
	}
	for i, o := range page.Values {
		if strings.TrimSpace(string(o.ID)) == "" {
			return nil, false, &connectors.MalformedError{URL: u, Err: fmt.Errorf("object %d of the page at %d has no id", i, start)}
		}
	}
	return page.Values, page.IsLast, nil
}

// FetchDevice returns one object by id; nil when Assets no longer has it.
func (s *Source) FetchDevice(ctx context.Context, externalID string) (*connectors.Device, error) {
	o, err := s.object(ctx, externalID)
	if err != nil || o == nil {
		return nil, err
	}
	d, err := s.devices(ctx, []apiObject{*o})
	if err != nil {
		return nil, err
	}
	return &d[0], nil
}

func (s *Source) object(ctx context.Context, id string) (*apiObject, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, errors.New("jsm: empty object id")
	}
	u, err := s.assetsURL(ctx, "/object/"+url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	var o apiObject
	if err := s.api.do(ctx, http.MethodGet, u, nil, nil, retrySafe, &o); err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("jsm: fetching object %s: %w", id, err)
	}
	return &o, nil
}

// devices maps objects, resolving owner account ids to emails in batches.
func (s *Source) devices(ctx context.Context, objs []apiObject) ([]connectors.Device, error) {
	out := make([]connectors.Device, len(objs))
	pending := map[int]string{} // device index → owner account id
	for i, o := range objs {
		attrs, err := s.attributes(ctx, string(o.ObjectType.ID))
		if err != nil {
			return nil, err
		}
		v := resolve(o, attrs)
		out[i] = s.toDevice(o, v)
		if email, account, _ := ownerOf(v.first(s.attrs[AttrOwner])); email == "" && account != "" {
			pending[i] = account
		}
	}
	if len(pending) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(pending))
	for _, a := range pending {
		ids = append(ids, a)
	}
	emails, err := s.emails(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, a := range pending {
		out[i].UserEmail = emails[a]
	}
	return out, nil
}

// attributes returns an object type's attributes, once per Source.
func (s *Source) attributes(ctx context.Context, typeID string) ([]apiAttribute, error) {
	s.mu.Lock()
	a, ok := s.typeAttrs[typeID]
	s.mu.Unlock()
	if ok {
		return a, nil
	}
	if typeID == "" {
		return nil, &connectors.MalformedError{URL: "object/aql", Err: errors.New("an object has no objectType id")}
	}
	u, err := s.assetsURL(ctx, "/objecttype/"+url.PathEscape(typeID)+"/attributes")
	if err != nil {
		return nil, err
	}
	if err := s.api.do(ctx, http.MethodGet, u, nil, nil, retrySafe, &a); err != nil {
		return nil, fmt.Errorf("jsm: attributes of object type %s: %w", typeID, err)
	}
	s.mu.Lock()
	s.typeAttrs[typeID] = a
	s.mu.Unlock()
	return a, nil
}

// emails resolves account ids to emails through Jira's user/bulk (at most
// userBatch per request), cached per Source. A user whose profile hides
// the email resolves to "".
func (s *Source) emails(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	var todo []string
	s.mu.Lock()
	for _, id := range ids {
		if e, ok := s.accounts[id]; ok {
			out[id] = e
		} else if !contains(todo, id) {
			todo = append(todo, id)
		}
	}
	s.mu.Unlock()
	for len(todo) > 0 {
		n := min(len(todo), userBatch)
		q := url.Values{"accountId": todo[:n]}
		q.Set("maxResults", strconv.Itoa(n))
		var page apiUserPage
		if err := s.api.do(ctx, http.MethodGet, s.site+"/rest/api/3/user/bulk", q, nil, retrySafe, &page); err != nil {
			return nil, fmt.Errorf("jsm: resolving %d owner accounts: %w", n, err)
		}
		s.mu.Lock()
		for _, id := range todo[:n] {
			s.accounts[id] = "" // asked: hidden or unknown unless answered
		}
		for _, u := range page.Values {
			s.accounts[u.AccountID] = strings.TrimSpace(u.EmailAddress)
			if u.EmailAddress != "" {
				s.byEmail[strings.ToLower(u.EmailAddress)] = u.AccountID
			}
		}
		for _, id := range todo[:n] {
			out[id] = s.accounts[id]
		}
		s.mu.Unlock()
		todo = todo[n:]
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
