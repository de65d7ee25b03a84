package lifecycle

import (
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Change is what a lifecycle operation decided: the asset as it is to be
// stored and the history action that records it. For a deletion Asset is
// the state the asset had.
type Change struct {
	Asset  itam.Asset
	Action itam.HistoryAction
}

// Create builds a new asset from its input: text trimmed, IN_STOCK and NEW
// unless given, a starting status from InitialStatuses, and DEPLOYED when it
// is created assigned (an asset assigned to a location is located there
// unless a location is given). The owner and tag defaults, Asset.Normalize
// and what needs the database (the model, that the assignee exists) are
// the store's to apply.
func Create(in itam.AssetInput, assignee *itam.Assignee) (Change, error) {
	a := itam.Asset{
		SerialNumber: itam.Trimmed(in.SerialNumber), Name: itam.Trimmed(in.Name), ModelID: in.ModelID,
		Status: itam.StatusInStock, Condition: itam.ConditionNew, OwnerPersonID: in.OwnerPersonID, OwnerTeamID: in.OwnerTeamID,
		LocationID: in.LocationID, PurchaseDate: in.PurchaseDate, PurchasePrice: in.PurchasePrice, SupplierID: in.SupplierID,
		DepreciationProfileID: in.DepreciationProfileID, InServiceDate: in.InServiceDate,
		OrderNumber: itam.Trimmed(in.OrderNumber), InvoiceNumber: itam.Trimmed(in.InvoiceNumber), WarrantyEnd: in.WarrantyEnd,
		EndOfLife: in.EndOfLife, Notes: in.Notes, CustomFields: in.CustomFields,
	}
	if in.Status != nil {
		if !slices.Contains(InitialStatuses, *in.Status) {
			return Change{}, itam.Invalid("status", "a new asset starts ORDERED or IN_STOCK (assign it to deploy it), not %s", *in.Status)
		}
		a.Status = *in.Status
	}
	if in.Condition != nil {
		a.Condition = *in.Condition
	}
	if in.AssetTag != nil {
		a.AssetTag = strings.TrimSpace(*in.AssetTag)
		if a.AssetTag == "" {
			return Change{}, itam.Invalid("assetTag", "asset tag cannot be blank")
		}
	}
	if assignee != nil {
		st, err := AfterAssign(a.Status)
		if err != nil {
			return Change{}, err
		}
		if err := assignee.Validate(); err != nil {
			return Change{}, err
		}
		a.Status, a.AssignedPersonID, a.AssignedLocationID = st, assignee.PersonID, assignee.LocationID
		if assignee.LocationID != nil && a.LocationID == nil {
			a.LocationID = assignee.LocationID
		}
	}
	if err := in.Validate(); err != nil {
		return Change{}, err
	}
	for _, e := range in.ExternalIDs {
		e.Source, e.ExternalID = strings.TrimSpace(e.Source), strings.TrimSpace(e.ExternalID)
		a.ExternalIDs = append(a.ExternalIDs, e)
	}
	return Change{Asset: a, Action: itam.HistoryCreate}, nil
}

// Assign checks an asset out to req.To (see AssignRequest): it becomes
// DEPLOYED (see AfterAssign) and moves with its holder: to a location
// assigned to, or to the person's location (facts.PersonLocation) when they
// have one; req.LocationID, when given, wins over both. An asset someone
// else holds is handed on only with req.Reassign (the refusal names the
// holder, facts.Holder); assigning it to its current holder again is
// refused, so a retried call never opens a second checkout. That the
// assignee and location exist, and that the person may take assets, is the
// store's to check.
func Assign(a itam.Asset, req AssignRequest, facts AssignFacts) (Change, error) {
	st, err := AfterAssign(a.Status)
	if err != nil {
		return Change{}, err
	}
	to := req.To
	if err := to.Validate(); err != nil {
		return Change{}, err
	}
	if err := req.checkTerms(facts.Today); err != nil {
		return Change{}, err
	}
	if assigned(a) {
		holder := facts.Holder
		if holder == "" {
			holder = "someone else"
		}
		if sameID(a.AssignedPersonID, to.PersonID) && sameID(a.AssignedLocationID, to.LocationID) {
			return Change{}, itam.Invalid("assigneeId", "asset %s is already assigned to %s: nothing to do (unassign or check it in first to open a new checkout)", a.AssetTag, holder)
		}
		if !req.Reassign {
			return Change{}, itam.Invalid("reassign", "asset %s is assigned to %s: pass reassign: true to hand it over (the history records from whom to whom), or check it in first", a.AssetTag, holder)
		}
	}
	a.Status = st
	a.AssignedPersonID, a.AssignedLocationID = to.PersonID, to.LocationID
	switch {
	case req.LocationID != nil:
		a.LocationID = req.LocationID
	case to.LocationID != nil:
		a.LocationID = to.LocationID
	case facts.PersonLocation != nil:
		a.LocationID = facts.PersonLocation
	}
	return Change{Asset: a, Action: itam.HistoryAssign}, nil
}

// Unassign checks an assigned asset back in (see AfterUnassign).
func Unassign(a itam.Asset) (Change, error) {
	if !assigned(a) {
		return Change{}, itam.Invalid("id", "asset %s is not assigned", a.AssetTag)
	}
	a.AssignedPersonID, a.AssignedLocationID = nil, nil
	a.Status = AfterUnassign(a.Status)
	return Change{Asset: a, Action: itam.HistoryUnassign}, nil
}

// Move changes an asset's status as Transition allows; retiring is a Move
// to RETIRED. Returning to stock (from deployment, from repair, or found
// after loss) checks the asset in: the assignee is dropped and the open
// checkout closes. Every other move keeps the assignee, so a repair round
// trip (DEPLOYED → IN_REPAIR → DEPLOYED) ends with the same holder.
func Move(a itam.Asset, to itam.AssetStatus) (Change, error) {
	if err := Transition(a.Status, to, assigned(a)); err != nil {
		return Change{}, err
	}
	if to == itam.StatusInStock {
		a.AssignedPersonID, a.AssignedLocationID = nil, nil
	}
	a.Status = to
	return Change{Asset: a, Action: itam.HistoryTransition}, nil
}

// Delete decides whether an asset may be deleted: only one entered by
// mistake and never put to use (ORDERED or IN_STOCK, unassigned) may go;
// everything else is retired and disposed so its history stays meaningful.
func Delete(a itam.Asset) (Change, error) {
	if (a.Status != itam.StatusOrdered && a.Status != itam.StatusInStock) || assigned(a) {
		return Change{}, itam.Invalid("id", "asset %s is %s: only unassigned ORDERED or IN_STOCK assets can be deleted; retire and dispose it instead", a.AssetTag, a.Status)
	}
	return Change{Asset: a, Action: itam.HistoryDelete}, nil
}

func assigned(a itam.Asset) bool { return a.AssignedPersonID != nil || a.AssignedLocationID != nil }

func sameID(a, b *uuid.UUID) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// Returned reports whether a change from before to after brings the asset
// back from the holder it had: checked in, or handed to someone else. The
// store then tells offboarding (afterAssetReturned).
func Returned(before, after itam.Asset) bool {
	return assigned(before) && !(sameID(before.AssignedPersonID, after.AssignedPersonID) && sameID(before.AssignedLocationID, after.AssignedLocationID))
}
