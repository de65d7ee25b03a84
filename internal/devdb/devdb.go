// Package devdb runs the project-local PostgreSQL that the server uses when
// DATABASE_URL is unset, and the throwaway clusters tests start, so that a
// fresh checkout needs nothing but PostgreSQL's server programs.
//
// A cluster is an ordinary data directory made by initdb. It listens on
// 127.0.0.1 only, on a port chosen once and written into its postgresql.conf,
// and has no unix socket: other machines cannot reach it, and it never
// competes for a system cluster's socket. The superuser "postgres" logs in
// with a generated password (scram-sha-256) kept in <data dir>/itam.password,
// mode 0600, so other local users cannot log in either.
//
// PostgreSQL refuses to run as root. When the caller is root, initdb and
// pg_ctl run as the "postgres" OS user through runuser, and the data
// directory belongs to that user. That user must be able to reach the data
// directory; when a parent of it is closed to it (a checkout under /root,
// which is mode 0700), the cluster lives in /var/lib/itam-devdb/<hash of the
// absolute directory> instead, and the directory is made a symlink to it.
//
// The package is for Linux (it reads /proc and uses flock, setsid, runuser).
package devdb

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	superuser    = "postgres"
	database     = "itam"
	passwordFile = "itam.password"
	serverLog    = "postgres.log"
	// relocateRoot is where a root-run cluster goes when the postgres user
	// cannot reach the requested directory. Not /tmp, which reboots empty,
	// nor /var/tmp, whose files systemd-tmpfiles deletes after 30 days unused:
	// either would take a dev database's files from under it.
	relocateRoot = "/var/lib/itam-devdb"
)

// searchDirs are where distributions install the server programs, which are
// usually not on PATH (Debian keeps one directory per major version).
var searchDirs = []string{"/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin"}

// Cluster is a running PostgreSQL server with its data directory.
type Cluster struct {
	bin      string // directory holding initdb, pg_ctl and postgres
	dataDir  string // the real data directory, after any relocation
	tempDir  string // removed by Stop; set only for StartTemp clusters
	port     int
	password string
	asRoot   bool     // run server programs as the postgres OS user
	uid, gid int      // of the postgres OS user, when asRoot
	watcher  *os.File // StartTemp: closing it lets the cleanup watcher exit
	log      *slog.Logger
}

// Ensure returns the cluster kept at dir, creating it with initdb on first
// use and starting it when it is not running, so that every run of the server
// finds the data the previous one left. The database "itam" is created if
// missing. The server is left running when the caller exits: the next run
// reuses it instead of paying for a start.
func Ensure(ctx context.Context, dir string, log *slog.Logger) (*Cluster, error) {
	c, err := newCluster(log)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	unlock, err := lockFile(abs + ".lock")
	if err != nil {
		return nil, err
	}
	defer unlock()

	if c.dataDir, err = c.place(ctx, abs); err != nil {
		return nil, err
	}
	version, err := os.ReadFile(filepath.Join(c.dataDir, "PG_VERSION"))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		c.log.Info("devdb: creating PostgreSQL cluster", "dir", c.dataDir)
		if err := c.initdb(ctx, "", false); err != nil {
			return nil, err
		}
	case err != nil:
		return nil, fmt.Errorf("devdb: %w", err)
	default:
		c.useVersion(version)
	}
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// StartTemp starts a throwaway cluster in a fresh temporary directory, for a
// test binary. It trades durability for speed (fsync, full_page_writes and
// synchronous_commit off), since its data is deleted anyway, and allows 200
// connections for tests running in parallel. Stop removes the directory; if
// the process dies without calling Stop, a detached watcher stops the server
// and removes the directory shortly after.
func StartTemp(ctx context.Context, log *slog.Logger) (*Cluster, error) {
	c, err := newCluster(log)
	if err != nil {
		return nil, err
	}
	if c.tempDir, err = os.MkdirTemp("", "itam-pgtest-"); err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	if err := c.chown(c.tempDir); err != nil {
		return nil, errors.Join(err, os.RemoveAll(c.tempDir))
	}
	if c.dataDir, err = c.place(ctx, filepath.Join(c.tempDir, "data")); err != nil {
		return nil, errors.Join(err, os.RemoveAll(c.tempDir))
	}
	const settings = "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n" +
		"max_connections = 200\nshared_buffers = 32MB\n"
	if err := c.initdb(ctx, settings, true); err != nil {
		return nil, errors.Join(err, os.RemoveAll(c.dataDir), os.RemoveAll(c.tempDir))
	}
	if err := c.start(ctx); err != nil {
		return nil, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
	}
	if err := c.watch(); err != nil {
		return nil, errors.Join(err, c.Stop(context.WithoutCancel(ctx)))
	}
	return c, nil
}

