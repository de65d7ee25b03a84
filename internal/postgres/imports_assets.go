package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/reconcile"
)

// importSource is the provenance source of a spreadsheet import: field
// precedence ranks it against the MDMs like any other source.
const importSource = "import"

// syncedByField maps an import field to the synced field (reconcile) whose
// provenance setting it records. A row naming its model by number only
// sets the model too: without its provenance the model would count as a
// person's edit, and the next file could not change it.
var syncedByField = map[string]string{
	"serialNumber": reconcile.FieldSerialNumber, "name": reconcile.FieldName, "model": reconcile.FieldModel, "modelNumber": reconcile.FieldModel,
	"assignee": reconcile.FieldAssignee, "purchaseDate": reconcile.FieldPurchaseDate, "purchasePrice": reconcile.FieldPurchasePrice,
	"purchaseCurrency": reconcile.FieldPurchasePrice, "warrantyEnd": reconcile.FieldWarrantyEnd, "status": reconcile.FieldStatus,
	"location": reconcile.FieldLocation,
}

// applyAssets writes a chunk of an asset import: the rows' assets are
// locked and their versions checked, then new assets, changed assets,
// their history and provenance go in one statement each.
func (c *importCommit) applyAssets(ctx context.Context, rows []imports.RowPlan) error {
	var targets []uuid.UUID
	for _, r := range rows {
		if r.TargetID != nil {
			targets = append(targets, *r.TargetID)
		}
	}
	byID, versions := map[uuid.UUID]*itam.Asset{}, map[uuid.UUID]int{}
	if len(targets) > 0 {
		rs, _ := c.tx.Query(ctx, "SELECT "+assetColumns+" FROM assets a WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR UPDATE", targets)
		locked, err := pgx.CollectRows(rs, scanAsset)
		if err != nil {
			return err
		}
		for _, a := range locked {
			byID[a.ID], versions[a.ID] = a, a.Version
		}
	}
	if err := checkVersions(rows, versions, "asset"); err != nil {
		return err
	}
	d, err := c.assetDefaults(ctx)
	if err != nil {
		return err
	}
	now, currency, defaultTeam := d.now, d.currency, d.team
	newTags, err := c.reserveImportTags(ctx, rows)
	if err != nil {
		return err
	}
	var created, updated []*itam.Asset
	var returned []uuid.UUID
	var prov provenanceRows
	var changes []historyChange
	for _, r := range rows {
		var before *itam.Asset
		// A time-ordered id (as the seed's): 100,000 new assets, their
		// provenance, entries, checkouts and history then land at the right
		// edge of every index keyed by the asset, not all over it.
		after := &itam.Asset{ID: uuid.Must(uuid.NewV7()), OrgID: c.org, Status: itam.StatusInStock, Condition: itam.ConditionGood,
			OwnerTeamID: defaultTeam, CustomFields: map[string]any{}}
		switch r.Action {
		case imports.ActionCreate:
			if _, ok := r.Values["status"]; !ok && strings.TrimSpace(r.Values["assignee"]) != "" {
				// The rule createAsset applies (lifecycle.Create): created assigned is deployed.
				st, err := lifecycle.AfterAssign(after.Status)
				if err != nil {
					return err
				}
				after.Status = st
			}
		case imports.ActionUpdate:
			before = byID[*r.TargetID]
			cp := *before
			after = &cp
		default:
			continue
		}
		if err := c.setAssetValues(after, before, r, currency, defaultTeam); err != nil {
			return err
		}
		if before == nil {
			if after.AssetTag == "" {
				after.AssetTag, newTags = newTags[0], newTags[1:]
			}
			created = append(created, after)
			changes = append(changes, historyChange{itam.HistoryCreate, nil, after})
		} else {
			updated = append(updated, after)
			changes = append(changes, historyChange{itam.HistoryUpdate, before, after})
			if lifecycle.Returned(*before, *after) {
				returned = append(returned, after.ID)
			}
		}
		seen := map[string]bool{}
		for f, v := range r.Values {
			sf, ok := syncedByField[f]
			if !ok || seen[sf] || (before == nil && v == "") {
				continue
			}
			seen[sf] = true
			prov.add(after.ID, sf, before == nil)
		}
	}
	b := &pgx.Batch{}
	if len(created) > 0 {
		cols := importAssetArrays(created)
		// Counts and month totals of the new assets are added once per
		// chunk (addDeferredAggregates); their triggers stand aside for
		// this statement alone.
		b.Queue(`SELECT set_config('itam.aggregates_deferred', 'on', true)`)
		b.Queue(`INSERT INTO assets (id, org_id, asset_tag, serial_number, name, model_id, manufacturer_id, status, condition,
			assigned_person_id, assigned_location_id, owner_person_id, owner_team_id, location_id, purchase_date, purchase_price,
			purchase_currency, supplier_id, order_number, invoice_number, warranty_end, notes, custom_fields)
			SELECT x.id, $1, x.tag, x.serial, x.name, x.model, x.mfr, x.status::asset_status, x.cond::asset_condition,
				x.person, x.aloc, x.oper, x.team, x.location, x.bought, x.price, x.currency, x.supplier, x.ord, x.inv, x.warranty, x.notes, '{}'
			FROM `+importAssetUnnest+` ORDER BY x.n`, append([]any{c.org}, cols...)...)
		b.Queue(`SELECT set_config('itam.aggregates_deferred', 'off', true)`)
		for _, a := range created {
			c.deferred = append(c.deferred, a.ID)
		}
	}
	if len(updated) > 0 {
		cols := importAssetArrays(updated)
		b.Queue(`UPDATE assets a SET asset_tag = x.tag, serial_number = x.serial, name = x.name, model_id = x.model, manufacturer_id = x.mfr,
			status = x.status::asset_status, condition = x.cond::asset_condition, assigned_person_id = x.person,
			assigned_location_id = x.aloc, owner_person_id = x.oper, owner_team_id = x.team, location_id = x.location,
			purchase_date = x.bought, purchase_price = x.price, purchase_currency = x.currency, supplier_id = x.supplier,
			order_number = x.ord, invoice_number = x.inv, warranty_end = x.warranty, notes = x.notes,
			version = a.version + 1, updated_at = now()
			FROM `+importAssetUnnest+` WHERE a.org_id = $1 AND a.id = x.id`, append([]any{c.org}, cols...)...)
	}
	prov.queue(b, c.org, importSource, now)
	// The history's diffs are worked out while PostgreSQL writes the
	// assets: the connection is busy, the other core is not. The assets
	// are only read meanwhile.
	hist := importHistory{p: c.p}
	var missing []itam.Ref
	var histErr error
	prepared := make(chan struct{})
	go func() {
		defer close(prepared)
		for _, ch := range changes {
			hist.add(ch.action, ch.before, ch.after)
		}
		missing, histErr = hist.prepare(c.labels)
	}()
	err = c.tx.SendBatch(ctx, b).Close()
	<-prepared
	if err != nil {
		return err
	}
	if histErr != nil {
		return histErr
	}
	// Records the commit's history had not named before (mostly in its
	// first slices) are labelled now.
	hb := &pgx.Batch{}
	if err := hist.finish(ctx, c.tx, c.labels, missing, hb); err != nil {
		return err
	}
	if err := c.tx.SendBatch(ctx, hb).Close(); err != nil {
		return err
	}
	// An asset the file took from its holder came back as far as an
	// offboarding checklist is concerned, as it does through the API.
	for _, id := range returned {
		if err := afterAssetReturned(ctx, c.tx, c.p, id); err != nil {
			return err
		}
	}
	return nil
}

