package procurement

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// ReceiptItem is one unit arriving: its serial number and, when the
// receiving desk labels it with a tag of its own, that tag (else the
// asset keeps the tag it got when the order was approved).
type ReceiptItem struct {
	SerialNumber string
	AssetTag     *string
}

// Receive checks a delivery of items against line l of order o and
// returns the items trimmed. The order must be APPROVED or
// PARTIALLY_RECEIVED, the line must still expect at least as many units,
// and every serial (and tag, when given) must be given once; whether they
// are already used by another asset is the store's to check. Refusals are
// BAD_USER_INPUT naming the item (items[2].serialNumber).
func Receive(o Order, l Line, items []ReceiptItem) ([]ReceiptItem, error) {
	if o.Status != StatusApproved && o.Status != StatusPartiallyReceived {
		return nil, itam.Invalid("lineId", "order %s is %s: only an APPROVED or PARTIALLY_RECEIVED order can be received", o.OrderNumber, o.Status)
	}
	if len(items) == 0 {
		return nil, itam.Invalid("items", "receive at least one item")
	}
	if rest := l.Remaining(); len(items) > rest {
		return nil, itam.Invalid(indexed("items", rest), "line %d of order %s expects %d more unit(s) of %d, got %d items: over-receiving is refused",
			l.Position+1, o.OrderNumber, rest, l.Quantity, len(items))
	}
	out := make([]ReceiptItem, len(items))
	serials, tags := map[string]int{}, map[string]int{}
	for i, it := range items {
		field := indexed("items", i)
		serial := strings.TrimSpace(it.SerialNumber)
		if serial == "" {
			return nil, itam.Invalid(field+".serialNumber", "serial number is required")
		}
		if err := itam.CheckText(field+".serialNumber", serial, MaxNumberLen); err != nil {
			return nil, err
		}
		// Serials match as the database keys them (upper case), tags too (lower case).
		if j, dup := serials[strings.ToUpper(serial)]; dup {
			return nil, itam.Invalid(field+".serialNumber", "serial number %s is given twice (items[%d] and items[%d])", serial, j, i)
		}
		serials[strings.ToUpper(serial)] = i
		out[i].SerialNumber = serial
		if it.AssetTag != nil {
			tag := strings.TrimSpace(*it.AssetTag)
			if tag == "" {
				return nil, itam.Invalid(field+".assetTag", "asset tag cannot be blank: leave it out to keep the tag given at approval")
			}
			if err := itam.CheckText(field+".assetTag", tag, MaxNumberLen); err != nil {
				return nil, err
			}
			if j, dup := tags[strings.ToLower(tag)]; dup {
				return nil, itam.Invalid(field+".assetTag", "asset tag %s is given twice (items[%d] and items[%d])", tag, j, i)
			}
			tags[strings.ToLower(tag)] = i
			out[i].AssetTag = &tag
		}
	}
	return out, nil
}

// AfterReceipt is the status of an order whose lines' received counts are
// as in o: RECEIVED when every unit arrived, PARTIALLY_RECEIVED when some
// did, else APPROVED.
func AfterReceipt(o Order) Status {
	expected, received := o.Counts()
	switch {
	case received == 0:
		return StatusApproved
	case received >= expected:
		return StatusReceived
	default:
		return StatusPartiallyReceived
	}
}

// Snapshot is the order as its history records it, by API field name.
func Snapshot(o *Order) map[string]any {
	lines := make([]map[string]any, len(o.Lines))
	for i, l := range o.Lines {
		lines[i] = map[string]any{"modelId": l.ModelID, "quantity": l.Quantity, "unitPrice": l.UnitPrice.String()}
	}
	return map[string]any{
		"supplierId": o.SupplierID, "orderNumber": o.OrderNumber, "orderDate": o.OrderDate.Format(time.DateOnly),
		"expectedDelivery": itam.DateJSON(o.ExpectedDelivery), "currency": o.Currency, "status": o.Status, "notes": o.Notes, "lines": lines,
	}
}

// Changes lists the fields that differ between before and after (before
// nil: a creation), as history stores them: field → {"from", "to"}.
func Changes(before, after *Order) map[string]map[string]json.RawMessage {
	var b, a map[string]any
	if before != nil {
		b = Snapshot(before)
	}
	if after != nil {
		a = Snapshot(after)
	}
	return itam.DiffSnapshots(b, a)
}
