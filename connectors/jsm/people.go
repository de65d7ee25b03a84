package jsm

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// FetchPeoplePage returns one page of people from the object type named by
// OptPeopleObjectType. Assets has no user directory of its own, and Jira's
// user search carries no department, manager or employee number and hides
// emails by profile visibility, so the people source is an Assets object
// type (an "Employees" type an HR import fills, as Atlassian's HR schema
// template models it). Without the option the connector reports no people.
func (s *Source) FetchPeoplePage(ctx context.Context, req connectors.PageRequest) (connectors.PeoplePage, error) {
	if s.people == "" {
		return connectors.PeoplePage{Done: true}, nil
	}
	start, ok := req.Offset()
	if !ok {
		return connectors.PeoplePage{}, fmt.Errorf("jsm: invalid people cursor %q", req.Cursor)
	}
	q := listingAQL(`objectType = "`+s.people+`"`, req, time.Now())
	objs, last, err := s.aqlPage(ctx, q, start, s.pageSize)
	if err != nil {
		return connectors.PeoplePage{}, fmt.Errorf("jsm: listing people at %d: %w", start, err)
	}
	people, err := s.persons(ctx, objs)
	if err != nil {
		return connectors.PeoplePage{}, err
	}
	page := connectors.PeoplePage{People: people}
	if last || len(objs) == 0 {
		page.Done = true
	} else {
		page.NextCursor = strconv.Itoa(start + len(objs))
	}
	return page, nil
}

// persons maps people objects. Managers are resolved within the page, then
// with one AQL query (Key IN …) for the managers on other pages, and one
// user/bulk request for user attributes: never a request per person.
func (s *Source) persons(ctx context.Context, objs []apiObject) ([]connectors.Person, error) {
	a := s.peopleAttrs
	out := make([]connectors.Person, len(objs))
	emailByKey := map[string]string{}
	managerKey := map[int]string{}     // person index → manager's object key
	managerAccount := map[int]string{} // person index → manager's account id
	var accounts []string
	vals := make([]values, len(objs))
	for i, o := range objs {
		attrs, err := s.attributes(ctx, string(o.ObjectType.ID))
		if err != nil {
			return nil, err
		}
		v := resolve(o, attrs)
		vals[i] = v
		email, account, name := ownerOf(v.first(a[PersonEmail]))
		if email == "" && account == "" {
			email = v.raw(a[PersonEmail]) // a plain Email attribute
		}
		if email == "" && account != "" {
			accounts = append(accounts, account)
		}
		p := connectors.Person{
			ExternalID:     string(o.ID),
			Email:          email,
			Name:           v.text(a[PersonName]),
			EmployeeNumber: v.text(a[PersonEmployeeNumber]),
			Department:     v.text(a[PersonDepartment]),
			Location:       v.text(a[PersonLocation]),
			Title:          v.text(a[PersonTitle]),
			Active:         !inactive[strings.ToLower(v.text(a[PersonActive]))],
		}
		if p.Name == "" {
			p.Name = firstNonEmpty(name, o.Label)
		}
		out[i] = p
		emailByKey[o.ObjectKey] = email
		if m := v.first(a[PersonManager]); m != nil {
			switch {
			case m.ReferencedObject != nil:
				managerKey[i] = m.ReferencedObject.ObjectKey
			case m.User != nil:
				if m.User.EmailAddress != "" {
					out[i].ManagerEmail = m.User.EmailAddress
				} else {
					managerAccount[i] = string(m.Value)
					accounts = append(accounts, string(m.Value))
				}
			case strings.Contains(string(m.Value), "@"):
				out[i].ManagerEmail = strings.TrimSpace(string(m.Value))
			}
		}
	}
	if len(accounts) > 0 {
		emails, err := s.emails(ctx, accounts)
		if err != nil {
			return nil, err
		}
		for i := range out {
			if out[i].Email == "" {
				if _, account, _ := ownerOf(vals[i].first(a[PersonEmail])); account != "" {
					out[i].Email = emails[account]
					emailByKey[objs[i].ObjectKey] = out[i].Email
				}
			}
		}
		for i, acc := range managerAccount {
			out[i].ManagerEmail = emails[acc]
		}
	}
	var missing []string
	for _, k := range managerKey {
		if _, ok := emailByKey[k]; !ok && k != "" && !contains(missing, k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		more, err := s.peopleByKey(ctx, missing)
		if err != nil {
			return nil, err
		}
		for k, e := range more {
			emailByKey[k] = e
		}
	}
	for i, k := range managerKey {
		out[i].ManagerEmail = emailByKey[k]
	}
	return out, nil
}

// peopleByKey reads the emails of people objects by key in one AQL query.
func (s *Source) peopleByKey(ctx context.Context, keys []string) (map[string]string, error) {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = strconv.Quote(k)
	}
	objs, _, err := s.aqlPage(ctx, `objectType = "`+s.people+`" AND Key IN (`+strings.Join(quoted, ", ")+`)`, 0, len(keys))
	if err != nil {
		return nil, fmt.Errorf("jsm: resolving %d managers: %w", len(keys), err)
	}
	// Only the emails: a manager's own manager is not chased.
	out := make(map[string]string, len(objs))
	account := map[string]string{}
	var ids []string
	for _, o := range objs {
		attrs, err := s.attributes(ctx, string(o.ObjectType.ID))
		if err != nil {
			return nil, err
		}
		v := resolve(o, attrs)
		email, acc, _ := ownerOf(v.first(s.peopleAttrs[PersonEmail]))
		if email == "" && acc == "" {
			email = v.raw(s.peopleAttrs[PersonEmail])
		}
		out[o.ObjectKey] = email
		if email == "" && acc != "" {
			account[o.ObjectKey] = acc
			ids = append(ids, acc)
		}
	}
	if len(ids) > 0 {
		emails, err := s.emails(ctx, ids)
		if err != nil {
			return nil, err
		}
		for k, acc := range account {
			out[k] = emails[acc]
		}
	}
	return out, nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
