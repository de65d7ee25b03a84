package connector

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Input creates a connector. Zero values mean "not given".
type Input struct {
	Kind    string
	Name    string
	BaseURL *string
	// AuthURL nil or blank means the vendor's default token endpoint.
	AuthURL     *string
	Credentials map[string]string
	Schedule    *Schedule
	Options     map[string]any
	// Enabled defaults to true.
	Enabled                *bool
	DefaultOwnerTeamID     *uuid.UUID
	AuthoritativeForPeople bool
	// StaleAfterDays defaults to 30.
	StaleAfterDays *int
	// WebhookSecret sets the secret webhooks must prove; GenerateWebhookSecret
	// makes a random one instead (returned once by the create call).
	WebhookSecret         *string
	GenerateWebhookSecret bool
	// PushFields are written back to the ITSM (ITSM kinds only); PushCreate
	// creates records there for assets it does not know.
	PushFields []string
	PushCreate bool
}

// Draft is a validated Input: the connector to insert and its secrets.
type Draft struct {
	Connector   *itam.Connector
	Credentials map[string]string
	// WebhookSecret is nil when the connector has none.
	WebhookSecret *string
	// Generated is the generated webhook secret, shown once; "" when none was asked.
	Generated string
}

// Validate checks every rule Input is subject to, without generating anything.
func (in Input) Validate() error {
	_, err := in.draft(false)
	return err
}

// Draft validates in and returns what to insert, generating the webhook
// secret when asked.
func (in Input) Draft() (*Draft, error) { return in.draft(true) }

func (in Input) draft(generate bool) (*Draft, error) {
	if err := ValidKind(in.Kind); err != nil {
		return nil, err
	}
	c := &itam.Connector{Kind: in.Kind, Enabled: true, StaleAfterDays: defaultStaleDays, AuthoritativeForPeople: in.AuthoritativeForPeople,
		DefaultOwnerTeamID: in.DefaultOwnerTeamID}
	var err error
	if c.Name, err = validName(&in.Name); err != nil {
		return nil, err
	}
	if c.BaseURL, err = endpointURL("baseUrl", in.BaseURL); err != nil {
		return nil, err
	}
	if c.BaseURL == nil && NeedsBaseURL(c.Kind) {
		return nil, itam.Invalid("baseUrl", "a %s connector needs the tenant's baseUrl", c.Kind)
	}
	if c.AuthURL, err = endpointURL("authUrl", in.AuthURL); err != nil {
		return nil, err
	}
	d := &Draft{Connector: c}
	if d.Credentials, err = ValidateCredentials(c.Kind, in.Credentials); err != nil {
		return nil, err
	}
	if c.ScheduleInterval, c.ScheduleCron, err = in.Schedule.Validate(); err != nil {
		return nil, err
	}
	if c.Options, err = validOptions(in.Options); err != nil {
		return nil, err
	}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if in.StaleAfterDays != nil {
		c.StaleAfterDays = *in.StaleAfterDays
	}
	if err := validStaleDays(c.StaleAfterDays); err != nil {
		return nil, err
	}
	if c.PushFields, err = validPush(c.Kind, in.PushFields, in.PushCreate); err != nil {
		return nil, err
	}
	c.PushCreate = in.PushCreate
	switch {
	case in.GenerateWebhookSecret && in.WebhookSecret != nil:
		return nil, itam.Invalid("webhookSecret", "give webhookSecret or generateWebhookSecret, not both")
	case in.GenerateWebhookSecret && generate:
		if d.Generated, err = generateWebhookSecret(); err != nil {
			return nil, err
		}
		d.WebhookSecret = &d.Generated
	case in.WebhookSecret != nil:
		secret, err := validWebhookSecret(*in.WebhookSecret)
		if err != nil {
			return nil, err
		}
		d.WebhookSecret = &secret
	}
	return d, nil
}

// validName trims a connector name: required, at most maxName bytes.
func validName(s *string) (string, error) {
	t := itam.Trimmed(s)
	if t == nil {
		return "", itam.Invalid("name", "name cannot be blank")
	}
	if len(*t) > maxName {
		return "", itam.Invalid("name", "name is at most %d characters", maxName)
	}
	return *t, nil
}

func validStaleDays(n int) error {
	if n < 1 || n > 3650 {
		return itam.Invalid("staleAfterDays", "staleAfterDays must be between 1 and 3650")
	}
	return nil
}

// endpointURL validates an optional vendor URL: blank means none.
func endpointURL(field string, s *string) (*string, error) {
	t := itam.Trimmed(s)
	if t == nil {
		return nil, nil
	}
	u, err := url.Parse(*t)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, itam.Invalid(field, "%s must be an http(s) URL", field)
	}
	if u.User != nil {
		return nil, itam.Invalid(field, "%s must not contain credentials; put them in credentials", field)
	}
	v := strings.TrimRight(*t, "/")
	return &v, nil
}

// validOptions checks connector options are a JSON object of sane size.
func validOptions(o map[string]any) (map[string]any, error) {
	if o == nil {
		return map[string]any{}, nil
	}
	b, err := json.Marshal(o)
	if err != nil {
		return nil, itam.Invalid("options", "options must be a JSON object")
	}
	if len(b) > maxOptionsJSONLength {
		return nil, itam.Invalid("options", "options are at most %d bytes of JSON", maxOptionsJSONLength)
	}
	// Round-trip through JSON so values have the types the worker will read
	// back from jsonb (numbers float64), whoever built the map.
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, itam.Invalid("options", "options must be a JSON object")
	}
	return out, nil
}

// validWebhookSecret checks a caller-chosen webhook secret.
func validWebhookSecret(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) < minWebhookSecretLen || len(s) > maxWebhookSecretLen {
		return "", itam.Invalid("webhookSecret", "webhookSecret must be %d to %d characters", minWebhookSecretLen, maxWebhookSecretLen)
	}
	return s, nil
}

// generateWebhookSecret returns a random URL-safe secret.
func generateWebhookSecret() (string, error) {
	b := make([]byte, webhookSecretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
