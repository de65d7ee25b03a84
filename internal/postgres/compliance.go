package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// LicenseComplianceStore reads the license position of an organization's
// products, the seats it could reclaim, the licenses about to expire and
// the audit evidence behind a position. It only reads; the rules that turn
// counts into a position are internal/licenses'.
type LicenseComplianceStore struct{ db *DB }

// NewLicenseComplianceStore returns a LicenseComplianceStore over db.
func NewLicenseComplianceStore(db *DB) *LicenseComplianceStore {
	return &LicenseComplianceStore{db: db}
}

// SQL fragments the compliance queries share. A license is active when its
// term covers today; a device consumes unless RETIRED or DISPOSED; a
// person unless OFFBOARDED.
const (
	activeLicenseSQL = `(%[1]s.term_start IS NULL OR %[1]s.term_start <= current_date) AND (%[1]s.term_end IS NULL OR %[1]s.term_end >= current_date)`
	inactiveAssetSQL = `('RETIRED', 'DISPOSED')`
)

func activeLicense(alias string) string { return fmt.Sprintf(activeLicenseSQL, alias) }

// Positions returns each product's license position, worst status first,
// then by product name; the domain finishes each row (licenses.NewPosition).
// One product's position is computed live (an index range, about a
// millisecond); the whole report and a publisher's read the maintained
// per-product counts (compliance_cache.go).
func (s *LicenseComplianceStore) Positions(ctx context.Context, f licenses.ComplianceFilter) ([]licenses.Position, error) {
	p, err := licenses.RequireComplianceRead(ctx)
	if err != nil {
		return nil, err
	}
	if f.ProductID != nil {
		return s.livePositions(ctx, p, f)
	}
	return s.cachedPositions(ctx, p, f)
}

// LivePositions is Positions computed from the installations, seats and
// licenses without the maintained counts: what the cache must always equal
// (tests) and the benchmark's uncached floor.
func (s *LicenseComplianceStore) LivePositions(ctx context.Context, f licenses.ComplianceFilter) ([]licenses.Position, error) {
	p, err := licenses.RequireComplianceRead(ctx)
	if err != nil {
		return nil, err
	}
	return s.livePositions(ctx, p, f)
}

// livePositions computes the positions in one statement.
//
// Performance: the installation counts read the partial index
// software_installations_product (org, product, asset) in order, so
// distinct devices per product are counted by streaming group-bys without
// a sort or hash over the whole table; inactive assets are a small hashed
// NOT IN list; the join to assets and people (for the USER metric) runs only
// over the products whose active licenses make them count people.
func (s *LicenseComplianceStore) livePositions(ctx context.Context, p itam.Principal, f licenses.ComplianceFilter) ([]licenses.Position, error) {
	args := &sqlArgs{}
	prodWhere := []string{"TRUE"}
	// Which installations to count: one product's index range, or all.
	instProduct := "i.product_id IS NOT NULL"
	active, present := hashedActive, hashedPresent
	if f.ProductID != nil {
		a := args.add(*f.ProductID)
		prodWhere = append(prodWhere, "p.id = "+a)
		instProduct = "i.product_id = " + a
		// For one product, an index probe per installation instead of
		// reading every asset's status.
		active = func(col string) string {
			return "NOT EXISTS (SELECT 1 FROM assets x WHERE x.id = " + col + " AND x.status IN " + inactiveAssetSQL + ")"
		}
		present = func(col string) string {
			return "NOT EXISTS (SELECT 1 FROM people x WHERE x.id = " + col + " AND x.status = 'OFFBOARDED')"
		}
	}
	if f.PublisherID != nil {
		prodWhere = append(prodWhere, "p.publisher_id = "+args.add(*f.PublisherID))
		if f.ProductID == nil {
			instProduct = "i.product_id IN (SELECT id FROM prod)"
		}
	}
	sql := `WITH prod AS MATERIALIZED (
	SELECT p.id, p.name FROM software_products p WHERE ` + strings.Join(prodWhere, " AND ") + `
), ` + countsCTEs(instProduct, active, present) + `, ` + licJSONCTE + `
SELECT prod.id, counts.installed, counts.devices_consumed, counts.users_consumed, counts.unattributed, counts.assigned, lic.j
FROM prod
JOIN counts ON counts.product_id = prod.id
LEFT JOIN lic ON lic.product_id = prod.id
ORDER BY lower(prod.name), prod.id`
	var rows []licenses.PositionCounts
	err := s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		b.Queue(positionSettingsSQL)
		queueRows(b, sql, args.list, scanPositionCounts, func(c licenses.PositionCounts) { rows = append(rows, c) })
	})
	if err != nil {
		return nil, err
	}
	return finishPositions(rows, f), nil
}

