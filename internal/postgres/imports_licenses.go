package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// importLicenseValuesSQL reads licenses by lower(name) with every LICENSES
// field in canonical text, exactly as the license export writes them
// (licenseExportExprs), so an exported file plans UNCHANGED.
const importLicenseValuesSQL = `SELECT lower(x.name), x.id, x.version, coalesce(x.name, ''), sp.name, coalesce(pb.name, ''),
		x.license_model::text, array_to_string(x.editions, '; '), array_to_string(x.versions, '; '), coalesce(x.seats::text, ''),
		coalesce(to_char(x.term_start, 'YYYY-MM-DD'), ''), coalesce(to_char(x.term_end, 'YYYY-MM-DD'), ''),
		coalesce(to_char(x.renewal_date, 'YYYY-MM-DD'), ''), x.auto_renew::text, coalesce(x.seat_cost::text, ''),
		coalesce(x.total_cost::text, ''), coalesce(btrim(x.cost_currency), ''), x.billing_period::text, coalesce(su.name, ''),
		coalesce(x.purchase_order, ''), coalesce(x.contract_reference, ''), coalesce(x.notes, '')
	FROM licenses x JOIN software_products sp ON sp.id = x.product_id LEFT JOIN software_publishers pb ON pb.id = sp.publisher_id
	LEFT JOIN suppliers su ON su.id = x.supplier_id
	WHERE lower(x.name) = ANY($1::text[]) ORDER BY x.created_at, x.id`

var importLicenseFields = []string{"name", "product", "publisher", "licenseModel", "editions", "versions", "seats", "termStart",
	"termEnd", "renewalDate", "autoRenew", "seatCost", "totalCost", "costCurrency", "billingPeriod", "supplier", "purchaseOrder",
	"contractReference", "notes"}

