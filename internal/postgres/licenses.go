package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/secretbox"
)

// Licenses: loading and saving what internal/licenses has validated. Every
// change writes its license_history row in the same transaction. License
// keys are sealed with the server's secret box before they reach the
// database and opened only for an ADMIN's read, which is itself recorded.

// LicenseStore loads and saves licenses, their seats and their history.
type LicenseStore struct {
	db  *DB
	box *secretbox.Box
	now func() time.Time
}

// NewLicenseStore returns a store sealing license keys with box. box may be
// nil (no ITAM_SECRET_KEY): licenses work, but setting or reading a key is
// refused with ErrNoLicenseKeyBox.
func NewLicenseStore(db *DB, box *secretbox.Box) *LicenseStore {
	return &LicenseStore{db: db, box: box, now: time.Now}
}

// ErrNoLicenseKeyBox refuses storing a license key on a server without a
// secret key: a key is never stored unsealed. The caller can retry without
// licenseKey, so it is their input that cannot be accepted here.
var ErrNoLicenseKeyBox = itam.Invalid("licenseKey", "license keys cannot be stored: the server has no ITAM_SECRET_KEY")

// errCannotOpenKeys refuses reading a stored key without the secret key.
var errCannotOpenKeys = &itam.Error{Code: itam.CodeInternal, Message: "license keys cannot be read: the server has no ITAM_SECRET_KEY"}

func init() {
	constraintFields["licenses_site_unlimited"] = constraintField{"seats", "a SITE license has no seat count; every other model needs one"}
	constraintFields["licenses_one_cost"] = constraintField{"totalCost", "give seatCost or totalCost, not both"}
	constraintFields["licenses_term"] = constraintField{"termEnd", "termEnd is before termStart"}
	constraintFields["licenses_seats_check"] = constraintField{"seats", "seats cannot be negative"}
	constraintFields["license_seats_active_person"] = constraintField{"personId", "this person already holds a seat of this license"}
	constraintFields["license_seats_active_asset"] = constraintField{"assetId", "this device already holds a seat of this license"}
}

const licenseColumns = `x.id, x.product_id, x.name, x.license_model::text, x.editions, x.versions, x.seats, x.term_start, x.term_end,
	x.renewal_date, x.auto_renew, x.seat_cost, x.total_cost, x.cost_currency, x.billing_period::text, x.supplier_id,
	x.purchase_order, x.contract_reference, x.license_key IS NOT NULL, x.notes, x.version, x.created_at, x.updated_at`

func scanLicense(r pgx.CollectableRow) (*licenses.License, error) {
	var l licenses.License
	var price priceColumns
	err := r.Scan(&l.ID, &l.ProductID, &l.Name, &l.Model, &l.Editions, &l.Versions, &price.seats, &l.TermStart, &l.TermEnd,
		&l.RenewalDate, &l.AutoRenew, &price.seatCost, &price.totalCost, &price.currency, &l.BillingPeriod, &l.SupplierID,
		&l.PurchaseOrder, &l.ContractReference, &l.HasKey, &l.Notes, &l.Version, &l.CreatedAt, &l.UpdatedAt)
	if err != nil {
		return nil, err
	}
	costs := price.license()
	l.Seats, l.SeatCost, l.TotalCost = costs.Seats, costs.SeatCost, costs.TotalCost
	return &l, nil
}

// priceColumns are a license's seats and costs as a query returns them
// (seats, seat_cost, total_cost, cost_currency).
type priceColumns struct {
	seats               *int
	seatCost, totalCost decimal.NullDecimal
	currency            *string
}

func (c *priceColumns) dest() []any { return []any{&c.seats, &c.seatCost, &c.totalCost, &c.currency} }

