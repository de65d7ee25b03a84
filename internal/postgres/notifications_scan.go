package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/notify"
)

// Scanner finds the subjects of one notification kind that are due. Its
// query runs in the organization's scan transaction (RLS applies) with $1
// today's date and $2 the kind's window in days (Window; 0 when it has
// none), and returns, per due subject, the subject's GraphQL type, id,
// label, due date (NULL if none) and occurrence date (see notify.Due).
type Scanner struct {
	Kind   notify.Kind
	Window func(notify.Settings) int
	SQL    string
}

// auditLookaheadDays is how long before its due date an open audit
// campaign is announced: a week is enough to plan a walk of the floor, and
// campaigns carry their own due date, so no setting is needed.
const auditLookaheadDays = 7

// Scanners is the registry the scan runs, one query per kind. A feature
// that brings its own due dates adds its scanner here.
var Scanners = []Scanner{
	{
		// Active assets whose warranty ends within the window. The range is
		// over the stored key assets_org_sort_warranty_end indexes (a
		// missing end is 'infinity', never within the window).
		Kind: notify.WarrantyEnding, Window: func(s notify.Settings) int { return s.WarrantyDays },
		SQL: `SELECT 'Asset', a.id, a.asset_tag, a.warranty_end, a.warranty_end FROM assets a
			WHERE a.sort_warranty_end BETWEEN $1::date AND $1::date + $2::int AND a.status NOT IN ('RETIRED', 'DISPOSED')`,
	},
	{
		// Contracts whose notice date or end falls within the window: each
		// is its own occurrence (give notice, then the end).
		Kind: notify.ContractEnding, Window: func(s notify.Settings) int { return s.ContractDays },
		SQL: `SELECT 'Contract', c.id, coalesce(c.number, initcap(replace(c.kind, '_', ' '))), d.day, d.day FROM contracts c
			CROSS JOIN LATERAL (SELECT DISTINCT day FROM (VALUES (c.notice_date), (c.end_date)) v(day) WHERE day IS NOT NULL) d
			WHERE d.day BETWEEN $1::date AND $1::date + $2::int`,
	},
	{
		Kind: notify.LicenseTermEnding, Window: func(s notify.Settings) int { return s.LicenseDays },
		SQL: `SELECT 'License', l.id, coalesce(l.name, p.name), l.term_end, l.term_end FROM licenses l
			JOIN software_products p ON p.id = l.product_id
			WHERE l.term_end BETWEEN $1::date AND $1::date + $2::int`,
	},
	{
		// Open checkouts past their expected return (the asset is the
		// subject; each expected date is its own occurrence).
		Kind: notify.CheckoutOverdue, Window: func(notify.Settings) int { return 0 },
		SQL: `SELECT 'Asset', a.id, a.asset_tag, k.expected_return_date, k.expected_return_date FROM asset_checkouts k
			JOIN assets a ON a.id = k.asset_id
			WHERE k.returned_at IS NULL AND k.expected_return_date < $1::date AND $2::int >= 0`,
	},
	{
		// Open audit campaigns due within a week or past due; the due date
		// is the occurrence, so moving it announces the campaign again.
		Kind: notify.AuditDue, Window: func(notify.Settings) int { return auditLookaheadDays },
		SQL: `SELECT 'AuditCampaign', c.id, c.name, c.due_date, c.due_date FROM audit_campaigns c
			WHERE c.status = 'OPEN' AND c.due_date <= $1::date + $2::int`,
	},
	{
		// Open offboarding checklists past the person's effective date:
		// something they held is still not back.
		Kind: notify.OffboardingOverdue, Window: func(notify.Settings) int { return 0 },
		SQL: `SELECT 'OffboardingChecklist', c.id, p.name, c.effective_date, c.effective_date FROM offboarding_checklists c
			JOIN people p ON p.id = c.person_id
			WHERE c.status = 'OPEN' AND c.effective_date < $1::date AND $2::int >= 0`,
	},
	{
		// Connectors whose last two finished runs failed; the occurrence
		// is the day of the latest failure, so a connector failing all
		// day is one notification a day, not one per run.
		Kind: notify.SyncFailing, Window: func(notify.Settings) int { return 0 },
		SQL: `SELECT 'Connector', c.id, c.name, NULL::date, (r.finished[1] AT TIME ZONE 'UTC')::date FROM connectors c
			CROSS JOIN LATERAL (SELECT array_agg(status ORDER BY queued_at DESC) AS status, array_agg(finished_at ORDER BY queued_at DESC) AS finished
				FROM (SELECT status::text, queued_at, coalesce(finished_at, queued_at) AS finished_at FROM sync_runs r
					WHERE r.connector_id = c.id AND r.status IN ('SUCCEEDED', 'PARTIAL', 'FAILED')
					ORDER BY queued_at DESC LIMIT 2) last) r
			WHERE r.status = ARRAY['FAILED', 'FAILED'] AND $2::int >= 0 AND $1::date IS NOT NULL`,
	},
	{
		// Active assets none of whose connector links has reported for
		// the window; the occurrence is the last report, so a device that
		// comes back and goes quiet again is notified again.
		Kind: notify.DeviceStale, Window: func(s notify.Settings) int { return s.StaleDeviceDays },
		SQL: `SELECT 'Asset', a.id, a.asset_tag, x.seen, x.seen FROM assets a
			JOIN LATERAL (SELECT max((coalesce(e.last_check_in, e.last_seen_at, e.created_at) AT TIME ZONE 'UTC')::date) AS seen
				FROM asset_external_ids e WHERE e.asset_id = a.id AND e.connector_id IS NOT NULL) x ON x.seen IS NOT NULL
			WHERE x.seen < $1::date - $2::int AND a.status NOT IN ('RETIRED', 'DISPOSED', 'LOST', 'STOLEN')`,
	},
}

