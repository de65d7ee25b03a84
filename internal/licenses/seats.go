package licenses

import (
	"context"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// CheckAssign checks a seat assignment against its license's model:
// exactly one holder, of the kind the model's seats go to. Over-assigning
// beyond the license's seats is allowed: the compliance position shows it
// rather than the inventory refusing what already happened.
func CheckAssign(l *License, in SeatInput) error {
	holder, err := l.Model.SeatHolder()
	if err != nil {
		return err
	}
	switch {
	case in.PersonID != nil && in.AssetID != nil:
		return itam.Invalid("assetId", "give personId or assetId, not both")
	case holder == HolderPerson && in.PersonID == nil:
		return itam.Invalid("personId", "seats of a %s license go to people: give personId", l.Model)
	case holder == HolderAsset && in.AssetID == nil:
		return itam.Invalid("assetId", "seats of a %s license go to devices: give assetId", l.Model)
	}
	return nil
}

// CheckPersonHolder refuses a seat for someone who has left.
func CheckPersonHolder(status itam.PersonStatus) error {
	if status == itam.PersonOffboarded {
		return itam.Invalid("personId", "this person is offboarded and cannot hold a seat")
	}
	return nil
}

// CheckAssetHolder refuses a seat for a device that is out of service.
func CheckAssetHolder(status itam.AssetStatus) error {
	if status == itam.StatusRetired || status == itam.StatusDisposed {
		return itam.Invalid("assetId", "a %s asset cannot hold a seat", status)
	}
	return nil
}

// CheckReclaimReason trims and checks why a seat is taken back; the reason
// is required so the seat's history explains itself.
func CheckReclaimReason(reason string) (string, error) {
	if err := itam.CheckText("reason", reason, MaxReasonLength); err != nil {
		return "", err
	}
	r := itam.Trimmed(&reason)
	if r == nil {
		return "", itam.Invalid("reason", "reason cannot be blank")
	}
	return *r, nil
}

// CheckBulk bounds a bulk seat change.
func CheckBulk(n int) error {
	if n > MaxBulkItems {
		return itam.Invalid("input", "at most %d items per call, got %d", MaxBulkItems, n)
	}
	return nil
}

// Who may do what with licenses. Reads follow the inventory's rules (an
// EMPLOYEE sees only the licenses they or their devices hold a seat of,
// without costs); writes are ADMIN and MANAGER; the key is ADMIN only.

// RequireRead returns the caller; every role reads licenses (EMPLOYEE a
// narrowed set: see SeesAll).
func RequireRead(ctx context.Context) (itam.Principal, error) { return itam.RequirePrincipal(ctx) }

// RequireWrite returns the caller when they may change licenses and seats.
func RequireWrite(ctx context.Context) (itam.Principal, error) { return itam.RequireWrite(ctx) }

// RequireKeyRead returns the caller when they may read a license key: ADMIN
// only, because a key is a credential, not inventory.
func RequireKeyRead(ctx context.Context) (itam.Principal, error) { return itam.RequireAdmin(ctx) }

// SeesAll reports whether p reads every license of the organization; an
// EMPLOYEE reads only those they or their devices hold an active seat of.
func SeesAll(p itam.Principal) bool { return p.CanReadAll() }

// CanSeeCosts reports whether p may read seat and total costs.
func CanSeeCosts(p itam.Principal) bool { return p.CanReadCosts() }

// RequireCosts returns the caller when they may read costs, else FORBIDDEN
// (as Asset.purchasePrice is for an EMPLOYEE).
func RequireCosts(ctx context.Context) (itam.Principal, error) { return itam.RequireCosts(ctx) }

// ReclaimInput ends a seat, saying why.
type ReclaimInput struct {
	SeatID uuid.UUID
	Reason string
}

// SeatResult is one item of a bulk seat change: the seat, or why that item
// was refused (the other items stand).
type SeatResult struct {
	Seat *Seat
	Err  *itam.Error
}
