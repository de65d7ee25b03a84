package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// The status changes of an asset: each locks the row, lets internal/lifecycle
// decide, and saves what it decided (see mutate). The trigger of migration
// 00019 opens and closes the asset_checkouts rows as the holder changes;
// saveCheckouts then writes what only the API knows into them, in the same
// transaction.

// AssignAsset checks an asset out to a person or a location with no terms
// (see CheckOutAsset).
func (s *AssetStore) AssignAsset(ctx context.Context, id uuid.UUID, to itam.Assignee, version *int) (*itam.Asset, error) {
	return s.CheckOutAsset(ctx, id, lifecycle.AssignRequest{To: to}, version)
}

// CheckOutAsset checks an asset out as lifecycle.Assign decides (it becomes
// DEPLOYED and moves with its holder; handing it on needs req.Reassign)
// and records the terms (due date, acceptance) and who checked it out on
// the checkout it opens.
func (s *AssetStore) CheckOutAsset(ctx context.Context, id uuid.UUID, req lifecycle.AssignRequest, version *int) (*itam.Asset, error) {
	change, then := checkOutChange(ctx, req)
	return s.mutateThen(ctx, id, version, change, then)
}

// checkOutChange is CheckOutAsset's decision and what it writes with it.
func checkOutChange(ctx context.Context, req lifecycle.AssignRequest) (assetChange, assetThen) {
	return func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
			facts, err := assignFacts(ctx, tx, before, req.To)
			if err != nil {
				return lifecycle.Change{}, err
			}
			ch, err := lifecycle.Assign(before, req, facts)
			if err != nil {
				return ch, err
			}
			if err := checkAssignee(ctx, tx, req.To); err != nil {
				return ch, err
			}
			return ch, checkLocation(ctx, tx, "locationId", req.LocationID)
		}, func(tx pgx.Tx, p itam.Principal, before, after *itam.Asset) error {
			return saveCheckouts(ctx, tx, p, before, after, &req, nil)
		}
}

// assignFacts reads what lifecycle.Assign needs, in one round trip: the
// current holder's name and the new person's location.
func assignFacts(ctx context.Context, tx pgx.Tx, a itam.Asset, to itam.Assignee) (lifecycle.AssignFacts, error) {
	f := lifecycle.AssignFacts{Today: time.Now()}
	var holder *string
	err := tx.QueryRow(ctx, `SELECT coalesce((SELECT name FROM people WHERE id = $1), (SELECT name FROM locations WHERE id = $2)),
		(SELECT location_id FROM people WHERE id = $3)`, a.AssignedPersonID, a.AssignedLocationID, to.PersonID).Scan(&holder, &f.PersonLocation)
	if holder != nil {
		f.Holder = *holder
	}
	return f, err
}

// checkLocation checks that an optional location exists in the caller's
// organization: NOT_FOUND naming field when not.
func checkLocation(ctx context.Context, tx pgx.Tx, field string, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM locations WHERE id = $1)`, *id).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return notFoundField(field, "location")
	}
	return nil
}

// UnassignAsset checks an asset back in; a DEPLOYED asset returns to IN_STOCK.
func (s *AssetStore) UnassignAsset(ctx context.Context, id uuid.UUID, version *int) (*itam.Asset, error) {
	return s.mutateThen(ctx, id, version, func(_ pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		return lifecycle.Unassign(before)
	}, func(tx pgx.Tx, p itam.Principal, before, after *itam.Asset) error {
		return saveCheckouts(ctx, tx, p, before, after, nil, nil)
	})
}

// TransitionAsset moves an asset to another lifecycle status (see
// lifecycle.Move). Returning to stock checks it in; a repair keeps the holder.
func (s *AssetStore) TransitionAsset(ctx context.Context, id uuid.UUID, to itam.AssetStatus, version *int) (*itam.Asset, error) {
	change, then := transitionChange(ctx, to)
	return s.mutateThen(ctx, id, version, change, then)
}

// transitionChange is TransitionAsset's decision and what it writes with it.
func transitionChange(ctx context.Context, to itam.AssetStatus) (assetChange, assetThen) {
	return func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
			if to == itam.StatusRetired {
				if err := checkRetirable(ctx, tx, before); err != nil {
					return lifecycle.Change{}, err
				}
			}
			return lifecycle.Move(before, to)
		}, func(tx pgx.Tx, p itam.Principal, before, after *itam.Asset) error {
			return saveCheckouts(ctx, tx, p, before, after, nil, nil)
		}
}

// CheckinAsset returns a DEPLOYED asset to stock as lifecycle.Checkin
// decides, and closes its checkout with who returned it, the condition and
// the notes.
func (s *AssetStore) CheckinAsset(ctx context.Context, id uuid.UUID, req lifecycle.CheckinRequest, version *int) (*itam.Asset, error) {
	req.Notes = itam.Trimmed(req.Notes)
	return s.mutateThen(ctx, id, version, func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		ch, err := lifecycle.Checkin(before, req)
		if err != nil {
			return ch, err
		}
		return ch, checkLocation(ctx, tx, "locationId", req.LocationID)
	}, func(tx pgx.Tx, p itam.Principal, before, after *itam.Asset) error {
		return saveCheckouts(ctx, tx, p, before, after, nil, &req)
	})
}

// saveCheckouts completes the checkout rows the trigger just closed or
// opened for a change from before to after: the closed one gets who
// returned it (and, from checkinAsset, the condition and notes; offboarding
// hears of it), the opened one who checked it out and the terms of req.
// The trigger ran in this transaction, so now() is its returned_at.
func saveCheckouts(ctx context.Context, tx pgx.Tx, p itam.Principal, before, after *itam.Asset, req *lifecycle.AssignRequest, ret *lifecycle.CheckinRequest) error {
	if lifecycle.Returned(*before, *after) {
		var cond *string
		var notes *string
		if ret != nil {
			cond, notes = ptr(string(ret.Condition)), ret.Notes
		}
		if _, err := tx.Exec(ctx, `UPDATE asset_checkouts SET returned_by = $2, return_condition = $3, return_notes = $4
			WHERE asset_id = $1 AND returned_at = now()`, after.ID, p.Subject, cond, notes); err != nil {
			return err
		}
		if err := afterAssetReturned(ctx, tx, p, after.ID); err != nil {
			return err
		}
	}
	if req != nil && (after.AssignedPersonID != nil || after.AssignedLocationID != nil) {
		var due *time.Time
		if req.ExpectedReturn != nil {
			due = ptr(itam.CalendarDay(*req.ExpectedReturn))
		}
		if _, err := tx.Exec(ctx, `UPDATE asset_checkouts SET checked_out_by = $2, expected_return_date = $3, requires_acceptance = $4
			WHERE asset_id = $1 AND returned_at IS NULL`, after.ID, p.Subject, due, req.RequireAcceptance); err != nil {
			return err
		}
	}
	return nil
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
