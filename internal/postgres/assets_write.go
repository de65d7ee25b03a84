package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/reconcile"
)

// actor is how history records the caller.
func actor(p itam.Principal) (itam.ActorKind, string, string) {
	kind := p.ActorKind
	if kind == "" {
		kind = itam.ActorUser
	}
	source := "api"
	if kind != itam.ActorUser {
		source = strings.ToLower(string(kind))
	}
	return kind, p.Subject, source
}

// insertHistorySQL records one change of an asset; from_status and
// to_status are NULL for a creation and a deletion respectively.
const insertHistorySQL = `INSERT INTO asset_history (org_id, asset_id, action, actor_kind, actor, source, changes, from_status, to_status)
	VALUES ($1, $2, $3::text::history_action, $4::text::actor_kind, $5, $6, $7, $8::text::asset_status, $9::text::asset_status)`

// historyArgs are insertHistorySQL's arguments for the change from before
// to after (before nil: a creation; after nil: a deletion), whose field
// changes the caller computed with itam.DiffAssets.
func historyArgs(p itam.Principal, action itam.HistoryAction, before, after *itam.Asset, changes map[string]map[string]json.RawMessage) []any {
	kind, who, source := actor(p)
	var id uuid.UUID
	var from, to *string
	if before != nil {
		id, from = before.ID, ptr(string(before.Status))
	}
	if after != nil {
		id, to = after.ID, ptr(string(after.Status))
	}
	if changes == nil {
		changes = map[string]map[string]json.RawMessage{}
	}
	return []any{p.OrgID, id, string(action), string(kind), who, source, changes, from, to}
}

func ptr[T any](v T) *T { return &v }

// lockAsset reads an asset for change, locking its row, and refuses when
// the caller read an older version than the one stored.
func lockAsset(ctx context.Context, tx pgx.Tx, id uuid.UUID, version *int) (*itam.Asset, error) {
	rows, _ := tx.Query(ctx, "SELECT "+assetColumns+" FROM assets a WHERE a.id = $1 FOR UPDATE", id)
	a, err := pgx.CollectExactlyOneRow(rows, scanAsset)
	if err == pgx.ErrNoRows {
		return nil, itam.NotFound("asset")
	}
	if err != nil {
		return nil, err
	}
	if version != nil && *version != a.Version {
		return nil, itam.Conflict("version", "asset %s was changed by someone else: it is at version %d, you edited version %d; reload and retry", a.AssetTag, a.Version, *version)
	}
	return a, nil
}

// modelInfo is what an asset needs from its model: the manufacturer (copied
// for serial uniqueness) and the category's custom field definitions.
func modelInfo(ctx context.Context, tx pgx.Tx, id uuid.UUID) (uuid.UUID, []itam.FieldDefinition, error) {
	var mfr uuid.UUID
	var defs []itam.FieldDefinition
	err := tx.QueryRow(ctx, `SELECT m.manufacturer_id, c.field_definitions FROM models m JOIN categories c ON c.id = m.category_id WHERE m.id = $1`, id).Scan(&mfr, &defs)
	if err == pgx.ErrNoRows {
		return mfr, nil, itam.Invalid("modelId", "unknown model")
	}
	return mfr, defs, err
}

