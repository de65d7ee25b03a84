package freshservice

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/connectors"
)

// PushRecord updates asset r.ExternalID (a display_id) with PUT
// /api/v2/assets/{display_id}, sending exactly the opted fields:
//   - ASSIGNEE → user_id, the requester (else agent) with that email; null clears;
//   - LOCATION → location_id, the location with that name; null clears;
//   - ASSET_TAG → asset_tag;
//   - STATUS → the asset_state type field, through the reverse status map;
//   - PURCHASE → the cost, acquisition_date and warranty_expiry_date type fields.
//
// Type fields are written under the keys the record's type uses (the
// suffix of the type that defines each), read from the record itself.
func (s *Source) PushRecord(ctx context.Context, r connectors.PushRecord) error {
	id := strings.TrimSpace(r.ExternalID)
	if id == "" {
		return fmt.Errorf("freshservice: push without a display_id")
	}
	body, err := s.pushBody(ctx, r, func(ctx context.Context) (map[string]string, error) { return s.recordKeys(ctx, id) })
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	return s.send(ctx, http.MethodPut, assetPath(id), body, nil)
}

// CreateRecord creates an asset of the defaultAssetTypeId type with every
// field of r Freshservice can hold and returns its display_id.
func (s *Source) CreateRecord(ctx context.Context, r connectors.PushRecord) (string, error) {
	if s.defaultTypeID == 0 {
		return "", &connectors.PushRefusedError{Status: http.StatusBadRequest, URL: "POST " + assetsPath,
			Message: "set the connector option " + OptDefaultAssetTypeID + " to create Freshservice assets"}
	}
	typeID := fmt.Sprint(s.defaultTypeID)
	all := r
	all.Fields = []connectors.PushField{connectors.PushAssetTag, connectors.PushAssignee, connectors.PushLocation, connectors.PushPurchase}
	if r.Status != "" {
		all.Fields = append(all.Fields, connectors.PushStatus)
	}
	var keys map[string]string
	body, err := s.pushBody(ctx, all, func(ctx context.Context) (map[string]string, error) {
		k, err := s.typeKeys(ctx, typeID)
		keys = k
		return k, err
	})
	if err != nil {
		return "", err
	}
	for k, v := range body {
		if v == nil {
			delete(body, k) // nothing to clear on a new record
		}
	}
	tf, _ := body["type_fields"].(map[string]any)
	if tf == nil {
		tf = map[string]any{}
	}
	for k, v := range tf {
		if v == nil {
			delete(tf, k)
		}
	}
	if key, ok := keys["serial_number"]; ok && r.SerialNumber != "" {
		tf[key] = r.SerialNumber
	}
	if len(tf) > 0 {
		body["type_fields"] = tf
	} else {
		delete(body, "type_fields")
	}
	if r.AssetTag == "" {
		delete(body, "asset_tag")
	}
	body["name"] = firstNonEmpty(r.Name, r.AssetTag, r.SerialNumber, strings.TrimSpace(r.Manufacturer+" "+r.Model))
	body["asset_type_id"] = json.Number(typeID)
	var out struct {
		Asset apiAsset `json:"asset"`
	}
	if err := s.send(ctx, http.MethodPost, assetsPath, body, &out); err != nil {
		return "", err
	}
	if out.Asset.DisplayID == "" {
		return "", &connectors.MalformedError{URL: assetsPath, Err: fmt.Errorf("the created asset has no display_id")}
	}
	return string(out.Asset.DisplayID), nil
}

// pushBody builds the JSON body for r.Fields; keys supplies the type-field
// keys (base name → key) when a type field is written.
func (s *Source) pushBody(ctx context.Context, r connectors.PushRecord, keys func(context.Context) (map[string]string, error)) (map[string]any, error) {
	body := map[string]any{}
	if r.Has(connectors.PushAssetTag) {
		body["asset_tag"] = r.AssetTag
	}
	if r.Has(connectors.PushAssignee) {
		if email := strings.TrimSpace(r.AssigneeEmail); email == "" {
			body["user_id"] = nil
		} else {
			id, err := s.userID(ctx, email)
			if err != nil {
				return nil, err
			}
			body["user_id"] = json.Number(id)
		}
	}
	if r.Has(connectors.PushLocation) {
		if name := strings.TrimSpace(r.Location); name == "" {
			body["location_id"] = nil
		} else {
			id, err := s.locationID(ctx, name)
			if err != nil {
				return nil, err
			}
			body["location_id"] = json.Number(id)
		}
	}
	if !r.Has(connectors.PushStatus) && !r.Has(connectors.PushPurchase) {
		return body, nil
	}
	k, err := keys(ctx)
	if err != nil {
		return nil, err
	}
	tf := map[string]any{}
	field := func(base string) (string, error) {
		if key, ok := k[base]; ok {
			return key, nil
		}
		return "", &connectors.PushRefusedError{Status: http.StatusBadRequest, URL: "PUT " + assetsPath,
			Message: fmt.Sprintf("the record's asset type has no %s field", base)}
	}
	if r.Has(connectors.PushStatus) {
		state, ok := s.pushState[r.Status]
		if !ok {
			return nil, &connectors.PushRefusedError{Status: http.StatusBadRequest, URL: "PUT " + assetsPath,
				Message: fmt.Sprintf("no Freshservice asset state maps to the status %s (options.%s)", r.Status, OptStatusMap)}
		}
		key, err := field("asset_state")
		if err != nil {
			return nil, err
		}
		tf[key] = state
	}
	if r.Has(connectors.PushPurchase) {
		for _, f := range []struct {
			base string
			val  any
		}{{"cost", price(r.PurchasePrice)}, {"acquisition_date", date(r.PurchaseDate)}, {"warranty_expiry_date", date(r.WarrantyEnd)}} {
			key, err := field(f.base)
			if err != nil {
				return nil, err
			}
			tf[key] = f.val
		}
	}
	body["type_fields"] = tf
	return body, nil
}

