package itam

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The rules a catalog entry (supplier, category, model, location, person)
// must meet before it is stored. Each Validate trims the entry in place and
// returns BAD_USER_INPUT on the offending field; whether referenced ids
// exist is the store's to check (their foreign keys).

// RequiredText trims a required text input; nil or blank is BAD_USER_INPUT on field.
func RequiredText(field string, s *string) (string, error) {
	if t := Trimmed(s); t != nil {
		return *t, nil
	}
	return "", Invalid(field, "%s cannot be blank", field)
}

// PatchRequired applies an optional change to a required text field: unset
// keeps it, null or blank is BAD_USER_INPUT.
func PatchRequired(dst *string, field string, o Optional[string]) error {
	if !o.Set {
		return nil
	}
	v, err := RequiredText(field, o.Value)
	if err != nil {
		return err
	}
	*dst = v
	return nil
}

// emailPattern is the same shape the people table's CHECK enforces.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)

// ValidEmail trims an email and checks its shape.
func ValidEmail(field, email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", Invalid(field, "%s cannot be blank", field)
	}
	if !emailPattern.MatchString(email) {
		return "", Invalid(field, "%q is not an email address", email)
	}
	return email, nil
}

// Validate trims a supplier and checks its name and email.
func (s *Supplier) Validate() error {
	var err error
	if s.Name, err = RequiredText("name", &s.Name); err != nil {
		return err
	}
	s.ContactName, s.Email, s.Phone, s.Website = Trimmed(s.ContactName), Trimmed(s.Email), Trimmed(s.Phone), Trimmed(s.Website)
	if s.Email != nil {
		if _, err := ValidEmail("email", *s.Email); err != nil {
			return err
		}
	}
	return nil
}

// Validate trims a category and checks its kind and custom field definitions.
func (c *Category) Validate() error {
	var err error
	if c.Name, err = RequiredText("name", &c.Name); err != nil {
		return err
	}
	if !slices.Contains(CategoryKinds, c.Kind) {
		return Invalid("kind", "unknown category kind %q", c.Kind)
	}
	defs := make([]FieldDefinition, len(c.FieldDefinitions))
	for i, d := range c.FieldDefinitions {
		d.Key, d.Label = strings.TrimSpace(d.Key), strings.TrimSpace(d.Label)
		d.Options = slices.Clone(d.Options)
		for j := range d.Options {
			d.Options[j] = strings.TrimSpace(d.Options[j])
			if d.Options[j] == "" {
				return Invalid(fmt.Sprintf("fieldDefinitions[%d].options[%d]", i, j), "options cannot be blank")
			}
		}
		defs[i] = d
	}
	c.FieldDefinitions = defs // never nil: the column holds a JSON array
	return ValidateFieldDefinitions(defs, "fieldDefinitions")
}

// Validate trims a model and checks its useful life.
func (m *Model) Validate() error {
	var err error
	if m.Name, err = RequiredText("name", &m.Name); err != nil {
		return err
	}
	m.ModelNumber = Trimmed(m.ModelNumber)
	if m.UsefulLifeMonths != nil && (*m.UsefulLifeMonths < 1 || *m.UsefulLifeMonths > 600) {
		return Invalid("usefulLifeMonths", "useful life must be between 1 and 600 months")
	}
	return nil
}

// Validate trims every line of an address and checks the country is two
// letters, which it upper-cases.
func (a *Address) Validate() error {
	for _, s := range []**string{&a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country} {
		*s = Trimmed(*s)
	}
	if a.Country != nil {
		c := strings.ToUpper(*a.Country)
		if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
			return Invalid("address.country", "country must be a two-letter ISO 3166-1 code, not %q", *a.Country)
		}
		a.Country = &c
	}
	return nil
}

// Validate trims a location and checks its kind and address.
func (l *Location) Validate() error {
	var err error
	if l.Name, err = RequiredText("name", &l.Name); err != nil {
		return err
	}
	if !slices.Contains(LocationKinds, l.Kind) {
		return Invalid("kind", "unknown location kind %q", l.Kind)
	}
	return l.Address.Validate()
}

// ValidPersonStatus reports whether s is a known person status.
func ValidPersonStatus(s PersonStatus) bool {
	return s == PersonActive || s == PersonOffboarded
}

// Validate trims a person and checks email, status, dates and manager.
func (p *Person) Validate() error {
	var err error
	if p.Name, err = RequiredText("name", &p.Name); err != nil {
		return err
	}
	if p.Email, err = ValidEmail("email", p.Email); err != nil {
		return err
	}
	p.EmployeeNumber, p.Title = Trimmed(p.EmployeeNumber), Trimmed(p.Title)
	if !ValidPersonStatus(p.Status) {
		return Invalid("status", "unknown person status %q", p.Status)
	}
	if p.StartDate != nil && p.EndDate != nil && p.EndDate.Before(*p.StartDate) {
		return Invalid("endDate", "end date is before start date")
	}
	if p.ManagerID != nil && *p.ManagerID == p.ID {
		return Invalid("managerId", "a person cannot be their own manager")
	}
	return nil
}

// MaxTagPrefix is the longest asset tag prefix the column allows.
const MaxTagPrefix = 16

// Apply returns o changed by the patch's name, asset tag prefix, currency
// and default owner team (whose existence is the store's to check); the
// reclaim period is the licenses package's rule.
func (in OrganizationPatch) Apply(o Organization) (Organization, error) {
	if err := PatchRequired(&o.Name, "name", in.Name); err != nil {
		return o, err
	}
	if in.AssetTagPrefix.Set {
		o.AssetTagPrefix = ""
		if in.AssetTagPrefix.Value != nil {
			o.AssetTagPrefix = strings.TrimSpace(*in.AssetTagPrefix.Value)
		}
		if len(o.AssetTagPrefix) > MaxTagPrefix {
			return o, Invalid("assetTagPrefix", "prefix is at most %d characters", MaxTagPrefix)
		}
	}
	if in.DefaultCurrency.Set {
		if in.DefaultCurrency.Value == nil {
			return o, Invalid("defaultCurrency", "default currency cannot be removed")
		}
		c, err := ParseCurrency(*in.DefaultCurrency.Value)
		if err != nil {
			return o, Invalid("defaultCurrency", "%q is not an ISO 4217 currency code", *in.DefaultCurrency.Value)
		}
		o.DefaultCurrency = c
	}
	if in.DefaultOwnerTeamID.Set {
		o.DefaultOwnerTeamID = in.DefaultOwnerTeamID.Value
	}
	Patch(&o.DefaultDepreciationProfileID, in.DefaultDepreciationProfileID)
	return o, nil
}
