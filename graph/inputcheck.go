package graph

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// checkInput runs the domain's text and list checks (itam.CheckText,
// itam.CheckList) over every string and list of a GraphQL input value, so
// a NUL, bytes that are not UTF-8, an overlong text or an overlong list is
// BAD_USER_INPUT naming its field (extensions.field) instead of an error
// from PostgreSQL. It walks the generated input structs by reflection, so a
// field added to the schema is checked without anyone remembering to;
// field names come from their json tags, which are the GraphQL names.
// prefix names the argument ("filter"); "" for a mutation's input, whose
// fields are named without "input.".
func checkInput(prefix string, in any) error {
	return checkValue(reflect.ValueOf(in), prefix, 0, nil)
}

// checkInputLists is checkInput for an input whose schema documents a
// larger bound for some lists (a contract covers up to 10,000 assets):
// lists maps those fields' paths to their own bound, which the domain
// enforces again; every other list keeps itam.MaxListItems.
func checkInputLists(prefix string, in any, lists map[string]int) error {
	return checkValue(reflect.ValueOf(in), prefix, 0, lists)
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	decimalType = reflect.TypeFor[decimal.Decimal]()
)

// maxInputDepth stops the walk on an input nested past any the schema
// allows once the filter limits have been applied (itam.MaxFilterDepth
// levels of and/or/not, each a few structs deep).
const maxInputDepth = 8 * (itam.MaxFilterDepth + 2)

func checkValue(v reflect.Value, field string, depth int, lists map[string]int) error {
	if depth > maxInputDepth {
		return itam.Invalid(field, "input is nested too deeply")
	}
	switch v.Kind() {
	case reflect.String:
		return itam.CheckText(field, v.String(), 0)
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return checkValue(v.Elem(), field, depth+1, lists)
	case reflect.Slice, reflect.Array:
		if limit, ok := lists[field]; ok {
			if v.Len() > limit {
				return itam.Invalid(field, "at most %d items are allowed, got %d", limit, v.Len())
			}
		} else if err := itam.CheckList(field, v.Len()); err != nil {
			return err
		}
		for i := range v.Len() {
			if err := checkValue(v.Index(i), fmt.Sprintf("%s[%d]", field, i), depth+1, lists); err != nil {
				return err
			}
		}
	case reflect.Struct:
		if t := v.Type(); t == timeType || t == decimalType {
			return nil
		}
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name := field
			// graphql.Omittable keeps its value in an unexported field:
			// walk it under the field's own name.
			if f.IsExported() {
				name = join(field, fieldName(f))
			}
			if err := checkValue(v.Field(i), name, depth+1, lists); err != nil {
				return err
			}
		}
	}
	// Interfaces are JSON values, checked by the JSON scalar (itam.CheckJSON).
	return nil
}

func fieldName(f reflect.StructField) string {
	if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag != "" && tag != "-" {
		return tag
	}
	return strings.ToLower(f.Name[:1]) + f.Name[1:]
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// checkListFilter checks the filter argument of a list query other than
// assets: its search against itam.MaxSearchLength, then every text and list.
func checkListFilter(filter any, search *string) error {
	if err := itam.CheckSearch("filter.search", search); err != nil {
		return err
	}
	return checkInput("filter", filter)
}
