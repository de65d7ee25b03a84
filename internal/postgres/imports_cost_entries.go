package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// applyCostEntries books a chunk's new cost entries against their assets
// (found by tag; one gone since the dry run refuses the chunk, STALE).
// Each entry is normalized by the ledger's rules (costs.Entry.Normalize)
// and written with its CREATE history, the run as actor, in two
// statements. An entry whose natural key (imports.CostEntryKey) the asset
// gained since the dry run, say by a second commit of the same file, is
// not booked twice: the INSERT skips it.
func (c *importCommit) applyCostEntries(ctx context.Context, rows []imports.RowPlan) error {
	var tags []string
	for _, r := range rows {
		if r.Action == imports.ActionCreate {
			tags = append(tags, imports.NormalizeTag(r.Values["assetTag"]))
		}
	}
	if len(tags) == 0 {
		return nil
	}
	assetOf := map[string]uuid.UUID{}
	// The assets first, locked as every asset writer does before touching
	// their ledger: one lock order, no deadlock.
	if err := scanEach(ctx, c.tx, `SELECT asset_tag_key, id FROM assets WHERE asset_tag_key = ANY($1::text[]) ORDER BY id FOR UPDATE`,
		[]any{distinct(tags)}, func(r pgx.Rows) error {
			var k string
			var id uuid.UUID
			err := r.Scan(&k, &id)
			assetOf[k] = id
			return err
		}); err != nil {
		return err
	}
	n := len(tags)
	ids, assets, kinds, notes, refs := make([]uuid.UUID, 0, n), make([]uuid.UUID, 0, n), make([]string, 0, n), make([]*string, 0, n), make([]*string, 0, n)
	dates, amounts, currencies := make([]time.Time, 0, n), make([]decimal.Decimal, 0, n), make([]string, 0, n)
	suppliers, changes := make([]*uuid.UUID, 0, n), make([]costs.Changes, 0, n)
	for _, r := range rows {
		if r.Action != imports.ActionCreate {
			continue
		}
		v := r.Values
		asset, ok := assetOf[imports.NormalizeTag(v["assetTag"])]
		if !ok {
			return itam.Conflict("line", "line %d: the asset was deleted since the dry run; start a new dry run", r.Line)
		}
		e := costs.Entry{ID: uuid.New(), AssetID: &asset, Kind: costs.EntryKind(v["kind"]), InvoiceReference: optional(v["invoiceReference"]),
			Notes: optional(v["notes"])}
		e.Date, _ = time.Parse(time.DateOnly, v["date"])
		amount, _ := decimal.NewFromString(v["amount"])
		e.Amount = itam.Money{Amount: amount, Currency: v["currency"]}
		if s, ok := v["supplier"]; ok {
			id, found := c.refs.id(imports.RefSupplier, s)
			if !found {
				return itam.Invalid("line", "line %d, supplier: %q is not among the run's references", r.Line, s)
			}
			e.SupplierID = id
		}
		e, err := e.Normalize()
		if err != nil {
			return itam.Invalid("line", "line %d: %s", r.Line, err.Error())
		}
		ids, assets, kinds, notes, refs = append(ids, e.ID), append(assets, asset), append(kinds, string(e.Kind)), append(notes, e.Notes), append(refs, e.InvoiceReference)
		dates, amounts, currencies = append(dates, e.Date), append(amounts, e.Amount.Amount), append(currencies, e.Amount.Currency)
		suppliers, changes = append(suppliers, e.SupplierID), append(changes, costs.Diff(nil, &e, costs.EntryFields))
	}
	kind, who, _ := actor(c.p)
	_, err := c.tx.Exec(ctx, `WITH x AS (
			SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::date[], $6::numeric[], $7::text[], $8::uuid[], $9::text[], $10::text[], $11::jsonb[])
				AS x(id, asset, kind, day, amount, currency, supplier, ref, notes, changes)),
		ins AS (
			INSERT INTO cost_entries (id, org_id, asset_id, kind, entry_date, amount, currency, supplier_id, invoice_reference, notes)
			SELECT x.id, $1, x.asset, x.kind, x.day, x.amount, x.currency, x.supplier, x.ref, x.notes FROM x
			WHERE NOT EXISTS (SELECT 1 FROM cost_entries e WHERE e.asset_id = x.asset AND e.entry_date = x.day AND e.kind = x.kind
				AND e.amount = x.amount AND btrim(e.currency) = x.currency AND coalesce(e.invoice_reference, '') = coalesce(x.ref, ''))
			RETURNING id)
		INSERT INTO cost_history (org_id, entity_type, entity_id, action, actor_kind, actor, changes)
		SELECT $1, $12, x.id, 'CREATE', $13::text::actor_kind, $14, x.changes FROM x JOIN ins ON ins.id = x.id`,
		c.org, ids, assets, kinds, dates, amounts, currencies, suppliers, refs, notes, changes,
		string(costs.HistoryCostEntry), string(kind), who)
	return err
}

// optional is s trimmed, nil when blank.
func optional(s string) *string {
	if s = strings.TrimSpace(s); s == "" {
		return nil
	}
	return &s
}
