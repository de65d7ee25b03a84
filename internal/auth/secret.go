package auth

import (
	"fmt"

	"github.com/itam-dev/itam/internal/keyfile"
)

// DecodeSecret decodes an HS256 secret written as hex or base64 (standard
// or URL alphabet, padded or not) and checks it is at least MinSecretLen
// bytes. Raw passphrases are refused on purpose: they are short on entropy,
// and requiring an encoding makes "I pasted the wrong thing" fail loudly.
func DecodeSecret(s string) ([]byte, error) {
	b, err := keyfile.Decode(s, "secret")
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
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
	b, err := keyfile.LoadOrCreate(path, MinSecretLen, func(data []byte) ([]byte, error) { return DecodeSecret(string(data)) })
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return b, nil
}
