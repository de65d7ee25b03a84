package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/secretbox"
)

// Connector configuration: loading and saving what internal/connector has
// validated (this package implements connector.Store).
//
// Connectors are ADMIN only (sync runs: see sync_runs.go). Credentials and
// webhook secrets are sealed with a secretbox before they reach the
// database and are opened only for principals acting as a connector or the
// system (the sync worker, the connection test, the webhook handler), never
// for a USER: no method a user can call returns them, and none of their
// errors quote them.

// ConnectorStore manages connectors and their sync runs.
type ConnectorStore struct {
	db  *DB
	box *secretbox.Box
	enq Enqueuer
}

// NewConnectorStore returns a store sealing secrets with box and enqueuing
// syncs through enq. Either may be nil: methods that need them then fail
// with an internal error (reads keep working).
func NewConnectorStore(db *DB, box *secretbox.Box, enq Enqueuer) *ConnectorStore {
	return &ConnectorStore{db: db, box: box, enq: enq}
}

func init() {
	constraintFields["connectors_org_name"] = constraintField{"name", "a connector with this name exists"}
	constraintFields["connectors_name_check"] = constraintField{"name", "name cannot be blank"}
	constraintFields["connectors_stale_after_days_check"] = constraintField{"staleAfterDays", "staleAfterDays must be between 1 and 3650"}
	constraintFields["connectors_schedule_interval_check"] = constraintField{"schedule.intervalMinutes", "the interval is at least one minute"}
	constraintFields["connectors_push_fields_check"] = constraintField{"pushFields", "unknown push field"}
	constraintFields["connectors_one_schedule"] = constraintField{"schedule", "give intervalMinutes or cron, not both"}
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
	x.authoritative_for_people, x.stale_after_days, x.webhook_secret IS NOT NULL, x.version, x.created_at, x.updated_at,
	x.push_fields, x.push_create`

func scanConnector(r pgx.CollectableRow) (*itam.Connector, error) {
	var c itam.Connector
	var secs *int64
	err := r.Scan(&c.ID, &c.Kind, &c.Name, &c.BaseURL, &c.AuthURL, &c.Options, &secs, &c.ScheduleCron, &c.NextSyncAt, &c.Enabled,
		&c.DefaultOwnerTeamID, &c.AuthoritativeForPeople, &c.StaleAfterDays, &c.HasWebhookSecret, &c.Version, &c.CreatedAt, &c.UpdatedAt,
		&c.PushFields, &c.PushCreate)
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
// inside this package.
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
		&c.PushFields, &c.PushCreate, &s.creds, &s.webhook)
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

// CanSeal fails with ErrNoSecretKey when the store cannot seal secrets.
func (s *ConnectorStore) CanSeal() error { return s.needBox() }

// sealWebhook seals a webhook secret; nil stays nil (no secret).
func (s *ConnectorStore) sealWebhook(secret *string) ([]byte, error) {
	if secret == nil {
		return nil, nil
	}
	return s.sealJSON(*secret)
}

// InsertConnector saves a connector internal/connector has validated, with
// its credentials and webhook secret (nil: none) sealed (ADMIN only).
func (s *ConnectorStore) InsertConnector(ctx context.Context, c *itam.Connector, creds map[string]string, webhookSecret *string) (*itam.Connector, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	sealedCreds, err := s.sealJSON(creds)
	if err != nil {
		return nil, err
	}
	sealedHook, err := s.sealWebhook(webhookSecret)
	if err != nil {
		return nil, err
	}
	var out *itam.Connector
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var err error
		out, err = returningOne(ctx, tx, scanConnector, `INSERT INTO connectors AS x (org_id, kind, name, base_url, auth_url, credentials,
			webhook_secret, options, schedule_interval, schedule_cron, next_sync_at, enabled, default_owner_team_id,
			authoritative_for_people, stale_after_days, push_fields, push_create)
			VALUES ($1, $2::text::connector_kind, $3, $4, $5, $6, $7, $8, $9::int * interval '1 minute', $10, $11, $12, $13, $14, $15, $16, $17)
			RETURNING `+connectorColumns,
			p.OrgID, c.Kind, c.Name, c.BaseURL, c.AuthURL, sealedCreds, sealedHook, c.Options, intervalMinutes(c.ScheduleInterval),
			c.ScheduleCron, c.NextSyncAt, c.Enabled, c.DefaultOwnerTeamID, c.AuthoritativeForPeople, c.StaleAfterDays,
			pushFieldsOf(c), c.PushCreate)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
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

// UpdateConnector locks connector id, checks the caller's version is
// current and saves what change makes of it (nil: nothing changes), in one
// transaction (ADMIN only). change holds the rules (internal/connector);
// the store only opens and seals the secrets it reads and writes.
func (s *ConnectorStore) UpdateConnector(ctx context.Context, id uuid.UUID, version int, change func(itam.StoredConnector) (*itam.ConnectorChange, error)) (*itam.Connector, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.needBox(); err != nil {
		return nil, err
	}
	var out *itam.Connector
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		cur, err := lockConnector(ctx, tx, id, &version)
		if err != nil {
			return err
		}
		ch, err := change(itam.StoredConnector{Connector: cur.c, Credentials: func() (map[string]string, error) { return s.openCredentials(cur.creds) }})
		if err != nil {
			return err
		}
		if ch == nil {
			out = cur.c
			return nil
		}
		sealedCreds, sealedHook := cur.creds, cur.webhook
		if ch.Credentials != nil {
			if sealedCreds, err = s.sealJSON(ch.Credentials); err != nil {
				return err
			}
		}
		if ch.WebhookSecret.Set {
			if sealedHook, err = s.sealWebhook(ch.WebhookSecret.Value); err != nil {
				return err
			}
		}
		c := ch.Connector
		out, err = returningOne(ctx, tx, scanConnector, `UPDATE connectors x SET name = $2, base_url = $3, auth_url = $4,
			credentials = $5, webhook_secret = $6, options = $7, schedule_interval = $8::int * interval '1 minute',
			schedule_cron = $9, next_sync_at = $10, enabled = $11, default_owner_team_id = $12,
			authoritative_for_people = $13, stale_after_days = $14, push_fields = $15, push_create = $16,
			version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+connectorColumns,
			cur.c.ID, c.Name, c.BaseURL, c.AuthURL, sealedCreds, sealedHook, c.Options, intervalMinutes(c.ScheduleInterval),
			c.ScheduleCron, c.NextSyncAt, c.Enabled, c.DefaultOwnerTeamID, c.AuthoritativeForPeople, c.StaleAfterDays,
			pushFieldsOf(c), c.PushCreate)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

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

// LinkedConnectors loads the connectors that runs and external ids link
// to, for loaders: an ADMIN gets them, any other caller none and no error,
// since those roles see the links without the connectors (ADMIN only).
func (s *ConnectorStore) LinkedConnectors(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Connector, error) {
	if _, err := itam.RequireAdmin(ctx); err != nil {
		return map[uuid.UUID]*itam.Connector{}, nil
	}
	return s.ConnectorsByIDs(ctx, ids)
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
// the connection test: the connector and its credentials. Only connector or
// system principals may call it, never a USER.
func (s *ConnectorStore) ConnectorSecrets(ctx context.Context, id uuid.UUID) (*itam.ConnectorSecrets, error) {
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
	return &itam.ConnectorSecrets{Connector: rows[0].c, Credentials: creds}, nil
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

// intervalMinutes is a schedule interval in whole minutes, as stored.
func intervalMinutes(d *time.Duration) *int {
	if d == nil {
		return nil
	}
	m := int(*d / time.Minute)
	return &m
}

// pushFieldsOf is c's push fields as the NOT NULL column takes them.
func pushFieldsOf(c *itam.Connector) []string {
	if c.PushFields == nil {
		return []string{}
	}
	return c.PushFields
}
