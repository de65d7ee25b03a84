package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/reconcile"
	"github.com/itam-dev/itam/internal/software"
)

// apply plans the page with reconcile.Plan, then writes it in one
// pipelined batch, so a page of 2,000 devices costs a handful of round
// trips rather than thousands.
//
// Records in same are unchanged since last applied: only their links are
// written (and, once a day, what refreshUnchanged confirms).
func (st *pageState) apply(ctx context.Context, tx pgx.Tx, devices []reconcile.Device, same []unchangedRecord) (PageResult, error) {
	plan := reconcile.Plan(st.Snapshot, devices)
	res := PageResult{Errors: plan.Errors, Unchanged: len(same)}
	plans := plan.Changes
	tags, err := st.reserveTags(ctx, tx, plans, plan.NewAssets)
	if err != nil {
		return res, err
	}

	b := &pgx.Batch{}
	var linkAssets []uuid.UUID
	var linkExt []string
	var linkCheckIn []*time.Time
	var linkSerial []string
	// A link keeps the fingerprint of the record last applied to it, and
	// when the record was last fully confirmed (sync_fingerprint.go).
	var linkPrint [][]byte
	var linkPrintAt []*time.Time
	var prov provenanceRows
	provSeen := map[string]bool{}
	var returned []uuid.UUID // assets the sync took from their holder
	// New assets and every history row go in one statement each: per-row
	// statements cost a round of statement-level triggers each (signs of
	// life, push outbox), which made a first sync of 50,000 records spend
	// most of its time in trigger setup.
	var created []*itam.Asset
	hist := historyRows{p: st.p}
	for _, pl := range plans {
		switch {
		case pl.LinkOnly:
			res.Unchanged++
		case pl.Before == nil:
			a := pl.After
			if a.AssetTag == "" {
				a.AssetTag, tags = tags[0], tags[1:]
			}
			created = append(created, a)
			hist.add(itam.HistoryCreate, nil, a)
			res.Created++
		case pl.Changed():
			queueUpdateAsset(b, pl.After)
			pl.After.Version = pl.Before.Version + 1
			hist.add(pl.Action, pl.Before, pl.After)
			if lifecycle.Returned(*pl.Before, *pl.After) {
				returned = append(returned, pl.After.ID)
			}
			res.Updated++
		default:
			res.Unchanged++
		}
		if pl.LinkOnly {
			linkAssets = append(linkAssets, pl.After.ID)
			linkExt = append(linkExt, pl.Device.ExternalID)
			linkCheckIn = append(linkCheckIn, pl.Device.LastCheckIn)
			linkSerial = append(linkSerial, reconcile.LinkSerial(pl.Device.SerialNumber))
			linkPrint, linkPrintAt = append(linkPrint, nil), append(linkPrintAt, nil) // always reconciled with its first record
			continue
		}
		for _, f := range pl.Provenance {
			if k := pl.After.ID.String() + "\x00" + f; !provSeen[k] {
				provSeen[k] = true
				prov.add(pl.After.ID, f, pl.Before == nil)
			}
		}
		for _, c := range pl.Conflicts {
			kept, _ := json.Marshal(c.Kept)
			got, _ := json.Marshal(c.Got)
			b.Queue(`INSERT INTO sync_conflicts (org_id, asset_id, field, kept_source, kept_value, other_source, other_value)
				VALUES ($1, $2, $3, $4, $5, $6, $7)
				ON CONFLICT (org_id, asset_id, field, other_source) DO UPDATE SET kept_source = excluded.kept_source,
				kept_value = excluded.kept_value, other_value = excluded.other_value, last_seen_at = now()`,
				st.p.OrgID, pl.After.ID, c.Field, c.KeptSource, string(kept), st.Source, string(got))
		}
		linkAssets = append(linkAssets, pl.After.ID)
		linkExt = append(linkExt, pl.Device.ExternalID)
		linkCheckIn = append(linkCheckIn, pl.Device.LastCheckIn)
		linkSerial = append(linkSerial, reconcile.LinkSerial(pl.Device.SerialNumber))
		// pl.After.Version is the asset's version once this page commits.
		linkPrint, linkPrintAt = append(linkPrint, st.Fingerprint(pl.After.ID, pl.After.Version, &pl.Device)), append(linkPrintAt, &st.now)
	}
	st.refreshUnchanged(b, same)
	for i := range same {
		u := &same[i]
		linkAssets = append(linkAssets, u.asset)
		linkExt = append(linkExt, u.device.ExternalID)
		linkCheckIn = append(linkCheckIn, u.device.LastCheckIn)
		linkSerial = append(linkSerial, reconcile.LinkSerial(u.device.SerialNumber))
		linkPrint, linkPrintAt = append(linkPrint, u.fingerprint), append(linkPrintAt, &u.confirmedAt)
	}
	queueInsertAssets(b, st.p, created)
	hist.queue(b)
	b.Queue(`INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id, last_seen_at, last_check_in, last_run_id, serial_key,
			fingerprint, fingerprint_at)
		SELECT $1, x.asset, $2, x.ext, $3, now(), x.checkin, $4, nullif(upper(x.serial), ''), x.print, x.print_at
		  FROM unnest($5::uuid[], $6::text[], $7::timestamptz[], $8::text[], $9::bytea[], $10::timestamptz[]) AS x(asset, ext, checkin, serial, print, print_at)
		ON CONFLICT (org_id, source, external_id) DO UPDATE SET asset_id = excluded.asset_id, connector_id = excluded.connector_id,
			last_seen_at = excluded.last_seen_at, last_check_in = coalesce(excluded.last_check_in, asset_external_ids.last_check_in),
			last_run_id = excluded.last_run_id, missing_since = NULL, stale_since = NULL, missed_full_syncs = 0,
			serial_key = coalesce(excluded.serial_key, asset_external_ids.serial_key),
			fingerprint = excluded.fingerprint, fingerprint_at = excluded.fingerprint_at`,
		st.p.OrgID, st.Source, st.t.Connector.ID, st.t.RunID, linkAssets, linkExt, linkCheckIn, linkSerial, linkPrint, linkPrintAt)
	prov.queue(b, st.p.OrgID, st.Source, st.now)
	queueSoftware(b, st, plans)
	br := tx.SendBatch(ctx, b)
	for range b.Len() {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return res, err
		}
	}
	if err := br.Close(); err != nil {
		return res, err
	}
	// An asset a device report took from its holder came back as far as
	// an offboarding checklist is concerned, as it does through the API.
	// Rare (a reassignment in the MDM), so one call each.
	for _, id := range returned {
		if err := afterAssetReturned(ctx, tx, st.p, id); err != nil {
			return res, err
		}
	}
	return res, nil
}

