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

const deliveryColumns = `x.id, x.subscription_id, x.notification_id, x.event, x.attempt, x.state, x.status_code, x.error,
	x.duration_ms, x.at, x.next_retry_at`

func scanDelivery(r pgx.CollectableRow) (*notify.Delivery, error) {
	var x notify.Delivery
	var state string
	var ms int64
	err := r.Scan(&x.ID, &x.SubscriptionID, &x.NotificationID, &x.Event, &x.Attempt, &state, &x.StatusCode, &x.Error, &ms, &x.At, &x.NextRetryAt)
	x.State, x.Duration = notify.DeliveryState(state), time.Duration(ms)*time.Millisecond
	return &x, err
}

func deliveryWhere(f notify.DeliveryFilter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if f.SubscriptionID != nil {
		where = append(where, "x.subscription_id = "+args.add(*f.SubscriptionID))
	}
	if f.Failed != nil {
		if *f.Failed {
			where = append(where, "x.state <> 'SUCCEEDED'")
		} else {
			where = append(where, "x.state = 'SUCCEEDED'")
		}
	}
	return where, args
}

// ListDeliveries returns one page of delivery attempts, newest first
// (ADMIN only).
func (s *WebhookStore) ListDeliveries(ctx context.Context, f notify.DeliveryFilter, page itam.PageArgs) (itam.Page[*notify.Delivery], error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return itam.Page[*notify.Delivery]{}, err
	}
	if err := s.requireSubscription(ctx, p.OrgID, f.SubscriptionID); err != nil {
		return itam.Page[*notify.Delivery]{}, err
	}
	where, args := deliveryWhere(f)
	return list(ctx, s.db, p.OrgID, listSpec[*notify.Delivery]{
		columns: deliveryColumns, from: "webhook_deliveries x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*notify.Delivery]{"x.at", "timestamptz", func(d *notify.Delivery) string { return d.At.Format(time.RFC3339Nano) }},
		dir:  itam.Desc, id: func(d *notify.Delivery) string { return d.ID.String() }, scan: scanDelivery,
	}, page)
}

// CountDeliveries counts the attempts matching f.
func (s *WebhookStore) CountDeliveries(ctx context.Context, f notify.DeliveryFilter) (int, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	if err := s.requireSubscription(ctx, p.OrgID, f.SubscriptionID); err != nil {
		return 0, err
	}
	where, args := deliveryWhere(f)
	return count(ctx, s.db, p.OrgID, "webhook_deliveries x", where, args)
}

// requireSubscription refuses a filter naming a subscription that is not
// the organization's: NOT_FOUND on filter.subscriptionId, not an empty
// list that reads like "no deliveries yet".
func (s *WebhookStore) requireSubscription(ctx context.Context, org uuid.UUID, id *uuid.UUID) error {
	if id == nil {
		return nil
	}
	var ok bool
	err := s.db.read(ctx, org, func(b *pgx.Batch) {
		b.Queue(`SELECT EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $1)`, *id).QueryRow(func(r pgx.Row) error { return r.Scan(&ok) })
	})
	if err == nil && !ok {
		err = notFoundIn("filter.subscriptionId", "webhook subscription")
	}
	return err
}

// DeliveriesByIDs returns the attempts among ids (node(id:)).
func (s *WebhookStore) DeliveriesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*notify.Delivery, error) {
	if _, err := notify.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, deliveryColumns, "webhook_deliveries x", ids, scanDelivery, func(x *notify.Delivery) uuid.UUID { return x.ID })
}

// DeliveryTarget is what the delivery worker needs for one job: where to
// post, in which format, signed with which secret, and what.
type DeliveryTarget struct {
	Subscription notify.Subscription
	Secret       []byte
	Organization string // slug
	// Notification is nil for a test ping.
	Notification *notify.Notification
}

// Target loads a delivery job's subscription (with its secret opened) and
// notification, as the organization's system actor. A subscription or
// notification that is gone is NOT_FOUND: the delivery stops.
func (s *WebhookStore) Target(ctx context.Context, a jobs.DeliverWebhookArgs) (*DeliveryTarget, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if s.box == nil {
		return nil, itam.Invalid("secret", "webhook secrets cannot be opened: the server has no ITAM_SECRET_KEY")
	}
	t := &DeliveryTarget{}
	var sealed []byte
	found := false
	err = s.db.ForJobs().read(ctx, p.OrgID, func(b *pgx.Batch) {
		b.Queue(`SELECT `+subscriptionColumns+`, x.secret, o.slug FROM webhook_subscriptions x JOIN organizations o ON o.id = x.org_id
			WHERE x.id = $1`, a.SubscriptionID).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				found = true
				var events []string
				var format string
				x := &t.Subscription
				if err := rows.Scan(&x.ID, &x.URL, &events, &format, &x.Active, &x.Version, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt, &sealed, &t.Organization); err != nil {
					return err
				}
				x.Format, x.HasSecret = notify.Format(format), true
				for _, e := range events {
					x.Events = append(x.Events, notify.Kind(e))
				}
			}
			return rows.Err()
		})
		if a.NotificationID != nil {
			queueRows(b, "SELECT "+notificationColumns+" FROM notifications x WHERE x.id = $1", []any{*a.NotificationID}, scanNotification,
				func(n *notify.Notification) { t.Notification = n })
		}
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, itam.NotFound("webhook subscription")
	}
	if a.NotificationID != nil && t.Notification == nil {
		return nil, itam.NotFound("notification")
	}
	if t.Secret, err = s.box.Open(sealed); err != nil {
		return nil, err
	}
	return t, nil
}

// Attempt is one recorded delivery attempt.
type Attempt struct {
	Job         jobs.DeliverWebhookArgs
	JobID       int64
	Event       string
	Attempt     int
	State       notify.DeliveryState
	StatusCode  *int
	Error       string
	Duration    time.Duration
	At          time.Time
	NextRetryAt *time.Time
}

// FirstAttemptAt returns when job jobID was first attempted, or at when
// this is its first attempt: the retry window counts from there.
func (s *WebhookStore) FirstAttemptAt(ctx context.Context, jobID int64, at time.Time) (time.Time, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return at, err
	}
	var first *time.Time
	err = s.db.ForJobs().read(ctx, p.OrgID, func(b *pgx.Batch) {
		b.Queue(`SELECT min(at) FROM webhook_deliveries WHERE job_id = $1`, jobID).QueryRow(func(r pgx.Row) error { return r.Scan(&first) })
	})
	if err != nil || first == nil {
		return at, err
	}
	return *first, nil
}

// RecordAttempt writes one attempt, as the organization's system actor.
func (s *WebhookStore) RecordAttempt(ctx context.Context, a Attempt) error {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return err
	}
	var errText *string
	if a.Error != "" {
		e := notify.ErrorText(a.Error)
		errText = &e
	}
	return s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO webhook_deliveries (org_id, subscription_id, notification_id, event, job_id, attempt, state,
			status_code, error, duration_ms, at, next_retry_at)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 WHERE EXISTS (SELECT 1 FROM webhook_subscriptions WHERE id = $2)`,
			p.OrgID, a.Job.SubscriptionID, a.Job.NotificationID, a.Event, a.JobID, a.Attempt, string(a.State), a.StatusCode, errText,
			a.Duration.Milliseconds(), a.At, a.NextRetryAt)
		return err
	})
}
