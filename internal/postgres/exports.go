package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// ExportStore reads the lists exports stream: the rows a list query's
// filter selects, as the caller sees them (the same filter SQL and
// visibility as assets(filter:), people(filter:) and licenses(filter:)),
// a keyset page of exports.PageRows at a time, each cell as text.
type ExportStore struct{ db *DB }

// NewExportStore returns an ExportStore over db.
func NewExportStore(db *DB) *ExportStore { return &ExportStore{db: db} }

// exportList is how one kind is read: the filtered, keyset-ordered page
// of the base table (alias x or a) runs first, and the references its
// columns name are joined to that page only.
type exportList struct {
	base  listSpec[struct{}] // from, idExpr, where, args, sort; columns unused
	alias string
	joins string            // LEFT JOINs over alias, for every column
	exprs map[string]string // column → text expression, never NULL
}

// assets lists the assets f selects, in asset tag order.
func (s *ExportStore) assets(ctx context.Context, f *itam.AssetFilter) (exportList, itam.Principal, error) {
	p, where, args, err := (&AssetStore{db: s.db}).where(ctx, f)
	return exportList{alias: "a", joins: assetExportJoins, exprs: assetExportExprs,
		base: listSpec[struct{}]{from: "assets a", idExpr: "a.id", where: where, args: args, dir: itam.Asc,
			sort: sortKey[struct{}]{expr: assetSorts[itam.AssetSortTag].expr, sqlType: "text"}}}, p, err
}

// people lists the people f selects, by name.
func (s *ExportStore) people(ctx context.Context, f itam.PersonFilter) (exportList, itam.Principal, error) {
	p, where, args, err := peopleTable.filter(ctx, f)
	return exportList{alias: "x", joins: personExportJoins, exprs: personExportExprs,
		base: listSpec[struct{}]{from: "people x", idExpr: "x.id", where: where, args: args, dir: itam.Asc,
			sort: sortKey[struct{}]{expr: "x.name", sqlType: "text"}}}, p, err
}

// licenses lists the licenses f selects, oldest first as licenses(filter:) lists them.
func (s *ExportStore) licenses(ctx context.Context, f licenses.Filter) (exportList, itam.Principal, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return exportList{}, p, err
	}
	where, args := NewLicenseStore(s.db, nil).licenseWhere(p, f)
	return exportList{alias: "x", joins: licenseExportJoins, exprs: licenseExportExprs,
		base: listSpec[struct{}]{from: "licenses x", idExpr: "x.id", where: where, args: args, dir: itam.Asc,
			sort: sortKey[struct{}]{expr: "x.created_at", sqlType: "timestamptz"}}}, p, nil
}

// Count counts the rows kind's filter (as Open reads it) selects, up to
// limit: enough to know an XLSX sheet cannot hold them before a link is
// made, without counting a million rows to say so.
func (s *ExportStore) Count(ctx context.Context, kind exports.Kind, filter []byte, limit int) (int, error) {
	l, p, err := s.list(ctx, kind, filter)
	if err != nil {
		return 0, err
	}
	where := "TRUE"
	if len(l.base.where) > 0 {
		where = strings.Join(l.base.where, " AND ")
	}
	sql := fmt.Sprintf("SELECT count(*) FROM (SELECT 1 FROM %s WHERE %s LIMIT %d) n", l.base.from, where, limit)
	n, err := query(ctx, s.db, p.OrgID, sql, l.base.args.list, pgx.RowTo[int])
	if err != nil {
		return 0, err
	}
	return n[0], nil
}

// source checks the columns and returns the reader of l's pages under p's
// organization. Each page is its own statement: a slow client holds no
// transaction or snapshot open, and the keyset makes the pages neither
// skip nor repeat a row that stays, whatever changes meanwhile.
func (l exportList) source(db *DB, p itam.Principal, columns []string) (exports.Source, error) {
	exprs := make([]string, 0, len(columns)+2)
	for _, c := range columns {
		e, ok := l.exprs[c]
		if !ok {
			return nil, itam.Invalid("columns", "%q is not an export column", c)
		}
		exprs = append(exprs, e)
	}
	// The keyset position of the row: its sort key as text and its id.
	exprs = append(exprs, l.base.sort.expr+"::text", l.alias+".id::text")
	base := l.base.args.list
	n := len(columns)
	return func(ctx context.Context, after string) (exports.Page, error) {
		spec := l.base
		spec.columns = l.alias + ".*"
		spec.args = &sqlArgs{list: append([]any(nil), base...)} // the cursor's parameters are added per page
		w := pageWindow{limit: exports.PageRows - 1}            // pageSQL asks for limit+1
		if after != "" {
			c, err := decodeCursor("after", after)
			if err != nil {
				return exports.Page{}, err
			}
			w.after = &c
		}
		sql := fmt.Sprintf("SELECT %s FROM (%s) %s %s ORDER BY %s, %s.id", strings.Join(exprs, ", "), spec.pageSQL(w), l.alias, l.joins,
			l.base.sort.expr, l.alias)
		rows, err := query(ctx, db, p.OrgID, sql, spec.args.list, func(r pgx.CollectableRow) ([]string, error) {
			cells := make([]string, n+2)
			dest := make([]any, n+2)
			for i := range cells {
				dest[i] = &cells[i]
			}
			return cells, r.Scan(dest...)
		})
		if err != nil {
			return exports.Page{}, err
		}
		page := exports.Page{Rows: make([][]string, len(rows))}
		for i, r := range rows {
			page.Rows[i] = r[:n]
		}
		if len(rows) == exports.PageRows {
			last := rows[len(rows)-1]
			page.After = encodeCursor(last[n], last[n+1])
		}
		return page, nil
	}, nil
}