// loadLedgerSnapshot adds to sn what a LICENSES, LICENSE_SEATS or
// COST_ENTRIES chunk needs beyond LoadSnapshot's common part: licenses by
// name, products and publishers, active seats, holders' statuses and the
// named assets' cost entries. One round trip per chunk.
func (s *ImportStore) loadLedgerSnapshot(ctx context.Context, org uuid.UUID, kind imports.Kind, l imports.Lookup, sn *imports.Snapshot) error {
	switch kind {
	case imports.KindLicenses, imports.KindLicenseSeats, imports.KindCostEntries:
	default:
		return nil
	}
	sn.Licenses, sn.AmbiguousLicenses = map[string]*imports.ExistingRecord{}, map[string]bool{}
	sn.Publishers, sn.Products = map[string]uuid.UUID{}, map[imports.ProductKey]uuid.UUID{}
	sn.Seats, sn.CostEntries = map[imports.SeatKey]bool{}, map[imports.CostEntryKey]bool{}
	type product struct {
		pub, name string
		id        uuid.UUID
	}
	var products []product
	err := s.db.read(ctx, org, func(b *pgx.Batch) {
		if len(l.Licenses) > 0 {
			queueRows(b, importLicenseValuesSQL, []any{distinct(l.Licenses)}, scanExistingRecord(importLicenseFields...), func(x keyedRecord) {
				if _, dup := sn.Licenses[x.key]; dup || sn.AmbiguousLicenses[x.key] {
					delete(sn.Licenses, x.key)
					sn.AmbiguousLicenses[x.key] = true
					return
				}
				for _, f := range []string{"seatCost", "totalCost"} {
					if d, err := decimal.NewFromString(x.rec.Values[f]); err == nil {
						x.rec.Values[f] = canonicalAmount(d)
					}
				}
				sn.Licenses[x.key] = x.rec
			})
		}
		if len(l.Publishers) > 0 {
			queueRows(b, `SELECT lower(x.name), x.id FROM software_publishers x WHERE lower(x.name) = ANY($1::text[])`,
				[]any{distinct(l.Publishers)}, scanNamedID, func(x namedID) { sn.Publishers[x.key] = x.id })
		}
		var names []string
		for _, p := range l.Products {
			names = append(names, p.Name)
		}
		if len(names) > 0 {
			queueRows(b, `SELECT lower(pb.name), lower(x.name), x.id FROM software_products x JOIN software_publishers pb ON pb.id = x.publisher_id
				WHERE lower(x.name) = ANY($1::text[]) ORDER BY x.created_at, x.id`, []any{distinct(names)},
				func(r pgx.CollectableRow) (product, error) {
					var p product
					return p, r.Scan(&p.pub, &p.name, &p.id)
				}, func(p product) { products = append(products, p) })
		}
		if kind == imports.KindLicenseSeats && len(l.Licenses) > 0 {
			queueRows(b, `SELECT st.license_id, coalesce(st.person_id, st.asset_id) FROM license_seats st JOIN licenses x ON x.id = st.license_id
				WHERE lower(x.name) = ANY($1::text[]) AND st.reclaimed_at IS NULL`, []any{distinct(l.Licenses)},
				func(r pgx.CollectableRow) (imports.SeatKey, error) {
					var k imports.SeatKey
					return k, r.Scan(&k.License, &k.Holder)
				}, func(k imports.SeatKey) { sn.Seats[k] = true })
		}
		if kind == imports.KindLicenseSeats && len(l.PersonEmails)+len(l.PersonNames) > 0 {
			// A seat's holder must be active: their status, by email and name.
			queueRows(b, `SELECT k, p.id, p.status::text FROM people p, LATERAL (VALUES (p.email_key), (lower(p.name))) AS x(k)
				WHERE x.k = ANY($1::text[]) OR x.k = ANY($2::text[])`, []any{distinct(l.PersonEmails), distinct(l.PersonNames)},
				func(r pgx.CollectableRow) (keyedRecord, error) {
					x := keyedRecord{rec: &imports.ExistingRecord{Values: map[string]string{}}}
					var st string
					err := r.Scan(&x.key, &x.rec.ID, &st)
					x.rec.Values["status"] = st
					return x, err
				}, func(x keyedRecord) { sn.ExistingPeople[x.key] = x.rec })
		}
		if kind == imports.KindCostEntries && len(l.AssetTags) > 0 {
			queueRows(b, `SELECT e.asset_id, to_char(e.entry_date, 'YYYY-MM-DD'), e.kind, e.amount, btrim(e.currency), coalesce(e.invoice_reference, '')
				FROM unnest($1::text[]) AS t(k), LATERAL (SELECT a.id FROM assets a WHERE a.asset_tag_key = t.k OFFSET 0) a
				JOIN cost_entries e ON e.asset_id = a.id`, []any{distinct(l.AssetTags)},
				func(r pgx.CollectableRow) (imports.CostEntryKey, error) {
					var k imports.CostEntryKey
					var amount decimal.Decimal
					err := r.Scan(&k.Asset, &k.Date, &k.Kind, &amount, &k.Currency, &k.InvoiceReference)
					k.Amount = canonicalAmount(amount)
					return k, err
				}, func(k imports.CostEntryKey) { sn.CostEntries[k] = true })
		}
	})
	if err != nil {
		return err
	}
	// A product named without its publisher matches when only one
	// publisher has a product of that name.
	count := map[string]int{}
	for _, p := range products {
		sn.Products[imports.ProductKey{Publisher: p.pub, Name: p.name}] = p.id
		count[p.name]++
	}
	for _, p := range products {
		if count[p.name] == 1 {
			sn.Products[imports.ProductKey{Name: p.name}] = p.id
		}
	}
	return nil
}

