package main

// The SQL floor (issue 14): for each workload the minimal hand-written SQL
// for the same data, run through pgx with the clients the server gets,
// decoding the rows into Go values and writing the response's JSON shape
// with encoding/json — what any server must at least do. It runs as the
// server does under row-level security: a pool whose connections SET ROLE
// itam_app, and per request one pipelined batch (one implicit transaction)
// that sets itam.org_id and statement_timeout transaction-locally, then
// runs the workload's statements, which pgx prepares once per connection
// and caches (the page joins run a generic plan, see stmt). The JSON goes
// to a CRC-32 (io.Discard plus a checksum), so the encoding is paid for
// and cannot be optimized away.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
	"strings"
	"sync/atomic"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	pgxuuid "github.com/vgarvardt/pgx-google-uuid/v5"

	"github.com/itam-dev/itam/internal/postgres"
)

// sqlFloor is the pool and tenant the SQL floor reads with.
type sqlFloor struct {
	pool    *pgxpool.Pool
	org     uuid.UUID
	timeout string // statement_timeout, as the server sets it
	// queries counts round trips (one batch each), like DB.Queries.
	queries atomic.Int64
	// sum is the running checksum of every response written.
	sum atomic.Uint32
	// explain, when set, receives the plans of the statements instead
	// (-explain-sql); never set while measuring.
	explain io.Writer
}

// openSQLFloor opens a pool on url with the server's pool size and role.
func openSQLFloor(ctx context.Context, url string, org uuid.UUID) (*sqlFloor, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(url, "pool_max_conns") {
		cfg.MaxConns = int32(max(8, 4*runtime.NumCPU())) // postgres.Open's default
	}
	cfg.ConnConfig.RuntimeParams["application_name"] = "itam-bench-sql"
	cfg.ConnConfig.RuntimeParams["jit"] = "off" // as postgres.Open sets it for the server
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		pgxuuid.Register(c.TypeMap())
		_, err := c.Exec(ctx, "SET ROLE "+postgres.AppRole)
		return err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &sqlFloor{pool: pool, org: org, timeout: fmt.Sprint(postgres.DefaultStatementTimeout.Milliseconds())}, nil
}

func (f *sqlFloor) Close() { f.pool.Close() }

// stmt is one statement of a request and what reads its rows.
type stmt struct {
	sql  string
	args []any
	rows func(pgx.Rows) error
	// generic: plan it once per connection (plan_cache_mode
	// force_generic_plan). The page's 9-way join takes far longer to plan
	// than to run, and PostgreSQL would otherwise keep planning it per
	// execution; a server with one statement would prepare it the same way.
	generic bool
}

// read runs stmts in one round trip under the organization.
func (f *sqlFloor) read(ctx context.Context, stmts ...stmt) error {
	f.queries.Add(1)
	mode := "auto"
	for _, s := range stmts {
		if s.generic {
			mode = "force_generic_plan"
		}
	}
	b := &pgx.Batch{}
	b.Queue(`SELECT set_config('itam.org_id', $1, true), set_config('statement_timeout', $2, true), set_config('plan_cache_mode', $3, true)`,
		f.org.String(), f.timeout, mode)
	for _, s := range stmts {
		if f.explain != nil {
			f.explainStmt(b, s)
			continue
		}
		b.Queue(s.sql, s.args...).Query(s.rows)
	}
	return b2err(f.pool.SendBatch(ctx, b).Close())
}

// explainStmt queues EXPLAIN (ANALYZE, BUFFERS) of s, whose plan goes to
// f.explain instead of s's rows being read (-explain-sql).
func (f *sqlFloor) explainStmt(b *pgx.Batch, s stmt) {
	b.Queue("EXPLAIN (ANALYZE, BUFFERS) "+s.sql, s.args...).Query(func(rows pgx.Rows) error {
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			fmt.Fprintln(f.explain, "  "+line)
		}
		return rows.Err()
	})
}

func b2err(err error) error {
	if err != nil {
		return fmt.Errorf("sql floor: %w", err)
	}
	return nil
}

// respond writes {"data": data} as JSON into the checksum.
func (f *sqlFloor) respond(data any) error {
	h := crc32.NewIEEE()
	if err := json.NewEncoder(h).Encode(struct {
		Data any `json:"data"`
	}{data}); err != nil {
		return err
	}
	f.sum.Add(h.Sum32())
	return nil
}

// floorCursor encodes a keyset position the way a server would have to.
func floorCursor(key string, id uuid.UUID) string {
	b, _ := json.Marshal(struct {
		K string `json:"k"`
		I string `json:"i"`
	}{key, id.String()})
	return base64.RawURLEncoding.EncodeToString(b)
}

// ---- the JSON shapes of the responses ----

type jNamed struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type jKinded struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

type jPerson struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
}

type jPageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

// fpName is a fingerprint part: the name, or "-" for none.
func fpName(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}
