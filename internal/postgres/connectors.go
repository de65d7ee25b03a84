package postgres

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/robfig/cron/v3"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/redact"
	"github.com/itam-dev/itam/internal/secretbox"
)

// Connector configuration and sync runs.
//
// Connectors are ADMIN only; sync runs are readable by ADMIN, MANAGER and
// AUDITOR. Credentials and webhook secrets are sealed with a secretbox before
// they reach the database and are opened only for principals acting as a
// connector or the system (the sync worker, the connection test, the webhook
// handler), never for a USER: no method a user can call returns them, and
// none of their errors quote them.

// Enqueuer inserts a sync job inside the caller's transaction, so the run
// row and its job commit or roll back together. The River client implements
// it (RiverEnqueuer). When a sync of the same connector is already queued or
// running it returns ErrSyncAlreadyActive.
type Enqueuer interface {
	EnqueueSyncTx(ctx context.Context, tx pgx.Tx, args jobs.SyncArgs) (jobID int64, err error)
}

// JobCanceller is implemented by Enqueuers that can also cancel a queued or
// running job in the caller's transaction; CancelSyncRun uses it when
// available so a cancelled run frees its connector at once.
type JobCanceller interface {
	CancelJobTx(ctx context.Context, tx pgx.Tx, jobID int64) error
}

// ErrSyncAlreadyActive is what an Enqueuer returns when the connector
// already has a sync queued or running (River skipped the unique job).
var ErrSyncAlreadyActive = errors.New("a sync of this connector is already queued or running")

// RiverEnqueuer adapts a River client (insert-only or working) to Enqueuer.
type RiverEnqueuer struct{ Client *river.Client[pgx.Tx] }

var (
	_ Enqueuer     = RiverEnqueuer{}
	_ JobCanceller = RiverEnqueuer{}
)

// EnqueueSyncTx inserts args in tx; a duplicate is ErrSyncAlreadyActive.
func (e RiverEnqueuer) EnqueueSyncTx(ctx context.Context, tx pgx.Tx, args jobs.SyncArgs) (int64, error) {
	res, err := e.Client.InsertTx(ctx, tx, args, nil)
	if err != nil {
		return 0, err
	}
	if res.UniqueSkippedAsDuplicate {
		return res.Job.ID, ErrSyncAlreadyActive
	}
	return res.Job.ID, nil
}

// CancelJobTx cancels job id in tx; a job already gone is not an error.
func (e RiverEnqueuer) CancelJobTx(ctx context.Context, tx pgx.Tx, id int64) error {
	_, err := e.Client.JobCancelTx(ctx, tx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil
	}
	return err
}

// ConnectorStore manages connectors and their sync runs.
type ConnectorStore struct {
	db  *DB
	box *secretbox.Box
	enq Enqueuer
	now func() time.Time
}

// NewConnectorStore returns a store sealing secrets with box and enqueuing
// syncs through enq. Either may be nil: methods that need them then fail
// with an internal error (reads keep working).
func NewConnectorStore(db *DB, box *secretbox.Box, enq Enqueuer) *ConnectorStore {
	return &ConnectorStore{db: db, box: box, enq: enq, now: time.Now}
}

func init() {
	constraintFields["connectors_org_name"] = constraintField{"name", "a connector with this name exists"}
	constraintFields["connectors_name_check"] = constraintField{"name", "name cannot be blank"}
	constraintFields["connectors_stale_after_days_check"] = constraintField{"staleAfterDays", "staleAfterDays must be between 1 and 3650"}
	constraintFields["connectors_schedule_interval_check"] = constraintField{"schedule.intervalMinutes", "the interval is at least one minute"}
	constraintFields["connectors_one_schedule"] = constraintField{"schedule", "give intervalMinutes or cron, not both"}
}

// Limits on connector input.
const (
	maxConnectorName     = 200
	maxCredentialLen     = 16 << 10
	maxScheduleMinutes   = 366 * 24 * 60
	defaultStaleDays     = 30
	maxRunMessage        = 4000
	maxTargetExternalID  = 512
	maxTrigger           = 32
	webhookSecretBytes   = 32
	minWebhookSecretLen  = 16
	maxWebhookSecretLen  = 512
	maxOptionsJSONLength = 64 << 10
)

// ConnectorKinds are the kinds a connector can have.
var ConnectorKinds = []string{string(connectors.JamfPro), string(connectors.Intune), string(connectors.Kandji), string(connectors.Fleet)}

// credentialSets lists, per kind, the sets of credentials that each suffice;
// names outside every set are refused so a typo does not pass silently.
var credentialSets = map[string][][]string{
	string(connectors.JamfPro): {{"clientId", "clientSecret"}, {"username", "password"}},
	string(connectors.Intune):  {{"tenantId", "clientId", "clientSecret"}},
	string(connectors.Kandji):  {{"apiToken"}},
	string(connectors.Fleet):   {{"apiToken"}},
}

// kindsNeedingBaseURL have no public default endpoint: every tenant has its own.
var kindsNeedingBaseURL = []string{string(connectors.JamfPro), string(connectors.Kandji), string(connectors.Fleet)}

// ConnectorSchedule is when a connector syncs by itself: every
// IntervalMinutes, or on a cron expression (five fields, UTC, or a
// descriptor such as @hourly). Neither means manual syncs only.
type ConnectorSchedule struct {
	IntervalMinutes *int
	Cron            *string
}

// ConnectorInput creates a connector. Zero values mean "not given".
type ConnectorInput struct {
	Kind    string
	Name    string
	BaseURL *string
	// AuthURL nil or blank means the vendor's default token endpoint.
	AuthURL     *string
	Credentials map[string]string
	Schedule    *ConnectorSchedule
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
}

