package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/reconcile"
)

// planned is what the page will write for one device.
type planned struct {
	device     connectors.Device
	linkOnly   bool        // a second record of a device this page creates
	before     *itam.Asset // nil: a new asset
	after      *itam.Asset
	action     itam.HistoryAction
	provenance []string // fields whose provenance this source now holds
	conflicts  []conflict
}

type conflict struct {
	field      string
	keptSource string
	kept, got  any
}

// apply plans every device in Go, then writes the whole page in one
// pipelined batch, so a page of 2,000 devices costs a handful of round
// trips rather than thousands.
func (st *pageState) apply(ctx context.Context, tx pgx.Tx, devices []connectors.Device) (PageResult, error) {
	var res PageResult
	var plans []*planned
	claimed := map[uuid.UUID]string{} // asset → external id, so one page never maps two records onto one asset
	seenExt := map[string]bool{}
	var newCount int
	for _, d := range devices {
		if strings.TrimSpace(d.ExternalID) == "" {
			res.Errors = append(res.Errors, itam.SyncError{Message: "record without an id skipped"})
			continue
		}
		if seenExt[d.ExternalID] {
			continue // a page repeating a record: the first one counts
		}
		seenExt[d.ExternalID] = true
		pl, err := st.plan(d)
		if err != nil {
			res.Errors = append(res.Errors, itam.SyncError{ExternalID: d.ExternalID, Message: err.Error()})
			continue
		}
		if pl.linkOnly {
			plans = append(plans, pl)
			continue
		}
		if pl.before != nil {
			if other, dup := claimed[pl.before.ID]; dup {
				res.Errors = append(res.Errors, itam.SyncError{ExternalID: d.ExternalID,
					Message: fmt.Sprintf("matches the same asset %s as record %s; skipped", pl.before.AssetTag, other)})
				continue
			}
			claimed[pl.before.ID] = d.ExternalID
		} else {
			newCount++
		}
		plans = append(plans, pl)
	}
	tags, err := st.reserveTags(ctx, tx, plans, newCount)
	if err != nil {
		return res, err
	}

	b := &pgx.Batch{}
	var linkAssets []uuid.UUID
	var linkExt []string
	var linkCheckIn []*time.Time
	var linkSerial []string
	var provAssets []uuid.UUID
	var provFields []string
	provSeen := map[string]bool{}
	for _, pl := range plans {
		switch {
		case pl.linkOnly:
			res.Unchanged++
		case pl.before == nil:
			a := pl.after
			if a.AssetTag == "" {
				a.AssetTag, tags = tags[0], tags[1:]
			}
			queueInsertAsset(b, st.p, a)
			queueHistory(b, st.p, itam.HistoryCreate, nil, a)
			res.Created++
		case !reflect.DeepEqual(snapshot(pl.before), snapshot(pl.after)):
			queueUpdateAsset(b, pl.after)
			pl.after.Version = pl.before.Version + 1
			queueHistory(b, st.p, pl.action, pl.before, pl.after)
			res.Updated++
		default:
			res.Unchanged++
		}
		if pl.linkOnly {
			linkAssets = append(linkAssets, pl.after.ID)
			linkExt = append(linkExt, pl.device.ExternalID)
			linkCheckIn = append(linkCheckIn, pl.device.LastCheckIn)
			linkSerial = append(linkSerial, reconcile.LinkSerial(pl.device.SerialNumber))
			continue
		}
		for _, f := range pl.provenance {
			if k := pl.after.ID.String() + "\x00" + f; !provSeen[k] {
				provSeen[k] = true
				provAssets, provFields = append(provAssets, pl.after.ID), append(provFields, f)
			}
		}
		for _, c := range pl.conflicts {
			kept, _ := json.Marshal(c.kept)
			got, _ := json.Marshal(c.got)
			b.Queue(`INSERT INTO sync_conflicts (org_id, asset_id, field, kept_source, kept_value, other_source, other_value)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (org_id, asset_id, field, other_source) DO UPDATE SET kept_source = excluded.kept_source,
				kept_value = excluded.kept_value, other_value = excluded.other_value, last_seen_at = now()`,
				st.p.OrgID, pl.after.ID, c.field, c.keptSource, string(kept), st.source, string(got))
		}
		linkAssets = append(linkAssets, pl.after.ID)
		linkExt = append(linkExt, pl.device.ExternalID)
		linkCheckIn = append(linkCheckIn, pl.device.LastCheckIn)
		linkSerial = append(linkSerial, reconcile.LinkSerial(pl.device.SerialNumber))
	}
	b.Queue(`INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id, last_seen_at, last_check_in, last_run_id, serial_key)
		SELECT $1, x.asset, $2, x.ext, $3, now(), x.checkin, $4, nullif(upper(x.serial), '')
		  FROM unnest($5::uuid[], $6::text[], $7::timestamptz[], $8::text[]) AS x(asset, ext, checkin, serial)
		ON CONFLICT (org_id, source, external_id) DO UPDATE SET asset_id = excluded.asset_id, connector_id = excluded.connector_id,
			last_seen_at = excluded.last_seen_at, last_check_in = coalesce(excluded.last_check_in, asset_external_ids.last_check_in),
			last_run_id = excluded.last_run_id, missing_since = NULL, stale_since = NULL,
			serial_key = coalesce(excluded.serial_key, asset_external_ids.serial_key)`,
		st.p.OrgID, st.source, st.t.Connector.ID, st.t.RunID, linkAssets, linkExt, linkCheckIn, linkSerial)
	if len(provAssets) > 0 {
		b.Queue(`INSERT INTO field_provenance (org_id, asset_id, field, source, observed_at)
			SELECT $1, x.asset, x.field, $2, $3 FROM unnest($4::uuid[], $5::text[]) AS x(asset, field)
			ON CONFLICT (org_id, asset_id, field) DO UPDATE SET source = excluded.source, observed_at = excluded.observed_at
			WHERE NOT field_provenance.locked`, st.p.OrgID, st.source, st.now, provAssets, provFields)
	}
	queueSoftware(b, st, plans)
	br := tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return res, err
		}
	}
	return res, br.Close()
}

