package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

const seatColumns = `x.id, x.license_id, x.person_id, x.asset_id, x.assigned_at, x.assigned_by, x.reclaimed_at, x.reclaimed_by, x.reclaim_reason`

func scanSeat(r pgx.CollectableRow) (*licenses.Seat, error) {
	var s licenses.Seat
	return &s, r.Scan(seatDest(&s)...)
}

// seatDest is where seatColumns scan to; queries that select more after
// them (reclaim candidates) append their own.
func seatDest(s *licenses.Seat) []any {
	return []any{&s.ID, &s.LicenseID, &s.PersonID, &s.AssetID, &s.AssignedAt, &s.AssignedBy, &s.ReclaimedAt, &s.ReclaimedBy, &s.ReclaimReason}
}

// seatVisibility narrows an EMPLOYEE to the seats they or their devices
// hold (alias x): who else holds a seat is not theirs to read.
func seatVisibility(p itam.Principal, args *sqlArgs) []string {
	if licenses.SeesAll(p) {
		return nil
	}
	return []string{heldBySelf(p, args, "x")}
}

// notFoundIn is NOT_FOUND naming the input field, so a bulk item's
// refusal says which id was unknown.
func notFoundIn(field, what string) *itam.Error {
	return &itam.Error{Code: itam.CodeNotFound, Field: field, Message: what + " not found"}
}

// AssignSeat gives a holder a seat of a license (see licenses.CheckAssign);
// a holder who already holds an active seat of it is CONFLICT.
func (s *LicenseStore) AssignSeat(ctx context.Context, in licenses.SeatInput) (*licenses.Seat, error) {
	return oneSeat(ctx, s.db, in, assignSeat)
}

func assignSeat(ctx context.Context, tx pgx.Tx, p itam.Principal, in licenses.SeatInput) (*licenses.Seat, error) {
	var model licenses.Model
	// FOR SHARE: the license cannot be deleted under the new seat.
	err := tx.QueryRow(ctx, "SELECT license_model::text FROM licenses WHERE id = $1 FOR SHARE", in.LicenseID).Scan(&model)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFoundIn("licenseId", "license")
	}
	if err != nil {
		return nil, err
	}
	if err := licenses.CheckAssign(&licenses.License{Model: model}, in); err != nil {
		return nil, err
	}
	field, col, holder := "personId", "person_id", in.PersonID
	if in.PersonID != nil {
		var status itam.PersonStatus
		err = tx.QueryRow(ctx, "SELECT status::text FROM people WHERE id = $1", *in.PersonID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFoundIn("personId", "person")
		}
		if err == nil {
			err = licenses.CheckPersonHolder(status)
		}
	} else {
		field, col, holder = "assetId", "asset_id", in.AssetID
		var status itam.AssetStatus
		err = tx.QueryRow(ctx, "SELECT status::text FROM assets WHERE id = $1", *in.AssetID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, notFoundIn("assetId", "asset")
		}
		if err == nil {
			err = licenses.CheckAssetHolder(status)
		}
	}
	if err != nil {
		return nil, err
	}
	var held bool
	err = tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM license_seats WHERE license_id = $1 AND "+col+" = $2 AND reclaimed_at IS NULL)",
		in.LicenseID, *holder).Scan(&held)
	if err != nil {
		return nil, err
	}
	if held {
		// The partial unique indexes are the backstop for a concurrent assign.
		return nil, itam.Conflict(field, "%s already holds an active seat of this license", strings.TrimSuffix(field, "Id"))
	}
	seat, err := returningOne(ctx, tx, scanSeat, `INSERT INTO license_seats AS x (org_id, license_id, person_id, asset_id, assigned_by)
		VALUES ($1, $2, $3, $4, $5) RETURNING `+seatColumns, p.OrgID, in.LicenseID, in.PersonID, in.AssetID, p.Subject)
	if err != nil {
		return nil, err
	}
	return seat, insertLicenseHistory(ctx, tx, p, seat.LicenseID, &seat.ID, licenses.HistoryAssignSeat, licenses.SeatChanges(seat, false))
}

