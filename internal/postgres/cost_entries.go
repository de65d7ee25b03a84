package postgres

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// The cost ledger: loading and saving what internal/costs has validated.
// Every change writes its cost_history row in its transaction, and a change
// to an asset's PURCHASE entry writes the asset's purchase price, date and
// history in the same transaction (the other direction is migration 00012's
// trigger), so the two never disagree.

func init() {
	constraintFields["cost_entries_one_purchase"] = constraintField{"kind", "this asset already has a PURCHASE entry (its purchase price); edit that one"}
}

const entryColumns = `x.id, x.asset_id, x.license_id, x.contract_id, x.kind, x.entry_date, x.amount, x.currency, x.supplier_id,
	x.invoice_reference, x.notes, x.version, x.created_at, x.updated_at`

func scanEntry(r pgx.CollectableRow) (*costs.Entry, error) {
	var e costs.Entry
	err := r.Scan(&e.ID, &e.AssetID, &e.LicenseID, &e.ContractID, &e.Kind, &e.Date, &e.Amount.Amount, &e.Amount.Currency,
		&e.SupplierID, &e.InvoiceReference, &e.Notes, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	e.Amount.Currency = strings.TrimSpace(e.Amount.Currency)
	return &e, err
}

var entriesTable = catalogTable[*costs.Entry]{what: "cost entry", name: "cost_entries", columns: entryColumns, scan: scanEntry,
	id: func(e *costs.Entry) uuid.UUID { return e.ID }, version: func(e *costs.Entry) int { return e.Version }}

// notFoundField is NOT_FOUND naming the input field whose id is unknown or
// belongs to another organization (RLS makes the two look the same).
func notFoundField(field, what string) error {
	return &itam.Error{Code: itam.CodeNotFound, Field: field, Message: what + " not found"}
}

// checkEntryRefs checks, in one round trip, that the records an entry
// points at exist in the caller's organization.
func checkEntryRefs(ctx context.Context, tx pgx.Tx, e *costs.Entry) error {
	var asset, license, contract, supplier bool
	err := tx.QueryRow(ctx, `SELECT
		$1::uuid IS NULL OR EXISTS (SELECT 1 FROM assets WHERE id = $1),
		$2::uuid IS NULL OR EXISTS (SELECT 1 FROM licenses WHERE id = $2),
		$3::uuid IS NULL OR EXISTS (SELECT 1 FROM contracts WHERE id = $3),
		$4::uuid IS NULL OR EXISTS (SELECT 1 FROM suppliers WHERE id = $4)`,
		e.AssetID, e.LicenseID, e.ContractID, e.SupplierID).Scan(&asset, &license, &contract, &supplier)
	switch {
	case err != nil:
		return err
	case !asset:
		return notFoundField("assetId", "asset")
	case !license:
		return notFoundField("licenseId", "license")
	case !contract:
		return notFoundField("contractId", "contract")
	case !supplier:
		return notFoundField("supplierId", "supplier")
	}
	return nil
}

// CreateEntry validates and books a cost. ADMIN and MANAGER.
func (s *CostEntryStore) CreateEntry(ctx context.Context, in costs.Entry) (*costs.Entry, error) {
	p, err := costs.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	e, err := in.Normalize()
	if err != nil {
		return nil, err
	}
	var out *costs.Entry
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if err := checkEntryRefs(ctx, tx, &e); err != nil {
			return err
		}
		if e.AssetID != nil {
			// The asset first, as every asset writer does before the
			// trigger reaches the entry: one lock order, no deadlock.
			if _, err := lockAsset(ctx, tx, *e.AssetID, nil); err != nil {
				return err
			}
		}
		out, err = returningOne(ctx, tx, scanEntry, `INSERT INTO cost_entries AS x (org_id, asset_id, license_id, contract_id, kind,
			entry_date, amount, currency, supplier_id, invoice_reference, notes)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING `+entryColumns,
			p.OrgID, e.AssetID, e.LicenseID, e.ContractID, string(e.Kind), e.Date, e.Amount.Amount, e.Amount.Currency,
			e.SupplierID, e.InvoiceReference, e.Notes)
		if err != nil {
			return err
		}
		if err := insertCostHistory(ctx, tx, p, costs.HistoryCostEntry, out.ID, costs.HistoryCreate, costs.Diff(nil, out, costs.EntryFields)); err != nil {
			return err
		}
		return syncAssetPurchase(ctx, tx, p, nil, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// lockEntry locks an entry for a change, its asset first (see CreateEntry).
// An entry's target never changes, so the unlocked read of it is safe.
func lockEntry(ctx context.Context, tx pgx.Tx, id uuid.UUID, version *int) (*costs.Entry, error) {
	var asset *uuid.UUID
	err := tx.QueryRow(ctx, `SELECT asset_id FROM cost_entries WHERE id = $1`, id).Scan(&asset)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, itam.NotFound("cost entry")
	}
	if err != nil {
		return nil, err
	}
	if asset != nil {
		if _, err := lockAsset(ctx, tx, *asset, nil); err != nil {
			return nil, err
		}
	}
	return entriesTable.lock(ctx, tx, id, version)
}

// UpdateEntry applies a patch under the ledger's rules; the caller's
// version must be current. A patch that changes nothing writes nothing.
func (s *CostEntryStore) UpdateEntry(ctx context.Context, in costs.EntryPatch) (*costs.Entry, error) {
	p, err := costs.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *costs.Entry
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := lockEntry(ctx, tx, in.ID, &in.Version)
		if err != nil {
			return err
		}
		next, err := in.Apply(*cur)
		if err != nil {
			return err
		}
		changes := costs.Diff(cur, &next, costs.EntryFields)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		if in.SupplierID.Set && next.SupplierID != nil {
			if err := checkEntryRefs(ctx, tx, &costs.Entry{SupplierID: next.SupplierID}); err != nil {
				return err
			}
		}
		out, err = returningOne(ctx, tx, scanEntry, `UPDATE cost_entries x SET kind = $2, entry_date = $3, amount = $4, currency = $5,
			supplier_id = $6, invoice_reference = $7, notes = $8, version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+entryColumns,
			cur.ID, string(next.Kind), next.Date, next.Amount.Amount, next.Amount.Currency, next.SupplierID, next.InvoiceReference, next.Notes)
		if err != nil {
			return err
		}
		if err := insertCostHistory(ctx, tx, p, costs.HistoryCostEntry, out.ID, costs.HistoryUpdate, changes); err != nil {
			return err
		}
		return syncAssetPurchase(ctx, tx, p, cur, out)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteEntry removes an entry (checking version when given); its history
// stays, closed by a DELETE entry. Deleting an asset's PURCHASE entry
// clears the asset's purchase price.
func (s *CostEntryStore) DeleteEntry(ctx context.Context, id uuid.UUID, version *int) (*costs.Entry, error) {
	p, err := costs.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *costs.Entry
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := lockEntry(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM cost_entries WHERE id = $1`, id); err != nil {
			return err
		}
		out = cur
		if err := insertCostHistory(ctx, tx, p, costs.HistoryCostEntry, id, costs.HistoryDelete, costs.Diff(cur, nil, costs.EntryFields)); err != nil {
			return err
		}
		return syncAssetPurchase(ctx, tx, p, cur, nil)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// syncAssetPurchase writes what the entry change before → after does to its
// asset's purchase (costs.PurchaseOf): price, currency and date, a new
// version and an asset_history UPDATE with the changed fields, and locks the
// fields a person set against syncs, as an edit of the asset would. The
// entry is written first, so the asset trigger then finds it already equal
// and leaves it alone.
func syncAssetPurchase(ctx context.Context, tx pgx.Tx, p itam.Principal, before, after *costs.Entry) error {
	ch, ok := costs.PurchaseOf(before, after)
	if !ok {
		return nil
	}
	cur, err := lockAsset(ctx, tx, ch.AssetID, nil)
	if err != nil {
		return err
	}
	next := *cur
	next.PurchasePrice, next.PurchaseDate = ch.Price, ch.Date
	changes := itam.DiffAssets(cur, &next)
	if len(changes) == 0 {
		return nil
	}
	price, currency := priceArgs(ch.Price)
	rows, _ := tx.Query(ctx, `UPDATE assets a SET purchase_price = $2, purchase_currency = $3, purchase_date = $4,
		version = a.version + 1, updated_at = now() WHERE a.id = $1 RETURNING `+assetColumns, cur.ID, price, currency, ch.Date)
	updated, err := pgx.CollectExactlyOneRow(rows, scanAsset)
	if err != nil {
		return err
	}
	changes = itam.DiffAssets(cur, updated)
	if err := lockEditedFields(ctx, tx, p, updated.ID, changes); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, insertHistorySQL, historyArgs(p, itam.HistoryUpdate, cur, updated, changes)...)
	return err
}
