// Package secretbox seals secrets the server stores but must read back
// (connector credentials, webhook secrets) with AES-256-GCM under a key that
// never reaches the database.
//
// A sealed value is
//
//	version (1 byte) | nonce (12 bytes) | ciphertext | GCM tag (16 bytes)
//
// The version byte names the key that sealed it, so keys can rotate: a Box
// seals with its current key and opens anything sealed with any key it
// holds. The version byte is also authenticated (it is the additional data),
// so it cannot be swapped to make a value decrypt under another key.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/itam-dev/itam/internal/keyfile"
)

// KeySize is the length of an AES-256 key in bytes.
const KeySize = 32

// CurrentVersion is the key version New seals with.
const CurrentVersion byte = 1

const nonceSize = 12

var (
	// ErrMalformed means the input is not a sealed value.
	ErrMalformed = errors.New("secretbox: malformed sealed value")
	// ErrUnknownKey means the value was sealed with a key version this Box does not hold.
	ErrUnknownKey = errors.New("secretbox: sealed with an unknown key version")
	// ErrOpen means authentication failed: the value was altered or sealed with another key.
	ErrOpen = errors.New("secretbox: cannot open: wrong key or tampered value")
)

// Box seals and opens values. It is safe for concurrent use.
type Box struct {
	current byte
	keys    map[byte]cipher.AEAD
}

// New returns a Box sealing with key as version CurrentVersion.
func New(key []byte) (*Box, error) {
	return NewKeyring(CurrentVersion, map[byte][]byte{CurrentVersion: key})
}

// NewKeyring returns a Box holding several key versions (for rotation): it
// seals with keys[current] and opens values sealed with any of them.
func NewKeyring(current byte, keys map[byte][]byte) (*Box, error) {
	if current == 0 {
		return nil, errors.New("secretbox: key version 0 is reserved")
	}
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("secretbox: no key for the current version %d", current)
	}
	b := &Box{current: current, keys: make(map[byte]cipher.AEAD, len(keys))}
	for v, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("secretbox: key version %d is %d bytes, need %d", v, len(k), KeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		b.keys[v] = aead
	}
	return b, nil
}

// Seal encrypts and authenticates plaintext under a fresh random nonce.
func (b *Box) Seal(plaintext []byte) ([]byte, error) {
	aead := b.keys[b.current]
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+aead.Overhead())
	out[0] = b.current
	if _, err := rand.Read(out[1 : 1+nonceSize]); err != nil {
		return nil, fmt.Errorf("secretbox: nonce: %w", err)
	}
	return aead.Seal(out, out[1:1+nonceSize], plaintext, out[:1]), nil
}

// Open authenticates and decrypts a value made by Seal.
func (b *Box) Open(sealed []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+16 {
		return nil, ErrMalformed
	}
	aead, ok := b.keys[sealed[0]]
	if !ok {
		return nil, ErrUnknownKey
	}
	pt, err := aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], sealed[:1])
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// DecodeKey decodes a key written as hex or base64 (standard or URL
// alphabet, padded or not) that must be exactly KeySize bytes.
func DecodeKey(s string) ([]byte, error) {
	b, err := keyfile.Decode(s, "key")
	if err != nil {
		return nil, err
	}
	if len(b) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, need exactly %d", len(b), KeySize)
	}
	return b, nil
}

// LoadOrCreateKey returns the key stored (hex) at path, creating it with
// KeySize random bytes (mode 0600, parent directories 0700) when the file
// does not exist. Dev mode uses it when ITAM_SECRET_KEY is unset.
//
// An existing file that does not hold a valid key is an error and is left
// untouched: replacing it would make every sealed value unreadable.
func LoadOrCreateKey(path string) ([]byte, error) {
	k, err := keyfile.LoadOrCreate(path, KeySize, func(data []byte) ([]byte, error) { return DecodeKey(string(data)) })
	if err != nil {
		return nil, fmt.Errorf("secretbox: %w", err)
	}
	return k, nil
}
