package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// BulkAssignSeats gives one seat of license to each holder of sel, as
// AssignSeat does: ids of people (those people marks) or devices, or the
// devices a filter matches; all-or-nothing unless partial (see
// assets_bulk.go).
func (s *LicenseStore) BulkAssignSeats(ctx context.Context, license uuid.UUID, sel itam.BulkSelection, people map[uuid.UUID]bool, partial bool) (itam.BulkResult[*licenses.Seat], error) {
	p, err := licenses.RequireWrite(ctx)
	if err != nil {
		return itam.BulkResult[*licenses.Seat]{}, err
	}
	return runBulk(ctx, s.db, p, sel, partial, nil, func(tx pgx.Tx, id uuid.UUID) (*licenses.Seat, error) {
		in := licenses.SeatInput{LicenseID: license, AssetID: &id}
		if people[id] {
			in = licenses.SeatInput{LicenseID: license, PersonID: &id}
		}
		return assignSeat(ctx, tx, p, in)
	})
}
