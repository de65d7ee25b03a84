package connectorcheck

import (
	"errors"
	"slices"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/redact"
)

// VendorConfig is the vendor configuration of a connector with its opened
// credentials: BaseURL, AuthURL (empty: vendor default), Credentials and
// Options filled in; the caller adds HTTPClient, Logger and limits.
func VendorConfig(src *itam.ConnectorSecrets) (connectors.Kind, connectors.Config) {
	c := src.Connector
	cfg := connectors.Config{Credentials: src.Credentials, Options: c.Options}
	if c.BaseURL != nil {
		cfg.BaseURL = *c.BaseURL
	}
	if c.AuthURL != nil {
		cfg.AuthURL = *c.AuthURL
	}
	return connectors.Kind(c.Kind), cfg
}

// Config is connector.CheckConfig over the vendor registry: it builds the
// vendor source once with the full configuration, when the vendor is
// compiled in, so its own checks (URL shape, options) refuse bad input at
// save time rather than at the first sync. Nothing is fetched. Errors are
// INVALID and never quote a credential.
func Config(c *itam.Connector, creds map[string]string) error {
	kind, cfg := VendorConfig(&itam.ConnectorSecrets{Connector: c, Credentials: creds})
	if !slices.Contains(connectors.Kinds(), kind) {
		return nil
	}
	_, err := connectors.New(kind, cfg)
	var ce *connectors.ConfigError
	if errors.As(err, &ce) {
		return itam.Invalid(configField(ce.Field), "%s", redact.Secrets(ce.Message, creds))
	}
	if err != nil {
		return itam.Invalid("", "%s", redact.Secrets(err.Error(), creds))
	}
	return nil
}

func configField(f string) string {
	switch f {
	case "baseURL", "BaseURL", "base_url":
		return "baseUrl"
	case "authURL", "AuthURL", "auth_url":
		return "authUrl"
	}
	return f
}
