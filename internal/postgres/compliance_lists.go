package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/licenses"
)

// ReclaimCandidates returns the unreclaimed seats of active licenses that
// could be taken back (licenses.ReclaimReasonFor), most money freed first,
// at most first of them; productID narrows them to one product.
func (s *LicenseComplianceStore) ReclaimCandidates(ctx context.Context, productID *uuid.UUID, first *int) ([]licenses.ReclaimCandidate, error) {
	p, err := licenses.RequireComplianceRead(ctx)
	if err != nil {
		return nil, err
	}
	limit, err := licenses.ReportFirst(first)
	if err != nil || limit == 0 {
		return []licenses.ReclaimCandidate{}, err
	}
	now := time.Now().UTC()
	args := &sqlArgs{}
	orgArg, nowArg := args.add(p.OrgID), args.add(now)
	product := "TRUE"
	if productID != nil {
		product = "l.product_id = " + args.add(*productID)
	}
	// The WHERE clause is licenses.ReclaimReasonFor in SQL, so LIMIT keeps
	// the right seats; Go then names the reason from the same facts.
	sql := `SELECT ` + seatColumns + `, coalesce(pe.status = 'OFFBOARDED', false), coalesce(a.status IN ` + inactiveAssetSQL + `, false),
		seen.last, o.days, l.seats, l.seat_cost, l.total_cost, l.cost_currency
	FROM license_seats x
	JOIN licenses l ON l.id = x.license_id
	CROSS JOIN (SELECT software_reclaim_after_days AS days FROM organizations WHERE id = ` + orgArg + `) o
	LEFT JOIN people pe ON pe.id = x.person_id
	LEFT JOIN assets a ON a.id = x.asset_id
	CROSS JOIN LATERAL (SELECT greatest(
		(SELECT max(i.last_seen_at) FROM software_installations i WHERE i.asset_id = x.asset_id AND i.product_id = l.product_id),
		(SELECT max(i.last_seen_at) FROM assets d JOIN software_installations i ON i.asset_id = d.id AND i.product_id = l.product_id
			WHERE d.assigned_person_id = x.person_id)) AS last) seen
	WHERE x.reclaimed_at IS NULL AND ` + activeLicense("l") + ` AND ` + product + `
	AND (pe.status = 'OFFBOARDED' OR a.status IN ` + inactiveAssetSQL + `
		OR greatest(seen.last, x.assigned_at) <= ` + nowArg + `::timestamptz - make_interval(days => o.days))
	ORDER BY coalesce(l.seat_cost, l.total_cost / nullif(l.seats, 0)) DESC NULLS LAST, x.assigned_at, x.id
	LIMIT ` + args.add(limit)
	out, err := query(ctx, s.db, p.OrgID, sql, args.list, func(r pgx.CollectableRow) (licenses.ReclaimCandidate, error) {
		var c licenses.ReclaimCandidate
		var f licenses.ReclaimFacts
		var days int
		var price priceColumns
		dest := append(seatDest(&c.Seat), &f.HolderOffboarded, &f.AssetRetired, &f.LastSeenAt, &days)
		if err := r.Scan(append(dest, price.dest()...)...); err != nil {
			return c, err
		}
		f.AssignedAt = c.Seat.AssignedAt
		var ok bool
		if c.Reason, ok = licenses.ReclaimReasonFor(f, now, days); !ok {
			// The query's rule and the domain's disagree: a bug, not data.
			c.Reason = licenses.NotUsed
		}
		c.LastSeenAt = f.LastSeenAt
		c.Frees = licenses.PricePerSeat(price.license())
		return c, nil
	})
	if out == nil {
		out = []licenses.ReclaimCandidate{}
	}
	return out, err
}

// ExpiringLicenses returns the licenses whose term ends between today and
// withinDays from now, soonest first, at most first of them.
func (s *LicenseComplianceStore) ExpiringLicenses(ctx context.Context, withinDays int, first *int) ([]licenses.Expiring, error) {
	p, err := licenses.RequireComplianceRead(ctx)
	if err != nil {
		return nil, err
	}
	if err := licenses.ValidateWithinDays(withinDays); err != nil {
		return nil, err
	}
	limit, err := licenses.ReportFirst(first)
	if err != nil || limit == 0 {
		return []licenses.Expiring{}, err
	}
	sql := `SELECT x.id, x.term_end, x.term_end - current_date, x.auto_renew, x.seats, x.seat_cost, x.total_cost, x.cost_currency
	FROM licenses x WHERE x.term_end BETWEEN current_date AND current_date + $1::int
	ORDER BY x.term_end, x.id LIMIT $2`
	out, err := query(ctx, s.db, p.OrgID, sql, []any{withinDays, limit}, func(r pgx.CollectableRow) (licenses.Expiring, error) {
		var e licenses.Expiring
		var price priceColumns
		if err := r.Scan(append([]any{&e.LicenseID, &e.TermEnd, &e.DaysLeft, &e.AutoRenew}, price.dest()...)...); err != nil {
			return e, err
		}
		e.AtStake = licenses.PriceAtStake(price.license())
		return e, nil
	})
	if out == nil {
		out = []licenses.Expiring{}
	}
	return out, err
}
