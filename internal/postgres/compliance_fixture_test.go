package postgres

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/licenses"
)

// Software fixture rows, written as the owner role (outside RLS) so the
// compliance store is the only code under test.

// cxDevice inserts an asset in status (assigned to person, if any).
func (f *fixture) cxDevice(o orgFixture, status string, person *uuid.UUID) uuid.UUID {
	var disposal *time.Time
	var method *string
	if status == "DISPOSED" {
		d, m := time.Now(), "RECYCLED"
		disposal, method = &d, &m
	}
	return f.id(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, assigned_person_id, owner_team_id, disposal_date, disposal_method)
		VALUES ($1, 'SW-' || substr(gen_random_uuid()::text, 1, 13), $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		o.id, o.laptop, o.manufacturer, status, person, o.team, disposal, method)
}

// cxInstall records a current installation of product on asset, last seen ago.
func (f *fixture) cxInstall(o orgFixture, asset, product uuid.UUID, title, version string, ago time.Duration) {
	f.exec(`INSERT INTO software_installations (org_id, asset_id, source, app_key, title, version, product_id, first_seen_at, last_seen_at)
		VALUES ($1, $2, 'jamf', lower($3 || ' ' || $4), $3, $4, $5, now() - $6::interval, now() - $6::interval)`,
		o.id, asset, title, version, product, ago)
}

// cxEnd ends every installation of product on asset.
func (f *fixture) cxEnd(asset, product uuid.UUID) {
	f.exec(`UPDATE software_installations SET ended_at = now() WHERE asset_id = $1 AND product_id = $2`, asset, product)
}

// cxLic describes a license row; zero values are NULL.
type cxLic struct {
	name                string
	model               licenses.Model
	seats               *int
	seatCost, totalCost string
	currency            string
	start, end          string // dates; "" is NULL
	autoRenew           bool
}

func (f *fixture) cxLicense(o orgFixture, product uuid.UUID, l cxLic) uuid.UUID {
	null := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return f.id(`INSERT INTO licenses (org_id, product_id, name, license_model, seats, seat_cost, total_cost, cost_currency, term_start, term_end, auto_renew)
		VALUES ($1, $2, $3, $4, $5, $6::numeric, $7::numeric, $8, $9::date, $10::date, $11) RETURNING id`,
		o.id, product, null(l.name), l.model, l.seats, null(l.seatCost), null(l.totalCost), null(l.currency), null(l.start), null(l.end), l.autoRenew)
}

// cxSeat assigns a seat of license to a person or an asset, assigned ago.
func (f *fixture) cxSeat(o orgFixture, license uuid.UUID, person, asset *uuid.UUID, ago time.Duration) uuid.UUID {
	return f.id(`INSERT INTO license_seats (org_id, license_id, person_id, asset_id, assigned_at, assigned_by)
		VALUES ($1, $2, $3, $4, now() - $5::interval, 'test') RETURNING id`, o.id, license, person, asset, ago)
}

// cxDate is today plus days as a date string (the database's today).
func cxDate(days int) string { return time.Now().AddDate(0, 0, days).Format(time.DateOnly) }

const cxDay = 24 * time.Hour
