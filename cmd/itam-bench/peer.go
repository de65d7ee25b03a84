package main

// The peer (issue 14): PostGraphile 5.1.5, the best-known GraphQL server
// over PostgreSQL, on the same bench database in the same run. -peers
// installs it with npm into a temporary folder (with Node 22 from npm's
// "node" package when the system's Node is older), starts it as the
// database's owner with the amber preset, and measures it with the same
// client as the server. Anything that keeps it from running (no npm, no
// registry, a failed install or start) skips the peer with a message.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	peerPackage = "postgraphile@5.1.5"
	peerNode    = "node@22"
	// peerMinNode is the oldest Node PostGraphile 5 runs on.
	peerMinNode = 22
)

// installPeer installs PostGraphile (and Node 22 when needed) into dir and
// returns the node binary to run it with.
func installPeer(ctx context.Context, dir string, progress func(string, ...any)) (string, error) {
	if _, err := exec.LookPath("npm"); err != nil {
		return "", errors.New("npm not found")
	}
	pkgs := []string{peerPackage}
	node, err := exec.LookPath("node")
	if err != nil || nodeMajor(node) < peerMinNode {
		pkgs = append(pkgs, peerNode)
		node = filepath.Join(dir, "node_modules", ".bin", "node")
	}
	t0 := time.Now()
	ictx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	args := append([]string{"install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel", "error"}, pkgs...)
	cmd := exec.CommandContext(ictx, "npm", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("npm install %s: %v: %s", strings.Join(pkgs, " "), err, lastLines(out, 5))
	}
	if m := nodeMajor(node); m < peerMinNode {
		return "", fmt.Errorf("%s is Node %d, PostGraphile 5 needs %d", node, m, peerMinNode)
	}
	progress("peer: installed %s with npm in %s (not measured)", strings.Join(pkgs, ", "), time.Since(t0).Round(time.Second))
	return node, nil
}

// nodeMajor is the major version of a node binary, 0 when it does not run.
func nodeMajor(node string) int {
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return 0
	}
	v, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(string(out)), "v"), ".")
	n, _ := strconv.Atoi(v)
	return n
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " / ")
}

// preparePeerDatabase renames the enum asset_condition for PostGraphile
// only (a smart comment, in the bench database): its name would clash
// with the condition input type PostGraphile derives from table assets.
func preparePeerDatabase(ctx context.Context, owner *pgxpool.Pool) error {
	_, err := owner.Exec(ctx, `COMMENT ON TYPE asset_condition IS E'@name asset_condition_enum'`)
	return err
}

// peerConfig is the preset the peer runs with (graphile.config.mjs, read
// from its working directory): amber, without the plugin that hides
// ordering by unindexed columns and relations whose foreign key has no
// index of its own — v4's ignoreIndexes: false. Without it PostGraphile
// can neither sort assets by tag nor list a person's assets; what those
// queries cost is then PostgreSQL's business, as it is for the server.
const peerConfig = `import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
export default { extends: [PostGraphileAmberPreset], disablePlugins: ["PgIndexBehaviorsPlugin"] };
`

// startPeer runs PostGraphile with peerConfig on dbURL (the owner's)
// at addr and waits until it answers a query.
func startPeer(ctx context.Context, dir, node, dbURL, addr string) (*childProc, error) {
	host, port, _ := strings.Cut(addr, ":")
	if err := os.WriteFile(filepath.Join(dir, "graphile.config.mjs"), []byte(peerConfig), 0o644); err != nil {
		return nil, err
	}
	cli := filepath.Join(dir, "node_modules", "postgraphile", "dist", "cli-run.js")
	cmd := exec.Command(node, cli, "-c", dbURL, "-s", "public", "-n", host, "-p", port)
	cmd.Dir = dir // the preset resolves from dir's node_modules
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "NODE_ENV=production", "GRAPHILE_ENV=production"}
	url := "http://" + addr + "/graphql"
	return startChild(ctx, "PostGraphile", cmd, 16<<10, true, 90*time.Second, 200*time.Millisecond, answers200(func() (int, error) {
		resp, err := http.Post(url, "application/json", strings.NewReader(`{"query":"{__typename}"}`))
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}))
}

// peerSchema is what the bench needs to know of PostGraphile's schema:
// the fields of each type it queries.
type peerSchema map[string][]string

const peerIntrospection = `{ __schema { types { name fields { name } enumValues { name } } } }`

