package connector

import (
	"reflect"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Patch changes a connector. Credentials nil keeps the stored ones; given,
// they replace them whole.
type Patch struct {
	ID                     uuid.UUID
	Version                int
	Name                   itam.Optional[string]
	BaseURL                itam.Optional[string]
	AuthURL                itam.Optional[string]
	Credentials            map[string]string
	Schedule               itam.Optional[Schedule]
	Options                itam.Optional[map[string]any]
	Enabled                itam.Optional[bool]
	DefaultOwnerTeamID     itam.Optional[uuid.UUID]
	AuthoritativeForPeople itam.Optional[bool]
	StaleAfterDays         itam.Optional[int]
	// WebhookSecret set to nil removes the secret (webhooks are then refused).
	WebhookSecret         itam.Optional[string]
	GenerateWebhookSecret bool
	// PushFields set to nil writes nothing back; PushCreate null is refused.
	PushFields itam.Optional[[]string]
	PushCreate itam.Optional[bool]
}

// Stored is a connector as the store holds it, locked for an update.
type Stored = itam.StoredConnector

// Change is what an update writes, and what the caller learns of it.
type Change struct {
	itam.ConnectorChange
	// Generated is the generated webhook secret, shown once; "" when none.
	Generated string
	// creds are the credentials the connector ends with, for the vendor check.
	creds map[string]string
}

// Apply validates in against the stored connector cur. It returns nil when
// nothing would change. Credentials must be given again when baseUrl or
// authUrl change, so stored credentials are never sent to a host they were
// not entered for.
func (in Patch) Apply(cur Stored) (*Change, error) {
	c := *cur.Connector
	var err error
	if in.Name.Set {
		if c.Name, err = validName(in.Name.Value); err != nil {
			return nil, err
		}
	}
	if in.BaseURL.Set {
		if c.BaseURL, err = endpointURL("baseUrl", in.BaseURL.Value); err != nil {
			return nil, err
		}
		if c.BaseURL == nil && NeedsBaseURL(c.Kind) {
			return nil, itam.Invalid("baseUrl", "a %s connector needs the tenant's baseUrl", c.Kind)
		}
	}
	if in.AuthURL.Set {
		if c.AuthURL, err = endpointURL("authUrl", in.AuthURL.Value); err != nil {
			return nil, err
		}
	}
	if in.Schedule.Set {
		if c.ScheduleInterval, c.ScheduleCron, err = in.Schedule.Value.Validate(); err != nil {
			return nil, err
		}
	}
	if in.Options.Set {
		var o map[string]any
		if in.Options.Value != nil {
			o = *in.Options.Value
		}
		if c.Options, err = validOptions(o); err != nil {
			return nil, err
		}
	}
	if in.Enabled.Set {
		if in.Enabled.Value == nil {
			return nil, itam.Invalid("enabled", "enabled cannot be null")
		}
		c.Enabled = *in.Enabled.Value
	}
	if in.DefaultOwnerTeamID.Set {
		c.DefaultOwnerTeamID = in.DefaultOwnerTeamID.Value
	}
	if in.AuthoritativeForPeople.Set {
		if in.AuthoritativeForPeople.Value == nil {
			return nil, itam.Invalid("authoritativeForPeople", "authoritativeForPeople cannot be null")
		}
		c.AuthoritativeForPeople = *in.AuthoritativeForPeople.Value
	}
	if in.StaleAfterDays.Set {
		if in.StaleAfterDays.Value == nil {
			return nil, itam.Invalid("staleAfterDays", "staleAfterDays cannot be null")
		}
		c.StaleAfterDays = *in.StaleAfterDays.Value
		if err := validStaleDays(c.StaleAfterDays); err != nil {
			return nil, err
		}
	}
	if err := in.applyPush(&c); err != nil {
		return nil, err
	}

	ch := &Change{ConnectorChange: itam.ConnectorChange{Connector: &c}}
	if in.Credentials != nil {
		if ch.Credentials, err = ValidateCredentials(c.Kind, in.Credentials); err != nil {
			return nil, err
		}
		ch.creds = ch.Credentials
	} else {
		if !sameText(c.BaseURL, cur.Connector.BaseURL) || !sameText(c.AuthURL, cur.Connector.AuthURL) {
			return nil, itam.Invalid("credentials", "changing baseUrl or authUrl requires entering the credentials again")
		}
		if ch.creds, err = cur.Credentials(); err != nil {
			return nil, err
		}
	}

	switch {
	case in.GenerateWebhookSecret && in.WebhookSecret.Set:
		return nil, itam.Invalid("webhookSecret", "give webhookSecret or generateWebhookSecret, not both")
	case in.GenerateWebhookSecret:
		if ch.Generated, err = generateWebhookSecret(); err != nil {
			return nil, err
		}
		ch.WebhookSecret = itam.Some(ch.Generated)
	case in.WebhookSecret.Set && in.WebhookSecret.Value == nil:
		if cur.Connector.HasWebhookSecret {
			ch.WebhookSecret = itam.Optional[string]{Set: true}
		}
	case in.WebhookSecret.Set:
		secret, err := validWebhookSecret(*in.WebhookSecret.Value)
		if err != nil {
			return nil, err
		}
		ch.WebhookSecret = itam.Some(secret)
	}

	if reflect.DeepEqual(*cur.Connector, c) && in.Credentials == nil && !ch.WebhookSecret.Set {
		return nil, nil
	}
	return ch, nil
}
