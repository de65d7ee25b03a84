package imports

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// rowCtx is one row being planned: its parsed cells, its errors and the
// references its values resolve through.
type rowCtx struct {
	p    *Planner
	row  Row
	s    *Snapshot
	plan RowPlan
	// vals are the canonical values of the row's non-blank cells that
	// parsed; bad names the fields whose cell did not.
	vals map[string]string
	bad  map[string]bool
	// uses are the references each field's value resolves through; they
	// are recorded for the fields the plan sets, once the row is valid.
	uses map[string][]refUse
}

// raw is the text of field's cell in r ("" when unmapped or missing).
func (p *Planner) raw(r Row, field string) string {
	c, ok := p.cols[field]
	if !ok || c >= len(r.Cells) {
		return ""
	}
	return r.Cells[c]
}

// fail adds a problem of field's cell ("" for the row's).
func (c *rowCtx) fail(field, format string, args ...any) {
	e := CellError{Column: -1, Field: field, Message: fmt.Sprintf(format, args...)}
	if col, ok := c.p.cols[field]; ok {
		e.Column, e.Header = col, c.p.headers[col]
	}
	if field != "" {
		if c.bad == nil {
			c.bad = map[string]bool{}
		}
		c.bad[field] = true
	}
	c.plan.Errors = append(c.plan.Errors, e)
}

// failErr adds err's plain message as a problem of field's cell.
func (c *rowCtx) failErr(field string, err error) {
	var e *itam.Error
	if errors.As(err, &e) {
		c.fail(field, "%s", e.Message)
		return
	}
	c.fail(field, "%s", err.Error())
}

// use notes a reference field's value resolves through.
func (c *rowCtx) use(field string, u refUse) {
	if c.uses == nil {
		c.uses = map[string][]refUse{}
	}
	c.uses[field] = append(c.uses[field], u)
}