func introspectPeer(ctx context.Context, c *gqlClient) (peerSchema, error) {
	data, err := c.do(ctx, "", peerIntrospection, nil)
	if err != nil {
		return nil, err
	}
	var d struct {
		Schema struct {
			Types []struct {
				Name       string `json:"name"`
				Fields     []named
				EnumValues []named `json:"enumValues"`
			} `json:"types"`
		} `json:"__schema"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	s := peerSchema{}
	for _, t := range d.Schema.Types {
		for _, f := range append(t.Fields, t.EnumValues...) {
			s[t.Name] = append(s[t.Name], f.Name)
		}
	}
	return s, nil
}

// field finds typ's field named prefix…suffix (e.g. modelBy…ModelId), or
// records what is missing.
func (s peerSchema) field(typ, prefix, suffix string, missing *[]string) string {
	for _, f := range s[typ] {
		if strings.HasPrefix(f, prefix) && strings.HasSuffix(f, suffix) {
			return f
		}
	}
	*missing = append(*missing, typ+"."+prefix+"…"+suffix)
	return "missing"
}

// has reports whether typ has the field or enum value name.
func (s peerSchema) has(typ, name string) bool {
	for _, f := range s[typ] {
		if f == name {
			return true
		}
	}
	return false
}

// peerWalkCursors collects the peer's cursor of every 100th asset in tag
// order: the same positions as samples.cursors, so a random page is the
// same page on every side.
func peerWalkCursors(ctx context.Context, c *gqlClient, q peerQueries) ([]string, error) {
	var out []string
	var after *string
	for {
		data, err := c.do(ctx, "", q.walk, map[string]any{"after": after})
		if err != nil {
			return nil, err
		}
		var d map[string]struct {
			Edges    []struct{ Cursor string } `json:"edges"`
			PageInfo struct {
				HasNextPage bool   `json:"hasNextPage"`
				EndCursor   string `json:"endCursor"`
			} `json:"pageInfo"`
		}
		if err := json.NewDecoder(bytes.NewReader(data)).Decode(&d); err != nil {
			return nil, err
		}
		page := d[q.allAssets]
		for i := 99; i < len(page.Edges); i += 100 {
			out = append(out, page.Edges[i].Cursor)
		}
		if !page.PageInfo.HasNextPage || len(page.Edges) == 0 {
			return out, nil
		}
		after = &page.PageInfo.EndCursor
	}
}

// startPeerSide installs, starts and introspects PostGraphile and collects
// its cursors; nil and the reason when the peer cannot run, else the side
// and a line saying what ran.
func startPeerSide(ctx context.Context, owner *pgxpool.Pool, dbURL, dir string, client *http.Client, smp *samples, postmaster int,
	progress func(string, ...any)) (*peerSide, string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err.Error()
	}
	node, err := installPeer(ctx, dir, progress)
	if err != nil {
		return nil, err.Error()
	}
	if err := preparePeerDatabase(ctx, owner); err != nil {
		return nil, "smart comment on asset_condition: " + err.Error()
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err.Error()
	}
	proc, err := startPeer(ctx, dir, node, dbURL, addr)
	if err != nil {
		return nil, err.Error()
	}
	gql := &gqlClient{http: client, url: "http://" + addr + "/graphql"}
	fail := func(err error) (*peerSide, string) {
		_ = proc.stop(10 * time.Second)
		return nil, err.Error()
	}
	schema, err := introspectPeer(ctx, gql)
	if err != nil {
		return fail(fmt.Errorf("introspection: %w", err))
	}
	q, err := buildPeerQueries(schema)
	if err != nil {
		return fail(err)
	}
	if smp.peerCursors, err = peerWalkCursors(ctx, gql, q); err != nil {
		return fail(fmt.Errorf("cursor walk: %w", err))
	}
	if len(smp.peerCursors) != len(smp.cursors) {
		return fail(fmt.Errorf("its cursor walk found %d positions, the server's %d", len(smp.peerCursors), len(smp.cursors)))
	}
	side := &peerSide{proc: proc, gql: gql, q: q, counter: func() counters {
		return counters{serverCPU: pidCPU(proc.pid()), clientCPU: selfCPU(), pgCPU: postgresCPU(postmaster), machineBusy: machineBusy()}
	}}
	how := fmt.Sprintf("%s on Node %d, amber preset, as the database owner (no RLS), pid %d", peerPackage, nodeMajor(node), proc.pid())
	progress("peer: %s", how)
	return side, how
}
