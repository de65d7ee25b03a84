// Package vendorfake holds what the vendor fakes (jamftest, intunetest, …)
// share. Each fake keeps its vendor's wire format, paths and errors to
// itself; only bookkeeping that is the same for every vendor lives here.
package vendorfake

import (
	"sync"
	"time"
)

// Tokens is the book of bearer tokens a fake vendor has issued, as an OAuth
// server keeps it: which tokens are good and until when, how long new ones
// live, and whether the credentials that obtain them are still accepted.
// It has its own lock, so a fake's test hooks (ExpireTokens,
// RevokeCredentials, SetTokenLifetime) are one call each.
type Tokens struct {
	now func() time.Time

	mu       sync.Mutex
	lifetime time.Duration
	expires  map[string]time.Time
	revoked  bool
}

// NewTokens returns an empty book whose tokens live lifetime, judged on
// now (time.Now when nil).
func NewTokens(lifetime time.Duration, now func() time.Time) *Tokens {
	if now == nil {
		now = time.Now
	}
	return &Tokens{now: now, lifetime: lifetime, expires: map[string]time.Time{}}
}

// Now is the book's clock.
func (t *Tokens) Now() time.Time { return t.now() }

// Issue records tok as good for life from now and returns its expiry.
func (t *Tokens) Issue(tok string, life time.Duration) time.Time {
	exp := t.now().Add(life)
	t.mu.Lock()
	t.expires[tok] = exp
	t.mu.Unlock()
	return exp
}

// Valid reports a token that was issued, not forgotten, and not expired.
func (t *Tokens) Valid(tok string) bool {
	t.mu.Lock()
	exp, ok := t.expires[tok]
	t.mu.Unlock()
	return ok && t.now().Before(exp)
}

// Forget ends one token (a logout).
func (t *Tokens) Forget(tok string) {
	t.mu.Lock()
	delete(t.expires, tok)
	t.mu.Unlock()
}

// ExpireAll ends every token issued so far, as their expiry would: new
// ones can still be had.
func (t *Tokens) ExpireAll() {
	t.mu.Lock()
	clear(t.expires)
	t.mu.Unlock()
}

// Revoke ends every token and refuses the credentials until Restore, as
// rotating a client secret or disabling an account does.
func (t *Tokens) Revoke() {
	t.mu.Lock()
	clear(t.expires)
	t.revoked = true
	t.mu.Unlock()
}

// Restore accepts the credentials again.
func (t *Tokens) Restore() {
	t.mu.Lock()
	t.revoked = false
	t.mu.Unlock()
}

// Revoked reports whether the credentials are refused.
func (t *Tokens) Revoked() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.revoked
}

// Lifetime is how long tokens issued now live.
func (t *Tokens) Lifetime() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lifetime
}

// SetLifetime changes the lifetime of tokens issued from now on.
func (t *Tokens) SetLifetime(d time.Duration) {
	t.mu.Lock()
	t.lifetime = d
	t.mu.Unlock()
}
