package lifecycle

import "github.com/itam-dev/itam/internal/itam"

// Imported checks the status a record from another system (an ITSM's
// configuration item) brings for an asset created from it. Such records
// describe hardware at any point of its life, so any status is accepted
// except DISPOSED — disposal here needs its sanitization record and
// certificate (Dispose) — and DEPLOYED without a holder, which this
// inventory never has.
func Imported(to itam.AssetStatus, assigned bool) error {
	switch {
	case !Valid(to):
		return itam.Invalid("status", "unknown status %q", to)
	case to == itam.StatusDisposed:
		return itam.Invalid("status", "a synced record cannot create a DISPOSED asset: dispose of it with disposeAsset")
	case to == itam.StatusDeployed && !assigned:
		return itam.Invalid("status", "a DEPLOYED asset needs an assignee the inventory knows")
	}
	return nil
}
