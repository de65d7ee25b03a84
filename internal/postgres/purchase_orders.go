package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/procurement"
)

// Purchase orders: loading and saving what internal/procurement decided.
// An order's lines (at most 100) load with it in the same round trip; the
// assets of its lines, which can be thousands, only where a field asks.

// PurchaseOrderStore loads and saves purchase orders, their lines, the
// assets approving creates and receiving brings in, and their history.
type PurchaseOrderStore struct{ db *DB }

// NewPurchaseOrderStore returns a store over db.
func NewPurchaseOrderStore(db *DB) *PurchaseOrderStore { return &PurchaseOrderStore{db: db} }

func init() {
	constraintFields["purchase_orders_org_supplier_number"] = constraintField{"orderNumber", "this supplier already has an order with this number"}
	constraintFields["purchase_orders_delivery_after_order"] = constraintField{"expectedDelivery", "expected delivery cannot be before the order date"}
}

const poColumns = `x.id, x.supplier_id, x.order_number, x.order_date, x.expected_delivery, x.currency, x.status, x.notes,
	x.version, x.created_at, x.updated_at, x.approved_at, x.approved_by, x.cancelled_at, x.cancelled_by`

func scanPO(r pgx.CollectableRow) (*procurement.Order, error) {
	var o procurement.Order
	err := r.Scan(&o.ID, &o.SupplierID, &o.OrderNumber, &o.OrderDate, &o.ExpectedDelivery, &o.Currency, &o.Status, &o.Notes,
		&o.Version, &o.CreatedAt, &o.UpdatedAt, &o.ApprovedAt, &o.ApprovedBy, &o.CancelledAt, &o.CancelledBy)
	o.Currency = strings.TrimSpace(o.Currency)
	o.Lines = []procurement.Line{}
	return &o, err
}

// poLineColumns are a line's columns with its order's currency (alias l, o).
const poLineColumns = `l.id, l.purchase_order_id, l.position, l.model_id, l.quantity, l.unit_price, o.currency, l.received`

func scanPOLine(r pgx.CollectableRow) (procurement.Line, error) {
	var l procurement.Line
	err := r.Scan(&l.ID, &l.OrderID, &l.Position, &l.ModelID, &l.Quantity, &l.UnitPrice, &l.Currency, &l.Received)
	l.Currency = strings.TrimSpace(l.Currency)
	return l, err
}

const poLinesSQL = `SELECT ` + poLineColumns + ` FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
	WHERE l.purchase_order_id = ANY($1::uuid[]) ORDER BY l.purchase_order_id, l.position`

// queuePOLines adds to b the statement loading the lines of os.
func queuePOLines(b *pgx.Batch, os []*procurement.Order) {
	byID := make(map[uuid.UUID]*procurement.Order, len(os))
	ids := make([]uuid.UUID, len(os))
	for i, o := range os {
		byID[o.ID], ids[i] = o, o.ID
	}
	queueRows(b, poLinesSQL, []any{ids}, scanPOLine, func(l procurement.Line) {
		if o := byID[l.OrderID]; o != nil {
			o.Lines = append(o.Lines, l)
		}
	})
}

// poWhere renders f (alias x).
func poWhere(f procurement.Filter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if len(f.Statuses) > 0 {
		where = append(where, "x.status = ANY("+args.add(texts(f.Statuses))+"::text[])")
	}
	if f.SupplierID != nil {
		where = append(where, "x.supplier_id = "+args.add(*f.SupplierID))
	}
	if f.OrderedAfter != nil {
		where = append(where, "x.order_date >= "+args.add(f.OrderedAfter.Format(time.DateOnly))+"::date")
	}
	if f.OrderedBefore != nil {
		where = append(where, "x.order_date <= "+args.add(f.OrderedBefore.Format(time.DateOnly))+"::date")
	}
	return searchWhere(where, args, f.Search, "x.order_number", "x.notes"), args
}

// ListPurchaseOrders returns one page of the orders matching f, newest
// order date first, with their lines (one more statement in the same round
// trip's worth: a batch). Money readers only.
func (s *PurchaseOrderStore) ListPurchaseOrders(ctx context.Context, f procurement.Filter, page itam.PageArgs) (itam.Page[*procurement.Order], error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return itam.Page[*procurement.Order]{}, err
	}
	if err := f.Validate(); err != nil {
		return itam.Page[*procurement.Order]{}, err
	}
	where, args := poWhere(f)
	out, err := list(ctx, s.db, p.OrgID, listSpec[*procurement.Order]{
		columns: poColumns, from: "purchase_orders x", idExpr: "x.id", where: where, args: args, dir: itam.Desc, scan: scanPO,
		sort: sortKey[*procurement.Order]{"x.order_date", "date", func(o *procurement.Order) string { return o.OrderDate.Format(time.DateOnly) }},
		id:   func(o *procurement.Order) string { return o.ID.String() },
	}, page)
	if err != nil || len(out.Items) == 0 {
		return out, err
	}
	return out, s.db.read(ctx, p.OrgID, func(b *pgx.Batch) { queuePOLines(b, out.Items) })
}

// CountPurchaseOrders counts the orders matching f.
func (s *PurchaseOrderStore) CountPurchaseOrders(ctx context.Context, f procurement.Filter) (int, error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	if err := f.Validate(); err != nil {
		return 0, err
	}
	where, args := poWhere(f)
	return count(ctx, s.db, p.OrgID, "purchase_orders x", where, args)
}