// plan decides what one device changes.
func (st *pageState) plan(d connectors.Device) (*planned, error) {
	serial := reconcile.NormalizeSerial(d.SerialNumber)
	c := reconcile.Candidates[uuid.UUID]{BySerial: st.bySerial[serial]}
	if serial == "" || d.Virtual {
		c.BySerial = nil
	}
	if id, ok := st.links[d.ExternalID]; ok {
		c.Link = &id
	}
	if tag := strings.ToLower(strings.TrimSpace(d.AssetTag)); tag != "" {
		if id, ok := st.byTag[tag]; ok {
			c.ByTag = &id
		}
	}
	id, rule := reconcile.Match(c, manufacturerName(d), d.Virtual)
	mfr := st.mfrs[strings.ToLower(manufacturerName(d))]
	model := st.models[mfr.String()+"\x00"+strings.ToLower(modelName(d))]
	var person *uuid.UUID
	if e := reconcile.NormalizeEmail(d.UserEmail); e != "" {
		if pid, ok := st.people[e]; ok && st.peopleOK[pid] {
			person = &pid
		}
	}
	price, currency := devicePrice(d, st.defaultCur)
	pl := &planned{device: d}
	serialKey := mfr.String() + "\x00" + serial
	if rule == reconcile.MatchNone && serial != "" && !d.Virtual {
		if first, ok := st.pendingSerial[serialKey]; ok {
			pl.after, pl.linkOnly = first.after, true
			return pl, nil
		}
	}
	if rule == reconcile.MatchNone {
		a := &itam.Asset{ID: uuid.New(), OrgID: st.p.OrgID, ModelID: model, ManufacturerID: mfr, Status: itam.StatusInStock,
			Condition: itam.ConditionGood, OwnerTeamID: st.defaultOwn, CustomFields: map[string]any{},
			PurchaseDate: d.PurchaseDate, WarrantyEnd: d.WarrantyEnd, Version: 1}
		if a.OwnerTeamID == nil {
			return nil, fmt.Errorf("the organization has no default owner team and the connector none either")
		}
		// A virtual machine's "serial" is not unique hardware identity (clones
		// share it); it stays on the link, not the asset.
		if serial != "" && !d.Virtual {
			s := strings.TrimSpace(d.SerialNumber)
			a.SerialNumber = &s
			st.pendingSerial[serialKey] = pl
		}
		if n := strings.TrimSpace(d.Name); n != "" {
			a.Name = &n
		}
		if tag := strings.TrimSpace(d.AssetTag); tag != "" && !st.pendingTag[strings.ToLower(tag)] {
			a.AssetTag = tag
			st.pendingTag[strings.ToLower(tag)] = true
		}
		if price != nil {
			a.PurchasePrice = &itam.Money{Amount: *price, Currency: currency}
		}
		if person != nil {
			if st, err := lifecycle.AfterAssign(a.Status); err == nil {
				a.Status, a.AssignedPersonID = st, person
			}
		}
		pl.after, pl.action = a, itam.HistoryCreate
		for _, f := range reconcile.SyncedFields {
			if !fieldEmpty(a, f) {
				pl.provenance = append(pl.provenance, f)
			}
		}
		return pl, nil
	}
	before, ok := st.assets[id]
	if !ok {
		return nil, fmt.Errorf("matched asset vanished")
	}
	after := *before
	pl.before, pl.after, pl.action = before, &after, itam.HistoryUpdate
	in := func(f string, empty, equal bool) reconcile.Decision {
		pv := st.prov[id][f]
		cur := reconcile.Current{Source: pv.source, Locked: pv.locked, Empty: fieldEmpty(before, f), Authoritative: st.authoritative[pv.source]}
		if k, _, ok := strings.Cut(pv.source, ":"); ok {
			cur.Kind = k
		}
		dec := st.precedence.Decide(f, cur, reconcile.Incoming{Source: st.source, Kind: st.t.Connector.Kind,
			Authoritative: st.t.Connector.AuthoritativeForPeople, Empty: empty, Equal: equal})
		switch dec {
		case reconcile.Apply, reconcile.Confirm:
			pl.provenance = append(pl.provenance, f)
		case reconcile.Conflict:
			kept := pv.source
			if kept == "" {
				kept = reconcile.SourceManual
			}
			pl.conflicts = append(pl.conflicts, conflict{field: f, keptSource: kept, kept: fieldValue(before, f)})
		}
		return dec
	}
	if s := strings.TrimSpace(d.SerialNumber); in(reconcile.FieldSerialNumber, serial == "" || d.Virtual,
		before.SerialNumber != nil && reconcile.NormalizeSerial(*before.SerialNumber) == serial) == reconcile.Apply {
		if st.serialTaken(serial, before) {
			pl.provenance = pl.provenance[:len(pl.provenance)-1]
			pl.conflicts = append(pl.conflicts, conflict{field: reconcile.FieldSerialNumber, keptSource: "uniqueness", kept: fieldValue(before, reconcile.FieldSerialNumber)})
		} else {
			after.SerialNumber = &s
		}
	}
	if n := strings.TrimSpace(d.Name); in(reconcile.FieldName, n == "", before.Name != nil && *before.Name == n) == reconcile.Apply {
		after.Name = &n
	}
	if in(reconcile.FieldModel, model == uuid.Nil, before.ModelID == model) == reconcile.Apply {
		after.ModelID, after.ManufacturerID = model, mfr
	}
	if in(reconcile.FieldAssignee, person == nil, person != nil && before.AssignedPersonID != nil && *before.AssignedPersonID == *person) == reconcile.Apply {
		if st, err := lifecycle.AfterAssign(before.Status); err == nil {
			after.Status, after.AssignedPersonID, after.AssignedLocationID = st, person, nil
			pl.action = itam.HistoryAssign
		} else {
			pl.provenance = pl.provenance[:len(pl.provenance)-1]
		}
	}
	if in(reconcile.FieldPurchaseDate, d.PurchaseDate == nil, sameDate(before.PurchaseDate, d.PurchaseDate)) == reconcile.Apply {
		after.PurchaseDate = d.PurchaseDate
	}
	if in(reconcile.FieldWarrantyEnd, d.WarrantyEnd == nil, sameDate(before.WarrantyEnd, d.WarrantyEnd)) == reconcile.Apply {
		after.WarrantyEnd = d.WarrantyEnd
	}
	samePrice := price != nil && before.PurchasePrice != nil && before.PurchasePrice.Amount.Equal(*price) && before.PurchasePrice.Currency == currency
	if in(reconcile.FieldPurchasePrice, price == nil, samePrice) == reconcile.Apply {
		after.PurchasePrice = &itam.Money{Amount: *price, Currency: currency}
	}
	for i := range pl.conflicts {
		pl.conflicts[i].got = deviceValue(d, pl.conflicts[i].field, model, person, price, currency)
	}
	return pl, nil
}

