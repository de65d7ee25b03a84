package imports

import (
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/reconcile"
)

// assetSynced maps the asset fields sources also set to the field
// precedence decides them by (reconcile.SyncedFields).
var assetSynced = map[string]string{
	"serialNumber": reconcile.FieldSerialNumber, "name": reconcile.FieldName, "model": reconcile.FieldModel,
	"modelNumber": reconcile.FieldModel, "assignee": reconcile.FieldAssignee, "purchaseDate": reconcile.FieldPurchaseDate,
	"purchasePrice": reconcile.FieldPurchasePrice, "warrantyEnd": reconcile.FieldWarrantyEnd, "status": reconcile.FieldStatus,
	"location": reconcile.FieldLocation,
}

// modelFields are the cells that together name an asset's model; they are
// planned as one value.
var modelFields = []string{"model", "manufacturer", "modelNumber", "category"}

// planAsset plans one row of an ASSETS import.
//
// Beyond Planner's rules: the row's key (asset tag or serial, as
// Options.UpsertKey says) matches an existing asset. A serial or tag of
// the row that another asset already holds is an ERROR, as is the same tag
// or serial on two rows of the file, whichever is the key. A new asset
// needs a model (by name with its manufacturer, or an existing model's
// number), and a new model its manufacturer and category; a blank asset
// tag takes the organization's next tag. An
// update sets only the fields whose value differs; a field set by a
// source precedence trusts more (a person's edit, an MDM's serial, a
// locked field) is kept and listed in RowPlan.Kept, and a row whose only
// differences are kept is UNCHANGED. Status follows the lifecycle's
// rules (lifecycle.Imported for a new asset, lifecycle.Transition for a
// change).
func (p *Planner) planAsset(c *rowCtx) {
	c.parseCells()
	s := c.s
	keyField := p.opt.keyField()
	c.plan.Key = strings.TrimSpace(p.raw(c.row, keyField))
	tag, serial := c.vals["assetTag"], c.vals["serialNumber"]
	if c.vals[keyField] == "" && !c.bad[keyField] {
		c.fail("", "the %s is blank: rows are matched by it", fieldWords[keyField])
	}
	if tag != "" {
		c.dup("tag:"+NormalizeTag(tag), "assetTag", "asset tag", tag)
	}
	if serial != "" {
		c.dup("serial:"+NormalizeSerial(serial), "serialNumber", "serial number", serial)
	}
	target := c.assetTarget(keyField, tag, serial)

	mc, _ := c.assetModel()
	assignee, assigneeID, _ := c.person("assignee")
	if assignee != "" {
		c.vals["assignee"] = assignee
	}
	c.named("location", RefLocation, s.Locations, s.AmbiguousLocations, "location")
	c.named("ownerTeam", RefTeam, s.Teams, nil, "team")
	c.named("supplier", RefSupplier, s.Suppliers, nil, "supplier")

	if target == nil {
		c.createAsset(mc)
	} else {
		c.updateAsset(target, mc, assigneeID)
	}
	if len(c.plan.Errors) == 0 {
		c.checkAsset(target)
	}
}

var fieldWords = map[string]string{"assetTag": "asset tag", "serialNumber": "serial number", "email": "email", "name": "name"}

// dup records a key of the file, or fails the row when an earlier row has it.
func (c *rowCtx) dup(key, field, what, value string) {
	if first, ok := c.p.seen[key]; ok {
		c.fail(field, "%s %q is also on line %d", what, value, first)
		if c.plan.DuplicateOf == 0 {
			c.plan.DuplicateOf = first
		}
		return
	}
	c.p.seen[key] = c.row.Line
}