// ConnectorPatch changes a connector. Credentials nil keeps the stored ones;
// given, they replace them whole.
type ConnectorPatch struct {
	ID                     uuid.UUID
	Version                int
	Name                   itam.Optional[string]
	BaseURL                itam.Optional[string]
	AuthURL                itam.Optional[string]
	Credentials            map[string]string
	Schedule               itam.Optional[ConnectorSchedule]
	Options                itam.Optional[map[string]any]
	Enabled                itam.Optional[bool]
	DefaultOwnerTeamID     itam.Optional[uuid.UUID]
	AuthoritativeForPeople itam.Optional[bool]
	StaleAfterDays         itam.Optional[int]
	// WebhookSecret set to nil removes the secret (webhooks are then refused).
	WebhookSecret         itam.Optional[string]
	GenerateWebhookSecret bool
}

// SourceConfig is what the sync worker needs to reach a connector's vendor.
// It holds opened credentials: it is returned only to connector or system
// principals, and it formats and logs without them.
type SourceConfig struct {
	Connector *itam.Connector
	Kind      connectors.Kind
	// Config has BaseURL, AuthURL (empty: vendor default), Credentials and
	// Options filled in; the caller adds HTTPClient, Logger and limits.
	Config connectors.Config
}

// String describes the config without its credentials.
func (s SourceConfig) String() string {
	names := make([]string, 0, len(s.Config.Credentials))
	for k := range s.Config.Credentials {
		names = append(names, k)
	}
	sort.Strings(names)
	return fmt.Sprintf("SourceConfig{kind: %s, baseURL: %q, authURL: %q, credentials: [%s redacted]}",
		s.Kind, s.Config.BaseURL, s.Config.AuthURL, strings.Join(names, ", "))
}

// GoString is String, so %#v does not print credentials either.
func (s SourceConfig) GoString() string { return s.String() }

// LogValue keeps credentials out of structured logs.
func (s SourceConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("kind", string(s.Kind)), slog.String("base_url", s.Config.BaseURL))
}

// WebhookTarget is what the webhook handler needs to authenticate a call.
type WebhookTarget struct {
	ConnectorID uuid.UUID
	Kind        string
	Enabled     bool
	// Secret is nil when the connector has no webhook secret.
	Secret []byte
}

const connectorColumns = `x.id, x.kind::text, x.name, x.base_url, x.auth_url, x.options,
	extract(epoch FROM x.schedule_interval)::bigint, x.schedule_cron, x.next_sync_at, x.enabled, x.default_owner_team_id,
	x.authoritative_for_people, x.stale_after_days, x.webhook_secret IS NOT NULL, x.version, x.created_at, x.updated_at`

func scanConnector(r pgx.CollectableRow) (*itam.Connector, error) {
	var c itam.Connector
	var secs *int64
	err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.BaseURL, &c.AuthURL, &c.Options, &secs, &c.ScheduleCron, &c.NextSyncAt, &c.Enabled,
		&c.DefaultOwnerTeamID, &c.AuthoritativeForPeople, &c.StaleAfterDays, &c.HasWebhookSecret, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	if secs != nil {
		d := time.Duration(*secs) * time.Second
		c.ScheduleInterval = &d
	}
	if c.Options == nil {
		c.Options = map[string]any{}
	}
	return &c, err
}

// sealedConnector is a connector row with its sealed secrets, read only
// inside this file.
type sealedConnector struct {
	c       *itam.Connector
	creds   []byte
	webhook []byte
}

func scanSealedConnector(r pgx.CollectableRow) (sealedConnector, error) {
	var c itam.Connector
	var secs *int64
	var s sealedConnector
	err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.BaseURL, &c.AuthURL, &c.Options, &secs, &c.ScheduleCron, &c.NextSyncAt, &c.Enabled,
		&c.DefaultOwnerTeamID, &c.AuthoritativeForPeople, &c.StaleAfterDays, &c.HasWebhookSecret, &c.Version, &c.CreatedAt, &c.UpdatedAt,
		&s.creds, &s.webhook)
	if secs != nil {
		d := time.Duration(*secs) * time.Second
		c.ScheduleInterval = &d
	}
	if c.Options == nil {
		c.Options = map[string]any{}
	}
	s.c = &c
	return s, err
}

const syncRunColumns = `x.id, x.connector_id, x.mode::text, x.status::text, x.target_external_id, x.trigger, x.queued_at,
	x.started_at, x.finished_at, x.cursor, x.since, x.pages_fetched, x.records_seen, x.created_count, x.updated_count,
	x.unchanged_count, x.stale_marked_count, x.error_count, x.errors, x.message`

func scanSyncRun(r pgx.CollectableRow) (*itam.SyncRun, error) { return scanRun(r) }

// scanRun reads syncRunColumns, then extra.
func scanRun(r pgx.CollectableRow, extra ...any) (*itam.SyncRun, error) {
	var s itam.SyncRun
	err := r.Scan(append([]any{&s.ID, &s.ConnectorID, &s.Mode, &s.Status, &s.TargetExternalID, &s.Trigger, &s.QueuedAt, &s.StartedAt, &s.FinishedAt,
		&s.Cursor, &s.Since, &s.PagesFetched, &s.RecordsSeen, &s.Created, &s.Updated, &s.Unchanged, &s.StaleMarked, &s.ErrorCount,
		&s.Errors, &s.Message}, extra...)...)
	if s.Errors == nil {
		s.Errors = []itam.SyncError{}
	}
	return &s, err
}

// publicRunColumns are syncRunColumns and the endpoints of the run's
// connector, which publicRun masks for callers who may not see them.
const publicRunColumns = syncRunColumns + `,
	(SELECT array_remove(ARRAY[c.base_url, c.auth_url], NULL) FROM connectors c WHERE c.id = x.connector_id)`

