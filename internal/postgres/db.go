// Package postgres implements the inventory's storage on PostgreSQL.
//
// Tenancy is enforced by the database, not by WHERE clauses: every query runs
// with the caller's organization in the transaction-local setting
// itam.org_id, the connection runs as the role itam_app, and row-level
// security policies on every tenant table compare org_id to that setting.
// Store methods still check roles (the domain rules); RLS is the backstop
// that makes a forgotten filter harmless.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxuuid "github.com/vgarvardt/pgx-google-uuid/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// AppRole is the database role the server runs as; RLS applies to it.
const AppRole = "itam_app"

// DB is the tenant-scoped connection pool the server uses.
type DB struct {
	Pool *pgxpool.Pool
	log  *slog.Logger
	// Queries counts round trips, for tests that prove no N+1 (nil in production).
	Queries func()
	// timeout is PostgreSQL's statement_timeout (milliseconds, "0" for
	// none) for every statement this DB runs: set in the same round trip as
	// the tenant, so a filter that would scan for a minute is cancelled
	// after a few seconds and costs nothing extra when it does not.
	timeout string
	// jobTimeout is timeout for background jobs (see ForJobs).
	jobTimeout string
	// lookBack is how far an incremental sync's window reaches back before
	// the previous successful run's start (SyncLookBack).
	lookBack time.Duration
	// push turns the write-backs a transaction queued into jobs (push_outbox.go).
	push *pushHook
}

// Default statement timeouts: requests are interactive and a runaway one
// holds a backend and its memory; a sync page applies hundreds of records in
// one transaction and must not be killed by the request budget.
const (
	DefaultStatementTimeout    = 5 * time.Second
	DefaultJobStatementTimeout = 5 * time.Minute
	// DefaultSyncLookBack is ITAM_SYNC_LOOKBACK's default: vendors index
	// changes late and clocks drift, so incremental windows overlap.
	DefaultSyncLookBack = 10 * time.Minute
)

