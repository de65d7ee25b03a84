package reconcile

import (
	"strings"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// Write-back without echo. An ITSM connector that pushes fields is also
// pulled from; what the ITSM record is believed to hold is kept per value
// (PushValues: what itam last pushed to it or pulled from it). A pull then
// tells a value the ITSM changed (it differs from the believed one: apply
// it) from one it merely still holds (equal: itam's own, possibly newer,
// value stands), and a push sends only what differs from the believed
// values, so neither side echoes the other.

// PushValues are push-relevant values in canonical form by value key
// (PushValueKeys); a missing key is unknown, "" is "none".
type PushValues map[string]string

// The value keys, each owned by one push field (PushFieldOf).
const (
	ValueAssignee     = "assignee"     // email, lower case
	ValueStatus       = "status"       // itam.AssetStatus name
	ValueLocation     = "location"     // location name, lower case
	ValueAssetTag     = "assetTag"     // lower case
	ValuePurchaseDate = "purchaseDate" // YYYY-MM-DD
	ValuePrice        = "purchasePrice"
	ValueOrderNumber  = "orderNumber"
	ValueWarrantyEnd  = "warrantyEnd" // YYYY-MM-DD
)

var valueFields = map[string]string{
	ValueAssignee: itam.PushAssignee, ValueStatus: itam.PushStatus, ValueLocation: itam.PushLocation,
	ValueAssetTag: itam.PushAssetTag, ValuePurchaseDate: itam.PushPurchase, ValuePrice: itam.PushPurchase,
	ValueOrderNumber: itam.PushPurchase, ValueWarrantyEnd: itam.PushPurchase,
}

// PushFieldOf is the push field that writes value key k.
func PushFieldOf(k string) string { return valueFields[k] }

// PushValueKeys are every value key.
var PushValueKeys = []string{ValueAssignee, ValueStatus, ValueLocation, ValueAssetTag, ValuePurchaseDate, ValuePrice, ValueOrderNumber, ValueWarrantyEnd}

// CanonicalValues builds PushValues from plain values: fold case where itam
// compares without it, normalize decimals and dates.
func CanonicalValues(assignee, status, location, assetTag string, purchaseDate *time.Time, price, currency, orderNumber string, warrantyEnd *time.Time) PushValues {
	return PushValues{
		ValueAssignee: lower(assignee), ValueStatus: strings.TrimSpace(status), ValueLocation: lower(location),
		ValueAssetTag: lower(assetTag), ValuePurchaseDate: date(purchaseDate), ValuePrice: priceValue(price, currency),
		ValueOrderNumber: strings.TrimSpace(orderNumber), ValueWarrantyEnd: date(warrantyEnd),
	}
}

// DeviceValues are the push values a pulled record reports: only those it
// says (Device's empty means "not said").
func DeviceValues(d Device) PushValues {
	all := CanonicalValues(d.UserEmail, d.Status, d.Location, d.AssetTag, d.PurchaseDate, d.PurchasePrice, d.PurchaseCurrency, "", d.WarrantyEnd)
	out := PushValues{}
	for k, v := range all {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// ChangedFields are the push fields among opted whose values in current
// differ from known: what a push must write.
func ChangedFields(opted []string, current, known PushValues) []string {
	var out []string
	for _, f := range opted {
		for _, k := range PushValueKeys {
			if valueFields[k] != f {
				continue
			}
			if v, ok := known[k]; !ok || v != current[k] {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// Believed is one pulled record's state: what the ITSM was believed to hold
// before this pull, and itam's current values for the linked asset.
type Believed struct {
	Known   PushValues
	Current PushValues
}

// WithoutEchoes removes from each device the values its ITSM still holds
// as they were believed (unchanged at the ITSM) while itam's current value
// differs: itam's change is newer and not pushed yet, so the pull must not
// undo it. It returns the devices to reconcile and, by external id, the
// values each record now holds (what the ITSM is believed to hold after
// this pull). Devices without a believed state (new links) keep everything.
func WithoutEchoes(devices []Device, believed map[string]Believed) ([]Device, map[string]PushValues) {
	out := make([]Device, len(devices))
	now := make(map[string]PushValues, len(devices))
	for i, d := range devices {
		pulled := DeviceValues(d)
		b, ok := believed[d.ExternalID]
		for k, v := range pulled {
			if known, had := b.Known[k]; had && known != v && saysSame(k, v, known) {
				pulled[k] = known
			}
		}
		held := PushValues{}
		for k, v := range b.Known {
			held[k] = v
		}
		for k, v := range pulled {
			held[k] = v
		}
		now[d.ExternalID] = held
		if ok {
			for k, v := range pulled {
				if known, had := b.Known[k]; had && known == v && b.Current[k] != v {
					clearValue(&d, k)
				}
			}
		}
		out[i] = d
	}
	return out, now
}

// saysSame reports whether pulled value v says what the believed value
// known says, in less detail: a price without a currency (most ITSMs keep
// none unless the connector is told it) is the known price with the same
// amount. Otherwise the pushed value would never match its pull.
func saysSame(k, v, known string) bool {
	if k != ValuePrice {
		return false
	}
	amount, cur, _ := strings.Cut(v, " ")
	knownAmount, _, _ := strings.Cut(known, " ")
	return cur == "" && amount == knownAmount
}

// clearValue makes d not say value k.
func clearValue(d *Device, k string) {
	switch k {
	case ValueAssignee:
		d.UserEmail, d.UserName = "", ""
	case ValueStatus:
		d.Status = ""
	case ValueLocation:
		d.Location = ""
	case ValueAssetTag:
		d.AssetTag = ""
	case ValuePurchaseDate:
		d.PurchaseDate = nil
	case ValuePrice:
		d.PurchasePrice, d.PurchaseCurrency = "", ""
	case ValueWarrantyEnd:
		d.WarrantyEnd = nil
	}
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func date(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// priceValue is "amount CUR" with the amount's insignificant zeros
// dropped, so "1299.00" and "1299" agree; "" without an amount.
func priceValue(amount, currency string) string {
	a := strings.TrimSpace(amount)
	if a == "" {
		return ""
	}
	if strings.Contains(a, ".") {
		a = strings.TrimRight(strings.TrimRight(a, "0"), ".")
	}
	return a + " " + strings.ToUpper(strings.TrimSpace(currency))
}
