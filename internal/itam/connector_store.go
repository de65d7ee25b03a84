package itam

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/google/uuid"
)

// The connector kinds: each is the connectors.Kind of its vendor package
// (internal/connector's tests hold the lists equal). They are names here,
// not imports, so storage can check a source name without linking a vendor.
const (
	ConnectorJamfPro = "JAMF_PRO"
	ConnectorIntune  = "INTUNE"
	ConnectorKandji  = "KANDJI"
	ConnectorFleet   = "FLEET"
	// The ITSM kinds: service desks whose configuration items and users
	// are pulled like devices, and which itam writes back to.
	ConnectorServiceNow   = "SERVICENOW"
	ConnectorJSMAssets    = "JSM_ASSETS"
	ConnectorFreshservice = "FRESHSERVICE"
)

// ConnectorKinds are the kinds a connector can have.
var ConnectorKinds = []string{ConnectorJamfPro, ConnectorIntune, ConnectorKandji, ConnectorFleet,
	ConnectorServiceNow, ConnectorJSMAssets, ConnectorFreshservice}

// ITSMKinds are the service-desk kinds: they can take pushFields, open
// tickets and pull people.
var ITSMKinds = []string{ConnectorServiceNow, ConnectorJSMAssets, ConnectorFreshservice}

// StoredConnector is a connector as the store holds it, locked for an
// update (internal/connector's rules decide what changes).
type StoredConnector struct {
	Connector *Connector
	// Credentials opens the stored credentials; it is called only when an
	// update keeps them, so replacing credentials that no longer open works.
	Credentials func() (map[string]string, error)
}

// ConnectorChange is what a connector update writes.
type ConnectorChange struct {
	// Connector is the whole new row (its ID and Version are the stored ones).
	Connector *Connector
	// Credentials nil keeps the stored ones.
	Credentials map[string]string
	// WebhookSecret set replaces the stored secret; set to nil removes it.
	WebhookSecret Optional[string]
}

// ConnectorSecrets is a connector with its opened credentials: what the
// sync worker and the connection test need to reach its vendor. It is
// returned only to connector or system principals, and it formats and logs
// without the credentials.
type ConnectorSecrets struct {
	Connector   *Connector
	Credentials map[string]string
}

// String describes the connector without its credentials.
func (s ConnectorSecrets) String() string {
	names := make([]string, 0, len(s.Credentials))
	for k := range s.Credentials {
		names = append(names, k)
	}
	sort.Strings(names)
	var kind, base, auth string
	if s.Connector != nil {
		kind, base, auth = s.Connector.Kind, deref(s.Connector.BaseURL), deref(s.Connector.AuthURL)
	}
	return fmt.Sprintf("ConnectorSecrets{kind: %s, baseURL: %q, authURL: %q, credentials: [%s redacted]}", kind, base, auth, strings.Join(names, ", "))
}

// GoString is String, so %#v does not print credentials either.
func (s ConnectorSecrets) GoString() string { return s.String() }

// LogValue keeps credentials out of structured logs.
func (s ConnectorSecrets) LogValue() slog.Value {
	if s.Connector == nil {
		return slog.GroupValue()
	}
	return slog.GroupValue(slog.String("kind", s.Connector.Kind), slog.String("base_url", deref(s.Connector.BaseURL)))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ConflictFilter narrows a list of sync conflicts; nil fields do not filter.
type ConflictFilter struct {
	AssetID *uuid.UUID
	Field   *string
	Source  *string // either side
}