// addDeferredAggregates adds the chunk's new assets to asset_counts and
// their PURCHASE entries to cost_month_totals, one statement each: the
// insert triggers stood aside for the chunk's INSERTs of new assets
// (itam.aggregates_deferred), so a key is upserted once per chunk rather
// than once per slice. The rows are read as they are now, which is as
// they were inserted: nothing else in the chunk writes a new asset or its
// entry again.
func (c *importCommit) addDeferredAggregates(ctx context.Context) error {
	if len(c.deferred) == 0 {
		return nil
	}
	ids := pgUUIDs(c.deferred)
	b := &pgx.Batch{}
	b.Queue(`SELECT itam.asset_counts_add($1::uuid[])`, ids)
	b.Queue(`SELECT itam.cost_month_totals_add(ARRAY(SELECT id FROM cost_entries WHERE asset_id = ANY($1::uuid[]) AND kind = 'PURCHASE'))`, ids)
	return c.tx.SendBatch(ctx, b).Close()
}

// importAssetDefaults are what every slice of an asset import reads the
// same: the transaction's time, the organization's currency and default
// owner team, and (in refs) the models' manufacturers.
type importAssetDefaults struct {
	now      time.Time
	currency string
	team     *uuid.UUID
}

// assetDefaults reads the defaults once per chunk.
func (c *importCommit) assetDefaults(ctx context.Context) (*importAssetDefaults, error) {
	if c.defaults != nil {
		return c.defaults, nil
	}
	if err := c.refs.loadModelManufacturers(ctx, c.tx); err != nil {
		return nil, err
	}
	d := &importAssetDefaults{}
	if err := c.tx.QueryRow(ctx, `SELECT now(), default_currency, default_owner_team_id FROM organizations WHERE id = $1`, c.org).
		Scan(&d.now, &d.currency, &d.team); err != nil {
		return nil, err
	}
	c.defaults = d
	return d, nil
}

