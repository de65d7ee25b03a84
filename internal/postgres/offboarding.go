package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/offboarding"
)

// Offboarding checklists: loading and saving what internal/offboarding
// decides. Opening one marks the person OFFBOARDED and lists what they hold
// in one transaction; items close in the transaction of the check-in or
// reclaim that brings their thing back (offboarding_hooks.go) or by a
// write-off; every change writes an offboarding_history row.

// OffboardingStore loads and saves offboarding checklists.
type OffboardingStore struct{ db *DB }

// NewOffboardingStore returns an OffboardingStore over db.
func NewOffboardingStore(db *DB) *OffboardingStore { return &OffboardingStore{db: db} }

func init() {
	constraintFields["offboarding_checklists_open"] = constraintField{"personId", "this person is already being offboarded: a checklist is open"}
}

const checklistColumns = `x.id, x.person_id, x.effective_date, x.status, x.opened_at, x.opened_by, x.completed_at`

func scanChecklist(r pgx.CollectableRow) (*offboarding.Checklist, error) {
	var c offboarding.Checklist
	err := r.Scan(&c.ID, &c.PersonID, &c.EffectiveDate, &c.Status, &c.OpenedAt, &c.OpenedBy, &c.CompletedAt)
	c.Items = []*offboarding.Item{}
	return &c, err
}

const itemColumns = `i.id, i.checklist_id, i.kind, i.state, i.asset_id, i.seat_id, i.expected_return_date, i.reason, i.closed_at, i.closed_by`

func scanItem(r pgx.CollectableRow) (*offboarding.Item, error) {
	var it offboarding.Item
	err := r.Scan(&it.ID, &it.ChecklistID, &it.Kind, &it.State, &it.AssetID, &it.SeatID, &it.ExpectedReturnDate, &it.Reason, &it.ClosedAt, &it.ClosedBy)
	return &it, err
}

const insertOffboardingHistorySQL = `INSERT INTO offboarding_history (org_id, checklist_id, person_id, item_id, action, actor_kind, actor, changes)
	VALUES ($1, $2, $3, $4, $5, $6::text::actor_kind, $7, $8)`

func insertOffboardingHistory(ctx context.Context, tx pgx.Tx, p itam.Principal, c *offboarding.Checklist, item *uuid.UUID, action offboarding.HistoryAction, changes offboarding.Changes) error {
	kind, who, _ := actor(p)
	_, err := tx.Exec(ctx, insertOffboardingHistorySQL, p.OrgID, c.ID, c.PersonID, item, string(action), string(kind), who, changes)
	return err
}

// OffboardPerson marks a person OFFBOARDED from the effective date (their
// end date) and opens their checklist, in one transaction. The person row
// is written here, not through updatePerson, whose refusal to offboard a
// person holding assets points callers to this path.
func (s *OffboardingStore) OffboardPerson(ctx context.Context, in offboarding.Input) (*offboarding.Checklist, error) {
	p, err := offboarding.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	if err := offboarding.CheckEffectiveDate(in.EffectiveDate, now); err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*offboarding.Checklist, error) {
		rows, _ := tx.Query(ctx, "SELECT "+personColumns+" FROM people x WHERE x.id = $1 FOR UPDATE", in.PersonID)
		person, err := pgx.CollectExactlyOneRow(rows, scanPerson)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFoundIn("personId", "person")
		}
		if err != nil {
			return nil, err
		}
		state := offboarding.Person{Status: person.Status, StartDate: person.StartDate}
		var open uuid.UUID
		err = tx.QueryRow(ctx, "SELECT id FROM offboarding_checklists WHERE person_id = $1 AND status = 'OPEN'", person.ID).Scan(&open)
		switch {
		case err == nil:
			state.OpenChecklist = &open
		case !errors.Is(err, pgx.ErrNoRows):
			return nil, err
		}
		if err := offboarding.CheckOffboard(state, in.EffectiveDate, now); err != nil {
			return nil, err
		}
		if _, err := tx.Exec(ctx, `UPDATE people SET status = 'OFFBOARDED', end_date = $2, version = version + 1, updated_at = now()
			WHERE id = $1`, person.ID, itam.CalendarDay(in.EffectiveDate)); err != nil {
			return nil, err
		}
		return openChecklist(ctx, tx, p, person, in.EffectiveDate, now)
	})
}

