package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/itam"
)

const auditItemColumns = `i.id, i.campaign_id, i.outcome, i.code, i.asset_id, i.registered_location_id, i.scanned_location_id, i.scanned_at, i.scanned_by, i.condition`

func scanAuditItem(r pgx.CollectableRow) (*audits.Item, error) {
	var it audits.Item
	return &it, r.Scan(&it.ID, &it.CampaignID, &it.Outcome, &it.Code, &it.AssetID, &it.RegisteredLocationID, &it.ScannedLocationID,
		&it.ScannedAt, &it.ScannedBy, &it.Condition)
}

func itemSpec(outcome *audits.Outcome) listSpec[*audits.Item] {
	args := &sqlArgs{}
	var where []string
	if outcome != nil {
		where = append(where, "i.outcome = "+args.add(string(*outcome)))
	}
	key := func(it *audits.Item) string { return it.Code }
	return listSpec[*audits.Item]{columns: auditItemColumns, from: "audit_campaign_items i", idExpr: "i.id", where: where, args: args,
		sort: sortKey[*audits.Item]{"i.code", "text", key}, dir: itam.Asc, id: func(it *audits.Item) string { return it.ID.String() }, scan: scanAuditItem}
}

func itemOfCampaign(parent string) string { return "i.campaign_id = " + parent }

// ItemsOf returns the same page of each campaign's items (by code), only
// those of outcome when given: every campaign of a page in one statement.
func (s *AuditCampaignStore) ItemsOf(ctx context.Context, campaigns []uuid.UUID, outcome *audits.Outcome, page itam.PageArgs) (map[uuid.UUID]itam.Page[*audits.Item], error) {
	p, err := audits.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, itemSpec(outcome), campaigns, itemOfCampaign, page)
}

// CountItemsOf counts each campaign's items (of outcome when given).
func (s *AuditCampaignStore) CountItemsOf(ctx context.Context, campaigns []uuid.UUID, outcome *audits.Outcome) (map[uuid.UUID]int, error) {
	p, err := audits.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	spec := itemSpec(outcome)
	return countEach(ctx, s.db, p.OrgID, spec.from, spec.where, spec.args, campaigns, itemOfCampaign)
}

// RecordScan records that code was scanned at a location in an OPEN
// campaign: the expected asset's item becomes FOUND; an asset the campaign
// did not expect gets an UNEXPECTED item (with where the register has it);
// a code no asset has, an UNKNOWN one. Scanning the same asset (or unknown
// code, regardless of case) again updates its item. The scan is the
// asset's latest sign of life. One transaction.
func (s *AuditCampaignStore) RecordScan(ctx context.Context, in audits.Scan) (*audits.Item, error) {
	p, err := audits.RequireScan(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return inTxReturning(ctx, s.db, p.OrgID, func(tx pgx.Tx) (*audits.Item, error) {
		c, err := lockCampaign(ctx, tx, in.CampaignID, "SHARE", "campaignId")
		if err != nil {
			return nil, err
		}
		if err := c.CheckOpen("campaignId"); err != nil {
			return nil, err
		}
		if err := checkLocation(ctx, tx, "locationId", &in.LocationID); err != nil {
			return nil, err
		}
		var byTag, bySerial []audits.Match
		rows, _ := tx.Query(ctx, `SELECT a.id, a.location_id, a.asset_tag_key = lower($1) FROM assets a
			WHERE a.asset_tag_key = lower($1) OR a.serial_key = upper($1) ORDER BY a.id`, in.Code)
		var m audits.Match
		var tag bool
		if _, err := pgx.ForEachRow(rows, []any{&m.AssetID, &m.LocationID, &tag}, func() error {
			if tag {
				byTag = append(byTag, m)
			} else {
				bySerial = append(bySerial, m)
			}
			return nil
		}); err != nil {
			return nil, err
		}
		match, err := audits.Resolve(in.Code, byTag, bySerial)
		if err != nil {
			return nil, err
		}
		var cond *string
		if in.Condition != nil {
			cond = ptr(string(*in.Condition))
		}
		if match == nil {
			return returningOne(ctx, tx, scanAuditItem, `INSERT INTO audit_campaign_items AS i (org_id, campaign_id, expected, code, scanned_at, scanned_by, scanned_location_id, condition)
				VALUES ($1, $2, false, $3, now(), $4, $5, $6::text::asset_condition)
				ON CONFLICT (campaign_id, code_key) WHERE asset_id IS NULL DO UPDATE SET code = EXCLUDED.code, scanned_at = EXCLUDED.scanned_at,
				  scanned_by = EXCLUDED.scanned_by, scanned_location_id = EXCLUDED.scanned_location_id, condition = coalesce(EXCLUDED.condition, i.condition)
				RETURNING `+auditItemColumns, p.OrgID, c.ID, in.Code, p.Subject, in.LocationID, cond)
		}
		it, err := returningOne(ctx, tx, scanAuditItem, `INSERT INTO audit_campaign_items AS i (org_id, campaign_id, asset_id, expected, code,
				registered_location_id, scanned_at, scanned_by, scanned_location_id, condition)
			VALUES ($1, $2, $3, false, $4, $5, now(), $6, $7, $8::text::asset_condition)
			ON CONFLICT (campaign_id, asset_id) WHERE asset_id IS NOT NULL DO UPDATE SET code = EXCLUDED.code, scanned_at = EXCLUDED.scanned_at,
			  scanned_by = EXCLUDED.scanned_by, scanned_location_id = EXCLUDED.scanned_location_id, condition = coalesce(EXCLUDED.condition, i.condition)
			RETURNING `+auditItemColumns, p.OrgID, c.ID, match.AssetID, in.Code, match.LocationID, p.Subject, in.LocationID, cond)
		if err != nil {
			return nil, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO asset_signs_of_life AS s (org_id, asset_id, at, source) VALUES ($1, $2, $3, 'AUDIT')
			ON CONFLICT (org_id, asset_id) DO UPDATE SET at = EXCLUDED.at, source = EXCLUDED.source WHERE EXCLUDED.at >= s.at`,
			p.OrgID, match.AssetID, it.ScannedAt)
		return it, err
	})
}
