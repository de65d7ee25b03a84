package model

import "github.com/itam-dev/itam/internal/notify"

// Connections of notifications and outgoing webhooks
// (graph/schema/notifications.graphqls).
type (
	NotificationConnection        = Connection[*notify.Notification]
	NotificationEdge              = Edge[*notify.Notification]
	WebhookSubscriptionConnection = Connection[*notify.Subscription]
	WebhookSubscriptionEdge       = Edge[*notify.Subscription]
	WebhookDeliveryConnection     = Connection[*notify.Delivery]
	WebhookDeliveryEdge           = Edge[*notify.Delivery]
)
