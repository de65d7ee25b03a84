package postgres

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"

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

const assetInsert = `INSERT INTO assets AS a (org_id, asset_tag, serial_number, name, model_id, manufacturer_id, status, condition,
	assigned_person_id, assigned_location_id, owner_person_id, owner_team_id, location_id, purchase_date, purchase_price,
	purchase_currency, supplier_id, order_number, invoice_number, warranty_end, end_of_life, notes, custom_fields,
	depreciation_profile_id, in_service_date)
	VALUES ($1, $2, $3, $4, $5, $6, $7::text::asset_status, $8::text::asset_condition, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
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
	ch, err := lifecycle.Create(in, assignee)
	if err != nil {
		return nil, err
	}
	a := &ch.Asset
	a.OrgID = p.OrgID
	var out, tried *itam.Asset
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
		n, err := a.Normalize()
		if err != nil {
			return err
		}
		mfr, defs, err := modelInfo(ctx, tx, n.ModelID)
		if err != nil {
			return err
		}
		n.ManufacturerID = mfr
		tried = n
		if n.CustomFields, err = itam.ValidateCustomFields(defs, n.CustomFields, "customFields"); err != nil {
			return err
		}
		if assignee != nil {
			if err := checkAssignee(ctx, tx, *assignee); err != nil {
				return err
			}
		}
		if err := checkAssetProfile(ctx, tx, n); err != nil {
			return err
		}
		price, cur := priceArgs(n.PurchasePrice)
		rows, _ := tx.Query(ctx, assetInsert, p.OrgID, n.AssetTag, n.SerialNumber, n.Name, n.ModelID, n.ManufacturerID,
			string(n.Status), string(n.Condition), n.AssignedPersonID, n.AssignedLocationID, n.OwnerPersonID, n.OwnerTeamID,
			n.LocationID, n.PurchaseDate, price, cur, n.SupplierID, n.OrderNumber, n.InvoiceNumber, n.WarrantyEnd,
			n.EndOfLife, n.Notes, n.CustomFields, n.DepreciationProfileID, n.InServiceDate)
		created, err := pgx.CollectExactlyOneRow(rows, scanAsset)
		if err != nil {
			return err
		}
		for i, e := range n.ExternalIDs {
			if _, err := tx.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, last_seen_at) VALUES ($1, $2, $3, $4, $5)`,
				p.OrgID, created.ID, e.Source, e.ExternalID, e.LastSeenAt); err != nil {
				if itam.ErrorCode(mapError(err)) == itam.CodeConflict {
					raw := in.ExternalIDs[i] // the message quotes the id as the caller sent it
					return itam.Conflict("externalIds", "external id %s/%s is already linked to another asset", raw.Source, raw.ExternalID)
				}
				return err
			}
		}
		out = created
		if _, err := tx.Exec(ctx, insertHistorySQL, historyArgs(p, ch.Action, nil, created, itam.DiffAssets(nil, created))...); err != nil || assignee == nil {
			return err
		}
		return saveCheckouts(ctx, tx, p, &itam.Asset{}, created, &lifecycle.AssignRequest{To: *assignee}, nil)
	})
	return out, s.nameHolder(ctx, err, tried)
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

// checkAssignee checks that the person or location an asset is assigned to
// exists, and that the person is active.
func checkAssignee(ctx context.Context, tx pgx.Tx, as itam.Assignee) error {
	if err := as.Validate(); err != nil {
		return err
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
// row, check the version the caller read, let change decide the new state
// (a lifecycle function, or a patch), normalize it, write the whole row,
// and record history, all in one transaction. A change that changes
// nothing writes nothing.
func (s *AssetStore) mutate(ctx context.Context, id uuid.UUID, version *int, change assetChange) (*itam.Asset, error) {
	return s.mutateThen(ctx, id, version, change, nil)
}

// mutateThen is mutate with then run in the same transaction after a change
// is saved (what goes with it: the checkout rows, see assets_lifecycle.go).
func (s *AssetStore) mutateThen(ctx context.Context, id uuid.UUID, version *int, change assetChange, then assetThen) (*itam.Asset, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	var out *itam.Asset
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		out, err = mutateIn(ctx, tx, p, id, version, change, then)
		return err
	})
	return out, err
}

// assetChange decides an asset's new state from the locked row (see
// mutate); assetThen writes what goes with a saved change.
type (
	assetChange func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error)
	assetThen   func(tx pgx.Tx, p itam.Principal, before, after *itam.Asset) error
)

