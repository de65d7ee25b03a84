package jsm

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// PushRecord writes r.Fields to the object r.ExternalID with PUT
// object/{id} and the documented body {"objectTypeId", "attributes":
// [{"objectTypeAttributeId", "objectAttributeValues": [{"value"}]}]}:
// only the opted attributes, so the others are untouched. Values are
// resolved the Assets way: a user attribute takes the account id (looked
// up by email), a status attribute the status type id, a reference the
// referenced object's key (looked up by label). An empty value clears.
func (s *Source) PushRecord(ctx context.Context, r connectors.PushRecord) error {
	o, err := s.object(ctx, r.ExternalID)
	if err != nil {
		return err
	}
	if o == nil {
		return &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "object/" + r.ExternalID, Message: "the Assets object no longer exists"}
	}
	typeID := string(o.ObjectType.ID)
	attrs, err := s.attributes(ctx, typeID)
	if err != nil {
		return err
	}
	body := payload{ObjectTypeID: typeID}
	for _, f := range r.Fields {
		for _, rv := range s.roleValues(f, r) {
			pv, err := s.payloadValue(ctx, attrs, rv, false)
			if err != nil {
				return err
			}
			if pv != nil {
				body.Attributes = append(body.Attributes, *pv)
			}
		}
	}
	if len(body.Attributes) == 0 {
		return nil
	}
	u, err := s.assetsURL(ctx, "/object/"+url.PathEscape(r.ExternalID))
	if err != nil {
		return err
	}
	if err := s.api.do(ctx, http.MethodPut, u, nil, body, retrySafe, nil); err != nil {
		return fmt.Errorf("jsm: updating object %s: %w", r.ExternalID, refused(err))
	}
	return nil
}

// CreateRecord creates an object of OptObjectType with every value of r
// the type can hold (empty values left out) and returns its id.
func (s *Source) CreateRecord(ctx context.Context, r connectors.PushRecord) (string, error) {
	typeID, err := s.createTypeID(ctx)
	if err != nil {
		return "", err
	}
	attrs, err := s.attributes(ctx, typeID)
	if err != nil {
		return "", err
	}
	body := payload{ObjectTypeID: typeID}
	name := firstNonEmpty(r.Name, r.AssetTag, r.SerialNumber)
	all := []roleValue{{AttrName, name}, {AttrSerial, r.SerialNumber}, {AttrModel, r.Model}, {AttrManufacturer, r.Manufacturer}}
	for _, f := range connectors.PushFields {
		all = append(all, s.roleValues(f, r)...)
	}
	for _, rv := range all {
		if rv.value == "" {
			continue
		}
		pv, err := s.payloadValue(ctx, attrs, rv, rv.role == AttrModel || rv.role == AttrManufacturer || rv.role == AttrSerial)
		if err != nil {
			return "", err
		}
		if pv != nil {
			body.Attributes = append(body.Attributes, *pv)
		}
	}
	u, err := s.assetsURL(ctx, "/object/create")
	if err != nil {
		return "", err
	}
	var created apiObject
	if err := s.api.do(ctx, http.MethodPost, u, nil, body, retryThrottled, &created); err != nil {
		return "", fmt.Errorf("jsm: creating an object: %w", refused(err))
	}
	if created.ID == "" {
		return "", &connectors.MalformedError{URL: u, Err: fmt.Errorf("the created object has no id")}
	}
	return string(created.ID), nil
}

type roleValue struct {
	role, value string
}

// roleValues are the attribute roles a push field writes, with their text.
func (s *Source) roleValues(f connectors.PushField, r connectors.PushRecord) []roleValue {
	switch f {
	case connectors.PushAssignee:
		return []roleValue{{AttrOwner, strings.TrimSpace(r.AssigneeEmail)}}
	case connectors.PushStatus:
		return []roleValue{{AttrStatus, r.Status}}
	case connectors.PushLocation:
		return []roleValue{{AttrLocation, strings.TrimSpace(r.Location)}}
	case connectors.PushAssetTag:
		return []roleValue{{AttrAssetTag, r.AssetTag}}
	case connectors.PushPurchase:
		out := []roleValue{{AttrPurchaseDate, day(r.PurchaseDate)}, {AttrCost, r.PurchasePrice}, {AttrWarrantyEnd, day(r.WarrantyEnd)}}
		return out
	}
	return nil
}