// historyChange is one asset a slice creates or changes, for its history.
type historyChange struct {
	action        itam.HistoryAction
	before, after *itam.Asset
}

// reserveImportTags takes a tag from the organization's sequence for every
// new asset the file gives none, skipping tags the file itself brings.
func (c *importCommit) reserveImportTags(ctx context.Context, rows []imports.RowPlan) ([]string, error) {
	need := 0
	used := map[string]bool{}
	for _, r := range rows {
		if r.Action != imports.ActionCreate {
			continue
		}
		if t := strings.TrimSpace(r.Values["assetTag"]); t != "" {
			used[strings.ToLower(t)] = true
		} else {
			need++
		}
	}
	var free []string
	for len(free) < need {
		got, err := reserveAssetTags(ctx, c.tx, c.org, need-len(free))
		if err != nil {
			return nil, err
		}
		for _, t := range got {
			if !used[strings.ToLower(t)] {
				free = append(free, t)
			}
		}
	}
	return free, nil
}

// setAssetValues applies a row's canonical values to a (a copy of before,
// or a new asset), resolving names through the run's references.
func (c *importCommit) setAssetValues(a, before *itam.Asset, r imports.RowPlan, currency string, defaultTeam *uuid.UUID) error {
	bad := func(field, format string, args ...any) error {
		return itam.Invalid("line", "line %d, %s: "+format, append([]any{r.Line, field}, args...)...)
	}
	text := func(v string) *string {
		if v = strings.TrimSpace(v); v == "" {
			return nil
		}
		return &v
	}
	ref := func(field string, kind imports.RefKind) (*uuid.UUID, error) {
		id, ok := c.refs.id(kind, r.Values[field])
		if !ok {
			return nil, bad(field, "%q is not among the run's references", r.Values[field])
		}
		return id, nil
	}
	day := func(field string) (*time.Time, error) {
		v := strings.TrimSpace(r.Values[field])
		if v == "" {
			return nil, nil
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, bad(field, "%q is not a date (YYYY-MM-DD)", v)
		}
		return &t, nil
	}
	var err error
	for f, v := range r.Values {
		switch f {
		case "assetTag":
			if t := strings.TrimSpace(v); t != "" {
				a.AssetTag = t
			}
		case "serialNumber":
			a.SerialNumber = text(v)
		case "name":
			a.Name = text(v)
		case "status":
			a.Status = itam.AssetStatus(strings.TrimSpace(v))
		case "condition":
			a.Condition = itam.Condition(strings.TrimSpace(v))
		case "assignee":
			if a.AssignedPersonID, err = ref(f, imports.RefPerson); err == nil && a.AssignedPersonID != nil {
				a.AssignedLocationID = nil
			}
		case "location":
			a.LocationID, err = ref(f, imports.RefLocation)
		case "ownerTeam":
			if a.OwnerTeamID, err = ref(f, imports.RefTeam); err == nil {
				a.OwnerPersonID = nil
				if a.OwnerTeamID == nil {
					a.OwnerTeamID = defaultTeam // an asset always has an owner
				}
			}
		case "supplier":
			a.SupplierID, err = ref(f, imports.RefSupplier)
		case "purchaseDate":
			a.PurchaseDate, err = day(f)
		case "warrantyEnd":
			a.WarrantyEnd, err = day(f)
		case "orderNumber":
			a.OrderNumber = text(v)
		case "invoiceNumber":
			a.InvoiceNumber = text(v)
		case "notes":
			a.Notes = text(v)
		}
		if err != nil {
			return err
		}
	}
	if err := setImportPrice(a, r.Values, currency); err != nil {
		return bad("purchasePrice", "%v", err)
	}
	_, byName := r.Values["model"]
	_, byNumber := r.Values["modelNumber"]
	if byName || byNumber || before == nil {
		var current *uuid.UUID
		if before != nil {
			current = &before.ManufacturerID
		}
		id, ok := c.refs.model(r.Values, current)
		if !ok {
			return bad("model", "%q is not among the run's references", r.Values["model"]+r.Values["modelNumber"])
		}
		a.ModelID, a.ManufacturerID = id, c.refs.modelMfr[id]
	}
	return nil
}

