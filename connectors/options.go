package connectors

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Options arrive as JSON (numbers as float64) from the API, or as Go values
// and strings from tests and tools; these accessors read them all the same
// way and name the option in their errors.

// IntOption reads a whole-number option between lo and hi, def when absent.
// A hi of math.MaxInt32 or more means "no upper bound" (a connector that
// clamps large values itself).
func (c Config) IntOption(name string, def, lo, hi int) (int, error) {
	v, ok := c.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	var n int
	switch x := v.(type) {
	case int:
		n = x
	case int32:
		n = int(x)
	case int64:
		n = int(x)
	case float64:
		if x != float64(int(x)) {
			return 0, optionError(name, fmt.Sprintf("%s must be a whole number, got %v", name, x))
		}
		n = int(x)
	case json.Number:
		p, err := strconv.Atoi(x.String())
		if err != nil {
			return 0, optionError(name, fmt.Sprintf("%s must be a whole number, got %v", name, x))
		}
		n = p
	case string:
		p, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, optionError(name, fmt.Sprintf("%s must be a number, got %q", name, x))
		}
		n = p
	default:
		return 0, optionError(name, fmt.Sprintf("%s must be a number, got %T", name, v))
	}
	if n < lo && hi >= math.MaxInt32 {
		return 0, optionError(name, fmt.Sprintf("%s must be at least %d, got %d", name, lo, n))
	}
	if n < lo || n > hi {
		return 0, optionError(name, fmt.Sprintf("%s must be between %d and %d, got %d", name, lo, hi, n))
	}
	return n, nil
}

// BoolOption reads a true/false option, def when absent.
func (c Config) BoolOption(name string, def bool) (bool, error) {
	v, ok := c.Options[name]
	if !ok || v == nil {
		return def, nil
	}
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	}
	return false, optionError(name, fmt.Sprintf("%s must be true or false, got %v", name, v))
}

func optionError(name, msg string) error {
	return &ConfigError{Field: "options." + name, Message: msg}
}
