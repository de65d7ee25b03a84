package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"syscall"
	"time"
)

// childProc is a server the bench runs as a child process: the itam
// server, or the peer (PostGraphile).
type childProc struct {
	what   string
	cmd    *exec.Cmd
	stderr *tailBuffer // the last of its standard error
	done   chan error
}

// startChild starts cmd, its standard error kept in a tail buffer of
// tail bytes (standard output too when keepStdout), and polls ready every
// poll until it returns nil; it fails when the child exits first, ctx
// ends or timeout passes, with the last lines the child wrote.
func startChild(ctx context.Context, what string, cmd *exec.Cmd, tail int, keepStdout bool, timeout, poll time.Duration, ready func() error) (*childProc, error) {
	p := &childProc{what: what, cmd: cmd, stderr: &tailBuffer{max: tail}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = io.Discard, p.stderr
	if keepStdout {
		cmd.Stdout = p.stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.done <- cmd.Wait() }()
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited during startup: %v: %s", what, err, lastLines([]byte(p.stderr.String()), 20))
		default:
		}
		err := ready()
		if err == nil {
			return p, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			_ = p.stop(10 * time.Second)
			return nil, fmt.Errorf("%s not ready after %s (last error: %v): %s", what, timeout, err, lastLines([]byte(p.stderr.String()), 20))
		}
		time.Sleep(poll)
	}
}

func (p *childProc) pid() int { return p.cmd.Process.Pid }

// stop asks the child to stop (SIGTERM) and kills it after grace.
func (p *childProc) stop(grace time.Duration) error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		return err
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s did not stop within %s; killed", p.what, grace)
	}
}

// answers200 is a readiness check: the request succeeds with 200 OK.
func answers200(do func() (int, error)) func() error {
	return func() error {
		code, err := do()
		if err != nil {
			return err
		}
		if code != http.StatusOK {
			return fmt.Errorf("status %d", code)
		}
		return nil
	}
}
