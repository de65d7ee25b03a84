package postgres

import (
	"context"
	"net/netip"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/notify"
	"github.com/itam-dev/itam/internal/secretbox"
)

// WebhookStore loads and saves outgoing webhook subscriptions and their
// delivery attempts (webhooks_deliveries.go). Everything here is ADMIN
// only (notify.RequireAdmin) but what the delivery worker calls as its
// system principal. Secrets are sealed with box before they reach the
// database and opened only for the worker to sign; no method returns one
// to a caller.
type WebhookStore struct {
	db    *DB
	box   *secretbox.Box
	enq   DeliveryEnqueuer
	allow []netip.Prefix
}

// NewWebhookStore returns a WebhookStore. box seals secrets (nil: creating
// or changing a secret is refused, as connectors are without
// ITAM_SECRET_KEY); enq queues test pings; allow is the egress policy's
// private ranges (ITAM_CONNECTOR_ALLOW_PRIVATE) URLs are checked against.
func NewWebhookStore(db *DB, box *secretbox.Box, enq DeliveryEnqueuer, allow []netip.Prefix) *WebhookStore {
	return &WebhookStore{db: db, box: box, enq: enq, allow: allow}
}

const subscriptionColumns = `x.id, x.url, x.events, x.format, x.active, x.version, x.created_by, x.created_at, x.updated_at`

func scanSubscription(r pgx.CollectableRow) (*notify.Subscription, error) {
	var x notify.Subscription
	var events []string
	var format string
	err := r.Scan(&x.ID, &x.URL, &events, &format, &x.Active, &x.Version, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	x.Format, x.HasSecret = notify.Format(format), true
	for _, e := range events {
		x.Events = append(x.Events, notify.Kind(e))
	}
	return &x, err
}

// texts turns a slice of a string enum (statuses, kinds, methods) into
// the []string a text[] parameter takes.
func texts[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// seal seals a secret, or refuses when no key is configured.
func (s *WebhookStore) seal(secret string) ([]byte, error) {
	if s.box == nil {
		return nil, itam.Invalid("secret", "webhook secrets cannot be stored: the server has no ITAM_SECRET_KEY")
	}
	return s.box.Seal([]byte(secret))
}

// CreateSubscription validates and saves a subscription (ADMIN only).
func (s *WebhookStore) CreateSubscription(ctx context.Context, in notify.SubscriptionInput) (*notify.Subscription, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	v, err := in.ValidateCreate(s.allow)
	if err != nil {
		return nil, err
	}
	sealed, err := s.seal(*v.Secret)
	if err != nil {
		return nil, err
	}
	var out *notify.Subscription
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO webhook_subscriptions AS x (org_id, url, events, format, secret, active, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+subscriptionColumns,
			p.OrgID, *v.URL, texts(v.Events), string(*v.Format), sealed, *v.Active, p.Subject)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, scanSubscription)
		return err
	})
	return out, err
}

// UpdateSubscription changes the fields in sets (ADMIN only); version,
// when given, must be the stored one (CONFLICT otherwise).
func (s *WebhookStore) UpdateSubscription(ctx context.Context, id uuid.UUID, version *int, in notify.SubscriptionInput) (*notify.Subscription, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	v, err := in.ValidatePatch(s.allow)
	if err != nil {
		return nil, err
	}
	var sealed []byte
	if v.Secret != nil {
		if sealed, err = s.seal(*v.Secret); err != nil {
			return nil, err
		}
	}
	var events []string
	if v.Events != nil {
		events = texts(v.Events)
	}
	var format *string
	if v.Format != nil {
		f := string(*v.Format)
		format = &f
	}
	var out *notify.Subscription
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var cur int
		if err := tx.QueryRow(ctx, `SELECT version FROM webhook_subscriptions WHERE id = $1 FOR UPDATE`, id).Scan(&cur); err != nil {
			if err == pgx.ErrNoRows {
				return notFoundIn("id", "webhook subscription")
			}
			return err
		}
		if version != nil && *version != cur {
			return itam.Conflict("version", "the subscription changed since version %d (now %d): reload and retry", *version, cur)
		}
		rows, err := tx.Query(ctx, `UPDATE webhook_subscriptions AS x SET url = coalesce($2, url), events = coalesce($3, events),
			format = coalesce($4, format), secret = coalesce($5, secret), active = coalesce($6, active),
			version = version + 1, updated_at = now() WHERE id = $1 RETURNING `+subscriptionColumns,
			id, v.URL, events, format, sealed, v.Active)
		if err != nil {
			return err
		}
		out, err = pgx.CollectExactlyOneRow(rows, scanSubscription)
		return err
	})
	return out, err
}

// DeleteSubscription deletes a subscription with its delivery records
// (ADMIN only); its queued deliveries find it gone and stop.
func (s *WebhookStore) DeleteSubscription(ctx context.Context, id uuid.UUID, version *int) (*notify.Subscription, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out *notify.Subscription
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions x WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, scanSubscription)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return notFoundIn("id", "webhook subscription")
		}
		if version != nil && *version != got[0].Version {
			return itam.Conflict("version", "the subscription changed since version %d (now %d): reload and retry", *version, got[0].Version)
		}
		out = got[0]
		_, err = tx.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = $1`, id)
		return err
	})
	return out, err
}

// SubscriptionFilter selects subscriptions (none yet: every one).
type SubscriptionFilter struct{}

// ListSubscriptions returns one page of subscriptions, oldest first.
func (s *WebhookStore) ListSubscriptions(ctx context.Context, _ SubscriptionFilter, page itam.PageArgs) (itam.Page[*notify.Subscription], error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return itam.Page[*notify.Subscription]{}, err
	}
	return list(ctx, s.db, p.OrgID, listSpec[*notify.Subscription]{
		columns: subscriptionColumns, from: "webhook_subscriptions x", idExpr: "x.id", args: &sqlArgs{},
		sort: sortKey[*notify.Subscription]{"x.created_at", "timestamptz", func(n *notify.Subscription) string { return n.CreatedAt.Format(time.RFC3339Nano) }},
		dir:  itam.Asc, id: func(n *notify.Subscription) string { return n.ID.String() }, scan: scanSubscription,
	}, page)
}

// CountSubscriptions counts the organization's subscriptions.
func (s *WebhookStore) CountSubscriptions(ctx context.Context, _ SubscriptionFilter) (int, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "webhook_subscriptions x", nil, &sqlArgs{})
}

// SubscriptionsByIDs returns the subscriptions among ids (node(id:)).
func (s *WebhookStore) SubscriptionsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*notify.Subscription, error) {
	if _, err := notify.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, subscriptionColumns, "webhook_subscriptions x", ids, scanSubscription, func(x *notify.Subscription) uuid.UUID { return x.ID })
}

// TestSubscription queues a PING delivery to the subscription (ADMIN
// only), recorded like any other; it works on inactive ones too, so a
// hook can be checked before it is switched on.
func (s *WebhookStore) TestSubscription(ctx context.Context, id uuid.UUID) (*notify.Subscription, error) {
	p, err := notify.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if s.enq == nil {
		return nil, errNoEnqueuer
	}
	var out *notify.Subscription
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions x WHERE id = $1`, id)
		if err != nil {
			return err
		}
		got, err := pgx.CollectRows(rows, scanSubscription)
		if err != nil {
			return err
		}
		if len(got) == 0 {
			return notFoundIn("id", "webhook subscription")
		}
		out = got[0]
		_, err = s.enq.EnqueueDeliveriesTx(ctx, tx, []jobs.DeliverWebhookArgs{{OrgID: p.OrgID, SubscriptionID: id}})
		return err
	})
	return out, err
}
