package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/procurement"
	"github.com/itam-dev/itam/internal/reconcile"
)

// Approving an order creates its assets; receiving a line brings them in.

// ApprovePurchaseOrder approves a DRAFT order and, in the same
// transaction, creates one ORDERED asset per unit of every line: the
// line's model, a tag from the organization's sequence, owned by the
// organization's default owner team, with the purchase data (order date,
// unit price, supplier, order number) recorded as coming from
// "procurement" in the field provenance, so a sync does not overwrite it
// under the default precedence. The assets' PURCHASE cost entries follow
// from the assets trigger (migration 00012). Each asset gets its CREATE
// history (source procurement), the order its APPROVE.
func (s *PurchaseOrderStore) ApprovePurchaseOrder(ctx context.Context, id uuid.UUID, version *int) (*procurement.Order, error) {
	p, err := procurement.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	// Up to 5,000 assets with their history, provenance and cost entries
	// is seconds of writing: the job statement timeout, as for a sync page.
	return inTxReturning(ctx, s.db.ForJobs(), p.OrgID, func(tx pgx.Tx) (*procurement.Order, error) {
		cur, err := lockPO(ctx, tx, id, version)
		if err != nil {
			return nil, err
		}
		if err := procurement.Approve(*cur); err != nil {
			return nil, err
		}
		var owner *uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT default_owner_team_id FROM organizations WHERE id = $1`, p.OrgID).Scan(&owner); err != nil {
			return nil, err
		}
		if owner == nil {
			return nil, itam.Invalid("id", "the organization has no default owner team to own the ordered assets: set one, then approve")
		}
		created := 0
		for _, l := range cur.Lines {
			n, err := createOrderedAssets(ctx, tx, p, cur, l, *owner)
			if err != nil {
				return nil, err
			}
			created += n
		}
		out, err := setPOStatus(ctx, tx, p, cur, procurement.StatusApproved)
		if err != nil {
			return nil, err
		}
		return out, insertPOHistory(ctx, tx, p, id, procurement.HistoryApprove,
			statusChange(cur.Status, out.Status, map[string]any{"createdAssets": created}))
	})
}

// createOrderedAssets creates line l's assets: tags first (the sequence
// is read and advanced one at a time, skipping hand-entered tags), then
// every insert, history entry, provenance row and link in one batch.
func createOrderedAssets(ctx context.Context, tx pgx.Tx, p itam.Principal, o *procurement.Order, l procurement.Line, owner uuid.UUID) (int, error) {
	mfr, _, err := modelInfo(ctx, tx, l.ModelID)
	if err != nil {
		return 0, err
	}
	ordered, price := itam.StatusOrdered, l.Price()
	date, supplier, number := o.OrderDate, o.SupplierID, o.OrderNumber
	tags, err := reserveAssetTags(ctx, tx, p.OrgID, l.Quantity)
	if err != nil {
		return 0, err
	}
	assets := make([]*itam.Asset, l.Quantity)
	for i := range assets {
		tag := tags[i]
		// Required custom fields are not asked for here: an ORDERED asset
		// gets them when someone edits it (updateAsset checks them then).
		ch, err := lifecycle.Create(itam.AssetInput{AssetTag: &tag, ModelID: l.ModelID, Status: &ordered, OwnerTeamID: &owner,
			PurchaseDate: &date, PurchasePrice: &price, SupplierID: &supplier, OrderNumber: &number}, nil)
		if err != nil {
			return 0, err
		}
		ch.Asset.OrgID, ch.Asset.ManufacturerID, ch.Asset.CustomFields = p.OrgID, mfr, map[string]any{}
		if assets[i], err = ch.Asset.Normalize(); err != nil {
			return 0, err
		}
	}
	// Inserts go in batches of approveBatch: a pipeline shares one
	// statement timeout until its end, and each insert runs the cost
	// triggers, so one batch of thousands could outlast it.
	ids := make([]uuid.UUID, 0, len(assets))
	for chunk := range slices.Chunk(assets, approveBatch) {
		b := &pgx.Batch{}
		for _, n := range chunk {
			pr, cur := priceArgs(n.PurchasePrice)
			queueRows(b, assetInsert, []any{p.OrgID, n.AssetTag, n.SerialNumber, n.Name, n.ModelID, n.ManufacturerID,
				string(n.Status), string(n.Condition), n.AssignedPersonID, n.AssignedLocationID, n.OwnerPersonID, n.OwnerTeamID,
				n.LocationID, n.PurchaseDate, pr, cur, n.SupplierID, n.OrderNumber, n.InvoiceNumber, n.WarrantyEnd,
				n.EndOfLife, n.Notes, n.CustomFields, n.DepreciationProfileID, n.InServiceDate}, scanAsset, func(a *itam.Asset) {
				ids = append(ids, a.ID)
			})
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return 0, err
		}
	}
	return len(ids), linkOrderedAssets(ctx, tx, p, l, ids)
}

// linkOrderedAssets ties the new assets to their line, records their
// creation in their history and the purchase fields' provenance.
func linkOrderedAssets(ctx context.Context, tx pgx.Tx, p itam.Principal, l procurement.Line, ids []uuid.UUID) error {
	rows, _ := tx.Query(ctx, `UPDATE assets a SET purchase_order_line_id = $2 WHERE a.id = ANY($1::uuid[]) RETURNING `+assetColumns, ids, l.ID)
	assets, err := pgx.CollectRows(rows, scanAsset)
	if err != nil {
		return err
	}
	for chunk := range slices.Chunk(assets, approveBatch) {
		b := &pgx.Batch{}
		for _, a := range chunk {
			b.Queue(insertHistorySQL, procurementHistoryArgs(p, itam.HistoryCreate, nil, a, itam.DiffAssets(nil, a))...)
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO field_provenance (org_id, asset_id, field, source, observed_at, locked)
		SELECT $1, a, f, $4, now(), false FROM unnest($2::uuid[]) a, unnest($3::text[]) f`,
		p.OrgID, ids, []string{reconcile.FieldPurchaseDate, reconcile.FieldPurchasePrice}, reconcile.SourceProcurement)
	return err
}

// approveBatch is how many assets approval writes per round trip.
const approveBatch = 250

// Receipt is what receiving a line did: the order and line after it, and
// the assets that arrived.
type Receipt struct {
	Order  *procurement.Order
	Line   procurement.Line
	Assets []*itam.Asset
}

// ReceivePurchaseOrderLine receives items against a line (see
// procurement.Receive): each takes one of the line's ORDERED assets (by
// tag order), which gets the item's serial (and tag, when given) and moves
// to IN_STOCK at the location through lifecycle.Move. A serial or tag
// another asset holds is BAD_USER_INPUT naming the item and that asset.
// The order's status follows procurement.AfterReceipt. One transaction:
// any refusal writes nothing.
func (s *PurchaseOrderStore) ReceivePurchaseOrderLine(ctx context.Context, lineID, locationID uuid.UUID, items []procurement.ReceiptItem) (*Receipt, error) {
	p, err := procurement.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*Receipt, error) {
		var orderID uuid.UUID
		err := tx.QueryRow(ctx, `SELECT purchase_order_id FROM purchase_order_lines WHERE id = $1`, lineID).Scan(&orderID)
		if err == pgx.ErrNoRows {
			return nil, procurement.NotFoundField("lineId", "purchase order line")
		}
		if err != nil {
			return nil, err
		}
		o, err := lockPO(ctx, tx, orderID, nil)
		if err != nil {
			return nil, err
		}
		idx := -1
		for i, l := range o.Lines {
			if l.ID == lineID {
				idx = i
			}
		}
		if idx < 0 {
			return nil, procurement.NotFoundField("lineId", "purchase order line")
		}
		if items, err = procurement.Receive(*o, o.Lines[idx], items); err != nil {
			return nil, err
		}
		if err := checkLocation(ctx, tx, "locationId", &locationID); err != nil {
			return nil, err
		}
		rows, _ := tx.Query(ctx, `SELECT `+assetColumns+` FROM assets a WHERE a.purchase_order_line_id = $1 AND a.status = 'ORDERED'
			ORDER BY a.asset_tag, a.id LIMIT $2 FOR UPDATE`, lineID, len(items))
		waiting, err := pgx.CollectRows(rows, scanAsset)
		if err != nil {
			return nil, err
		}
		if len(waiting) < len(items) {
			// Some of the line's assets left ORDERED another way (marked LOST).
			return nil, itam.Invalid(fmt.Sprintf("items[%d]", len(waiting)), "line %d of order %s has %d ORDERED asset(s) left to receive, got %d items",
				o.Lines[idx].Position+1, o.OrderNumber, len(waiting), len(items))
		}
		if err := checkReceiptClashes(ctx, tx, items, waiting); err != nil {
			return nil, err
		}
		out := &Receipt{}
		for i, it := range items {
			a, err := receiveAsset(ctx, tx, p, *waiting[i], it, locationID)
			if err != nil {
				return nil, err
			}
			out.Assets = append(out.Assets, a)
		}
		if _, err := tx.Exec(ctx, `UPDATE purchase_order_lines SET received = received + $2 WHERE id = $1`, lineID, len(items)); err != nil {
			return nil, err
		}
		before := o.Lines[idx].Received
		o.Lines[idx].Received += len(items)
		if out.Order, err = setPOStatus(ctx, tx, p, o, procurement.AfterReceipt(*o)); err != nil {
			return nil, err
		}
		out.Line = o.Lines[idx]
		field := fmt.Sprintf("lines[%d].received", out.Line.Position)
		changes := statusChange(o.Status, out.Order.Status, nil)
		for k, v := range itam.DiffSnapshots(map[string]any{field: before}, map[string]any{field: out.Line.Received}) {
			changes[k] = v
		}
		return out, insertPOHistory(ctx, tx, p, orderID, procurement.HistoryReceive, changes)
	})
}

