// Package connectors is the contract between the sync engine and the
// platforms it pulls from (MDM, later ITSM). A connector speaks only its
// vendor's API and returns canonical records; matching them to the
// inventory, provenance and history are the sync engine's job, so a new
// vendor is one package under connectors/ and nothing else.
package connectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/itam-dev/itam/internal/reconcile"
)

// Kind names a vendor platform.
type Kind string

// The MDM kinds.
const (
	JamfPro Kind = "JAMF_PRO"
	Intune  Kind = "INTUNE"
	Kandji  Kind = "KANDJI"
	Fleet   Kind = "FLEET"
)

// The ITSM kinds (see itsm.go for what they add to Source).
const (
	ServiceNow   Kind = "SERVICENOW"
	JSMAssets    Kind = "JSM_ASSETS"
	Freshservice Kind = "FRESHSERVICE"
)

// Mode says whether a sync reads everything or only what changed.
type Mode string

const (
	Full        Mode = "FULL"
	Incremental Mode = "INCREMENTAL"
)

// Config is what a connector needs to reach its vendor. BaseURL and AuthURL
// default to the vendor's public endpoints when empty (tests point them at
// local servers). Credentials are decrypted by the caller and never logged.
type Config struct {
	BaseURL     string
	AuthURL     string
	Credentials map[string]string
	// Options are vendor-specific settings (e.g. "pageSize").
	Options map[string]any
	// Egress is the outbound network policy; its zero value refuses
	// non-public addresses (see Egress).
	Egress Egress
	Logger *slog.Logger
	// MaxConcurrency bounds requests in flight to the vendor (0: vendor default).
	MaxConcurrency int
	// MaxInlineWait is the longest Retry-After a request waits out itself;
	// a longer one fails with a *RateLimitError so the job can snooze
	// instead of holding a worker (0: 30s).
	MaxInlineWait time.Duration
	// RetryBaseWait is the first backoff step of a request's own retries
	// (vendorhttp.Options.BaseWait; 0: its default). Tests set a tiny one
	// so a retried 5xx or 429 costs no real seconds.
	RetryBaseWait time.Duration
}

// Credential returns a required credential or a clear error naming it.
func (c Config) Credential(name string) (string, error) {
	v := c.Credentials[name]
	if v == "" {
		return "", &ConfigError{Field: "credentials." + name, Message: name + " is required"}
	}
	return v, nil
}

// Device is the canonical record of one managed device, defined where
// reconciliation uses it (internal/reconcile) so storage never imports the
// vendor layer.
type Device = reconcile.Device

// Software is one installed application on a device.
type Software = reconcile.Software

// Person is the canonical record of one person a directory (an ITSM's
// users) reports, defined in internal/reconcile like Device.
type Person = reconcile.Person

// PageRequest asks for one page. Cursor is empty for the first page and
// otherwise exactly the NextCursor of the previous page, which the sync
// engine stores with each committed page so a crashed run resumes there.
// Since bounds an incremental sync.
type PageRequest struct {
	Mode   Mode
	Cursor string
	Since  *time.Time
}

// Page is one page of devices. Done is true on the last page.
type Page struct {
	Devices    []Device
	NextCursor string
	Done       bool
}

// Source is one configured connection to a vendor.
type Source interface {
	Kind() Kind
	// FetchPage returns one page of devices, authenticating as needed.
	FetchPage(ctx context.Context, req PageRequest) (Page, error)
	// FetchDevice returns one device by the vendor's id, for targeted syncs
	// (webhooks); nil when the vendor no longer knows it.
	FetchDevice(ctx context.Context, externalID string) (*Device, error)
}

// Factory builds a Source from its configuration.
type Factory func(Config) (Source, error)

var (
	mu        sync.RWMutex
	factories = map[Kind]Factory{}
)

// Register makes a vendor available by kind; vendor packages call it from init.
func Register(k Kind, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[k]; dup {
		panic("connectors: " + string(k) + " registered twice")
	}
	factories[k] = f
}

// New builds the Source of kind k.
func New(k Kind, cfg Config) (Source, error) {
	mu.RLock()
	f, ok := factories[k]
	mu.RUnlock()
	if !ok {
		return nil, &ConfigError{Field: "kind", Message: fmt.Sprintf("unknown connector kind %q", k)}
	}
	return f(cfg)
}

// Kinds lists the registered kinds.
func Kinds() []Kind {
	mu.RLock()
	defer mu.RUnlock()
	out := make([]Kind, 0, len(factories))
	for k := range factories {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ErrUnauthorized means the vendor refused the credentials, even after one
// token refresh. Retrying will not help; the run fails with this message.
var ErrUnauthorized = errors.New("the vendor refused the credentials")

// ConfigError is a connector configuration problem (missing credential, bad URL).
type ConfigError struct {
	Field   string
	Message string
}

func (e *ConfigError) Error() string { return e.Message }

// RateLimitError means the vendor asked us to wait longer than a request
// should block; the sync job snoozes until RetryAfter has passed.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("vendor rate limit: retry after %s", e.RetryAfter.Round(time.Second))
}

// MalformedError means a vendor response could not be understood (invalid
// or truncated JSON, missing required fields). The page fails; nothing of it
// is applied.
type MalformedError struct {
	URL string
	Err error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("malformed response from %s: %v", e.URL, e.Err)
}

func (e *MalformedError) Unwrap() error { return e.Err }

// StatusError is an unexpected HTTP status after retries. Message is the
// vendor's own explanation from the error body (trimmed and bounded, ""
// when it gave none): a push refused with 400 or 422 shows it.
type StatusError struct {
	Status  int
	URL     string
	Message string
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s answered HTTP %d", e.URL, e.Status)
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// OffsetPaging is implemented by a Source whose vendor pages only by
// offset or page number (no key paging): a record added or removed mid-run
// shifts the pages, so one full sync can skip a device that exists. The
// sync marks such a source's devices missing only when two consecutive
// full syncs did not see them.
type OffsetPaging interface {
	OffsetPaging() bool
}
