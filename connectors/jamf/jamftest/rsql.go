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

type comparison struct {
	field, op, value string
	num              int       // id
	when             time.Time // date fields
}

// filter is an OR of ANDs; nil matches everything.
type filter [][]comparison

var operators = []struct{ text, op string }{
	{"=ge=", ">="}, {"=gt=", ">"}, {"=le=", "<="}, {"=lt=", "<"},
	{"==", "=="}, {"!=", "!="}, {">=", ">="}, {"<=", "<="}, {">", ">"}, {"<", "<"},
}

// textFields are the filterable text fields the fake knows, with how to
// read them from a computer.
var textFields = map[string]func(*Computer) string{
	"udid":                     func(c *Computer) string { return c.UDID },
	"general.name":             func(c *Computer) string { return c.General.Name },
	"general.assetTag":         func(c *Computer) string { return c.General.AssetTag },
	"hardware.serialNumber":    func(c *Computer) string { return c.Hardware.SerialNumber },
	"hardware.model":           func(c *Computer) string { return c.Hardware.Model },
	"hardware.modelIdentifier": func(c *Computer) string { return c.Hardware.ModelIdentifier },
	"userAndLocation.email":    func(c *Computer) string { return c.UserAndLocation.Email },
	"userAndLocation.username": func(c *Computer) string { return c.UserAndLocation.Username },
	"operatingSystem.version":  func(c *Computer) string { return c.OperatingSystem.Version },
}

// dateFields are the filterable timestamps the fake knows.
var dateFields = map[string]func(*Computer) string{
	"general.reportDate":       func(c *Computer) string { return c.General.ReportDate },
	"general.lastContactTime":  func(c *Computer) string { return c.General.LastContactTime },
	"general.lastContact":      func(c *Computer) string { return c.General.LastContactTime },
	"general.lastEnrolledDate": func(c *Computer) string { return c.General.LastEnrolledDate },
}

func parseFilter(s string) (filter, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var (
		out   filter
		and   []comparison
		cur   strings.Builder
		quote byte
	)
	flush := func() error {
		c, err := parseComparison(cur.String())
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

func parseComparison(s string) (comparison, error) {
	s = strings.TrimSpace(s)
	end := strings.IndexFunc(s, func(r rune) bool {
		return !(r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})
	if end <= 0 {
		return comparison{}, fmt.Errorf("cannot read a comparison in %q", s)
	}
	c := comparison{field: s[:end]}
	rest := s[end:]
	for _, op := range operators {
		if strings.HasPrefix(rest, op.text) {
			c.op = op.op
			c.value = strings.TrimSpace(rest[len(op.text):])
			break
		}
	}
	if c.op == "" {
		return comparison{}, fmt.Errorf("no operator in %q", s)
	}
	if n := len(c.value); n >= 2 && (c.value[0] == '"' || c.value[0] == '\'') && c.value[n-1] == c.value[0] {
		c.value = c.value[1 : n-1]
	}
	switch _, text := textFields[c.field]; {
	case c.field == "id":
		n, err := strconv.Atoi(c.value)
		if err != nil {
			return comparison{}, fmt.Errorf("id %q is not a number", c.value)
		}
		c.num = n
	case dateFields[c.field] != nil:
		t, ok := parseFilterDate(c.value)
		if !ok {
			// Jamf's own words for a date it cannot read.
			return comparison{}, fmt.Errorf("Date [%s] does not match any of supported formats", c.value)
		}
		c.when = t
	case text:
	default:
		return comparison{}, fmt.Errorf("field %q is not filterable in jamftest", c.field)
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

// needsComputer tells whether evaluating f needs more than the id.
func (f filter) needsComputer() bool {
	for _, and := range f {
		for _, c := range and {
			if c.field != "id" {
				return true
			}
		}
	}
	return false
}

func (f filter) match(id int, c *Computer) bool {
	if f == nil {
		return true
	}
	for _, and := range f {
		ok := true
		for _, cmp := range and {
			if !cmp.match(id, c) {
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

func (c comparison) match(id int, comp *Computer) bool {
	switch {
	case c.field == "id":
		return compare(id-c.num, c.op)
	case dateFields[c.field] != nil:
		t, ok := parseStoredTime(dateFields[c.field](comp))
		if !ok {
			return false
		}
		return compare(t.Compare(c.when), c.op)
	default:
		v := strings.ToLower(textFields[c.field](comp))
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
