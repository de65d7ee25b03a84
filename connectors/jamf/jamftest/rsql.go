package jamftest

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// The subset of Jamf's RSQL filter the fake understands: comparisons
// (==, !=, <, =lt=, <=, =le=, >, =gt=, >=, =ge=) joined by ";" or "and"
// (AND) and "," or "or" (OR, lower precedence), arguments bare or in single
// or double quotes, "*" wildcards in == and != on text fields, text compared
// without regard to case as Jamf does. Anything else is a 400, so a client
// sending a filter Jamf would not understand fails here too.

type comparison[T any] struct {
	field, op, value string
	isID             bool
	num              int       // the id field
	when             time.Time // date fields
	get              func(*T) string
	date             bool
}

// filter is an OR of ANDs; nil matches everything.
type filter[T any] [][]comparison[T]

var operators = []struct{ text, op string }{
	{"=ge=", ">="}, {"=gt=", ">"}, {"=le=", "<="}, {"=lt=", "<"},
	{"==", "=="}, {"!=", "!="}, {">=", ">="}, {"<=", "<="}, {">", ">"}, {"<", "<"},
}

// schema is what one collection lets a filter name: its numeric id field
// ("id" for computers, "mobileDeviceId" for mobile devices), text fields
// and timestamps, each with how to read it from a record.
type schema[T any] struct {
	id          string
	text, dates map[string]func(*T) string
}

// computerFields are the filterable computers-inventory fields the fake
// knows, a subset of the documented list ("Fields allowed in the query").
var computerFields = schema[Computer]{
	id: "id",
	text: map[string]func(*Computer) string{
		"udid":                     func(c *Computer) string { return c.UDID },
		"general.name":             func(c *Computer) string { return c.General.Name },
		"general.assetTag":         func(c *Computer) string { return c.General.AssetTag },
		"hardware.serialNumber":    func(c *Computer) string { return c.Hardware.SerialNumber },
		"hardware.model":           func(c *Computer) string { return c.Hardware.Model },
		"hardware.modelIdentifier": func(c *Computer) string { return c.Hardware.ModelIdentifier },
		"userAndLocation.email":    func(c *Computer) string { return c.UserAndLocation.Email },
		"userAndLocation.username": func(c *Computer) string { return c.UserAndLocation.Username },
		"operatingSystem.version":  func(c *Computer) string { return c.OperatingSystem.Version },
	},
	dates: map[string]func(*Computer) string{
		"general.reportDate":       func(c *Computer) string { return c.General.ReportDate },
		"general.lastContactTime":  func(c *Computer) string { return c.General.LastContactTime },
		"general.lastContact":      func(c *Computer) string { return c.General.LastContactTime },
		"general.lastEnrolledDate": func(c *Computer) string { return c.General.LastEnrolledDate },
	},
}