// URL is the superuser's URL for the database "itam".
func (c *Cluster) URL() string { return c.url(database) }

// AdminURL is the superuser's URL for the maintenance database "postgres",
// for creating and dropping databases and roles.
func (c *Cluster) AdminURL() string { return c.url("postgres") }

// Stop shuts the server down, disconnecting open sessions. For a StartTemp
// cluster it also removes the data, which was all it was for.
func (c *Cluster) Stop(ctx context.Context) error {
	mode := "fast"
	if c.tempDir != "" {
		mode = "immediate" // no point writing a checkpoint about to be deleted
	}
	var err error
	if out, runErr := c.command(ctx, c.prog("pg_ctl"), "stop", "-w", "-m", mode, "-D", c.dataDir).CombinedOutput(); runErr != nil {
		err = fmt.Errorf("devdb: pg_ctl stop: %w: %s", runErr, bytes.TrimSpace(out))
	}
	if c.tempDir != "" {
		err = errors.Join(err, os.RemoveAll(c.dataDir), os.RemoveAll(c.tempDir))
	}
	if c.watcher != nil {
		c.watcher.Close()
	}
	return err
}

func (c *Cluster) url(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(superuser, c.password),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable", // loopback only, and no certificate is set up
	}
	return u.String()
}

func newCluster(log *slog.Logger) (*Cluster, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, log: log, uid: -1, gid: -1}
	if os.Geteuid() != 0 {
		return c, nil
	}
	u, err := user.Lookup(superuser)
	if err != nil {
		return nil, errors.New(`devdb: running as root, which PostgreSQL refuses, and there is no "postgres" OS user to run it as: ` +
			"create one (useradd --system --user-group postgres), run as a normal user, or set DATABASE_URL")
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		return nil, errors.New("devdb: running as root needs runuser (util-linux) to start PostgreSQL as the postgres user; install util-linux, run as a normal user, or set DATABASE_URL")
	}
	c.asRoot = true
	c.uid, _ = strconv.Atoi(u.Uid)
	c.gid, _ = strconv.Atoi(u.Gid)
	return c, nil
}

