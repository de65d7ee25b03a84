package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// The status changes of an asset: each locks the row, lets internal/lifecycle
// decide, and saves what it decided (see mutate).

// AssignAsset checks an asset out to a person or a location; it becomes DEPLOYED.
func (s *AssetStore) AssignAsset(ctx context.Context, id uuid.UUID, to itam.Assignee, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		ch, err := lifecycle.Assign(before, to)
		if err != nil {
			return ch, err
		}
		return ch, checkAssignee(ctx, tx, to)
	})
}

// UnassignAsset checks an asset back in; a DEPLOYED asset returns to IN_STOCK.
func (s *AssetStore) UnassignAsset(ctx context.Context, id uuid.UUID, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, func(_ pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		return lifecycle.Unassign(before)
	})
}

// TransitionAsset moves an asset to another lifecycle status. Returning to
// stock (from deployment, repair, or found after loss) checks it in.
func (s *AssetStore) TransitionAsset(ctx context.Context, id uuid.UUID, to itam.AssetStatus, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		if to == itam.StatusRetired {
			if err := checkRetirable(ctx, tx, before); err != nil {
				return lifecycle.Change{}, err
			}
		}
		return lifecycle.Move(before, to)
	})
}

// DeleteAsset removes an asset entered by mistake, if lifecycle.Delete
// allows it. History rows remain.
func (s *AssetStore) DeleteAsset(ctx context.Context, id uuid.UUID, version *int) (*itam.Asset, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.Asset
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		a, err := lockAsset(ctx, tx, id, version)
		if err != nil {
			return err
		}
		ch, err := lifecycle.Delete(*a)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, insertHistorySQL, historyArgs(p, ch.Action, a, nil, nil)...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM assets WHERE id = $1`, a.ID); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