// finishPositions turns counts into positions (the domain's rules), keeps
// those of the filter's status and sorts them.
func finishPositions(rows []licenses.PositionCounts, f licenses.ComplianceFilter) []licenses.Position {
	out := make([]licenses.Position, 0, len(rows))
	for _, c := range rows {
		pos := licenses.NewPosition(c)
		if f.Status == nil || pos.Status == *f.Status {
			out = append(out, pos)
		}
	}
	licenses.SortPositions(out)
	return out
}

// Excluding RETIRED and DISPOSED devices and OFFBOARDED people over many
// products: hashed lists of them (a few percent of the rows) probed per
// installation or seat.
func hashedActive(col string) string  { return col + " NOT IN (SELECT id FROM inactive)" }
func hashedPresent(col string) string { return col + " NOT IN (SELECT id FROM offboarded)" }

// actCTE is the active licenses of the products in prod.
var actCTE = `act AS MATERIALIZED (
	SELECT l.id, l.product_id, l.license_model, l.seats, l.seat_cost, l.total_cost, l.cost_currency, l.term_start, l.created_at
	FROM licenses l WHERE l.product_id IN (SELECT id FROM prod) AND ` + activeLicense("l") + `
)`

// licJSONCTE is each product's active licenses as scanPositionCounts reads them.
const licJSONCTE = `lic AS (
	SELECT product_id, json_agg(json_build_object('id', id, 'model', license_model, 'seats', seats, 'seatCost', seat_cost,
		'totalCost', total_cost, 'currency', cost_currency, 'termStart', term_start, 'createdAt', created_at)) AS j
	FROM act GROUP BY product_id
)`

// countsCTEs follows a CTE prod (the products to count, column id) with
// act (their active licenses) and counts: per product, installed devices,
// devices consuming, users consuming, unattributed devices and assigned
// seats. instProduct selects the installations to read, or, when empty,
// they are read product by product (an index range each: the plan stays
// right whether prod holds none, a few or every product); active and
// present exclude inactive devices and offboarded people.
func countsCTEs(instProduct string, active, present func(string) string) string {
	devices := `SELECT DISTINCT ON (i.product_id, i.asset_id) i.product_id, i.asset_id FROM software_installations i
		WHERE i.ended_at IS NULL AND ` + instProduct + ` AND ` + active("i.asset_id") + `
		ORDER BY i.product_id, i.asset_id`
	userInstalls := `(SELECT i.product_id, i.asset_id FROM software_installations i
		WHERE i.ended_at IS NULL AND i.product_id IN (SELECT product_id FROM user_products)) i`
	if instProduct == "" {
		devices = `SELECT prod.id AS product_id, x.asset_id FROM prod CROSS JOIN LATERAL (
			SELECT DISTINCT i.asset_id FROM software_installations i
			WHERE i.product_id = prod.id AND i.ended_at IS NULL AND ` + active("i.asset_id") + `) x`
		userInstalls = `user_products up CROSS JOIN LATERAL (
		SELECT up.product_id, i.asset_id FROM software_installations i WHERE i.product_id = up.product_id AND i.ended_at IS NULL) i`
	}
	return actCTE + `, user_products AS MATERIALIZED (
	-- licenses.MetricFor: people when every active license is other than PER_DEVICE.
	SELECT product_id FROM act GROUP BY product_id HAVING bool_and(license_model <> 'PER_DEVICE')
), seat AS MATERIALIZED (
	SELECT act.product_id, s.person_id, s.asset_id FROM license_seats s JOIN act ON act.id = s.license_id WHERE s.reclaimed_at IS NULL
), inactive AS MATERIALIZED (
	SELECT a.id FROM assets a WHERE a.status IN ` + inactiveAssetSQL + `
), offboarded AS MATERIALIZED (
	SELECT pe.id FROM people pe WHERE pe.status = 'OFFBOARDED'
), seat_devices AS MATERIALIZED (
	SELECT DISTINCT s.product_id, s.asset_id FROM seat s WHERE s.asset_id IS NOT NULL AND ` + active("s.asset_id") + `
), devices AS (
	-- Distinct devices per product. DISTINCT ON is always done on sorted
	-- input, here the partial index software_installations_product's own
	-- (product, asset) order: a million installations stream through
	-- without a sort, where a GROUP BY would be planned as a hash of every
	-- pair (the planner cannot tell how many a tenant has). Each device is
	-- looked up in the (small) hashed set of seated ones on the way.
	SELECT d.product_id, count(*) AS installed,
		count(*) FILTER (WHERE (d.product_id, d.asset_id) IN (SELECT product_id, asset_id FROM seat_devices)) AS seated
	FROM (` + devices + `) d
	GROUP BY d.product_id
), seated AS (
	SELECT product_id, count(*) AS n FROM seat_devices GROUP BY product_id
), user_installs AS MATERIALIZED (
	-- USER metric products only: their installed active devices and who
	-- they are assigned to.
	SELECT i.product_id, i.asset_id, a.assigned_person_id AS person_id FROM ` + userInstalls + `
	JOIN assets a ON a.id = i.asset_id AND a.status NOT IN ` + inactiveAssetSQL + `
), users AS (
	SELECT u.product_id, count(DISTINCT u.person_id) AS n FROM (
		SELECT ui.product_id, ui.person_id FROM user_installs ui WHERE ui.person_id IS NOT NULL
		UNION ALL
		SELECT s.product_id, s.person_id FROM seat s WHERE s.person_id IS NOT NULL AND s.product_id IN (SELECT product_id FROM user_products)
	) u WHERE ` + present("u.person_id") + `
	GROUP BY u.product_id
), unattributed AS (
	SELECT ui.product_id, count(DISTINCT ui.asset_id) AS n FROM user_installs ui WHERE ui.person_id IS NULL GROUP BY ui.product_id
), assigned AS (
	SELECT product_id, count(*) AS n FROM seat GROUP BY product_id
), counts AS (
	SELECT prod.id AS product_id, coalesce(devices.installed, 0) AS installed,
		coalesce(devices.installed, 0) + coalesce(seated.n, 0) - coalesce(devices.seated, 0) AS devices_consumed,
		coalesce(users.n, 0) AS users_consumed, coalesce(unattributed.n, 0) AS unattributed, coalesce(assigned.n, 0) AS assigned
	FROM prod
	LEFT JOIN devices ON devices.product_id = prod.id
	LEFT JOIN seated ON seated.product_id = prod.id
	LEFT JOIN users ON users.product_id = prod.id
	LEFT JOIN unattributed ON unattributed.product_id = prod.id
	LEFT JOIN assigned ON assigned.product_id = prod.id
)`
}

