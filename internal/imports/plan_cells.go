package imports

import (
	"math"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/internal/itam"
)

// The cell readers of the LICENSES, LICENSE_SEATS and COST_ENTRIES kinds.

// moneyWords names a money field in a plain message.
var moneyWords = map[string]string{"purchasePrice": "a purchase price", "seatCost": "a seat cost", "totalCost": "a total cost", "amount": "an amount"}

// parseCount reads a whole, non-negative count ("1,000" and "25.0" as
// spreadsheets show them).
func parseCount(s string) (string, error) {
	t := strings.ReplaceAll(strings.ReplaceAll(s, ",", ""), " ", "")
	t = strings.TrimSuffix(strings.TrimSuffix(t, ".00"), ".0")
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt32 {
		return "", itam.Invalid("", "%q is not a whole number of seats", s)
	}
	return strconv.FormatInt(n, 10), nil
}

// canonicalList is a list cell ("Pro; Enterprise", or with commas) as the
// license export writes it: items trimmed, joined by "; ". The domain's
// Validate drops repeats and refuses what it does not allow.
func canonicalList(s string) string {
	return strings.Join(splitList(s), "; ")
}

// splitList splits a list cell on ";" (the export's separator) or, when
// it has none, on ",".
func splitList(s string) []string {
	sep := ";"
	if !strings.Contains(s, ";") {
		sep = ","
	}
	var out []string
	for _, it := range strings.Split(s, sep) {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

var boolWords = map[string]string{"true": "true", "yes": "true", "y": "true", "1": "true", "false": "false", "no": "false", "n": "false", "0": "false"}

var licenseModelWords = map[string]string{
	"perdevice": "PER_DEVICE", "device": "PER_DEVICE", "peruser": "PER_USER", "user": "PER_USER", "nameduser": "PER_USER",
	"concurrent": "CONCURRENT", "site": "SITE", "sitelicense": "SITE", "subscription": "SUBSCRIPTION",
}

var billingPeriodWords = map[string]string{
	"onetime": "ONE_TIME", "once": "ONE_TIME", "perpetual": "ONE_TIME", "monthly": "MONTHLY", "month": "MONTHLY",
	"annual": "ANNUAL", "annually": "ANNUAL", "yearly": "ANNUAL", "year": "ANNUAL",
}

var costKindWords = map[string]string{
	"purchase": "PURCHASE", "maintenance": "MAINTENANCE", "repair": "REPAIR", "support": "SUPPORT",
	"subscription": "SUBSCRIPTION", "lease": "LEASE", "disposal": "DISPOSAL", "other": "OTHER",
}
