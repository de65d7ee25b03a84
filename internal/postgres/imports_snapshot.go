package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// importAssetValuesSQL reads the assets a chunk names by tag or serial with
// every import field in canonical text (imports.ExistingAsset.Values) and
// their field provenance, in one statement. Each key is an index probe
// (LATERAL … OFFSET 0), since under row-level security a plain = ANY over
// a generated key column may scan.
const importAssetValuesSQL = `WITH ids AS (
		SELECT y.id FROM unnest($1::text[]) AS t(k), LATERAL (SELECT a.id FROM assets a WHERE a.asset_tag_key = t.k OFFSET 0) y
		UNION
		SELECT y.id FROM unnest($2::text[]) AS s(k), LATERAL (SELECT a.id FROM assets a WHERE a.serial_key = s.k OFFSET 0) y)
	SELECT a.id, a.version, a.asset_tag_key, coalesce(a.serial_key, ''),
		a.asset_tag, coalesce(a.serial_number, ''), coalesce(a.name, ''), m.name, coalesce(m.model_number, ''), mf.name, c.name,
		a.status::text, a.condition::text, coalesce(ap.email, ''), coalesce(l.name, ''), coalesce(t.name, ''),
		coalesce(to_char(a.purchase_date, 'YYYY-MM-DD'), ''), a.purchase_price, coalesce(a.purchase_currency::text, ''),
		coalesce(a.order_number, ''), coalesce(a.invoice_number, ''), coalesce(s.name, ''),
		coalesce(to_char(a.warranty_end, 'YYYY-MM-DD'), ''), coalesce(a.notes, ''),
		coalesce((SELECT jsonb_object_agg(p.field, jsonb_build_object('source', p.source, 'locked', p.locked))
			FROM field_provenance p WHERE p.asset_id = a.id), '{}')
	FROM ids JOIN assets a ON a.id = ids.id
	JOIN models m ON m.id = a.model_id JOIN manufacturers mf ON mf.id = a.manufacturer_id JOIN categories c ON c.id = m.category_id
	LEFT JOIN people ap ON ap.id = a.assigned_person_id LEFT JOIN locations l ON l.id = a.location_id
	LEFT JOIN teams t ON t.id = a.owner_team_id LEFT JOIN suppliers s ON s.id = a.supplier_id
	ORDER BY a.created_at, a.id`

// importAssetFields are the canonical fields importAssetValuesSQL reads, in
// its column order after the keys.
var importAssetFields = []string{"assetTag", "serialNumber", "name", "model", "modelNumber", "manufacturer", "category",
	"status", "condition", "assignee", "location", "ownerTeam", "purchaseDate", "purchasePrice", "purchaseCurrency",
	"orderNumber", "invoiceNumber", "supplier", "warrantyEnd", "notes"}

// provenanceField maps each synced field (reconcile) to the canonical
// field that tells whether it is empty.
var provenanceField = map[string]string{
	reconcile.FieldSerialNumber: "serialNumber", reconcile.FieldName: "name", reconcile.FieldModel: "model",
	reconcile.FieldAssignee: "assignee", reconcile.FieldPurchaseDate: "purchaseDate", reconcile.FieldPurchasePrice: "purchasePrice",
	reconcile.FieldWarrantyEnd: "warrantyEnd", reconcile.FieldStatus: "status", reconcile.FieldLocation: "location",
}

// canonicalAmount prints an amount as imports' canonical text: at least two
// decimals ("1299.00"), more only when the amount has them.
func canonicalAmount(d decimal.Decimal) string {
	if d.Equal(d.Round(2)) {
		return d.StringFixed(2)
	}
	return d.String()
}

// nameKey is the key names and emails match by: lower(trimmed), as
// imports.NormalizeName and the database's lower(name) indexes have it.
func nameKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

type namedID struct {
	key string
	id  uuid.UUID
}

func scanNamedID(r pgx.CollectableRow) (namedID, error) {
	var x namedID
	return x, r.Scan(&x.key, &x.id)
}

