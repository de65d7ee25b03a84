package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/httpapi"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/metrics"
	"github.com/itam-dev/itam/internal/pgtest"
)

// lineWriter hands each complete log line to a channel, so a test can wait
// for the line a request ends with instead of guessing when it is written.
type lineWriter struct {
	buf   []byte
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		select {
		case w.lines <- string(w.buf[:i]):
		default: // nobody reads any more: never block the server
		}
		w.buf = w.buf[i+1:]
	}
}

func scrape(t *testing.T, url, tok string) (int, string) {
	t.Helper()
	res, b := getAuthed(t, url+"/metrics", tok)
	return res.StatusCode, string(b)
}

// TestMetricsOperationLabelsAreBounded: operation names are the client's
// choice; past the first DefaultMaxOperations they all count as "other",
// so /metrics stops growing with them.
func TestMetricsOperationLabelsAreBounded(t *testing.T) {
	t.Parallel()
	a := newAPIWith(t, io.Discard, "info")
	tok := mint(t, "acme", itam.RoleAuditor, "audit@acme.test")
	for i := range 300 {
		a.ok(tok, fmt.Sprintf("query Op%d { viewer { role } }", i), nil)
	}
	_, body := scrape(t, a.srv.URL, "")
	labels := map[string]bool{}
	for _, m := range regexp.MustCompile(`itam_graphql_request_duration_seconds_count\{operation="([^"]*)"`).FindAllStringSubmatch(body, -1) {
		labels[m[1]] = true
	}
	require.LessOrEqual(t, len(labels), metrics.DefaultMaxOperations+1)
	require.True(t, labels["Op0"], "the first names keep their label")
	require.Contains(t, body, `itam_graphql_request_duration_seconds_count{operation="other",type="query"} 100`)
}

// TestMetricsToken: with ITAM_METRICS_TOKEN set, /metrics wants it.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	a := newAPIWith(t, io.Discard, "info", httpapi.WithMetricsToken("scrape-secret"))
	cases := []struct {
		tok  string
		want int
	}{{"", http.StatusUnauthorized}, {"wrong", http.StatusUnauthorized}, {"scrape-secret", http.StatusOK}}
	for _, c := range cases {
		status, body := scrape(t, a.srv.URL, c.tok)
		require.Equal(t, c.want, status, "token %q", c.tok)
		if c.want == http.StatusOK {
			require.Contains(t, body, `itam_http_requests_total{route="GET /metrics",status="4xx"} 2`, "the refused scrapes were counted")
		}
	}
}

// TestRequestLogSaysWhoAndWhatFailed: a refused mutation is a 200 in
// GraphQL; its log line still says who asked, which operation, and the
// error code.
func TestRequestLogSaysWhoAndWhatFailed(t *testing.T) {
	t.Parallel()
	logs := &lineWriter{lines: make(chan string, 100)}
	a := newAPIWith(t, logs, "info")
	r := a.do(mint(t, "acme", itam.RoleAuditor, "audit@acme.test"), `mutation AddTeam { createTeam(input: {name: "X"}) { team { id } } }`, nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Equal(t, "FORBIDDEN", r.Errors[0].Extensions["code"])

	timeout := time.After(30 * time.Second) // a deadline for a broken build, not a wait for success
	for {
		select {
		case l := <-logs.lines:
			var line map[string]any
			require.NoError(t, json.Unmarshal([]byte(l), &line), l)
			if line["msg"] != "http request" {
				continue
			}
			require.EqualValues(t, 200, line["status"])
			require.Equal(t, []any{"FORBIDDEN"}, line["error_codes"], l)
			require.Equal(t, "AddTeam", line["operation"], l)
			require.Equal(t, "mutation", line["operation_type"], l)
			require.Equal(t, "AUDITOR", line["role"], l)
			require.Equal(t, "audit@acme.test", line["subject"], l)
			require.Regexp(t, `^[0-9a-f-]{36}$`, line["org"], l)
			return
		case <-timeout:
			t.Fatal("no request log line")
		}
	}
}

// unreachableDB is a DATABASE_URL nothing listens on: a command that
// should not touch the database fails fast if it does.
const unreachableDB = "postgres://itam:x@127.0.0.1:1/itam?connect_timeout=2"

// TestRunUsage: help and version answer without starting anything, and
// an unknown flag or argument fails with the usage instead of serving.
func TestRunUsage(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": unreachableDB, "ITAM_JWT_SECRET": hex.EncodeToString(testSecret), "ITAM_ADDR": "127.0.0.1:0"}
	getenv := func(k string) string { return env[k] }
	cases := []struct {
		args             []string
		fails            bool
		stdout, stderr   string
		notStdout, error string
	}{
		{args: []string{"--help"}, stdout: "Usage:"},
		{args: []string{"-h"}, stdout: "itam db stop"},
		{args: []string{"help"}, stdout: "itam token --org SLUG"},
		{args: []string{"serve", "--help"}, stdout: "Usage:"},
		{args: []string{"token", "-h"}, stdout: "-org"},
		{args: []string{"seed", "--help"}, stdout: "-assets"},
		{args: []string{"db", "--help"}, stdout: "itam db stop"},
		{args: []string{"version"}, stdout: "itam "},
		{args: []string{"--bogus"}, fails: true, stderr: "Usage:", error: "-bogus"},
		{args: []string{"serve", "now"}, fails: true, stderr: "Usage:", error: `unexpected argument "now"`},
		{args: []string{"token", "--org", "acme", "--sub", "x", "--frobnicate"}, fails: true, stderr: "-org", error: "-frobnicate"},
		{args: []string{"launch"}, fails: true, stderr: "Usage:", error: `unknown command "launch"`},
		{args: []string{"db"}, fails: true, error: "stop"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), c.args, getenv, &stdout, &stderr)
			if c.fails {
				require.Error(t, err)
				require.ErrorContains(t, err, c.error)
				require.Contains(t, stderr.String(), c.stderr)
				require.NotContains(t, stdout.String(), "token")
			} else {
				require.NoError(t, err, stderr.String())
				require.Contains(t, stdout.String(), c.stdout)
				require.NotContains(t, stderr.String(), "listening")
			}
		})
	}
}

