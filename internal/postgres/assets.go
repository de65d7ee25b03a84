package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// AssetStore reads and changes assets.
type AssetStore struct{ db *DB }

// NewAssetStore returns an AssetStore over db.
func NewAssetStore(db *DB) *AssetStore { return &AssetStore{db: db} }

const assetColumns = `a.id, a.org_id, a.asset_tag, a.serial_number, a.name, a.model_id, a.manufacturer_id,
	a.status, a.condition, a.assigned_person_id, a.assigned_location_id, a.owner_person_id, a.owner_team_id,
	a.location_id, a.purchase_date, a.purchase_price, a.purchase_currency, a.supplier_id, a.order_number,
	a.invoice_number, a.warranty_end, a.end_of_life, a.notes, a.custom_fields, a.disposal_date,
	a.disposal_method, a.disposal_certificate, a.depreciation_profile_id, a.in_service_date, a.version, a.created_at, a.updated_at`

func scanAsset(r pgx.CollectableRow) (*itam.Asset, error) {
	var a itam.Asset
	var price decimal.NullDecimal
	var currency *string
	err := r.Scan(&a.ID, &a.OrgID, &a.AssetTag, &a.SerialNumber, &a.Name, &a.ModelID, &a.ManufacturerID,
		&a.Status, &a.Condition, &a.AssignedPersonID, &a.AssignedLocationID, &a.OwnerPersonID, &a.OwnerTeamID,
		&a.LocationID, &a.PurchaseDate, &price, &currency, &a.SupplierID, &a.OrderNumber,
		&a.InvoiceNumber, &a.WarrantyEnd, &a.EndOfLife, &a.Notes, &a.CustomFields, &a.DisposalDate,
		&a.DisposalMethod, &a.DisposalCertificate, &a.DepreciationProfileID, &a.InServiceDate, &a.Version, &a.CreatedAt, &a.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if price.Valid && currency != nil {
		a.PurchasePrice = &itam.Money{Amount: price.Decimal, Currency: *currency}
	}
	return &a, nil
}

// visibility restricts an EMPLOYEE to the assets assigned to them. Everyone
// else sees the whole organization (RLS already bounds it to that).
func visibility(p itam.Principal, args *sqlArgs) []string {
	if p.CanReadAll() {
		return nil
	}
	return []string{fmt.Sprintf("a.assigned_person_id IN (SELECT id FROM people WHERE email_key = lower(%s))", args.add(p.Subject))}
}

// AssetsByIDs returns the visible assets among ids, keyed by id; the ones not
// visible are simply absent (dataloaders and node() turn that into null).
func (s *AssetStore) AssetsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Asset, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return visibleByIDs(ctx, s.db, p, assetColumns, "assets a", "a.id", ids, visibility, scanAsset, func(a *itam.Asset) uuid.UUID { return a.ID })
}

// Asset returns one visible asset or NOT_FOUND.
func (s *AssetStore) Asset(ctx context.Context, id uuid.UUID) (*itam.Asset, error) {
	return oneByID(ctx, id, "asset", s.AssetsByIDs)
}

// AssetByTag finds an asset by its tag, case-insensitively.
func (s *AssetStore) AssetByTag(ctx context.Context, tag string) (*itam.Asset, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	where := append(visibility(p, args), "a.asset_tag_key = lower("+args.add(strings.TrimSpace(tag))+")")
	return queryOne(ctx, s.db, p.OrgID, "asset", "SELECT "+assetColumns+" FROM assets a WHERE "+strings.Join(where, " AND "), args.list, scanAsset)
}

// AssetBySerial finds an asset by serial number (normalized: trimmed,
// case-insensitive): its own serial, or else the serial a source reported
// on one of its links (a virtual machine's serial lives only there). Own
// serials are unique per manufacturer, so when two manufacturers share one
// the caller must say which; link serials are not unique (cloned virtual
// machines share one), and when several assets carry the same one the
// caller is told to search instead.
func (s *AssetStore) AssetBySerial(ctx context.Context, serial string, manufacturerID *uuid.UUID) (*itam.Asset, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	args := &sqlArgs{}
	key := "upper(" + args.add(strings.TrimSpace(serial)) + ")"
	// A UNION of two index lookups, not an OR, so neither table is scanned.
	where := append(visibility(p, args), "a.id IN (SELECT x.id FROM assets x WHERE x.serial_key = "+key+
		" UNION SELECT l.asset_id FROM asset_external_ids l WHERE l.serial_key = "+key+")")
	if manufacturerID != nil {
		where = append(where, "a.manufacturer_id = "+args.add(*manufacturerID))
	}
	type match struct {
		asset *itam.Asset
		own   bool
	}
	rows, err := query(ctx, s.db, p.OrgID, "SELECT "+assetColumns+", a.serial_key IS NOT DISTINCT FROM "+key+
		" AS own FROM assets a WHERE "+strings.Join(where, " AND ")+" ORDER BY own DESC, a.id LIMIT 2", args.list,
		func(r pgx.CollectableRow) (match, error) {
			var m match
			a, err := scanAsset(extraColumns{r, []any{&m.own}})
			m.asset = a
			return m, err
		})
	if err != nil {
		return nil, err
	}
	switch {
	case len(rows) == 0:
		return nil, itam.NotFound("asset")
	case len(rows) == 1 || (rows[0].own && !rows[1].own):
		return rows[0].asset, nil
	case rows[0].own:
		return nil, itam.Invalid("manufacturerId", "serial number %q is recorded for several manufacturers: give manufacturerId", serial)
	}
	return nil, itam.Invalid("serialNumber", "serial number %q is reported for several assets (virtual machines can share one): search for it instead", serial)
}