// PurchaseOrdersByIDs returns the orders among ids with their lines, in
// one round trip (node(id:), PurchaseOrderLine.purchaseOrder).
func (s *PurchaseOrderStore) PurchaseOrdersByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*procurement.Order, error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*procurement.Order, len(ids))
	var lines []procurement.Line
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT "+poColumns+" FROM purchase_orders x WHERE x.id = ANY($1::uuid[])", []any{ids}, scanPO,
			func(o *procurement.Order) { out[o.ID] = o })
		queueRows(b, poLinesSQL, []any{ids}, scanPOLine, func(l procurement.Line) { lines = append(lines, l) })
	})
	for _, l := range lines {
		if o := out[l.OrderID]; o != nil {
			o.Lines = append(o.Lines, l)
		}
	}
	return out, err
}

// PurchaseOrder returns one order, else NOT_FOUND.
func (s *PurchaseOrderStore) PurchaseOrder(ctx context.Context, id uuid.UUID) (*procurement.Order, error) {
	return oneByID(ctx, id, "purchase order", s.PurchaseOrdersByIDs)
}

// PurchaseOrderLinesByIDs returns the lines among ids (node(id:)).
func (s *PurchaseOrderStore) PurchaseOrderLinesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*procurement.Line, error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*procurement.Line, len(ids))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, `SELECT `+poLineColumns+` FROM purchase_order_lines l JOIN purchase_orders o ON o.id = l.purchase_order_id
			WHERE l.id = ANY($1::uuid[])`, []any{ids}, scanPOLine, func(l procurement.Line) { out[l.ID] = &l })
	})
	return out, err
}

// lineAssetSpec lists a line's assets by tag.
func lineAssetSpec() listSpec[*itam.Asset] {
	return listSpec[*itam.Asset]{
		columns: assetColumns, from: "assets a", idExpr: "a.id", args: &sqlArgs{}, dir: itam.Asc, scan: scanAsset,
		sort: sortKey[*itam.Asset]{"a.asset_tag", "text", func(a *itam.Asset) string { return a.AssetTag }},
		id:   func(a *itam.Asset) string { return a.ID.String() },
	}
}

func lineAssetParent(parent string) string { return "a.purchase_order_line_id = " + parent }

// AssetsOfLines returns the same page of each line's assets (ordered,
// then received), by tag, for all lines in one statement.
func (s *PurchaseOrderStore) AssetsOfLines(ctx context.Context, lines []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*itam.Asset], error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, lineAssetSpec(), lines, lineAssetParent, page)
}

// CountAssetsOfLines counts each line's assets.
func (s *PurchaseOrderStore) CountAssetsOfLines(ctx context.Context, lines []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "assets a", nil, &sqlArgs{}, lines, lineAssetParent)
}

const poHistoryColumns = "h.id, h.purchase_order_id, h.action, h.actor_kind::text, h.actor, h.changes, h.at"

func scanPOHistory(r pgx.CollectableRow) (procurement.HistoryEntry, error) {
	var h procurement.HistoryEntry
	var changes map[string]map[string]json.RawMessage
	err := r.Scan(&h.ID, &h.OrderID, &h.Action, &h.ActorKind, &h.Actor, &changes, &h.At)
	h.Changes = fieldChanges(changes)
	return h, err
}

func poHistoryParent(parent string) string { return "h.purchase_order_id = " + parent }

// HistoriesOf returns the same page of each order's history, oldest first,
// in one statement.
func (s *PurchaseOrderStore) HistoriesOf(ctx context.Context, ids []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[procurement.HistoryEntry], error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	spec := historyListSpec(poHistoryColumns, "purchase_order_history h", &sqlArgs{}, func(h procurement.HistoryEntry) int64 { return h.ID }, scanPOHistory)
	return listEach(ctx, s.db, p.OrgID, spec, ids, poHistoryParent, page)
}

// CountHistoriesOf counts each order's history entries.
func (s *PurchaseOrderStore) CountHistoriesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "purchase_order_history h", nil, &sqlArgs{}, ids, poHistoryParent)
}

// insertPOHistory appends one history entry inside tx; an update that
// changed nothing records nothing.
func insertPOHistory(ctx context.Context, tx pgx.Tx, p itam.Principal, id uuid.UUID, action procurement.HistoryAction, changes map[string]map[string]json.RawMessage) error {
	if action == procurement.HistoryUpdate && len(changes) == 0 {
		return nil
	}
	kind, who, _ := actor(p)
	if changes == nil {
		changes = map[string]map[string]json.RawMessage{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO purchase_order_history (org_id, purchase_order_id, action, actor_kind, actor, changes)
		VALUES ($1, $2, $3, $4::text::actor_kind, $5, $6)`, p.OrgID, id, string(action), string(kind), who, changes)
	return err
}

// LinesOfAssets returns the line each asset was ordered on, for a page of
// assets in one statement; assets not ordered through an order are absent.
func (s *PurchaseOrderStore) LinesOfAssets(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*procurement.Line, error) {
	p, err := procurement.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*procurement.Line, len(ids))
	type row struct {
		asset uuid.UUID
		line  procurement.Line
	}
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, `SELECT a.id, `+poLineColumns+` FROM assets a JOIN purchase_order_lines l ON l.id = a.purchase_order_line_id
			JOIN purchase_orders o ON o.id = l.purchase_order_id WHERE a.id = ANY($1::uuid[])`, []any{ids},
			func(r pgx.CollectableRow) (row, error) {
				var x row
				l, err := scanPOLine(parentRow{CollectableRow: r, parent: &x.asset})
				x.line = l
				return x, err
			}, func(x row) { out[x.asset] = &x.line })
	})
	return out, err
}
