package auth_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/auth"
)

func TestLoadOrCreateSecret(t *testing.T) {
	t.Run("creates, then reuses", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "nested", "deeper", "jwt.secret")

		first, err := auth.LoadOrCreateSecret(path)
		require.NoError(t, err)
		require.Len(t, first, auth.MinSecretLen)

		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
		dst, err := os.Stat(filepath.Dir(path))
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), dst.Mode().Perm())

		data, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, hex.EncodeToString(first)+"\n", string(data))

		second, err := auth.LoadOrCreateSecret(path)
		require.NoError(t, err)
		require.Equal(t, first, second, "stable across runs")

		entries, err := os.ReadDir(filepath.Dir(path))
		require.NoError(t, err)
		require.Len(t, entries, 1, "no temporary files left behind")
	})

	t.Run("two secrets differ", func(t *testing.T) {
		a, err := auth.LoadOrCreateSecret(filepath.Join(t.TempDir(), "a"))
		require.NoError(t, err)
		b, err := auth.LoadOrCreateSecret(filepath.Join(t.TempDir(), "b"))
		require.NoError(t, err)
		require.NotEqual(t, a, b)
	})

	t.Run("concurrent creators agree", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s", "jwt.secret")
		const n = 16
		got := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { got[i], errs[i] = auth.LoadOrCreateSecret(path) })
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			require.Equal(t, got[0], got[i])
		}
	})

	want := bytes.Repeat([]byte{0xAB, 0x01, 0x7F}, 12) // 36 bytes
	existing := []struct {
		name    string
		content string
		want    []byte
		wantErr string
	}{
		{name: "hex", content: hex.EncodeToString(want) + "\n", want: want},
		{name: "upper-case hex", content: strings.ToUpper(hex.EncodeToString(want)), want: want},
		{name: "base64", content: base64.StdEncoding.EncodeToString(want) + "\n", want: want},
		{name: "raw base64url", content: "  " + base64.RawURLEncoding.EncodeToString(want) + "\r\n", want: want},
		{name: "too short", content: hex.EncodeToString([]byte("short")), wantErr: "need at least 32"},
		{name: "passphrase", content: "correct horse battery staple, but longer!!", wantErr: "neither hex nor base64"},
		{name: "empty", content: "\n", wantErr: "empty"},
	}
	for _, tt := range existing {
		t.Run("existing "+tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "jwt.secret")
			require.NoError(t, os.WriteFile(path, []byte(tt.content), 0o600))
			got, err := auth.LoadOrCreateSecret(path)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.ErrorContains(t, err, path)
				after, rerr := os.ReadFile(path)
				require.NoError(t, rerr)
				require.Equal(t, tt.content, string(after), "an invalid secret file is never overwritten")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}

	t.Run("unreadable path", func(t *testing.T) {
		_, err := auth.LoadOrCreateSecret(t.TempDir()) // a directory
		require.Error(t, err)
	})
}
