package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// Bulk changes run the single-item store path (mutateLocked, assignSeat) for
// every item of a selection, in one transaction with a savepoint per item:
// a refused item rolls back to its savepoint and the next goes on, so every
// item is reported; at the end itam.BulkResult.Settle decides whether the
// transaction commits (partial, or nothing refused) or rolls back whole.
// History, checkouts, cost entries and the connector push outbox are
// written by that path and its triggers exactly as for one item.

// errBulkRefused rolls back an all-or-nothing call that had a refused
// item; the call still answers with its items.
var errBulkRefused = errors.New("bulk change refused")

// BulkUpdateAssets applies one patch of descriptive fields to every asset
// of sel, as UpdateAsset does (no version check: the caller chose the
// assets by id or filter, not by a version read).
func (s *AssetStore) BulkUpdateAssets(ctx context.Context, sel itam.BulkSelection, patch itam.AssetPatch, partial bool) (itam.BulkResult[*itam.Asset], error) {
	if err := itam.CheckBulkPatch(patch); err != nil {
		return itam.BulkResult[*itam.Asset]{}, err
	}
	return s.bulkAssets(ctx, sel, partial, func(id uuid.UUID) (assetChange, assetThen) {
		in := patch
		in.ID = id
		var tried *itam.Asset
		return updateChange(ctx, in, &tried), nil
	})
}

// BulkTransitionAssets moves every asset of sel to status to, as
// TransitionAsset does.
func (s *AssetStore) BulkTransitionAssets(ctx context.Context, sel itam.BulkSelection, to itam.AssetStatus, partial bool) (itam.BulkResult[*itam.Asset], error) {
	return s.bulkAssets(ctx, sel, partial, func(uuid.UUID) (assetChange, assetThen) {
		return transitionChange(ctx, to)
	})
}

// BulkAssignAssets checks every asset of sel out as req says, as
// CheckOutAsset does.
func (s *AssetStore) BulkAssignAssets(ctx context.Context, sel itam.BulkSelection, req lifecycle.AssignRequest, partial bool) (itam.BulkResult[*itam.Asset], error) {
	return s.bulkAssets(ctx, sel, partial, func(uuid.UUID) (assetChange, assetThen) {
		return checkOutChange(ctx, req)
	})
}

// bulkAssets runs the change change builds for each asset of sel.
func (s *AssetStore) bulkAssets(ctx context.Context, sel itam.BulkSelection, partial bool,
	change func(id uuid.UUID) (assetChange, assetThen)) (itam.BulkResult[*itam.Asset], error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return itam.BulkResult[*itam.Asset]{}, err
	}
	var locked map[uuid.UUID]*itam.Asset
	return runBulk(ctx, s.db, p, sel, partial, func(tx pgx.Tx, ids []uuid.UUID) error {
		// Every row read and locked up front, in one statement and in id
		// order: two bulk calls over overlapping assets then wait for each
		// other instead of deadlocking on rows each locked in its own order.
		rows, _ := tx.Query(ctx, "SELECT "+assetColumns+" FROM assets a WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR UPDATE", ids)
		found, err := pgx.CollectRows(rows, scanAsset)
		locked = make(map[uuid.UUID]*itam.Asset, len(found))
		for _, a := range found {
			locked[a.ID] = a
		}
		return err
	}, func(tx pgx.Tx, id uuid.UUID) (*itam.Asset, error) {
		before, ok := locked[id]
		if !ok {
			return nil, itam.NotFound("asset") // unknown, deleted, or another organization's
		}
		ch, then := change(id)
		return mutateLocked(ctx, tx, p, before, ch, then)
	})
}

