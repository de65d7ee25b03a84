package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/offboarding"
)

// Reading checklists: each comes with its items (a checklist lists what
// one person held: few rows), loaded for a whole page or batch in one
// more statement.

const itemsOfSQL = "SELECT " + itemColumns + " FROM offboarding_items i WHERE i.checklist_id = ANY($1::uuid[]) ORDER BY i.checklist_id, i.position"

// queueItems adds to b the statement attaching their items to cs, found by
// checklistIDs (a subquery or $1 list).
func queueItems(b *pgx.Batch, sql string, args []any, byID map[uuid.UUID]*offboarding.Checklist) {
	queueRows(b, sql, args, scanItem, func(it *offboarding.Item) {
		if c := byID[it.ChecklistID]; c != nil {
			c.Items = append(c.Items, it)
		}
	})
}

// withItems loads the items of cs in one round trip.
func (s *OffboardingStore) withItems(ctx context.Context, org uuid.UUID, cs []*offboarding.Checklist) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[uuid.UUID]*offboarding.Checklist, len(cs))
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		byID[c.ID], ids[i] = c, c.ID
	}
	return s.db.read(ctx, org, func(b *pgx.Batch) { queueItems(b, itemsOfSQL, []any{ids}, byID) })
}

// checklistWhere renders f (alias x).
func checklistWhere(f offboarding.Filter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if f.Open != nil {
		status := offboarding.Completed
		if *f.Open {
			status = offboarding.Open
		}
		where = append(where, "x.status = "+args.add(string(status)))
	}
	if f.PersonID != nil {
		where = append(where, "x.person_id = "+args.add(*f.PersonID))
	}
	return where, args
}

// ListChecklists returns one page of the checklists matching f, newest
// first, with their items.
func (s *OffboardingStore) ListChecklists(ctx context.Context, f offboarding.Filter, page itam.PageArgs) (itam.Page[*offboarding.Checklist], error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return itam.Page[*offboarding.Checklist]{}, err
	}
	where, args := checklistWhere(f)
	out, err := list(ctx, s.db, p.OrgID, listSpec[*offboarding.Checklist]{
		columns: checklistColumns, from: "offboarding_checklists x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*offboarding.Checklist]{"x.opened_at", "timestamptz", func(c *offboarding.Checklist) string { return c.OpenedAt.Format(time.RFC3339Nano) }},
		dir:  itam.Desc, id: func(c *offboarding.Checklist) string { return c.ID.String() }, scan: scanChecklist,
	}, page)
	if err != nil {
		return out, err
	}
	return out, s.withItems(ctx, p.OrgID, out.Items)
}

// CountChecklists counts the checklists matching f.
func (s *OffboardingStore) CountChecklists(ctx context.Context, f offboarding.Filter) (int, error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	where, args := checklistWhere(f)
	return count(ctx, s.db, p.OrgID, "offboarding_checklists x", where, args)
}

// ChecklistsByIDs returns the checklists among ids with their items, in
// one round trip (node(id:)).
func (s *OffboardingStore) ChecklistsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*offboarding.Checklist, error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*offboarding.Checklist, len(ids))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT "+checklistColumns+" FROM offboarding_checklists x WHERE x.id = ANY($1::uuid[])", []any{ids}, scanChecklist,
			func(c *offboarding.Checklist) { out[c.ID] = c })
		queueItems(b, itemsOfSQL, []any{ids}, out)
	})
	return out, err
}

// latestSQL picks each person's latest checklist (the open one, since a
// person has at most one open and it is the newest).
const latestSQL = `SELECT DISTINCT ON (x.person_id) ` + checklistColumns + ` FROM offboarding_checklists x
	WHERE x.person_id = ANY($1::uuid[]) ORDER BY x.person_id, x.opened_at DESC, x.id DESC`

// LatestChecklists returns each person's latest checklist with its items
// (Person.offboarding), for any number of people in one round trip.
// People never offboarded have no entry.
func (s *OffboardingStore) LatestChecklists(ctx context.Context, people []uuid.UUID) (map[uuid.UUID]*offboarding.Checklist, error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[uuid.UUID]*offboarding.Checklist{}
	out := make(map[uuid.UUID]*offboarding.Checklist, len(people))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, latestSQL, []any{people}, scanChecklist, func(c *offboarding.Checklist) { byID[c.ID], out[c.PersonID] = c, c })
		queueItems(b, "SELECT "+itemColumns+" FROM offboarding_items i WHERE i.checklist_id IN (SELECT l.id FROM ("+latestSQL+") l)"+
			" ORDER BY i.checklist_id, i.position", []any{people}, byID)
	})
	return out, err
}