// positionSettingsSQL tunes the positions statement, for its transaction
// only: its cost estimate crosses the JIT threshold, and compiling costs
// more than the query saves (a third of a second); and the per-product
// aggregates' sorts and hashes fit in memory.
const positionSettingsSQL = `SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`

// positionLicense is one active license as the positions query's JSON has it.
type positionLicense struct {
	ID        uuid.UUID           `json:"id"`
	Model     licenses.Model      `json:"model"`
	Seats     *int                `json:"seats"`
	SeatCost  decimal.NullDecimal `json:"seatCost"`
	TotalCost decimal.NullDecimal `json:"totalCost"`
	Currency  *string             `json:"currency"`
	TermStart *string             `json:"termStart"`
	CreatedAt time.Time           `json:"createdAt"`
}

func scanPositionCounts(r pgx.CollectableRow) (licenses.PositionCounts, error) {
	var c licenses.PositionCounts
	var lic []byte
	if err := r.Scan(&c.ProductID, &c.Installed, &c.DevicesConsumed, &c.UsersConsumed, &c.Unattributed, &c.Assigned, &lic); err != nil {
		return c, err
	}
	if lic == nil {
		return c, nil
	}
	var ls []positionLicense
	if err := json.Unmarshal(lic, &ls); err != nil {
		return c, fmt.Errorf("positions: licenses of %s: %w", c.ProductID, err)
	}
	for _, pl := range ls {
		price := priceColumns{seats: pl.Seats, seatCost: pl.SeatCost, totalCost: pl.TotalCost, currency: pl.Currency}
		l := price.license()
		l.ID, l.ProductID, l.Model, l.CreatedAt = pl.ID, c.ProductID, pl.Model, pl.CreatedAt
		if pl.TermStart != nil {
			t, err := time.Parse(time.DateOnly, *pl.TermStart)
			if err != nil {
				return c, fmt.Errorf("positions: term start of %s: %w", pl.ID, err)
			}
			l.TermStart = &t
		}
		c.Active = append(c.Active, l)
	}
	return c, nil
}