// LoadSnapshot loads what l names for an import of kind, in one round trip
// of a fixed number of statements whatever the chunk's size.
func (s *ImportStore) LoadSnapshot(ctx context.Context, kind imports.Kind, l imports.Lookup) (*imports.Snapshot, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	sn := &imports.Snapshot{
		AssetsByTag: map[string]*imports.ExistingAsset{}, AssetsBySerial: map[string]*imports.ExistingAsset{}, AmbiguousSerials: map[string]bool{},
		Manufacturers: map[string]uuid.UUID{}, Categories: map[string]uuid.UUID{}, Models: map[imports.ModelKey]imports.ExistingModel{},
		ModelsByNumber: map[string]imports.ExistingModel{}, AmbiguousModelNumbers: map[string]bool{},
		Locations: map[string]uuid.UUID{}, AmbiguousLocations: map[string]bool{},
		PeopleByEmail: map[string]uuid.UUID{}, PeopleByName: map[string]uuid.UUID{}, AmbiguousPeople: map[string]bool{},
		Teams: map[string]uuid.UUID{}, Suppliers: map[string]uuid.UUID{},
		ExistingPeople: map[string]*imports.ExistingRecord{}, ExistingLocations: map[string]*imports.ExistingRecord{},
		ExistingModels: map[imports.ModelKey]*imports.ExistingRecord{}, Precedence: reconcile.Precedence{},
	}
	authoritative := map[string]bool{}
	var assets []*importedAsset
	unique := func(into map[string]uuid.UUID, ambiguous map[string]bool) func(namedID) {
		return func(x namedID) {
			if _, dup := into[x.key]; dup || ambiguous[x.key] {
				delete(into, x.key)
				ambiguous[x.key] = true
				return
			}
			into[x.key] = x.id
		}
	}
	first := func(into map[string]uuid.UUID) func(namedID) {
		return func(x namedID) {
			if _, ok := into[x.key]; !ok {
				into[x.key] = x.id
			}
		}
	}
	var models []importModelRow
	var byNameEmails [][2]namedID // (name key, id), (email key, _)
	var people []keyedRecord
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, `SELECT field, sources FROM field_precedence`, nil, func(r pgx.CollectableRow) ([2]any, error) {
			var f string
			var srcs []string
			err := r.Scan(&f, &srcs)
			return [2]any{f, srcs}, err
		}, func(x [2]any) { sn.Precedence[x[0].(string)] = x[1].([]string) })
		queueRows(b, `SELECT kind::text, id FROM connectors WHERE authoritative_for_people`, nil, scanNamedID,
			func(x namedID) { authoritative[itam.ConnectorSource(x.key, x.id)] = true })
		if len(l.AssetTags)+len(l.Serials) > 0 {
			queueRows(b, importAssetValuesSQL, []any{distinct(l.AssetTags), distinct(l.Serials)}, scanImportedAsset,
				func(a *importedAsset) { assets = append(assets, a) })
		}
		byName := func(table string, keys []string, use func(namedID)) {
			if len(keys) > 0 {
				queueRows(b, `SELECT lower(x.name), x.id FROM `+table+` x WHERE lower(x.name) = ANY($1::text[]) ORDER BY x.created_at, x.id`,
					[]any{distinct(keys)}, scanNamedID, use)
			}
		}
		byName("manufacturers", l.Manufacturers, first(sn.Manufacturers))
		byName("categories", l.Categories, first(sn.Categories))
		byName("locations", l.Locations, unique(sn.Locations, sn.AmbiguousLocations))
		// A person matched by name is compared by email (the canonical
		// value of an assignee or manager): their email is listed too.
		if len(l.PersonNames) > 0 {
			queueRows(b, `SELECT lower(x.name), x.id, x.email_key FROM people x WHERE lower(x.name) = ANY($1::text[]) ORDER BY x.created_at, x.id`,
				[]any{distinct(l.PersonNames)}, func(r pgx.CollectableRow) ([2]namedID, error) {
					var x [2]namedID
					return x, r.Scan(&x[0].key, &x[0].id, &x[1].key)
				}, func(x [2]namedID) {
					unique(sn.PeopleByName, sn.AmbiguousPeople)(x[0])
					byNameEmails = append(byNameEmails, x)
				})
		}
		byName("teams", l.Teams, first(sn.Teams))
		byName("suppliers", l.Suppliers, first(sn.Suppliers))
		if len(l.PersonEmails) > 0 {
			queueRows(b, `SELECT y.email_key, y.id FROM unnest($1::text[]) AS x(e), LATERAL (
				SELECT p.email_key, p.id FROM people p WHERE p.email_key = x.e OFFSET 0) y`, []any{distinct(l.PersonEmails)}, scanNamedID,
				first(sn.PeopleByEmail))
		}
		var modelNames []string
		for _, m := range l.Models {
			modelNames = append(modelNames, m.Name)
		}
		if len(modelNames)+len(l.ModelNumbers) > 0 {
			queueRows(b, `SELECT m.id, m.manufacturer_id, m.category_id, lower(mf.name), lower(m.name), coalesce(lower(btrim(m.model_number)), ''),
					m.version, m.name, mf.name, c.name, coalesce(m.model_number, '')
				FROM models m JOIN manufacturers mf ON mf.id = m.manufacturer_id JOIN categories c ON c.id = m.category_id
				WHERE lower(m.name) = ANY($1::text[]) OR lower(btrim(m.model_number)) = ANY($2::text[]) ORDER BY m.created_at, m.id`,
				[]any{distinct(modelNames), distinct(l.ModelNumbers)}, scanImportModel, func(m importModelRow) { models = append(models, m) })
		}
		if kind == imports.KindPeople && len(l.PersonEmails)+len(l.PersonNames) > 0 {
			queueRows(b, `SELECT p.email_key, p.id, p.version, p.name, p.email, coalesce(p.employee_number, ''), coalesce(p.title, ''),
					coalesce(t.name, ''), coalesce(mg.email, ''), coalesce(l.name, ''), p.status::text
				FROM people p LEFT JOIN teams t ON t.id = p.team_id LEFT JOIN people mg ON mg.id = p.manager_id
				LEFT JOIN locations l ON l.id = p.location_id WHERE p.email_key = ANY($1::text[]) OR lower(p.name) = ANY($2::text[])`,
				[]any{distinct(l.PersonEmails), distinct(l.PersonNames)},
				scanExistingRecord("name", "email", "employeeNumber", "title", "team", "manager", "location", "status"),
				func(x keyedRecord) { people = append(people, x) })
		}
		if kind == imports.KindLocations && len(l.Locations) > 0 {
			queueRows(b, `SELECT lower(l.name), l.id, l.version, l.name, l.kind::text, coalesce(pa.name, ''), coalesce(l.address_line1, ''),
					coalesce(l.address_line2, ''), coalesce(l.city, ''), coalesce(l.region, ''), coalesce(l.postal_code, ''), coalesce(l.country::text, '')
				FROM locations l LEFT JOIN locations pa ON pa.id = l.parent_id WHERE lower(l.name) = ANY($1::text[]) ORDER BY l.created_at, l.id`,
				[]any{distinct(l.Locations)},
				scanExistingRecord("name", "kind", "parent", "line1", "line2", "city", "region", "postalCode", "country"),
				func(x keyedRecord) {
					if _, dup := sn.ExistingLocations[x.key]; dup || sn.AmbiguousLocations[x.key] {
						delete(sn.ExistingLocations, x.key)
						return
					}
					sn.ExistingLocations[x.key] = x.rec
				})
		}
	})
	if err != nil {
		return nil, err
	}
	if err := s.loadLedgerSnapshot(ctx, p.OrgID, kind, l, sn); err != nil {
		return nil, err
	}
	for _, x := range byNameEmails {
		if id, ok := sn.PeopleByName[x[0].key]; ok && id == x[0].id {
			sn.PeopleByEmail[x[1].key] = id
		}
	}
	// ExistingPeople: each person under their email's key and, when no one
	// else found has their name, their name's key (a row without an email
	// matches by name).
	names := map[string]int{}
	for _, x := range people {
		sn.ExistingPeople[x.key] = x.rec
		names[nameKey(x.rec.Values["name"])]++
	}
	for _, x := range people {
		if k := nameKey(x.rec.Values["name"]); names[k] == 1 && !sn.AmbiguousPeople[k] {
			if _, taken := sn.ExistingPeople[k]; !taken {
				sn.ExistingPeople[k] = x.rec
			}
		}
	}
	for _, a := range assets {
		a.existing.Provenance = a.provenance(authoritative)
		if a.tagKey != "" {
			sn.AssetsByTag[a.tagKey] = a.existing
		}
		if a.serialKey != "" {
			if _, dup := sn.AssetsBySerial[a.serialKey]; dup {
				sn.AmbiguousSerials[a.serialKey] = true
			} else {
				sn.AssetsBySerial[a.serialKey] = a.existing
			}
		}
	}
	wanted := map[imports.ModelKey]bool{}
	for _, k := range l.Models {
		wanted[k] = true
	}
	byName := map[string][]importModelRow{}
	for _, m := range models {
		em := imports.ExistingModel{ID: m.id, ManufacturerID: m.manufacturer, CategoryID: &m.category}
		key := imports.ModelKey{Manufacturer: m.mfrKey, Name: m.nameKey}
		if wanted[key] {
			sn.Models[key] = em
			if kind == imports.KindModels {
				sn.ExistingModels[key] = &imports.ExistingRecord{ID: m.id, Version: m.version, Values: map[string]string{
					"name": m.name, "manufacturer": m.mfrName, "category": m.catName, "modelNumber": m.number}}
			}
		}
		byName[m.nameKey] = append(byName[m.nameKey], m)
		if m.numberKey != "" {
			if prev, dup := sn.ModelsByNumber[m.numberKey]; (dup && prev.ID != m.id) || sn.AmbiguousModelNumbers[m.numberKey] {
				delete(sn.ModelsByNumber, m.numberKey)
				sn.AmbiguousModelNumbers[m.numberKey] = true
			} else {
				sn.ModelsByNumber[m.numberKey] = em
			}
		}
	}
	// A model named without its manufacturer matches only when one
	// manufacturer has a model of that name.
	for k := range wanted {
		if ms := byName[k.Name]; k.Manufacturer == "" && len(ms) == 1 {
			sn.Models[k] = imports.ExistingModel{ID: ms[0].id, ManufacturerID: ms[0].manufacturer, CategoryID: &ms[0].category}
		}
	}
	return sn, nil
}