// assetTarget finds the existing asset the row's key names, and fails the
// row when its other identifier belongs to another asset.
func (c *rowCtx) assetTarget(keyField, tag, serial string) *ExistingAsset {
	s := c.s
	tk, sk := NormalizeTag(tag), NormalizeSerial(serial)
	var target *ExistingAsset
	if keyField == "serialNumber" && sk != "" {
		if s.AmbiguousSerials[sk] {
			c.fail("serialNumber", "two or more assets have serial number %q: match rows by asset tag", serial)
			return nil
		}
		target = s.AssetsBySerial[sk]
	} else if keyField == "assetTag" && tk != "" {
		target = s.AssetsByTag[tk]
	}
	if target != nil {
		c.plan.TargetID, c.plan.TargetVersion = &target.ID, target.Version
	}
	own := func(v, field string, norm func(string) string) bool {
		return target != nil && norm(target.Values[field]) == norm(v)
	}
	if keyField == "assetTag" && sk != "" && !own(serial, "serialNumber", NormalizeSerial) {
		if s.AmbiguousSerials[sk] {
			c.fail("serialNumber", "serial number %q is already on two or more assets", serial)
		} else if other := s.AssetsBySerial[sk]; other != nil && (target == nil || other.ID != target.ID) {
			c.fail("serialNumber", "serial number %q is already on asset %s", serial, other.Values["assetTag"])
		}
	}
	if keyField == "serialNumber" && tk != "" && !own(tag, "assetTag", NormalizeTag) {
		if other := s.AssetsByTag[tk]; other != nil && (target == nil || other.ID != target.ID) {
			c.fail("assetTag", "asset tag %q is already on another asset (serial number %s)", tag, other.Values["serialNumber"])
		}
	}
	return target
}

// modelChoice is the model a row names: by name (with its manufacturer
// when given) or by an existing model's number.
type modelChoice struct {
	set      bool
	byNumber bool
	values   map[string]string
}

// assetModel resolves the row's model cells.
func (c *rowCtx) assetModel() (modelChoice, bool) {
	for _, f := range modelFields {
		if c.bad[f] {
			return modelChoice{}, false
		}
	}
	s := c.s
	name, mfr, num, cat := c.vals["model"], c.vals["manufacturer"], c.vals["modelNumber"], c.vals["category"]
	if name != "" {
		k := ModelKey{Manufacturer: NormalizeName(mfr), Name: NormalizeName(name)}
		mc := modelChoice{set: true, values: map[string]string{"model": name}}
		if mfr != "" {
			mc.values["manufacturer"] = mfr
		}
		if em, ok := s.Models[k]; ok {
			c.use("model", refUse{id: refID{kind: RefModel, parent: k.Manufacturer, nameKey: k.Name}, name: name, match: &em.ID})
			return mc, true
		}
		switch {
		case mfr != "" && cat == "":
			// The models table requires a category: without one the
			// commit could not create the model.
			field := "category"
			if !c.p.mapped(field) {
				field = "model"
			}
			c.fail(field, "no model is named %q by %s: add its category, and the import creates it", name, mfr)
			return modelChoice{}, false
		case mfr != "":
			// A new model: created with its manufacturer and category
			// (each matched or new) and, when the row names it, its number.
			mu := refUse{id: refID{kind: RefManufacturer, nameKey: k.Manufacturer}, name: mfr}
			if id, ok := s.Manufacturers[k.Manufacturer]; ok {
				mu.match = &id
			}
			c.use("model", mu)
			extra := map[string]string{"manufacturer": mfr}
			if num != "" {
				extra["modelNumber"], mc.values["modelNumber"] = num, num
			}
			extra["category"], mc.values["category"] = cat, cat
			cu := refUse{id: refID{kind: RefCategory, nameKey: NormalizeName(cat)}, name: cat}
			if id, ok := s.Categories[NormalizeName(cat)]; ok {
				cu.match = &id
			}
			c.use("model", cu)
			c.use("model", refUse{id: refID{kind: RefModel, parent: k.Manufacturer, nameKey: k.Name}, name: name, extra: extra})
			return mc, true
		case num == "":
			c.fail("model", "no model is named %q: add a manufacturer column, and the import creates it", name)
			return modelChoice{}, false
		}
	}
	if num == "" {
		return modelChoice{}, true
	}
	nk := NormalizeName(num)
	if s.AmbiguousModelNumbers[nk] {
		c.fail("modelNumber", "two or more models have model number %q: add the model's name and manufacturer", num)
		return modelChoice{}, false
	}
	em, ok := s.ModelsByNumber[nk]
	if !ok {
		c.fail("modelNumber", "no model has model number %q: add the model's name and manufacturer, and the import creates it", num)
		return modelChoice{}, false
	}
	c.use("modelNumber", refUse{id: refID{kind: RefModel, parent: ModelNumberParent, nameKey: nk}, name: num, match: &em.ID})
	return modelChoice{set: true, byNumber: true, values: map[string]string{"modelNumber": num}}, true
}