// serialTaken reports whether another asset of the same manufacturer
// already has serial: applying it would break serial uniqueness.
func (st *pageState) serialTaken(serial string, a *itam.Asset) bool {
	for _, c := range st.bySerial[serial] {
		if c.ID != a.ID {
			if other, ok := st.assets[c.ID]; ok && other.ManufacturerID == a.ManufacturerID {
				return true
			}
		}
	}
	return false
}

func sameDate(a, b *time.Time) bool {
	return a != nil && b != nil && a.Format(time.DateOnly) == b.Format(time.DateOnly)
}

// devicePrice is the price a vendor reports, when it is one the inventory
// can hold (itam.ValidateMoney): vendors store free text here, and a price
// that is unparseable, negative or too large is no price rather than a page
// that fails on every retry.
func devicePrice(d connectors.Device, defaultCurrency string) (*decimal.Decimal, string) {
	raw := strings.TrimSpace(d.PurchasePrice)
	if raw == "" {
		return nil, ""
	}
	amount, err := decimal.NewFromString(raw)
	if err != nil {
		return nil, ""
	}
	cur := defaultCurrency
	if d.PurchaseCurrency != "" {
		if c, err := itam.ParseCurrency(d.PurchaseCurrency); err == nil {
			cur = c
		}
	}
	amount = amount.Round(4)
	if itam.ValidateMoney(itam.Money{Amount: amount, Currency: cur}, "purchasePrice") != nil {
		return nil, ""
	}
	return &amount, cur
}