func price(p string) any {
	d, err := decimal.NewFromString(strings.TrimSpace(p))
	if err != nil {
		return nil
	}
	return json.Number(d.String())
}

func date(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC().Format(time.DateOnly) + "T00:00:00Z"
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return "itam asset"
}

// recordKeys reads the record's type-field keys by base name.
func (s *Source) recordKeys(ctx context.Context, displayID string) (map[string]string, error) {
	if err := s.ensureTypes(ctx); err != nil {
		return nil, err
	}
	var body struct {
		Asset apiAsset `json:"asset"`
	}
	if err := s.client.GetJSON(ctx, assetPath(displayID), url.Values{"include": {"type_fields"}}, &body); err != nil {
		return nil, fmt.Errorf("freshservice: reading asset %s: %w", displayID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	chain := s.lookups.typeChain(string(body.Asset.AssetTypeID))
	keys := make(map[string]string, len(body.Asset.TypeFields))
	for k := range body.Asset.TypeFields {
		keys[s.lookups.typeFieldBase(k, chain)] = k
	}
	return keys, nil
}

// ensureTypes loads the asset types alone (a push needs no products).
func (s *Source) ensureTypes(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadTypes(ctx)
}

// typeKeys reads GET /api/v2/asset_types/{id}/fields: the type-field keys
// of a new record of that type (name + "_" + the defining type's id).
func (s *Source) typeKeys(ctx context.Context, typeID string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k, ok := s.lookups.typeKeys[typeID]; ok {
		return k, nil
	}
	var body apiTypeFields
	if err := s.client.GetJSON(ctx, apiPrefix+"/asset_types/"+url.PathEscape(typeID)+"/fields", nil, &body); err != nil {
		return nil, fmt.Errorf("freshservice: fields of asset type %s: %w", typeID, err)
	}
	keys := map[string]string{}
	for _, h := range body.AssetTypeFields {
		for _, f := range h.Fields {
			owner := string(f.AssetTypeID)
			if owner == "" || f.Name == "" {
				continue // a default field, sent at the top level
			}
			base := strings.TrimSuffix(f.Name, "_"+owner)
			keys[base] = base + "_" + owner
		}
	}
	if s.lookups.typeKeys == nil {
		s.lookups.typeKeys = map[string]map[string]string{}
	}
	s.lookups.typeKeys[typeID] = keys
	return keys, nil
}

// userID finds the requester, else the agent, with email (the documented
// ?email= filter), cached per Source. None is a refusal naming the email.
func (s *Source) userID(ctx context.Context, email string) (string, error) {
	key := strings.ToLower(email)
	s.mu.Lock()
	id, ok := s.lookups.userIDs[key]
	s.mu.Unlock()
	if !ok {
		for _, src := range []struct{ path, wrap string }{{"/requesters", "requesters"}, {"/agents", "agents"}} {
			users, _, err := listPage[apiUser](ctx, s, apiPrefix+src.path, src.wrap, url.Values{"email": {email}}, 1, 0)
			if err != nil {
				return "", err
			}
			for _, u := range users {
				if strings.EqualFold(u.email(), email) {
					id = string(u.ID)
					break
				}
			}
			if id != "" {
				break
			}
		}
		s.mu.Lock()
		if s.lookups.userIDs == nil {
			s.lookups.userIDs = map[string]string{}
		}
		s.lookups.userIDs[key] = id
		s.mu.Unlock()
	}
	if id == "" {
		return "", &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "GET " + apiPrefix + "/requesters",
			Message: fmt.Sprintf("no Freshservice requester or agent has the email %s", email)}
	}
	return id, nil
}

// locationID finds the location named name (case-insensitively).
func (s *Source) locationID(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lookups.locations == nil {
		if err := s.loadLocations(ctx); err != nil {
			return "", err
		}
	}
	if id, ok := s.lookups.locationIDs[strings.ToLower(name)]; ok {
		return id, nil
	}
	return "", &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "GET " + apiPrefix + "/locations",
		Message: fmt.Sprintf("no Freshservice location is named %q", name)}
}