// provenanceRows are the (asset, field) pairs a batch records its source
// as having set, syncs and imports alike, kept apart for the assets the
// same batch inserts: they have no provenance yet, so theirs is a plain
// INSERT, where the upsert costs a speculative insertion per row (about
// 9 rows per asset a file or a first sync creates).
type provenanceRows struct {
	assets, created []uuid.UUID
	fields, fresh   []string
}

// add records (asset, field); created says the batch inserts the asset.
func (p *provenanceRows) add(asset uuid.UUID, field string, created bool) {
	if created {
		p.created, p.fresh = append(p.created, asset), append(p.fresh, field)
		return
	}
	p.assets, p.fields = append(p.assets, asset), append(p.fields, field)
}

// queue records source as who set each pair, at at, except where a person
// locked the field. It goes after the batch's INSERT of new assets.
func (p *provenanceRows) queue(b *pgx.Batch, org uuid.UUID, source string, at time.Time) {
	const insert = `INSERT INTO field_provenance (org_id, asset_id, field, source, observed_at)
		SELECT $1, x.asset, x.field, $2, $3 FROM unnest($4::uuid[], $5::text[]) AS x(asset, field)`
	if len(p.created) > 0 {
		b.Queue(insert, org, source, at, pgUUIDs(p.created), p.fresh)
	}
	if len(p.assets) > 0 {
		b.Queue(insert+`
		ON CONFLICT (org_id, asset_id, field) DO UPDATE SET source = excluded.source, observed_at = excluded.observed_at
		WHERE NOT field_provenance.locked`, org, source, at, pgUUIDs(p.assets), p.fields)
	}
}

// reserveAssetTags takes n free tags from the organization's tag sequence,
// a statement per round (numbers a hand-entered tag already holds are
// skipped and taken again), for writers that create many assets at once.
func reserveAssetTags(ctx context.Context, tx pgx.Tx, org uuid.UUID, n int) ([]string, error) {
	var out []string
	for len(out) < n {
		need := n - len(out)
		rows, _ := tx.Query(ctx, `WITH r AS (UPDATE organizations SET asset_tag_seq = asset_tag_seq + $2 WHERE id = $1
				RETURNING asset_tag_prefix, asset_tag_seq)
			SELECT r.asset_tag_prefix || lpad(s::text, greatest(6, length(s::text)), '0') FROM r,
				generate_series(r.asset_tag_seq - $2 + 1, r.asset_tag_seq) s
			WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.asset_tag_key = lower(r.asset_tag_prefix || lpad(s::text, greatest(6, length(s::text)), '0')))
			ORDER BY s`, org, need)
		tags, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		out = append(out, tags...)
	}
	return out, nil
}

