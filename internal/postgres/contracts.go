package postgres

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Contracts: loading and saving what internal/costs has validated. A
// contract's charges and coverage are written in the transaction of the
// contract, with its cost_history row; reads load the charges with the
// contracts (they are few, at most 50 each) and the coverage only where a
// field asks for it (it can be 10,000 assets).

func init() {
	constraintFields["contracts_end_after_start"] = constraintField{"end", "a contract cannot end before it starts"}
}

const contractColumns = `x.id, x.kind, x.supplier_id, x.number, x.start_date, x.end_date, x.renewal_date, x.notice_date,
	x.notes, x.version, x.created_at, x.updated_at`

func scanContract(r pgx.CollectableRow) (*costs.Contract, error) {
	var c costs.Contract
	err := r.Scan(&c.ID, &c.Kind, &c.SupplierID, &c.Number, &c.Start, &c.End, &c.RenewalDate, &c.NoticeDate,
		&c.Notes, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	return &c, err
}

const chargesSQL = `SELECT contract_id, amount, currency, every, start_date, end_date FROM contract_charges
	WHERE contract_id = ANY($1::uuid[]) ORDER BY contract_id, position`

type chargeRow struct {
	contract uuid.UUID
	charge   costs.Charge
}

func scanCharge(r pgx.CollectableRow) (chargeRow, error) {
	var c chargeRow
	var currency string
	err := r.Scan(&c.contract, &c.charge.Amount.Amount, &currency, &c.charge.Every, &c.charge.Start, &c.charge.End)
	c.charge.Amount.Currency = strings.TrimSpace(currency)
	return c, err
}

// queueCharges adds to b the statement loading the charges of cs, which it
// attaches in position order (an empty list, never nil, for none).
func queueCharges(b *pgx.Batch, cs []*costs.Contract) {
	byID := make(map[uuid.UUID]*costs.Contract, len(cs))
	ids := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		byID[c.ID], ids[i] = c, c.ID
		c.Charges = []costs.Charge{}
	}
	queueRows(b, chargesSQL, []any{ids}, scanCharge, func(r chargeRow) {
		if c := byID[r.contract]; c != nil {
			c.Charges = append(c.Charges, r.charge)
		}
	})
}

// withCharges loads the charges of cs in one round trip.
func (s *ContractStore) withCharges(ctx context.Context, org uuid.UUID, cs []*costs.Contract) error {
	if len(cs) == 0 {
		return nil
	}
	return s.db.read(ctx, org, func(b *pgx.Batch) { queueCharges(b, cs) })
}

// contractWhere renders f (alias x).
func contractWhere(f costs.ContractFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		where = append(where, "x.kind = ANY("+args.add(kinds)+"::text[])")
	}
	if f.SupplierID != nil {
		where = append(where, "x.supplier_id = "+args.add(*f.SupplierID))
	}
	if f.AssetID != nil {
		where = append(where, "x.id IN (SELECT fa.contract_id FROM contract_assets fa WHERE fa.asset_id = "+args.add(*f.AssetID)+")")
	}
	if f.LicenseID != nil {
		where = append(where, "x.id IN (SELECT fl.contract_id FROM contract_licenses fl WHERE fl.license_id = "+args.add(*f.LicenseID)+")")
	}
	if f.ActiveOn != nil {
		day := args.add(f.ActiveOn.Format(time.DateOnly))
		where = append(where, "x.start_date <= "+day+"::date AND (x.end_date IS NULL OR x.end_date >= "+day+"::date)")
	}
	if f.NoticeWithinDays != nil {
		today := args.add(time.Now().UTC().Format(time.DateOnly))
		where = append(where, "x.notice_date BETWEEN "+today+"::date AND "+today+"::date + "+args.add(*f.NoticeWithinDays)+"::int")
	}
	where = searchWhere(where, args, f.Search, "x.number", "x.notes")
	return where, args
}

func contractSpec(where []string, args *sqlArgs) listSpec[*costs.Contract] {
	return listSpec[*costs.Contract]{
		columns: contractColumns, from: "contracts x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*costs.Contract]{"x.start_date", "date", func(c *costs.Contract) string { return c.Start.Format(time.DateOnly) }},
		dir:  itam.Asc, id: func(c *costs.Contract) string { return c.ID.String() }, scan: scanContract,
	}
}