// createSoftware finds or creates the publishers, then the products (under
// their publisher), a LICENSES run planned to create.
func (rs *importRefs) createSoftware(ctx context.Context, tx pgx.Tx, org uuid.UUID, todo map[imports.RefKind][]*imports.Reference) error {
	byName := func(r *imports.Reference) string { return nameKey(r.Name) }
	if refs := todo[imports.RefPublisher]; len(refs) > 0 {
		names := keysOf(refs, func(r *imports.Reference) string { return strings.TrimSpace(r.Name) })
		if err := findOrCreate(ctx, tx, refs, `INSERT INTO software_publishers (org_id, name) SELECT $1, x FROM unnest($2::text[]) x
			ON CONFLICT (org_id, lower(name)) DO NOTHING`, []any{org, names},
			`SELECT lower(name), id FROM software_publishers WHERE lower(name) = ANY($1::text[])`, []any{keysOf(refs, byName)}, byName); err != nil {
			return err
		}
	}
	refs := todo[imports.RefProduct]
	if len(refs) == 0 {
		return nil
	}
	names, pubs := make([]string, len(refs)), make([]uuid.UUID, len(refs))
	for i, r := range refs {
		pub, ok := rs.byKey[refKey{imports.RefPublisher, "", r.Parent}]
		if !ok || pub.ID == nil {
			return itam.Invalid("references", "product %q (line %d) has no publisher", r.Name, r.FirstLine)
		}
		names[i], pubs[i] = strings.TrimSpace(r.Name), *pub.ID
	}
	byPub := func(r *imports.Reference) string {
		return rs.byKey[refKey{imports.RefPublisher, "", r.Parent}].ID.String() + ":" + nameKey(r.Name)
	}
	return findOrCreate(ctx, tx, refs, `INSERT INTO software_products (org_id, publisher_id, name)
		SELECT $1, x.pub, x.name FROM unnest($2::uuid[], $3::text[]) AS x(pub, name) ON CONFLICT (org_id, publisher_id, lower(name)) DO NOTHING`,
		[]any{org, pubs, names}, `SELECT publisher_id::text || ':' || lower(name), id FROM software_products WHERE lower(name) = ANY($1::text[])`,
		[]any{keysOf(refs, byName)}, byPub)
}

// importLicenseRow is one license as the commit writes it (jsonb_to_recordset).
type importLicenseRow struct {
	ID                uuid.UUID        `json:"id"`
	ProductID         uuid.UUID        `json:"product_id"`
	Name              *string          `json:"name"`
	Model             licenses.Model   `json:"license_model"`
	Editions          []string         `json:"editions"`
	Versions          []string         `json:"versions"`
	Seats             *int             `json:"seats"`
	TermStart         *string          `json:"term_start"`
	TermEnd           *string          `json:"term_end"`
	RenewalDate       *string          `json:"renewal_date"`
	AutoRenew         bool             `json:"auto_renew"`
	SeatCost          *decimal.Decimal `json:"seat_cost"`
	TotalCost         *decimal.Decimal `json:"total_cost"`
	Currency          *string          `json:"cost_currency"`
	BillingPeriod     string           `json:"billing_period"`
	SupplierID        *uuid.UUID       `json:"supplier_id"`
	PurchaseOrder     *string          `json:"purchase_order"`
	ContractReference *string          `json:"contract_reference"`
	Notes             *string          `json:"notes"`
}

