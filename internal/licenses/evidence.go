package licenses

import (
	"time"

	"github.com/itam-dev/itam/internal/itam"
)

// EvidenceFacts is what the evidence query knows about one row.
type EvidenceFacts struct {
	Metric Metric
	// Installed: the product has current installations on the device (or on
	// the person's devices that are not RETIRED or DISPOSED).
	Installed bool
	// Inactive is the holder's status when it does not consume: the device
	// is RETIRED or DISPOSED, or the person OFFBOARDED; empty otherwise.
	Inactive string
	// Unattributed: a USER-metric row for a device assigned to nobody.
	Unattributed bool
	// Seat: the row holds an unreclaimed seat of an active license.
	Seat bool
	// Licensed: the product has an active license; Site: one is SITE
	// (SiteName is its name, if it has one).
	Licensed bool
	Site     bool
	SiteName *string
}

// Judge says whether a row of evidence is covered, and why, in words an
// auditor reads: a seat of an active license or an active SITE license
// covers it; anything installed without either is uncovered.
func Judge(f EvidenceFacts) (covered bool, note string) {
	covered = f.Seat || f.Site
	site := "covered by SITE license"
	if f.SiteName != nil && *f.SiteName != "" {
		site += " " + *f.SiteName
	}
	switch {
	case f.Inactive != "":
		holder := "device is " + f.Inactive
		if f.Metric == CountUsers && !f.Unattributed {
			holder = "person is " + f.Inactive
		}
		if f.Seat {
			return covered, holder + ": does not consume; its seat can be reclaimed"
		}
		return covered, holder + ": does not consume"
	case f.Site:
		return covered, site
	case f.Unattributed:
		return covered, "installed on a device assigned to nobody: not attributed to a user"
	case f.Seat && f.Installed:
		return covered, "installed, covered by a seat"
	case f.Seat && f.Metric == CountUsers:
		return covered, "seat held, not installed on any of their devices"
	case f.Seat:
		return covered, "seat on a device that no longer reports it"
	case f.Installed && f.Licensed:
		return covered, "installed, no seat: uncovered"
	case f.Installed:
		return covered, "installed, no active license: unlicensed"
	}
	return covered, "nothing installed, no seat"
}

// ReclaimFacts is what the reclaim query knows about one assigned seat.
type ReclaimFacts struct {
	HolderOffboarded bool // the seat's person is OFFBOARDED
	AssetRetired     bool // the seat's device is RETIRED or DISPOSED
	// LastSeenAt: the latest report of the product on the seat's device (or
	// the person's devices); nil if never.
	LastSeenAt *time.Time
	AssignedAt time.Time
}

// ReclaimReasonFor says why a seat could be taken back, if it can: its
// person left, its device is retired, or the product has not been reported
// on the holder's devices for afterDays. A seat whose product was never
// reported counts from its assignment, so a seat handed out yesterday is
// not a candidate before the software had afterDays to show up.
func ReclaimReasonFor(f ReclaimFacts, now time.Time, afterDays int) (ReclaimReason, bool) {
	switch {
	case f.HolderOffboarded:
		return HolderOffboarded, true
	case f.AssetRetired:
		return AssetRetired, true
	}
	last := f.AssignedAt
	if f.LastSeenAt != nil && f.LastSeenAt.After(last) {
		last = *f.LastSeenAt
	}
	if now.Sub(last) >= time.Duration(afterDays)*24*time.Hour {
		return NotUsed, true
	}
	return "", false
}

// ReportFirst checks a list's first argument (0..500, default 100).
func ReportFirst(first *int) (int, error) {
	if first == nil {
		return DefaultReportItems, nil
	}
	if *first < 0 || *first > MaxReportItems {
		return 0, itam.Invalid("first", "first must be between 0 and %d", MaxReportItems)
	}
	return *first, nil
}

// ValidateWithinDays checks expiringLicenses' window.
func ValidateWithinDays(days int) error {
	if days < 0 || days > MaxWithinDays {
		return itam.Invalid("withinDays", "withinDays must be between 0 and %d", MaxWithinDays)
	}
	return nil
}

// ValidateReclaimAfterDays checks Organization.softwareReclaimAfterDays.
func ValidateReclaimAfterDays(days int) error {
	if days < MinReclaimAfterDays || days > MaxReclaimAfterDays {
		return itam.Invalid("softwareReclaimAfterDays", "softwareReclaimAfterDays must be between %d and %d", MinReclaimAfterDays, MaxReclaimAfterDays)
	}
	return nil
}