// checkReceiptClashes refuses an item whose serial any asset of the
// organization holds, or whose tag an asset other than the one it takes
// holds, naming the item and the asset.
func checkReceiptClashes(ctx context.Context, tx pgx.Tx, items []procurement.ReceiptItem, takes []*itam.Asset) error {
	serials, tags := make([]string, len(items)), []string{}
	for i, it := range items {
		serials[i] = strings.ToUpper(it.SerialNumber)
		if it.AssetTag != nil {
			tags = append(tags, strings.ToLower(*it.AssetTag))
		}
	}
	type holder struct {
		id       uuid.UUID
		key, tag string
	}
	scan := func(r pgx.CollectableRow) (holder, error) {
		var h holder
		return h, r.Scan(&h.id, &h.key, &h.tag)
	}
	rows, _ := tx.Query(ctx, `SELECT id, serial_key, asset_tag FROM assets WHERE serial_key = ANY($1::text[])`, serials)
	bySerial, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return err
	}
	rows, _ = tx.Query(ctx, `SELECT id, asset_tag_key, asset_tag FROM assets WHERE asset_tag_key = ANY($1::text[])`, tags)
	byTag, err := pgx.CollectRows(rows, scan)
	if err != nil {
		return err
	}
	for i, it := range items {
		for _, h := range bySerial {
			if h.key == serials[i] {
				return itam.Invalid(fmt.Sprintf("items[%d].serialNumber", i), "serial number %s is already recorded on asset %s", it.SerialNumber, h.tag)
			}
		}
		if it.AssetTag == nil {
			continue
		}
		for _, h := range byTag {
			if h.key == strings.ToLower(*it.AssetTag) && h.id != takes[i].ID {
				return itam.Invalid(fmt.Sprintf("items[%d].assetTag", i), "asset tag %s is already used by another asset", h.tag)
			}
		}
	}
	return nil
}