// The exports' columns: the import's canonical text of each field
// (exports.Column.Canon finishes amounts), references by name and people
// by email, "" for nothing; dates by to_char, whatever the DateStyle.
const assetExportJoins = `JOIN models m ON m.id = a.model_id JOIN manufacturers mf ON mf.id = a.manufacturer_id
	JOIN categories c ON c.id = m.category_id LEFT JOIN people ap ON ap.id = a.assigned_person_id
	LEFT JOIN locations l ON l.id = a.location_id LEFT JOIN teams t ON t.id = a.owner_team_id
	LEFT JOIN suppliers s ON s.id = a.supplier_id`

var assetExportExprs = map[string]string{
	"assetTag": "a.asset_tag", "serialNumber": "coalesce(a.serial_number, '')", "name": "coalesce(a.name, '')",
	"model": "m.name", "modelNumber": "coalesce(m.model_number, '')", "manufacturer": "mf.name", "category": "c.name",
	"status": "a.status::text", "condition": "a.condition::text",
	// An asset assigned to a location has no assignee person: the cell
	// stays empty, which an import reads as "leave as it is".
	"assignee": "coalesce(ap.email, '')", "location": "coalesce(l.name, '')", "ownerTeam": "coalesce(t.name, '')",
	"purchaseDate": "coalesce(to_char(a.purchase_date, 'YYYY-MM-DD'), '')", "purchasePrice": "coalesce(a.purchase_price::text, '')",
	"purchaseCurrency": "coalesce(a.purchase_currency::text, '')", "orderNumber": "coalesce(a.order_number, '')",
	"invoiceNumber": "coalesce(a.invoice_number, '')", "supplier": "coalesce(s.name, '')",
	"warrantyEnd": "coalesce(to_char(a.warranty_end, 'YYYY-MM-DD'), '')", "notes": "coalesce(a.notes, '')",
}

const personExportJoins = `LEFT JOIN teams t ON t.id = x.team_id LEFT JOIN people mg ON mg.id = x.manager_id
	LEFT JOIN locations l ON l.id = x.location_id`

var personExportExprs = map[string]string{
	"name": "x.name", "email": "x.email", "employeeNumber": "coalesce(x.employee_number, '')", "title": "coalesce(x.title, '')",
	"team": "coalesce(t.name, '')", "manager": "coalesce(mg.email, '')", "location": "coalesce(l.name, '')", "status": "x.status::text",
}

const licenseExportJoins = `JOIN software_products sp ON sp.id = x.product_id LEFT JOIN software_publishers pb ON pb.id = sp.publisher_id
	LEFT JOIN suppliers su ON su.id = x.supplier_id`

var licenseExportExprs = map[string]string{
	"name": "coalesce(x.name, '')", "product": "sp.name", "publisher": "coalesce(pb.name, '')", "licenseModel": "x.license_model::text",
	"editions": "array_to_string(x.editions, '; ')", "versions": "array_to_string(x.versions, '; ')", "seats": "coalesce(x.seats::text, '')",
	"termStart": "coalesce(to_char(x.term_start, 'YYYY-MM-DD'), '')", "termEnd": "coalesce(to_char(x.term_end, 'YYYY-MM-DD'), '')",
	"renewalDate": "coalesce(to_char(x.renewal_date, 'YYYY-MM-DD'), '')", "autoRenew": "x.auto_renew::text",
	"seatCost": "coalesce(x.seat_cost::text, '')", "totalCost": "coalesce(x.total_cost::text, '')",
	"costCurrency": "coalesce(btrim(x.cost_currency), '')", "billingPeriod": "x.billing_period::text", "supplier": "coalesce(su.name, '')",
	"purchaseOrder": "coalesce(x.purchase_order, '')", "contractReference": "coalesce(x.contract_reference, '')", "notes": "coalesce(x.notes, '')",
}

// Open reads what a download link names: kind with its domain filter as
// JSON (null or empty: everything) and the columns.
func (s *ExportStore) Open(ctx context.Context, kind exports.Kind, filter []byte, columns []string) (exports.Source, error) {
	l, p, err := s.list(ctx, kind, filter)
	if err != nil {
		return nil, err
	}
	return l.source(s.db, p, columns)
}

// list is how kind is read with its filter as JSON, for p.
func (s *ExportStore) list(ctx context.Context, kind exports.Kind, filter []byte) (exportList, itam.Principal, error) {
	decode := func(v any) error {
		if len(filter) == 0 || string(filter) == "null" {
			return nil
		}
		if err := json.Unmarshal(filter, v); err != nil {
			return itam.Invalid("filter", "the export's filter cannot be read: %v", err)
		}
		return nil
	}
	switch kind {
	case exports.KindAssets:
		var f *itam.AssetFilter
		if err := decode(&f); err != nil {
			return exportList{}, itam.Principal{}, err
		}
		return s.assets(ctx, f)
	case exports.KindPeople:
		var f itam.PersonFilter
		if err := decode(&f); err != nil {
			return exportList{}, itam.Principal{}, err
		}
		return s.people(ctx, f)
	case exports.KindLicenses:
		var f licenses.Filter
		if err := decode(&f); err != nil {
			return exportList{}, itam.Principal{}, err
		}
		return s.licenses(ctx, f)
	}
	return exportList{}, itam.Principal{}, itam.Invalid("kind", "%q is not an export kind", kind)
}