// publicRun scans publicRunColumns for what p may read of a run: never the
// vendor cursor, which only the worker needs; and, unless p may see
// connector details (itam.Principal.CanReadConnectorDetails), its messages
// with the connector's base and auth URLs masked (redact.Endpoints), since a
// vendor error quotes the URL it called.
func publicRun(p itam.Principal) func(pgx.CollectableRow) (*itam.SyncRun, error) {
	return func(r pgx.CollectableRow) (*itam.SyncRun, error) {
		var endpoints []string
		s, err := scanRun(r, &endpoints)
		if err != nil {
			return s, err
		}
		s.Cursor = nil
		if !p.CanReadConnectorDetails() && len(endpoints) > 0 {
			if s.Message != nil {
				s.Message = ptr(redact.Endpoints(*s.Message, endpoints...))
			}
			for i := range s.Errors {
				s.Errors[i].Message = redact.Endpoints(s.Errors[i].Message, endpoints...)
			}
		}
		return s, nil
	}
}

// requireWorker allows only principals acting as a connector or the
// system: the operations behind it open secrets.
func requireWorker(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if p.ActorKind != itam.ActorConnector && p.ActorKind != itam.ActorSystem {
		return p, itam.Forbidden("only the sync engine may do this")
	}
	return p, nil
}

// ErrNoSecretKey is returned by operations that seal or open secrets when
// the server runs without a credential key.
var ErrNoSecretKey = &itam.Error{Code: itam.CodeInternal, Message: "connectors are disabled: the server has no ITAM_SECRET_KEY"}

func (s *ConnectorStore) needBox() error {
	if s.box == nil {
		return ErrNoSecretKey
	}
	return nil
}

