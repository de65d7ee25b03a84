package lifecycle

import (
	"slices"
	"strings"
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// DisposalMethods are the ways a retired asset may leave the organization.
var DisposalMethods = []itam.DisposalMethod{itam.DisposalRecycled, itam.DisposalResold, itam.DisposalDonated,
	itam.DisposalDestroyed, itam.DisposalReturnedToLessor}

// Dispose records how a RETIRED asset left the organization; DISPOSED is
// terminal. The date is required, not before the purchase and not in the
// future as of now (a day's grace covers time zones ahead of the server).
// An asset whose category carries storage (hasStorage) needs a
// sanitization record (see CheckSanitization): a disk that leaves
// unsanitized is a data breach, whatever the paperwork says. The checked
// sanitization (nil when none was given) is the store's to save.
func Dispose(a itam.Asset, d itam.Disposal, hasStorage bool, now time.Time) (Change, *itam.Sanitization, error) {
	if !Allowed(a.Status, itam.StatusDisposed) {
		return Change{}, nil, itam.Invalid("status", "cannot move an asset from %s to DISPOSED: retire it first", a.Status)
	}
	if !slices.Contains(DisposalMethods, d.Method) {
		return Change{}, nil, itam.Invalid("method", "unknown disposal method %q", d.Method)
	}
	if d.Date.IsZero() {
		return Change{}, nil, itam.Invalid("date", "disposal date is required")
	}
	if d.Date.After(now.AddDate(0, 0, 1)) {
		return Change{}, nil, itam.Invalid("date", "disposal date cannot be in the future")
	}
	if a.PurchaseDate != nil && d.Date.Before(*a.PurchaseDate) {
		return Change{}, nil, itam.Invalid("date", "disposal date cannot be before the purchase date")
	}
	if d.Sanitization == nil && hasStorage {
		return Change{}, nil, itam.Invalid("sanitization", "asset %s is in a category that carries storage: record its sanitization (method, performedAt, verifiedBy) to dispose of it", a.AssetTag)
	}
	if d.Sanitization != nil {
		s, err := CheckSanitization(*d.Sanitization, a.PurchaseDate, now)
		if err != nil {
			return Change{}, nil, err
		}
		d.Sanitization = &s
	}
	a.Status = itam.StatusDisposed
	date, method := d.Date, d.Method
	a.DisposalDate, a.DisposalMethod, a.DisposalCertificate = &date, &method, itam.Trimmed(d.Certificate)
	return Change{Asset: a, Action: itam.HistoryDispose}, d.Sanitization, nil
}

// sanitizationSkew is how far ahead of the server's clock performedAt may
// be: clocks of the technician's laptop and the server differ a little.
const sanitizationSkew = 5 * time.Minute

// CheckSanitization validates a sanitization record and returns it with
// its text trimmed (blank optional text becomes nil). Errors name the
// input field under "sanitization.".
func CheckSanitization(s itam.Sanitization, purchased *time.Time, now time.Time) (itam.Sanitization, error) {
	if !slices.Contains(itam.SanitizationMethods, s.Method) {
		return s, itam.Invalid("sanitization.method", "unknown sanitization method %q: CLEAR, PURGE or DESTROY (NIST SP 800-88)", s.Method)
	}
	if s.PerformedAt.IsZero() {
		return s, itam.Invalid("sanitization.performedAt", "performedAt is required")
	}
	if s.PerformedAt.After(now.Add(sanitizationSkew)) {
		return s, itam.Invalid("sanitization.performedAt", "performedAt cannot be in the future")
	}
	if purchased != nil && s.PerformedAt.Before(*purchased) {
		return s, itam.Invalid("sanitization.performedAt", "performedAt cannot be before the purchase date")
	}
	s.VerifiedBy = strings.TrimSpace(s.VerifiedBy)
	if s.VerifiedBy == "" {
		return s, itam.Invalid("sanitization.verifiedBy", "verifiedBy is required: the name or email of who verified the sanitization")
	}
	s.Tool, s.CertificateReference = itam.Trimmed(s.Tool), itam.Trimmed(s.CertificateReference)
	for _, f := range []struct {
		field string
		v     *string
	}{{"verifiedBy", &s.VerifiedBy}, {"tool", s.Tool}, {"certificateReference", s.CertificateReference}} {
		if f.v == nil {
			continue
		}
		if err := itam.CheckText("sanitization."+f.field, *f.v, itam.MaxSanitizationText); err != nil {
			return s, err
		}
	}
	return s, nil
}

// HeldSeat is a license seat an asset holds, as Retirable is told about it.
type HeldSeat struct {
	License string // the license's display name
}

// Retirable decides whether an asset may be RETIRED given the license
// seats it still holds: a retired device holding a seat keeps the license
// counted as consumed, so the seats are reclaimed first. (That nothing is
// assigned is Transition's rule.)
func Retirable(a itam.Asset, seats []HeldSeat) error {
	if len(seats) == 0 {
		return nil
	}
	var names []string
	for _, s := range seats {
		if !slices.Contains(names, s.License) {
			names = append(names, s.License)
		}
	}
	noun := "seat"
	if len(seats) > 1 {
		noun = "seats"
	}
	return itam.Invalid("status", "cannot retire asset %s while it holds %d license %s (%s): reclaim them first",
		a.AssetTag, len(seats), noun, strings.Join(names, ", "))
}
