// Package lifecycle holds the asset lifecycle as data and pure functions:
// which status may move to which (Edges, Transition), and every operation
// that changes an asset's status or assignment (Create, Assign, Unassign,
// Move, Dispose, Delete; the sync path uses AfterAssign). Each takes the
// asset's current state and the request and returns the new state and its
// history action, or a typed *itam.Error; stores only load, lock, call them
// and save. So the rules live in one place that tests walk without a database.
package lifecycle

import (
	"github.com/itam-dev/itam/internal/itam"
)

// Edges maps each status to the statuses it may move to directly.
//
//	ORDERED → IN_STOCK → DEPLOYED ↔ IN_STOCK
//	DEPLOYED/IN_STOCK → IN_REPAIR → IN_STOCK
//	ORDERED/IN_STOCK/DEPLOYED/IN_REPAIR → LOST | STOLEN → IN_STOCK (found)
//	IN_STOCK → RETIRED → DISPOSED (terminal)
var Edges = map[itam.AssetStatus][]itam.AssetStatus{
	itam.StatusOrdered:  {itam.StatusInStock, itam.StatusLost, itam.StatusStolen},
	itam.StatusInStock:  {itam.StatusDeployed, itam.StatusInRepair, itam.StatusLost, itam.StatusStolen, itam.StatusRetired},
	itam.StatusDeployed: {itam.StatusInStock, itam.StatusInRepair, itam.StatusLost, itam.StatusStolen},
	itam.StatusInRepair: {itam.StatusInStock, itam.StatusLost, itam.StatusStolen},
	itam.StatusLost:     {itam.StatusInStock},
	itam.StatusStolen:   {itam.StatusInStock},
	itam.StatusRetired:  {itam.StatusDisposed},
	itam.StatusDisposed: nil,
}

// Allowed reports whether an asset in status from may move to status to.
func Allowed(from, to itam.AssetStatus) bool {
	for _, s := range Edges[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Valid reports whether s is a known status.
func Valid(s itam.AssetStatus) bool {
	_, ok := Edges[s]
	return ok
}

// InitialStatuses are the statuses an asset may be created in: it is either
// on order or already on the shelf; deployment happens by assigning it.
var InitialStatuses = []itam.AssetStatus{itam.StatusOrdered, itam.StatusInStock}

// Transition checks a move and returns a BAD_USER_INPUT error naming both
// statuses when it is refused. Moves with side conditions are checked here too:
// DEPLOYED is reached by assigning (so an assignee must exist), RETIRED needs
// no assignee, and DISPOSED needs disposal details (checked by the caller that
// has them, see Dispose).
func Transition(from, to itam.AssetStatus, assigned bool) error {
	if !Valid(to) {
		return itam.Invalid("status", "unknown status %q", to)
	}
	if from == to {
		return itam.Invalid("status", "asset is already %s", from)
	}
	if !Allowed(from, to) {
		return itam.Invalid("status", "cannot move an asset from %s to %s", from, to)
	}
	switch to {
	case itam.StatusDeployed:
		if !assigned {
			return itam.Invalid("status", "cannot move an asset from %s to DEPLOYED without an assignee: assign it instead", from)
		}
	case itam.StatusRetired:
		if assigned {
			return itam.Invalid("status", "cannot move an asset from %s to RETIRED while it is assigned: unassign it first", from)
		}
	case itam.StatusDisposed:
		return itam.Invalid("status", "cannot move an asset from %s to DISPOSED with transitionAsset: use disposeAsset with the disposal details", from)
	}
	return nil
}

// AfterAssign is the status an asset takes when it is checked out: assigning
// sets DEPLOYED, and only from statuses that may move to DEPLOYED (or already are).
func AfterAssign(from itam.AssetStatus) (itam.AssetStatus, error) {
	if from == itam.StatusDeployed || Allowed(from, itam.StatusDeployed) {
		return itam.StatusDeployed, nil
	}
	return "", itam.Invalid("status", "cannot assign an asset that is %s: move it to IN_STOCK first", from)
}

// AfterUnassign is the status an asset takes when it is checked in.
func AfterUnassign(from itam.AssetStatus) itam.AssetStatus {
	if from == itam.StatusDeployed {
		return itam.StatusInStock
	}
	return from
}