// sealJSON seals v as JSON.
func (s *ConnectorStore) sealJSON(v any) ([]byte, error) {
	if err := s.needBox(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return s.box.Seal(b)
}

// openCredentials opens a sealed credentials blob. Its errors never carry
// the plaintext.
func (s *ConnectorStore) openCredentials(sealed []byte) (map[string]string, error) {
	if err := s.needBox(); err != nil {
		return nil, err
	}
	b, err := s.box.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("postgres: open connector credentials: %w", err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, errors.New("postgres: connector credentials are not a JSON object of strings")
	}
	return m, nil
}

// validKind checks a connector kind.
func validKind(kind string) error {
	if !slices.Contains(ConnectorKinds, kind) {
		return itam.Invalid("kind", "unknown connector kind %q", kind)
	}
	return nil
}

// ValidateCredentials checks credentials for kind: every name must be one
// the kind knows, and at least one complete set must be given. It returns
// the trimmed, non-empty credentials. Errors name "credentials.<name>" and
// never quote a value.
func ValidateCredentials(kind string, creds map[string]string) (map[string]string, error) {
	sets, ok := credentialSets[kind]
	if !ok {
		return nil, itam.Invalid("kind", "unknown connector kind %q", kind)
	}
	known := map[string]bool{}
	for _, set := range sets {
		for _, n := range set {
			known[n] = true
		}
	}
	out := map[string]string{}
	names := make([]string, 0, len(creds))
	for k := range creds {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !known[k] {
			return nil, itam.Invalid("credentials."+k, "a %s connector takes no credential named %q", kind, k)
		}
		v := strings.TrimSpace(creds[k])
		if len(v) > maxCredentialLen {
			return nil, itam.Invalid("credentials."+k, "%s is too long", k)
		}
		if v != "" {
			out[k] = v
		}
	}
	best, bestGiven := 0, -1
	for i, set := range sets {
		given := 0
		for _, n := range set {
			if out[n] != "" {
				given++
			}
		}
		if given == len(set) {
			return out, nil
		}
		if given > bestGiven {
			best, bestGiven = i, given
		}
	}
	for _, n := range sets[best] {
		if out[n] == "" {
			if len(sets) > 1 && bestGiven == 0 {
				alts := make([]string, len(sets))
				for i, set := range sets {
					alts[i] = strings.Join(set, " and ")
				}
				return nil, itam.Invalid("credentials."+n, "a %s connector needs %s", kind, strings.Join(alts, ", or "))
			}
			return nil, itam.Invalid("credentials."+n, "%s is required", n)
		}
	}
	return out, nil // unreachable: best is incomplete
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

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ValidateSchedule checks a schedule and returns its interval and cron
// expression (at most one is set; neither means manual).
func ValidateSchedule(in *ConnectorSchedule) (*time.Duration, *string, error) {
	if in == nil {
		return nil, nil, nil
	}
	expr := itam.Trimmed(in.Cron)
	if in.IntervalMinutes != nil && expr != nil {
		return nil, nil, itam.Invalid("schedule", "give intervalMinutes or cron, not both")
	}
	if in.IntervalMinutes != nil {
		m := *in.IntervalMinutes
		if m < 1 || m > maxScheduleMinutes {
			return nil, nil, itam.Invalid("schedule.intervalMinutes", "intervalMinutes must be between 1 and %d", maxScheduleMinutes)
		}
		d := time.Duration(m) * time.Minute
		return &d, nil, nil
	}
	if expr != nil {
		if _, err := cronParser.Parse(*expr); err != nil {
			return nil, nil, itam.Invalid("schedule.cron", "invalid cron expression: %v", err)
		}
		return nil, expr, nil
	}
	return nil, nil, nil
}

// NextSyncAt is when a schedule next fires after after: after+interval, or
// the cron expression's next time (UTC). Neither is nil (manual only).
func NextSyncAt(interval *time.Duration, cronExpr *string, after time.Time) (*time.Time, error) {
	switch {
	case interval != nil:
		t := after.Add(*interval).UTC()
		return &t, nil
	case cronExpr != nil:
		sched, err := cronParser.Parse(*cronExpr)
		if err != nil {
			return nil, err
		}
		t := sched.Next(after.UTC())
		if t.IsZero() {
			return nil, nil
		}
		return &t, nil
	}
	return nil, nil
}

// validateOptions checks connector options are a JSON object of sane size.
func validateOptions(o map[string]any) (map[string]any, error) {
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

// validateWebhookSecret checks a caller-chosen webhook secret.
func validateWebhookSecret(s string) (string, error) {
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

// checkSource builds the vendor source once with the full configuration,
// when the vendor is compiled in, so its own checks (URL shape, options)
// refuse bad input at save time rather than at the first sync. Nothing is
// fetched.
func checkSource(c *itam.Connector, creds map[string]string) error {
	if !slices.Contains(connectors.Kinds(), connectors.Kind(c.Kind)) {
		return nil
	}
	_, err := connectors.New(connectors.Kind(c.Kind), sourceConfig(c, creds))
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

func sourceConfig(c *itam.Connector, creds map[string]string) connectors.Config {
	cfg := connectors.Config{Credentials: creds, Options: c.Options}
	if c.BaseURL != nil {
		cfg.BaseURL = *c.BaseURL
	}
	if c.AuthURL != nil {
		cfg.AuthURL = *c.AuthURL
	}
	return cfg
}

func intervalMinutes(d *time.Duration) *int {
	if d == nil {
		return nil
	}
	m := int(*d / time.Minute)
	return &m
}

func sameSchedule(a, b *itam.Connector) bool {
	eq := func(x, y *string) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	ai, bi := intervalMinutes(a.ScheduleInterval), intervalMinutes(b.ScheduleInterval)
	return ((ai == nil) == (bi == nil) && (ai == nil || *ai == *bi)) && eq(a.ScheduleCron, b.ScheduleCron)
}

// CreateConnector adds a connector (ADMIN only). It returns the connector
// and, when in.GenerateWebhookSecret was set, the generated webhook secret:
// the only time it is ever shown.
func (s *ConnectorStore) CreateConnector(ctx context.Context, in ConnectorInput) (*itam.Connector, string, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := s.needBox(); err != nil {
		return nil, "", err
	}
	if err := validKind(in.Kind); err != nil {
		return nil, "", err
	}
	c := &itam.Connector{Kind: in.Kind, Enabled: true, StaleAfterDays: defaultStaleDays, AuthoritativeForPeople: in.AuthoritativeForPeople,
		DefaultOwnerTeamID: in.DefaultOwnerTeamID}
	if c.Name, err = requiredText("name", &in.Name); err != nil {
		return nil, "", err
	}
	if len(c.Name) > maxConnectorName {
		return nil, "", itam.Invalid("name", "name is at most %d characters", maxConnectorName)
	}
	if c.BaseURL, err = endpointURL("baseUrl", in.BaseURL); err != nil {
		return nil, "", err
	}
	if c.BaseURL == nil && slices.Contains(kindsNeedingBaseURL, c.Kind) {
		return nil, "", itam.Invalid("baseUrl", "a %s connector needs the tenant's baseUrl", c.Kind)
	}
	if c.AuthURL, err = endpointURL("authUrl", in.AuthURL); err != nil {
		return nil, "", err
	}
	creds, err := ValidateCredentials(c.Kind, in.Credentials)
	if err != nil {
		return nil, "", err
	}
	if c.ScheduleInterval, c.ScheduleCron, err = ValidateSchedule(in.Schedule); err != nil {
		return nil, "", err
	}
	if c.Options, err = validateOptions(in.Options); err != nil {
		return nil, "", err
	}
	if in.Enabled != nil {
		c.Enabled = *in.Enabled
	}
	if in.StaleAfterDays != nil {
		c.StaleAfterDays = *in.StaleAfterDays
	}
	if c.StaleAfterDays < 1 || c.StaleAfterDays > 3650 {
		return nil, "", itam.Invalid("staleAfterDays", "staleAfterDays must be between 1 and 3650")
	}
	var secret, generated string
	switch {
	case in.GenerateWebhookSecret && in.WebhookSecret != nil:
		return nil, "", itam.Invalid("webhookSecret", "give webhookSecret or generateWebhookSecret, not both")
	case in.GenerateWebhookSecret:
		if secret, err = generateWebhookSecret(); err != nil {
			return nil, "", err
		}
		generated = secret
	case in.WebhookSecret != nil:
		if secret, err = validateWebhookSecret(*in.WebhookSecret); err != nil {
			return nil, "", err
		}
	}
	if err := checkSource(c, creds); err != nil {
		return nil, "", err
	}
	next, err := NextSyncAt(c.ScheduleInterval, c.ScheduleCron, s.now())
	if err != nil {
		return nil, "", err
	}
	sealedCreds, err := s.sealJSON(creds)
	if err != nil {
		return nil, "", err
	}
	var sealedHook []byte
	if secret != "" {
		if sealedHook, err = s.sealJSON(secret); err != nil {
			return nil, "", err
		}
	}
	var out *itam.Connector
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var err error
		out, err = returningOne(ctx, tx, scanConnector, `INSERT INTO connectors AS x (org_id, kind, name, base_url, auth_url, credentials,
			webhook_secret, options, schedule_interval, schedule_cron, next_sync_at, enabled, default_owner_team_id,
			authoritative_for_people, stale_after_days)
			VALUES ($1, $2::text::connector_kind, $3, $4, $5, $6, $7, $8, $9::int * interval '1 minute', $10, $11, $12, $13, $14, $15)
			RETURNING `+connectorColumns,
			p.OrgID, c.Kind, c.Name, c.BaseURL, c.AuthURL, sealedCreds, sealedHook, c.Options, intervalMinutes(c.ScheduleInterval),
			c.ScheduleCron, next, c.Enabled, c.DefaultOwnerTeamID, c.AuthoritativeForPeople, c.StaleAfterDays)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, generated, nil
}

// lockConnector reads connector id with its sealed secrets FOR UPDATE and
// checks the caller's version (nil skips the check).
func lockConnector(ctx context.Context, tx pgx.Tx, id uuid.UUID, version *int) (sealedConnector, error) {
	rows, _ := tx.Query(ctx, "SELECT "+connectorColumns+", x.credentials, x.webhook_secret FROM connectors x WHERE x.id = $1 FOR UPDATE", id)
	sc, err := pgx.CollectExactlyOneRow(rows, scanSealedConnector)
	if errors.Is(err, pgx.ErrNoRows) {
		return sc, itam.NotFound("connector")
	}
	if err != nil {
		return sc, err
	}
	if version != nil && *version != sc.c.Version {
		return sc, itam.Conflict("version", "this connector was changed by someone else: it is at version %d, you edited version %d; reload and retry",
			sc.c.Version, *version)
	}
	return sc, nil
}

// UpdateConnector changes a connector (ADMIN only); the caller's version
// must be current. Credentials are replaced only when given, and must be
// given again when baseUrl or authUrl change, so stored credentials are
// never sent to a host they were not entered for. It returns the generated
// webhook secret when in.GenerateWebhookSecret was set.
func (s *ConnectorStore) UpdateConnector(ctx context.Context, in ConnectorPatch) (*itam.Connector, string, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := s.needBox(); err != nil {
		return nil, "", err
	}
	var generated string
	var out *itam.Connector
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := lockConnector(ctx, tx, in.ID, &in.Version)
		if err != nil {
			return err
		}
		c := *cur.c
		if err := patchRequired(&c.Name, "name", in.Name); err != nil {
			return err
		}
		if len(c.Name) > maxConnectorName {
			return itam.Invalid("name", "name is at most %d characters", maxConnectorName)
		}
		if in.BaseURL.Set {
			if c.BaseURL, err = endpointURL("baseUrl", in.BaseURL.Value); err != nil {
				return err
			}
			if c.BaseURL == nil && slices.Contains(kindsNeedingBaseURL, c.Kind) {
				return itam.Invalid("baseUrl", "a %s connector needs the tenant's baseUrl", c.Kind)
			}
		}
		if in.AuthURL.Set {
			if c.AuthURL, err = endpointURL("authUrl", in.AuthURL.Value); err != nil {
				return err
			}
		}
		if in.Schedule.Set {
			var sched *ConnectorSchedule
			if in.Schedule.Value != nil {
				sched = in.Schedule.Value
			}
			if c.ScheduleInterval, c.ScheduleCron, err = ValidateSchedule(sched); err != nil {
				return err
			}
		}
		if in.Options.Set {
			var o map[string]any
			if in.Options.Value != nil {
				o = *in.Options.Value
			}
			if c.Options, err = validateOptions(o); err != nil {
				return err
			}
		}
		if in.Enabled.Set {
			if in.Enabled.Value == nil {
				return itam.Invalid("enabled", "enabled cannot be null")
			}
			c.Enabled = *in.Enabled.Value
		}
		if in.DefaultOwnerTeamID.Set {
			c.DefaultOwnerTeamID = in.DefaultOwnerTeamID.Value
		}
		if in.AuthoritativeForPeople.Set {
			if in.AuthoritativeForPeople.Value == nil {
				return itam.Invalid("authoritativeForPeople", "authoritativeForPeople cannot be null")
			}
			c.AuthoritativeForPeople = *in.AuthoritativeForPeople.Value
		}
		if in.StaleAfterDays.Set {
			if in.StaleAfterDays.Value == nil {
				return itam.Invalid("staleAfterDays", "staleAfterDays cannot be null")
			}
			c.StaleAfterDays = *in.StaleAfterDays.Value
			if c.StaleAfterDays < 1 || c.StaleAfterDays > 3650 {
				return itam.Invalid("staleAfterDays", "staleAfterDays must be between 1 and 3650")
			}
		}

		sealedCreds := cur.creds
		var creds map[string]string
		if in.Credentials != nil {
			if creds, err = ValidateCredentials(c.Kind, in.Credentials); err != nil {
				return err
			}
			if sealedCreds, err = s.sealJSON(creds); err != nil {
				return err
			}
		} else {
			if !sameText(c.BaseURL, cur.c.BaseURL) || !sameText(c.AuthURL, cur.c.AuthURL) {
				return itam.Invalid("credentials", "changing baseUrl or authUrl requires entering the credentials again")
			}
			if creds, err = s.openCredentials(cur.creds); err != nil {
				return err
			}
		}

		sealedHook, hookChanged := cur.webhook, false
		switch {
		case in.GenerateWebhookSecret && in.WebhookSecret.Set:
			return itam.Invalid("webhookSecret", "give webhookSecret or generateWebhookSecret, not both")
		case in.GenerateWebhookSecret:
			if generated, err = generateWebhookSecret(); err != nil {
				return err
			}
			if sealedHook, err = s.sealJSON(generated); err != nil {
				return err
			}
			hookChanged = true
		case in.WebhookSecret.Set && in.WebhookSecret.Value == nil:
			sealedHook, hookChanged = nil, cur.webhook != nil
		case in.WebhookSecret.Set:
			secret, err := validateWebhookSecret(*in.WebhookSecret.Value)
			if err != nil {
				return err
			}
			if sealedHook, err = s.sealJSON(secret); err != nil {
				return err
			}
			hookChanged = true
		}

		if unchanged(cur.c, &c) && in.Credentials == nil && !hookChanged {
			out = cur.c
			return nil
		}
		if err := checkSource(&c, creds); err != nil {
			return err
		}
		if !sameSchedule(cur.c, &c) || (c.Enabled && !cur.c.Enabled) {
			if c.NextSyncAt, err = NextSyncAt(c.ScheduleInterval, c.ScheduleCron, s.now()); err != nil {
				return err
			}
		}
		out, err = returningOne(ctx, tx, scanConnector, `UPDATE connectors x SET name = $2, base_url = $3, auth_url = $4,
			credentials = $5, webhook_secret = $6, options = $7, schedule_interval = $8::int * interval '1 minute',
			schedule_cron = $9, next_sync_at = $10, enabled = $11, default_owner_team_id = $12,
			authoritative_for_people = $13, stale_after_days = $14, version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+connectorColumns,
			c.ID, c.Name, c.BaseURL, c.AuthURL, sealedCreds, sealedHook, c.Options, intervalMinutes(c.ScheduleInterval),
			c.ScheduleCron, c.NextSyncAt, c.Enabled, c.DefaultOwnerTeamID, c.AuthoritativeForPeople, c.StaleAfterDays)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	return out, generated, nil
}

func sameText(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// DeleteConnector removes a connector and its runs (ADMIN only), checking
// version when given. A job still queued for it finds no connector and ends.
func (s *ConnectorStore) DeleteConnector(ctx context.Context, id uuid.UUID, version *int) (*itam.Connector, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.Connector
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := lockConnector(ctx, tx, id, version); err != nil {
			return err
		}
		out, err = returningOne(ctx, tx, scanConnector, "DELETE FROM connectors x WHERE x.id = $1 RETURNING "+connectorColumns, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Connector returns one connector (ADMIN only).
func (s *ConnectorStore) Connector(ctx context.Context, id uuid.UUID) (*itam.Connector, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "connector", "SELECT "+connectorColumns+" FROM connectors x WHERE x.id = $1", []any{id}, scanConnector)
}

// ConnectorsByIDs loads connectors by id for loaders (ADMIN only).
func (s *ConnectorStore) ConnectorsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Connector, error) {
	if _, err := itam.RequireAdmin(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, connectorColumns, "connectors x", ids, scanConnector, func(c *itam.Connector) uuid.UUID { return c.ID })
}

// Connectors lists connectors by name (ADMIN only).
func (s *ConnectorStore) Connectors(ctx context.Context, page itam.PageArgs) (itam.Page[*itam.Connector], error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return itam.Page[*itam.Connector]{}, err
	}
	return list(ctx, s.db, p.OrgID, listSpec[*itam.Connector]{
		columns: connectorColumns, from: "connectors x", idExpr: "x.id", args: &sqlArgs{},
		sort: sortKey[*itam.Connector]{"x.name", "text", func(c *itam.Connector) string { return c.Name }}, dir: itam.Asc,
		id: func(c *itam.Connector) string { return c.ID.String() }, scan: scanConnector,
	}, page)
}

// CountConnectors counts the organization's connectors (ADMIN only).
func (s *ConnectorStore) CountConnectors(ctx context.Context) (int, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "connectors x", nil, &sqlArgs{})
}

// ConnectorSecrets opens a connector's credentials for the sync worker and
// the connection test: the vendor configuration and the connector. Only
// connector or system principals may call it, never a USER.
func (s *ConnectorStore) ConnectorSecrets(ctx context.Context, id uuid.UUID) (*SourceConfig, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, s.db, p.OrgID, "SELECT "+connectorColumns+", x.credentials, x.webhook_secret FROM connectors x WHERE x.id = $1",
		[]any{id}, scanSealedConnector)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, itam.NotFound("connector")
	}
	creds, err := s.openCredentials(rows[0].creds)
	if err != nil {
		return nil, err
	}
	c := rows[0].c
	return &SourceConfig{Connector: c, Kind: connectors.Kind(c.Kind), Config: sourceConfig(c, creds)}, nil
}

// ConnectorOrg returns the organization of a connector before any tenant is
// known (webhooks carry no token), through a SECURITY DEFINER function that
// reveals nothing else.
func (s *ConnectorStore) ConnectorOrg(ctx context.Context, id uuid.UUID) (uuid.UUID, error) {
	s.db.count()
	var org *uuid.UUID
	if err := s.db.Pool.QueryRow(ctx, `SELECT itam.connector_org($1)`, id).Scan(&org); err != nil {
		return uuid.Nil, err
	}
	if org == nil {
		return uuid.Nil, itam.NotFound("connector")
	}
	return *org, nil
}

// WebhookTarget returns what the webhook handler needs to authenticate a
// call for connector id, its secret opened. Connector or system principals only.
func (s *ConnectorStore) WebhookTarget(ctx context.Context, id uuid.UUID) (*WebhookTarget, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	type row struct {
		kind    string
		enabled bool
		secret  []byte
	}
	r, err := queryOne(ctx, s.db, p.OrgID, "connector", `SELECT x.kind::text, x.enabled, x.webhook_secret FROM connectors x WHERE x.id = $1`,
		[]any{id}, func(r pgx.CollectableRow) (row, error) {
			var v row
			return v, r.Scan(&v.kind, &v.enabled, &v.secret)
		})
	if err != nil {
		return nil, err
	}
	t := &WebhookTarget{ConnectorID: id, Kind: r.kind, Enabled: r.enabled}
	if r.secret != nil {
		if err := s.needBox(); err != nil {
			return nil, err
		}
		b, err := s.box.Open(r.secret)
		if err != nil {
			return nil, fmt.Errorf("postgres: open webhook secret: %w", err)
		}
		var secret string
		if err := json.Unmarshal(b, &secret); err != nil {
			return nil, errors.New("postgres: webhook secret is not a JSON string")
		}
		t.Secret = []byte(secret)
	}
	return t, nil
}

// validTrigger checks what started a run ("manual", "schedule", "webhook"…).
func validTrigger(t string) (string, error) {
	t = strings.TrimSpace(t)
	if t == "" {
		t = "manual"
	}
	if len(t) > maxTrigger {
		return "", itam.Invalid("trigger", "trigger is at most %d characters", maxTrigger)
	}
	return t, nil
}

// SyncConnector queues a sync of connector id (ADMIN only; the scheduler and
// webhooks act as a system ADMIN of the organization): it inserts a QUEUED
// run and its River job in one transaction and records the job id. While a
// sync of the connector is queued or running it writes nothing and returns
// CONFLICT. targetExternalID limits the run to one device (webhooks).
// An INCREMENTAL run starts from when the last successful untargeted run started.
func (s *ConnectorStore) SyncConnector(ctx context.Context, id uuid.UUID, mode itam.SyncMode, trigger string, targetExternalID *string) (*itam.SyncRun, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if s.enq == nil {
		return nil, errors.New("postgres: connector store has no job enqueuer")
	}
	if mode != itam.SyncFull && mode != itam.SyncIncremental {
		return nil, itam.Invalid("mode", "mode must be FULL or INCREMENTAL")
	}
	if trigger, err = validTrigger(trigger); err != nil {
		return nil, err
	}
	target := itam.Trimmed(targetExternalID)
	if target != nil && len(*target) > maxTargetExternalID {
		return nil, itam.Invalid("targetExternalId", "targetExternalId is at most %d characters", maxTargetExternalID)
	}
	var out *itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var enabled bool
		if err := tx.QueryRow(ctx, `SELECT enabled FROM connectors WHERE id = $1 FOR SHARE`, id).Scan(&enabled); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return itam.NotFound("connector")
			}
			return err
		}
		if !enabled {
			return itam.Conflict("id", "this connector is disabled; enable it to sync")
		}
		var since *time.Time
		if mode == itam.SyncIncremental {
			if err := tx.QueryRow(ctx, `SELECT max(started_at) FROM sync_runs
				WHERE connector_id = $1 AND status IN ('SUCCEEDED', 'PARTIAL') AND target_external_id IS NULL`, id).Scan(&since); err != nil {
				return err
			}
		}
		run, err := returningOne(ctx, tx, publicRun(p), `INSERT INTO sync_runs AS x (org_id, connector_id, mode, trigger, target_external_id, since)
			VALUES ($1, $2, $3::text::sync_mode, $4, $5, $6) RETURNING `+publicRunColumns,
			p.OrgID, id, string(mode), trigger, target, since)
		if err != nil {
			return err
		}
		jobID, err := s.enq.EnqueueSyncTx(ctx, tx, jobs.SyncArgs{OrgID: p.OrgID, ConnectorID: id, RunID: run.ID})
		if errors.Is(err, ErrSyncAlreadyActive) {
			return itam.Conflict("id", "a sync of this connector is already queued or running")
		}
		if err != nil {
			return fmt.Errorf("enqueue sync: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE sync_runs SET job_id = $2 WHERE id = $1`, run.ID, jobID); err != nil {
			return err
		}
		out = run
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SyncRun returns one run (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRun(ctx context.Context, id uuid.UUID) (*itam.SyncRun, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "sync run", "SELECT "+publicRunColumns+" FROM sync_runs x WHERE x.id = $1", []any{id}, publicRun(p))
}

// SyncRunsByIDs loads runs by id for loaders (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRunsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.SyncRun, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, publicRunColumns, "sync_runs x", ids, publicRun(p), func(r *itam.SyncRun) uuid.UUID { return r.ID })
}

func timeKey(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.999999Z07:00") }

// SyncRuns lists a connector's runs, newest first (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) SyncRuns(ctx context.Context, connectorID uuid.UUID, page itam.PageArgs) (itam.Page[*itam.SyncRun], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return itam.Page[*itam.SyncRun]{}, err
	}
	args := &sqlArgs{}
	return list(ctx, s.db, p.OrgID, listSpec[*itam.SyncRun]{
		columns: publicRunColumns, from: "sync_runs x", idExpr: "x.id", args: args,
		where: []string{"x.connector_id = " + args.add(connectorID)},
		sort:  sortKey[*itam.SyncRun]{"x.queued_at", "timestamptz", func(r *itam.SyncRun) string { return timeKey(r.QueuedAt) }},
		dir:   itam.Desc, id: func(r *itam.SyncRun) string { return r.ID.String() }, scan: publicRun(p),
	}, page)
}

// CountSyncRuns counts a connector's runs (ADMIN, MANAGER, AUDITOR).
func (s *ConnectorStore) CountSyncRuns(ctx context.Context, connectorID uuid.UUID) (int, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return 0, err
	}
	args := &sqlArgs{}
	return count(ctx, s.db, p.OrgID, "sync_runs x", []string{"x.connector_id = " + args.add(connectorID)}, args)
}

// LastSync returns the most recently queued run of each connector, in one
// query (ADMIN, MANAGER, AUDITOR). Connectors without runs are absent.
func (s *ConnectorStore) LastSync(ctx context.Context, connectorIDs []uuid.UUID) (map[uuid.UUID]*itam.SyncRun, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, s.db, p.OrgID, `SELECT `+publicRunColumns+` FROM unnest($1::uuid[]) c(id)
		CROSS JOIN LATERAL (SELECT * FROM sync_runs r WHERE r.connector_id = c.id ORDER BY r.queued_at DESC, r.id DESC LIMIT 1) x`,
		[]any{connectorIDs}, publicRun(p))
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]*itam.SyncRun, len(rows))
	for _, r := range rows {
		out[r.ConnectorID] = r
	}
	return out, nil
}