// validateAsset checks the rules a stored asset must satisfy, naming fields.
func validateAsset(a *itam.Asset) error {
	if strings.TrimSpace(a.AssetTag) == "" {
		return itam.Invalid("assetTag", "asset tag cannot be blank")
	}
	if len(a.AssetTag) > 64 {
		return itam.Invalid("assetTag", "asset tag is at most 64 characters")
	}
	if a.PurchasePrice != nil {
		if err := itam.ValidateMoney(*a.PurchasePrice, "purchasePrice"); err != nil {
			return err
		}
		a.PurchasePrice.Currency, _ = itam.ParseCurrency(a.PurchasePrice.Currency)
	}
	if (a.OwnerPersonID == nil) == (a.OwnerTeamID == nil) {
		return itam.Invalid("ownerId", "an asset has exactly one owner: a person or a team")
	}
	if a.WarrantyEnd != nil && a.PurchaseDate != nil && a.WarrantyEnd.Before(*a.PurchaseDate) {
		return itam.Invalid("warrantyEnd", "warranty cannot end before the purchase date")
	}
	if a.EndOfLife != nil && a.PurchaseDate != nil && a.EndOfLife.Before(*a.PurchaseDate) {
		return itam.Invalid("endOfLife", "end of life cannot be before the purchase date")
	}
	if a.Condition != "" {
		switch a.Condition {
		case itam.ConditionNew, itam.ConditionGood, itam.ConditionFair, itam.ConditionPoor, itam.ConditionBroken:
		default:
			return itam.Invalid("condition", "unknown condition %q", a.Condition)
		}
	}
	return nil
}

const assetInsert = `INSERT INTO assets AS a (org_id, asset_tag, serial_number, name, model_id, manufacturer_id, status, condition,
	assigned_person_id, assigned_location_id, owner_person_id, owner_team_id, location_id, purchase_date, purchase_price,
	purchase_currency, supplier_id, order_number, invoice_number, warranty_end, end_of_life, notes, custom_fields)
	VALUES ($1, $2, $3, $4, $5, $6, $7::text::asset_status, $8::text::asset_condition, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
	RETURNING ` + assetColumns

func priceArgs(m *itam.Money) (any, any) {
	if m == nil {
		return nil, nil
	}
	return m.Amount, m.Currency
}