// importedAsset is one row of importAssetValuesSQL.
type importedAsset struct {
	existing          *imports.ExistingAsset
	tagKey, serialKey string
	prov              map[string]struct {
		Source string `json:"source"`
		Locked bool   `json:"locked"`
	}
}

func scanImportedAsset(r pgx.CollectableRow) (*importedAsset, error) {
	a := &importedAsset{existing: &imports.ExistingAsset{Values: map[string]string{}}}
	vals := make([]string, len(importAssetFields))
	var price decimal.NullDecimal
	dest := []any{&a.existing.ID, &a.existing.Version, &a.tagKey, &a.serialKey}
	for i := range vals {
		if importAssetFields[i] == "purchasePrice" {
			dest = append(dest, &price)
			continue
		}
		dest = append(dest, &vals[i])
	}
	dest = append(dest, &a.prov)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	for i, f := range importAssetFields {
		a.existing.Values[f] = vals[i]
	}
	if price.Valid {
		a.existing.Values["purchasePrice"] = canonicalAmount(price.Decimal)
	}
	return a, nil
}

// provenance is reconcile.Current for every synced field of the asset.
func (a *importedAsset) provenance(authoritative map[string]bool) map[string]reconcile.Current {
	out := make(map[string]reconcile.Current, len(reconcile.SyncedFields))
	for _, f := range reconcile.SyncedFields {
		c := reconcile.Current{Empty: a.existing.Values[provenanceField[f]] == ""}
		if pv, ok := a.prov[f]; ok {
			c.Source, c.Locked, c.Authoritative = pv.Source, pv.Locked, authoritative[pv.Source]
			if k, _, isConnector := strings.Cut(pv.Source, ":"); isConnector {
				c.Kind = k
			}
		}
		out[f] = c
	}
	return out
}