// CancelSyncRun cancels a QUEUED or RUNNING run (ADMIN only). A running
// worker sees the status before its next page and stops; the run's River job
// is cancelled too when the Enqueuer can, so the connector is free to sync
// again at once. A run already finished is CONFLICT.
func (s *ConnectorStore) CancelSyncRun(ctx context.Context, id uuid.UUID) (*itam.SyncRun, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var status string
		var jobID *int64
		if err := tx.QueryRow(ctx, `SELECT status::text, job_id FROM sync_runs WHERE id = $1 FOR UPDATE`, id).Scan(&status, &jobID); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return itam.NotFound("sync run")
			}
			return err
		}
		if status != string(itam.SyncQueued) && status != string(itam.SyncRunning) {
			return itam.Conflict("id", "this run already ended: it is %s", status)
		}
		run, err := returningOne(ctx, tx, publicRun(p), `UPDATE sync_runs x SET status = 'CANCELLED', finished_at = now(), message = $2
			WHERE x.id = $1 RETURNING `+publicRunColumns, id, runMessage("cancelled by "+p.Subject, nil))
		if err != nil {
			return err
		}
		if c, ok := s.enq.(JobCanceller); ok && jobID != nil {
			if err := c.CancelJobTx(ctx, tx, *jobID); err != nil {
				return fmt.Errorf("cancel sync job: %w", err)
			}
		}
		out = run
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RunForWorker returns a run with its vendor cursor, for the sync worker
// (connector or system principals only).
func (s *ConnectorStore) RunForWorker(ctx context.Context, runID uuid.UUID) (*itam.SyncRun, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "sync run", "SELECT "+syncRunColumns+" FROM sync_runs x WHERE x.id = $1", []any{runID}, scanSyncRun)
}

