package postgres

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// historyColumns reads changes with their references labelled
// (itam.labelled_changes, migration 00025) in the same statement.
const historyColumns = "h.id, h.asset_id, h.action, h.actor_kind, h.actor, h.source, itam.labelled_changes(h.changes), h.from_status, h.to_status, h.at"

// scanHistory reads historyColumns followed by the caller's person id.
func scanHistory(r pgx.CollectableRow, self **uuid.UUID) (itam.HistoryEntry, error) {
	var h itam.HistoryEntry
	var changes map[string]map[string]json.RawMessage
	err := r.Scan(&h.ID, &h.AssetID, &h.Action, &h.ActorKind, &h.Actor, &h.Source, &changes, &h.FromStatus, &h.ToStatus, &h.At, self)
	h.Changes = fieldChanges(changes)
	return h, err
}

// fieldChanges reads a history table's changes column ({field: {from,
// to}}, references also with fromLabel and toLabel, see
// itam.labelled_changes) as a list by field name, so an entry reads the
// same every time.
func fieldChanges(changes map[string]map[string]json.RawMessage) []itam.FieldChange {
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []itam.FieldChange
	for _, k := range keys {
		c := changes[k]
		out = append(out, itam.FieldChange{Field: k, From: c["from"], To: c["to"], FromRefLabel: jsonString(c["fromLabel"]), ToRefLabel: jsonString(c["toLabel"])})
	}
	return out
}

// jsonString is a recorded JSON string, or nil when absent or not a string.
func jsonString(v json.RawMessage) *string {
	var s string
	if len(v) == 0 || json.Unmarshal(v, &s) != nil {
		return nil
	}
	return &s
}

// historyListSpec is the keyset every history list shares: oldest first,
// on the entry id (a bigint that only grows) under alias h.
func historyListSpec[T any](columns, from string, args *sqlArgs, id func(T) int64, scan func(pgx.CollectableRow) (T, error)) listSpec[T] {
	key := func(h T) string { return strconv.FormatInt(id(h), 10) }
	return listSpec[T]{columns: columns, from: from, idExpr: "h.id", idType: "bigint", args: args,
		sort: sortKey[T]{"h.id", "bigint", key}, dir: itam.Asc, id: key, scan: scan}
}

// AssetHistory returns an asset's history, oldest first, keyset-paginated
// on the entry id (which only grows). Visibility follows the asset's.
func (s *AssetStore) AssetHistory(ctx context.Context, assetID uuid.UUID, page itam.PageArgs) (itam.Page[itam.HistoryEntry], error) {
	a, err := s.Asset(ctx, assetID)
	if err != nil {
		return itam.Page[itam.HistoryEntry]{}, err
	}
	return s.HistoryOf(ctx, a, page)
}

// HistoryOf is AssetHistory for an asset the caller already read (and so
// may see), saving the visibility check's round trip.
//
// What each change shows is itam.Principal.VisibleChanges's rule. A caller
// who does not read every record needs their own person id for it; it is
// read in the same statement (an uncorrelated subquery, evaluated once).
func (s *AssetStore) HistoryOf(ctx context.Context, a *itam.Asset, page itam.PageArgs) (itam.Page[itam.HistoryEntry], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return itam.Page[itam.HistoryEntry]{}, err
	}
	spec := historySpec(p)
	spec.where = []string{"h.asset_id = " + spec.args.add(a.ID)}
	return list(ctx, s.db, p.OrgID, spec, page)
}

// HistoriesOf is HistoryOf for many assets the caller already read, in one
// round trip: the same page of each asset's history (Asset.history of a
// page of assets).
func (s *AssetStore) HistoriesOf(ctx context.Context, assetIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[itam.HistoryEntry], error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, historySpec(p), assetIDs, func(parent string) string { return "h.asset_id = " + parent }, page)
}

// historySpec lists history entries oldest first, keyset-paginated on the
// entry id (which only grows), showing each change as p may see it.
func historySpec(p itam.Principal) listSpec[itam.HistoryEntry] {
	args := &sqlArgs{}
	columns := historyColumns + ", NULL::uuid"
	if !p.CanReadAll() {
		columns = historyColumns + ", (SELECT x.id FROM people x WHERE x.email_key = lower(" + args.add(p.Subject) + "))"
	}
	return historyListSpec(columns, "asset_history h", args, func(h itam.HistoryEntry) int64 { return h.ID },
		func(r pgx.CollectableRow) (itam.HistoryEntry, error) {
			var self *uuid.UUID
			h, err := scanHistory(r, &self)
			h.Changes = p.VisibleChanges(h.Changes, self)
			return h, err
		})
}
