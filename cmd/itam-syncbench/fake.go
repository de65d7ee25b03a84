package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/itam-dev/itam/cmd/itam-syncbench/fakewire"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/benchkit"
)

// fakeStats is fakejamf's Stats plus what this side measures.
type fakeStats struct {
	fakewire.Stats
	CPU       time.Duration `json:"cpu_ns"`
	InProcess bool          `json:"in_process"`
}

// fakeJamf is the fake Jamf Pro: a child process, or a jamftest server in
// this process.
type fakeJamf struct {
	hello fakewire.Hello
	// child
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	lines  *bufio.Scanner
	mu     sync.Mutex
	tmpDir string
	// in process
	srv *jamftest.Server
	sn  *servicenowtest.Server
}

func startFake(ctx context.Context, o options, progress func(string, ...any)) (*fakeJamf, error) {
	if o.vendor == vendorServiceNow && o.fake == "inprocess" {
		srv := servicenowtest.Start(servicenowtest.Options{Records: o.computers, Users: max(20, o.computers/25)})
		so := srv.Options()
		progress("fake ServiceNow in this process at %s, %d CIs", srv.URL, o.computers)
		return &fakeJamf{sn: srv, hello: fakewire.Hello{URL: srv.URL, ClientID: so.ClientID, ClientSecret: so.ClientSecret, PID: os.Getpid()}}, nil
	}
	if o.fake == "inprocess" {
		srv := jamftest.Start(jamftest.Options{Computers: o.computers, Seed: o.seed, Apps: o.apps})
		progress("fake Jamf Pro in this process at %s, %d computers", srv.URL, o.computers)
		return &fakeJamf{srv: srv, hello: fakewire.Hello{URL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, PID: os.Getpid()}}, nil
	}
	f := &fakeJamf{}
	bin := o.fakeBin
	if bin == "" {
		root, err := benchkit.ModuleRoot()
		if err != nil {
			return nil, err
		}
		if f.tmpDir, err = os.MkdirTemp("", "syncbench-"); err != nil {
			return nil, err
		}
		bin = filepath.Join(f.tmpDir, fakeName(o))
		t0 := time.Now()
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/itam-syncbench/"+fakeName(o))
		build.Dir = root
		if out, err := build.CombinedOutput(); err != nil {
			f.Close()
			return nil, fmt.Errorf("building %s: %w\n%s", fakeName(o), err, out)
		}
		progress("built %s in %s", fakeName(o), time.Since(t0).Round(time.Millisecond))
	}
	f.cmd = exec.Command(bin, "-computers", fmt.Sprint(o.computers), "-seed", fmt.Sprint(o.seed), "-apps", fmt.Sprint(o.apps))
	if o.vendor == vendorServiceNow {
		f.cmd = exec.Command(bin, "-records", fmt.Sprint(o.computers))
	}
	f.cmd.Stderr = os.Stderr
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var err error
	if f.stdin, err = f.cmd.StdinPipe(); err != nil {
		return nil, err
	}
	stdout, err := f.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := f.cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	f.lines = bufio.NewScanner(stdout)
	f.lines.Buffer(make([]byte, 64<<10), 1<<20)
	if !f.lines.Scan() {
		f.Close()
		return nil, fmt.Errorf("%s said nothing: %v", fakeName(o), f.lines.Err())
	}
	if err := json.Unmarshal(f.lines.Bytes(), &f.hello); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w: %q", fakeName(o), err, f.lines.Text())
	}
	progress("%s in child pid %d at %s, %d records", fakeName(o), f.hello.PID, f.hello.URL, o.computers)
	return f, nil
}

// stats asks the fake for its counters; nil when it cannot answer.
func (f *fakeJamf) stats() *fakeStats {
	if f.srv != nil {
		return &fakeStats{Stats: fakewire.Stats{Jamf: f.srv.Stats()}, InProcess: true}
	}
	if f.sn != nil {
		st := f.sn.Stats()
		return &fakeStats{Stats: fakewire.Stats{ServiceNow: &st}, InProcess: true}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := io.WriteString(f.stdin, "stats\n"); err != nil || !f.lines.Scan() {
		return nil
	}
	var s fakeStats
	if json.Unmarshal(f.lines.Bytes(), &s) != nil {
		return nil
	}
	s.CPU = benchkit.ProcCPU(f.hello.PID)
	return &s
}

// cpu is the child's CPU time so far (0 in process: it is this process's).
func (f *fakeJamf) cpu() time.Duration {
	if f.cmd == nil {
		return 0
	}
	return benchkit.ProcCPU(f.hello.PID)
}

func (f *fakeJamf) Close() {
	if f.srv != nil {
		f.srv.Close()
	}
	if f.sn != nil {
		f.sn.Close()
	}
	if f.cmd != nil && f.cmd.Process != nil {
		if f.stdin != nil {
			f.stdin.Close() // it exits on EOF
		}
		done := make(chan struct{})
		go func() { _ = f.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = f.cmd.Process.Kill()
			<-done
		}
	}
	if f.tmpDir != "" {
		os.RemoveAll(f.tmpDir)
	}
}

// fakeName is the child command serving the vendor's fake.
func fakeName(o options) string {
	if o.vendor == vendorServiceNow {
		return "fakeservicenow"
	}
	return "fakejamf"
}