func parseFilter[T any](s string, sc schema[T]) (filter[T], error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var (
		out   filter[T]
		and   []comparison[T]
		cur   strings.Builder
		quote byte
	)
	flush := func() error {
		c, err := parseComparison(cur.String(), sc)
		cur.Reset()
		if err != nil {
			return err
		}
		and = append(and, c)
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if quote != 0 {
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
			continue
		}
		switch {
		case c == '"' || c == '\'':
			quote = c
			cur.WriteByte(c)
		case c == '(' || c == ')':
			return nil, fmt.Errorf("grouping with parentheses is not supported by jamftest")
		case c == ';' || keywordAt(s, i, " and "):
			if err := flush(); err != nil {
				return nil, err
			}
			if c == ' ' {
				i += len(" and ") - 1
			}
		case c == ',' || keywordAt(s, i, " or "):
			if err := flush(); err != nil {
				return nil, err
			}
			out, and = append(out, and), nil
			if c == ' ' {
				i += len(" or ") - 1
			}
		default:
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated quote in filter %q", s)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return append(out, and), nil
}

func keywordAt(s string, i int, kw string) bool {
	return len(s)-i >= len(kw) && strings.EqualFold(s[i:i+len(kw)], kw)
}

func parseComparison[T any](s string, sc schema[T]) (comparison[T], error) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if end <= 0 {
		return comparison[T]{}, fmt.Errorf("cannot read a comparison in %q", s)
	}
	c := comparison[T]{field: s[:end]}
	rest := s[end:]
	for _, op := range operators {
		if strings.HasPrefix(rest, op.text) {
			c.op = op.op
			c.value = strings.TrimSpace(rest[len(op.text):])
			break
		}
	}
	if c.op == "" {
		return comparison[T]{}, fmt.Errorf("no operator in %q", s)
	}
	if n := len(c.value); n >= 2 && (c.value[0] == '"' || c.value[0] == '\'') && c.value[n-1] == c.value[0] {
		c.value = c.value[1 : n-1]
	}
	switch {
	case c.field == sc.id:
		n, err := strconv.Atoi(c.value)
		if err != nil {
			return comparison[T]{}, fmt.Errorf("%s %q is not a number", sc.id, c.value)
		}
		c.isID, c.num = true, n
	case sc.dates[c.field] != nil:
		t, ok := parseFilterDate(c.value)
		if !ok {
			// Jamf's own words for a date it cannot read.
			return comparison[T]{}, fmt.Errorf("Date [%s] does not match any of supported formats", c.value)
		}
		c.date, c.when, c.get = true, t, sc.dates[c.field]
	case sc.text[c.field] != nil:
		c.get = sc.text[c.field]
	default:
		return comparison[T]{}, fmt.Errorf("field %q is not filterable in jamftest", c.field)
	}
	return c, nil
}

// parseFilterDate accepts what Jamf accepts in a filter: an ISO 8601 UTC
// timestamp with a Z (with or without fractional seconds) or a date.
// Numeric offsets are refused, as Jamf refuses them.
func parseFilterDate(s string) (time.Time, bool) {
	if strings.HasSuffix(s, "Z") {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, true
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// needsRecord tells whether evaluating f needs more than the id.
func (f filter[T]) needsRecord() bool {
	for _, and := range f {
		for _, c := range and {
			if !c.isID {
				return true
			}
		}
	}
	return false
}

// fields are the field names f compares.
func (f filter[T]) fields() []string {
	var out []string
	for _, and := range f {
		for _, c := range and {
			out = append(out, c.field)
		}
	}
	return out
}

// keyBound is N when every branch of f bounds the id below by id>N (the
// key paging a client does); false otherwise.
func (f filter[T]) keyBound() (int, bool) {
	bound, ok := 0, len(f) > 0
	for i, and := range f {
		found := false
		for _, c := range and {
			if c.isID && c.op == ">" && (i == 0 || c.num == bound) {
				bound, found = c.num, true
			}
		}
		ok = ok && found
	}
	return bound, ok
}

func (f filter[T]) match(id int, rec *T) bool {
	if f == nil {
		return true
	}
	for _, and := range f {
		ok := true
		for _, cmp := range and {
			if !cmp.match(id, rec) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (c comparison[T]) match(id int, rec *T) bool {
	switch {
	case c.isID:
		return compare(id-c.num, c.op)
	case c.date:
		t, ok := parseStoredTime(c.get(rec))
		if !ok {
			return false
		}
		return compare(t.Compare(c.when), c.op)
	default:
		v := strings.ToLower(c.get(rec))
		want := strings.ToLower(c.value)
		if strings.Contains(want, "*") && (c.op == "==" || c.op == "!=") {
			m, _ := path.Match(want, v)
			return m == (c.op == "==")
		}
		return compare(strings.Compare(v, want), c.op)
	}
}

func compare(d int, op string) bool {
	switch op {
	case "==":
		return d == 0
	case "!=":
		return d != 0
	case "<":
		return d < 0
	case "<=":
		return d <= 0
	case ">":
		return d > 0
	case ">=":
		return d >= 0
	}
	return false
}

// parseStoredTime reads a timestamp the fake stores (any of timeFormats, or
// what a test set); no zone means UTC.
func parseStoredTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
