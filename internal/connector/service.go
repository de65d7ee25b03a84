package connector

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Store saves connectors; internal/postgres implements it. It checks the
// caller's role and tenant again (row-level security) but no input rule:
// what it receives has passed Input.Draft or Patch.Apply.
type Store interface {
	// CanSeal fails when secrets cannot be sealed (no credential key).
	CanSeal() error
	// InsertConnector saves a new connector with its secrets (webhookSecret
	// nil: none).
	InsertConnector(ctx context.Context, c *itam.Connector, creds map[string]string, webhookSecret *string) (*itam.Connector, error)
	// UpdateConnector locks connector id at version and saves what change
	// returns (nil: nothing), in one transaction.
	UpdateConnector(ctx context.Context, id uuid.UUID, version int, change func(itam.StoredConnector) (*itam.ConnectorChange, error)) (*itam.Connector, error)
}

// CheckConfig asks the connector's vendor package whether it accepts the
// configuration, so bad input is refused at save time rather than at the
// first sync. It is given to Service rather than called from here because
// reaching the vendor packages would make everything that imports this
// package (storage above all) link them; internal/connectorcheck.Config is
// the production one. Errors are *itam.Error INVALID.
type CheckConfig func(c *itam.Connector, creds map[string]string) error

// Service creates and updates connectors: it applies the rules of this
// package, asks the vendor check, computes the next scheduled sync and has
// the store save the result.
type Service struct {
	store Store
	check CheckConfig
	now   func() time.Time
}

// NewService returns a Service over store; check may be nil (no vendor check).
func NewService(store Store, check CheckConfig) *Service {
	return &Service{store: store, check: check, now: time.Now}
}

// Create adds a connector (ADMIN only). It returns the connector and, when
// in.GenerateWebhookSecret was set, the generated webhook secret: the only
// time it is ever shown.
func (s *Service) Create(ctx context.Context, in Input) (*itam.Connector, string, error) {
	if _, err := itam.RequireAdmin(ctx); err != nil {
		return nil, "", err
	}
	if err := s.store.CanSeal(); err != nil {
		return nil, "", err
	}
	d, err := in.Draft()
	if err != nil {
		return nil, "", err
	}
	if err := s.checkConfig(d.Connector, d.Credentials); err != nil {
		return nil, "", err
	}
	if d.Connector.NextSyncAt, err = NextSyncAt(d.Connector.ScheduleInterval, d.Connector.ScheduleCron, s.now()); err != nil {
		return nil, "", err
	}
	c, err := s.store.InsertConnector(ctx, d.Connector, d.Credentials, d.WebhookSecret)
	if err != nil {
		return nil, "", err
	}
	return c, d.Generated, nil
}

// Update changes a connector (ADMIN only); the caller's version must be
// current (see Patch.Apply for the rules). It returns the generated webhook
// secret when in.GenerateWebhookSecret was set.
func (s *Service) Update(ctx context.Context, in Patch) (*itam.Connector, string, error) {
	if _, err := itam.RequireAdmin(ctx); err != nil {
		return nil, "", err
	}
	var generated string
	c, err := s.store.UpdateConnector(ctx, in.ID, in.Version, func(cur Stored) (*itam.ConnectorChange, error) {
		ch, err := in.Apply(cur)
		if err != nil || ch == nil {
			return nil, err
		}
		if err := s.checkConfig(ch.Connector, ch.creds); err != nil {
			return nil, err
		}
		// A schedule changed or a connector enabled starts counting now.
		if !sameSchedule(cur.Connector, ch.Connector) || (ch.Connector.Enabled && !cur.Connector.Enabled) {
			if ch.Connector.NextSyncAt, err = NextSyncAt(ch.Connector.ScheduleInterval, ch.Connector.ScheduleCron, s.now()); err != nil {
				return nil, err
			}
		}
		generated = ch.Generated
		return &ch.ConnectorChange, nil
	})
	if err != nil {
		return nil, "", err
	}
	return c, generated, nil
}

func (s *Service) checkConfig(c *itam.Connector, creds map[string]string) error {
	if s.check == nil {
		return nil
	}
	return s.check(c, creds)
}

// Source is a connector with its opened credentials (see itam.ConnectorSecrets).
type Source = itam.ConnectorSecrets
