package postgres

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// Every change to a software publisher, product or title rule appends one
// software_history row in the transaction of the change, so the row and
// the change commit or roll back together (a refused change leaves none).

const insertSoftwareHistorySQL = `INSERT INTO software_history (org_id, entity_type, entity_id, action, actor_kind, actor, changes)
	VALUES ($1, $2, $3, $4, $5::text::actor_kind, $6, $7)`

// insertSoftwareHistory appends one history entry inside tx.
func insertSoftwareHistory(ctx context.Context, tx pgx.Tx, p itam.Principal, entity software.HistoryEntity, id uuid.UUID, action software.HistoryAction, changes software.Changes) error {
	kind, who, _ := actor(p)
	if changes == nil {
		changes = software.Changes{}
	}
	_, err := tx.Exec(ctx, insertSoftwareHistorySQL, p.OrgID, string(entity), id, string(action), string(kind), who, changes)
	return err
}

const softwareHistoryColumns = "h.id, h.entity_type, h.entity_id, h.action, h.actor_kind::text, h.actor, itam.labelled_changes(h.changes), h.at" // labels: migration 00025

func scanSoftwareHistory(r pgx.CollectableRow) (software.HistoryEntry, error) {
	var h software.HistoryEntry
	var changes map[string]map[string]json.RawMessage
	err := r.Scan(&h.ID, &h.EntityType, &h.EntityID, &h.Action, &h.ActorKind, &h.Actor, &changes, &h.At)
	h.Changes = fieldChanges(changes)
	return h, err
}

func softwareHistorySpec(entity software.HistoryEntity) listSpec[software.HistoryEntry] {
	args := &sqlArgs{}
	s := historyListSpec(softwareHistoryColumns, "software_history h", args, func(h software.HistoryEntry) int64 { return h.ID }, scanSoftwareHistory)
	s.where = []string{"h.entity_type = " + args.add(string(entity))}
	return s
}

func softwareHistoryParent(parent string) string { return "h.entity_id = " + parent }

// softwareHistoriesOf returns the same page of the history of each entity
// of one type, in one round trip, after read's role check.
func softwareHistoriesOf(ctx context.Context, db *DB, read func(context.Context) (itam.Principal, error), entity software.HistoryEntity, ids []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[software.HistoryEntry], error) {
	p, err := read(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, db, p.OrgID, softwareHistorySpec(entity), ids, softwareHistoryParent, page)
}

// countSoftwareHistoriesOf counts each entity's history entries.
func countSoftwareHistoriesOf(ctx context.Context, db *DB, read func(context.Context) (itam.Principal, error), entity software.HistoryEntity, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := read(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	where := []string{"h.entity_type = " + args.add(string(entity))}
	return countEach(ctx, db, p.OrgID, "software_history h", where, args, ids, softwareHistoryParent)
}

// PublisherHistoriesOf returns the same page of each publisher's history
// (SoftwarePublisher.history of a page of publishers); not EMPLOYEE.
func (s *SoftwareCatalogStore) PublisherHistoriesOf(ctx context.Context, ids []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[software.HistoryEntry], error) {
	return softwareHistoriesOf(ctx, s.db, software.RequireCatalogHistoryRead, software.HistoryPublisher, ids, page)
}

// CountPublisherHistoriesOf counts each publisher's history entries.
func (s *SoftwareCatalogStore) CountPublisherHistoriesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	return countSoftwareHistoriesOf(ctx, s.db, software.RequireCatalogHistoryRead, software.HistoryPublisher, ids)
}

// ProductHistoriesOf is PublisherHistoriesOf for products.
func (s *SoftwareCatalogStore) ProductHistoriesOf(ctx context.Context, ids []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[software.HistoryEntry], error) {
	return softwareHistoriesOf(ctx, s.db, software.RequireCatalogHistoryRead, software.HistoryProduct, ids, page)
}

// CountProductHistoriesOf counts each product's history entries.
func (s *SoftwareCatalogStore) CountProductHistoriesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	return countSoftwareHistoriesOf(ctx, s.db, software.RequireCatalogHistoryRead, software.HistoryProduct, ids)
}

// RuleHistoriesOf is PublisherHistoriesOf for title rules (ADMIN, MANAGER,
// AUDITOR, like the rules).
func (s *SoftwareRuleStore) RuleHistoriesOf(ctx context.Context, ids []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[software.HistoryEntry], error) {
	return softwareHistoriesOf(ctx, s.db, software.RequireRuleHistoryRead, software.HistoryRule, ids, page)
}

// CountRuleHistoriesOf counts each title rule's history entries.
func (s *SoftwareRuleStore) CountRuleHistoriesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]int, error) {
	return countSoftwareHistoriesOf(ctx, s.db, software.RequireRuleHistoryRead, software.HistoryRule, ids)
}

// starterHistory records the entries the starter set created, one SYSTEM
// CREATE row each, in one statement.
func starterHistory(ctx context.Context, tx pgx.Tx, org uuid.UUID, pubs []*software.Publisher, products []*software.Product, rules []*software.Rule) error {
	var types []string
	var ids []uuid.UUID
	var changes []software.Changes
	add := func(t software.HistoryEntity, id uuid.UUID, c software.Changes) {
		types, ids, changes = append(types, string(t)), append(ids, id), append(changes, c)
	}
	for _, x := range pubs {
		add(software.HistoryPublisher, x.ID, software.PublisherDiff(nil, x))
	}
	for _, x := range products {
		add(software.HistoryProduct, x.ID, software.ProductDiff(nil, x))
	}
	for _, x := range rules {
		add(software.HistoryRule, x.ID, software.RuleDiff(nil, x))
	}
	_, err := tx.Exec(ctx, `INSERT INTO software_history (org_id, entity_type, entity_id, action, actor_kind, actor, changes)
		SELECT $1, x.t, x.id, 'CREATE', 'SYSTEM', $2, x.changes FROM unnest($3::text[], $4::uuid[], $5::jsonb[]) AS x(t, id, changes)`,
		org, starterActor, types, ids, changes)
	return err
}

// starterActor names the server as the actor of the starter set's install.
const starterActor = "itam"