// findBin returns the directory of the server programs: the one holding the
// initdb on PATH, else the newest major version in searchDirs.
func findBin() (string, error) {
	var dirs []string
	if p, err := exec.LookPath("initdb"); err == nil {
		if p, err = filepath.EvalSymlinks(p); err == nil {
			dirs = append(dirs, filepath.Dir(p))
		}
	}
	var found []string
	for _, g := range searchDirs {
		m, _ := filepath.Glob(g)
		found = append(found, m...)
	}
	version := func(dir string) float64 {
		v, _ := strconv.ParseFloat(strings.TrimPrefix(filepath.Base(filepath.Dir(dir)), "pgsql-"), 64)
		return v
	}
	sort.SliceStable(found, func(i, j int) bool { return version(found[i]) > version(found[j]) })
	for _, dir := range append(dirs, found...) {
		if isFile(filepath.Join(dir, "initdb")) && isFile(filepath.Join(dir, "pg_ctl")) && isFile(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", errors.New("devdb: PostgreSQL server programs (initdb, pg_ctl, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; " +
		"install them with `apt-get install postgresql` (Debian/Ubuntu), or set DATABASE_URL to use an existing PostgreSQL server")
}

// place returns the data directory to use for dir: dir itself, unless the
// programs run as the postgres user and that user cannot reach dir's parent.
// Then the data goes under relocateRoot and dir becomes a symlink to it, so
// the checkout still shows where its database is and later runs find it.
func (c *Cluster) place(ctx context.Context, dir string) (string, error) {
	if target, err := os.Readlink(dir); err == nil {
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(dir), target)
		}
		return target, nil
	}
	if !c.asRoot {
		return dir, nil
	}
	parent := filepath.Dir(dir)
	// Asking the kernel as that user covers modes, groups and ACLs alike.
	if c.command(ctx, "test", "-x", parent).Run() == nil {
		return dir, nil
	}
	sum := sha256.Sum256([]byte(dir))
	moved := filepath.Join(relocateRoot, hex.EncodeToString(sum[:6]))
	if err := os.MkdirAll(relocateRoot, 0o755); err != nil {
		return "", fmt.Errorf("devdb: %w", err)
	}
	// An empty directory is replaced by the link; anything more is not ours to move.
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("devdb: the postgres OS user cannot reach %s, and %s is not empty so it cannot become a link to %s: %w", parent, dir, moved, err)
	}
	if err := os.Symlink(moved, dir); err != nil {
		return "", fmt.Errorf("devdb: %w", err)
	}
	c.log.Info("devdb: the postgres OS user cannot reach this directory; the cluster lives elsewhere", "link", dir, "dir", moved)
	return moved, nil
}

// initdb creates the cluster in a staging directory and renames it into
// place once it is complete, so an interrupted first run leaves no half-made
// cluster for the next run to trip over. extra is appended to postgresql.conf.
func (c *Cluster) initdb(ctx context.Context, extra string, noSync bool) error {
	staging, pwfile := c.dataDir+".init", c.dataDir+".pwfile"
	if err := os.RemoveAll(staging); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	defer os.Remove(pwfile)
	password := rand.Text() // base32: safe in a URL and a conf file as is
	port, err := freePort()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if err := os.WriteFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if err := c.chown(staging, pwfile); err != nil {
		return err
	}
	args := []string{"-D", staging, "-U", superuser, "--auth=scram-sha-256", "--pwfile=" + pwfile,
		"--encoding=UTF8", "--locale=C.UTF-8"}
	if noSync {
		args = append(args, "--no-sync")
	}
	if out, err := c.command(ctx, c.prog("initdb"), args...).CombinedOutput(); err != nil {
		return fmt.Errorf("devdb: initdb: %w\n%s", err, out)
	}
	conf := fmt.Sprintf("\n# Added by itam's devdb: loopback TCP only, no unix socket.\n"+
		"listen_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = ''\n%s", port, extra)
	if err := appendFile(filepath.Join(staging, "postgresql.conf"), conf); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(staging, passwordFile), []byte(password+"\n"), 0o600); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if err := os.Rename(staging, c.dataDir); err != nil {
		return fmt.Errorf("devdb: %s exists and is not a PostgreSQL cluster; remove it: %w", c.dataDir, err)
	}
	return nil
}

var portSetting = regexp.MustCompile(`(?m)^\s*port\s*=\s*(\d+)`)