// runBulk resolves sel to ids, lets prepare read or lock what every item
// needs, applies apply to each id (see eachItem), and commits or
// rolls back as the result settles.
func runBulk[T any](ctx context.Context, db *DB, p itam.Principal, sel itam.BulkSelection, partial bool,
	prepare func(tx pgx.Tx, ids []uuid.UUID) error, apply func(tx pgx.Tx, id uuid.UUID) (T, error)) (itam.BulkResult[T], error) {
	var res itam.BulkResult[T]
	if err := sel.Check(); err != nil {
		return res, err
	}
	err := db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		ids, err := bulkTargets(ctx, tx, p, sel)
		if err != nil {
			return err
		}
		if prepare != nil {
			if err := prepare(tx, ids); err != nil {
				return err
			}
		}
		if res.Items, err = eachItem(ctx, tx, ids, partial, apply); err != nil {
			return err
		}
		if !res.Settle(partial) {
			return errBulkRefused
		}
		return nil
	})
	if errors.Is(err, errBulkRefused) {
		return res, nil
	}
	if err != nil {
		return itam.BulkResult[T]{}, err
	}
	return res, nil
}

// bulkTargets is the assets sel names: its ids as given, or its filter's
// matches in asset tag order (visible to p), refused when there are more
// than itam.MaxBulkItems of them.
func bulkTargets(ctx context.Context, tx pgx.Tx, p itam.Principal, sel itam.BulkSelection) ([]uuid.UUID, error) {
	if sel.Filter == nil {
		return sel.IDs, nil
	}
	args := &sqlArgs{}
	where := append([]string{"TRUE"}, visibility(p, args)...)
	cond, err := assetFilterSQL(sel.Filter, args, "filter")
	if err != nil {
		return nil, err
	}
	where = append(where, cond)
	from := "FROM assets a WHERE " + strings.Join(where, " AND ")
	rows, _ := tx.Query(ctx, fmt.Sprintf("SELECT a.id %s ORDER BY a.asset_tag_key, a.id LIMIT %d", from, itam.MaxBulkItems+1), args.list...)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil || len(ids) <= itam.MaxBulkItems {
		return ids, err
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) "+from, args.list...).Scan(&n); err != nil {
		return nil, err
	}
	return nil, itam.CheckBulkMatches(n)
}

// eachItem applies apply to every id. An item refused for its own reasons
// (itam.BulkItemError) is rolled back and reported, and the next one goes
// on; any other error fails the call.
//
// With partial, every item runs after a savepoint, rolled back to when the
// item is refused; one savepoint name is released and set again in one
// round trip per item (pgx's nested transactions take two) and never
// stacked: subtransactions held open by the hundred slow every session.
// All-or-nothing, items run without savepoints while they all succeed (the
// common case, one round trip less each): the first refusal decides that
// nothing is applied, so the transaction goes back to its start and the
// remaining items are only evaluated, each after a savepoint, to report them.
func eachItem[T any](ctx context.Context, tx pgx.Tx, ids []uuid.UUID, partial bool, apply func(tx pgx.Tx, id uuid.UUID) (T, error)) ([]itam.BulkItem[T], error) {
	out := make([]itam.BulkItem[T], len(ids))
	perItem, marked := partial, false
	if !perItem {
		if _, err := tx.Exec(ctx, "SAVEPOINT bulk_start"); err != nil {
			return nil, err
		}
	}
	for i, id := range ids {
		out[i].ID = id
		if perItem {
			mark := "SAVEPOINT bulk_item"
			if marked {
				mark = "RELEASE SAVEPOINT bulk_item; SAVEPOINT bulk_item"
			}
			if _, err := tx.Exec(ctx, mark); err != nil {
				return nil, err
			}
			marked = true
		}
		v, err := apply(tx, id)
		if err == nil {
			out[i].Value = v
			continue
		}
		e, ok := itam.BulkItemError(mapError(err))
		if !ok {
			return nil, err
		}
		out[i].Err = e
		back := "ROLLBACK TO SAVEPOINT bulk_item"
		if !perItem {
			back, perItem = "ROLLBACK TO SAVEPOINT bulk_start", true
		}
		if _, err := tx.Exec(ctx, back); err != nil {
			return nil, err
		}
	}
	return out, nil
}