type importModelRow struct {
	id, manufacturer, category     uuid.UUID
	mfrKey, nameKey, numberKey     string
	version                        int
	name, mfrName, catName, number string
}

func scanImportModel(r pgx.CollectableRow) (importModelRow, error) {
	var m importModelRow
	return m, r.Scan(&m.id, &m.manufacturer, &m.category, &m.mfrKey, &m.nameKey, &m.numberKey, &m.version, &m.name, &m.mfrName, &m.catName, &m.number)
}

type keyedRecord struct {
	key string
	rec *imports.ExistingRecord
}

// scanExistingRecord reads (key, id, version, fields…) into an ExistingRecord.
func scanExistingRecord(fields ...string) func(pgx.CollectableRow) (keyedRecord, error) {
	return func(r pgx.CollectableRow) (keyedRecord, error) {
		x := keyedRecord{rec: &imports.ExistingRecord{Values: map[string]string{}}}
		vals := make([]string, len(fields))
		dest := []any{&x.key, &x.rec.ID, &x.rec.Version}
		for i := range vals {
			dest = append(dest, &vals[i])
		}
		if err := r.Scan(dest...); err != nil {
			return x, err
		}
		for i, f := range fields {
			x.rec.Values[f] = vals[i]
		}
		return x, nil
	}
}
