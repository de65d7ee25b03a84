package itam

import (
	"encoding/json"
	"time"
)

// AssetSnapshot is an asset's user-visible fields by GraphQL name: the unit
// of history diffs, and what a sync compares to tell a change from none.
func AssetSnapshot(a *Asset) map[string]any {
	m := map[string]any{
		"assetTag": a.AssetTag, "serialNumber": a.SerialNumber, "name": a.Name, "modelId": a.ModelID,
		"status": a.Status, "condition": a.Condition, "assignedPersonId": a.AssignedPersonID,
		"assignedLocationId": a.AssignedLocationID, "ownerPersonId": a.OwnerPersonID, "ownerTeamId": a.OwnerTeamID,
		"locationId": a.LocationID, "purchaseDate": DateJSON(a.PurchaseDate), "purchasePrice": nil,
		"supplierId": a.SupplierID, "orderNumber": a.OrderNumber, "invoiceNumber": a.InvoiceNumber,
		"warrantyEnd": DateJSON(a.WarrantyEnd), "endOfLife": DateJSON(a.EndOfLife), "notes": a.Notes,
		"customFields": a.CustomFields, "disposalDate": DateJSON(a.DisposalDate), "disposalMethod": a.DisposalMethod,
		"disposalCertificate":   a.DisposalCertificate,
		"depreciationProfileId": a.DepreciationProfileID, "inServiceDate": DateJSON(a.InServiceDate),
	}
	if a.PurchasePrice != nil {
		m["purchasePrice"] = map[string]string{"amount": a.PurchasePrice.Amount.String(), "currency": a.PurchasePrice.Currency}
	}
	return m
}

// DateJSON is a date as history and conflicts record it (YYYY-MM-DD), nil
// for no date.
func DateJSON(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// DiffAssets lists the fields whose JSON value differs between before and
// after, as {"from", "to"} pairs (before nil: every non-empty field of
// after, for a creation). Custom fields are diffed key by key
// ("customFields.<key>").
func DiffAssets(before, after *Asset) map[string]map[string]json.RawMessage {
	a := AssetSnapshot(after)
	var b map[string]any
	out := map[string]map[string]json.RawMessage{}
	if before != nil {
		b = AssetSnapshot(before)
		customFieldChanges(before.CustomFields, after.CustomFields, out)
	} else {
		customFieldChanges(nil, after.CustomFields, out)
	}
	for k, av := range a {
		if k == "customFields" {
			continue
		}
		aj, _ := json.Marshal(av)
		bj := []byte("null")
		if b != nil {
			bj, _ = json.Marshal(b[k])
		}
		if string(aj) == string(bj) || (b == nil && string(aj) == "null") {
			continue
		}
		if b == nil && (string(aj) == "{}") {
			continue
		}
		out[k] = map[string]json.RawMessage{"from": bj, "to": aj}
	}
	return out
}
