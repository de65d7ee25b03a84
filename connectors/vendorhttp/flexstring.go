package vendorhttp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// FlexString reads a JSON string, number or null as text (null: ""). Vendors
// document ids, asset tags and prices as strings, yet older servers and
// proxies send numbers: one such field must not fail a whole page. A
// number keeps its literal text ("12.50" stays "12.50").
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		*f = ""
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
		return nil
	case b[0] == '-' || (b[0] >= '0' && b[0] <= '9'):
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = FlexString(n.String())
		return nil
	}
	return fmt.Errorf("expected a string or a number, got %.20s", strings.TrimSpace(string(b)))
}
