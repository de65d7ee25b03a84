package jobs

import (
	"github.com/google/uuid"
	"github.com/riverqueue/river"

	"github.com/itam-dev/itam/internal/notify"
)

// QueueWebhooks is the queue webhook deliveries run on, so receivers that
// are slow to answer (up to the 10 s timeout each) never delay scheduling
// or syncs.
const QueueWebhooks = "webhooks"

// ScanNotificationsArgs looks, in every organization, for what is due
// (warranties, contracts, license terms, overdue checkouts, failing syncs,
// stale devices, …) and records a notification for each new occurrence,
// queuing its webhook deliveries in the same transaction. It runs
// periodically on the elected leader only.
type ScanNotificationsArgs struct{}

// Kind is the stable job kind.
func (ScanNotificationsArgs) Kind() string { return "notify.scan" }

// InsertOpts keeps one pass at a time.
func (ScanNotificationsArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: activeStates}}
}

// DeliverWebhookArgs posts one notification (or, without NotificationID,
// a test ping) to one webhook subscription. The job is inserted in the
// transaction that records the notification, so a delivery is never lost
// to a crash or a receiver that is down; every attempt is recorded.
type DeliverWebhookArgs struct {
	OrgID          uuid.UUID  `json:"org_id"`
	SubscriptionID uuid.UUID  `json:"subscription_id"`
	NotificationID *uuid.UUID `json:"notification_id,omitempty"`
}

// Kind is the stable job kind.
func (DeliverWebhookArgs) Kind() string { return "notify.deliver" }

// MaxDeliveryAttempts is River's count for a delivery: notify.MaxAttempts,
// above what the 24-hour retry window allows (see notify.Backoff), so the
// worker, not River's count, ends a delivery. One constant, so the
// worker's give-up and River's never disagree.
const MaxDeliveryAttempts = notify.MaxAttempts

// InsertOpts: the worker's NextRetry and retry window decide retries.
func (DeliverWebhookArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWebhooks, MaxAttempts: MaxDeliveryAttempts}
}
