package postgres

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/itam"
)

// CloseCampaign closes an OPEN campaign and applies audits.Close in the
// same transaction: every FOUND or UNEXPECTED asset records its scan as
// lastAuditedAt; a scanned condition that differs from the register, and
// with moveUnexpected the scanned location of an UNEXPECTED asset, are
// written to the asset with a new version and a history entry (source
// "audit"). Set-based: a campaign of thousands of assets is four statements.
func (s *AuditCampaignStore) CloseCampaign(ctx context.Context, id uuid.UUID, moveUnexpected bool) (*audits.Campaign, error) {
	p, err := audits.RequireManage(ctx)
	if err != nil {
		return nil, err
	}
	kind, who, _ := actor(p)
	// Closing updates every found asset: the job statement timeout, as
	// for the snapshot (see CreateCampaign).
	return inTxReturning(ctx, s.db.ForJobs(), p.OrgID, func(tx pgx.Tx) (*audits.Campaign, error) {
		c, err := lockCampaign(ctx, tx, id, "UPDATE", "id")
		if err != nil {
			return nil, err
		}
		if err := c.CheckOpen("id"); err != nil {
			return nil, err
		}
		rows, _ := tx.Query(ctx, `SELECT i.asset_id, i.outcome, i.scanned_at, i.scanned_location_id, i.condition, a.condition, a.location_id, a.status
			FROM audit_campaign_items i JOIN assets a ON a.id = i.asset_id
			WHERE i.campaign_id = $1 AND i.outcome IN ('FOUND', 'UNEXPECTED') ORDER BY a.id FOR UPDATE OF a`, id)
		var seen []audits.Seen
		status := map[uuid.UUID]string{}
		var sn audits.Seen
		var st string
		if _, err := pgx.ForEachRow(rows, []any{&sn.AssetID, &sn.Outcome, &sn.ScannedAt, &sn.ScannedLocationID, &sn.ScannedCondition,
			&sn.Condition, &sn.LocationID, &st}, func() error {
			seen = append(seen, sn)
			status[sn.AssetID] = st
			return nil
		}); err != nil {
			return nil, err
		}
		before := make(map[uuid.UUID]audits.Seen, len(seen))
		for _, x := range seen {
			before[x.AssetID] = x
		}
		changes := audits.Close(seen, moveUnexpected)
		var ids, editIDs, moveTo []uuid.UUID
		var at []time.Time
		var conds, statuses []*string
		var diffs [][]byte
		for _, ch := range changes {
			ids, at = append(ids, ch.AssetID), append(at, ch.LastAuditedAt)
			if !ch.Changed() {
				continue
			}
			b := before[ch.AssetID]
			diff := map[string]map[string]any{}
			var cond *string
			if ch.Condition != nil {
				cond = ptr(string(*ch.Condition))
				diff["condition"] = map[string]any{"from": b.Condition, "to": *ch.Condition}
			}
			move := uuid.Nil // Nil: stays where it is
			if ch.LocationID != nil {
				move = *ch.LocationID
				diff["locationId"] = map[string]any{"from": b.LocationID, "to": *ch.LocationID}
			}
			raw, err := json.Marshal(diff)
			if err != nil {
				return nil, err
			}
			editIDs, moveTo, conds, diffs = append(editIDs, ch.AssetID), append(moveTo, move), append(conds, cond), append(diffs, raw)
			statuses = append(statuses, ptr(status[ch.AssetID]))
		}
		if len(ids) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE assets a SET last_audited_at = greatest(a.last_audited_at, c.at)
				FROM unnest($1::uuid[], $2::timestamptz[]) AS c(id, at) WHERE a.id = c.id`, ids, at); err != nil {
				return nil, err
			}
		}
		if len(editIDs) > 0 {
			if _, err := tx.Exec(ctx, `UPDATE assets a SET condition = coalesce(c.cond::asset_condition, a.condition),
					location_id = CASE WHEN c.loc = '00000000-0000-0000-0000-000000000000' THEN a.location_id ELSE c.loc END,
					version = a.version + 1, updated_at = now()
				FROM unnest($1::uuid[], $2::text[], $3::uuid[]) AS c(id, cond, loc) WHERE a.id = c.id`, editIDs, conds, moveTo); err != nil {
				return nil, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO asset_history (org_id, asset_id, action, actor_kind, actor, source, changes, from_status, to_status)
				SELECT $1, c.id, 'UPDATE', $2::text::actor_kind, $3, 'audit', c.changes, c.status::asset_status, c.status::asset_status
				FROM unnest($4::uuid[], $5::jsonb[], $6::text[]) AS c(id, changes, status)`,
				p.OrgID, string(kind), who, editIDs, diffs, statuses); err != nil {
				return nil, err
			}
		}
		return returningOne(ctx, tx, scanCampaign, `UPDATE audit_campaigns x SET status = 'CLOSED', closed_at = now(), closed_by = $2,
			move_unexpected = $3 WHERE x.id = $1 RETURNING `+campaignColumns, id, p.Subject, moveUnexpected)
	})
}

// AuditDates are an asset's lastAuditedAt and nextAuditDue.
type AuditDates struct {
	LastAuditedAt *time.Time
	NextAuditDue  *time.Time
}

// AuditDatesOf returns the audit dates of assets the caller already read,
// in one statement for a page of them (audits.NextAuditDue over the
// asset's category's interval).
func (s *AuditCampaignStore) AuditDatesOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]AuditDates, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]AuditDates, len(ids))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, `SELECT a.id, a.status, a.last_audited_at, a.purchase_date, a.created_at, c.audit_interval_months
			FROM assets a JOIN models m ON m.id = a.model_id JOIN categories c ON c.id = m.category_id
			WHERE a.id = ANY($1::uuid[])`, []any{ids}, func(r pgx.CollectableRow) (struct{}, error) {
			var id uuid.UUID
			var status itam.AssetStatus
			var last, bought *time.Time
			var created time.Time
			var interval *int
			if err := r.Scan(&id, &status, &last, &bought, &created, &interval); err != nil {
				return struct{}{}, err
			}
			out[id] = AuditDates{LastAuditedAt: last, NextAuditDue: audits.NextAuditDue(status, last, bought, created, interval)}
			return struct{}{}, nil
		}, func(struct{}) {})
	})
	return out, err
}