// ListContracts returns one page of the contracts matching f, by start
// date, with their charges. Money readers only.
func (s *ContractStore) ListContracts(ctx context.Context, f costs.ContractFilter, page itam.PageArgs) (itam.Page[*costs.Contract], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return itam.Page[*costs.Contract]{}, err
	}
	if err := f.Validate(); err != nil {
		return itam.Page[*costs.Contract]{}, err
	}
	where, args := contractWhere(f)
	out, err := list(ctx, s.db, p.OrgID, contractSpec(where, args), page)
	if err != nil {
		return out, err
	}
	return out, s.withCharges(ctx, p.OrgID, out.Items)
}

// CountContracts counts the contracts matching f.
func (s *ContractStore) CountContracts(ctx context.Context, f costs.ContractFilter) (int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	if err := f.Validate(); err != nil {
		return 0, err
	}
	where, args := contractWhere(f)
	return count(ctx, s.db, p.OrgID, "contracts x", where, args)
}

// ContractsByIDs returns the contracts among ids with their charges, in
// one round trip (node(id:), CostEntry.contract). Money readers only.
func (s *ContractStore) ContractsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*costs.Contract, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*costs.Contract, len(ids))
	var charges []chargeRow
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT "+contractColumns+" FROM contracts x WHERE x.id = ANY($1::uuid[])", []any{ids}, scanContract,
			func(c *costs.Contract) { c.Charges = []costs.Charge{}; out[c.ID] = c })
		queueRows(b, chargesSQL, []any{ids}, scanCharge, func(r chargeRow) { charges = append(charges, r) })
	})
	if err != nil {
		return nil, err
	}
	for _, r := range charges {
		if c := out[r.contract]; c != nil {
			c.Charges = append(c.Charges, r.charge)
		}
	}
	return out, nil
}

// Contract returns one contract, else NOT_FOUND.
func (s *ContractStore) Contract(ctx context.Context, id uuid.UUID) (*costs.Contract, error) {
	return oneByID(ctx, id, "contract", s.ContractsByIDs)
}

// contractsTable locks a contract for a change (NOT_FOUND, or CONFLICT on
// a stale version).
var contractsTable = catalogTable[*costs.Contract]{what: "contract", name: "contracts", columns: contractColumns, scan: scanContract,
	id: func(c *costs.Contract) uuid.UUID { return c.ID }, version: func(c *costs.Contract) int { return c.Version }}

// CreateContract validates and saves a contract with its charges and
// coverage, and records its creation. Every supplier, asset and license id
// must be the organization's (NOT_FOUND naming the field, nothing written).
func (s *ContractStore) CreateContract(ctx context.Context, in costs.Contract) (*costs.Contract, error) {
	p, err := costs.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	c, err := costs.NewContract(in)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*costs.Contract, error) {
		if err := checkContractRefs(ctx, tx, &c, true, true, true); err != nil {
			return nil, err
		}
		out, err := returningOne(ctx, tx, scanContract, `INSERT INTO contracts AS x (org_id, kind, supplier_id, number, start_date, end_date,
			renewal_date, notice_date, notes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING `+contractColumns,
			p.OrgID, string(c.Kind), c.SupplierID, c.Number, c.Start, c.End, c.RenewalDate, c.NoticeDate, c.Notes)
		if err != nil {
			return nil, err
		}
		out.Charges, out.AssetIDs, out.LicenseIDs = c.Charges, c.AssetIDs, c.LicenseIDs
		if err := writeContractLists(ctx, tx, p.OrgID, out, true, true, true); err != nil {
			return nil, err
		}
		return out, insertCostHistory(ctx, tx, p, costs.HistoryContract, out.ID, costs.HistoryCreate, costs.ContractChanges(nil, out))
	})
}