func TestVersionOf(t *testing.T) {
	t.Parallel()
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i+1 < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	cases := []struct {
		version  string
		settings []debug.BuildSetting
		want     string
	}{
		{"v0.0.0-20260105093000-b4f01a1abcde+dirty", vcs("vcs.revision", "b4f01a1abcdef0123", "vcs.modified", "true"),
			"v0.0.0-20260105093000-b4f01a1abcde+dirty (rev b4f01a1, modified)"},
		{"v1.2.3", vcs("vcs.revision", "abc1234ffff", "vcs.modified", "false"), "v1.2.3 (rev abc1234)"},
		{"(devel)", nil, "(devel)"},
		{"", vcs("vcs.revision", "abc"), "(devel) (rev abc)"},
	}
	for _, c := range cases {
		bi := &debug.BuildInfo{Main: debug.Module{Version: c.version}, Settings: c.settings}
		require.Equal(t, c.want, versionOf(bi))
	}
}

// TestRunRefusesProductionWithoutVerification: a real DATABASE_URL without
// ITAM_JWT_SECRET or ITAM_JWKS_URL is not dev mode; the server refuses to
// start, before touching the database, and says what to set.
func TestRunRefusesProductionWithoutVerification(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": unreachableDB, "ITAM_ADDR": "127.0.0.1:0", "ITAM_DATA_DIR": t.TempDir()}
	var stdout bytes.Buffer
	err := run(t.Context(), []string{"serve"}, func(k string) string { return env[k] }, &stdout, io.Discard)
	require.ErrorContains(t, err, "ITAM_JWT_SECRET")
	require.ErrorContains(t, err, "ITAM_DEV=true")
	require.Empty(t, stdout.String(), "no token printed")

	err = run(t.Context(), []string{"token", "--org", "acme", "--sub", "x@acme.test"}, func(k string) string { return env[k] }, &stdout, io.Discard)
	require.ErrorContains(t, err, "ITAM_JWT_SECRET", "no token signed with a secret no server uses")
}

// TestRunDevModeOnRealDatabase: ITAM_DEV=true makes a server on a
// DATABASE_URL a dev server: it prints an admin token that works and a
// job-dashboard login with a generated operator token.
func TestRunDevModeOnRealDatabase(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"DATABASE_URL": pgtest.NewURL(t), "ITAM_DEV": "true", "ITAM_ADDR": "127.0.0.1:0", "ITAM_DATA_DIR": t.TempDir()}
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, outW, io.Discard)
		outW.Close()
	}()
	var login, token string
	sc := bufio.NewScanner(outR)
	loginRe := regexp.MustCompile(`Job dashboard: (\S+)`)
	for token == "" && sc.Scan() {
		if m := loginRe.FindStringSubmatch(sc.Text()); m != nil {
			login = m[1]
		}
		if strings.Contains(sc.Text(), "Admin token") {
			for token == "" && sc.Scan() {
				token = strings.TrimSpace(sc.Text())
			}
		}
	}
	go io.Copy(io.Discard, outR) //nolint:errcheck
	require.NotEmpty(t, token)
	require.Contains(t, login, "/riverui/login?token=")
	base := login[:strings.Index(login, "/riverui/")]

	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", strings.NewReader(`{"query":"{ viewer { role organization { slug } } }"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.JSONEq(t, `{"data":{"viewer":{"role":"ADMIN","organization":{"slug":"demo"}}}}`, string(body))

	jar, _ := cookiejar.New(nil)
	res, err = (&http.Client{Jar: jar}).Get(login)
	require.NoError(t, err)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	res, _ = getAuthed(t, base+"/riverui/api/jobs?state=available", token)
	require.Equal(t, http.StatusForbidden, res.StatusCode, "the admin token does not open the dashboard")
	cancel()
	require.NoError(t, <-done)
}
