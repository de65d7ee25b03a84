package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/procurement"
	"github.com/itam-dev/itam/internal/reconcile"
)

// Creating, editing, cancelling and approving orders: each in one
// transaction with its history entry (and, for approval, its assets and
// theirs), so a refusal writes nothing.

// lockPO reads an order for change with its lines, locking the order's
// row (every change to its lines locks it first), and refuses a stale
// version when one is given.
func lockPO(ctx context.Context, tx pgx.Tx, id uuid.UUID, version *int) (*procurement.Order, error) {
	rows, _ := tx.Query(ctx, "SELECT "+poColumns+" FROM purchase_orders x WHERE x.id = $1 FOR UPDATE", id)
	o, err := pgx.CollectExactlyOneRow(rows, scanPO)
	if err == pgx.ErrNoRows {
		return nil, itam.NotFound("purchase order")
	}
	if err != nil {
		return nil, err
	}
	if version != nil && *version != o.Version {
		return nil, itam.Conflict("version", "purchase order %s was changed by someone else: it is at version %d, you edited version %d; reload and retry",
			o.OrderNumber, o.Version, *version)
	}
	rows, _ = tx.Query(ctx, poLinesSQL, []uuid.UUID{id})
	o.Lines, err = pgx.CollectRows(rows, scanPOLine)
	return o, err
}

// checkPORefs checks that the supplier and every line's model are the
// organization's (RLS hides any other): the first missing one is
// NOT_FOUND naming its field.
func checkPORefs(ctx context.Context, tx pgx.Tx, o procurement.Order) error {
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM suppliers WHERE id = $1)`, o.SupplierID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return procurement.NotFoundField("supplierId", "supplier")
	}
	models := make([]uuid.UUID, len(o.Lines))
	for i, l := range o.Lines {
		models[i] = l.ModelID
	}
	rows, _ := tx.Query(ctx, `SELECT id FROM models WHERE id = ANY($1::uuid[])`, models)
	found, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return err
	}
	have := make(map[uuid.UUID]bool, len(found))
	for _, id := range found {
		have[id] = true
	}
	for i, l := range o.Lines {
		if !have[l.ModelID] {
			return procurement.NotFoundField(fmt.Sprintf("lines[%d].modelId", i), "model")
		}
	}
	return nil
}

// writePOLines replaces the order's lines and returns them as stored.
func writePOLines(ctx context.Context, tx pgx.Tx, org uuid.UUID, o *procurement.Order) error {
	if _, err := tx.Exec(ctx, `DELETE FROM purchase_order_lines WHERE purchase_order_id = $1`, o.ID); err != nil {
		return err
	}
	models, qty, prices := make([]uuid.UUID, len(o.Lines)), make([]int32, len(o.Lines)), make([]string, len(o.Lines))
	for i, l := range o.Lines {
		models[i], qty[i], prices[i] = l.ModelID, int32(l.Quantity), l.UnitPrice.String()
	}
	if _, err := tx.Exec(ctx, `INSERT INTO purchase_order_lines (org_id, purchase_order_id, position, model_id, quantity, unit_price)
		SELECT $1, $2, u.n - 1, u.model, u.qty, u.price
		FROM unnest($3::uuid[], $4::int[], $5::numeric[]) WITH ORDINALITY AS u(model, qty, price, n)`,
		org, o.ID, models, qty, prices); err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, poLinesSQL, []uuid.UUID{o.ID})
	var err error
	o.Lines, err = pgx.CollectRows(rows, scanPOLine)
	return err
}

// CreatePurchaseOrder validates and saves a DRAFT order with its lines and
// records its creation.
func (s *PurchaseOrderStore) CreatePurchaseOrder(ctx context.Context, in procurement.Input) (*procurement.Order, error) {
	p, err := procurement.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	o, err := procurement.NewOrder(in)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*procurement.Order, error) {
		if err := checkPORefs(ctx, tx, o); err != nil {
			return nil, err
		}
		out, err := returningOne(ctx, tx, scanPO, `INSERT INTO purchase_orders AS x (org_id, supplier_id, order_number, order_date,
			expected_delivery, currency, notes) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+poColumns,
			p.OrgID, o.SupplierID, o.OrderNumber, o.OrderDate, o.ExpectedDelivery, o.Currency, o.Notes)
		if err != nil {
			return nil, err
		}
		out.Lines = o.Lines
		if err := writePOLines(ctx, tx, p.OrgID, out); err != nil {
			return nil, err
		}
		return out, insertPOHistory(ctx, tx, p, out.ID, procurement.HistoryCreate, procurement.Changes(nil, out))
	})
}

