package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/devdb"
)

// dbCmd manages the project-local PostgreSQL under ITAM_DATA_DIR (the one
// used without DATABASE_URL), which keeps running after the server exits
// so the next start is quick.
func dbCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "stop" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, "Usage: itam db stop\n\nStops the project-local PostgreSQL under ITAM_DATA_DIR (default .data); its data stays.\n")
			return nil
		}
		fmt.Fprint(stderr, "Usage: itam db stop\n")
		return errors.New("db: the only subcommand is stop")
	}
	if err := parseFlags(flag.NewFlagSet("db stop", flag.ContinueOnError), args[1:], stdout, stderr); err != nil {
		return err
	}
	dir := filepath.Join(cfg.DataDir, "postgres")
	stopped, err := devdb.StopAt(ctx, dir, log)
	if err != nil {
		return err
	}
	if stopped {
		fmt.Fprintln(stdout, "stopped the local PostgreSQL in", dir)
	} else {
		fmt.Fprintln(stdout, "no local PostgreSQL running in", dir)
	}
	return nil
}

// devOperatorToken returns the job dashboard's operator token in dev mode
// without ITAM_OPERATOR_TOKEN: one generated once and kept under the data
// directory (mode 0600), so a browser's dashboard login outlives restarts.
func devOperatorToken(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "operator-token")
	b, err := os.ReadFile(path)
	if err == nil {
		if tok := strings.TrimSpace(string(b)); len(tok) >= config.MinOperatorTokenLen {
			return tok, nil
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	tok := hex.EncodeToString(raw[:])
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", err
	}
	return tok, nil
}