// CreateAsset adds an asset. Without a tag it takes the next one from the
// organization's sequence; without an owner it is owned by the
// organization's default owner team; with an assignee it starts DEPLOYED.
func (s *AssetStore) CreateAsset(ctx context.Context, in itam.AssetInput, assignee *itam.Assignee) (*itam.Asset, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	a := &itam.Asset{
		OrgID: p.OrgID, SerialNumber: itam.Trimmed(in.SerialNumber), Name: itam.Trimmed(in.Name), ModelID: in.ModelID,
		Status: itam.StatusInStock, Condition: itam.ConditionNew, OwnerPersonID: in.OwnerPersonID, OwnerTeamID: in.OwnerTeamID,
		LocationID: in.LocationID, PurchaseDate: in.PurchaseDate, PurchasePrice: in.PurchasePrice, SupplierID: in.SupplierID,
		OrderNumber: itam.Trimmed(in.OrderNumber), InvoiceNumber: itam.Trimmed(in.InvoiceNumber), WarrantyEnd: in.WarrantyEnd,
		EndOfLife: in.EndOfLife, Notes: in.Notes, CustomFields: in.CustomFields,
	}
	if in.Status != nil {
		ok := false
		for _, s := range lifecycle.InitialStatuses {
			ok = ok || s == *in.Status
		}
		if !ok {
			return nil, itam.Invalid("status", "a new asset starts ORDERED or IN_STOCK (assign it to deploy it), not %s", *in.Status)
		}
		a.Status = *in.Status
	}
	if in.Condition != nil {
		a.Condition = *in.Condition
	}
	if in.AssetTag != nil {
		a.AssetTag = strings.TrimSpace(*in.AssetTag)
		if a.AssetTag == "" {
			return nil, itam.Invalid("assetTag", "asset tag cannot be blank")
		}
	}
	if assignee != nil {
		if a.Status, err = lifecycle.AfterAssign(a.Status); err != nil {
			return nil, err
		}
		a.AssignedPersonID, a.AssignedLocationID = assignee.PersonID, assignee.LocationID
	}
	for i, e := range in.ExternalIDs {
		if strings.TrimSpace(e.Source) == "" || strings.TrimSpace(e.ExternalID) == "" {
			return nil, itam.Invalid(fmt.Sprintf("externalIds[%d]", i), "source and external id are required")
		}
	}
	var out *itam.Asset
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if a.OwnerPersonID == nil && a.OwnerTeamID == nil {
			if err := tx.QueryRow(ctx, `SELECT default_owner_team_id FROM organizations WHERE id = $1`, p.OrgID).Scan(&a.OwnerTeamID); err != nil {
				return err
			}
			if a.OwnerTeamID == nil {
				return itam.Invalid("ownerId", "no owner given and the organization has no default owner team")
			}
		}
		// Taking a tag number inside the transaction means a refused create
		// rolls the sequence back with everything else.
		if a.AssetTag == "" {
			var err error
			if a.AssetTag, err = nextAssetTag(ctx, tx, p.OrgID); err != nil {
				return err
			}
		}
		if err := validateAsset(a); err != nil {
			return err
		}
		mfr, defs, err := modelInfo(ctx, tx, a.ModelID)
		if err != nil {
			return err
		}
		a.ManufacturerID = mfr
		if a.CustomFields, err = itam.ValidateCustomFields(defs, a.CustomFields, "customFields"); err != nil {
			return err
		}
		if assignee != nil {
			if err := checkAssignee(ctx, tx, *assignee); err != nil {
				return err
			}
			if assignee.LocationID != nil && a.LocationID == nil {
				a.LocationID = assignee.LocationID
			}
		}
		price, cur := priceArgs(a.PurchasePrice)
		rows, _ := tx.Query(ctx, assetInsert, p.OrgID, a.AssetTag, a.SerialNumber, a.Name, a.ModelID, a.ManufacturerID,
			string(a.Status), string(a.Condition), a.AssignedPersonID, a.AssignedLocationID, a.OwnerPersonID, a.OwnerTeamID,
			a.LocationID, a.PurchaseDate, price, cur, a.SupplierID, a.OrderNumber, a.InvoiceNumber, a.WarrantyEnd,
			a.EndOfLife, a.Notes, a.CustomFields)
		created, err := pgx.CollectExactlyOneRow(rows, scanAsset)
		if err != nil {
			return err
		}
		for _, e := range in.ExternalIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, last_seen_at) VALUES ($1, $2, $3, $4, $5)`,
				p.OrgID, created.ID, strings.TrimSpace(e.Source), strings.TrimSpace(e.ExternalID), e.LastSeenAt); err != nil {
				if itam.ErrorCode(mapError(err)) == itam.CodeConflict {
					return itam.Conflict("externalIds", "external id %s/%s is already linked to another asset", e.Source, e.ExternalID)
				}
				return err
			}
		}
		out = created
		_, err = tx.Exec(ctx, insertHistorySQL, historyArgs(p, itam.HistoryCreate, nil, created, itam.DiffAssets(nil, created))...)
		return err
	})
	return out, err
}

// nextAssetTag takes the next number of the organization's tag sequence,
// skipping numbers already used by hand-entered tags.
func nextAssetTag(ctx context.Context, tx pgx.Tx, org uuid.UUID) (string, error) {
	for range 1000 {
		var tag string
		err := tx.QueryRow(ctx, `UPDATE organizations SET asset_tag_seq = asset_tag_seq + 1 WHERE id = $1
			RETURNING asset_tag_prefix || lpad(asset_tag_seq::text, greatest(6, length(asset_tag_seq::text)), '0')`, org).Scan(&tag)
		if err != nil {
			return "", err
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assets WHERE asset_tag_key = lower($1))`, tag).Scan(&taken); err != nil {
			return "", err
		}
		if !taken {
			return tag, nil
		}
	}
	return "", itam.Conflict("assetTag", "could not find a free asset tag; give one explicitly")
}