func licenseRowOf(l *licenses.License) importLicenseRow {
	day := func(t *time.Time) *string {
		if t == nil {
			return nil
		}
		s := t.Format(time.DateOnly)
		return &s
	}
	seat, total, cur := costColumns(l)
	return importLicenseRow{ID: l.ID, ProductID: l.ProductID, Name: l.Name, Model: l.Model, Editions: nonNil(l.Editions),
		Versions: nonNil(l.Versions), Seats: l.Seats, TermStart: day(l.TermStart), TermEnd: day(l.TermEnd), RenewalDate: day(l.RenewalDate),
		AutoRenew: l.AutoRenew, SeatCost: seat, TotalCost: total, Currency: cur, BillingPeriod: string(l.BillingPeriod),
		SupplierID: l.SupplierID, PurchaseOrder: l.PurchaseOrder, ContractReference: l.ContractReference, Notes: l.Notes}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const importLicenseRecordset = `jsonb_to_recordset($2::jsonb) AS x(id uuid, product_id uuid, name text, license_model text, editions text[],
	versions text[], seats int, term_start date, term_end date, renewal_date date, auto_renew boolean, seat_cost numeric,
	total_cost numeric, cost_currency text, billing_period text, supplier_id uuid, purchase_order text, contract_reference text, notes text)`

// applyLicenses creates and updates a chunk's licenses: targets locked and
// their versions checked, each row's license checked by the domain
// (licenses.License.Validate, as createLicense and updateLicense do),
// then one INSERT, one UPDATE and one history INSERT (licenses.Diff, the
// run as actor) for the whole chunk.
func (c *importCommit) applyLicenses(ctx context.Context, rows []imports.RowPlan) error {
	current, err := lockTargets(ctx, c.tx, "licenses", licenseColumns, rows, "license",
		func(r pgx.CollectableRow) (*licenses.License, uuid.UUID, int, error) {
			l, err := scanLicense(r)
			if err != nil {
				return nil, uuid.Nil, 0, err
			}
			return l, l.ID, l.Version, nil
		})
	if err != nil {
		return err
	}
	var created, updated []importLicenseRow
	var histIDs []uuid.UUID
	var histActions []string
	var histChanges []licenses.Changes
	for _, r := range rows {
		var before *licenses.License
		next := &licenses.License{ID: uuid.New(), BillingPeriod: licenses.OneTime}
		switch r.Action {
		case imports.ActionCreate:
		case imports.ActionUpdate:
			before = current[*r.TargetID]
			cp := *before
			// The costs are changed in place below: copy them, so
			// before stays what the history compares with.
			for _, m := range []**itam.Money{&cp.SeatCost, &cp.TotalCost} {
				if *m != nil {
					x := **m
					*m = &x
				}
			}
			next = &cp
		default:
			continue
		}
		if err := c.licenseValues(next, r); err != nil {
			return err
		}
		if err := next.Validate(); err != nil {
			return itam.Invalid("line", "line %d: %s", r.Line, err.Error())
		}
		changes := licenses.Diff(before, next, false)
		if r.Action == imports.ActionCreate {
			created = append(created, licenseRowOf(next))
			histActions = append(histActions, string(licenses.HistoryCreate))
		} else {
			if len(changes) == 0 {
				continue
			}
			updated = append(updated, licenseRowOf(next))
			histActions = append(histActions, string(licenses.HistoryUpdate))
		}
		histIDs, histChanges = append(histIDs, next.ID), append(histChanges, changes)
	}
	b := &pgx.Batch{}
	if len(created) > 0 {
		js, _ := json.Marshal(created)
		b.Queue(`INSERT INTO licenses (id, org_id, product_id, name, license_model, editions, versions, seats, term_start, term_end,
				renewal_date, auto_renew, seat_cost, total_cost, cost_currency, billing_period, supplier_id, purchase_order, contract_reference, notes)
			SELECT x.id, $1, x.product_id, x.name, x.license_model::license_model, x.editions, x.versions, x.seats, x.term_start, x.term_end,
				x.renewal_date, x.auto_renew, x.seat_cost, x.total_cost, x.cost_currency, x.billing_period::billing_period, x.supplier_id,
				x.purchase_order, x.contract_reference, x.notes FROM `+importLicenseRecordset, c.org, js)
	}
	if len(updated) > 0 {
		js, _ := json.Marshal(updated)
		b.Queue(`UPDATE licenses l SET product_id = x.product_id, name = x.name, license_model = x.license_model::license_model,
				editions = x.editions, versions = x.versions, seats = x.seats, term_start = x.term_start, term_end = x.term_end,
				renewal_date = x.renewal_date, auto_renew = x.auto_renew, seat_cost = x.seat_cost, total_cost = x.total_cost,
				cost_currency = x.cost_currency, billing_period = x.billing_period::billing_period, supplier_id = x.supplier_id,
				purchase_order = x.purchase_order, contract_reference = x.contract_reference, notes = x.notes,
				version = l.version + 1, updated_at = now()
			FROM `+importLicenseRecordset+` WHERE l.org_id = $1 AND l.id = x.id`, c.org, js)
	}
	if len(histIDs) > 0 {
		kind, who, _ := actor(c.p)
		b.Queue(`INSERT INTO license_history (org_id, license_id, action, actor_kind, actor, changes)
			SELECT $1, x.id, x.action::license_history_action, $2::text::actor_kind, $3, x.changes
			FROM unnest($4::uuid[], $5::text[], $6::jsonb[]) AS x(id, action, changes)`, c.org, string(kind), who, histIDs, histActions, histChanges)
	}
	return c.tx.SendBatch(ctx, b).Close()
}

// licenseValues sets the fields a row's Values carry on l, resolving the
// product and supplier through the run's references.
func (c *importCommit) licenseValues(l *licenses.License, r imports.RowPlan) error {
	v := r.Values
	if _, ok := v["product"]; ok {
		_, parent, key, _ := imports.RefFor(imports.KindLicenses, "product", v)
		ref, ok := c.refs.byKey[refKey{imports.RefProduct, parent, key}]
		if !ok || ref.ID == nil {
			return itam.Invalid("line", "line %d, product: %q is not among the run's references", r.Line, v["product"])
		}
		l.ProductID = *ref.ID
	}
	if s, ok := v["supplier"]; ok {
		id, found := c.refs.id(imports.RefSupplier, s)
		if !found {
			return itam.Invalid("line", "line %d, supplier: %q is not among the run's references", r.Line, s)
		}
		l.SupplierID = id
	}
	str := func(dst **string, f string) {
		if s, ok := v[f]; ok {
			*dst = itam.Trimmed(&s)
		}
	}
	str(&l.Name, "name")
	str(&l.PurchaseOrder, "purchaseOrder")
	str(&l.ContractReference, "contractReference")
	str(&l.Notes, "notes")
	if s, ok := v["licenseModel"]; ok {
		l.Model = licenses.Model(s)
		if l.Model == licenses.Site {
			l.Seats = nil // SITE is unlimited, as updateLicense has it
		}
	}
	if s, ok := v["editions"]; ok {
		l.Editions = splitLicenseList(s)
	}
	if s, ok := v["versions"]; ok {
		l.Versions = splitLicenseList(s)
	}
	if s, ok := v["seats"]; ok {
		n, err := strconv.Atoi(s)
		if err != nil {
			return itam.Invalid("line", "line %d, seats: %q is not a number", r.Line, s)
		}
		l.Seats = &n
	}
	for f, dst := range map[string]**time.Time{"termStart": &l.TermStart, "termEnd": &l.TermEnd, "renewalDate": &l.RenewalDate} {
		if s, ok := v[f]; ok {
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return itam.Invalid("line", "line %d, %s: %q is not a date", r.Line, f, s)
			}
			*dst = &t
		}
	}
	if s, ok := v["autoRenew"]; ok {
		l.AutoRenew = s == "true"
	}
	if s, ok := v["billingPeriod"]; ok {
		l.BillingPeriod = licenses.BillingPeriod(s)
	}
	cur := v["costCurrency"]
	if cur == "" {
		for _, m := range []*itam.Money{l.SeatCost, l.TotalCost} {
			if m != nil {
				cur = m.Currency
			}
		}
	}
	for f, dst := range map[string]**itam.Money{"seatCost": &l.SeatCost, "totalCost": &l.TotalCost} {
		if s, ok := v[f]; ok {
			d, err := decimal.NewFromString(s)
			if err != nil {
				return itam.Invalid("line", "line %d, %s: %q is not an amount", r.Line, f, s)
			}
			*dst = &itam.Money{Amount: d, Currency: cur}
		}
	}
	if _, ok := v["costCurrency"]; ok {
		for _, m := range []*itam.Money{l.SeatCost, l.TotalCost} {
			if m != nil {
				m.Currency = cur
			}
		}
	}
	return nil
}

// splitLicenseList reads a canonical list value ("Pro; Teams").
func splitLicenseList(s string) []string {
	var out []string
	for _, it := range strings.Split(s, ";") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}
