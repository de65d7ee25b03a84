package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"riverqueue.com/riverui"

	"github.com/itam-dev/itam/internal/auth"
	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/seed"
	"github.com/itam-dev/itam/internal/syncjob"
	"github.com/itam-dev/itam/migrations"
)

// TestRunServesFromScratch starts the real binary's run() against an empty
// database: migrations apply, the server answers health, and a token it
// minted with `token` works.
func TestRunServesFromScratch(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	dbURL := pgtest.NewURL(t)
	secret := hex.EncodeToString(testSecret)
	env := map[string]string{"DATABASE_URL": dbURL, "ITAM_ADDR": "127.0.0.1:0", "ITAM_JWT_SECRET": secret,
		"ITAM_DEBUG_ADDR": "127.0.0.1:0", "ITAM_METRICS_TOKEN": "scrape-secret"}
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	require.NoError(t, run(ctx, []string{"seed", "--org", "acme"}, getenv, &out, io.Discard))
	require.Contains(t, out.String(), "organization acme created")
	out.Reset()
	require.NoError(t, run(ctx, []string{"token", "--org", "acme", "--role", "MANAGER", "--sub", "it@acme.test"}, getenv, &out, io.Discard))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	tok := lines[len(lines)-1]

	logR, logW := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, getenv, io.Discard, logW); logW.Close() }()
	addrRe := regexp.MustCompile(`"msg":"listening","addr":"([^"]+)"`)
	debugRe := regexp.MustCompile(`"msg":"serving profiles","addr":"([^"]+)"`)
	var addr, debugAddr string
	sc := bufio.NewScanner(logR)
	for sc.Scan() {
		if m := debugRe.FindStringSubmatch(sc.Text()); m != nil {
			debugAddr = m[1]
		}
		if m := addrRe.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	go io.Copy(io.Discard, logR) //nolint:errcheck
	require.NotEmpty(t, addr)
	require.NotEmpty(t, debugAddr)
	// Outside dev mode and without ITAM_OPERATOR_TOKEN there is no job
	// dashboard; /metrics wants ITAM_METRICS_TOKEN, except on the debug listener.
	for url, want := range map[string]int{"http://" + addr + "/riverui/": http.StatusNotFound,
		"http://" + addr + "/metrics": http.StatusUnauthorized, "http://" + debugAddr + "/metrics": http.StatusOK} {
		res, err := http.Get(url)
		require.NoError(t, err)
		res.Body.Close()
		require.Equal(t, want, res.StatusCode, url)
	}
	res, err := http.Get("http://" + addr + "/readyz")
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ viewer { role organization { slug } } }"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.JSONEq(t, `{"data":{"viewer":{"role":"MANAGER","organization":{"slug":"acme"}}}}`, string(body))
	cancel()
	require.NoError(t, <-done)

	// Migrations are idempotent.
	applied, err := migrations.UpURL(context.Background(), dbURL)
	require.NoError(t, err)
	require.Empty(t, applied)
}