// exceptionsFrom is everything an OFFBOARDED person holds, one row per
// asset assigned to them and per active seat, with since (when they got
// it) and ref (the asset or seat id, the keyset tie-breaker), less what
// is accounted for: listed TO_RETURN on an open checklist of that person,
// or written off on one, opened after they got it (an asset handed to
// them again after its item closed is an exception again).
const exceptionsFrom = `(
	SELECT a.assigned_person_id AS person_id, CASE WHEN c.expected_return_date IS NULL THEN 'ASSET' ELSE 'CHECKOUT' END AS kind,
		a.id AS asset_id, NULL::uuid AS seat_id, coalesce(c.checked_out_at, a.updated_at) AS since, a.id AS ref
	FROM assets a
	JOIN people pp ON pp.id = a.assigned_person_id AND pp.status = 'OFFBOARDED'
	LEFT JOIN asset_checkouts c ON c.org_id = a.org_id AND c.asset_id = a.id AND c.returned_at IS NULL
	WHERE NOT EXISTS (SELECT 1 FROM offboarding_items i JOIN offboarding_checklists k ON k.id = i.checklist_id
		WHERE i.asset_id = a.id AND k.person_id = a.assigned_person_id AND i.state IN ('TO_RETURN', 'WRITTEN_OFF')
		AND k.opened_at >= coalesce(c.checked_out_at, '-infinity'::timestamptz))
	UNION ALL
	SELECT s.person_id, 'LICENSE_SEAT', NULL::uuid, s.id, s.assigned_at, s.id
	FROM license_seats s
	JOIN people pp ON pp.id = s.person_id AND pp.status = 'OFFBOARDED'
	WHERE s.reclaimed_at IS NULL AND NOT EXISTS (SELECT 1 FROM offboarding_items i JOIN offboarding_checklists k ON k.id = i.checklist_id
		WHERE i.seat_id = s.id AND k.person_id = s.person_id AND i.state IN ('TO_RETURN', 'WRITTEN_OFF'))
) x`

const exceptionColumns = `x.person_id, x.kind, x.asset_id, x.seat_id, x.since`

func scanException(r pgx.CollectableRow) (*offboarding.Exception, error) {
	var e offboarding.Exception
	return &e, r.Scan(&e.PersonID, &e.Kind, &e.AssetID, &e.SeatID, &e.Since)
}

func exceptionRef(e *offboarding.Exception) string {
	if e.AssetID != nil {
		return e.AssetID.String()
	}
	return e.SeatID.String()
}

// ListExceptions returns one page of what offboarded people still hold
// outside an open checklist, longest held first.
func (s *OffboardingStore) ListExceptions(ctx context.Context, page itam.PageArgs) (itam.Page[*offboarding.Exception], error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return itam.Page[*offboarding.Exception]{}, err
	}
	return list(ctx, s.db, p.OrgID, listSpec[*offboarding.Exception]{
		columns: exceptionColumns, from: exceptionsFrom, idExpr: "x.ref", args: &sqlArgs{},
		sort: sortKey[*offboarding.Exception]{"x.since", "timestamptz", func(e *offboarding.Exception) string { return e.Since.Format(time.RFC3339Nano) }},
		dir:  itam.Asc, id: exceptionRef, scan: scanException,
	}, page)
}

// CountExceptions counts what ListExceptions lists.
func (s *OffboardingStore) CountExceptions(ctx context.Context) (int, error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, exceptionsFrom, nil, &sqlArgs{})
}

// HistoriesOf returns the history of each checklist, oldest first, in one
// round trip (OffboardingChecklist.history of a page of checklists). A
// checklist's history is short: an entry per item closed, and two more.
func (s *OffboardingStore) HistoriesOf(ctx context.Context, checklists []uuid.UUID) (map[uuid.UUID][]*offboarding.HistoryEntry, error) {
	p, err := offboarding.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*offboarding.HistoryEntry, len(checklists))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, `SELECT h.id, h.checklist_id, h.item_id, h.action, h.actor_kind::text, h.actor, h.changes, h.at
			FROM offboarding_history h WHERE h.checklist_id = ANY($1::uuid[]) ORDER BY h.checklist_id, h.id`, []any{checklists},
			func(r pgx.CollectableRow) (*offboarding.HistoryEntry, error) {
				var h offboarding.HistoryEntry
				var changes offboarding.Changes
				err := r.Scan(&h.ID, &h.ChecklistID, &h.ItemID, &h.Action, &h.ActorKind, &h.Actor, &changes, &h.At)
				h.Changes = fieldChanges(changes)
				return &h, err
			}, func(h *offboarding.HistoryEntry) { out[h.ChecklistID] = append(out[h.ChecklistID], h) })
	})
	return out, err
}
