package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/audits"
	"github.com/itam-dev/itam/internal/itam"
)

// AuditCampaignStore loads and saves physical audit campaigns, their items
// and scans, what closing one writes to the assets, the assets' audit dates
// and the ghost-asset report. internal/audits decides; this store applies.
type AuditCampaignStore struct{ db *DB }

// NewAuditCampaignStore returns an AuditCampaignStore over db.
func NewAuditCampaignStore(db *DB) *AuditCampaignStore { return &AuditCampaignStore{db: db} }

const campaignColumns = `x.id, x.name, x.location_id, x.due_date, x.status, x.move_unexpected, x.created_at, x.created_by, x.closed_at, x.closed_by`

func scanCampaign(r pgx.CollectableRow) (*audits.Campaign, error) {
	var c audits.Campaign
	return &c, r.Scan(&c.ID, &c.Name, &c.LocationID, &c.DueDate, &c.Status, &c.MoveUnexpected, &c.CreatedAt, &c.CreatedBy, &c.ClosedAt, &c.ClosedBy)
}

func campaignID(c *audits.Campaign) uuid.UUID { return c.ID }

// lockCampaign reads a campaign for change: FOR UPDATE to close it, FOR
// SHARE to scan into it (scans run side by side; closing waits for them).
// Unknown or another organization's is NOT_FOUND naming field.
func lockCampaign(ctx context.Context, tx pgx.Tx, id uuid.UUID, mode, field string) (*audits.Campaign, error) {
	rows, _ := tx.Query(ctx, "SELECT "+campaignColumns+" FROM audit_campaigns x WHERE x.id = $1 FOR "+mode, id)
	c, err := pgx.CollectExactlyOneRow(rows, scanCampaign)
	if err == pgx.ErrNoRows {
		return nil, notFoundIn(field, "audit campaign")
	}
	return c, err
}

// CreateCampaign opens a campaign and snapshots what it expects: every
// asset in audits.ExpectedStatuses within its scope (the location's
// subtree, as AssetFilter.locationIds reads it, and the filter), each
// with the location it is registered at now. One statement however many.
func (s *AuditCampaignStore) CreateCampaign(ctx context.Context, in audits.CampaignInput) (*audits.Campaign, error) {
	p, err := audits.RequireManage(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	id := uuid.New()
	args := &sqlArgs{}
	cid := args.add(id)
	where := []string{"a.status = ANY(" + args.add(texts(audits.ExpectedStatuses)) + "::asset_status[])"}
	if in.LocationID != nil {
		where = append(where, fmt.Sprintf("a.location_id IN (SELECT l.id FROM locations l WHERE l.path && ARRAY[%s::uuid])", args.add(*in.LocationID)))
	}
	var filter []byte
	if in.Filter != nil {
		cond, err := assetFilterSQL(in.Filter, args, "filter")
		if err != nil {
			return nil, err
		}
		where = append(where, cond)
		if filter, err = json.Marshal(in.Filter); err != nil {
			return nil, err
		}
	}
	// The snapshot writes one row per expected asset (a whole estate of
	// 100,000 is seconds of work), so it runs under the job statement
	// timeout, like a sync page, not the request one.
	return inTxReturning(ctx, s.db.ForJobs(), p.OrgID, func(tx pgx.Tx) (*audits.Campaign, error) {
		if err := checkLocation(ctx, tx, "locationId", in.LocationID); err != nil {
			return nil, err
		}
		c, err := returningOne(ctx, tx, scanCampaign, `INSERT INTO audit_campaigns AS x (id, org_id, name, location_id, filter, due_date, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+campaignColumns, id, p.OrgID, in.Name, in.LocationID, filter, in.DueDate, p.Subject)
		if err != nil {
			return nil, err
		}
		_, err = tx.Exec(ctx, `INSERT INTO audit_campaign_items (org_id, campaign_id, asset_id, expected, code, registered_location_id)
			SELECT a.org_id, `+cid+`, a.id, true, a.asset_tag, a.location_id FROM assets a WHERE `+joinAnd(where), args.list...)
		return c, err
	})
}

func joinAnd(where []string) string {
	out := ""
	for i, w := range where {
		if i > 0 {
			out += " AND "
		}
		out += "(" + w + ")"
	}
	return out
}

// CampaignsByIDs loads campaigns for node(id:) and payloads; EMPLOYEE gets FORBIDDEN.
func (s *AuditCampaignStore) CampaignsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*audits.Campaign, error) {
	if _, err := audits.RequireRead(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, campaignColumns, "audit_campaigns x", ids, scanCampaign, campaignID)
}

// CampaignFilter selects campaigns; a nil Status is every one.
type CampaignFilter struct {
	Status *audits.Status
}

func campaignWhere(f CampaignFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if f.Status != nil {
		where = append(where, "x.status = "+args.add(string(*f.Status))+"::text::audit_campaign_status")
	}
	return where, args
}

// ListCampaigns lists campaigns, newest first.
func (s *AuditCampaignStore) ListCampaigns(ctx context.Context, f CampaignFilter, page itam.PageArgs) (itam.Page[*audits.Campaign], error) {
	p, err := audits.RequireRead(ctx)
	if err != nil {
		return itam.Page[*audits.Campaign]{}, err
	}
	where, args := campaignWhere(f)
	key := func(c *audits.Campaign) string { return c.CreatedAt.Format(time.RFC3339Nano) }
	return list(ctx, s.db, p.OrgID, listSpec[*audits.Campaign]{columns: campaignColumns, from: "audit_campaigns x", idExpr: "x.id",
		where: where, args: args, sort: sortKey[*audits.Campaign]{"x.created_at", "timestamptz", key}, dir: itam.Desc,
		id: func(c *audits.Campaign) string { return c.ID.String() }, scan: scanCampaign}, page)
}

// CountCampaigns counts campaigns matching f.
func (s *AuditCampaignStore) CountCampaigns(ctx context.Context, f CampaignFilter) (int, error) {
	p, err := audits.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	where, args := campaignWhere(f)
	return count(ctx, s.db, p.OrgID, "audit_campaigns x", where, args)
}

// CountsOf returns each campaign's items per outcome, for a page of
// campaigns in one statement.
func (s *AuditCampaignStore) CountsOf(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]audits.Counts, error) {
	p, err := audits.RequireRead(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		id      uuid.UUID
		outcome audits.Outcome
		n       int
	}
	rows, err := query(ctx, s.db, p.OrgID, `SELECT campaign_id, outcome, count(*) FROM audit_campaign_items
		WHERE campaign_id = ANY($1::uuid[]) GROUP BY 1, 2`, []any{ids}, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.outcome, &x.n)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]audits.Counts, len(ids))
	for _, id := range ids {
		out[id] = audits.Counts{}
	}
	for _, r := range rows {
		c := out[r.id]
		c.Add(r.outcome, r.n)
		out[r.id] = c
	}
	return out, nil
}