func checkAssignee(ctx context.Context, tx pgx.Tx, as itam.Assignee) error {
	if (as.PersonID == nil) == (as.LocationID == nil) {
		return itam.Invalid("assigneeId", "assign to exactly one person or one location")
	}
	if as.PersonID != nil {
		var status string
		err := tx.QueryRow(ctx, `SELECT status::text FROM people WHERE id = $1`, *as.PersonID).Scan(&status)
		if err == pgx.ErrNoRows {
			return itam.Invalid("assigneeId", "unknown person")
		}
		if err != nil {
			return err
		}
		if status != string(itam.PersonActive) {
			return itam.Invalid("assigneeId", "cannot assign to a person who is %s", status)
		}
		return nil
	}
	var ok bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM locations WHERE id = $1)`, *as.LocationID).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return itam.Invalid("assigneeId", "unknown location")
	}
	return nil
}

// mutate is the one path every change to an existing asset takes: lock the
// row, check the version the caller read, apply change to a copy, validate,
// write the whole row, and record history, all in one transaction. A change
// that changes nothing writes nothing.
func (s *AssetStore) mutate(ctx context.Context, id uuid.UUID, version *int, action itam.HistoryAction,
	change func(tx pgx.Tx, before *itam.Asset, a *itam.Asset) error) (*itam.Asset, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.Asset
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		before, err := lockAsset(ctx, tx, id, version)
		if err != nil {
			return err
		}
		a := *before
		if err := change(tx, before, &a); err != nil {
			return err
		}
		if err := validateAsset(&a); err != nil {
			return err
		}
		if reflect.DeepEqual(itam.AssetSnapshot(before), itam.AssetSnapshot(&a)) {
			out = before
			return nil
		}
		price, cur := priceArgs(a.PurchasePrice)
		rows, _ := tx.Query(ctx, `UPDATE assets a SET asset_tag = $2, serial_number = $3, name = $4, model_id = $5, manufacturer_id = $6,
			status = $7::text::asset_status, condition = $8::text::asset_condition, assigned_person_id = $9, assigned_location_id = $10,
			owner_person_id = $11, owner_team_id = $12, location_id = $13, purchase_date = $14, purchase_price = $15,
			purchase_currency = $16, supplier_id = $17, order_number = $18, invoice_number = $19, warranty_end = $20,
			end_of_life = $21, notes = $22, custom_fields = $23, disposal_date = $24,
			disposal_method = $25::text::disposal_method, disposal_certificate = $26,
			version = a.version + 1, updated_at = now()
			WHERE a.id = $1 RETURNING `+assetColumns,
			a.ID, a.AssetTag, a.SerialNumber, a.Name, a.ModelID, a.ManufacturerID, string(a.Status), string(a.Condition),
			a.AssignedPersonID, a.AssignedLocationID, a.OwnerPersonID, a.OwnerTeamID, a.LocationID, a.PurchaseDate,
			price, cur, a.SupplierID, a.OrderNumber, a.InvoiceNumber, a.WarrantyEnd, a.EndOfLife, a.Notes,
			a.CustomFields, a.DisposalDate, a.DisposalMethod, a.DisposalCertificate)
		updated, err := pgx.CollectExactlyOneRow(rows, scanAsset)
		if err != nil {
			return err
		}
		out = updated
		changes := itam.DiffAssets(before, updated)
		if err := lockEditedFields(ctx, tx, p, updated.ID, changes); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, insertHistorySQL, historyArgs(p, action, before, updated, changes)...)
		return err
	})
	return out, err
}

// syncedSnapshotFields maps snapshot keys to the synced field they belong to.
var syncedSnapshotFields = map[string]string{
	"serialNumber": reconcile.FieldSerialNumber, "name": reconcile.FieldName, "modelId": reconcile.FieldModel,
	"assignedPersonId": reconcile.FieldAssignee, "assignedLocationId": reconcile.FieldAssignee,
	"purchaseDate": reconcile.FieldPurchaseDate, "purchasePrice": reconcile.FieldPurchasePrice, "warrantyEnd": reconcile.FieldWarrantyEnd,
}

// lockEditedFields records that a person set the synced fields they
// changed, and locks them: a sync will not overwrite a deliberate edit
// until someone unlocks the field.
func lockEditedFields(ctx context.Context, tx pgx.Tx, p itam.Principal, assetID uuid.UUID, changes map[string]map[string]json.RawMessage) error {
	if p.ActorKind != "" && p.ActorKind != itam.ActorUser {
		return nil
	}
	seen := map[string]bool{}
	var fields []string
	for k := range changes {
		if f, ok := syncedSnapshotFields[k]; ok && !seen[f] {
			seen[f] = true
			fields = append(fields, f)
		}
	}
	if len(fields) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO field_provenance (org_id, asset_id, field, source, observed_at, locked)
		SELECT $1, $2, f, 'manual', now(), true FROM unnest($3::text[]) f
		ON CONFLICT (org_id, asset_id, field) DO UPDATE SET source = 'manual', observed_at = now(), locked = true`,
		p.OrgID, assetID, fields)
	return err
}

