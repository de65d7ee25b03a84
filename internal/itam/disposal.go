package itam

import (
	"time"

	"github.com/google/uuid"
)

// SanitizationMethod is how a device's media were sanitized before it left
// the organization, as NIST SP 800-88 names them.
type SanitizationMethod string

const (
	// SanitizationClear overwrites user-addressable storage (logical techniques).
	SanitizationClear SanitizationMethod = "CLEAR"
	// SanitizationPurge makes recovery infeasible even in a laboratory
	// (cryptographic erase, block erase, degaussing).
	SanitizationPurge SanitizationMethod = "PURGE"
	// SanitizationDestroy physically destroys the media (shred, disintegrate, incinerate).
	SanitizationDestroy SanitizationMethod = "DESTROY"
)

// SanitizationMethods lists every method.
var SanitizationMethods = []SanitizationMethod{SanitizationClear, SanitizationPurge, SanitizationDestroy}

// MaxSanitizationText bounds verifiedBy, tool and certificateReference:
// names, emails, vendor names and reference numbers, not prose.
const MaxSanitizationText = 200

// Sanitization is what disposeAsset is told about an asset's sanitization.
type Sanitization struct {
	Method               SanitizationMethod
	PerformedAt          time.Time
	VerifiedBy           string
	Tool                 *string
	CertificateReference *string
}

// SanitizationRecord is a stored Sanitization: which asset, and who
// recorded it when (the caller that disposed of the asset).
type SanitizationRecord struct {
	ID      uuid.UUID
	AssetID uuid.UUID
	Sanitization
	RecordedBy string
	RecordedAt time.Time
}

// storageKinds are the category kinds whose devices carry storage: a
// category created without saying takes its kind's default.
var storageKinds = map[CategoryKind]bool{"LAPTOP": true, "DESKTOP": true, "SERVER": true, "PHONE": true, "TABLET": true}

// KindCarriesStorage reports whether devices of a category kind carry
// storage by default (laptops, desktops, servers, phones, tablets).
func KindCarriesStorage(k CategoryKind) bool { return storageKinds[k] }

// DisposalRecord is one disposed asset with its sanitization, as the
// disposals list and the certificate export show it.
type DisposalRecord struct {
	AssetID      uuid.UUID
	AssetTag     string
	SerialNumber *string
	ModelName    string
	Date         time.Time
	Method       DisposalMethod
	Certificate  *string
	Sanitization *SanitizationRecord
}

// DisposalFilter selects disposed assets: disposal date within [From, To]
// (inclusive, either may be open), any of Methods, any of SanitizationMethods.
type DisposalFilter struct {
	From, To            *time.Time
	Methods             []DisposalMethod
	SanitizationMethods []SanitizationMethod
}

// MaxExportDays bounds the period of one disposal certificate export.
const MaxExportDays = 366

// CheckExportPeriod checks a certificate export's period: both dates, to
// not before from, at most MaxExportDays days (inclusive).
func CheckExportPeriod(from, to time.Time) error {
	if from.IsZero() {
		return Invalid("from", "from is required (YYYY-MM-DD)")
	}
	if to.IsZero() {
		return Invalid("to", "to is required (YYYY-MM-DD)")
	}
	if to.Before(from) {
		return Invalid("to", "to is before from")
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxExportDays {
		return Invalid("to", "the period is %d days; at most %d per export", days, MaxExportDays)
	}
	return nil
}

// RequireDisposalRead returns the caller when they may read disposals and
// their certificates (ADMIN, MANAGER, AUDITOR), else FORBIDDEN.
func RequireDisposalRead(p Principal) error {
	if !p.CanReadAll() {
		return Forbidden("role %s cannot read disposals", p.Role)
	}
	return nil
}
