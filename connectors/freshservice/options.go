package freshservice

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// statusOptions reads OptStatusMap (vendor state → itam status) and
// derives the reverse table pushes use. A state maps to one status; when
// several states map to the same status, a push writes the first of them
// in alphabetical order (the defaults name one preferred state each).
func statusOptions(cfg connectors.Config) (pull, push map[string]string, err error) {
	raw, ok := cfg.Options[OptStatusMap]
	if !ok || raw == nil {
		pull = make(map[string]string, len(DefaultStatusMap))
		for k, v := range DefaultStatusMap {
			pull[strings.ToLower(k)] = v
		}
		return pull, defaultPushStates, nil
	}
	m := map[string]string{}
	switch x := raw.(type) {
	case map[string]string:
		m = x
	case map[string]any:
		for k, v := range x {
			str, ok := v.(string)
			if !ok {
				return nil, nil, statusErr(fmt.Sprintf("statusMap[%q] must be an itam status name, got %v", k, v))
			}
			m[k] = str
		}
	case string:
		if err := json.Unmarshal([]byte(x), &m); err != nil {
			return nil, nil, statusErr("statusMap must be an object of Freshservice asset state → itam status")
		}
	default:
		return nil, nil, statusErr(fmt.Sprintf("statusMap must be an object of Freshservice asset state → itam status, got %T", raw))
	}
	if len(m) == 0 {
		return nil, nil, statusErr("statusMap must map at least one Freshservice asset state")
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pull, push = map[string]string{}, map[string]string{}
	for _, k := range keys {
		state, status := strings.TrimSpace(k), strings.ToUpper(strings.TrimSpace(m[k]))
		if state == "" {
			return nil, nil, statusErr("statusMap has an empty Freshservice asset state")
		}
		if !slices.Contains(itam.AssetStatuses, itam.AssetStatus(status)) {
			return nil, nil, statusErr(fmt.Sprintf("statusMap[%q]: %q is not an itam status (one of %s)", k, m[k], statusNames()))
		}
		if _, dup := pull[strings.ToLower(state)]; dup {
			return nil, nil, statusErr(fmt.Sprintf("statusMap names the state %q twice", state))
		}
		pull[strings.ToLower(state)] = status
		if _, seen := push[status]; !seen {
			push[status] = state
		}
	}
	return pull, push, nil
}

func statusNames() string {
	out := make([]string, len(itam.AssetStatuses))
	for i, s := range itam.AssetStatuses {
		out[i] = string(s)
	}
	return strings.Join(out, ", ")
}

func statusErr(msg string) error {
	return &connectors.ConfigError{Field: "options." + OptStatusMap, Message: msg}
}

// int64Option reads a positive id option (0 when absent). Freshservice ids
// exceed 2^31, and JSON numbers arrive as float64, exact up to 2^53.
func int64Option(cfg connectors.Config, name string) (int64, error) {
	v, ok := cfg.Options[name]
	if !ok || v == nil {
		return 0, nil
	}
	var n int64
	var err error
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case float64:
		n = int64(x)
		if float64(n) != x {
			err = fmt.Errorf("not whole")
		}
	case json.Number:
		n, err = strconv.ParseInt(x.String(), 10, 64)
	case string:
		n, err = strconv.ParseInt(strings.TrimSpace(x), 10, 64)
	default:
		err = fmt.Errorf("type %T", v)
	}
	if err != nil || n <= 0 {
		return 0, &connectors.ConfigError{Field: "options." + name, Message: fmt.Sprintf("%s must be a Freshservice asset type id (a positive whole number), got %v", name, v)}
	}
	return n, nil
}

func currencyOption(cfg connectors.Config) (string, error) {
	v, ok := cfg.Options[OptCurrency]
	if !ok || v == nil {
		return "", nil
	}
	s, _ := v.(string)
	c, err := itam.ParseCurrency(s)
	if err != nil || s == "" {
		return "", &connectors.ConfigError{Field: "options." + OptCurrency, Message: fmt.Sprintf("currency must be an ISO 4217 code such as USD, got %v", v)}
	}
	return c, nil
}

// assetTypesOption reads OptAssetTypes: a list of asset type names.
func assetTypesOption(cfg connectors.Config) ([]string, error) {
	v, ok := cfg.Options[OptAssetTypes]
	if !ok || v == nil {
		return nil, nil
	}
	var names []string
	switch x := v.(type) {
	case []string:
		names = x
	case []any:
		for _, e := range x {
			str, ok := e.(string)
			if !ok {
				names = nil
				break
			}
			names = append(names, str)
		}
		if len(names) != len(x) {
			names = nil
		}
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			out = append(out, n)
		}
	}
	if len(out) == 0 || len(out) != len(names) {
		return nil, &connectors.ConfigError{Field: "options." + OptAssetTypes,
			Message: fmt.Sprintf("assetTypes must be a non-empty list of Freshservice asset type names, e.g. [\"Hardware\"], got %v", v)}
	}
	return out, nil
}
