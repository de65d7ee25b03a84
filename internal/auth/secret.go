package auth

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

// DecodeSecret decodes an HS256 secret written as hex or base64 (standard
// or URL alphabet, padded or not) and checks it is at least MinSecretLen
// bytes. Raw passphrases are refused on purpose: they are short on entropy,
// and requiring an encoding makes "I pasted the wrong thing" fail loudly.
func DecodeSecret(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("auth: secret is empty")
	}
	// Hex first: every hex string is also valid base64 and would decode to
	// different bytes.
	b, err := hex.DecodeString(s)
	if err != nil {
		b = nil
		for _, enc := range []*base64.Encoding{
			base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
		} {
			if d, err := enc.DecodeString(s); err == nil {
				b = d
				break
			}
		}
		if b == nil {
			return nil, errors.New("auth: secret is neither hex nor base64")
		}
	}
	if len(b) < MinSecretLen {
		return nil, fmt.Errorf("auth: secret is %d bytes, need at least %d", len(b), MinSecretLen)
	}
	return b, nil
}

// LoadOrCreateSecret returns the HS256 secret stored at path, creating it
// with MinSecretLen random bytes (hex-encoded, mode 0600, parent directories
// 0700) when the file does not exist. Dev mode uses it so tokens minted by
// `itam token` keep working across server restarts without anyone having to
// invent, and then leak, a secret.
//
// An existing file that does not hold a valid secret is an error and is left
// untouched: silently replacing it would invalidate every issued token.
func LoadOrCreateSecret(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		return decodeSecretFile(path, data)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("auth: reading secret: %w", err)
	}

	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("auth: creating secret directory: %w", err)
	}
	secret := make([]byte, MinSecretLen)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("auth: generating secret: %w", err)
	}

	// Write to a temporary file and hard-link it into place, so a concurrent
	// reader never sees a half-written secret and two processes starting at
	// once agree on a single winner instead of overwriting each other.
	tmp, err := os.CreateTemp(dir, ".secret-*")
	if err != nil {
		return nil, fmt.Errorf("auth: creating secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: creating secret: %w", err)
	}
	if _, err := tmp.WriteString(hex.EncodeToString(secret) + "\n"); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: writing secret: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return nil, fmt.Errorf("auth: writing secret: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("auth: writing secret: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			// Someone else created it first; theirs wins.
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("auth: reading secret: %w", err)
			}
			return decodeSecretFile(path, data)
		}
		return nil, fmt.Errorf("auth: storing secret: %w", err)
	}
	return secret, nil
}

func decodeSecretFile(path string, data []byte) ([]byte, error) {
	b, err := DecodeSecret(string(data))
	if err != nil {
		return nil, fmt.Errorf("%w (in %s)", err, path)
	}
	return b, nil
}