// ReclaimSeat ends a seat (kept, with when, by whom and why); a seat
// already reclaimed is CONFLICT.
func (s *LicenseStore) ReclaimSeat(ctx context.Context, in licenses.ReclaimInput) (*licenses.Seat, error) {
	return oneSeat(ctx, s.db, in, reclaimSeat)
}

func reclaimSeat(ctx context.Context, tx pgx.Tx, p itam.Principal, in licenses.ReclaimInput) (*licenses.Seat, error) {
	reason, err := licenses.CheckReclaimReason(in.Reason)
	if err != nil {
		return nil, err
	}
	cur, err := returningOne(ctx, tx, scanSeat, "SELECT "+seatColumns+" FROM license_seats x WHERE x.id = $1 FOR UPDATE", in.SeatID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFoundIn("seatId", "seat")
	}
	if err != nil {
		return nil, err
	}
	if cur.ReclaimedAt != nil {
		return nil, itam.Conflict("seatId", "this seat was already reclaimed on %s", cur.ReclaimedAt.UTC().Format(time.DateOnly))
	}
	seat, err := returningOne(ctx, tx, scanSeat, `UPDATE license_seats x SET reclaimed_at = now(), reclaimed_by = $2, reclaim_reason = $3
		WHERE x.id = $1 RETURNING `+seatColumns, in.SeatID, p.Subject, reason)
	if err != nil {
		return nil, err
	}
	if err := afterSeatReclaimed(ctx, tx, p, seat.ID); err != nil {
		return nil, err
	}
	return seat, insertLicenseHistory(ctx, tx, p, seat.LicenseID, &seat.ID, licenses.HistoryReclaimSeat, licenses.SeatChanges(seat, true))
}

// AssignSeats is AssignSeat for many items in one transaction: each item
// runs in its own savepoint and is applied or refused on its own; only a
// failure that is not the item's fault (the database going away) fails the
// whole call, and then nothing is written.
func (s *LicenseStore) AssignSeats(ctx context.Context, items []licenses.SeatInput) ([]licenses.SeatResult, error) {
	return bulkSeats(ctx, s.db, items, assignSeat)
}

// ReclaimSeats is ReclaimSeat for many items, as AssignSeats.
func (s *LicenseStore) ReclaimSeats(ctx context.Context, items []licenses.ReclaimInput) ([]licenses.SeatResult, error) {
	return bulkSeats(ctx, s.db, items, reclaimSeat)
}

