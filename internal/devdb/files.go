package devdb

import (
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"strconv"
	"syscall"
)

// lockFile serializes Ensure calls on one directory, such as two servers
// started at once from one checkout. The returned func releases it.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("devdb: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("devdb: locking %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}

// freePort picks a free port outside Linux's ephemeral range (32768-60999),
// so that a port a dev cluster keeps is unlikely to be taken later by some
// outgoing connection.
func freePort() (int, error) {
	for range 100 {
		p := 20000 + mrand.IntN(10000)
		if l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p))); err == nil {
			l.Close()
			return p, nil
		}
	}
	return 0, errors.New("devdb: no free port in 20000-29999 on 127.0.0.1")
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("devdb: %w", err)
	}
	_, err = f.WriteString(text)
	return errors.Join(err, f.Close())
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// tail returns the end of a server log, where the reason a start failed is.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}
