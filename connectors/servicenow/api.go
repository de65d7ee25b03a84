package servicenow

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// The Table API's wire format (ServiceNow "Table API" reference, GET
// /now/table/{tableName}): a list answers {"result": [record, …]}, one
// record {"result": record}. Every value is a string. A reference field is
// {"link": "<url>", "value": "<sys_id>"} unless the request sets
// sysparm_exclude_reference_link=true, and "" when empty; with
// sysparm_display_value=all every field is {"display_value", "value"} (plus
// "link" for references). A dot-walked field named in sysparm_fields
// ("assigned_to.email") comes back under its dotted name.

// value is one field as the Table API sends it, in any of those shapes.
type value struct {
	Value   string
	Display string
}

func (v *value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*v = value{}
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil
	case b[0] == '"':
		if err := json.Unmarshal(b, &v.Value); err != nil {
			return err
		}
		v.Display = v.Value
		return nil
	case b[0] == '{':
		var o struct {
			Value   json.RawMessage `json:"value"`
			Display json.RawMessage `json:"display_value"`
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		v.Value, v.Display = scalar(o.Value), scalar(o.Display)
		if len(o.Display) == 0 {
			v.Display = v.Value
		}
		return nil
	case b[0] == 't' || b[0] == 'f' || b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		// Documented as strings; a proxy or script that sends a bare
		// number or boolean must not fail the whole page.
		v.Value, v.Display = string(b), string(b)
		return nil
	}
	return fmt.Errorf("unexpected field value %.20s", b)
}

func scalar(b json.RawMessage) string {
	var v value
	if len(b) == 0 || v.UnmarshalJSON(b) != nil {
		return ""
	}
	return v.Value
}

// record is one row: field name (possibly dotted) → value.
type record map[string]value

// get is the field's value, trimmed.
func (r record) get(name string) string { return strings.TrimSpace(r[name].Value) }

// display is the field's display value (sysparm_display_value=all).
func (r record) display(name string) string { return strings.TrimSpace(r[name].Display) }

// listResponse is a list answer. Result is a pointer so a body without
// "result" is told apart from an empty table: reading it as empty would
// make a full sync mark every device missing.
type listResponse struct {
	Result *[]record `json:"result"`
}

type oneResponse struct {
	Result *record `json:"result"`
}

// dateTime is ServiceNow's glide_date_time format, in UTC through the
// API (sysparm_display_value=false returns stored UTC values).
const dateTime = "2006-01-02 15:04:05"

// parseTime reads a glide_date_time or glide_date value; nil when empty or
// unreadable (one bad date must not fail a page).
func parseTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{dateTime, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return &t
		}
	}
	return nil
}

// nextOffset reads the Link header's rel="next" target and returns its
// sysparm_offset. ServiceNow writes the header as
// <https://…?sysparm_offset=1000&sysparm_limit=1000>;rel="first",<…>;rel="next"
// with no space after the semicolons, so both spacings are accepted, and
// every Link header is read: a proxy may split the links over several. A
// next link whose offset cannot be read is an error, not the last page: a
// full sync ending early would count the unread records as missing.
func nextOffset(h http.Header) (int, bool, error) {
	target := vendorhttp.NextLink(h)
	if target == "" {
		return 0, false, nil
	}
	u, err := url.Parse(target)
	if err != nil {
		return 0, false, fmt.Errorf("the next link is not a URL: %w", err)
	}
	n, err := strconv.Atoi(u.Query().Get("sysparm_offset"))
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("the next link has no sysparm_offset (%q)", u.Query().Get("sysparm_offset"))
	}
	return n, true, nil
}

// quote escapes a value for an encoded query: "^" separates terms and is
// written "^^" inside a value.
func quote(v string) string { return strings.ReplaceAll(v, "^", "^^") }
