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

// An asset's total cost of ownership and expected end of life, loaded for
// a page of assets in one round trip each; internal/costs computes them.

// TCOResult is one asset's total cost of ownership, or why it could not be
// converted (a missing rate fails that asset alone).
type TCOResult struct {
	Breakdown costs.Breakdown
	Err       error
}

// TotalCostsOfOwnership computes the TCO of each asset over [from, to]
// (from nil: all time), converted to currency when given. Money readers
// only. The facts take one round trip for any number of assets, the rates
// one more when converting.
func (s *ContractStore) TotalCostsOfOwnership(ctx context.Context, assetIDs []uuid.UUID, from *time.Time, to time.Time, currency *string) (map[uuid.UUID]TCOResult, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	if err := costs.ValidateTCOPeriod(from, to); err != nil {
		return nil, err
	}
	if currency != nil {
		if _, err := itam.ParseCurrency(*currency); err != nil {
			return nil, itam.Invalid("reportingCurrency", "%q is not an ISO 4217 currency code", *currency)
		}
	}
	facts, err := s.assetCosts(ctx, p.OrgID, assetIDs)
	if err != nil {
		return nil, err
	}
	var rates costs.Rates
	if currency != nil {
		if rates, err = NewExchangeRateStore(s.db).all(ctx, p); err != nil {
			return nil, err
		}
	}
	out := make(map[uuid.UUID]TCOResult, len(assetIDs))
	for _, id := range assetIDs {
		b, err := facts[id].TotalCostOfOwnership(from, to, rates, currency)
		out[id] = TCOResult{Breakdown: b, Err: err}
	}
	return out, nil
}

// entryLineColumns are what TCO reads of a ledger entry (alias e).
const entryLineColumns = "e.id, e.kind, e.entry_date, e.amount, e.currency"

func scanEntryLine(r pgx.CollectableRow, owner *uuid.UUID) (costs.Entry, error) {
	var e costs.Entry
	var currency string
	err := r.Scan(owner, &e.ID, &e.Kind, &e.Date, &e.Amount.Amount, &currency)
	e.Amount.Currency = strings.TrimSpace(currency)
	return e, err
}

// seatPriceColumns are a seat's price inputs (alias l: license, s: seat).
const seatPriceColumns = `l.id, l.seat_cost, l.total_cost, l.cost_currency, l.seats, l.billing_period::text, l.term_end, s.assigned_at, s.reclaimed_at`

func seatPriceDest(h *costs.SeatHolding, price *priceColumns) []any {
	return []any{&h.LicenseID, &price.seatCost, &price.totalCost, &price.currency, &price.seats, &h.Billing, &h.TermEnd, &h.AssignedAt, &h.ReclaimedAt}
}

func seatPrice(h *costs.SeatHolding, price *priceColumns) {
	l := price.license()
	h.SeatCost, h.TotalCost, h.Seats = l.SeatCost, l.TotalCost, l.Seats
}

// assetCosts loads what each asset's TCO draws on: its ledger entries, the
// contracts covering it (with their charges, their entries and the asset's
// place among their assets by id), the seats it holds and the PER_USER
// seats of its person (with its place among the person's assets by id).
func (s *ContractStore) assetCosts(ctx context.Context, org uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]*costs.AssetCosts, error) {
	out := make(map[uuid.UUID]*costs.AssetCosts, len(ids))
	for _, id := range ids {
		out[id] = &costs.AssetCosts{AssetID: id}
	}
	contracts := map[uuid.UUID]*costs.Contract{}
	contractEntries := map[uuid.UUID][]costs.Entry{}
	type cover struct {
		asset, contract uuid.UUID
		index, of       int
	}
	var covers []cover
	var charges []chargeRow
	args := []any{ids}
	const covering = "(SELECT cc.contract_id FROM contract_assets cc WHERE cc.asset_id = ANY($1::uuid[]))"
	err := s.db.read(ctx, org, func(b *pgx.Batch) {
		queueRows(b, "SELECT e.asset_id, "+entryLineColumns+" FROM cost_entries e WHERE e.asset_id = ANY($1::uuid[])", args,
			func(r pgx.CollectableRow) (costs.Entry, error) {
				var owner uuid.UUID
				e, err := scanEntryLine(r, &owner)
				e.AssetID = &owner
				return e, err
			},
			func(e costs.Entry) { out[*e.AssetID].Entries = append(out[*e.AssetID].Entries, e) })
		queueRows(b, `SELECT `+contractColumns+`, ca.asset_id,
				(SELECT count(*) FROM contract_assets c2 WHERE c2.contract_id = ca.contract_id AND c2.asset_id < ca.asset_id),
				(SELECT count(*) FROM contract_assets c3 WHERE c3.contract_id = ca.contract_id)
			FROM contract_assets ca JOIN contracts x ON x.id = ca.contract_id WHERE ca.asset_id = ANY($1::uuid[])`, args,
			func(r pgx.CollectableRow) (cover, error) {
				var c cover
				x, err := scanContract(extraColumns{r, []any{&c.asset, &c.index, &c.of}})
				if err == nil {
					c.contract = x.ID
					if contracts[x.ID] == nil {
						x.Charges = []costs.Charge{}
						contracts[x.ID] = x
					}
				}
				return c, err
			},
			func(c cover) { covers = append(covers, c) })
		queueRows(b, "SELECT contract_id, amount, currency, every, start_date, end_date FROM contract_charges WHERE contract_id IN "+covering+
			" ORDER BY contract_id, position", args, scanCharge, func(r chargeRow) { charges = append(charges, r) })
		queueRows(b, "SELECT e.contract_id, "+entryLineColumns+" FROM cost_entries e WHERE e.contract_id IN "+covering, args,
			func(r pgx.CollectableRow) (costs.Entry, error) {
				var owner uuid.UUID
				e, err := scanEntryLine(r, &owner)
				e.ContractID = &owner
				return e, err
			},
			func(e costs.Entry) { contractEntries[*e.ContractID] = append(contractEntries[*e.ContractID], e) })
		queueRows(b, "SELECT s.asset_id, "+seatPriceColumns+` FROM license_seats s JOIN licenses l ON l.id = s.license_id
			WHERE s.asset_id = ANY($1::uuid[])`, args,
			func(r pgx.CollectableRow) (uuid.UUID, error) {
				var asset uuid.UUID
				var h costs.SeatHolding
				var price priceColumns
				err := r.Scan(append([]any{&asset}, seatPriceDest(&h, &price)...)...)
				seatPrice(&h, &price)
				out[asset].DeviceSeats = append(out[asset].DeviceSeats, h)
				return asset, err
			}, func(uuid.UUID) {})
		queueRows(b, `SELECT a.id,
				(SELECT count(*) FROM assets a2 WHERE a2.assigned_person_id = a.assigned_person_id AND a2.id < a.id),
				(SELECT count(*) FROM assets a3 WHERE a3.assigned_person_id = a.assigned_person_id), `+seatPriceColumns+`
			FROM assets a JOIN license_seats s ON s.person_id = a.assigned_person_id JOIN licenses l ON l.id = s.license_id
			WHERE a.id = ANY($1::uuid[]) AND l.license_model = 'PER_USER'`, args,
			func(r pgx.CollectableRow) (uuid.UUID, error) {
				var asset uuid.UUID
				var sh costs.SharedSeat
				var price priceColumns
				err := r.Scan(append([]any{&asset, &sh.Index, &sh.Of}, seatPriceDest(&sh.Seat, &price)...)...)
				seatPrice(&sh.Seat, &price)
				out[asset].UserSeats = append(out[asset].UserSeats, sh)
				return asset, err
			}, func(uuid.UUID) {})
	})
	if err != nil {
		return nil, err
	}
	for _, r := range charges {
		if c := contracts[r.contract]; c != nil {
			c.Charges = append(c.Charges, r.charge)
		}
	}
	for _, c := range covers {
		a := out[c.asset]
		a.Contracts = append(a.Contracts, costs.CoveringContract{Contract: *contracts[c.contract], Entries: contractEntries[c.contract], Index: c.index, Of: c.of})
	}
	return out, nil
}

