package loaders

import (
	"github.com/google/uuid"
	"github.com/vikstrous/dataloadgen"

	"github.com/itam-dev/itam/internal/notify"
	"github.com/itam-dev/itam/internal/postgres"
)

// NotificationLoaders batch notifications, webhook subscriptions and
// delivery attempts by id (node(id:), WebhookDelivery.subscription and
// .notification over a page of attempts): one statement per type.
type NotificationLoaders struct {
	Notification *dataloadgen.Loader[uuid.UUID, *notify.Notification]
	Subscription *dataloadgen.Loader[uuid.UUID, *notify.Subscription]
	Delivery     *dataloadgen.Loader[uuid.UUID, *notify.Delivery]
}

// Notifications returns the request's notification loaders over n and w.
func (l *Loaders) Notifications(n *postgres.NotificationStore, w *postgres.WebhookStore) *NotificationLoaders {
	return l.ntf.get(func() *NotificationLoaders {
		return &NotificationLoaders{Notification: mapped(n.NotificationsByIDs), Subscription: mapped(w.SubscriptionsByIDs), Delivery: mapped(w.DeliveriesByIDs)}
	})
}
