package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
)

// CheckoutStore reads asset checkouts (the asset_checkouts rows the
// assignment trigger keeps) and records their acceptance. Assigning and
// checking in are AssetStore's (assets_lifecycle.go): they change the asset.
type CheckoutStore struct{ db *DB }

// NewCheckoutStore returns a CheckoutStore over db.
func NewCheckoutStore(db *DB) *CheckoutStore { return &CheckoutStore{db: db} }

const checkoutColumns = `c.id, c.asset_id, c.person_id, c.location_id, c.checked_out_at, c.checked_out_by, c.expected_return_date,
	c.requires_acceptance, c.accepted_at, c.accepted_by, c.returned_at, c.returned_by, c.return_condition, c.return_notes`

func scanCheckout(r pgx.CollectableRow) (*lifecycle.Checkout, error) {
	var c lifecycle.Checkout
	err := r.Scan(&c.ID, &c.AssetID, &c.PersonID, &c.LocationID, &c.CheckedOutAt, &c.CheckedOutBy, &c.ExpectedReturnDate,
		&c.RequiresAcceptance, &c.AcceptedAt, &c.AcceptedBy, &c.ReturnedAt, &c.ReturnedBy, &c.ReturnCondition, &c.ReturnNotes)
	return &c, err
}

// checkoutVisibility restricts an EMPLOYEE, as for assets (visibility), to
// the assets they hold, and among those assets' checkouts to their own: who
// held the asset before them is not theirs to read. Everyone else sees the
// whole organization (RLS bounds it to that).
func checkoutVisibility(p itam.Principal, args *sqlArgs) []string {
	if p.CanReadAll() {
		return nil
	}
	me := fmt.Sprintf("(SELECT id FROM people WHERE email_key = lower(%s))", args.add(p.Subject))
	return []string{"c.person_id IN " + me, "c.asset_id IN (SELECT id FROM assets WHERE assigned_person_id = c.person_id)"}
}

// CheckoutsByIDs returns the visible checkouts among ids, keyed by id.
func (s *CheckoutStore) CheckoutsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*lifecycle.Checkout, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return visibleByIDs(ctx, s.db, p, checkoutColumns, "asset_checkouts c", "c.id", ids, checkoutVisibility, scanCheckout,
		func(c *lifecycle.Checkout) uuid.UUID { return c.ID })
}

// CurrentCheckouts returns the open checkout of each of assetIDs that has
// one (and the caller may see), keyed by asset id, in one round trip.
func (s *CheckoutStore) CurrentCheckouts(ctx context.Context, assetIDs []uuid.UUID) (map[uuid.UUID]*lifecycle.Checkout, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	where := append(checkoutVisibility(p, args), "c.asset_id = ANY("+args.add(assetIDs)+"::uuid[])", "c.returned_at IS NULL")
	out := make(map[uuid.UUID]*lifecycle.Checkout, len(assetIDs))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT "+checkoutColumns+" FROM asset_checkouts c WHERE "+strings.Join(where, " AND "), args.list, scanCheckout,
			func(c *lifecycle.Checkout) { out[c.AssetID] = c })
	})
	return out, err
}

// checkoutKey is the text of a checkout's checked_out_at as a cursor keeps it.
func checkoutKey(c *lifecycle.Checkout) string { return c.CheckedOutAt.UTC().Format(time.RFC3339Nano) }

// CheckoutsOf returns the same page of each asset's checkouts, newest
// first, for many assets in one round trip (Asset.checkouts of a page).
func (s *CheckoutStore) CheckoutsOf(ctx context.Context, assetIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*lifecycle.Checkout], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	spec := listSpec[*lifecycle.Checkout]{
		columns: checkoutColumns, from: "asset_checkouts c", idExpr: "c.id", where: checkoutVisibility(p, args), args: args,
		sort: sortKey[*lifecycle.Checkout]{"c.checked_out_at", "timestamptz", checkoutKey}, dir: itam.Desc,
		id: func(c *lifecycle.Checkout) string { return c.ID.String() }, scan: scanCheckout,
	}
	return listEach(ctx, s.db, p.OrgID, spec, assetIDs, func(parent string) string { return "c.asset_id = " + parent }, page)
}

// CountCheckoutsOf counts each asset's visible checkouts, in one statement.
func (s *CheckoutStore) CountCheckoutsOf(ctx context.Context, assetIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	return countEach(ctx, s.db, p.OrgID, "asset_checkouts c", checkoutVisibility(p, args), args, assetIDs,
		func(parent string) string { return "c.asset_id = " + parent })
}