// openChecklist opens the offboarding checklist of person (as it was
// before the status change) listing what they hold, with its history;
// offboardPerson and a directory's deactivation both come here.
func openChecklist(ctx context.Context, tx pgx.Tx, p itam.Principal, person *itam.Person, effective, now time.Time) (*offboarding.Checklist, error) {
	assets, seats, err := holdings(ctx, tx, person.ID)
	if err != nil {
		return nil, err
	}
	c := offboarding.NewChecklist(person.ID, effective, assets, seats, p.Subject, now)
	if err := insertChecklist(ctx, tx, p, &c); err != nil {
		return nil, err
	}
	if err := insertOffboardingHistory(ctx, tx, p, &c, nil, offboarding.HistoryOpen,
		offboarding.OpenChanges(person.Status, person.EndDate, c)); err != nil {
		return nil, err
	}
	if c.Status == offboarding.Completed {
		if err := insertOffboardingHistory(ctx, tx, p, &c, nil, offboarding.HistoryComplete, offboarding.CompleteChanges()); err != nil {
			return nil, err
		}
	}
	return &c, nil
}

// holdings reads what a person holds now: the assets assigned to them
// (with their open checkout's due date) and their active seats, locking
// both, so a check-in or reclaim running meanwhile either commits first
// (and the thing is not listed) or waits and then closes its item.
func holdings(ctx context.Context, tx pgx.Tx, person uuid.UUID) ([]offboarding.HeldAsset, []uuid.UUID, error) {
	rows, _ := tx.Query(ctx, `SELECT a.id, c.expected_return_date FROM assets a
		LEFT JOIN asset_checkouts c ON c.org_id = a.org_id AND c.asset_id = a.id AND c.returned_at IS NULL
		WHERE a.assigned_person_id = $1 ORDER BY a.asset_tag, a.id FOR UPDATE OF a`, person)
	assets, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (offboarding.HeldAsset, error) {
		var a offboarding.HeldAsset
		return a, r.Scan(&a.ID, &a.ExpectedReturnDate)
	})
	if err != nil {
		return nil, nil, err
	}
	rows, _ = tx.Query(ctx, `SELECT x.id FROM license_seats x WHERE x.person_id = $1 AND x.reclaimed_at IS NULL
		ORDER BY x.assigned_at, x.id FOR UPDATE`, person)
	seats, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	return assets, seats, err
}