// setImportPrice applies purchasePrice and purchaseCurrency: an amount
// without a currency keeps the asset's, else takes the organization's.
func setImportPrice(a *itam.Asset, vals map[string]string, currency string) error {
	amount, hasAmount := vals["purchasePrice"]
	cur, hasCur := vals["purchaseCurrency"]
	if !hasAmount && !hasCur {
		return nil
	}
	if hasAmount && strings.TrimSpace(amount) == "" {
		a.PurchasePrice = nil
		return nil
	}
	m := itam.Money{Currency: currency}
	if a.PurchasePrice != nil {
		m = *a.PurchasePrice
	}
	if hasAmount {
		d, err := decimal.NewFromString(strings.TrimSpace(amount))
		if err != nil {
			return err
		}
		m.Amount = d
	} else if a.PurchasePrice == nil {
		return nil // a currency without an amount has nothing to qualify
	}
	if c := strings.ToUpper(strings.TrimSpace(cur)); hasCur && c != "" {
		m.Currency = c
	}
	a.PurchasePrice = &m
	return nil
}

// importAssetUnnest is the row source importAssetArrays' columns feed ($2…$23).
const importAssetUnnest = `unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::text[],
	$10::uuid[], $11::uuid[], $12::uuid[], $13::uuid[], $14::uuid[], $15::date[], $16::numeric[], $17::text[], $18::uuid[],
	$19::text[], $20::text[], $21::date[], $22::text[]) WITH ORDINALITY
	AS x(id, tag, serial, name, model, mfr, status, cond, person, aloc, oper, team, location, bought, price, currency, supplier,
		ord, inv, warranty, notes, n)`

// importAssetArrays turns assets into importAssetUnnest's column arrays,
// in pgx's own types (see pgarrays.go).
func importAssetArrays(as []*itam.Asset) []any {
	n := len(as)
	uuids := func() []pgtype.UUID { return make([]pgtype.UUID, n) }
	texts := func() []pgtype.Text { return make([]pgtype.Text, n) }
	ids, models, mfrs := uuids(), uuids(), uuids()
	tags, statuses, conds := make([]string, n), make([]string, n), make([]string, n)
	serials, names, currencies, orders, invoices, notes := texts(), texts(), texts(), texts(), texts(), texts()
	people, alocs, opers, teams, locations, suppliers := uuids(), uuids(), uuids(), uuids(), uuids(), uuids()
	bought, warranty := make([]pgtype.Date, n), make([]pgtype.Date, n)
	prices := make([]pgtype.Numeric, n)
	for i, a := range as {
		ids[i], models[i], mfrs[i] = pgUUID(a.ID), pgUUID(a.ModelID), pgUUID(a.ManufacturerID)
		tags[i], statuses[i], conds[i] = a.AssetTag, string(a.Status), string(a.Condition)
		serials[i], names[i], orders[i] = pgTextOrNull(a.SerialNumber), pgTextOrNull(a.Name), pgTextOrNull(a.OrderNumber)
		invoices[i], notes[i] = pgTextOrNull(a.InvoiceNumber), pgTextOrNull(a.Notes)
		people[i], alocs[i], opers[i] = pgUUIDOrNull(a.AssignedPersonID), pgUUIDOrNull(a.AssignedLocationID), pgUUIDOrNull(a.OwnerPersonID)
		teams[i], locations[i], suppliers[i] = pgUUIDOrNull(a.OwnerTeamID), pgUUIDOrNull(a.LocationID), pgUUIDOrNull(a.SupplierID)
		bought[i], warranty[i] = pgDateOrNull(a.PurchaseDate), pgDateOrNull(a.WarrantyEnd)
		if m := a.PurchasePrice; m != nil {
			prices[i] = pgtype.Numeric{Int: m.Amount.Coefficient(), Exp: m.Amount.Exponent(), Valid: true}
			currencies[i] = pgtype.Text{String: m.Currency, Valid: true}
		}
	}
	return []any{ids, tags, serials, names, models, mfrs, statuses, conds, people, alocs, opers, teams, locations, bought, prices,
		currencies, suppliers, orders, invoices, warranty, notes}
}