// overdueWhere selects the open checkouts due before today (UTC) that f
// and the caller's visibility allow.
func overdueWhere(p itam.Principal, f lifecycle.OverdueFilter, today time.Time) ([]string, *sqlArgs, error) {
	due, err := f.DueBefore(today)
	if err != nil {
		return nil, nil, err
	}
	args := &sqlArgs{}
	where := append(checkoutVisibility(p, args), "c.returned_at IS NULL", "c.expected_return_date IS NOT NULL",
		"c.expected_return_date <= "+args.add(due)+"::date")
	if f.Assignees != nil {
		ids := args.add(f.Assignees)
		where = append(where, "(c.person_id = ANY("+ids+"::uuid[]) OR c.location_id = ANY("+ids+"::uuid[]))")
	}
	return where, args, nil
}

// OverdueCheckouts lists the open checkouts whose expected return date is
// before today (the organization's day is UTC's), oldest due first, keyset
// paginated on (due date, id).
func (s *CheckoutStore) OverdueCheckouts(ctx context.Context, f lifecycle.OverdueFilter, page itam.PageArgs) (itam.Page[*lifecycle.Checkout], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[*lifecycle.Checkout]{}, err
	}
	where, args, err := overdueWhere(p, f, time.Now())
	if err != nil {
		return itam.Page[*lifecycle.Checkout]{}, err
	}
	spec := listSpec[*lifecycle.Checkout]{
		columns: checkoutColumns, from: "asset_checkouts c", idExpr: "c.id", where: where, args: args,
		sort: sortKey[*lifecycle.Checkout]{"c.expected_return_date", "date", func(c *lifecycle.Checkout) string {
			return c.ExpectedReturnDate.Format(time.DateOnly)
		}}, dir: itam.Asc,
		id: func(c *lifecycle.Checkout) string { return c.ID.String() }, scan: scanCheckout,
	}
	return list(ctx, s.db, p.OrgID, spec, page)
}

// CountOverdue counts what OverdueCheckouts lists.
func (s *CheckoutStore) CountOverdue(ctx context.Context, f lifecycle.OverdueFilter) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	where, args, err := overdueWhere(p, f, time.Now())
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "asset_checkouts c", where, args)
}

// MyPendingAcceptances lists the caller's own open checkouts that wait for
// them to accept (acceptAssetAssignment), oldest first; empty for a caller
// without a person record. A person holds few assets: at most
// itam.MaxListItems are returned.
func (s *CheckoutStore) MyPendingAcceptances(ctx context.Context) ([]*lifecycle.Checkout, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return query(ctx, s.db, p.OrgID, "SELECT "+checkoutColumns+` FROM asset_checkouts c
		WHERE c.person_id IN (SELECT id FROM people WHERE email_key = lower($1)) AND c.returned_at IS NULL
		AND c.requires_acceptance AND c.accepted_at IS NULL ORDER BY c.checked_out_at, c.id LIMIT $2`,
		[]any{p.Subject, itam.MaxListItems}, scanCheckout)
}

// AcceptAssetAssignment records that the caller, the person an asset is
// checked out to, confirmed receipt (lifecycle.Accept decides; any role may
// ask, only that person succeeds), with an ACCEPT history entry carrying the
// time. It returns the checkout as accepted.
func (s *CheckoutStore) AcceptAssetAssignment(ctx context.Context, assetID uuid.UUID) (*lifecycle.Checkout, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var out *lifecycle.Checkout
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		// Locking the asset orders this after any assignment in flight.
		a, err := lockAsset(ctx, tx, assetID, nil)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, "SELECT "+checkoutColumns+" FROM asset_checkouts c WHERE c.asset_id = $1 AND c.returned_at IS NULL FOR UPDATE", a.ID)
		open, err := pgx.CollectRows(rows, scanCheckout)
		if err != nil {
			return err
		}
		var c *lifecycle.Checkout
		if len(open) > 0 {
			c = open[0]
		}
		var me *uuid.UUID
		if err := tx.QueryRow(ctx, `SELECT (SELECT id FROM people WHERE email_key = lower($1))`, p.Subject).Scan(&me); err != nil {
			return err
		}
		if err := lifecycle.Accept(c, me); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, "UPDATE asset_checkouts c SET accepted_at = now(), accepted_by = $2 WHERE c.id = $1 RETURNING "+checkoutColumns, c.ID, p.Subject)
		if out, err = pgx.CollectExactlyOneRow(rows, scanCheckout); err != nil {
			return err
		}
		at, _ := json.Marshal(out.AcceptedAt.UTC())
		changes := map[string]map[string]json.RawMessage{"acceptedAt": {"from": json.RawMessage("null"), "to": at}}
		_, err = tx.Exec(ctx, insertHistorySQL, historyArgs(p, itam.HistoryAccept, a, a, changes)...)
		return err
	})
	return out, err
}
