package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/internal/costs"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/notify"
)

// NotificationStore loads and saves notifications and the organization's
// notification settings, and runs the scan that creates notifications
// (notifications_scan.go). ADMIN, MANAGER and AUDITOR read the feed
// (notify.RequireRead); read state is organization-wide.
type NotificationStore struct {
	db  *DB
	enq DeliveryEnqueuer
}

// DeliveryEnqueuer inserts webhook delivery jobs inside the caller's
// transaction, so a notification and its deliveries commit together: a
// crash or a receiver that is down loses nothing. RiverEnqueuer implements
// it. It returns the inserted jobs' ids, in order.
type DeliveryEnqueuer interface {
	EnqueueDeliveriesTx(ctx context.Context, tx pgx.Tx, args []jobs.DeliverWebhookArgs) ([]int64, error)
}

// EnqueueDeliveriesTx inserts delivery jobs in tx in one statement.
func (e RiverEnqueuer) EnqueueDeliveriesTx(ctx context.Context, tx pgx.Tx, args []jobs.DeliverWebhookArgs) ([]int64, error) {
	if len(args) == 0 {
		return nil, nil
	}
	params := make([]river.InsertManyParams, len(args))
	for i, a := range args {
		params[i] = river.InsertManyParams{Args: a}
	}
	res, err := e.Client.InsertManyTx(ctx, tx, params)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.Job.ID
	}
	return ids, nil
}

// NewNotificationStore returns a NotificationStore over db; enq queues
// webhook deliveries (nil: notifications are recorded, nothing is sent).
func NewNotificationStore(db *DB, enq DeliveryEnqueuer) *NotificationStore {
	return &NotificationStore{db: db, enq: enq}
}

// Settings returns the caller's organization's scan windows (the defaults
// until an ADMIN changes them). Readers of the feed may read them.
func (s *NotificationStore) Settings(ctx context.Context) (notify.Settings, error) {
	p, err := notify.RequireRead(ctx)
	if err != nil {
		return notify.Settings{}, err
	}
	return s.settings(ctx, s.db, p.OrgID)
}

func (s *NotificationStore) settings(ctx context.Context, db *DB, org uuid.UUID) (notify.Settings, error) {
	rows, err := query(ctx, db, org, settingsSQL, nil, scanSettings)
	if err != nil || len(rows) == 0 {
		return notify.DefaultSettings, err
	}
	return rows[0], nil
}

// settingsSQL reads the organization's settings row (none until an ADMIN
// changes a window).
const settingsSQL = `SELECT warranty_days, contract_days, license_days, stale_device_days FROM notification_settings`

func scanSettings(r pgx.CollectableRow) (notify.Settings, error) {
	var x notify.Settings
	return x, r.Scan(&x.WarrantyDays, &x.ContractDays, &x.LicenseDays, &x.StaleDeviceDays)
}

