package connectors

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
)

// Option names every connector reads (Config.Options).
const (
	// OptPageSize is the number of records asked per list request.
	OptPageSize = "pageSize"
	// OptIncludeSoftware says whether installed software is read
	// (default true).
	OptIncludeSoftware = "includeSoftware"
)

// PageSize says how a connector takes OptPageSize.
type PageSize struct {
	// Default applies when the option is absent.
	Default int
	// Max is the vendor's limit; 0 means none.
	Max int
	// Clamp lowers a value above Max to Max (a vendor that caps silently
	// or refuses larger pages); otherwise such a value is refused.
	Clamp bool
}

// Common are the settings every connector reads alike.
type Common struct {
	PageSize       int
	Software       bool
	MaxConcurrency int
	Logger         *slog.Logger
}

// CommonOptions reads the page size, OptIncludeSoftware, the bound on
// requests in flight (defConcurrency when the config sets none) and the
// logger (one that discards when the config has none).
func (c Config) CommonOptions(page PageSize, defConcurrency int) (Common, error) {
	hi := page.Max
	if hi <= 0 || page.Clamp {
		hi = math.MaxInt32
	}
	n, err := c.IntOption(OptPageSize, page.Default, 1, hi)
	if err != nil {
		return Common{}, err
	}
	if page.Clamp && page.Max > 0 {
		n = min(n, page.Max)
	}
	software, err := c.BoolOption(OptIncludeSoftware, true)
	if err != nil {
		return Common{}, err
	}
	out := Common{PageSize: n, Software: software, MaxConcurrency: c.MaxConcurrency, Logger: c.Logger}
	if out.MaxConcurrency <= 0 {
		out.MaxConcurrency = defConcurrency
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	return out, nil
}

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
