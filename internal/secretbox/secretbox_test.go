package secretbox

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func key(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, KeySize)
	_, err := rand.Read(k)
	require.NoError(t, err)
	return k
}

func TestRoundTrip(t *testing.T) {
	b, err := New(key(t))
	require.NoError(t, err)
	for _, pt := range [][]byte{nil, []byte(""), []byte("s3cr3t"), bytes.Repeat([]byte{0xAB}, 1<<16)} {
		sealed, err := b.Seal(pt)
		require.NoError(t, err)
		require.Equal(t, CurrentVersion, sealed[0])
		if len(pt) > 0 {
			require.False(t, bytes.Contains(sealed, pt), "plaintext visible in sealed value")
		}
		got, err := b.Open(sealed)
		require.NoError(t, err)
		require.Equal(t, len(pt), len(got))
		require.True(t, bytes.Equal(pt, got))
	}
}

func TestTamperDetected(t *testing.T) {
	b, err := New(key(t))
	require.NoError(t, err)
	sealed, err := b.Seal([]byte(`{"apiToken":"tok"}`))
	require.NoError(t, err)
	// Flipping any single bit anywhere after the version byte fails.
	for i := 1; i < len(sealed); i++ {
		c := bytes.Clone(sealed)
		c[i] ^= 0x01
		_, err := b.Open(c)
		require.ErrorIs(t, err, ErrOpen, "byte %d", i)
	}
	_, err = b.Open(sealed[:len(sealed)-1])
	require.ErrorIs(t, err, ErrOpen)
	_, err = b.Open(sealed[:10])
	require.ErrorIs(t, err, ErrMalformed)
	c := bytes.Clone(sealed)
	c[0] = 9
	_, err = b.Open(c)
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestWrongKey(t *testing.T) {
	a, err := New(key(t))
	require.NoError(t, err)
	other, err := New(key(t))
	require.NoError(t, err)
	sealed, err := a.Seal([]byte("hello"))
	require.NoError(t, err)
	_, err = other.Open(sealed)
	require.ErrorIs(t, err, ErrOpen)
	require.NotContains(t, err.Error(), "hello")
}

func TestNonceUnique(t *testing.T) {
	b, err := New(key(t))
	require.NoError(t, err)
	seen := map[string]bool{}
	for range 10000 {
		s, err := b.Seal([]byte("same"))
		require.NoError(t, err)
		n := string(s[1 : 1+nonceSize])
		require.False(t, seen[n], "nonce repeated")
		seen[n] = true
	}
}

func TestRotation(t *testing.T) {
	k1, k2 := key(t), key(t)
	old, err := New(k1)
	require.NoError(t, err)
	sealedOld, err := old.Seal([]byte("v1"))
	require.NoError(t, err)
	ring, err := NewKeyring(2, map[byte][]byte{1: k1, 2: k2})
	require.NoError(t, err)
	got, err := ring.Open(sealedOld)
	require.NoError(t, err)
	require.Equal(t, "v1", string(got))
	sealedNew, err := ring.Seal([]byte("v2"))
	require.NoError(t, err)
	require.Equal(t, byte(2), sealedNew[0])
	_, err = old.Open(sealedNew)
	require.ErrorIs(t, err, ErrUnknownKey)
}

func TestKeyErrors(t *testing.T) {
	_, err := New(make([]byte, 16))
	require.Error(t, err)
	_, err = NewKeyring(0, map[byte][]byte{0: make([]byte, KeySize)})
	require.Error(t, err)
}

func TestDecodeKey(t *testing.T) {
	k := key(t)
	for _, s := range []string{hex.EncodeToString(k), base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k), " " + hex.EncodeToString(k) + "\n"} {
		got, err := DecodeKey(s)
		require.NoError(t, err, s)
		require.Equal(t, k, got)
	}
	for _, s := range []string{"", "not a key!", hex.EncodeToString(k[:16]), hex.EncodeToString(append(k, 1))} {
		_, err := DecodeKey(s)
		require.Error(t, err, s)
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "secret-key")
	k, err := LoadOrCreateKey(path)
	require.NoError(t, err)
	require.Len(t, k, KeySize)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	again, err := LoadOrCreateKey(path)
	require.NoError(t, err)
	require.Equal(t, k, again)

	bad := filepath.Join(dir, "bad")
	require.NoError(t, os.WriteFile(bad, []byte("short"), 0o600))
	_, err = LoadOrCreateKey(bad)
	require.Error(t, err)
	data, _ := os.ReadFile(bad)
	require.Equal(t, "short", string(data), "an invalid key file is left alone")
	require.False(t, errors.Is(err, os.ErrNotExist))
}