// UpdateSettings applies p (ADMIN only) and returns the new settings.
func (s *NotificationStore) UpdateSettings(ctx context.Context, patch notify.SettingsPatch) (notify.Settings, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return notify.Settings{}, err
	}
	var out notify.Settings
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur := notify.DefaultSettings
		rows, err := tx.Query(ctx, settingsSQL+" FOR UPDATE")
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, scanSettings)
		if err != nil {
			return err
		}
		if len(got) > 0 {
			cur = got[0]
		}
		if out, err = patch.Apply(cur); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO notification_settings (org_id, warranty_days, contract_days, license_days, stale_device_days)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id) DO UPDATE SET warranty_days = $2, contract_days = $3,
			license_days = $4, stale_device_days = $5, updated_at = now()`,
			p.OrgID, out.WarrantyDays, out.ContractDays, out.LicenseDays, out.StaleDeviceDays)
		return err
	})
	return out, err
}

const notificationColumns = `x.id, x.kind, x.subject_type, x.subject_id, x.title, x.message, x.due_date, x.created_at, x.read_at`

func scanNotification(r pgx.CollectableRow) (*notify.Notification, error) {
	var x notify.Notification
	var kind string
	err := r.Scan(&x.ID, &kind, &x.SubjectType, &x.SubjectID, &x.Title, &x.Message, &x.DueDate, &x.CreatedAt, &x.ReadAt)
	x.Kind = notify.Kind(kind)
	return &x, err
}

func notificationWhere(f notify.Filter) ([]string, *sqlArgs) {
	args := &sqlArgs{}
	var where []string
	if len(f.Kinds) > 0 {
		where = append(where, "x.kind = ANY("+args.add(texts(f.Kinds))+"::text[])")
	}
	if f.Unread != nil {
		if *f.Unread {
			where = append(where, "x.read_at IS NULL")
		} else {
			where = append(where, "x.read_at IS NOT NULL")
		}
	}
	return where, args
}

// ListNotifications returns one page of the feed, newest first.
func (s *NotificationStore) ListNotifications(ctx context.Context, f notify.Filter, page itam.PageArgs) (itam.Page[*notify.Notification], error) {
	p, err := notify.RequireRead(ctx)
	if err != nil {
		return itam.Page[*notify.Notification]{}, err
	}
	if err := f.Validate(); err != nil {
		return itam.Page[*notify.Notification]{}, err
	}
	where, args := notificationWhere(f)
	return list(ctx, s.db, p.OrgID, listSpec[*notify.Notification]{
		columns: notificationColumns, from: "notifications x", idExpr: "x.id", where: where, args: args,
		sort: sortKey[*notify.Notification]{"x.created_at", "timestamptz", func(n *notify.Notification) string { return n.CreatedAt.Format(time.RFC3339Nano) }},
		dir:  itam.Desc, id: func(n *notify.Notification) string { return n.ID.String() }, scan: scanNotification,
	}, page)
}

// CountNotifications counts the feed's notifications matching f.
func (s *NotificationStore) CountNotifications(ctx context.Context, f notify.Filter) (int, error) {
	p, err := notify.RequireRead(ctx)
	if err != nil {
		return 0, err
	}
	if err := f.Validate(); err != nil {
		return 0, err
	}
	where, args := notificationWhere(f)
	return count(ctx, s.db, p.OrgID, "notifications x", where, args)
}

// NotificationsByIDs returns the notifications among ids (node(id:)).
func (s *NotificationStore) NotificationsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*notify.Notification, error) {
	if _, err := notify.RequireRead(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, notificationColumns, "notifications x", ids, scanNotification, func(n *notify.Notification) uuid.UUID { return n.ID })
}

// MarkRead marks the given notifications (or every unread one) read for
// the whole organization, by the caller; already read ones keep their
// first readAt. An id that is not the organization's is NOT_FOUND and
// nothing is marked. It returns how many it marked.
func (s *NotificationStore) MarkRead(ctx context.Context, m notify.MarkRead) (int, error) {
	p, err := notify.RequireMarkRead(ctx)
	if err != nil {
		return 0, err
	}
	if err := m.Validate(); err != nil {
		return 0, err
	}
	var n int64
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if m.All {
			tag, err := tx.Exec(ctx, `UPDATE notifications SET read_at = now(), read_by = $1 WHERE read_at IS NULL`, p.Subject)
			n = tag.RowsAffected()
			return err
		}
		// One statement finds which exist; the first missing one is named.
		rows, _ := tx.Query(ctx, `SELECT id FROM notifications WHERE id = ANY($1::uuid[])`, m.IDs)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		if err != nil {
			return err
		}
		found := make(map[uuid.UUID]bool, len(ids))
		for _, id := range ids {
			found[id] = true
		}
		if err := costs.MissingReference("ids", "notification", m.IDs, found); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE notifications SET read_at = now(), read_by = $2 WHERE id = ANY($1::uuid[]) AND read_at IS NULL`, m.IDs, p.Subject)
		n = tag.RowsAffected()
		return err
	})
	return int(n), err
}

// errNoEnqueuer: a store built without a River client cannot deliver.
var errNoEnqueuer = errors.New("postgres: no job enqueuer configured")