// ExpectedEndsOfLife returns each asset's expected end of life (absent
// when none is known). It reveals no money, so whoever may read an asset
// may read it; assets the caller cannot see are absent.
func (s *ContractStore) ExpectedEndsOfLife(ctx context.Context, assetIDs []uuid.UUID) (map[uuid.UUID]*time.Time, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	where := append(visibility(p, args), "a.id = ANY("+args.add(assetIDs)+"::uuid[])")
	facts := map[uuid.UUID]*costs.EndOfLifeFacts{}
	type lease struct {
		asset uuid.UUID
		end   *time.Time
	}
	var leases []lease
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		// The profile ids and lives are aggregated in the same (id) order, so
		// they pair up.
		queueRows(b, `SELECT a.id, a.end_of_life, a.in_service_date, a.purchase_date, m.useful_life_months,
				a.depreciation_profile_id, m.depreciation_profile_id, c.depreciation_profile_id, o.default_depreciation_profile_id,
				(SELECT array_agg(dp.id ORDER BY dp.id) FROM depreciation_profiles dp WHERE dp.id IN (a.depreciation_profile_id, m.depreciation_profile_id,
					c.depreciation_profile_id, o.default_depreciation_profile_id)),
				(SELECT array_agg(dp.useful_life_months ORDER BY dp.id) FROM depreciation_profiles dp WHERE dp.id IN (a.depreciation_profile_id,
					m.depreciation_profile_id, c.depreciation_profile_id, o.default_depreciation_profile_id))
			FROM assets a JOIN models m ON m.id = a.model_id LEFT JOIN categories c ON c.id = m.category_id
			JOIN organizations o ON o.id = a.org_id WHERE `+strings.Join(where, " AND "), args.list,
			func(r pgx.CollectableRow) (uuid.UUID, error) {
				var id uuid.UUID
				var f costs.EndOfLifeFacts
				var pids []uuid.UUID
				var lives []int
				err := r.Scan(&id, &f.Explicit, &f.InService, &f.Purchased, &f.ModelUsefulLife,
					&f.AssetProfile, &f.ModelProfile, &f.CategoryProfile, &f.OrgProfile, &pids, &lives)
				f.ProfileLives = make(map[uuid.UUID]int, len(pids))
				for i, pid := range pids {
					if i < len(lives) {
						f.ProfileLives[pid] = lives[i]
					}
				}
				facts[id] = &f
				return id, err
			}, func(uuid.UUID) {})
		queueRows(b, `SELECT ca.asset_id, x.end_date FROM contract_assets ca JOIN contracts x ON x.id = ca.contract_id
			WHERE ca.asset_id = ANY($1::uuid[]) AND x.kind = 'LEASE'`, []any{assetIDs},
			func(r pgx.CollectableRow) (lease, error) {
				var l lease
				return l, r.Scan(&l.asset, &l.end)
			}, func(l lease) { leases = append(leases, l) })
	})
	if err != nil {
		return nil, err
	}
	for _, l := range leases {
		if f := facts[l.asset]; f != nil {
			f.Leases = append(f.Leases, costs.Contract{Kind: costs.ContractLease, End: l.end})
		}
	}
	out := make(map[uuid.UUID]*time.Time, len(facts))
	for id, f := range facts {
		out[id], _ = f.ExpectedEndOfLife()
	}
	return out, nil
}
