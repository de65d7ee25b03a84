package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// samples are real values from the seeded data that requests pick from.
type samples struct {
	tags      []string    // asset tags
	ids       []uuid.UUID // asset ids
	fragments []string    // search fragments of tags, serials and people's names
	cursors   []string    // cursors of every 100th asset in the default order
	cursorIDs []uuid.UUID // the assets those cursors point at (the SQL floor's positions)
	// peerCursors: the peer's cursors at the same positions (peer.go)
	peerCursors []string
	// deep: the position before page 51 of each deep variant (sorted.go)
	deep     map[string]params
	products []uuid.UUID // software products (compliance.go)
}

// loadSamples reads values to build requests from: tags and fragments
// through the superuser pool, cursors through the store (their format is
// the store's business).
func loadSamples(ctx context.Context, admin *pgxpool.Pool, orgID uuid.UUID, assets *postgres.AssetStore, ctxP context.Context) (samples, error) {
	var s samples
	rows, err := admin.Query(ctx, `SELECT id, asset_tag FROM assets WHERE org_id = $1 ORDER BY random() LIMIT 5000`, orgID)
	if err != nil {
		return s, err
	}
	var id uuid.UUID
	var tag string
	if _, err := pgx.ForEachRow(rows, []any{&id, &tag}, func() error {
		s.ids, s.tags = append(s.ids, id), append(s.tags, tag)
		return nil
	}); err != nil {
		return s, err
	}
	// Fragments: 4 to 6 characters from a random position of a serial, a
	// person's name or a tag's numeric part, as someone typing into a
	// search box would.
	rows, err = admin.Query(ctx, `
		(SELECT serial_number FROM assets WHERE org_id = $1 AND serial_number IS NOT NULL ORDER BY random() LIMIT 700)
		UNION ALL
		(SELECT name FROM people WHERE org_id = $1 ORDER BY random() LIMIT 700)
		UNION ALL
		(SELECT asset_tag FROM assets WHERE org_id = $1 ORDER BY random() LIMIT 600)`, orgID)
	if err != nil {
		return s, err
	}
	src, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return s, err
	}
	for i, v := range src {
		r := []rune(v)
		n := 4 + i%3
		if len(r) <= n {
			s.fragments = append(s.fragments, v)
			continue
		}
		off := (i * 7919) % (len(r) - n + 1)
		frag := strings.TrimSpace(string(r[off : off+n]))
		if len([]rune(frag)) < 3 {
			frag = string(r[:n])
		}
		s.fragments = append(s.fragments, frag)
	}
	// Cursors: walk the whole list in the default order (asset tag) in
	// pages of 500, keeping the cursor of every 100th asset.
	first := itam.MaxPageSize
	var after *string
	for {
		page, err := assets.ListAssets(ctxP, itam.AssetQuery{}, itam.PageArgs{First: &first, After: after})
		if err != nil {
			return s, fmt.Errorf("prefetch cursors: %w", err)
		}
		for i := 99; i < len(page.Cursors); i += 100 {
			s.cursors = append(s.cursors, page.Cursors[i])
			s.cursorIDs = append(s.cursorIDs, page.Items[i].ID)
		}
		if !page.HasNextPage || len(page.Cursors) == 0 {
			break
		}
		after = &page.Cursors[len(page.Cursors)-1]
	}
	if len(s.tags) == 0 || len(s.fragments) == 0 {
		return s, errors.New("the seeded organization has no assets")
	}
	return s, nil
}

// buildServer builds the itam binary exactly as `make build` does.
func buildServer(ctx context.Context, dir string) (string, error) {
	root, err := benchkit.ModuleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "itam")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// freeAddr returns a loopback address with a port free right now. The server
// logs its address only at info level, and the benchmark runs it at warn
// (one log line per request would be part of what is measured), so the
// port is chosen here.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer runs `bin serve` with exactly env (plus PATH and HOME) and
// waits until /readyz answers 200.
func startServer(ctx context.Context, bin string, env map[string]string, base string) (*childProc, error) {
	cmd := exec.Command(bin, "serve")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return startChild(ctx, "server", cmd, 64<<10, false, 30*time.Second, 50*time.Millisecond, answers200(func() (int, error) {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}))
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append([]byte(nil), t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}

// poolStats are the server's database pool counters from its /metrics:
// every database round trip acquires a pool connection once.
type poolStats struct {
	acquires int64
	wait     time.Duration
}

func scrapePool(client *http.Client, base string) (poolStats, error) {
	var ps poolStats
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		return ps, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	found := 0
	for sc.Scan() {
		line := sc.Bytes()
		if v, ok := bytes.CutPrefix(line, []byte("itam_db_pool_acquires_total ")); ok {
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return ps, err
			}
			ps.acquires = int64(f)
			found++
		}
		if v, ok := bytes.CutPrefix(line, []byte("itam_db_pool_acquire_wait_seconds_total ")); ok {
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return ps, err
			}
			ps.wait = time.Duration(f * float64(time.Second))
			found++
		}
	}
	if err := sc.Err(); err != nil {
		return ps, err
	}
	if found != 2 {
		return ps, errors.New("itam_db_pool_acquires_total or itam_db_pool_acquire_wait_seconds_total missing from /metrics")
	}
	return ps, nil
}

// awaitNormalization waits until no software normalization run of org is
// queued or running.
func awaitNormalization(ctx context.Context, owner *pgxpool.Pool, org uuid.UUID, progress func(string, ...any)) error {
	t0 := time.Now()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		var busy bool
		err := owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM software_normalization_runs WHERE org_id = $1 AND state IN ('QUEUED', 'RUNNING'))`, org).Scan(&busy)
		if err != nil {
			return fmt.Errorf("software normalization runs: %w", err)
		}
		if !busy {
			if d := time.Since(t0); d > time.Second {
				progress("waited %s for the software renormalization to finish", d.Round(time.Millisecond))
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}
