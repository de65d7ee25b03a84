package lifecycle

import "github.com/itam-dev/itam/internal/itam"

// Imported checks the status a record from another system (an ITSM's
// configuration item) brings for an asset created from it. Such records
// describe hardware at any point of its life, so any status is accepted
// except DISPOSED — disposal here needs its sanitization record and
// certificate (Dispose) — DEPLOYED without a holder, which this inventory
// never has, and RETIRED with one (retired hardware is held by nobody:
// ImportedHolder drops a stale assignee instead).
func Imported(to itam.AssetStatus, assigned bool) error {
	switch {
	case !Valid(to):
		return itam.Invalid("status", "unknown status %q", to)
	case to == itam.StatusDisposed:
		return itam.Invalid("status", "a synced record cannot create a DISPOSED asset: dispose of it with disposeAsset")
	case to == itam.StatusDeployed && !assigned:
		return itam.Invalid("status", "a DEPLOYED asset needs an assignee the inventory knows")
	case to == itam.StatusRetired && assigned:
		return itam.Invalid("status", "a RETIRED asset cannot be assigned")
	}
	return nil
}

// ImportedHolder says whether a new asset created from another system's
// record in status to keeps the assignee the record names: a retired
// record that still names a user (service desks often leave it) describes
// hardware nobody holds any more.
func ImportedHolder(to itam.AssetStatus) bool { return to != itam.StatusRetired }