// start reads the cluster's port and password, starts the server unless it
// already answers, and creates the database "itam" if missing.
func (c *Cluster) start(ctx context.Context) error {
	pw, err := os.ReadFile(filepath.Join(c.dataDir, passwordFile))
	if err != nil {
		return fmt.Errorf("devdb: %s was not made by devdb (no %s); remove it to start afresh: %w", c.dataDir, passwordFile, err)
	}
	c.password = strings.TrimSpace(string(pw))
	conf, err := os.ReadFile(filepath.Join(c.dataDir, "postgresql.conf"))
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	m := portSetting.FindAllSubmatch(conf, -1)
	if len(m) == 0 {
		return fmt.Errorf("devdb: no port in %s/postgresql.conf", c.dataDir)
	}
	c.port, _ = strconv.Atoi(string(m[len(m)-1][1]))

	if c.ping(ctx) == nil {
		c.log.Info("devdb: using running PostgreSQL", "dir", c.dataDir, "port", c.port)
	} else {
		c.removeStalePID()
		c.log.Info("devdb: starting PostgreSQL", "dir", c.dataDir, "port", c.port)
		logFile := filepath.Join(c.dataDir, serverLog)
		// -l also keeps the server off our output pipes, so this returns.
		out, err := c.command(ctx, c.prog("pg_ctl"), "start", "-w", "-t", "60", "-D", c.dataDir, "-l", logFile).CombinedOutput()
		if err != nil {
			return fmt.Errorf("devdb: pg_ctl start: %w\n%s\n%s:\n%s", err, bytes.TrimSpace(out), logFile, tail(logFile))
		}
	}
	return c.createDatabase(ctx)
}

func (c *Cluster) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return err
	}
	return conn.Close(ctx)
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	conn, err := pgx.Connect(ctx, c.AdminURL())
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", database).Scan(&exists); err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	if !exists {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+database); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	return nil
}

// removeStalePID deletes a postmaster.pid left by a crash when its pid now
// belongs to a process that is not PostgreSQL. PostgreSQL would take any live
// process of its own user with that pid for a running server and refuse to
// start, which after a container restart, when pids repeat, is likely.
func (c *Cluster) removeStalePID() {
	path := filepath.Join(c.dataDir, "postmaster.pid")
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	pid, _, _ := strings.Cut(string(b), "\n")
	comm, err := os.ReadFile("/proc/" + strings.TrimSpace(pid) + "/comm")
	if err == nil && strings.TrimSpace(string(comm)) == "postgres" {
		return // a server, perhaps still starting: pg_ctl will tell
	}
	c.log.Info("devdb: removing stale postmaster.pid", "pid", strings.TrimSpace(pid))
	_ = os.Remove(path)
}

// watch starts a detached shell that stops the server and removes its files
// once this process has exited: a test binary that panics, times out or is
// killed then leaves nothing behind. It waits for the end of a pipe whose
// write end only this process holds, which closes however the process ends;
// Stop closes it too, and the shell then finds nothing left to do.
func (c *Cluster) watch() error {
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	defer r.Close()
	stop := c.command(context.Background(), c.prog("pg_ctl"), "stop", "-w", "-m", "immediate", "-D", c.dataDir)
	const script = `data=$1 tmp=$2; shift 2
cat >/dev/null
if [ -e "$data/postmaster.pid" ]; then "$@" >/dev/null 2>&1; fi
rm -rf "$data" "$tmp"`
	cmd := exec.Command("/bin/sh", append([]string{"-c", script, "sh", c.dataDir, c.tempDir}, stop.Args...)...)
	cmd.Dir = "/"
	cmd.Stdin = r
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true} // out of reach of the terminal's Ctrl-C
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("devdb: starting cleanup watcher: %w", err)
	}
	c.watcher = w
	return cmd.Process.Release()
}

// command runs name with args, as the postgres OS user when we are root.
func (c *Cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	if c.asRoot {
		args = append([]string{"-u", superuser, "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = "/" // the caller's directory may be closed to the postgres user
	return cmd
}

func (c *Cluster) prog(name string) string { return filepath.Join(c.bin, name) }

// chown gives paths to the postgres OS user when we are root.
func (c *Cluster) chown(paths ...string) error {
	if !c.asRoot {
		return nil
	}
	for _, p := range paths {
		if err := os.Chown(p, c.uid, c.gid); err != nil {
			return fmt.Errorf("devdb: %w", err)
		}
	}
	return nil
}