// insertChecklist saves a new checklist and its items, setting their ids.
func insertChecklist(ctx context.Context, tx pgx.Tx, p itam.Principal, c *offboarding.Checklist) error {
	err := tx.QueryRow(ctx, `INSERT INTO offboarding_checklists (org_id, person_id, effective_date, status, opened_at, opened_by, completed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		p.OrgID, c.PersonID, c.EffectiveDate, string(c.Status), c.OpenedAt, c.OpenedBy, c.CompletedAt).Scan(&c.ID)
	if err != nil || len(c.Items) == 0 {
		return err
	}
	kinds := make([]string, len(c.Items))
	assets := make([]*uuid.UUID, len(c.Items))
	seats := make([]*uuid.UUID, len(c.Items))
	due := make([]*time.Time, len(c.Items))
	for i, it := range c.Items {
		kinds[i], assets[i], seats[i], due[i] = string(it.Kind), it.AssetID, it.SeatID, it.ExpectedReturnDate
	}
	// One statement for every item, however many the person holds.
	rows, _ := tx.Query(ctx, `WITH i AS (INSERT INTO offboarding_items (org_id, checklist_id, position, kind, asset_id, seat_id, expected_return_date)
		SELECT $1, $2, n, k, a, s, d FROM unnest($3::text[], $4::uuid[], $5::uuid[], $6::date[]) WITH ORDINALITY AS t(k, a, s, d, n)
		RETURNING *) SELECT `+itemColumns+` FROM i ORDER BY i.position`, p.OrgID, c.ID, kinds, assets, seats, due)
	c.Items, err = pgx.CollectRows(rows, scanItem)
	return err
}

// WriteOffItem closes one TO_RETURN item of a checklist as WRITTEN_OFF
// with a reason, and completes the checklist when it was the last.
func (s *OffboardingStore) WriteOffItem(ctx context.Context, in offboarding.WriteOffInput) (*offboarding.Checklist, *offboarding.Item, error) {
	p, err := offboarding.RequireWrite(ctx)
	if err != nil {
		return nil, nil, err
	}
	var item *offboarding.Item
	c, err := inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*offboarding.Checklist, error) {
		c, err := lockChecklist(ctx, tx, in.ChecklistID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFoundIn("checklistId", "offboarding checklist")
		}
		if err != nil {
			return nil, err
		}
		for _, it := range c.Items {
			if it.ID == in.ItemID {
				item = it
			}
		}
		if item == nil {
			return nil, notFoundIn("itemId", "offboarding item")
		}
		before := item.State
		if err := offboarding.WriteOff(item, in.Reason, p.Subject, time.Now()); err != nil {
			return nil, err
		}
		if err := saveClosedItem(ctx, tx, p, c, item, before); err != nil {
			return nil, err
		}
		return c, completeIfDone(ctx, tx, p, c)
	})
	if err != nil {
		return nil, nil, err
	}
	return c, item, nil
}

// lockChecklist reads a checklist and its items for change, locking the
// checklist: every change to a checklist's items takes this lock first,
// so two closings of its last items cannot both miss completing it.
func lockChecklist(ctx context.Context, tx pgx.Tx, id uuid.UUID) (*offboarding.Checklist, error) {
	rows, _ := tx.Query(ctx, "SELECT "+checklistColumns+" FROM offboarding_checklists x WHERE x.id = $1 FOR UPDATE", id)
	c, err := pgx.CollectExactlyOneRow(rows, scanChecklist)
	if err != nil {
		return nil, err
	}
	rows, _ = tx.Query(ctx, "SELECT "+itemColumns+" FROM offboarding_items i WHERE i.checklist_id = $1 ORDER BY i.position", id)
	c.Items, err = pgx.CollectRows(rows, scanItem)
	return c, err
}

// saveClosedItem writes an item's closing and its history row.
func saveClosedItem(ctx context.Context, tx pgx.Tx, p itam.Principal, c *offboarding.Checklist, it *offboarding.Item, before offboarding.ItemState) error {
	if _, err := tx.Exec(ctx, `UPDATE offboarding_items SET state = $2, reason = $3, closed_at = $4, closed_by = $5 WHERE id = $1`,
		it.ID, string(it.State), it.Reason, it.ClosedAt, it.ClosedBy); err != nil {
		return err
	}
	return insertOffboardingHistory(ctx, tx, p, c, &it.ID, offboarding.HistoryCloseItem, offboarding.ItemChanges(before, it))
}

// completeIfDone completes c when the domain says so, with its history row.
func completeIfDone(ctx context.Context, tx pgx.Tx, p itam.Principal, c *offboarding.Checklist) error {
	if !c.Complete(time.Now()) {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE offboarding_checklists SET status = $2, completed_at = $3 WHERE id = $1`,
		c.ID, string(c.Status), c.CompletedAt); err != nil {
		return err
	}
	return insertOffboardingHistory(ctx, tx, p, c, nil, offboarding.HistoryComplete, offboarding.CompleteChanges())
}