// extraColumns lets scanAsset read a row that carries more columns after
// the asset's: they are scanned into extra.
type extraColumns struct {
	pgx.CollectableRow
	extra []any
}

func (r extraColumns) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append(dest, r.extra...)...)
}

// assetSorts are the orders a page of assets can take. Each expr is a
// plain column indexed as (org_id, expr, id) (migrations 00001, 00037), so
// a page is one range of an index; the sort_* columns are stored keys of
// nullable or enum columns (see 00037 for why not expressions).
var assetSorts = map[itam.AssetSortField]sortKey[*itam.Asset]{
	itam.AssetSortTag:          {"a.asset_tag", "text", func(a *itam.Asset) string { return a.AssetTag }},
	itam.AssetSortCreatedAt:    {"a.created_at", "timestamptz", func(a *itam.Asset) string { return a.CreatedAt.Format(time.RFC3339Nano) }},
	itam.AssetSortUpdatedAt:    {"a.updated_at", "timestamptz", func(a *itam.Asset) string { return a.UpdatedAt.Format(time.RFC3339Nano) }},
	itam.AssetSortName:         {"a.sort_name", "text", func(a *itam.Asset) string { return deref(a.Name) }},
	itam.AssetSortSerial:       {"a.sort_serial", "text", func(a *itam.Asset) string { return deref(a.SerialNumber) }},
	itam.AssetSortStatus:       {"a.sort_status", "smallint", func(a *itam.Asset) string { return strconv.Itoa(a.Status.Rank()) }},
	itam.AssetSortPurchaseDate: {"a.sort_purchase_date", "date", func(a *itam.Asset) string { return dateKey(a.PurchaseDate) }},
	itam.AssetSortWarrantyEnd:  {"a.sort_warranty_end", "date", func(a *itam.Asset) string { return dateKey(a.WarrantyEnd) }},
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func dateKey(t *time.Time) string {
	if t == nil {
		return "infinity"
	}
	return t.Format("2006-01-02")
}

func (s *AssetStore) where(ctx context.Context, f *itam.AssetFilter) (itam.Principal, []string, *sqlArgs, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, nil, nil, err
	}
	args := &sqlArgs{}
	where := visibility(p, args)
	if f != nil {
		cond, err := assetFilterSQL(f, args, "filter")
		if err != nil {
			return p, nil, nil, err
		}
		if cond != "TRUE" {
			where = append(where, cond)
		}
	}
	return p, where, args, nil
}

// ListAssets returns one page of assets matching q.
func (s *AssetStore) ListAssets(ctx context.Context, q itam.AssetQuery, page itam.PageArgs) (itam.Page[*itam.Asset], error) {
	spec, p, err := s.listSpec(ctx, q)
	if err != nil {
		return itam.Page[*itam.Asset]{}, err
	}
	return list(ctx, s.db, p.OrgID, spec, page)
}

// listSpec is the keyset list of the assets q selects, as the caller may see them.
func (s *AssetStore) listSpec(ctx context.Context, q itam.AssetQuery) (listSpec[*itam.Asset], itam.Principal, error) {
	p, where, args, err := s.where(ctx, q.Filter)
	if err != nil {
		return listSpec[*itam.Asset]{}, p, err
	}
	if q.Sort == "" {
		q.Sort = itam.AssetSortTag
	}
	sk, ok := assetSorts[q.Sort]
	if !ok {
		return listSpec[*itam.Asset]{}, p, itam.Invalid("orderBy.field", "cannot order assets by %s", q.Sort)
	}
	if q.Dir == "" {
		q.Dir = itam.Asc
	}
	return listSpec[*itam.Asset]{
		columns: assetColumns, from: "assets a", idExpr: "a.id",
		where: where, args: args, sort: sk, dir: q.Dir,
		id: func(a *itam.Asset) string { return a.ID.String() }, scan: scanAsset,
	}, p, nil
}

// CountAssets returns how many assets match f.
func (s *AssetStore) CountAssets(ctx context.Context, f *itam.AssetFilter) (int, error) {
	p, where, args, err := s.where(ctx, f)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "assets a", where, args)
}