// license is a License holding only the price inputs.
func (c *priceColumns) license() licenses.License {
	l := licenses.License{Seats: c.seats}
	if c.currency != nil {
		cur := strings.TrimSpace(*c.currency)
		if c.seatCost.Valid {
			l.SeatCost = &itam.Money{Amount: c.seatCost.Decimal, Currency: cur}
		}
		if c.totalCost.Valid {
			l.TotalCost = &itam.Money{Amount: c.totalCost.Decimal, Currency: cur}
		}
	}
	return l
}

// selfPersonSQL is the caller's own person id (an EMPLOYEE reads through it).
func selfPersonSQL(p itam.Principal, args *sqlArgs) string {
	return "(SELECT sp.id FROM people sp WHERE sp.email_key = lower(" + args.add(p.Subject) + "))"
}

// heldBySelf is the condition that seat alias s is held by the caller or a
// device assigned to them.
func heldBySelf(p itam.Principal, args *sqlArgs, s string) string {
	self := selfPersonSQL(p, args)
	return fmt.Sprintf("(%[1]s.person_id = %[2]s OR %[1]s.asset_id IN (SELECT sa.id FROM assets sa WHERE sa.assigned_person_id = %[2]s))", s, self)
}

// licenseVisibility narrows an EMPLOYEE to the licenses they or their
// devices hold an active seat of (alias x).
func licenseVisibility(p itam.Principal, args *sqlArgs) []string {
	if licenses.SeesAll(p) {
		return nil
	}
	return []string{"EXISTS (SELECT 1 FROM license_seats vs WHERE vs.license_id = x.id AND vs.reclaimed_at IS NULL AND " + heldBySelf(p, args, "vs") + ")"}
}

// licenseWhere renders f for p (alias x).
func (s *LicenseStore) licenseWhere(p itam.Principal, f licenses.Filter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	where := licenseVisibility(p, args)
	if f.ProductID != nil {
		where = append(where, "x.product_id = "+args.add(*f.ProductID))
	}
	if f.PublisherID != nil {
		where = append(where, "x.product_id IN (SELECT fp.id FROM software_products fp WHERE fp.publisher_id = "+args.add(*f.PublisherID)+")")
	}
	if f.Model != nil {
		where = append(where, "x.license_model = "+args.add(string(*f.Model))+"::text::license_model")
	}
	where = searchWhere(where, args, f.Search, "x.name", "x.purchase_order", "x.contract_reference",
		"(SELECT fp.name FROM software_products fp WHERE fp.id = x.product_id)")
	if f.Active != nil {
		// The same rule as licenses.License.Active, on today's date.
		today := args.add(s.now().UTC().Format(time.DateOnly))
		active := fmt.Sprintf("((x.term_start IS NULL OR x.term_start <= %[1]s::date) AND (x.term_end IS NULL OR x.term_end >= %[1]s::date))", today)
		if !*f.Active {
			active = "NOT " + active
		}
		where = append(where, active)
	}
	return where, args
}

// ListLicenses returns one page of licenses matching f, oldest first.
// EMPLOYEE: only licenses they or their devices hold an active seat of.
func (s *LicenseStore) ListLicenses(ctx context.Context, f licenses.Filter, page itam.PageArgs) (itam.Page[*licenses.License], error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return itam.Page[*licenses.License]{}, err
	}
	where, args := s.licenseWhere(p, f)
	return list(ctx, s.db, p.OrgID, listSpec[*licenses.License]{
		columns: licenseColumns, from: "licenses x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*licenses.License]{"x.created_at", "timestamptz", func(l *licenses.License) string { return l.CreatedAt.Format(time.RFC3339Nano) }},
		dir:  itam.Asc, id: func(l *licenses.License) string { return l.ID.String() }, scan: scanLicense,
	}, page)
}

// CountLicenses returns how many licenses match f.
func (s *LicenseStore) CountLicenses(ctx context.Context, f licenses.Filter) (int, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	where, args := s.licenseWhere(p, f)
	return count(ctx, s.db, p.OrgID, "licenses x", where, args)
}