// mutateIn is mutateThen's body inside the caller's transaction;
// mutateLocked its part after the row is locked, which a bulk change runs
// for each item of rows it locked at once: the path of the single-item
// mutation, item by item.
func mutateIn(ctx context.Context, tx pgx.Tx, p itam.Principal, id uuid.UUID, version *int, change assetChange, then assetThen) (*itam.Asset, error) {
	before, err := lockAsset(ctx, tx, id, version)
	if err != nil {
		return nil, err
	}
	return mutateLocked(ctx, tx, p, before, change, then)
}

// mutateLocked is mutateIn for an asset already read and locked in tx.
func mutateLocked(ctx context.Context, tx pgx.Tx, p itam.Principal, before *itam.Asset, change assetChange, then assetThen) (*itam.Asset, error) {
	var out *itam.Asset
	err := func() error {
		ch, err := change(tx, *before)
		if err != nil {
			return err
		}
		a, err := ch.Asset.Normalize()
		if err != nil {
			return err
		}
		if reflect.DeepEqual(itam.AssetSnapshot(before), itam.AssetSnapshot(a)) {
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
			depreciation_profile_id = $27, in_service_date = $28, version = a.version + 1, updated_at = now()
			WHERE a.id = $1 RETURNING `+assetColumns,
			a.ID, a.AssetTag, a.SerialNumber, a.Name, a.ModelID, a.ManufacturerID, string(a.Status), string(a.Condition),
			a.AssignedPersonID, a.AssignedLocationID, a.OwnerPersonID, a.OwnerTeamID, a.LocationID, a.PurchaseDate,
			price, cur, a.SupplierID, a.OrderNumber, a.InvoiceNumber, a.WarrantyEnd, a.EndOfLife, a.Notes,
			a.CustomFields, a.DisposalDate, a.DisposalMethod, a.DisposalCertificate, a.DepreciationProfileID, a.InServiceDate)
		updated, err := pgx.CollectExactlyOneRow(rows, scanAsset)
		if err != nil {
			return err
		}
		out = updated
		changes := itam.DiffAssets(before, updated)
		if err := lockEditedFields(ctx, tx, p, updated.ID, changes); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, insertHistorySQL, historyArgs(p, ch.Action, before, updated, changes)...); err != nil || then == nil {
			return err
		}
		return then(tx, p, before, updated)
	}()
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
		if _, err := tx.Exec(ctx, `UPDATE field_provenance SET locked = false WHERE asset_id = $1 AND field = $2`, id, field); err != nil {
			return err
		}
		// Unlocking changes no version: forget the records' fingerprints,
		// so the next sync reconciles them and takes the field back.
		_, err := tx.Exec(ctx, `UPDATE asset_external_ids SET fingerprint = NULL WHERE asset_id = $1`, id)
		return err
	})
}

// UpdateAsset changes descriptive fields; the caller's version must be current.
func (s *AssetStore) UpdateAsset(ctx context.Context, in itam.AssetPatch) (*itam.Asset, error) {
	var tried *itam.Asset
	out, err := s.mutate(ctx, in.ID, &in.Version, updateChange(ctx, in, &tried))
	return out, s.nameHolder(ctx, err, tried)
}

// updateChange applies a patch to the locked asset, checking a new model's
// custom fields and the depreciation profile; tried is set to the state it
// tried to store, for nameHolder.
func updateChange(ctx context.Context, in itam.AssetPatch, tried **itam.Asset) assetChange {
	return func(tx pgx.Tx, before itam.Asset) (lifecycle.Change, error) {
		a, err := in.Apply(before)
		if err != nil {
			return lifecycle.Change{}, err
		}
		*tried = &a
		if in.ChecksModel() {
			mfr, defs, err := modelInfo(ctx, tx, a.ModelID)
			if err != nil {
				return lifecycle.Change{}, err
			}
			a.ManufacturerID = mfr
			if a.CustomFields, err = itam.ValidateCustomFields(defs, a.CustomFields, in.CustomFieldsField()); err != nil {
				return lifecycle.Change{}, err
			}
		}
		if in.ChecksDepreciation() {
			// Normalized here too so the price's currency is canonical
			// for the check; mutate normalizes the final state again.
			n, err := a.Normalize()
			if err != nil {
				return lifecycle.Change{}, err
			}
			if err := checkAssetProfile(ctx, tx, n); err != nil {
				return lifecycle.Change{}, err
			}
		}
		return lifecycle.Change{Asset: a, Action: itam.HistoryUpdate}, nil
	}
}