// UpdatePurchaseOrder applies a patch to a DRAFT order; the caller's
// version must be current. A patch that changes nothing writes nothing.
func (s *PurchaseOrderStore) UpdatePurchaseOrder(ctx context.Context, in procurement.Patch) (*procurement.Order, error) {
	p, err := procurement.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*procurement.Order, error) {
		cur, err := lockPO(ctx, tx, in.ID, &in.Version)
		if err != nil {
			return nil, err
		}
		next, err := in.Apply(*cur)
		if err != nil {
			return nil, err
		}
		changes := procurement.Changes(cur, &next)
		if len(changes) == 0 {
			return cur, nil
		}
		if err := checkPORefs(ctx, tx, next); err != nil {
			return nil, err
		}
		out, err := returningOne(ctx, tx, scanPO, `UPDATE purchase_orders x SET supplier_id = $2, order_number = $3, order_date = $4,
			expected_delivery = $5, currency = $6, notes = $7, version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+poColumns,
			cur.ID, next.SupplierID, next.OrderNumber, next.OrderDate, next.ExpectedDelivery, next.Currency, next.Notes)
		if err != nil {
			return nil, err
		}
		out.Lines = next.Lines
		if err := writePOLines(ctx, tx, p.OrgID, out); err != nil {
			return nil, err
		}
		return out, insertPOHistory(ctx, tx, p, out.ID, procurement.HistoryUpdate, changes)
	})
}

// setPOStatus writes an order's new status (and who approved or
// cancelled it) and returns the stored order with lines.
func setPOStatus(ctx context.Context, tx pgx.Tx, p itam.Principal, o *procurement.Order, to procurement.Status) (*procurement.Order, error) {
	out, err := returningOne(ctx, tx, scanPO, `UPDATE purchase_orders x SET status = $2, version = x.version + 1, updated_at = now(),
		approved_at = CASE WHEN $2 = 'APPROVED' AND x.approved_at IS NULL THEN now() ELSE x.approved_at END,
		approved_by = CASE WHEN $2 = 'APPROVED' AND x.approved_at IS NULL THEN $3 ELSE x.approved_by END,
		cancelled_at = CASE WHEN $2 = 'CANCELLED' THEN now() ELSE x.cancelled_at END,
		cancelled_by = CASE WHEN $2 = 'CANCELLED' THEN $3 ELSE x.cancelled_by END
		WHERE x.id = $1 RETURNING `+poColumns, o.ID, string(to), p.Subject)
	if err != nil {
		return nil, err
	}
	out.Lines = o.Lines
	return out, nil
}

// statusChange is the history of a status move, with extra facts.
func statusChange(from, to procurement.Status, extra map[string]any) map[string]map[string]json.RawMessage {
	before, after := map[string]any{"status": from}, map[string]any{"status": to}
	for k, v := range extra {
		before[k], after[k] = nil, v
	}
	return itam.DiffSnapshots(before, after)
}

// CancelPurchaseOrder withdraws an order procurement.Cancel allows. An
// APPROVED order's ORDERED assets are deleted with it (each with its
// DELETE history, through lifecycle.Delete), and their PURCHASE entries
// with them.
func (s *PurchaseOrderStore) CancelPurchaseOrder(ctx context.Context, id uuid.UUID, version *int) (*procurement.Order, error) {
	p, err := procurement.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	// Deleting an approved order's assets is as big as creating them (see
	// ApprovePurchaseOrder): the job statement timeout.
	return inTxReturning(ctx, s.db.ForJobs(), p.OrgID, func(tx pgx.Tx) (*procurement.Order, error) {
		cur, err := lockPO(ctx, tx, id, version)
		if err != nil {
			return nil, err
		}
		if err := procurement.Cancel(*cur); err != nil {
			return nil, err
		}
		rows, _ := tx.Query(ctx, `SELECT `+assetColumns+` FROM assets a JOIN purchase_order_lines l ON l.id = a.purchase_order_line_id
			WHERE l.purchase_order_id = $1 ORDER BY a.asset_tag FOR UPDATE OF a`, id)
		assets, err := pgx.CollectRows(rows, scanAsset)
		if err != nil {
			return nil, err
		}
		gone := make([]uuid.UUID, len(assets))
		b := &pgx.Batch{}
		for i, a := range assets {
			ch, err := lifecycle.Delete(*a)
			if err != nil {
				// An ORDERED asset someone already marked LOST, say.
				return nil, itam.Invalid("id", "cannot cancel order %s: asset %s is %s and cannot be deleted with it", cur.OrderNumber, a.AssetTag, a.Status)
			}
			b.Queue(insertHistorySQL, procurementHistoryArgs(p, ch.Action, a, nil, nil)...)
			gone[i] = a.ID
		}
		b.Queue(`DELETE FROM assets WHERE id = ANY($1::uuid[])`, gone)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return nil, err
		}
		out, err := setPOStatus(ctx, tx, p, cur, procurement.StatusCancelled)
		if err != nil {
			return nil, err
		}
		return out, insertPOHistory(ctx, tx, p, id, procurement.HistoryCancel,
			statusChange(cur.Status, out.Status, map[string]any{"deletedAssets": len(gone)}))
	})
}

// procurementHistoryArgs are historyArgs for a change procurement makes
// to an asset: recorded with the source "procurement".
func procurementHistoryArgs(p itam.Principal, action itam.HistoryAction, before, after *itam.Asset, changes map[string]map[string]json.RawMessage) []any {
	args := historyArgs(p, action, before, after, changes)
	args[5] = reconcile.SourceProcurement
	return args
}
