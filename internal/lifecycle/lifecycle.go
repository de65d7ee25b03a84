// Package lifecycle holds the asset lifecycle as data and pure functions:
// which status may move to which (Edges, Transition), and every operation
// that changes an asset's status or assignment (Create, Assign, Unassign,
// Move, Dispose, Delete; the sync path uses AfterAssign). Each takes the
// asset's current state and the request and returns the new state and its
// history action, or a typed *itam.Error; stores only load, lock, call them
// and save. So the rules live in one place that tests walk without a database.
package lifecycle

import (
	"fmt"
	"strings"

	"github.com/itam-dev/itam/internal/itam"
)

// Edges maps each status to the statuses it may move to directly.
//
//	ORDERED → IN_STOCK → DEPLOYED ↔ IN_STOCK
//	DEPLOYED/IN_STOCK → IN_REPAIR → DEPLOYED (back to its holder) | IN_STOCK (checked in)
//	ORDERED/IN_STOCK/DEPLOYED/IN_REPAIR → LOST | STOLEN → IN_STOCK (found)
//	IN_STOCK → RETIRED → DISPOSED (terminal)
//
// A repair keeps the holder: DEPLOYED → IN_REPAIR leaves the assignee in
// place so the asset can go back to them (IN_REPAIR → DEPLOYED); moving it
// to IN_STOCK instead checks it in. Side conditions are Transition's.
var Edges = map[itam.AssetStatus][]itam.AssetStatus{
	itam.StatusOrdered:  {itam.StatusInStock, itam.StatusLost, itam.StatusStolen},
	itam.StatusInStock:  {itam.StatusDeployed, itam.StatusInRepair, itam.StatusLost, itam.StatusStolen, itam.StatusRetired},
	itam.StatusDeployed: {itam.StatusInStock, itam.StatusInRepair, itam.StatusLost, itam.StatusStolen},
	itam.StatusInRepair: {itam.StatusDeployed, itam.StatusInStock, itam.StatusLost, itam.StatusStolen},
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

// Transition checks a move and returns a BAD_USER_INPUT error on field
// status when it is refused, naming both statuses, the statuses the asset
// may move to instead (AllowedFrom) and what to do. Moves with side
// conditions are checked here too: DEPLOYED needs an assignee (it is reached
// by assigning, or by coming back from repair to the holder it kept),
// RETIRED needs none, and DISPOSED is never a transition (disposeAsset
// records how the asset left).
func Transition(from, to itam.AssetStatus, assigned bool) error {
	if !Valid(to) {
		return itam.Invalid("status", "unknown status %q", to)
	}
	if from == to {
		return itam.Invalid("status", "asset is already %s", from)
	}
	refuse := func(why, todo string) error {
		msg := fmt.Sprintf("cannot move an asset from %s to %s%s: allowed from %s: %s", from, to, why, from, listStatuses(AllowedFrom(from, assigned)))
		if todo != "" {
			msg += "; " + todo
		}
		return itam.Invalid("status", "%s", msg)
	}
	if !Allowed(from, to) {
		return refuse("", detour(from, to, assigned))
	}
	switch to {
	case itam.StatusDeployed:
		if !assigned {
			return refuse(" without an assignee", "assign it instead")
		}
	case itam.StatusRetired:
		if assigned {
			return refuse(" while it is assigned", "unassign it first")
		}
	case itam.StatusDisposed:
		return refuse(" with transitionAsset", "use disposeAsset with the disposal details")
	}
	return nil
}

// AllowedFrom is the statuses transitionAsset accepts from status from for
// an asset that is assigned or not: the edges out of from that meet their
// side conditions (see Transition). DISPOSED is never among them.
func AllowedFrom(from itam.AssetStatus, assigned bool) []itam.AssetStatus {
	out := []itam.AssetStatus{}
	for _, to := range Edges[from] {
		switch {
		case to == itam.StatusDisposed, to == itam.StatusDeployed && !assigned, to == itam.StatusRetired && assigned:
			continue
		}
		out = append(out, to)
	}
	return out
}

// AllowedTargets is AllowedFrom for an asset as it stands: what
// Asset.allowedTransitions shows, so a client offers only moves that succeed.
func AllowedTargets(a itam.Asset) []itam.AssetStatus {
	return AllowedFrom(a.Status, assigned(a))
}

// detour says how to reach to from from when there is no direct edge: the
// step to take first, or why there is none.
func detour(from, to itam.AssetStatus, assigned bool) string {
	switch {
	case from == itam.StatusDisposed:
		return "a disposed asset stays disposed"
	case to == itam.StatusDisposed:
		return "retire it (from IN_STOCK), then use disposeAsset"
	case to == itam.StatusRetired && assigned:
		return "unassign it first"
	case to == itam.StatusDeployed && from == itam.StatusOrdered:
		return "receive it (IN_STOCK) first, then assign it"
	}
	for _, via := range Edges[from] {
		if Allowed(via, to) {
			return fmt.Sprintf("move it to %s first", via)
		}
	}
	return ""
}

// listStatuses renders statuses for a message: "IN_STOCK, LOST" or "none".
func listStatuses(ss []itam.AssetStatus) string {
	if len(ss) == 0 {
		return "none"
	}
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = string(s)
	}
	return strings.Join(parts, ", ")
}

// AfterAssign is the status an asset takes when it is checked out: assigning
// sets DEPLOYED, only from IN_STOCK (or DEPLOYED, handing it on). An asset
// IN_REPAIR keeps its holder and goes back to them with a transition to
// DEPLOYED; ORDERED, LOST and STOLEN assets are received or found first.
func AfterAssign(from itam.AssetStatus) (itam.AssetStatus, error) {
	switch from {
	case itam.StatusInStock, itam.StatusDeployed:
		return itam.StatusDeployed, nil
	case itam.StatusInRepair:
		return "", itam.Invalid("status", "cannot assign an asset that is IN_REPAIR: move it to DEPLOYED (back to its holder) or IN_STOCK (checked in) first")
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