func fieldEmpty(a *itam.Asset, f string) bool {
	switch f {
	case reconcile.FieldSerialNumber:
		return a.SerialNumber == nil
	case reconcile.FieldName:
		return a.Name == nil
	case reconcile.FieldModel:
		return a.ModelID == uuid.Nil
	case reconcile.FieldAssignee:
		return a.AssignedPersonID == nil && a.AssignedLocationID == nil
	case reconcile.FieldPurchaseDate:
		return a.PurchaseDate == nil
	case reconcile.FieldPurchasePrice:
		return a.PurchasePrice == nil
	case reconcile.FieldWarrantyEnd:
		return a.WarrantyEnd == nil
	}
	return true
}

func fieldValue(a *itam.Asset, f string) any {
	snap := snapshot(a)
	switch f {
	case reconcile.FieldAssignee:
		return snap["assignedPersonId"]
	}
	return snap[f]
}

func deviceValue(d connectors.Device, f string, model uuid.UUID, person *uuid.UUID, price *decimal.Decimal, cur string) any {
	switch f {
	case reconcile.FieldSerialNumber:
		return strings.TrimSpace(d.SerialNumber)
	case reconcile.FieldName:
		return strings.TrimSpace(d.Name)
	case reconcile.FieldModel:
		return model
	case reconcile.FieldAssignee:
		if person != nil {
			return person
		}
		return d.UserEmail
	case reconcile.FieldPurchaseDate:
		return dateJSON(d.PurchaseDate)
	case reconcile.FieldWarrantyEnd:
		return dateJSON(d.WarrantyEnd)
	case reconcile.FieldPurchasePrice:
		if price != nil {
			return map[string]string{"amount": price.String(), "currency": cur}
		}
	}
	return nil
}