// ScanAll runs Scan in every organization as its system actor and returns
// how many notifications it created.
func (s *NotificationStore) ScanAll(ctx context.Context, today time.Time) (int, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT itam.all_org_ids()`)
	if err != nil {
		return 0, err
	}
	orgs, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	if err != nil {
		return 0, err
	}
	total := 0
	for _, org := range orgs {
		octx := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "notifications", ActorKind: itam.ActorSystem})
		n, err := s.Scan(octx, today)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

// Scan runs every scanner in the caller's organization (a system
// principal) and, in one transaction, records a notification for each due
// occurrence not recorded before and queues one delivery per active
// subscription that wants its kind. Re-running it creates nothing new.
func (s *NotificationStore) Scan(ctx context.Context, today time.Time) (int, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	today = itam.CalendarDay(today)
	db := s.db.ForJobs()
	settings, err := s.settings(ctx, db, p.OrgID)
	if err != nil {
		return 0, err
	}
	created := 0
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var due []notify.Due
		for _, sc := range Scanners {
			rows, err := tx.Query(ctx, sc.SQL, today, sc.Window(settings))
			if err != nil {
				return err
			}
			got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Due, error) {
				d := notify.Due{Kind: sc.Kind}
				err := r.Scan(&d.SubjectType, &d.SubjectID, &d.Label, &d.DueDate, &d.Occurrence)
				return d, err
			})
			if err != nil {
				return err
			}
			due = append(due, got...)
		}
		n, err := s.record(ctx, tx, p.OrgID, today, due)
		created = n
		return err
	})
	return created, err
}

// record inserts the notifications for due (skipping occurrences already
// recorded) and queues their deliveries, in tx.
func (s *NotificationStore) record(ctx context.Context, tx pgx.Tx, org uuid.UUID, today time.Time, due []notify.Due) (int, error) {
	if len(due) == 0 {
		return 0, nil
	}
	n := len(due)
	kinds, types, subjects := make([]string, n), make([]string, n), make([]uuid.UUID, n)
	titles, messages, keys := make([]string, n), make([]string, n), make([]string, n)
	dates := make([]*time.Time, n)
	for i, d := range due {
		kinds[i], types[i], subjects[i], dates[i], keys[i] = string(d.Kind), d.SubjectType, d.SubjectID, d.DueDate, d.DedupKey()
		titles[i], messages[i] = d.Describe(today)
	}
	rows, err := tx.Query(ctx, `INSERT INTO notifications (org_id, kind, subject_type, subject_id, title, message, due_date, dedup_key)
		SELECT $1, u.kind, u.type, u.subject, u.title, u.message, u.due, u.key
		FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::date[], $8::text[]) AS u(kind, type, subject, title, message, due, key)
		ON CONFLICT (org_id, dedup_key) DO NOTHING RETURNING id, kind`,
		org, kinds, types, subjects, titles, messages, dates, keys)
	if err != nil {
		return 0, err
	}
	type made struct {
		id   uuid.UUID
		kind notify.Kind
	}
	news, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (made, error) {
		var m made
		var k string
		err := r.Scan(&m.id, &k)
		m.kind = notify.Kind(k)
		return m, err
	})
	if err != nil || len(news) == 0 {
		return 0, err
	}
	subs, err := activeSubscriptions(ctx, tx)
	if err != nil {
		return 0, err
	}
	var args []jobs.DeliverWebhookArgs
	for _, m := range news {
		for _, sub := range subs {
			if sub.Wants(m.kind) {
				args = append(args, jobs.DeliverWebhookArgs{OrgID: org, SubscriptionID: sub.ID, NotificationID: &m.id})
			}
		}
	}
	if len(args) > 0 {
		if s.enq == nil {
			return 0, errNoEnqueuer
		}
		if _, err := s.enq.EnqueueDeliveriesTx(ctx, tx, args); err != nil {
			return 0, err
		}
	}
	return len(news), nil
}

// activeSubscriptions lists the organization's active subscriptions with
// their events, in tx.
func activeSubscriptions(ctx context.Context, tx pgx.Tx) ([]notify.Subscription, error) {
	rows, err := tx.Query(ctx, `SELECT id, events FROM webhook_subscriptions WHERE active ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (notify.Subscription, error) {
		var x notify.Subscription
		var events []string
		err := r.Scan(&x.ID, &events)
		x.Active = true
		for _, e := range events {
			x.Events = append(x.Events, notify.Kind(e))
		}
		return x, err
	})
}