// FinishRun ends a QUEUED or RUNNING run with a final status (SUCCEEDED,
// PARTIAL, FAILED or CANCELLED) and a message, for the sync worker. The
// message is cut to a sane length and any credential value of the
// connector in it is redacted. A run that already ended (say, cancelled
// meanwhile) is returned unchanged.
func (s *ConnectorStore) FinishRun(ctx context.Context, runID uuid.UUID, status itam.SyncStatus, message string) (*itam.SyncRun, error) {
	return s.FinishRunTx(ctx, runID, status, message, nil)
}

// FinishRunTx is FinishRun that also runs within (when not nil) in the same
// transaction, when the run actually ends: the sync worker ends its River job
// there, so a finished run and a finished job are one commit and a finished
// run never blocks the next sync with CONFLICT.
func (s *ConnectorStore) FinishRunTx(ctx context.Context, runID uuid.UUID, status itam.SyncStatus, message string, within func(pgx.Tx) error) (*itam.SyncRun, error) {
	p, err := requireWorker(ctx)
	if err != nil {
		return nil, err
	}
	switch status {
	case itam.SyncSucceeded, itam.SyncPartial, itam.SyncFailed, itam.SyncCancelled:
	default:
		return nil, itam.Invalid("status", "a run ends SUCCEEDED, PARTIAL, FAILED or CANCELLED, not %s", status)
	}
	var out *itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, creds, err := s.lockRunForMessage(ctx, tx, runID)
		if err != nil {
			return err
		}
		if cur != string(itam.SyncQueued) && cur != string(itam.SyncRunning) {
			out, err = returningOne(ctx, tx, scanSyncRun, "SELECT "+syncRunColumns+" FROM sync_runs x WHERE x.id = $1", runID)
			return err
		}
		out, err = returningOne(ctx, tx, scanSyncRun, `UPDATE sync_runs x SET status = $2::text::sync_status, message = $3,
			finished_at = now(), started_at = coalesce(x.started_at, x.queued_at) WHERE x.id = $1 RETURNING `+syncRunColumns,
			runID, string(status), runMessage(message, creds))
		if err != nil || within == nil {
			return err
		}
		return within(tx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordAttemptError notes why an attempt failed while the job will retry,
// so the run shows it without waiting for the last attempt. The message is
// cleaned like FinishRun's. For the sync worker (connector or system
// principals only).
func (s *ConnectorStore) RecordAttemptError(ctx context.Context, runID uuid.UUID, message string) error {
	p, err := requireWorker(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, creds, err := s.lockRunForMessage(ctx, tx, runID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE sync_runs SET message = $2 WHERE id = $1`, runID, runMessage(message, creds))
		return err
	})
}

// lockRunForMessage locks run runID and returns its status and its
// connector's credentials (nil when they cannot be opened), to redact them
// from the message about to be written.
func (s *ConnectorStore) lockRunForMessage(ctx context.Context, tx pgx.Tx, runID uuid.UUID) (string, map[string]string, error) {
	var status string
	var sealed []byte
	err := tx.QueryRow(ctx, `SELECT r.status::text, c.credentials FROM sync_runs r JOIN connectors c ON c.id = r.connector_id
		WHERE r.id = $1 FOR UPDATE OF r`, runID).Scan(&status, &sealed)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil, itam.NotFound("sync run")
	}
	if err != nil {
		return "", nil, err
	}
	var creds map[string]string
	if s.box != nil {
		creds, _ = s.openCredentials(sealed) // unopenable: nothing to redact with
	}
	return status, creds, nil
}

// runMessage is what every write of sync_runs.message stores: valid UTF-8,
// with the connector's credential values redacted, cut to maxRunMessage
// bytes; nil when blank.
func runMessage(message string, creds map[string]string) *string {
	msg := redact.Secrets(strings.ToValidUTF8(message, "\uFFFD"), creds)
	if len(msg) > maxRunMessage {
		msg = strings.ToValidUTF8(msg[:maxRunMessage], "") + "…"
	}
	if strings.TrimSpace(msg) == "" {
		return nil
	}
	return &msg
}