// reserveTags takes n numbers from the organization's tag sequence in one
// statement, skipping any already used by hand-entered tags.
func (st *pageState) reserveTags(ctx context.Context, tx pgx.Tx, plans []*reconcile.Change, n int) ([]string, error) {
	out, err := reserveAssetTags(ctx, tx, st.p.OrgID, n)
	if err != nil {
		return nil, err
	}
	// Tags the page itself brings must not be handed out twice.
	used := map[string]bool{}
	for _, pl := range plans {
		if pl.Before == nil && pl.After.AssetTag != "" {
			used[strings.ToLower(pl.After.AssetTag)] = true
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

// queueInsertAssets inserts a page's new assets in one statement.
func queueInsertAssets(b *pgx.Batch, p itam.Principal, as []*itam.Asset) {
	if len(as) == 0 {
		return
	}
	n := len(as)
	ids, models, mfrs := make([]uuid.UUID, n), make([]uuid.UUID, n), make([]uuid.UUID, n)
	tags, statuses, conds := make([]string, n), make([]string, n), make([]string, n)
	serials, names, currencies := make([]*string, n), make([]*string, n), make([]*string, n)
	people, teams, locations := make([]*uuid.UUID, n), make([]*uuid.UUID, n), make([]*uuid.UUID, n)
	bought, warranty := make([]*time.Time, n), make([]*time.Time, n)
	prices := make([]*decimal.Decimal, n)
	for i, a := range as {
		ids[i], models[i], mfrs[i] = a.ID, a.ModelID, a.ManufacturerID
		tags[i], statuses[i], conds[i] = a.AssetTag, string(a.Status), string(a.Condition)
		serials[i], names[i] = a.SerialNumber, a.Name
		people[i], teams[i], locations[i] = a.AssignedPersonID, a.OwnerTeamID, a.LocationID
		bought[i], warranty[i] = a.PurchaseDate, a.WarrantyEnd
		if m := a.PurchasePrice; m != nil {
			prices[i], currencies[i] = &m.Amount, &m.Currency
		}
	}
	b.Queue(`INSERT INTO assets (id, org_id, asset_tag, serial_number, name, model_id, manufacturer_id, status, condition,
		assigned_person_id, owner_team_id, purchase_date, purchase_price, purchase_currency, warranty_end, custom_fields, location_id)
		SELECT x.id, $1, x.tag, x.serial, x.name, x.model, x.mfr, x.status::asset_status, x.cond::asset_condition,
			x.person, x.team, x.bought, x.price, x.currency, x.warranty, '{}', x.location
		FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::text[], $9::text[],
			$10::uuid[], $11::uuid[], $12::date[], $13::numeric[], $14::text[], $15::date[], $16::uuid[])
			WITH ORDINALITY AS x(id, tag, serial, name, model, mfr, status, cond, person, team, bought, price, currency, warranty, location, n)
		ORDER BY x.n`,
		p.OrgID, ids, tags, serials, names, models, mfrs, statuses, conds, people, teams, bought, prices, currencies, warranty, locations)
}

func queueUpdateAsset(b *pgx.Batch, a *itam.Asset) {
	price, cur := priceArgs(a.PurchasePrice)
	b.Queue(`UPDATE assets SET serial_number = $2, name = $3, model_id = $4, manufacturer_id = $5, status = $6::text::asset_status,
		assigned_person_id = $7, assigned_location_id = $8, purchase_date = $9, purchase_price = $10, purchase_currency = $11,
		warranty_end = $12, location_id = $13, version = version + 1, updated_at = now() WHERE id = $1`,
		a.ID, a.SerialNumber, a.Name, a.ModelID, a.ManufacturerID, string(a.Status), a.AssignedPersonID, a.AssignedLocationID,
		a.PurchaseDate, price, cur, a.WarrantyEnd, a.LocationID)
}

// historyRows collects a page's asset history, written by one statement
// in the order the changes were planned.
type historyRows struct {
	p                    itam.Principal
	assets               []uuid.UUID
	actions, changes     []string
	fromStatus, toStatus []*string
}

func (h *historyRows) add(action itam.HistoryAction, before, after *itam.Asset) {
	args := historyArgs(h.p, action, before, after, itam.DiffAssets(before, after))
	changes, _ := json.Marshal(args[6])
	h.assets = append(h.assets, args[1].(uuid.UUID))
	h.actions = append(h.actions, args[2].(string))
	h.changes = append(h.changes, string(changes))
	h.fromStatus = append(h.fromStatus, args[7].(*string))
	h.toStatus = append(h.toStatus, args[8].(*string))
}

func (h *historyRows) queue(b *pgx.Batch) {
	if len(h.assets) == 0 {
		return
	}
	kind, who, source := actor(h.p)
	b.Queue(`INSERT INTO asset_history (org_id, asset_id, action, actor_kind, actor, source, changes, from_status, to_status)
		SELECT $1, x.asset, x.action::history_action, $2::text::actor_kind, $3, $4, x.changes::jsonb, x.from_status::asset_status, x.to_status::asset_status
		FROM unnest($5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS x(asset, action, changes, from_status, to_status, n)
		ORDER BY x.n`,
		h.p.OrgID, string(kind), who, source, pgUUIDs(h.assets), h.actions, h.changes, pgTexts(h.fromStatus), pgTexts(h.toStatus))
}

// queueSoftware writes reconcile.DiffSoftware's verdict: only differences
// (and day-old last_seen_at) travel; new assets' rows are plain inserts.
// New and changed installations are resolved to products by the
// organization's title rules as they are written; ones no longer reported
// end (ended_at) and ones reported again are current again.
func queueSoftware(b *pgx.Batch, st *pageState, plans []*reconcile.Change) {
	d := reconcile.DiffSoftware(plans, st.software)
	type columns struct {
		assets, keys, titles, versions, idents []string
		products, rules                        []*uuid.UUID
		editions, normalized                   []*string
	}
	cols := func(rows []reconcile.SoftwareRow) (c columns) {
		for _, r := range rows {
			c.assets, c.keys, c.titles = append(c.assets, r.Asset.String()), append(c.keys, r.Key), append(c.titles, r.Title)
			c.versions, c.idents = append(c.versions, r.Version), append(c.idents, r.Identifier)
			res := resolveInstallation(st.titleRules, software.Title{Title: r.Title, Identifier: r.Identifier, Version: r.Version})
			c.products, c.rules = append(c.products, res.product), append(c.rules, res.rule)
			c.editions, c.normalized = append(c.editions, res.edition), append(c.normalized, res.version)
		}
		return c
	}
	const insert = `INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, identifier,
			product_id, rule_id, edition, normalized_version)
		SELECT $1, x.asset::uuid, $2, x.key, x.title, nullif(x.version, ''), nullif(x.ident, ''), x.product, x.rule, x.edition, x.normalized
		FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::uuid[], $10::text[], $11::text[])
			AS x(asset, key, title, version, ident, product, rule, edition, normalized)`
	if len(d.Insert) > 0 {
		c := cols(d.Insert)
		b.Queue(insert, st.p.OrgID, st.Source, c.assets, c.keys, c.titles, c.versions, c.idents, c.products, c.rules, c.editions, c.normalized)
	}
	if len(d.Upsert) > 0 {
		c := cols(d.Upsert)
		b.Queue(insert+`
			ON CONFLICT (org_id, asset_id, source, app_key) DO UPDATE SET title = excluded.title, version = excluded.version,
				identifier = excluded.identifier, product_id = excluded.product_id, rule_id = excluded.rule_id,
				edition = excluded.edition, normalized_version = excluded.normalized_version, ended_at = NULL, last_seen_at = now()`,
			st.p.OrgID, st.Source, c.assets, c.keys, c.titles, c.versions, c.idents, c.products, c.rules, c.editions, c.normalized)
	}
	if len(d.End) > 0 {
		var assets, keys []string
		for _, r := range d.End {
			assets, keys = append(assets, r.Asset.String()), append(keys, r.Key)
		}
		b.Queue(`UPDATE software_installations s SET ended_at = now() FROM unnest($2::uuid[], $3::text[]) AS x(asset, key)
			WHERE s.source = $1 AND s.asset_id = x.asset AND s.app_key = x.key AND s.ended_at IS NULL`, st.Source, assets, keys)
	}
}
