package servicenow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// PushRecord writes r.Fields to the record r.ExternalID with one PATCH
// /api/now/table/{table}/{sys_id} carrying only those fields (Table API
// "PATCH /now/table/{tableName}/{sys_id}"). References are written as
// sys_ids: the assignee looked up in sys_user by email, the location in
// cmn_location by name, each cached for the life of the source.
func (s *source) PushRecord(ctx context.Context, r connectors.PushRecord) error {
	if !sysID.MatchString(r.ExternalID) {
		return fmt.Errorf("servicenow: %q is not a sys_id", r.ExternalID)
	}
	body, err := s.values(ctx, r, r.Fields, false, nil)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	q := url.Values{"sysparm_fields": {"sys_id"}}
	return s.send(ctx, http.MethodPatch, tablePath+s.table+"/"+r.ExternalID, q, body, nil)
}

// CreateRecord creates a record with everything of r the table holds
// (POST /api/now/table/{table}) and returns its sys_id. A reference that
// does not resolve (an assignee ServiceNow does not know) is left out
// rather than refusing the record: the next push of that field reports it.
func (s *source) CreateRecord(ctx context.Context, r connectors.PushRecord) (string, error) {
	body, err := s.values(ctx, r, connectors.PushFields, true, nil)
	if err != nil {
		return "", err
	}
	if !s.profile.asset && r.Name != "" {
		body["name"] = r.Name // an asset's display_name is computed
	}
	if r.SerialNumber != "" {
		body["serial_number"] = r.SerialNumber
	}
	var resp oneResponse
	q := url.Values{"sysparm_fields": {"sys_id"}}
	if err := s.send(ctx, http.MethodPost, tablePath+s.table, q, body, &resp); err != nil {
		return "", err
	}
	if resp.Result == nil || !sysID.MatchString(resp.Result.get("sys_id")) {
		return "", s.malformed(tablePath+s.table, errors.New(`no "result" with a sys_id in the answer`))
	}
	return resp.Result.get("sys_id"), nil
}

// values is the request body for fields. On create, empty values are left
// out and unresolvable references skipped; on update an empty value clears
// the field. absent holds the reference keys a batch's lookup found no
// record for (nil outside a batch), so they are refused without asking again.
func (s *source) values(ctx context.Context, r connectors.PushRecord, fields []connectors.PushField, create bool, absent map[string]bool) (map[string]string, error) {
	body := map[string]string{}
	set := func(k, v string) {
		if v != "" || !create {
			body[k] = v
		}
	}
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	}
	for _, f := range fields {
		switch f {
		case connectors.PushAssignee:
			id, err := s.resolveWith(ctx, userTable, "email", r.AssigneeEmail, "user with the email", absent)
			if err != nil && !(create && isRefused(err)) {
				return nil, err
			}
			set("assigned_to", id)
		case connectors.PushStatus:
			if r.Status == "" {
				continue
			}
			code, ok := s.statuses.code(r.Status)
			if !ok {
				if create {
					continue
				}
				return nil, &connectors.PushRefusedError{URL: s.errBase + tablePath + s.table,
					Message: fmt.Sprintf("no install_status maps to the itam status %s (see the statusMap option)", r.Status)}
			}
			body["install_status"] = code
		case connectors.PushLocation:
			id, err := s.resolveWith(ctx, "cmn_location", "name", r.Location, "location named", absent)
			if err != nil && !(create && isRefused(err)) {
				return nil, err
			}
			set("location", id)
		case connectors.PushAssetTag:
			set("asset_tag", r.AssetTag)
		case connectors.PushPurchase:
			set("purchase_date", date(r.PurchaseDate))
			set("cost", r.PurchasePrice)
			if s.profile.currency != "" {
				set(s.profile.currency, r.PurchaseCurrency)
			}
			set("po_number", r.OrderNumber)
			set("warranty_expiration", date(r.WarrantyEnd))
		}
	}
	return body, nil
}

func isRefused(err error) bool {
	var pr *connectors.PushRefusedError
	return errors.As(err, &pr)
}

// resolve finds the sys_id of the table's record whose field equals v
// ("" for an empty v: clearing the reference). A value no record has is a
// *PushRefusedError naming it.
func (s *source) resolve(ctx context.Context, table, field, v, what string) (string, error) {
	return s.resolveWith(ctx, table, field, v, what, nil)
}

func (s *source) resolveWith(ctx context.Context, table, field, v, what string, absent map[string]bool) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	key := s.refKey(table, field, v)
	if id, ok := s.refs.get(key); ok {
		return id, nil
	}
	if absent[key] {
		return "", s.noRecord(table, what, v)
	}
	q := url.Values{
		"sysparm_query":  {field + "=" + quote(v) + "^ORDERBYsys_id"},
		"sysparm_fields": {"sys_id"},
		"sysparm_limit":  {"1"},
	}
	var resp listResponse
	if err := s.client.GetJSON(ctx, tablePath+table, q, &resp); err != nil {
		return "", err
	}
	if resp.Result == nil || len(*resp.Result) == 0 || (*resp.Result)[0].get("sys_id") == "" {
		return "", s.noRecord(table, what, v)
	}
	id := (*resp.Result)[0].get("sys_id")
	s.refs.put(key, id)
	return id, nil
}

// refKey is a reference's key in the shared cache.
func (s *source) refKey(table, field, v string) string {
	return s.refScope + "\x00" + table + "\x00" + field + "\x00" + strings.ToLower(strings.TrimSpace(v))
}

// noRecord is the refusal of a reference ServiceNow has no record for.
func (s *source) noRecord(table, what, v string) error {
	return &connectors.PushRefusedError{Status: http.StatusNotFound, URL: s.errBase + tablePath + table,
		Message: fmt.Sprintf("ServiceNow has no %s %q", what, v)}
}

// refCache remembers resolved references, shared by every source of one
// instance and API identity in this process: a push job builds a source
// per record, and a thousand pushes of one assignee or location should ask
// ServiceNow once, not a thousand times (the instance's rate limit counts
// lookups too). Entries live refTTL, so a user deleted in ServiceNow is
// looked up again soon; the cache is emptied when it reaches refMax.
type refCache struct {
	mu  sync.Mutex
	m   map[string]refEntry
	now func() time.Time
}

type refEntry struct {
	id      string
	expires time.Time
}

const (
	refTTL = 10 * time.Minute
	refMax = 50000
)

var sharedRefs = &refCache{m: map[string]refEntry{}, now: time.Now}

func (c *refCache) get(k string) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || !c.now().Before(e.expires) {
		return "", false
	}
	return e.id, true
}

func (c *refCache) put(k, v string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= refMax {
		clear(c.m)
	}
	c.m[k] = refEntry{id: v, expires: c.now().Add(refTTL)}
}
