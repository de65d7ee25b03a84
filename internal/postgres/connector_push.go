package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// What the push worker loads and saves (internal/syncjob/push.go), and the
// refused pushes the API shows. The rules (which fields differ, what a
// pull may overwrite) are internal/reconcile's.

// PushStore keeps ITSM write-back state.
type PushStore struct {
	db *DB // the worker's, with the job statement timeout
	// reads serve API requests, with the request statement timeout.
	reads *DB
}

// NewPushStore returns a PushStore over db.
func NewPushStore(db *DB) *PushStore { return &PushStore{db: db.ForJobs(), reads: db} }

// PushTarget is one asset as a push writes it to one connector.
type PushTarget struct {
	AssetID uuid.UUID
	Version int
	// ExternalID is the asset's record at the connector, "" when unlinked.
	ExternalID                  string
	AssetTag                    string
	SerialNumber                string
	Name                        string
	Manufacturer                string
	Model                       string
	Status                      string
	AssigneeEmail, AssigneeName string
	Location                    string
	PurchaseDate                *time.Time
	PurchasePrice               string
	PurchaseCurrency            string
	OrderNumber                 string
	WarrantyEnd                 *time.Time
	// Known is what the record is believed to hold (nil: nothing known).
	Known reconcile.PushValues
}

// Values are the target's current push values.
func (t *PushTarget) Values() reconcile.PushValues {
	return reconcile.CanonicalValues(t.AssigneeEmail, t.Status, t.Location, t.AssetTag, t.PurchaseDate, t.PurchasePrice,
		t.PurchaseCurrency, t.OrderNumber, t.WarrantyEnd)
}

// pushValuesSQL selects an asset's push-relevant values; the caller joins
// assets a and names the link's connector as $1.
const pushValuesSQL = `a.id, a.version, a.asset_tag, coalesce(a.serial_number, ''), coalesce(a.name, ''),
	coalesce(mf.name, ''), coalesce(md.name, ''), a.status::text, coalesce(pe.email, ''), coalesce(pe.name, ''),
	coalesce(lo.name, ''), a.purchase_date, a.purchase_price, coalesce(a.purchase_currency, ''), coalesce(a.order_number, ''),
	a.warranty_end, s.known`

const pushJoinsSQL = ` LEFT JOIN manufacturers mf ON mf.org_id = a.org_id AND mf.id = a.manufacturer_id
	LEFT JOIN models md ON md.org_id = a.org_id AND md.id = a.model_id
	LEFT JOIN people pe ON pe.org_id = a.org_id AND pe.id = a.assigned_person_id
	LEFT JOIN locations lo ON lo.org_id = a.org_id AND lo.id = a.location_id
	LEFT JOIN connector_push_state s ON s.org_id = a.org_id AND s.connector_id = $1 AND s.asset_id = a.id`

func scanPushTarget(r pgx.CollectableRow, extra ...any) (*PushTarget, error) {
	var t PushTarget
	var price decimal.NullDecimal
	var known map[string]string
	dest := append([]any{&t.AssetID, &t.Version, &t.AssetTag, &t.SerialNumber, &t.Name, &t.Manufacturer, &t.Model, &t.Status,
		&t.AssigneeEmail, &t.AssigneeName, &t.Location, &t.PurchaseDate, &price, &t.PurchaseCurrency, &t.OrderNumber,
		&t.WarrantyEnd, &known}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	if price.Valid {
		t.PurchasePrice = price.Decimal.String()
	}
	if known != nil {
		t.Known = reconcile.PushValues(known)
	}
	return &t, nil
}

// PushTarget loads asset for a push to connector (connector or system
// principals only); NOT_FOUND when the asset is gone.
func (s *PushStore) PushTarget(ctx context.Context, connectorID, assetID uuid.UUID) (*PushTarget, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "asset", `SELECT `+pushValuesSQL+`,
		coalesce((SELECT x.external_id FROM asset_external_ids x WHERE x.org_id = a.org_id AND x.asset_id = a.id AND x.connector_id = $1
		           ORDER BY x.created_at LIMIT 1), '')
		FROM assets a`+pushJoinsSQL+` WHERE a.id = $2`, []any{connectorID, assetID},
		func(r pgx.CollectableRow) (*PushTarget, error) {
			var ext string
			t, err := scanPushTarget(r, &ext)
			if t != nil {
				t.ExternalID = ext
			}
			return t, err
		})
}

// PushSaved is what SavePushed found.
type PushSaved struct {
	// Version is the asset's version now: a newer one than the pushed
	// target's means it changed while the push ran.
	Version int
}

// SavePushed records a successful push: values (the pushed value keys)
// are what the record now holds, the error is cleared and, when the push
// created the record, createdID becomes the asset's link to connector.
func (s *PushStore) SavePushed(ctx context.Context, c *itam.Connector, assetID uuid.UUID, values reconcile.PushValues, createdID string) (PushSaved, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return PushSaved{}, err
	}
	var out PushSaved
	if values == nil {
		values = reconcile.PushValues{}
	}
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if createdID != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id, last_seen_at)
				VALUES ($1, $2, $3, $4, $5, now())`, p.OrgID, assetID, c.Source(), createdID, c.ID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO connector_push_state AS s (org_id, connector_id, asset_id, known, pushed_at)
			VALUES ($1, $2, $3, $4, now())
			ON CONFLICT (org_id, connector_id, asset_id) DO UPDATE SET known = s.known || EXCLUDED.known, pushed_at = now(),
				error_message = NULL, error_status = NULL, error_fields = NULL, error_at = NULL`,
			p.OrgID, c.ID, assetID, map[string]string(values)); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT version FROM assets WHERE id = $1`, assetID).Scan(&out.Version)
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.NotFound("asset")
		}
		return err
	})
	return out, err
}

// Limit on a stored vendor message.
const maxPushErrorMessage = 2000

// RecordPushError records a push the vendor refused; nothing else changes.
func (s *PushStore) RecordPushError(ctx context.Context, connectorID, assetID uuid.UUID, fields []string, message string, status int) error {
	p, err := requireWorker(ctx)
	if err != nil {
		return err
	}
	if len(message) > maxPushErrorMessage {
		message = message[:maxPushErrorMessage]
	}
	var st *int
	if status != 0 {
		st = &status
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO connector_push_state AS s (org_id, connector_id, asset_id, error_message, error_status, error_fields, error_at)
			VALUES ($1, $2, $3, $4, $5, $6, now())
			ON CONFLICT (org_id, connector_id, asset_id) DO UPDATE SET error_message = EXCLUDED.error_message,
				error_status = EXCLUDED.error_status, error_fields = EXCLUDED.error_fields, error_at = EXCLUDED.error_at`,
			p.OrgID, connectorID, assetID, storableText(message), st, fields)
		return err
	})
}

// storableText is a vendor's message as PostgreSQL stores text: valid
// UTF-8 without NUL.
func storableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