// receiveAsset gives one ORDERED asset its serial (and tag) and moves it
// to IN_STOCK at the location, through lifecycle.Move, with its history.
func receiveAsset(ctx context.Context, tx pgx.Tx, p itam.Principal, before itam.Asset, it procurement.ReceiptItem, location uuid.UUID) (*itam.Asset, error) {
	a := before
	serial := it.SerialNumber
	a.SerialNumber, a.LocationID = &serial, &location
	if it.AssetTag != nil {
		a.AssetTag = *it.AssetTag
	}
	ch, err := lifecycle.Move(a, itam.StatusInStock)
	if err != nil {
		return nil, err
	}
	n, err := ch.Asset.Normalize()
	if err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `UPDATE assets a SET asset_tag = $2, serial_number = $3, status = $4::text::asset_status, location_id = $5,
		assigned_person_id = $6, assigned_location_id = $7, version = a.version + 1, updated_at = now()
		WHERE a.id = $1 RETURNING `+assetColumns,
		n.ID, n.AssetTag, n.SerialNumber, string(n.Status), n.LocationID, n.AssignedPersonID, n.AssignedLocationID)
	after, err := pgx.CollectExactlyOneRow(rows, scanAsset)
	if err != nil {
		return nil, err
	}
	_, err = tx.Exec(ctx, insertHistorySQL, procurementHistoryArgs(p, ch.Action, &before, after, itam.DiffAssets(&before, after))...)
	return after, err
}
