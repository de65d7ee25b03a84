package costs

import (
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// ContractFilter selects contracts; every condition set must hold.
type ContractFilter struct {
	Kinds      []ContractKind
	SupplierID *uuid.UUID
	// AssetID and LicenseID: contracts covering it.
	AssetID   *uuid.UUID
	LicenseID *uuid.UUID
	// ActiveOn: started on or before the day and not ended before it.
	ActiveOn *time.Time
	// NoticeWithinDays: a notice date from today to today + n days.
	NoticeWithinDays *int
	Search           *string
}

// MaxNoticeWithinDays bounds noticeWithinDays at ten years.
const MaxNoticeWithinDays = 3650

// Validate refuses unknown or repeated kinds and a notice window outside
// 1–3650 days, naming the filter field.
func (f ContractFilter) Validate() error {
	seen := map[ContractKind]bool{}
	for _, k := range f.Kinds {
		if !k.Valid() {
			return itam.Invalid("filter.kinds", "unknown contract kind %q", k)
		}
		if seen[k] {
			return itam.Invalid("filter.kinds", "%s is given twice", k)
		}
		seen[k] = true
	}
	if n := f.NoticeWithinDays; n != nil && (*n < 1 || *n > MaxNoticeWithinDays) {
		return itam.Invalid("filter.noticeWithinDays", "give 1 to %d days", MaxNoticeWithinDays)
	}
	return nil
}
