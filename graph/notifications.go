package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/graph/loaders"
	"github.com/itam-dev/itam/graph/model"
	"github.com/itam-dev/itam/internal/notify"
	"github.com/itam-dev/itam/internal/relay"
)

// Adapters for notifications and outgoing webhooks (helpers of
// graph/notifications.resolvers.go). The rules are internal/notify's,
// applied by postgres.NotificationStore and postgres.WebhookStore.

func (r *Resolver) notifyLoaders(ctx context.Context) *loaders.NotificationLoaders {
	return loaders.For(ctx).Notifications(r.Notifications, r.Webhooks)
}

// notifyNode loads a notification, subscription or delivery attempt for
// node(id:): nil when missing, FORBIDDEN for roles that may not read it
// (node(id:) shows both as null).
func (r *Resolver) notifyNode(ctx context.Context, typ string, id uuid.UUID) func() (any, error) {
	l := r.notifyLoaders(ctx)
	switch typ {
	case relay.TypeNotification:
		return thunk(ctx, l.Notification.LoadThunk(ctx, id))
	case relay.TypeWebhookSubscription:
		return thunk(ctx, l.Subscription.LoadThunk(ctx, id))
	}
	return thunk(ctx, l.Delivery.LoadThunk(ctx, id))
}

// notificationFilter reads the notifications query's filter.
func notificationFilter(in *model.NotificationFilter) (notify.Filter, error) {
	if in == nil {
		return notify.Filter{}, nil
	}
	if err := checkInput("filter", in); err != nil {
		return notify.Filter{}, err
	}
	return notify.Filter{Kinds: in.Kinds.Value(), Unread: val(in.Unread)}, nil
}

// deliveryFilter reads the webhookDeliveries query's filter.
func deliveryFilter(in *model.WebhookDeliveryFilter) (notify.DeliveryFilter, error) {
	if in == nil {
		return notify.DeliveryFilter{}, nil
	}
	if err := checkInput("filter", in); err != nil {
		return notify.DeliveryFilter{}, err
	}
	sub, err := idOf("filter.subscriptionId", in.SubscriptionID, relay.TypeWebhookSubscription)
	if err != nil {
		return notify.DeliveryFilter{}, err
	}
	return notify.DeliveryFilter{SubscriptionID: sub, Failed: val(in.Failed)}, nil
}

// subscriptionInput reads createWebhookSubscription's input.
func subscriptionInput(in model.CreateWebhookSubscriptionInput) notify.SubscriptionInput {
	events := in.Events
	if events == nil {
		events = []notify.Kind{}
	}
	return notify.SubscriptionInput{URL: &in.URL, Events: events, Secret: &in.Secret, Format: val(in.Format), Active: val(in.Active)}
}

// subscriptionPatch reads updateWebhookSubscription's input: absent or
// null keeps the stored value.
func subscriptionPatch(in model.UpdateWebhookSubscriptionInput) (uuid.UUID, notify.SubscriptionInput, error) {
	id, err := relay.DecodeAs("id", in.ID, relay.TypeWebhookSubscription)
	if err != nil {
		return id, notify.SubscriptionInput{}, err
	}
	p := notify.SubscriptionInput{URL: val(in.URL), Secret: val(in.Secret), Format: val(in.Format), Active: val(in.Active)}
	if v, ok := in.Events.ValueOK(); ok && v != nil {
		p.Events = v
	}
	return id, p, nil
}

func subscriptionPayload(s *notify.Subscription, err error) (*model.WebhookSubscriptionPayload, error) {
	if err != nil {
		return nil, err
	}
	return &model.WebhookSubscriptionPayload{WebhookSubscription: s}, nil
}

// setNotificationComplexity prices the feed, the webhook lists and their
// filters.
func setNotificationComplexity(c *generated.ComplexityRoot) {
	c.Query.Notifications = func(child int, first *int, _ *string, last *int, _ *string, f *model.NotificationFilter) int {
		n := 0
		if f != nil {
			n = setCount(f.Kinds.Value() != nil, f.Unread.Value() != nil)
		}
		return pageCost(child, first, last) + FilterLeafCost*n
	}
	c.Query.WebhookSubscriptions = connectionCost
	c.Query.WebhookDeliveries = func(child int, first *int, _ *string, last *int, _ *string, f *model.WebhookDeliveryFilter) int {
		n := 0
		if f != nil {
			n = setCount(f.SubscriptionID.Value() != nil, f.Failed.Value() != nil)
		}
		return pageCost(child, first, last) + FilterLeafCost*n
	}
}