// oneSeat applies one seat change (assignSeat, reclaimSeat) in its own
// transaction, for the roles that may change seats.
func oneSeat[In any](ctx context.Context, db *DB, in In, apply func(context.Context, pgx.Tx, itam.Principal, In) (*licenses.Seat, error)) (*licenses.Seat, error) {
	p, err := licenses.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *licenses.Seat
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = apply(ctx, tx, p, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// bulkSeats applies a seat change to each of items in one transaction, each
// in a savepoint: an item refused with a domain error is reported in its
// result and the others still apply.
func bulkSeats[In any](ctx context.Context, db *DB, items []In, apply func(context.Context, pgx.Tx, itam.Principal, In) (*licenses.Seat, error)) ([]licenses.SeatResult, error) {
	p, err := licenses.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	if err := licenses.CheckBulk(len(items)); err != nil {
		return nil, err
	}
	out := make([]licenses.SeatResult, len(items))
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		for i, in := range items {
			sp, err := tx.Begin(ctx) // a savepoint
			if err != nil {
				return err
			}
			seat, err := apply(ctx, sp, p, in)
			if err == nil {
				if err := sp.Commit(ctx); err != nil {
					return err
				}
				out[i].Seat = seat
				continue
			}
			if rerr := sp.Rollback(ctx); rerr != nil {
				return rerr
			}
			var de *itam.Error
			if errors.As(mapError(err), &de) && de.Code != itam.CodeInternal && de.Code != itam.CodeTimeout {
				out[i].Err = de
				continue
			}
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// seatSpec lists seats oldest first (alias x), as p may see them.
func seatSpec(p itam.Principal, includeReclaimed bool) listSpec[*licenses.Seat] {
	args := &sqlArgs{}
	where := seatVisibility(p, args)
	if !includeReclaimed {
		where = append(where, "x.reclaimed_at IS NULL")
	}
	return listSpec[*licenses.Seat]{
		columns: seatColumns, from: "license_seats x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*licenses.Seat]{"x.assigned_at", "timestamptz", func(s *licenses.Seat) string { return s.AssignedAt.Format(time.RFC3339Nano) }},
		dir:  itam.Asc, id: func(s *licenses.Seat) string { return s.ID.String() }, scan: scanSeat,
	}
}

// SeatsOf returns the same page of seat assignments of each license the
// caller already read, in one round trip (License.seatAssignments of a
// page of licenses).
func (s *LicenseStore) SeatsOf(ctx context.Context, licenseIDs []uuid.UUID, includeReclaimed bool, page itam.PageArgs) (map[uuid.UUID]itam.Page[*licenses.Seat], error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, seatSpec(p, includeReclaimed), licenseIDs, func(parent string) string { return "x.license_id = " + parent }, page)
}

// CountSeatsOf counts what SeatsOf lists, per license.
func (s *LicenseStore) CountSeatsOf(ctx context.Context, licenseIDs []uuid.UUID, includeReclaimed bool) (map[uuid.UUID]int, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	spec := seatSpec(p, includeReclaimed)
	return countEach(ctx, s.db, p.OrgID, spec.from, spec.where, spec.args, licenseIDs, func(parent string) string { return "x.license_id = " + parent })
}

// AssignedSeats counts each license's active seats, whoever holds them:
// the number is the license's, not the holders'.
func (s *LicenseStore) AssignedSeats(ctx context.Context, licenseIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "license_seats x", []string{"x.reclaimed_at IS NULL"}, &sqlArgs{}, licenseIDs,
		func(parent string) string { return "x.license_id = " + parent })
}

// SeatsByIDs returns the seats among ids the caller may see.
func (s *LicenseStore) SeatsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*licenses.Seat, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	where := append([]string{"x.id = ANY(" + args.add(ids) + "::uuid[])"}, seatVisibility(p, args)...)
	rows, err := query(ctx, s.db, p.OrgID, "SELECT "+seatColumns+" FROM license_seats x WHERE "+strings.Join(where, " AND "), args.list, scanSeat)
	out := make(map[uuid.UUID]*licenses.Seat, len(rows))
	for _, r := range rows {
		out[r.ID] = r
	}
	return out, err
}

// SeatsOfPeople returns the active seats each person holds (Person.licenseSeats).
func (s *LicenseStore) SeatsOfPeople(ctx context.Context, people []uuid.UUID) (map[uuid.UUID][]*licenses.Seat, error) {
	return s.seatsOfHolders(ctx, "person_id", people)
}

// SeatsOfAssets returns the active seats each device holds (Asset.licenseSeats).
func (s *LicenseStore) SeatsOfAssets(ctx context.Context, assets []uuid.UUID) (map[uuid.UUID][]*licenses.Seat, error) {
	return s.seatsOfHolders(ctx, "asset_id", assets)
}

func (s *LicenseStore) seatsOfHolders(ctx context.Context, col string, holders []uuid.UUID) (map[uuid.UUID][]*licenses.Seat, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	where := append([]string{"x." + col + " = ANY(" + args.add(holders) + "::uuid[])", "x.reclaimed_at IS NULL"}, seatVisibility(p, args)...)
	return grouped(ctx, s.db, p.OrgID, len(holders), "SELECT x."+col+", "+seatColumns+" FROM license_seats x WHERE "+strings.Join(where, " AND ")+
		" ORDER BY x.assigned_at, x.id", args.list, func(r pgx.CollectableRow) (uuid.UUID, *licenses.Seat, error) {
		var key uuid.UUID
		seat, err := scanSeat(parentRow{CollectableRow: r, parent: &key})
		return key, seat, err
	})
}
