package postgres

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

const licenseHistoryColumns = "h.id, h.license_id, h.seat_id, h.action::text, h.actor_kind::text, h.actor, itam.labelled_changes(h.changes), h.at" // labels: migration 00025

func scanLicenseHistory(r pgx.CollectableRow) (licenses.HistoryEntry, error) {
	var h licenses.HistoryEntry
	var changes map[string]map[string]json.RawMessage
	err := r.Scan(&h.ID, &h.LicenseID, &h.SeatID, &h.Action, &h.ActorKind, &h.Actor, &changes, &h.At)
	h.Changes = fieldChanges(changes)
	return h, err
}

// licenseHistorySpec lists history entries oldest first, keyset-paginated
// on the entry id (which only grows), each change as p may see it.
func licenseHistorySpec(p itam.Principal) listSpec[licenses.HistoryEntry] {
	return historyListSpec(licenseHistoryColumns, "license_history h", &sqlArgs{}, func(h licenses.HistoryEntry) int64 { return h.ID },
		func(r pgx.CollectableRow) (licenses.HistoryEntry, error) {
			h, err := scanLicenseHistory(r)
			h.Changes = licenses.VisibleChanges(p, h.Changes)
			return h, err
		})
}

// HistoriesOf returns the same page of the history of each license the
// caller already read, in one round trip (License.history of a page of
// licenses).
func (s *LicenseStore) HistoriesOf(ctx context.Context, licenseIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[licenses.HistoryEntry], error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, licenseHistorySpec(p), licenseIDs, func(parent string) string { return "h.license_id = " + parent }, page)
}

// CountHistoriesOf counts each license's history entries.
func (s *LicenseStore) CountHistoriesOf(ctx context.Context, licenseIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "license_history h", nil, &sqlArgs{}, licenseIDs, func(parent string) string { return "h.license_id = " + parent })
}
