package lifecycle

import "github.com/itam-dev/itam/internal/itam"

// Imported checks the status a record from another system (an ITSM's
// configuration item) brings for an asset created from it. Such records
// describe hardware at any point of its life, so any status is accepted
// except DISPOSED — disposal here needs its sanitization record and
// certificate (Dispose) — DEPLOYED without a holder, which this inventory
// never has, and RETIRED, IN_STOCK or ORDERED with one: nobody holds such
// hardware here (createAsset refuses ORDERED with an assignee, a move to
// IN_STOCK checks the asset in; ImportedHolder drops a stale assignee of
// RETIRED and IN_STOCK records instead).
func Imported(to itam.AssetStatus, assigned bool) error {
	switch {
	case !Valid(to):
		return itam.Invalid("status", "unknown status %q", to)
	case to == itam.StatusDisposed:
		return itam.Invalid("status", "a synced record cannot create a DISPOSED asset: dispose of it with disposeAsset")
	case to == itam.StatusDeployed && !assigned:
		return itam.Invalid("status", "a DEPLOYED asset needs an assignee the inventory knows")
	case (to == itam.StatusRetired || to == itam.StatusInStock || to == itam.StatusOrdered) && assigned:
		return itam.Invalid("status", "a %s asset cannot be assigned", to)
	}
	return nil
}

// ImportedHolder says whether a new asset created from another system's
// record in status to keeps the assignee the record names: a retired or
// in-stock record that still names a user (service desks often leave it)
// describes hardware nobody holds any more, as a move to IN_STOCK checks an
// asset in. An ORDERED record keeps its holder: the status is refused
// (Imported) and the asset is deployed to them, as an update would keep it.
func ImportedHolder(to itam.AssetStatus) bool {
	return to != itam.StatusRetired && to != itam.StatusInStock
}