// Open connects to url and switches every connection to AppRole, so even
// when DATABASE_URL names the owning or a superuser role, the server's
// queries are subject to row-level security. It refuses to run when the
// effective role could bypass RLS.
func Open(ctx context.Context, url string, log *slog.Logger, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse DATABASE_URL: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams == nil {
		cfg.ConnConfig.RuntimeParams = map[string]string{}
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "itam"
	// JIT compiles a plan with LLVM once its cost guess passes
	// jit_above_cost, which a generic plan over 100,000 assets does: a search
	// or a count then spends 250-340 ms compiling before a few ms of index
	// reads. The server's statements are short and repeated; none is worth
	// compiling. jit in the URL's options still wins.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	// pgxpool's default (4 on small machines) starves concurrent requests
	// whose resolvers each hold a connection for a moment; pool_max_conns in
	// the URL (ITAM_DB_MAX_CONNS) still wins.
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.NumCPU()))
	}
	set := settings{pool: cfg, timeout: DefaultStatementTimeout, jobTimeout: DefaultJobStatementTimeout, lookBack: DefaultSyncLookBack}
	for _, o := range opts {
		o(&set)
	}
	push := &pushHook{}
	cfg.ConnConfig.OnNotice = push.notice
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		// Without this pgx sends a uuid.UUID through its driver.Valuer, as
		// text to be parsed back, element by element for the id arrays every
		// page of relations is loaded with: about a tenth of the server's
		// CPU on a page of assets.
		pgxuuid.Register(c.TypeMap())
		_, err := c.Exec(ctx, "SET ROLE "+AppRole)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	var bypass bool
	err = pool.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user`).Scan(&bypass)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: check role %s (have migrations run?): %w", AppRole, err)
	}
	if bypass {
		pool.Close()
		return nil, fmt.Errorf("postgres: role %s bypasses row-level security; refusing to serve", AppRole)
	}
	if log == nil {
		log = slog.Default()
	}
	return &DB{Pool: pool, log: log, timeout: millis(set.timeout), jobTimeout: millis(set.jobTimeout), lookBack: set.lookBack, push: push}, nil
}

// Option tunes the pool.
type Option func(*settings)

type settings struct {
	pool                *pgxpool.Config
	timeout, jobTimeout time.Duration
	lookBack            time.Duration
}

// SyncLookBack sets how far before the previous successful run's start an
// incremental sync asks for changes (ITAM_SYNC_LOOKBACK); 0 starts exactly
// there.
func SyncLookBack(d time.Duration) Option {
	return func(s *settings) { s.lookBack = max(d, 0) }
}

// MaxConns sets the pool size (ITAM_DB_MAX_CONNS); 0 keeps the default.
func MaxConns(n int32) Option {
	return func(s *settings) {
		if n > 0 {
			s.pool.MaxConns = n
		}
	}
}

// StatementTimeout bounds every statement of a request
// (ITAM_STATEMENT_TIMEOUT); 0 disables the bound.
func StatementTimeout(d time.Duration) Option {
	return func(s *settings) { s.timeout = d }
}

// JobStatementTimeout bounds every statement of a background job
// (ITAM_JOB_STATEMENT_TIMEOUT); 0 disables the bound.
func JobStatementTimeout(d time.Duration) Option {
	return func(s *settings) { s.jobTimeout = d }
}

// millis renders d as statement_timeout reads it; below a millisecond
// rounds up so a tiny positive timeout never means "none".
func millis(d time.Duration) string {
	if d <= 0 {
		return "0"
	}
	return strconv.FormatInt(max(1, d.Milliseconds()), 10)
}

// ForJobs returns a DB over the same pool whose statements get the job
// statement timeout instead of the request one. Sync stores use it: a page
// apply is a long transaction by design.
func (db *DB) ForJobs() *DB {
	c := *db
	c.timeout = db.jobTimeout
	return &c
}

// Close closes the pool.
func (db *DB) Close() { db.Pool.Close() }

// Ping checks the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.Pool.Ping(ctx) }

func (db *DB) count() {
	if db.Queries != nil {
		db.Queries()
	}
}

// setOrgSQL sets the tenant and the statement timeout, both transaction-local.
const setOrgSQL = `SELECT set_config('itam.org_id', $1, true), set_config('statement_timeout', $2, true)`

// query runs one statement under org in a single round trip (see read).
func query[T any](ctx context.Context, db *DB, org uuid.UUID, sql string, args []any, scan func(pgx.CollectableRow) (T, error)) ([]T, error) {
	var out []T
	err := db.read(ctx, org, func(b *pgx.Batch) {
		queueRows(b, sql, args, scan, func(v T) { out = append(out, v) })
	})
	return out, err
}

// read runs the statements queue adds under org in a single round trip:
// the tenant setting and the statements travel as one pipelined batch,
// which PostgreSQL runs as one implicit transaction, so the
// transaction-local setting covers every statement and vanishes with them.
// Reads are the hot path; a BEGIN/COMMIT pair would triple their round
// trips, and a round trip per statement would multiply them.
func (db *DB) read(ctx context.Context, org uuid.UUID, queue func(b *pgx.Batch)) error {
	db.count()
	b := &pgx.Batch{}
	b.Queue(setOrgSQL, org.String(), db.timeout)
	if p, ok := readsAsPerson(ctx, org); ok {
		b.Queue(activePersonSQL, p.Subject)
	}
	queue(b)
	return mapError(db.Pool.SendBatch(ctx, b).Close())
}

// activePersonSQL fails with offboardedMessage when the caller's person
// record is offboarded (migration 00005).
const activePersonSQL = `SELECT itam.require_active_person($1)`

const offboardedMessage = "person is offboarded"

// readsAsPerson returns the caller in ctx when what they may read depends on
// their person record still being active (itam.Principal.ReadsAsPerson) and
// they read in org, their own organization.
func readsAsPerson(ctx context.Context, org uuid.UUID) (itam.Principal, bool) {
	p, ok := itam.PrincipalFrom(ctx)
	return p, ok && p.ReadsAsPerson() && p.OrgID == org
}

// queueRows adds a statement to b whose rows, scanned, go to use in order.
func queueRows[T any](b *pgx.Batch, sql string, args []any, scan func(pgx.CollectableRow) (T, error), use func(T)) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			v, err := scan(rows)
			if err != nil {
				return err
			}
			use(v)
		}
		return rows.Err()
	})
}

// queryOne is query for statements returning one row; no row is NOT_FOUND.
func queryOne[T any](ctx context.Context, db *DB, org uuid.UUID, what, sql string, args []any, scan func(pgx.CollectableRow) (T, error)) (T, error) {
	rows, err := query(ctx, db, org, sql, args, scan)
	var zero T
	if err != nil {
		return zero, err
	}
	if len(rows) == 0 {
		return zero, itam.NotFound(what)
	}
	return rows[0], nil
}

// inTx runs fn in one transaction under org. BEGIN, the tenant setting and
// the statement timeout go in one simple-protocol round trip (the org id is
// a UUID we formatted and the timeout a number, never user text), so a
// mutation pays for BEGIN+COMMIT and nothing else.
func (db *DB) inTx(ctx context.Context, org uuid.UUID, fn func(tx pgx.Tx) error) error {
	db.count()
	tx, err := db.Pool.BeginTx(ctx, pgx.TxOptions{
		BeginQuery: fmt.Sprintf("BEGIN; SELECT set_config('itam.org_id', '%s', true), set_config('statement_timeout', '%s', true)", org.String(), db.timeout),
	})
	if err != nil {
		return mapError(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit this is a no-op
	db.beginPushes(tx)
	if p, ok := readsAsPerson(ctx, org); ok {
		// A round trip, but only for such callers, whose transactions are
		// refused by role before they get here today: a backstop.
		if _, err := tx.Exec(ctx, activePersonSQL, p.Subject); err != nil {
			return mapError(err)
		}
	}
	if err := fn(tx); err != nil {
		return mapError(err)
	}
	if err := db.flushPushes(ctx, tx); err != nil {
		return mapError(err)
	}
	return mapError(tx.Commit(ctx))
}

// mapError turns database errors into domain errors. Constraint names carry
// the column, so a violated foreign key or check names the input field.
func mapError(err error) error {
	if err == nil {
		return nil
	}
	var de *itam.Error
	if errors.As(err, &de) {
		return err
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.NotFound("record")
		}
		return err
	}
	if f, ok := constraintFields[pe.ConstraintName]; ok {
		switch pe.Code {
		case "23505":
			return itam.Conflict(f.field, "%s", f.message)
		default:
			return itam.Invalid(f.field, "%s", f.message)
		}
	}
	switch pe.Code {
	case "57014":
		// query_canceled is also a cancelled context (the client went
		// away); only the statement timeout is the request's own fault.
		if strings.Contains(pe.Message, "statement timeout") {
			return itam.Timeout("the request ran longer than the statement timeout; narrow the filter or ask for a smaller page")
		}
	case "23505":
		return itam.Conflict("", "a record with these values already exists")
	case "23503":
		// A delete blocked by references reads "update or delete on table …".
		if strings.HasPrefix(pe.Message, "update or delete on table") {
			return itam.Conflict("id", "record is still referenced by %s", pe.TableName)
		}
		if col := fkColumn(pe.ConstraintName); col != "" {
			return itam.Invalid(camel(col), "unknown %s", strings.ReplaceAll(strings.TrimSuffix(col, "_id"), "_", " "))
		}
		return itam.Invalid("", "a referenced record does not exist")
	case "23514", "23502", "22P02", "22001", "22003", "22007", "22008":
		return itam.Invalid("", "invalid value: %s", pe.Message)
	case "22021", "22P05", "54001":
		// Backstops behind itam.CheckText and the filter limits: a NUL or a
		// bad byte PostgreSQL refuses, an expression too deep to plan.
		return itam.Invalid("", "input cannot be stored or evaluated: %s", pe.Message)
	case "42501":
		if pe.Message == offboardedMessage {
			return itam.ErrPersonOffboarded
		}
		return itam.Forbidden("not allowed")
	}
	return err
}

// fkColumn extracts the referencing column from PostgreSQL's default name
// for a composite (org_id, x_id) foreign key: "<table>_org_id_<col>_fkey".
func fkColumn(constraint string) string {
	if !strings.HasSuffix(constraint, "_fkey") {
		return ""
	}
	i := strings.Index(constraint, "_org_id_")
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(constraint[i+len("_org_id_"):], "_fkey")
}

func camel(snake string) string {
	parts := strings.Split(snake, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] == "id" {
			parts[i] = "Id"
			continue
		}
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

type constraintField struct{ field, message string }

// constraintFields names the input field behind each constraint a user can violate.
var constraintFields = map[string]constraintField{
	"assets_org_tag":                       {"assetTag", "asset tag is already in use"},
	"assets_org_manufacturer_serial":       {"serialNumber", "serial number is already recorded for this manufacturer"},
	"assets_single_assignee":               {"assignee", "an asset is assigned to a person or a location, not both"},
	"assets_one_owner":                     {"owner", "an asset has exactly one owner: a person or a team"},
	"assets_price_currency":                {"purchasePrice", "price and currency go together"},
	"assets_purchase_price_check":          {"purchasePrice.amount", "price cannot be negative"},
	"assets_retired_unassigned":            {"assignee", "a retired or disposed asset cannot be assigned"},
	"assets_disposed_fields":               {"disposal", "disposal date and method are required"},
	"people_org_email":                     {"email", "email is already used by another person"},
	"people_email_check":                   {"email", "email is not valid"},
	"people_org_employee_number":           {"employeeNumber", "employee number is already used"},
	"people_check":                         {"endDate", "end date is before start date"},
	"teams_org_id_name_key":                {"name", "a team with this name exists"},
	"manufacturers_org_name":               {"name", "a manufacturer with this name exists"},
	"categories_org_name":                  {"name", "a category with this name exists"},
	"models_org_manufacturer_name":         {"name", "this manufacturer already has a model with this name"},
	"models_useful_life_months_check":      {"usefulLifeMonths", "useful life must be between 1 and 600 months"},
	"suppliers_org_name":                   {"name", "a supplier with this name exists"},
	"locations_org_id_parent_id_name_key":  {"name", "a location with this name exists under the same parent"},
	"locations_no_cycle":                   {"parentId", "a location cannot be inside itself"},
	"organizations_slug_key":               {"slug", "slug is taken"},
	"organizations_slug_check":             {"slug", "slug must be lowercase letters, digits and dashes"},
	"organizations_asset_tag_prefix_check": {"assetTagPrefix", "prefix is at most 16 characters"},
}