// TestJobDashboardNeedsOperatorToken: River's dashboard shows and acts on
// every organization's jobs, so only the operator token opens it; a
// tenant's ADMIN token is refused even for its own organization's jobs, and
// without an operator token the dashboard is not there at all.
func TestJobDashboardNeedsOperatorToken(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.NewURL(t)
	owner, err := pgxpool.New(ctx, dbURL)
	require.NoError(t, err)
	defer owner.Close()
	orgs := map[string]uuid.UUID{}
	for _, slug := range []string{"acme", "globex"} {
		id, _, err := seed.EnsureOrg(ctx, owner, slug, "")
		require.NoError(t, err)
		orgs[slug] = id
	}
	db, err := postgres.Open(ctx, dbURL, nil)
	require.NoError(t, err)
	t.Cleanup(db.Close)
	v, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	require.NoError(t, err)
	log := newLogger(io.Discard, "error")
	rc, err := syncjob.NewClient(syncjob.Deps{DB: db, Log: log}, syncjob.Options{})
	require.NoError(t, err)
	globexJob, err := rc.Insert(ctx, jobs.SyncArgs{OrgID: orgs["globex"], ConnectorID: uuid.New(), RunID: uuid.New()}, nil)
	require.NoError(t, err)
	dash, err := riverui.NewHandler(&riverui.HandlerOpts{Endpoints: riverui.NewEndpoints(rc, nil), Logger: log, Prefix: "/riverui"})
	require.NoError(t, err)
	dctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	require.NoError(t, dash.Start(dctx))
	operator := strings.Repeat("0123456789abcdef", 4)
	srv := httptest.NewServer(httpapi.NewServer(log, db, v, metrics.New(db.Pool), "", httpapi.WithJobDashboard(dash, operator)))
	t.Cleanup(srv.Close)

	do := func(method, path, tok string, jar http.CookieJar) *http.Response {
		t.Helper()
		var body io.Reader
		if method == http.MethodPost {
			body = strings.NewReader(fmt.Sprintf(`{"ids":["%d"]}`, globexJob.Job.ID))
		}
		req, _ := http.NewRequest(method, srv.URL+path, body)
		req.Header.Set("Content-Type", "application/json")
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := (&http.Client{Jar: jar}).Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res
	}
	job := fmt.Sprintf("/riverui/api/jobs/%d", globexJob.Job.ID)
	acmeAdmin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	globexAdmin := mint(t, "globex", itam.RoleAdmin, "admin@globex.test")
	cases := []struct {
		name, method, path, tok string
		status                  int
	}{
		{"no token", http.MethodGet, "/riverui/", "", http.StatusUnauthorized},
		{"another org's ADMIN reads a job", http.MethodGet, job, acmeAdmin, http.StatusForbidden},
		{"another org's ADMIN cancels a job", http.MethodPost, "/riverui/api/jobs/cancel", acmeAdmin, http.StatusForbidden},
		{"another org's ADMIN pauses the sync queue", http.MethodPut, "/riverui/api/queues/sync/pause", acmeAdmin, http.StatusForbidden},
		{"the job's own org's ADMIN", http.MethodGet, job, globexAdmin, http.StatusForbidden},
		{"a wrong operator token", http.MethodGet, "/riverui/", operator[1:] + "x", http.StatusForbidden},
		{"the operator reads the job", http.MethodGet, job, operator, http.StatusOK},
		{"the operator lists jobs", http.MethodGet, "/riverui/api/jobs?state=available", operator, http.StatusOK},
	}
	for _, c := range cases {
		require.Equal(t, c.status, do(c.method, c.path, c.tok, nil).StatusCode, c.name)
	}
	var state string
	require.NoError(t, owner.QueryRow(ctx, `SELECT state FROM river_job WHERE id = $1`, globexJob.Job.ID).Scan(&state))
	require.Equal(t, "available", state, "refused requests changed nothing")

	// A browser logs in once with ?token= and then rides the cookie.
	jar, _ := cookiejar.New(nil)
	require.Equal(t, http.StatusUnauthorized, do(http.MethodGet, "/riverui/login", "", jar).StatusCode)
	require.Equal(t, http.StatusForbidden, do(http.MethodGet, "/riverui/login?token="+acmeAdmin, "", jar).StatusCode)
	res := do(http.MethodGet, "/riverui/login?token="+operator, "", jar)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "/riverui/", res.Request.URL.Path)
	require.Equal(t, http.StatusOK, do(http.MethodGet, job, "", jar).StatusCode)

	// No operator token: no dashboard.
	off := httptest.NewServer(httpapi.NewServer(log, db, v, metrics.New(db.Pool), "", httpapi.WithJobDashboard(dash, "")))
	t.Cleanup(off.Close)
	for _, p := range []string{"/riverui/", "/riverui/login?token=" + acmeAdmin, job} {
		res, _ := getAuthed(t, off.URL+p, acmeAdmin)
		require.Equal(t, http.StatusNotFound, res.StatusCode, p)
	}
}