// assetFilterSQL renders a filter as one boolean SQL expression over alias a.
func assetFilterSQL(f *itam.AssetFilter, args *sqlArgs, path string) (string, error) {
	var c []string
	inUUIDs := func(col string, ids []uuid.UUID) {
		if ids != nil {
			c = append(c, fmt.Sprintf("%s = ANY(%s::uuid[])", col, args.add(ids)))
		}
	}
	if f.StatusIn != nil {
		// Over the stored rank, not the enum: enum comparisons are not
		// leakproof, so under RLS a condition on status could never be an
		// index condition (see 00037). One status is an equality, so a page
		// by STATUS stays one ordered range of assets_org_sort_status (an
		// = ANY on a second index column gives up the index's order).
		ranks := make([]int16, 0, len(f.StatusIn))
		for i, s := range f.StatusIn {
			r := s.Rank()
			if r < 0 {
				return "", itam.Invalid(fmt.Sprintf("%s.statusIn[%d]", path, i), "unknown asset status %q", s)
			}
			ranks = append(ranks, int16(r))
		}
		if len(ranks) == 1 {
			c = append(c, "a.sort_status = "+args.add(ranks[0])+"::smallint")
		} else {
			c = append(c, fmt.Sprintf("a.sort_status = ANY(%s::smallint[])", args.add(ranks)))
		}
	}
	if f.CategoryIDs != nil {
		c = append(c, fmt.Sprintf("a.model_id IN (SELECT m.id FROM models m WHERE m.category_id = ANY(%s::uuid[]))", args.add(f.CategoryIDs)))
	}
	inUUIDs("a.model_id", f.ModelIDs)
	inUUIDs("a.manufacturer_id", f.ManufacturerIDs)
	if f.LocationIDs != nil {
		c = append(c, fmt.Sprintf("a.location_id IN (SELECT l.id FROM locations l WHERE l.path && %s::uuid[])", args.add(f.LocationIDs)))
	}
	inUUIDs("a.assigned_person_id", f.AssignedPersonIDs)
	inUUIDs("a.assigned_location_id", f.AssignedLocationIDs)
	inUUIDs("a.owner_person_id", f.OwnerPersonIDs)
	inUUIDs("a.owner_team_id", f.OwnerTeamIDs)
	inUUIDs("a.supplier_id", f.SupplierIDs)
	if f.Search != nil && strings.TrimSpace(*f.Search) != "" {
		pat := args.add(likePattern(*f.Search))
		// itam.search_assets uses the trigram indexes, which RLS would rule out.
		c = append(c, fmt.Sprintf("a.id IN (SELECT itam.search_assets(%s))", pat))
	}
	if f.PurchasedAfter != nil {
		c = append(c, "a.purchase_date >= "+args.add(*f.PurchasedAfter)+"::date")
	}
	if f.PurchasedBefore != nil {
		c = append(c, "a.purchase_date <= "+args.add(*f.PurchasedBefore)+"::date")
	}
	if f.WarrantyExpiresBefore != nil {
		// Over the stored order key, which assets_org_sort_warranty_end
		// indexes; a missing warranty end ('infinity') is never before a date.
		c = append(c, "a.sort_warranty_end < "+args.add(*f.WarrantyExpiresBefore)+"::date")
	}
	if f.Unassigned != nil {
		if *f.Unassigned {
			c = append(c, "(a.assigned_person_id IS NULL AND a.assigned_location_id IS NULL)")
		} else {
			c = append(c, "(a.assigned_person_id IS NOT NULL OR a.assigned_location_id IS NOT NULL)")
		}
	}
	if f.Stale != nil {
		cond := "EXISTS (SELECT 1 FROM asset_external_ids l WHERE l.asset_id = a.id AND l.stale_since IS NOT NULL)"
		if !*f.Stale {
			cond = "NOT " + cond
		}
		c = append(c, cond)
	}
	if len(f.CustomFields) > 0 {
		b, err := json.Marshal(f.CustomFields)
		if err != nil {
			return "", itam.Invalid(path+".customFields", "custom field values must be JSON")
		}
		c = append(c, "a.custom_fields @> "+args.add(string(b))+"::jsonb")
	}
	for i := range f.And {
		sub, err := assetFilterSQL(&f.And[i], args, fmt.Sprintf("%s.and[%d]", path, i))
		if err != nil {
			return "", err
		}
		c = append(c, sub)
	}
	if len(f.Or) > 0 {
		var ors []string
		for i := range f.Or {
			sub, err := assetFilterSQL(&f.Or[i], args, fmt.Sprintf("%s.or[%d]", path, i))
			if err != nil {
				return "", err
			}
			ors = append(ors, sub)
		}
		c = append(c, "("+strings.Join(ors, " OR ")+")")
	}
	if f.Not != nil {
		sub, err := assetFilterSQL(f.Not, args, path+".not")
		if err != nil {
			return "", err
		}
		// NOT over a NULL comparison (e.g. no purchase date) counts as "does not match".
		c = append(c, "NOT coalesce("+sub+", false)")
	}
	if len(c) == 0 {
		return "TRUE", nil
	}
	return "(" + strings.Join(c, " AND ") + ")", nil
}