// UpdateContract applies a patch under the contract rules; the caller's
// version must be current. Lists given replace the stored ones. A patch
// that changes nothing writes nothing.
func (s *ContractStore) UpdateContract(ctx context.Context, in costs.ContractPatch) (*costs.Contract, error) {
	p, err := costs.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*costs.Contract, error) {
		cur, err := lockContract(ctx, tx, in.ID, &in.Version)
		if err != nil {
			return nil, err
		}
		next, err := in.Apply(*cur)
		if err != nil {
			return nil, err
		}
		supplierChanged := in.SupplierID.Set && next.SupplierID != nil
		if err := checkContractRefs(ctx, tx, &next, supplierChanged, in.AssetIDs != nil, in.LicenseIDs != nil); err != nil {
			return nil, err
		}
		changes := costs.ContractChanges(cur, &next)
		if len(changes) == 0 {
			return cur, nil
		}
		out, err := returningOne(ctx, tx, scanContract, `UPDATE contracts x SET kind = $2, supplier_id = $3, number = $4, start_date = $5,
			end_date = $6, renewal_date = $7, notice_date = $8, notes = $9, version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+contractColumns,
			cur.ID, string(next.Kind), next.SupplierID, next.Number, next.Start, next.End, next.RenewalDate, next.NoticeDate, next.Notes)
		if err != nil {
			return nil, err
		}
		out.Charges, out.AssetIDs, out.LicenseIDs = next.Charges, next.AssetIDs, next.LicenseIDs
		if err := writeContractLists(ctx, tx, p.OrgID, out, in.Charges != nil, in.AssetIDs != nil, in.LicenseIDs != nil); err != nil {
			return nil, err
		}
		return out, insertCostHistory(ctx, tx, p, costs.HistoryContract, out.ID, costs.HistoryUpdate, changes)
	})
}

// DeleteContract removes a contract with its charges, coverage and ledger
// entries (checking version when given); its history stays, closed by a
// DELETE entry that also says how many ledger entries went with it.
func (s *ContractStore) DeleteContract(ctx context.Context, id uuid.UUID, version *int) (*costs.Contract, error) {
	p, err := costs.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*costs.Contract, error) {
		cur, err := lockContract(ctx, tx, id, version)
		if err != nil {
			return nil, err
		}
		// The contract's own entries go with it; each gets its DELETE
		// history, as deleteCostEntry would write, so costHistory(id:)
		// still tells an auditor what was booked.
		rows, err := tx.Query(ctx, "DELETE FROM cost_entries x WHERE x.contract_id = $1 RETURNING "+entryColumns, id)
		if err != nil {
			return nil, err
		}
		gone, err := pgx.CollectRows(rows, scanEntry)
		if err != nil {
			return nil, err
		}
		for _, e := range gone {
			if err := insertCostHistory(ctx, tx, p, costs.HistoryCostEntry, e.ID, costs.HistoryDelete, costs.Diff(e, nil, costs.EntryFields)); err != nil {
				return nil, err
			}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM contracts WHERE id = $1", id); err != nil {
			return nil, err
		}
		changes := costs.ContractChanges(cur, nil)
		if n := int64(len(gone)); n > 0 {
			for k, v := range costs.Diff(&n, nil, func(n *int64) map[string]any { return map[string]any{"costEntryCount": *n} }) {
				changes[k] = v
			}
		}
		return cur, insertCostHistory(ctx, tx, p, costs.HistoryContract, id, costs.HistoryDelete, changes)
	})
}

// lockContract locks a contract and loads its charges and coverage, which
// a patch keeps and the history compares.
func lockContract(ctx context.Context, tx pgx.Tx, id uuid.UUID, version *int) (*costs.Contract, error) {
	cur, err := contractsTable.lock(ctx, tx, id, version)
	if err != nil {
		return nil, err
	}
	b := &pgx.Batch{}
	queueCharges(b, []*costs.Contract{cur})
	scanID := func(r pgx.CollectableRow) (uuid.UUID, error) {
		var id uuid.UUID
		return id, r.Scan(&id)
	}
	queueRows(b, "SELECT asset_id FROM contract_assets WHERE contract_id = $1 ORDER BY asset_id", []any{id}, scanID,
		func(a uuid.UUID) { cur.AssetIDs = append(cur.AssetIDs, a) })
	queueRows(b, "SELECT license_id FROM contract_licenses WHERE contract_id = $1 ORDER BY license_id", []any{id}, scanID,
		func(l uuid.UUID) { cur.LicenseIDs = append(cur.LicenseIDs, l) })
	return cur, tx.SendBatch(ctx, b).Close()
}

// checkContractRefs checks that the supplier, assets and licenses c names
// (those asked for) exist in the caller's organization (RLS hides every
// other): the first missing one is NOT_FOUND naming its field.
func checkContractRefs(ctx context.Context, tx pgx.Tx, c *costs.Contract, supplier, assets, licenses bool) error {
	found := func(table string, ids []uuid.UUID) (map[uuid.UUID]bool, error) {
		out := make(map[uuid.UUID]bool, len(ids))
		if len(ids) == 0 {
			return out, nil
		}
		rows, _ := tx.Query(ctx, "SELECT id FROM "+table+" WHERE id = ANY($1::uuid[])", ids)
		got, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		for _, id := range got {
			out[id] = true
		}
		return out, err
	}
	if supplier && c.SupplierID != nil {
		m, err := found("suppliers", []uuid.UUID{*c.SupplierID})
		if err != nil {
			return err
		}
		if !m[*c.SupplierID] {
			return costs.NotFoundField("supplierId", "supplier")
		}
	}
	for _, ref := range []struct {
		ask                bool
		table, field, what string
		ids                []uuid.UUID
	}{{assets, "assets", "assetIds", "asset", c.AssetIDs}, {licenses, "licenses", "licenseIds", "license", c.LicenseIDs}} {
		if !ref.ask {
			continue
		}
		m, err := found(ref.table, ref.ids)
		if err != nil {
			return err
		}
		if err := costs.MissingReference(ref.field, ref.what, ref.ids, m); err != nil {
			return err
		}
	}
	return nil
}

// writeContractLists replaces the lists asked for: charges by position,
// coverage by difference (rows kept stay, so a lease of 10,000 devices
// that gains one writes one row).
func writeContractLists(ctx context.Context, tx pgx.Tx, org uuid.UUID, c *costs.Contract, charges, assets, licenses bool) error {
	if charges {
		if _, err := tx.Exec(ctx, "DELETE FROM contract_charges WHERE contract_id = $1", c.ID); err != nil {
			return err
		}
		if len(c.Charges) > 0 {
			amounts, currencies, every := make([]string, len(c.Charges)), make([]string, len(c.Charges)), make([]string, len(c.Charges))
			starts, ends := make([]*string, len(c.Charges)), make([]*string, len(c.Charges))
			for i, ch := range c.Charges {
				amounts[i], currencies[i], every[i] = ch.Amount.Amount.String(), ch.Amount.Currency, string(ch.Every)
				starts[i], ends[i] = dateText(ch.Start), dateText(ch.End)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO contract_charges (org_id, contract_id, position, amount, currency, every, start_date, end_date)
				SELECT $1, $2, u.n - 1, u.amount, u.currency, u.every, u.s, u.e
				FROM unnest($3::numeric[], $4::text[], $5::text[], $6::date[], $7::date[]) WITH ORDINALITY AS u(amount, currency, every, s, e, n)`,
				org, c.ID, amounts, currencies, every, starts, ends); err != nil {
				return err
			}
		}
	}
	for _, l := range []struct {
		ask        bool
		table, col string
		ids        []uuid.UUID
	}{{assets, "contract_assets", "asset_id", c.AssetIDs}, {licenses, "contract_licenses", "license_id", c.LicenseIDs}} {
		if !l.ask {
			continue
		}
		ids := l.ids
		if ids == nil {
			ids = []uuid.UUID{}
		}
		if _, err := tx.Exec(ctx, "DELETE FROM "+l.table+" WHERE contract_id = $1 AND "+l.col+" <> ALL($2::uuid[])", c.ID, ids); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+l.table+" (org_id, contract_id, "+l.col+") SELECT $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING",
			org, c.ID, ids); err != nil {
			return err
		}
	}
	return nil
}

func dateText(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}
