package licenses

import (
	"encoding/json"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// Changes is a history entry's field changes as stored: field → {"from", "to"}.
type Changes = map[string]map[string]json.RawMessage

// KeyField is the history field of the license key. Its change records only
// whether a key was stored before and after ("[redacted]" or null) and that
// it changed, never a key.
const KeyField = "licenseKey"

// snapshot is a license's recorded fields by GraphQL name; the key is
// recorded apart (see Diff).
func snapshot(l *License) map[string]any {
	m := map[string]any{
		"productId": l.ProductID, "name": l.Name, "licenseModel": l.Model, "editions": l.Editions, "versions": l.Versions,
		"seats": l.Seats, "termStart": itam.DateJSON(l.TermStart), "termEnd": itam.DateJSON(l.TermEnd),
		"renewalDate": itam.DateJSON(l.RenewalDate), "autoRenew": l.AutoRenew, "seatCost": moneyJSON(l.SeatCost),
		"totalCost": moneyJSON(l.TotalCost), "billingPeriod": l.BillingPeriod, "supplierId": l.SupplierID,
		"purchaseOrder": l.PurchaseOrder, "contractReference": l.ContractReference, "notes": l.Notes,
	}
	if len(l.Editions) == 0 {
		m["editions"] = []string{}
	}
	if len(l.Versions) == 0 {
		m["versions"] = []string{}
	}
	return m
}

func moneyJSON(m *itam.Money) any {
	if m == nil {
		return nil
	}
	return map[string]string{"amount": m.Amount.String(), "currency": m.Currency}
}

// Diff lists the fields that differ between before and after (before nil:
// a creation, every field that is set; after nil: a deletion, every field
// that was set). keyChanged says the key was set, replaced or removed.
func Diff(before, after *License, keyChanged bool) Changes {
	var b, a map[string]any
	if before != nil {
		b = snapshot(before)
	}
	if after != nil {
		a = snapshot(after)
	}
	out := itam.DiffSnapshots(b, a)
	if keyChanged {
		out[KeyField] = map[string]json.RawMessage{
			"from": keyJSON(before != nil && before.HasKey), "to": keyJSON(after != nil && after.HasKey), "changed": json.RawMessage("true")}
	}
	return out
}

func keyJSON(has bool) json.RawMessage {
	if has {
		return json.RawMessage(itam.RedactedValue)
	}
	return json.RawMessage("null")
}

// SeatChanges is what a seat assignment or reclaim records.
func SeatChanges(s *Seat, reclaimed bool) Changes {
	j := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	out := Changes{}
	if s.PersonID != nil {
		out["personId"] = map[string]json.RawMessage{"from": j(nil), "to": j(s.PersonID)}
	}
	if s.AssetID != nil {
		out["assetId"] = map[string]json.RawMessage{"from": j(nil), "to": j(s.AssetID)}
	}
	if reclaimed {
		for _, c := range out {
			c["from"], c["to"] = c["to"], c["from"]
		}
		out["reclaimReason"] = map[string]json.RawMessage{"from": j(nil), "to": j(s.ReclaimReason)}
		if s.ReclaimedAt != nil {
			out["reclaimedAt"] = map[string]json.RawMessage{"from": j(nil), "to": j(s.ReclaimedAt.UTC().Format(time.RFC3339))}
		}
	}
	return out
}

// costFields are the history fields an EMPLOYEE may not read.
var costFields = map[string]bool{"seatCost": true, "totalCost": true}

// holderFields name a person or a device; an EMPLOYEE reads a license's
// history (they hold a seat of it) but not who else holds one.
var holderFields = map[string]bool{"personId": true, "assetId": true, "supplierId": true}

// VisibleChanges returns the changes of a history entry p may read: all of
// them for roles that read everything; for an EMPLOYEE, no costs, and
// holders and suppliers shown as "[redacted]".
func VisibleChanges(p itam.Principal, changes []itam.FieldChange) []itam.FieldChange {
	if SeesAll(p) && CanSeeCosts(p) {
		return changes
	}
	out := changes[:0:0]
	for _, c := range changes {
		switch {
		case costFields[c.Field] && !CanSeeCosts(p):
			continue
		case holderFields[c.Field] && !SeesAll(p):
			c.From, c.To = redact(c.From), redact(c.To)
			c.FromRefLabel, c.ToRefLabel = nil, nil // a hidden holder's name goes with its id
		}
		out = append(out, c)
	}
	return out
}

func redact(v json.RawMessage) json.RawMessage {
	if len(v) == 0 || string(v) == "null" {
		return v
	}
	return json.RawMessage(itam.RedactedValue)
}