// LicensesByIDs returns the licenses among ids the caller may see.
func (s *LicenseStore) LicensesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*licenses.License, error) {
	p, err := licenses.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return visibleByIDs(ctx, s.db, p, licenseColumns, "licenses x", "x.id", ids, licenseVisibility, scanLicense,
		func(l *licenses.License) uuid.UUID { return l.ID })
}

// License returns one license the caller may see, else NOT_FOUND.
func (s *LicenseStore) License(ctx context.Context, id uuid.UUID) (*licenses.License, error) {
	return oneByID(ctx, id, "license", s.LicensesByIDs)
}

// seal seals a license key; nil stays nil. Without a box a key is refused.
func (s *LicenseStore) seal(key *string) ([]byte, error) {
	if key == nil {
		return nil, nil
	}
	if s.box == nil {
		return nil, ErrNoLicenseKeyBox
	}
	return s.box.Seal([]byte(*key))
}

// CreateLicense validates and saves a license with its sealed key, and
// records its creation (the key only as set).
func (s *LicenseStore) CreateLicense(ctx context.Context, in licenses.Input) (*licenses.License, error) {
	p, err := licenses.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	sealed, err := s.seal(in.Key)
	if err != nil {
		return nil, err
	}
	l := in.License()
	var out *licenses.License
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		amount, total, currency := costColumns(&l)
		var err error
		out, err = returningOne(ctx, tx, scanLicense, `INSERT INTO licenses AS x (org_id, product_id, name, license_model, editions, versions,
			seats, term_start, term_end, renewal_date, auto_renew, seat_cost, total_cost, cost_currency, billing_period, supplier_id,
			purchase_order, contract_reference, license_key, notes)
			VALUES ($1, $2, $3, $4::text::license_model, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::text::billing_period, $16, $17, $18, $19, $20)
			RETURNING `+licenseColumns,
			p.OrgID, l.ProductID, l.Name, string(l.Model), l.Editions, l.Versions, l.Seats, l.TermStart, l.TermEnd, l.RenewalDate,
			l.AutoRenew, amount, total, currency, string(l.BillingPeriod), l.SupplierID, l.PurchaseOrder, l.ContractReference, sealed, l.Notes)
		if err != nil {
			return err
		}
		return insertLicenseHistory(ctx, tx, p, out.ID, nil, licenses.HistoryCreate, licenses.Diff(nil, out, out.HasKey))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// costColumns splits a license's cost into its columns.
func costColumns(l *licenses.License) (seat, total *decimal.Decimal, currency *string) {
	if l.SeatCost != nil {
		seat, currency = &l.SeatCost.Amount, &l.SeatCost.Currency
	}
	if l.TotalCost != nil {
		total, currency = &l.TotalCost.Amount, &l.TotalCost.Currency
	}
	return seat, total, currency
}

// licensesTable locks a license for a change the way every catalog row is
// locked (catalogTable.lock: NOT_FOUND, or CONFLICT on a stale version).
var licensesTable = catalogTable[*licenses.License]{what: "license", name: "licenses", columns: licenseColumns, scan: scanLicense,
	id: func(l *licenses.License) uuid.UUID { return l.ID }, version: func(l *licenses.License) int { return l.Version }}

// UpdateLicense applies a patch under the licenses rules; the caller's
// version must be current. A patch that changes nothing writes nothing.
func (s *LicenseStore) UpdateLicense(ctx context.Context, in licenses.Patch) (*licenses.License, error) {
	p, err := licenses.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *licenses.License
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := licensesTable.lock(ctx, tx, in.ID, &in.Version)
		if err != nil {
			return err
		}
		next, err := in.Apply(*cur)
		if err != nil {
			return err
		}
		// Removing a key that is not there changes nothing.
		keyChanged := in.Key.Set && (in.Key.Value != nil || cur.HasKey)
		changes := licenses.Diff(cur, &next, keyChanged)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		amount, total, currency := costColumns(&next)
		sql := `UPDATE licenses x SET product_id = $2, name = $3, license_model = $4::text::license_model, editions = $5, versions = $6,
			seats = $7, term_start = $8, term_end = $9, renewal_date = $10, auto_renew = $11, seat_cost = $12, total_cost = $13,
			cost_currency = $14, billing_period = $15::text::billing_period, supplier_id = $16, purchase_order = $17,
			contract_reference = $18, notes = $19, version = x.version + 1, updated_at = now()`
		args := []any{cur.ID, next.ProductID, next.Name, string(next.Model), next.Editions, next.Versions, next.Seats, next.TermStart,
			next.TermEnd, next.RenewalDate, next.AutoRenew, amount, total, currency, string(next.BillingPeriod), next.SupplierID,
			next.PurchaseOrder, next.ContractReference, next.Notes}
		if keyChanged {
			sealed, err := s.seal(in.Key.Value)
			if err != nil {
				return err
			}
			sql += ", license_key = $20"
			args = append(args, sealed)
		}
		out, err = returningOne(ctx, tx, scanLicense, sql+" WHERE x.id = $1 RETURNING "+licenseColumns, args...)
		if err != nil {
			return err
		}
		return insertLicenseHistory(ctx, tx, p, out.ID, nil, licenses.HistoryUpdate, changes)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteLicense removes a license and its seats (checking version when
// given); its history stays, closed by a DELETE entry.
func (s *LicenseStore) DeleteLicense(ctx context.Context, id uuid.UUID, version *int) (*licenses.License, error) {
	p, err := licenses.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *licenses.License
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := licensesTable.lock(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM licenses WHERE id = $1", id); err != nil {
			return err
		}
		out = cur
		return insertLicenseHistory(ctx, tx, p, id, nil, licenses.HistoryDelete, licenses.Diff(cur, nil, false))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LicenseKey returns a license's key (nil when none is stored): ADMIN
// only. The read and its KEY_READ history entry commit together, so no key
// leaves the database unrecorded.
func (s *LicenseStore) LicenseKey(ctx context.Context, id uuid.UUID) (*string, error) {
	p, err := licenses.RequireKeyRead(ctx)
	if err != nil {
		return nil, err
	}
	var out *string
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var sealed []byte
		err := tx.QueryRow(ctx, "SELECT license_key FROM licenses WHERE id = $1", id).Scan(&sealed)
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.NotFound("license")
		}
		if err != nil || sealed == nil {
			return err
		}
		if s.box == nil {
			return errCannotOpenKeys
		}
		plain, err := s.box.Open(sealed)
		if err != nil {
			// The error names no key material (secretbox's errors never do).
			return fmt.Errorf("postgres: open license key: %w", err)
		}
		key := string(plain)
		out = &key
		return insertLicenseHistory(ctx, tx, p, id, nil, licenses.HistoryKeyRead, licenses.Changes{})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const insertLicenseHistorySQL = `INSERT INTO license_history (org_id, license_id, seat_id, action, actor_kind, actor, changes)
	VALUES ($1, $2, $3, $4::text::license_history_action, $5::text::actor_kind, $6, $7)`

// insertLicenseHistory appends one history entry inside tx.
func insertLicenseHistory(ctx context.Context, tx pgx.Tx, p itam.Principal, license uuid.UUID, seat *uuid.UUID, action licenses.HistoryAction, changes licenses.Changes) error {
	kind, who, _ := actor(p)
	if changes == nil {
		changes = licenses.Changes{}
	}
	_, err := tx.Exec(ctx, insertLicenseHistorySQL, p.OrgID, license, seat, string(action), string(kind), who, changes)
	return err
}

// KeyOf is LicenseKey for a license the caller already read: one without a
// key answers nil, after the same role check, without a round trip.
func (s *LicenseStore) KeyOf(ctx context.Context, l *licenses.License) (*string, error) {
	if _, err := licenses.RequireKeyRead(ctx); err != nil {
		return nil, err
	}
	if !l.HasKey {
		return nil, nil
	}
	return s.LicenseKey(ctx, l.ID)
}