// finish decides an ERROR row and records the references of a valid one.
func (c *rowCtx) finish() RowPlan {
	rp := c.plan
	if len(rp.Errors) > 0 {
		// Nothing of an ERROR row is applied, so it names no reference.
		rp.Action, rp.Values, rp.Kept = ActionError, nil, nil
		return rp
	}
	fields := make([]string, 0, len(rp.Values))
	for f := range rp.Values {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	for _, f := range fields {
		for _, u := range c.uses[f] {
			c.p.record(u, rp.Line)
		}
	}
	if len(rp.Values) == 0 {
		rp.Values = nil
	}
	return rp
}

// cellType is how a field's cells are read.
type cellType int

const (
	cellText cellType = iota
	cellDate
	cellMoney
	cellCurrency
	cellAssetStatus
	cellCondition
	cellPersonStatus
	cellLocationKind
	cellCountry
	cellEmail
	cellSerial
	cellCount
	cellBool
	cellLicenseModel
	cellBillingPeriod
	cellCostKind
	cellList
)

// cellTypes lists the fields that are not plain text, per kind.
var cellTypes = map[Kind]map[string]cellType{
	KindAssets: {"purchaseDate": cellDate, "warrantyEnd": cellDate, "purchasePrice": cellMoney,
		"purchaseCurrency": cellCurrency, "status": cellAssetStatus, "condition": cellCondition, "serialNumber": cellSerial},
	KindPeople:    {"email": cellEmail, "status": cellPersonStatus},
	KindLocations: {"kind": cellLocationKind, "country": cellCountry},
	KindLicenses: {"licenseModel": cellLicenseModel, "editions": cellList, "versions": cellList, "seats": cellCount,
		"termStart": cellDate, "termEnd": cellDate, "renewalDate": cellDate, "autoRenew": cellBool, "seatCost": cellMoney,
		"totalCost": cellMoney, "costCurrency": cellCurrency, "billingPeriod": cellBillingPeriod},
	KindCostEntries: {"date": cellDate, "kind": cellCostKind, "amount": cellMoney, "currency": cellCurrency},
}

// currencyField is, per kind, the field naming the currency of its money
// fields.
var currencyField = map[Kind]string{KindAssets: "purchaseCurrency", KindLicenses: "costCurrency", KindCostEntries: "currency"}

// moneyFields are, per kind, the amounts in currencyField's currency.
var moneyFields = map[Kind][]string{KindAssets: {"purchasePrice"}, KindLicenses: {"seatCost", "totalCost"}, KindCostEntries: {"amount"}}

// parseCells reads every mapped cell of the row into canonical values,
// listing every cell that fails.
func (c *rowCtx) parseCells() {
	c.vals = map[string]string{}
	cols := make([]int, 0, len(c.p.cols))
	for _, col := range c.p.cols {
		cols = append(cols, col)
	}
	slices.Sort(cols) // errors in column order, every time
	fieldOf := make(map[int]string, len(c.p.cols))
	for f, col := range c.p.cols {
		fieldOf[col] = f
	}
	for _, col := range cols {
		f := fieldOf[col]
		s := strings.TrimSpace(c.p.raw(c.row, f))
		if s == "" {
			continue
		}
		if err := itam.CheckText(f, s, 0); err != nil {
			c.failErr(f, err)
			continue
		}
		v, err := c.parseCell(f, s)
		if err != nil {
			c.failErr(f, err)
			continue
		}
		if v != "" {
			c.vals[f] = v
		}
	}
}

func (c *rowCtx) parseCell(field, s string) (string, error) {
	switch cellTypes[c.p.kind][field] {
	case cellDate:
		t, err := ParseDate(s, c.p.opt.DateOrder)
		if err != nil {
			return "", err
		}
		return t.Format("2006-01-02"), nil
	case cellCurrency:
		code, err := itam.ParseCurrency(s)
		if err != nil {
			return "", itam.Invalid("", "%q is not an ISO 4217 currency code", s)
		}
		return code, nil
	case cellMoney:
		return c.parseMoney(s)
	case cellAssetStatus:
		return parseEnum(s, assetStatusWords, "status", "IN_STOCK, DEPLOYED, ORDERED, IN_REPAIR, LOST, STOLEN, RETIRED or a Snipe-IT label like Ready to Deploy")
	case cellCondition:
		return parseEnum(s, conditionWords, "condition", "NEW, GOOD, FAIR, POOR or BROKEN")
	case cellPersonStatus:
		return parseEnum(s, personStatusWords, "person status", "ACTIVE or OFFBOARDED")
	case cellLocationKind:
		return parseEnum(s, locationKindWords, "location kind", "SITE, BUILDING, FLOOR or ROOM")
	case cellCountry:
		a := itam.Address{Country: &s}
		if err := a.Validate(); err != nil {
			return "", err
		}
		return *a.Country, nil
	case cellEmail:
		return itam.ValidEmail(field, s)
	case cellSerial:
		return cleanSerial(s), nil
	case cellCount:
		return parseCount(s)
	case cellBool:
		return parseEnum(s, boolWords, "yes or no", "true, false, yes or no")
	case cellLicenseModel:
		return parseEnum(s, licenseModelWords, "license model", "PER_DEVICE, PER_USER, CONCURRENT, SITE or SUBSCRIPTION")
	case cellBillingPeriod:
		return parseEnum(s, billingPeriodWords, "billing period", "ONE_TIME, MONTHLY or ANNUAL")
	case cellCostKind:
		return parseEnum(s, costKindWords, "cost kind", "PURCHASE, MAINTENANCE, REPAIR, SUPPORT, SUBSCRIPTION, LEASE, DISPOSAL or OTHER")
	case cellList:
		return canonicalList(s), nil
	}
	return s, nil
}

// parseMoney reads a price in the row's currency column's currency, or the
// import's default; a price that names another currency than its row's
// currency column is refused rather than silently picked.
func (c *rowCtx) parseMoney(s string) (string, error) {
	def := c.p.opt.DefaultCurrency
	rowCur := ""
	curField := currencyField[c.p.kind]
	if cur := strings.TrimSpace(c.p.raw(c.row, curField)); cur != "" {
		code, err := itam.ParseCurrency(cur)
		if err != nil {
			return "", itam.Invalid("", "%q has no valid currency: the currency column holds %q", s, cur)
		}
		rowCur, def = code, code
	}
	m, err := ParseMoney(s, def)
	if err != nil {
		return "", err
	}
	if rowCur != "" && m.Currency != rowCur {
		return "", itam.Invalid("", "%q is in %s but the currency column says %s", s, m.Currency, rowCur)
	}
	c.vals[curField] = m.Currency
	return canonicalAmount(m.Amount), nil
}

// canonicalAmount is an amount as RowPlan.Values holds it: at least two
// decimals, more when the amount has them ("1299.00", "0.125").
func canonicalAmount(d decimal.Decimal) string {
	places := max(int32(2), -d.Exponent())
	return d.StringFixed(places)
}

// sameText compares a cell's value with the record's: the planner trims
// every cell, so spaces around a stored value (typed in the app) are no
// change a spreadsheet could make, and an exported record reads back
// UNCHANGED.
func sameText(cell, stored string) bool { return cell == strings.TrimSpace(stored) }

// sameAmount compares two canonical amounts by value.
func sameAmount(a, b string) bool {
	x, err1 := decimal.NewFromString(a)
	y, err2 := decimal.NewFromString(b)
	return err1 == nil && err2 == nil && x.Equal(y)
}

// cleanSerial drops the placeholders spreadsheets and firmware put where
// there is no serial ("N/A", "Unknown", "To be filled by O.E.M."): such a
// cell says the asset has no serial, and two of them are no duplicate.
func cleanSerial(s string) string {
	if reconcile.NormalizeSerial(s) == "" {
		return ""
	}
	return strings.TrimSpace(s)
}

// enumKey folds case, spaces and punctuation: "Ready to Deploy",
// "ready-to-deploy" and "READY_TO_DEPLOY" are one word.
func enumKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func parseEnum(s string, words map[string]string, what, allowed string) (string, error) {
	if v, ok := words[enumKey(s)]; ok {
		return v, nil
	}
	return "", itam.Invalid("", "%q is not a %s (use %s)", s, what, allowed)
}

// assetStatusWords reads statuses as itam spells them and as Snipe-IT's
// default status labels do (Snipe-IT's export shows the label, or
// "Deployed" for a checked-out asset). Snipe-IT's "Pending" (not yet
// deployable) reads as ORDERED, "Archived" and "Broken - Not Fixable"
// (undeployable for good) as RETIRED, "Out for Diagnostics" and "Out for
// Repair" as IN_REPAIR and "Lost/Stolen" as LOST. DISPOSED is read but a
// row cannot reach it (disposal needs its sanitization record).
var assetStatusWords = map[string]string{
	"ordered": "ORDERED", "onorder": "ORDERED", "pending": "ORDERED",
	"instock": "IN_STOCK", "readytodeploy": "IN_STOCK", "available": "IN_STOCK", "stock": "IN_STOCK", "spare": "IN_STOCK",
	"deployed": "DEPLOYED", "deployable": "IN_STOCK", "assigned": "DEPLOYED", "checkedout": "DEPLOYED", "inuse": "DEPLOYED",
	"inrepair": "IN_REPAIR", "repair": "IN_REPAIR", "outforrepair": "IN_REPAIR", "outfordiagnostics": "IN_REPAIR",
	"lost": "LOST", "missing": "LOST", "loststolen": "LOST",
	"stolen":  "STOLEN",
	"retired": "RETIRED", "archived": "RETIRED", "brokennotfixable": "RETIRED",
	"disposed": "DISPOSED",
}

var conditionWords = map[string]string{
	"new": "NEW", "good": "GOOD", "fair": "FAIR", "poor": "POOR", "broken": "BROKEN", "damaged": "BROKEN",
}

var personStatusWords = map[string]string{
	"active": "ACTIVE", "offboarded": "OFFBOARDED", "inactive": "OFFBOARDED", "terminated": "OFFBOARDED", "left": "OFFBOARDED",
}

var locationKindWords = map[string]string{"site": "SITE", "building": "BUILDING", "floor": "FLOOR", "room": "ROOM"}

func init() {
	// Every enum's own spelling reads as itself ("IN_STOCK" → "instock").
	for _, words := range []map[string]string{assetStatusWords, conditionWords, personStatusWords, locationKindWords,
		licenseModelWords, billingPeriodWords, costKindWords} {
		for _, v := range words {
			words[enumKey(v)] = v
		}
	}
}