// reserveTags takes n numbers from the organization's tag sequence in one
// statement, skipping any already used by hand-entered tags.
func (st *pageState) reserveTags(ctx context.Context, tx pgx.Tx, plans []*planned, n int) ([]string, error) {
	var out []string
	for len(out) < n {
		need := n - len(out)
		rows, _ := tx.Query(ctx, `WITH r AS (UPDATE organizations SET asset_tag_seq = asset_tag_seq + $2 WHERE id = $1
				RETURNING asset_tag_prefix, asset_tag_seq)
			SELECT r.asset_tag_prefix || lpad(s::text, greatest(6, length(s::text)), '0') FROM r,
				generate_series(r.asset_tag_seq - $2 + 1, r.asset_tag_seq) s
			WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.asset_tag_key = lower(r.asset_tag_prefix || lpad(s::text, greatest(6, length(s::text)), '0')))
			ORDER BY s`, st.p.OrgID, need)
		tags, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		out = append(out, tags...)
	}
	// Tags the page itself brings must not be handed out twice.
	used := map[string]bool{}
	for _, pl := range plans {
		if pl.before == nil && pl.after.AssetTag != "" {
			used[strings.ToLower(pl.after.AssetTag)] = true
		}
	}
	var free []string
	for _, t := range out {
		if !used[strings.ToLower(t)] {
			free = append(free, t)
		}
	}
	for len(free) < n { // vanishingly rare: a device brought a tag we generated
		more, err := st.reserveTags(ctx, tx, nil, n-len(free))
		if err != nil {
			return nil, err
		}
		free = append(free, more...)
	}
	return free, nil
}

func queueInsertAsset(b *pgx.Batch, p itam.Principal, a *itam.Asset) {
	price, cur := priceArgs(a.PurchasePrice)
	b.Queue(`INSERT INTO assets (id, org_id, asset_tag, serial_number, name, model_id, manufacturer_id, status, condition,
		assigned_person_id, owner_team_id, purchase_date, purchase_price, purchase_currency, warranty_end, custom_fields)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text::asset_status, $9::text::asset_condition, $10, $11, $12, $13, $14, $15, '{}')`,
		a.ID, p.OrgID, a.AssetTag, a.SerialNumber, a.Name, a.ModelID, a.ManufacturerID, string(a.Status), string(a.Condition),
		a.AssignedPersonID, a.OwnerTeamID, a.PurchaseDate, price, cur, a.WarrantyEnd)
}

func queueUpdateAsset(b *pgx.Batch, a *itam.Asset) {
	price, cur := priceArgs(a.PurchasePrice)
	b.Queue(`UPDATE assets SET serial_number = $2, name = $3, model_id = $4, manufacturer_id = $5, status = $6::text::asset_status,
		assigned_person_id = $7, assigned_location_id = $8, purchase_date = $9, purchase_price = $10, purchase_currency = $11,
		warranty_end = $12, version = version + 1, updated_at = now() WHERE id = $1`,
		a.ID, a.SerialNumber, a.Name, a.ModelID, a.ManufacturerID, string(a.Status), a.AssignedPersonID, a.AssignedLocationID,
		a.PurchaseDate, price, cur, a.WarrantyEnd)
}

