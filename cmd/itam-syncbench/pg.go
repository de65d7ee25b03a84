package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/internal/benchkit"
)

func withQuery(raw, key, value string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

var settingName = regexp.MustCompile(`^[a-z_][a-z0-9_.]*$`)

// reconfigure applies settings to the throwaway cluster with ALTER SYSTEM
// and restarts it (pg_ctl restart, as the postgres OS user when we are
// root, as devdb runs it), so that settings needing a restart
// (shared_preload_libraries, shared_buffers) take effect.
func reconfigure(ctx context.Context, adminURL string, settings []string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	var dataDir, binDir string
	err = func() error {
		defer conn.Close(ctx)
		for _, kv := range settings {
			k, v, _ := strings.Cut(kv, "=")
			k = strings.ToLower(strings.TrimSpace(k))
			if !settingName.MatchString(k) {
				return fmt.Errorf("-pg-conf: bad setting name %q", k)
			}
			// An extension's settings are known only once its module is loaded.
			if module, _, ok := strings.Cut(k, "."); ok {
				_, _ = conn.Exec(ctx, "LOAD '"+module+"'")
			}
			if _, err := conn.Exec(ctx, "ALTER SYSTEM SET "+k+" = '"+strings.ReplaceAll(strings.TrimSpace(v), "'", "''")+"'"); err != nil {
				return fmt.Errorf("ALTER SYSTEM SET %s: %w", k, err)
			}
		}
		if err := conn.QueryRow(ctx, `SHOW data_directory`).Scan(&dataDir); err != nil {
			return err
		}
		return conn.QueryRow(ctx, `SELECT setting FROM pg_config WHERE name = 'BINDIR'`).Scan(&binDir)
	}()
	if err != nil {
		return err
	}
	name, args := filepath.Join(binDir, "pg_ctl"), []string{"restart", "-w", "-t", "60", "-m", "fast", "-D", dataDir, "-l", filepath.Join(dataDir, "postgres.log")}
	if os.Geteuid() == 0 {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = "/"
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pg_ctl restart: %w\n%s", err, out)
	}
	return nil
}

// pgInfo is what the bench knows of the PostgreSQL server.
type pgInfo struct {
	version    string
	settings   string
	postmaster int // local pid, 0 when the server is not on this machine
	statements bool
}

func inspectPostgres(ctx context.Context, owner *pgxpool.Pool, wantStatements bool) (*pgInfo, error) {
	pg := &pgInfo{}
	if err := owner.QueryRow(ctx, `SHOW server_version`).Scan(&pg.version); err != nil {
		return nil, err
	}
	var parts []string
	for _, s := range []string{"shared_buffers", "work_mem", "fsync", "synchronous_commit", "full_page_writes", "max_wal_size"} {
		var v string
		if err := owner.QueryRow(ctx, "SHOW "+s).Scan(&v); err != nil {
			return nil, err
		}
		parts = append(parts, s+"="+v)
	}
	pg.settings = strings.Join(parts, " ")
	pm, err := benchkit.Postmaster(ctx, owner)
	if err != nil {
		return nil, err
	}
	pg.postmaster = pm
	if wantStatements {
		if _, err := owner.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
			return nil, fmt.Errorf("-pg-stats: %w", err)
		}
		if _, err := owner.Exec(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
			return nil, fmt.Errorf("-pg-stats: pg_stat_statements is not loaded (shared_preload_libraries): %w", err)
		}
		pg.statements = true
	}
	return pg, nil
}

func (pg *pgInfo) cpu() time.Duration { return benchkit.TreeCPU(pg.postmaster) }

func (pg *pgInfo) resetStatements(ctx context.Context, owner *pgxpool.Pool) error {
	if !pg.statements {
		return nil
	}
	_, err := owner.Exec(ctx, `SELECT pg_stat_statements_reset()`)
	return err
}

// statementRow is one line of pg_stat_statements.
type statementRow struct {
	Calls   int64   `json:"calls"`
	TotalMS float64 `json:"total_ms"`
	MeanMS  float64 `json:"mean_ms"`
	Rows    int64   `json:"rows"`
	Query   string  `json:"query"`
}

// topStatements returns the statements of this database that took the most
// execution time since the last reset, and the total of all of them.
func (pg *pgInfo) topStatements(ctx context.Context, owner *pgxpool.Pool, n int) ([]statementRow, float64, error) {
	if !pg.statements {
		return nil, 0, nil
	}
	var total float64
	if err := owner.QueryRow(ctx, `SELECT coalesce(sum(total_exec_time), 0) FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := owner.Query(ctx, `SELECT calls, total_exec_time, mean_exec_time, rows, query FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		ORDER BY total_exec_time DESC LIMIT $1`, n)
	if err != nil {
		return nil, 0, err
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (statementRow, error) {
		var s statementRow
		err := r.Scan(&s.Calls, &s.TotalMS, &s.MeanMS, &s.Rows, &s.Query)
		return s, err
	})
	return out, total, err
}

type tableCounts struct{ ins, upd, hot, del, vacuums, analyzes int64 }

// tableDelta is what a phase wrote to one table.
type tableDelta struct {
	Table    string `json:"table"`
	Inserted int64  `json:"inserted"`
	Updated  int64  `json:"updated"`
	HOT      int64  `json:"hot_updated"`
	Deleted  int64  `json:"deleted"`
	// Autovacuum and autoanalyze runs that finished during the phase.
	Autovacuums  int64 `json:"autovacuums"`
	Autoanalyzes int64 `json:"autoanalyzes"`
}

func tableStats(ctx context.Context, owner *pgxpool.Pool) (map[string]tableCounts, error) {
	rows, err := owner.Query(ctx, `SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del, autovacuum_count, autoanalyze_count FROM pg_stat_user_tables`)
	if err != nil {
		return nil, err
	}
	out := map[string]tableCounts{}
	var name string
	var c tableCounts
	_, err = pgx.ForEachRow(rows, []any{&name, &c.ins, &c.upd, &c.hot, &c.del, &c.vacuums, &c.analyzes}, func() error {
		out[name] = c
		return nil
	})
	return out, err
}

func diffTables(before, after map[string]tableCounts) []tableDelta {
	var out []tableDelta
	for name, a := range after {
		b := before[name]
		d := tableDelta{Table: name, Inserted: a.ins - b.ins, Updated: a.upd - b.upd, HOT: a.hot - b.hot, Deleted: a.del - b.del,
			Autovacuums: a.vacuums - b.vacuums, Autoanalyzes: a.analyzes - b.analyzes}
		if d.Inserted != 0 || d.Updated != 0 || d.Deleted != 0 || d.Autovacuums != 0 || d.Autoanalyzes != 0 {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		ti := out[i].Inserted + out[i].Updated + out[i].Deleted
		tj := out[j].Inserted + out[j].Updated + out[j].Deleted
		if ti != tj {
			return ti > tj
		}
		return out[i].Table < out[j].Table
	})
	return out
}

// copyServerLog copies the throwaway cluster's server log (where
// auto_explain writes) to dst.
func copyServerLog(ctx context.Context, adminURL, dst string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var dataDir string
	if err := conn.QueryRow(ctx, `SHOW data_directory`).Scan(&dataDir); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(dataDir, "postgres.log"))
	if err != nil {
		return err
	}
	return os.WriteFile(dst, b, 0o644)
}
