// Package keyfile keeps a generated secret in a file, for dev mode: the JWT
// secret and the credential-sealing key must survive restarts without
// anyone inventing (and then leaking) one.
package keyfile

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// LoadOrCreate returns the secret stored at path, decoded by decode. When
// the file does not exist it creates it with size random bytes, hex-encoded,
// mode 0600 in a 0700 directory. An existing file decode refuses is an error
// and is left untouched: replacing it would invalidate whatever the old
// secret protected.
//
// The new file is written under a temporary name and hard-linked into
// place, so a concurrent reader never sees half a secret and, of two
// processes starting at once, the first link wins and the other reads it.
func LoadOrCreate(path string, size int, decode func([]byte) ([]byte, error)) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return decodeFile(path, data, decode)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", dir, err)
	}
	secret := make([]byte, size)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("generating a secret: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return nil, fmt.Errorf("creating %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	werr := tmp.Chmod(0o600)
	if werr == nil {
		_, werr = tmp.WriteString(hex.EncodeToString(secret) + "\n")
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("writing %s: %w", path, werr)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			if data, err = os.ReadFile(path); err != nil {
				return nil, fmt.Errorf("reading %s: %w", path, err)
			}
			return decodeFile(path, data, decode)
		}
		return nil, fmt.Errorf("storing %s: %w", path, err)
	}
	return secret, nil
}

func decodeFile(path string, data []byte, decode func([]byte) ([]byte, error)) ([]byte, error) {
	b, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return b, nil
}

// Decode reads a secret written as hex or base64 (standard or URL
// alphabet, padded or not); what names it in errors ("secret", "key").
// Hex is tried first: every hex string is also valid base64 and would
// decode to other bytes. Raw passphrases are refused on purpose: requiring
// an encoding makes "I pasted the wrong thing" fail loudly. Length rules
// are the caller's.
func Decode(s, what string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, fmt.Errorf("%s is empty", what)
	}
	if b, err := hex.DecodeString(s); err == nil {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, fmt.Errorf("%s is neither hex nor base64", what)
}