func queueHistory(b *pgx.Batch, p itam.Principal, action itam.HistoryAction, before, after *itam.Asset) {
	b.Queue(insertHistorySQL, historyArgs(p, action, before, after, diff(before, after))...)
}

// queueSoftware records what each device has installed: new titles are
// added, known ones refreshed, and ones the device no longer reports
// removed. A device whose software the source did not send is left alone.
// Existing assets are compared with what the page state loaded, so only
// differences (and day-old last_seen_at) travel; new assets' rows are
// plain inserts.
func queueSoftware(b *pgx.Batch, st *pageState, plans []*planned) {
	var newAssets, newKeys, newTitles, newVersions, newIdents []string
	var upAssets, upKeys, upTitles, upVersions, upIdents []string
	var delAssets []uuid.UUID
	var delKeys []string
	seen := map[uuid.UUID]map[string]bool{}
	for _, pl := range plans {
		if pl.device.Software == nil {
			continue
		}
		id := pl.after.ID
		isNew := pl.before == nil // linkOnly plans share their first record's new asset
		if seen[id] == nil {
			seen[id] = map[string]bool{}
		}
		have := st.software[id]
		for _, sw := range pl.device.Software {
			title := strings.TrimSpace(sw.Title)
			if title == "" {
				continue
			}
			key := strings.TrimSpace(sw.Identifier)
			if key == "" {
				key = strings.ToLower(title)
			}
			if seen[id][key] {
				continue
			}
			seen[id][key] = true
			version, ident := strings.TrimSpace(sw.Version), strings.TrimSpace(sw.Identifier)
			switch cur, ok := have[key]; {
			case isNew:
				newAssets, newKeys, newTitles = append(newAssets, id.String()), append(newKeys, key), append(newTitles, title)
				newVersions, newIdents = append(newVersions, version), append(newIdents, ident)
			case ok && !cur.stale && cur.title == title && cur.version == version && cur.ident == ident:
			default:
				upAssets, upKeys, upTitles = append(upAssets, id.String()), append(upKeys, key), append(upTitles, title)
				upVersions, upIdents = append(upVersions, version), append(upIdents, ident)
			}
		}
	}
	for _, pl := range plans {
		if pl.device.Software == nil || pl.before == nil {
			continue
		}
		for key := range st.software[pl.after.ID] {
			if !seen[pl.after.ID][key] {
				delAssets, delKeys = append(delAssets, pl.after.ID), append(delKeys, key)
			}
		}
	}
	if len(newAssets) > 0 {
		b.Queue(`INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, identifier)
			SELECT $1, x.asset::uuid, $2, x.key, x.title, nullif(x.version, ''), nullif(x.ident, '')
			FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS x(asset, key, title, version, ident)`,
			st.p.OrgID, st.source, newAssets, newKeys, newTitles, newVersions, newIdents)
	}
	if len(upAssets) > 0 {
		b.Queue(`INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, identifier)
			SELECT $1, x.asset::uuid, $2, x.key, x.title, nullif(x.version, ''), nullif(x.ident, '')
			FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS x(asset, key, title, version, ident)
			ON CONFLICT (org_id, asset_id, source, app_key) DO UPDATE SET title = excluded.title, version = excluded.version,
				identifier = excluded.identifier, last_seen_at = now()`,
			st.p.OrgID, st.source, upAssets, upKeys, upTitles, upVersions, upIdents)
	}
	if len(delAssets) > 0 {
		b.Queue(`DELETE FROM software_installations s USING unnest($2::uuid[], $3::text[]) AS x(asset, key)
			WHERE s.source = $1 AND s.asset_id = x.asset AND s.app_key = x.key`, st.source, delAssets, delKeys)
	}
}
