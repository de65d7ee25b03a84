package costs

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Coverage bounds: a contract's asset and license lists are written in
// one transaction and each id is checked against the organization, so the
// lists are capped (a fleet lease of 10,000 devices is the largest case
// we plan for).
const (
	MaxContractAssets   = 10000
	MaxContractLicenses = 1000
)

// NewContract checks a contract to be created or saved: its coverage
// bounds, then every rule of Validate; it returns the normalized copy
// stores save.
func NewContract(c Contract) (Contract, error) {
	if len(c.AssetIDs) > MaxContractAssets {
		return Contract{}, itam.Invalid("assetIds", "a contract covers at most %d assets", MaxContractAssets)
	}
	if len(c.LicenseIDs) > MaxContractLicenses {
		return Contract{}, itam.Invalid("licenseIds", "a contract covers at most %d licenses", MaxContractLicenses)
	}
	return c.Normalize()
}

// ContractPatch is an update to a contract: an unset Optional or a nil
// pointer leaves the field as it is, Optional set to nil clears it.
// AssetIDs, LicenseIDs and Charges replace the whole list when non-nil.
type ContractPatch struct {
	ID          uuid.UUID
	Version     int
	Kind        *ContractKind
	SupplierID  itam.Optional[uuid.UUID]
	Number      itam.Optional[string]
	Start       *time.Time
	End         itam.Optional[time.Time]
	RenewalDate itam.Optional[time.Time]
	NoticeDate  itam.Optional[time.Time]
	AssetIDs    *[]uuid.UUID
	LicenseIDs  *[]uuid.UUID
	Charges     *[]Charge
	Notes       itam.Optional[string]
}

// Apply returns cur with the patch applied, checked and normalized
// (NewContract). cur must carry its coverage (AssetIDs, LicenseIDs) for
// the lists to survive a patch that leaves them alone.
func (p ContractPatch) Apply(cur Contract) (Contract, error) {
	next := cur
	if p.Kind != nil {
		next.Kind = *p.Kind
	}
	setOpt(&next.SupplierID, p.SupplierID)
	setOpt(&next.Number, p.Number)
	if p.Start != nil {
		next.Start = *p.Start
	}
	setOpt(&next.End, p.End)
	setOpt(&next.RenewalDate, p.RenewalDate)
	setOpt(&next.NoticeDate, p.NoticeDate)
	if p.AssetIDs != nil {
		next.AssetIDs = slices.Clone(*p.AssetIDs)
	}
	if p.LicenseIDs != nil {
		next.LicenseIDs = slices.Clone(*p.LicenseIDs)
	}
	if p.Charges != nil {
		next.Charges = slices.Clone(*p.Charges)
	}
	setOpt(&next.Notes, p.Notes)
	return NewContract(next)
}

func setOpt[T any](dst **T, o itam.Optional[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// MissingReference names the first id of ids absent from found as a
// NOT_FOUND on field[i] (assetIds[3]): an id unknown to the caller's
// organization (or another organization's, which RLS hides) changes
// nothing and says which one it was. nil when all were found.
func MissingReference(field, what string, ids []uuid.UUID, found map[uuid.UUID]bool) error {
	for i, id := range ids {
		if !found[id] {
			return &itam.Error{Code: itam.CodeNotFound, Field: fmt.Sprintf("%s[%d]", field, i), Message: what + " not found"}
		}
	}
	return nil
}

// MaxHistoryIDs bounds the ids a contract's history entry lists as added
// to or removed from its coverage; the counts are always recorded, so a
// change to 10,000 assets stays a small row.
const MaxHistoryIDs = 100

// ContractFields is what a contract's history records: its terms and
// charges as they are, its coverage as counts (ContractCoverageChanges
// adds which ids came and went).
func ContractFields(c *Contract) map[string]any {
	charges := make([]map[string]any, len(c.Charges))
	for i, ch := range c.Charges {
		charges[i] = map[string]any{"amount": ch.Amount.Amount.String(), "currency": ch.Amount.Currency, "every": ch.Every,
			"start": dayString(ch.Start), "end": dayString(ch.End)}
	}
	start := c.Start.Format(time.DateOnly)
	return map[string]any{
		"kind": c.Kind, "supplierId": c.SupplierID, "number": c.Number, "start": start, "end": dayString(c.End),
		"renewalDate": dayString(c.RenewalDate), "noticeDate": dayString(c.NoticeDate), "notes": c.Notes,
		"charges": charges, "assetCount": len(c.AssetIDs), "licenseCount": len(c.LicenseIDs),
	}
}

func dayString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// ContractChanges is a contract's history entry: Diff of ContractFields
// (before nil: created; after nil: deleted), plus, when coverage changed,
// assetsAdded/assetsRemoved and licensesAdded/licensesRemoved as id lists
// of at most MaxHistoryIDs each (sorted; the counts say how many in all).
func ContractChanges(before, after *Contract) Changes {
	ch := Diff(before, after, ContractFields)
	var b, a Contract
	if before != nil {
		b = *before
	}
	if after != nil {
		a = *after
	}
	coverage := func(field string, from, to []uuid.UUID) {
		added, removed := idsDiff(from, to)
		for suffix, ids := range map[string][]uuid.UUID{"Added": added, "Removed": removed} {
			if len(ids) == 0 {
				continue
			}
			d := Diff(nil, &ids, func(ids *[]uuid.UUID) map[string]any {
				return map[string]any{field + suffix: (*ids)[:min(len(*ids), MaxHistoryIDs)]}
			})
			for k, v := range d {
				ch[k] = v
			}
		}
	}
	coverage("assets", b.AssetIDs, a.AssetIDs)
	coverage("licenses", b.LicenseIDs, a.LicenseIDs)
	return ch
}

// idsDiff lists the ids only in to (added) and only in from (removed), sorted.
func idsDiff(from, to []uuid.UUID) (added, removed []uuid.UUID) {
	in := func(ids []uuid.UUID) map[uuid.UUID]bool {
		m := make(map[uuid.UUID]bool, len(ids))
		for _, id := range ids {
			m[id] = true
		}
		return m
	}
	f, t := in(from), in(to)
	for _, id := range to {
		if !f[id] {
			added = append(added, id)
		}
	}
	for _, id := range from {
		if !t[id] {
			removed = append(removed, id)
		}
	}
	cmp := func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) }
	slices.SortFunc(added, cmp)
	slices.SortFunc(removed, cmp)
	return added, removed
}

// NotFoundField is a NOT_FOUND naming the input field that referred to
// what (supplierId): an unknown id or another organization's.
func NotFoundField(field, what string) error {
	return &itam.Error{Code: itam.CodeNotFound, Field: field, Message: what + " not found"}
}