// UnlockAssetField lets syncs set a field again that a person had edited.
func (s *AssetStore) UnlockAssetField(ctx context.Context, id uuid.UUID, field string) error {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return err
	}
	if err := requireSyncedField(field); err != nil {
		return err
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assets WHERE id = $1)`, id).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return itam.NotFound("asset")
		}
		_, err := tx.Exec(ctx, `UPDATE field_provenance SET locked = false WHERE asset_id = $1 AND field = $2`, id, field)
		return err
	})
}

func set[T any](dst **T, o itam.Optional[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// UpdateAsset changes descriptive fields; the caller's version must be current.
func (s *AssetStore) UpdateAsset(ctx context.Context, in itam.AssetPatch) (*itam.Asset, error) {
	return s.mutate(ctx, in.ID, &in.Version, itam.HistoryUpdate, func(tx pgx.Tx, before, a *itam.Asset) error {
		if in.AssetTag.Set {
			if in.AssetTag.Value == nil {
				return itam.Invalid("assetTag", "asset tag cannot be removed")
			}
			a.AssetTag = strings.TrimSpace(*in.AssetTag.Value)
		}
		patchText(&a.SerialNumber, in.SerialNumber)
		patchText(&a.Name, in.Name)
		if in.Condition.Set {
			if in.Condition.Value == nil {
				return itam.Invalid("condition", "condition cannot be removed")
			}
			a.Condition = *in.Condition.Value
		}
		if in.OwnerPersonID.Set || in.OwnerTeamID.Set {
			a.OwnerPersonID, a.OwnerTeamID = in.OwnerPersonID.Value, in.OwnerTeamID.Value
		}
		set(&a.LocationID, in.LocationID)
		set(&a.PurchaseDate, in.PurchaseDate)
		set(&a.PurchasePrice, in.PurchasePrice)
		set(&a.SupplierID, in.SupplierID)
		patchText(&a.OrderNumber, in.OrderNumber)
		patchText(&a.InvoiceNumber, in.InvoiceNumber)
		set(&a.WarrantyEnd, in.WarrantyEnd)
		set(&a.EndOfLife, in.EndOfLife)
		set(&a.Notes, in.Notes)
		if in.CustomFields.Set {
			a.CustomFields = map[string]any{}
			if in.CustomFields.Value != nil {
				a.CustomFields = *in.CustomFields.Value
			}
		}
		if in.ModelID.Set {
			if in.ModelID.Value == nil {
				return itam.Invalid("modelId", "model cannot be removed")
			}
			a.ModelID = *in.ModelID.Value
		}
		if in.ModelID.Set || in.CustomFields.Set {
			mfr, defs, err := modelInfo(ctx, tx, a.ModelID)
			if err != nil {
				return err
			}
			a.ManufacturerID = mfr
			if a.CustomFields, err = itam.ValidateCustomFields(defs, a.CustomFields, "customFields"); err != nil {
				return err
			}
		}
		return nil
	})
}

// AssignAsset checks an asset out to a person or a location; it becomes DEPLOYED.
func (s *AssetStore) AssignAsset(ctx context.Context, id uuid.UUID, to itam.Assignee, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, itam.HistoryAssign, func(tx pgx.Tx, before, a *itam.Asset) error {
		st, err := lifecycle.AfterAssign(a.Status)
		if err != nil {
			return err
		}
		if err := checkAssignee(ctx, tx, to); err != nil {
			return err
		}
		a.Status = st
		a.AssignedPersonID, a.AssignedLocationID = to.PersonID, to.LocationID
		if to.LocationID != nil {
			a.LocationID = to.LocationID
		}
		return nil
	})
}

// UnassignAsset checks an asset back in; a DEPLOYED asset returns to IN_STOCK.
func (s *AssetStore) UnassignAsset(ctx context.Context, id uuid.UUID, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, itam.HistoryUnassign, func(tx pgx.Tx, before, a *itam.Asset) error {
		if a.AssignedPersonID == nil && a.AssignedLocationID == nil {
			return itam.Invalid("id", "asset %s is not assigned", a.AssetTag)
		}
		a.AssignedPersonID, a.AssignedLocationID = nil, nil
		a.Status = lifecycle.AfterUnassign(a.Status)
		return nil
	})
}

// TransitionAsset moves an asset to another lifecycle status. Returning to
// stock (from deployment, repair, or found after loss) checks it in.
func (s *AssetStore) TransitionAsset(ctx context.Context, id uuid.UUID, to itam.AssetStatus, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, itam.HistoryTransition, func(tx pgx.Tx, before, a *itam.Asset) error {
		assigned := a.AssignedPersonID != nil || a.AssignedLocationID != nil
		if err := lifecycle.Transition(a.Status, to, assigned); err != nil {
			return err
		}
		if to == itam.StatusInStock {
			a.AssignedPersonID, a.AssignedLocationID = nil, nil
		}
		a.Status = to
		return nil
	})
}

// DisposeAsset records how a RETIRED asset left the organization; DISPOSED is terminal.
func (s *AssetStore) DisposeAsset(ctx context.Context, id uuid.UUID, d itam.Disposal, version *int) (*itam.Asset, error) {
	return s.mutate(ctx, id, version, itam.HistoryDispose, func(tx pgx.Tx, before, a *itam.Asset) error {
		if !lifecycle.Allowed(a.Status, itam.StatusDisposed) {
			return itam.Invalid("status", "cannot move an asset from %s to DISPOSED: retire it first", a.Status)
		}
		switch d.Method {
		case itam.DisposalRecycled, itam.DisposalResold, itam.DisposalDonated, itam.DisposalDestroyed, itam.DisposalReturnedToLessor:
		default:
			return itam.Invalid("method", "unknown disposal method %q", d.Method)
		}
		if d.Date.IsZero() {
			return itam.Invalid("date", "disposal date is required")
		}
		if d.Date.After(time.Now().AddDate(0, 0, 1)) {
			return itam.Invalid("date", "disposal date cannot be in the future")
		}
		if a.PurchaseDate != nil && d.Date.Before(*a.PurchaseDate) {
			return itam.Invalid("date", "disposal date cannot be before the purchase date")
		}
		a.Status = itam.StatusDisposed
		date, method := d.Date, d.Method
		a.DisposalDate, a.DisposalMethod, a.DisposalCertificate = &date, &method, itam.Trimmed(d.Certificate)
		return nil
	})
}

// DeleteAsset removes an asset entered by mistake. Only assets never put to
// use (ORDERED or IN_STOCK, unassigned) can go; everything else is retired
// and disposed so its history stays meaningful. History rows remain.
func (s *AssetStore) DeleteAsset(ctx context.Context, id uuid.UUID, version *int) (*itam.Asset, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.Asset
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		a, err := lockAsset(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if (a.Status != itam.StatusOrdered && a.Status != itam.StatusInStock) || a.AssignedPersonID != nil || a.AssignedLocationID != nil {
			return itam.Invalid("id", "asset %s is %s: only unassigned ORDERED or IN_STOCK assets can be deleted; retire and dispose it instead", a.AssetTag, a.Status)
		}
		if _, err := tx.Exec(ctx, insertHistorySQL, historyArgs(p, itam.HistoryDelete, a, nil, nil)...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM assets WHERE id = $1`, a.ID); err != nil {
			return err
		}
		out = a
		return nil
	})
	return out, err
}
