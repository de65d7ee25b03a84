package imports

import (
	"errors"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// The COST_ENTRIES import appends entries to assets' cost ledgers: one row
// is an asset (by tag), a day, a kind (OTHER when blank), an amount and its
// currency, and optionally the supplier (matched or created), the invoice
// reference and notes. costs.Entry.Normalize checks each row, as
// addCostEntry does.
//
// Cost entries are money records with no key of their own, so a row is
// matched by its natural key (CostEntryKey): asset, date, kind, amount,
// currency and invoice reference. A row whose key an entry of the asset
// already has is UNCHANGED (re-importing a file never charges twice); any
// other row is a CREATE. Notes and supplier are not part of the key: a
// row differing only there is the same charge, UNCHANGED, and an import
// never edits a ledger entry. Two rows of one file with the same key are a
// duplicate (ERROR): to book two equal charges on one day, give them
// their invoice references.

// planCostEntry plans one row of a COST_ENTRIES import.
func (p *Planner) planCostEntry(c *rowCtx) {
	c.parseCells()
	s := c.s
	tag := c.vals["assetTag"]
	c.plan.Key = tag
	if tag == "" {
		if !c.bad["assetTag"] {
			c.fail("", "the asset tag is blank: costs are booked against an asset by its tag")
		}
		return
	}
	a := s.AssetsByTag[NormalizeTag(tag)]
	if a == nil {
		c.fail("assetTag", "no asset is tagged %q", tag)
	}
	values := c.rowValues()
	if values["kind"] == "" && !c.bad["kind"] {
		values["kind"] = string(costs.KindOther)
	}
	if values["date"] == "" && !c.bad["date"] {
		c.fail(mappedOr(c, "date"), "a cost needs a date")
	}
	if values["amount"] == "" && !c.bad["amount"] {
		c.fail(mappedOr(c, "amount"), "a cost needs an amount")
	}
	c.named("supplier", RefSupplier, s.Suppliers, nil, "supplier")
	if len(c.plan.Errors) > 0 {
		return
	}
	k := CostEntryKey{Asset: a.ID, Date: values["date"], Kind: values["kind"], Amount: values["amount"],
		Currency: values["currency"], InvoiceReference: values["invoiceReference"]}
	c.dup("cost:"+k.Asset.String()+"\x00"+k.Date+"\x00"+k.Kind+"\x00"+k.Amount+"\x00"+k.Currency+"\x00"+k.InvoiceReference,
		"amount", "the same cost of", tag)
	if len(c.plan.Errors) > 0 {
		return
	}
	if s.CostEntries[k] {
		c.plan.Action = ActionUnchanged
		return
	}
	if values["kind"] == string(costs.KindPurchase) {
		// The one PURCHASE entry of an asset is its purchase price, kept
		// in step with the asset by the cost store: an ASSETS import sets it.
		c.fail("kind", "an asset's PURCHASE cost is its purchase price: import it as purchasePrice with the assets")
		return
	}
	e := costs.Entry{AssetID: &a.ID, Kind: costs.EntryKind(values["kind"]),
		InvoiceReference: optText(values["invoiceReference"]), Notes: optText(values["notes"])}
	e.Date, _ = time.Parse(time.DateOnly, values["date"])
	amount, _ := decimal.NewFromString(values["amount"])
	e.Amount = itam.Money{Amount: amount, Currency: values["currency"]}
	if _, err := e.Normalize(); err != nil {
		c.failErr(costErrField(c, err), err)
		return
	}
	c.plan.Action, c.plan.Values = ActionCreate, values
}

// costErrField is the column a cost entry rule's error names.
func costErrField(c *rowCtx, err error) string {
	var e *itam.Error
	if !errors.As(err, &e) {
		return ""
	}
	f := e.Field
	switch {
	case f == "assetId":
		f = "assetTag"
	case strings.HasSuffix(f, ".currency"):
		f = "currency"
	case strings.HasPrefix(f, "amount"):
		f = "amount"
	}
	return mappedOr(c, f)
}
