package postgres

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Every change to a cost entry, contract, depreciation profile or exchange
// rate appends one cost_history row in the transaction of the change, so
// the row and the change commit or roll back together (a refused change
// leaves none). Ids are UUIDs, unique across the four kinds, so a history
// is read by entity id alone, also after the entity is deleted.

const insertCostHistorySQL = `INSERT INTO cost_history (org_id, entity_type, entity_id, action, actor_kind, actor, changes)
	VALUES ($1, $2, $3, $4, $5::text::actor_kind, $6, $7)`

// insertCostHistory appends one history entry inside tx. An update that
// changed nothing records nothing.
func insertCostHistory(ctx context.Context, tx pgx.Tx, p itam.Principal, entity costs.HistoryEntity, id uuid.UUID, action costs.HistoryAction, changes costs.Changes) error {
	if action == costs.HistoryUpdate && len(changes) == 0 {
		return nil
	}
	kind, who, _ := actor(p)
	if changes == nil {
		changes = costs.Changes{}
	}
	_, err := tx.Exec(ctx, insertCostHistorySQL, p.OrgID, string(entity), id, string(action), string(kind), who, changes)
	return err
}

const costHistoryColumns = "h.id, h.entity_type, h.entity_id, h.action, h.actor_kind::text, h.actor, itam.labelled_changes(h.changes), h.at" // labels: migration 00025

func scanCostHistory(r pgx.CollectableRow) (costs.HistoryEntry, error) {
	var h costs.HistoryEntry
	var changes map[string]map[string]json.RawMessage
	err := r.Scan(&h.ID, &h.EntityType, &h.EntityID, &h.Action, &h.ActorKind, &h.Actor, &changes, &h.At)
	h.Changes = fieldChanges(changes)
	return h, err
}

func costHistorySpec() listSpec[costs.HistoryEntry] {
	args := &sqlArgs{}
	return historyListSpec(costHistoryColumns, "cost_history h", args, func(h costs.HistoryEntry) int64 { return h.ID }, scanCostHistory)
}

func costHistoryParent(parent string) string { return "h.entity_id = " + parent }

// CostHistoryStore reads the history of the money records: money is never
// shown to an EMPLOYEE, and neither is how it changed.
type CostHistoryStore struct{ db *DB }

// NewCostHistoryStore returns a store over db.
func NewCostHistoryStore(db *DB) *CostHistoryStore { return &CostHistoryStore{db: db} }

// HistoriesOf returns the same page of the history of each entity (a cost
// entry, contract, depreciation profile or exchange rate), oldest first,
// in one round trip.
func (s *CostHistoryStore) HistoriesOf(ctx context.Context, ids []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[costs.HistoryEntry], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, costHistorySpec(), ids, costHistoryParent, page)
}

// CountHistoriesOf counts each entity's history entries.
func (s *CostHistoryStore) CountHistoriesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "cost_history h", nil, &sqlArgs{}, ids, costHistoryParent)
}
