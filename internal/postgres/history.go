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

const historyColumns = "h.id, h.asset_id, h.action, h.actor_kind, h.actor, h.source, h.changes, h.from_status, h.to_status, h.at"

// scanHistory reads historyColumns followed by the caller's person id.
func scanHistory(r pgx.CollectableRow, self **uuid.UUID) (itam.HistoryEntry, error) {
	var h itam.HistoryEntry
	var changes map[string]map[string]json.RawMessage
	err := r.Scan(&h.ID, &h.AssetID, &h.Action, &h.ActorKind, &h.Actor, &h.Source, &changes, &h.FromStatus, &h.ToStatus, &h.At, self)
	if err != nil {
		return h, err
	}
	keys := make([]string, 0, len(changes))
	for k := range changes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Changes = append(h.Changes, itam.FieldChange{Field: k, From: changes[k]["from"], To: changes[k]["to"]})
	}
	return h, nil
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
	return listSpec[itam.HistoryEntry]{
		columns: columns,
		from:    "asset_history h", idExpr: "h.id", idType: "bigint",
		args: args,
		sort: sortKey[itam.HistoryEntry]{"h.id", "bigint", func(h itam.HistoryEntry) string { return strconv.FormatInt(h.ID, 10) }},
		dir:  itam.Asc,
		id:   func(h itam.HistoryEntry) string { return strconv.FormatInt(h.ID, 10) },
		scan: func(r pgx.CollectableRow) (itam.HistoryEntry, error) {
			var self *uuid.UUID
			h, err := scanHistory(r, &self)
			h.Changes = p.VisibleChanges(h.Changes, self)
			return h, err
		},
	}
}