// sameModel reports whether the row's model is the asset's.
func (mc modelChoice) sameModel(ex map[string]string) bool {
	if mc.byNumber {
		return NormalizeName(ex["modelNumber"]) == NormalizeName(mc.values["modelNumber"])
	}
	mfr := mc.values["manufacturer"]
	return NormalizeName(ex["model"]) == NormalizeName(mc.values["model"]) &&
		(mfr == "" || NormalizeName(ex["manufacturer"]) == NormalizeName(mfr))
}

// assetValues are the row's values with the model as modelChoice names it.
func (c *rowCtx) assetValues(mc modelChoice) map[string]string {
	v := make(map[string]string, len(c.vals))
	for f, x := range c.vals {
		v[f] = x
	}
	for _, f := range modelFields {
		delete(v, f)
	}
	for f, x := range mc.values {
		v[f] = x
	}
	if v["purchasePrice"] == "" {
		delete(v, "purchaseCurrency") // a currency says nothing without an amount
	}
	return v
}

func (c *rowCtx) createAsset(mc modelChoice) {
	if !mc.set {
		if !c.bad["model"] && !c.bad["modelNumber"] && !c.bad["manufacturer"] {
			field := "model"
			if !c.p.mapped(field) {
				field = ""
			}
			c.fail(field, "a new asset needs a model: give the model's name and manufacturer, or an existing model's number")
		}
		return
	}
	c.plan.Action = ActionCreate
	c.plan.Values = c.assetValues(mc)
	if st := c.plan.Values["status"]; st != "" {
		if err := lifecycle.Imported(itam.AssetStatus(st), c.plan.Values["assignee"] != ""); err != nil {
			c.failErr("status", err)
		}
	} else if c.plan.Values["assignee"] != "" {
		// A new asset starts IN_STOCK; assigning it deploys it.
		if _, err := lifecycle.AfterAssign(itam.StatusInStock); err != nil {
			c.failErr("assignee", err)
		}
	}
}

func (c *rowCtx) updateAsset(t *ExistingAsset, mc modelChoice, assigneeID *uuid.UUID) {
	row := c.assetValues(mc)
	ex := t.Values
	same := func(f string) bool {
		v := row[f]
		switch f {
		case "assetTag":
			return NormalizeTag(v) == NormalizeTag(ex[f])
		case "serialNumber":
			return NormalizeSerial(v) == NormalizeSerial(ex[f])
		case "location", "ownerTeam", "supplier":
			return NormalizeName(v) == NormalizeName(ex[f])
		case "assignee":
			return c.samePerson(v, assigneeID, ex[f])
		case "purchasePrice":
			return sameAmount(v, ex[f]) && row["purchaseCurrency"] == ex["purchaseCurrency"]
		}
		return sameText(v, ex[f])
	}
	values := map[string]string{}
	for _, f := range kindFields[KindAssets] {
		var set map[string]string
		switch {
		case f == "model" && mc.set && !mc.sameModel(ex):
			set = mc.values
		case f == "purchasePrice" && row[f] != "" && !same(f):
			set = map[string]string{f: row[f], "purchaseCurrency": row["purchaseCurrency"]}
		case f == "model", f == "purchasePrice", f == "purchaseCurrency", f == "manufacturer", f == "modelNumber", f == "category":
			continue
		case row[f] != "" && !same(f):
			set = map[string]string{f: row[f]}
		default:
			continue
		}
		kf := f
		if f == "model" && mc.byNumber {
			kf = "modelNumber" // the column the row names its model by
		}
		if c.keptBy(t, kf) {
			continue
		}
		for k, v := range set {
			values[k] = v
		}
	}
	c.plan.Values = values
	c.plan.Action = ActionUpdate
	if len(values) == 0 {
		c.plan.Action = ActionUnchanged
	}
	c.checkMoves(ex, values)
}