func day(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

// payloadValue is the body entry writing text to the attribute of role.
// optional says a missing attribute is skipped rather than refused (the
// context values a creation adds where the type has room for them).
func (s *Source) payloadValue(ctx context.Context, attrs []apiAttribute, rv roleValue, optional bool) (*payloadValue, error) {
	name := s.attrs[rv.role]
	var attr *apiAttribute
	for i := range attrs {
		if name != "" && strings.EqualFold(attrs[i].Name, name) {
			attr = &attrs[i]
		}
	}
	if attr == nil {
		if optional || (rv.role == AttrCost || rv.role == AttrPurchaseDate || rv.role == AttrWarrantyEnd) && rv.value == "" {
			return nil, nil
		}
		return nil, &connectors.PushRefusedError{Status: http.StatusUnprocessableEntity, URL: "objecttype/attributes",
			Message: fmt.Sprintf("the object type has no attribute %q for %s (options.attributes.%s)", name, rv.role, rv.role)}
	}
	pv := &payloadValue{ObjectTypeAttributeID: string(attr.ID), ObjectAttributeValues: []payloadInner{}}
	if rv.value == "" {
		return pv, nil // clears the attribute
	}
	v, err := s.vendorValue(ctx, *attr, rv)
	if err != nil {
		return nil, err
	}
	pv.ObjectAttributeValues = []payloadInner{{Value: v}}
	return pv, nil
}

// vendorValue turns itam's text into the value the attribute's type takes.
func (s *Source) vendorValue(ctx context.Context, attr apiAttribute, rv roleValue) (string, error) {
	text := rv.value
	if rv.role == AttrStatus {
		name, ok := s.statusOut[text]
		if !ok {
			return "", &connectors.PushRefusedError{Status: http.StatusUnprocessableEntity, URL: "options.statusMap", Message: fmt.Sprintf("no Assets status maps to %s (options.statusMap)", text)}
		}
		text = name
	}
	switch attr.Type {
	case attrUser:
		id, err := s.accountFor(ctx, text)
		if err != nil {
			return "", err
		}
		return id, nil
	case attrStatus:
		return s.statusID(ctx, text)
	case attrReference:
		return s.objectKeyByLabel(ctx, string(attr.ReferenceObjectTypeID), text)
	}
	return text, nil
}

// accountFor finds the Jira account of an email (user/search, exact
// match, case-insensitive), cached per Source.
func (s *Source) accountFor(ctx context.Context, email string) (string, error) {
	key := strings.ToLower(email)
	s.mu.Lock()
	id, ok := s.byEmail[key]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	var users []apiUser
	q := url.Values{"query": {email}}
	if err := s.api.do(ctx, http.MethodGet, s.site+"/rest/api/3/user/search", q, nil, retrySafe, &users); err != nil {
		return "", fmt.Errorf("jsm: looking up the account of %s: %w", email, err)
	}
	for _, u := range users {
		if strings.EqualFold(u.EmailAddress, email) {
			s.mu.Lock()
			s.byEmail[key] = u.AccountID
			s.accounts[u.AccountID] = u.EmailAddress
			s.mu.Unlock()
			return u.AccountID, nil
		}
	}
	return "", &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "/rest/api/3/user/search", Message: fmt.Sprintf("no Jira user with the email %s (or the profile hides it)", email)}
}

// statusID finds a status type's id by name (config/statustype), cached.
func (s *Source) statusID(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	ids := s.statusIDs
	s.mu.Unlock()
	if ids == nil {
		u, err := s.assetsURL(ctx, "/config/statustype")
		if err != nil {
			return "", err
		}
		var list []apiStatusType
		if err := s.api.do(ctx, http.MethodGet, u, nil, nil, retrySafe, &list); err != nil {
			return "", fmt.Errorf("jsm: listing status types: %w", err)
		}
		ids = map[string]string{}
		for _, st := range list {
			ids[strings.ToLower(st.Name)] = string(st.ID)
		}
		s.mu.Lock()
		s.statusIDs = ids
		s.mu.Unlock()
	}
	if id, ok := ids[strings.ToLower(name)]; ok {
		return id, nil
	}
	return "", &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "config/statustype", Message: fmt.Sprintf("Assets has no status %q", name)}
}

// objectKeyByLabel finds the object of a reference attribute's type by its
// label (a location's name), cached per Source.
func (s *Source) objectKeyByLabel(ctx context.Context, typeID, label string) (string, error) {
	ck := typeID + "\x00" + strings.ToLower(label)
	s.mu.Lock()
	key, ok := s.locations[ck]
	s.mu.Unlock()
	if ok {
		return key, nil
	}
	objs, _, err := s.aqlPage(ctx, "objectTypeId = "+typeID+" AND Label = "+strconv.Quote(label), 0, 2)
	if err != nil {
		return "", fmt.Errorf("jsm: looking up %q: %w", label, err)
	}
	if len(objs) == 0 {
		return "", &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "object/aql", Message: fmt.Sprintf("no Assets object named %q to reference", label)}
	}
	s.mu.Lock()
	s.locations[ck] = objs[0].ObjectKey
	s.mu.Unlock()
	return objs[0].ObjectKey, nil
}

// createTypeID finds the id of OptObjectType across the object schemas.
func (s *Source) createTypeID(ctx context.Context) (string, error) {
	s.mu.Lock()
	id := s.createType
	s.mu.Unlock()
	if id != "" {
		return id, nil
	}
	u, err := s.assetsURL(ctx, "/objectschema/list")
	if err != nil {
		return "", err
	}
	var schemas apiSchemas
	if err := s.api.do(ctx, http.MethodGet, u, nil, nil, retrySafe, &schemas); err != nil {
		return "", fmt.Errorf("jsm: listing object schemas: %w", err)
	}
	for _, sc := range schemas.Values {
		tu, err := s.assetsURL(ctx, "/objectschema/"+url.PathEscape(string(sc.ID))+"/objecttypes/flat")
		if err != nil {
			return "", err
		}
		var types []apiObjectType
		if err := s.api.do(ctx, http.MethodGet, tu, nil, nil, retrySafe, &types); err != nil {
			return "", fmt.Errorf("jsm: listing object types: %w", err)
		}
		for _, t := range types {
			if strings.EqualFold(t.Name, s.objectType) {
				s.mu.Lock()
				s.createType = string(t.ID)
				s.mu.Unlock()
				return string(t.ID), nil
			}
		}
	}
	return "", &connectors.PushRefusedError{Status: http.StatusNotFound, URL: "objectschema/list", Message: fmt.Sprintf("no object type named %q to create records in (options.objectType)", s.objectType)}
}
