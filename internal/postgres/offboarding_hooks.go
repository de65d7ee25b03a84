package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/offboarding"
)

// Offboarding checklist items close when what they list comes back. The
// paths that bring things back (checking an asset in, unassigning it,
// reclaiming a seat) call these in their own transaction, so an item can
// never say TO_RETURN for something already returned.

// afterAssetReturned is called in the transaction that checks assetID in
// (checkinAsset, unassignAsset, a move to IN_STOCK) after the asset is saved:
// its TO_RETURN item of an open checklist becomes RETURNED.
func afterAssetReturned(ctx context.Context, tx pgx.Tx, p itam.Principal, assetID uuid.UUID) error {
	return closeOpenItems(ctx, tx, p, "asset_id", assetID)
}

// afterSeatReclaimed is called in the transaction that reclaims seatID: its
// TO_RETURN item of an open checklist becomes RECLAIMED.
func afterSeatReclaimed(ctx context.Context, tx pgx.Tx, p itam.Principal, seatID uuid.UUID) error {
	return closeOpenItems(ctx, tx, p, "seat_id", seatID)
}

// closeOpenItems closes the TO_RETURN items listing id (col: asset_id or
// seat_id) in open checklists, and completes each checklist whose last
// item that was. The checklist is locked before its items, as a write-off
// does, so the two cannot deadlock.
func closeOpenItems(ctx context.Context, tx pgx.Tx, p itam.Principal, col string, id uuid.UUID) error {
	rows, _ := tx.Query(ctx, `SELECT DISTINCT i.checklist_id FROM offboarding_items i
		JOIN offboarding_checklists x ON x.id = i.checklist_id AND x.status = 'OPEN'
		WHERE i.`+col+` = $1 AND i.state = 'TO_RETURN'`, id)
	checklists, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return err
	}
	now := time.Now()
	for _, cid := range checklists {
		c, err := lockChecklist(ctx, tx, cid)
		if err != nil {
			return err
		}
		for _, it := range c.Items {
			listed := it.AssetID
			if col == "seat_id" {
				listed = it.SeatID
			}
			if listed == nil || *listed != id {
				continue
			}
			before := it.State
			if !offboarding.CameBack(it, p.Subject, now) {
				continue
			}
			if err := saveClosedItem(ctx, tx, p, c, it, before); err != nil {
				return err
			}
		}
		if err := completeIfDone(ctx, tx, p, c); err != nil {
			return err
		}
	}
	return nil
}
