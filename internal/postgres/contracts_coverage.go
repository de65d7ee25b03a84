package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// What contracts cover, and the contracts covering an asset or a license,
// each batched over the parents of a page (one statement per field).

func coveredAssetSpec() listSpec[*itam.Asset] {
	return listSpec[*itam.Asset]{
		columns: assetColumns, from: "assets a", idExpr: "a.id", args: &sqlArgs{},
		sort: sortKey[*itam.Asset]{"a.asset_tag", "text", func(a *itam.Asset) string { return a.AssetTag }},
		dir:  itam.Asc, id: func(a *itam.Asset) string { return a.ID.String() }, scan: scanAsset,
	}
}

func coveredAssetCond(parent string) string {
	return "a.id IN (SELECT ca.asset_id FROM contract_assets ca WHERE ca.contract_id = " + parent + ")"
}

// CoveredAssetsOf returns the same page of the assets each contract
// covers, by asset tag, in one round trip. Money readers only.
func (s *ContractStore) CoveredAssetsOf(ctx context.Context, contractIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*itam.Asset], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, coveredAssetSpec(), contractIDs, coveredAssetCond, page)
}

// CountCoveredAssetsOf counts the assets each contract covers.
func (s *ContractStore) CountCoveredAssetsOf(ctx context.Context, contractIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "contract_assets ca", nil, &sqlArgs{}, contractIDs, func(parent string) string { return "ca.contract_id = " + parent })
}

// CoveredLicensesOf returns the same page of the licenses each contract
// covers, oldest first, in one round trip. Money readers only.
func (s *ContractStore) CoveredLicensesOf(ctx context.Context, contractIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*licenses.License], error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	spec := listSpec[*licenses.License]{
		columns: licenseColumns, from: "licenses x", idExpr: "x.id", args: &sqlArgs{},
		sort: sortKey[*licenses.License]{"x.created_at", "timestamptz", func(l *licenses.License) string { return l.CreatedAt.Format(time.RFC3339Nano) }},
		dir:  itam.Asc, id: func(l *licenses.License) string { return l.ID.String() }, scan: scanLicense,
	}
	return listEach(ctx, s.db, p.OrgID, spec, contractIDs, func(parent string) string {
		return "x.id IN (SELECT cl.license_id FROM contract_licenses cl WHERE cl.contract_id = " + parent + ")"
	}, page)
}

// CountCoveredLicensesOf counts the licenses each contract covers.
func (s *ContractStore) CountCoveredLicensesOf(ctx context.Context, contractIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return countEach(ctx, s.db, p.OrgID, "contract_licenses cl", nil, &sqlArgs{}, contractIDs, func(parent string) string { return "cl.contract_id = " + parent })
}

// ContractsOfAssets returns the contracts covering each asset, by start
// date, with their charges, in one round trip (Asset.contracts of a page).
func (s *ContractStore) ContractsOfAssets(ctx context.Context, assetIDs []uuid.UUID) (map[uuid.UUID][]*costs.Contract, error) {
	return s.contractsOf(ctx, "contract_assets", "asset_id", assetIDs)
}

// ContractsOfLicenses is ContractsOfAssets for licenses.
func (s *ContractStore) ContractsOfLicenses(ctx context.Context, licenseIDs []uuid.UUID) (map[uuid.UUID][]*costs.Contract, error) {
	return s.contractsOf(ctx, "contract_licenses", "license_id", licenseIDs)
}

// contractsOf reads the contracts linked to each id through table.col and
// their charges: two statements, one round trip. A contract covering
// several of the ids is one object shared by them.
func (s *ContractStore) contractsOf(ctx context.Context, table, col string, ids []uuid.UUID) (map[uuid.UUID][]*costs.Contract, error) {
	p, err := costs.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*costs.Contract, len(ids))
	byID := map[uuid.UUID]*costs.Contract{}
	var charges []chargeRow
	type link struct {
		parent   uuid.UUID
		contract *costs.Contract
	}
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT l."+col+", "+contractColumns+" FROM "+table+" l JOIN contracts x ON x.id = l.contract_id WHERE l."+col+
			" = ANY($1::uuid[]) ORDER BY x.start_date, x.id", []any{ids},
			func(r pgx.CollectableRow) (link, error) {
				var l link
				c, err := scanContract(parentRow{CollectableRow: r, parent: &l.parent})
				l.contract = c
				return l, err
			},
			func(l link) {
				c := byID[l.contract.ID]
				if c == nil {
					c, byID[l.contract.ID] = l.contract, l.contract
					c.Charges = []costs.Charge{}
				}
				out[l.parent] = append(out[l.parent], c)
			})
		queueRows(b, "SELECT contract_id, amount, currency, every, start_date, end_date FROM contract_charges WHERE contract_id IN (SELECT contract_id FROM "+
			table+" WHERE "+col+" = ANY($1::uuid[])) ORDER BY contract_id, position", []any{ids}, scanCharge,
			func(r chargeRow) { charges = append(charges, r) })
	})
	if err != nil {
		return nil, err
	}
	for _, r := range charges {
		if c := byID[r.contract]; c != nil {
			c.Charges = append(c.Charges, r.charge)
		}
	}
	for _, id := range ids {
		if out[id] == nil {
			out[id] = []*costs.Contract{}
		}
	}
	return out, nil
}