// keptBy decides a synced field the row changes by precedence, listing it
// in Kept when a more trusted source (or a lock) keeps the current value.
func (c *rowCtx) keptBy(t *ExistingAsset, field string) bool {
	rf, synced := assetSynced[field]
	if !synced {
		return false
	}
	cur := t.Provenance[rf]
	cur.Empty = t.Values[field] == ""
	if field == "model" || field == "modelNumber" {
		cur.Empty = t.Values["model"] == ""
	}
	if c.s.Precedence.Decide(rf, cur, reconcile.Incoming{Source: reconcile.SourceImport}) != reconcile.Conflict {
		return false
	}
	e := CellError{Column: -1, Field: field}
	if col, ok := c.p.cols[field]; ok {
		e.Column, e.Header = col, c.p.headers[col]
	}
	switch {
	case cur.Locked:
		e.Message = "kept: the field is locked"
	case cur.Source == "":
		e.Message = "kept: it was set before its source was recorded, which counts as a person's edit, and a person's edit wins over a spreadsheet"
	case cur.Source == reconcile.SourceManual:
		e.Message = "kept: a person set it, and a person's edit wins over a spreadsheet"
	default:
		who, _, _ := strings.Cut(cur.Source, ":")
		e.Message = "kept: " + who + " set it, and field precedence trusts it more than a spreadsheet"
	}
	c.plan.Kept = append(c.plan.Kept, e)
	return true
}

// checkMoves checks an update's status and assignee changes against the
// lifecycle: the commit applies them as transitions and assignments.
func (c *rowCtx) checkMoves(ex, values map[string]string) {
	from := itam.AssetStatus(ex["status"])
	assigned := values["assignee"] != "" || ex["assignee"] != ""
	if to, ok := values["status"]; ok {
		if err := lifecycle.Transition(from, itam.AssetStatus(to), assigned); err != nil {
			c.failErr("status", err)
		}
		if values["assignee"] != "" && lifecycle.Imported(itam.AssetStatus(to), true) != nil {
			c.fail("assignee", "a %s asset cannot be assigned", to)
		}
		return
	}
	if values["assignee"] != "" && ex["assignee"] == "" {
		if _, err := lifecycle.AfterAssign(from); err != nil {
			c.failErr("assignee", err)
		}
	}
}

// checkAsset applies the rules every stored asset meets (itam.Asset
// Normalize: tag length, price, warranty not before purchase, condition)
// to the asset as the row leaves it.
func (c *rowCtx) checkAsset(t *ExistingAsset) {
	final := map[string]string{}
	if t != nil {
		for k, v := range t.Values {
			final[k] = v
		}
	}
	for k, v := range c.plan.Values {
		final[k] = v
	}
	team := uuid.Nil
	a := itam.Asset{AssetTag: final["assetTag"], OwnerTeamID: &team, Condition: itam.Condition(final["condition"])}
	if a.AssetTag == "" {
		a.AssetTag = "next" // the store assigns the organization's next tag
	}
	day := func(s string) *time.Time {
		if d, err := time.Parse("2006-01-02", s); err == nil {
			return &d
		}
		return nil
	}
	a.PurchaseDate, a.WarrantyEnd = day(final["purchaseDate"]), day(final["warrantyEnd"])
	if amt, err := decimal.NewFromString(final["purchasePrice"]); err == nil {
		a.PurchasePrice = &itam.Money{Amount: amt, Currency: final["purchaseCurrency"]}
	}
	if _, err := a.Normalize(); err != nil {
		var e *itam.Error
		field := ""
		if errors.As(err, &e) {
			field, _, _ = strings.Cut(e.Field, ".")
			if field == "warrantyEnd" && !c.p.mapped(field) {
				field = "purchaseDate" // the row moved the purchase date past the stored warranty end
			}
			if !c.p.mapped(field) {
				field = ""
			}
		}
		c.failErr(field, err)
	}
}
