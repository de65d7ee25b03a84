package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
)

// Reading the ledger: money readers only (costs.RequireRead), so there is
// no per-row visibility to apply; RLS keeps each organization's own.

// EntryTarget names what a nested ledger list hangs off.
type EntryTarget string

const (
	EntriesOfAsset    EntryTarget = "x.asset_id"
	EntriesOfLicense  EntryTarget = "x.license_id"
	EntriesOfContract EntryTarget = "x.contract_id"
)

// entrySpec lists entries newest first: by date, then id, both descending
// (the cost_entries_keyset index read backwards).
func entrySpec(where []string, args *sqlArgs) listSpec[*costs.Entry] {
	return listSpec[*costs.Entry]{
		columns: entryColumns, from: "cost_entries x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*costs.Entry]{"x.entry_date", "date", func(e *costs.Entry) string { return e.Date.Format(time.DateOnly) }},
		dir:  itam.Desc, id: func(e *costs.Entry) string { return e.ID.String() }, scan: scanEntry,
	}
}

// entryWhere renders f (alias x); call f.Validate first.
func entryWhere(f costs.EntryFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	for _, c := range []struct {
		col string
		id  *uuid.UUID
	}{{"x.asset_id", f.AssetID}, {"x.license_id", f.LicenseID}, {"x.contract_id", f.ContractID}, {"x.supplier_id", f.SupplierID}} {
		if c.id != nil {
			where = append(where, c.col+" = "+args.add(*c.id))
		}
	}
	if len(f.Kinds) > 0 {
		kinds := make([]string, len(f.Kinds))
		for i, k := range f.Kinds {
			kinds[i] = string(k)
		}
		where = append(where, "x.kind = ANY("+args.add(kinds)+"::text[])")
	}
	if f.From != nil {
		where = append(where, "x.entry_date >= "+args.add(itam.CalendarDay(*f.From))+"::date")
	}
	if f.To != nil {
		where = append(where, "x.entry_date <= "+args.add(itam.CalendarDay(*f.To))+"::date")
	}
	where = searchWhere(where, args, f.Search, "x.invoice_reference", "x.notes")
	return where, args
}

// ListEntries returns one page of the entries matching f, newest first.
func (s *CostEntryStore) ListEntries(ctx context.Context, f costs.EntryFilter, page itam.PageArgs) (itam.Page[*costs.Entry], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return itam.Page[*costs.Entry]{}, err
	}
	if err := f.Validate(); err != nil {
		return itam.Page[*costs.Entry]{}, err
	}
	where, args := entryWhere(f)
	return list(ctx, s.db, p.OrgID, entrySpec(where, args), page)
}

// CountEntries returns how many entries match f.
func (s *CostEntryStore) CountEntries(ctx context.Context, f costs.EntryFilter) (int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	if err := f.Validate(); err != nil {
		return 0, err
	}
	where, args := entryWhere(f)
	return count(ctx, s.db, p.OrgID, "cost_entries x", where, args)
}

// EntriesOf returns the same page of the entries of each parent (assets,
// licenses or contracts, as of says), newest first, in one round trip.
func (s *CostEntryStore) EntriesOf(ctx context.Context, of EntryTarget, parents []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*costs.Entry], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, entrySpec(nil, &sqlArgs{}), parents, func(parent string) string { return string(of) + " = " + parent }, page)
}

// CountEntriesOf counts each parent's entries.
func (s *CostEntryStore) CountEntriesOf(ctx context.Context, of EntryTarget, parents []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "cost_entries x", nil, &sqlArgs{}, parents, func(parent string) string { return string(of) + " = " + parent })
}

// EntriesByIDs returns the entries among ids (node(id:) and loaders).
func (s *CostEntryStore) EntriesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*costs.Entry, error) {
	if _, err := costs.RequireRead(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, entryColumns, "cost_entries x", ids, scanEntry, func(e *costs.Entry) uuid.UUID { return e.ID })
}

// Entry returns one entry, else NOT_FOUND.
func (s *CostEntryStore) Entry(ctx context.Context, id uuid.UUID) (*costs.Entry, error) {
	return oneByID(ctx, id, "cost entry", s.EntriesByIDs)
}
