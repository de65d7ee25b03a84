package postgres

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// refKey is a reference's identity within a run (import_references' key).
type refKey struct {
	kind   imports.RefKind
	parent string
	name   string
}

// importRefs are a run's references with the records they resolve to.
type importRefs struct {
	all    []*imports.Reference
	byKey  map[refKey]*imports.Reference
	models map[string][]*imports.Reference // MODEL references by NameKey
	// modelMfr is each resolved model's manufacturer (assets copy it).
	modelMfr map[uuid.UUID]uuid.UUID
}

// loadImportRefs reads a run's references; created_id (set by the first
// commit chunk) stands in for the ID of one the dry run planned to create.
func loadImportRefs(ctx context.Context, tx pgx.Tx, run uuid.UUID) (*importRefs, error) {
	rows, _ := tx.Query(ctx, `SELECT payload, created_id FROM import_references WHERE run_id = $1 ORDER BY kind, parent, name_key`, run)
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (*imports.Reference, error) {
		var ref imports.Reference
		var created *uuid.UUID
		if err := r.Scan(&ref, &created); err != nil {
			return nil, err
		}
		if ref.ID == nil {
			ref.ID = created
		}
		return &ref, nil
	})
	if err != nil {
		return nil, err
	}
	return indexRefs(all), nil
}

func indexRefs(all []*imports.Reference) *importRefs {
	rs := &importRefs{all: all, byKey: map[refKey]*imports.Reference{}, models: map[string][]*imports.Reference{}, modelMfr: map[uuid.UUID]uuid.UUID{}}
	for _, r := range all {
		rs.byKey[refKey{r.Kind, r.Parent, r.NameKey}] = r
		if r.Kind == imports.RefModel {
			rs.models[r.NameKey] = append(rs.models[r.NameKey], r)
		}
	}
	return rs
}

// id resolves a row's value naming a reference of kind ("" is none).
func (rs *importRefs) id(kind imports.RefKind, value string) (*uuid.UUID, bool) {
	if strings.TrimSpace(value) == "" {
		return nil, true
	}
	r, ok := rs.byKey[refKey{kind, "", nameKey(value)}]
	if !ok || r.ID == nil {
		return nil, false
	}
	return r.ID, true
}

// modelNumberParent is the Parent of a MODEL reference a row names by
// model number only (imports.ModelNumberParent; its NameKey is the number).
const modelNumberParent = "#modelNumber"

// model resolves a row's model as the dry run recorded it
// (imports.RefFor): by manufacturer and name, or by number when the row
// names no model; failing that, the one model of that name, else the one
// of that name by the asset's current manufacturer.
func (rs *importRefs) model(vals map[string]string, current *uuid.UUID) (uuid.UUID, bool) {
	name := nameKey(vals["model"])
	key := refKey{imports.RefModel, nameKey(vals["manufacturer"]), name}
	if name == "" {
		key = refKey{imports.RefModel, modelNumberParent, nameKey(vals["modelNumber"])}
	}
	if r, ok := rs.byKey[key]; ok && r.ID != nil {
		return *r.ID, true
	}
	var found []uuid.UUID
	for _, r := range rs.models[name] {
		if r.ID != nil && (current == nil || rs.modelMfr[*r.ID] == *current) {
			found = append(found, *r.ID)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	if current != nil {
		return rs.model(vals, nil)
	}
	return uuid.Nil, false
}

// loadModelManufacturers reads the manufacturer of every resolved model.
func (rs *importRefs) loadModelManufacturers(ctx context.Context, tx pgx.Tx) error {
	var ids []uuid.UUID
	for _, r := range rs.all {
		if r.Kind == imports.RefModel && r.ID != nil {
			ids = append(ids, *r.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return scanEach(ctx, tx, `SELECT id, manufacturer_id FROM models WHERE id = ANY($1::uuid[])`, []any{ids}, func(r pgx.Rows) error {
		var id, mfr uuid.UUID
		if err := r.Scan(&id, &mfr); err != nil {
			return err
		}
		rs.modelMfr[id] = mfr
		return nil
	})
}

// createRefs finds or creates every reference the dry run planned to
// create, kind by kind (a model needs its manufacturer and category), by
// the records' unique keys: a retried chunk, or someone creating the same
// name meanwhile, finds the record instead of failing. Each kind costs
// two statements whatever the number of references.
func (rs *importRefs) createRefs(ctx context.Context, tx pgx.Tx, org, run uuid.UUID) error {
	todo := map[imports.RefKind][]*imports.Reference{}
	for _, r := range rs.all {
		if r.ID == nil {
			todo[r.Kind] = append(todo[r.Kind], r)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	names := func(refs []*imports.Reference) (out []string) {
		for _, r := range refs {
			out = append(out, strings.TrimSpace(r.Name))
		}
		return out
	}
	byName := func(r *imports.Reference) string { return nameKey(r.Name) }
	simple := []struct {
		kind   imports.RefKind
		insert string
		sel    string
	}{
		{imports.RefManufacturer, `INSERT INTO manufacturers (org_id, name) SELECT $1, x FROM unnest($2::text[]) x ON CONFLICT (org_id, lower(name)) DO NOTHING`,
			`SELECT lower(name), id FROM manufacturers WHERE lower(name) = ANY($1::text[])`},
		{imports.RefCategory, `INSERT INTO categories (org_id, name, kind) SELECT $1, x, 'OTHER' FROM unnest($2::text[]) x ON CONFLICT (org_id, lower(name)) DO NOTHING`,
			`SELECT lower(name), id FROM categories WHERE lower(name) = ANY($1::text[])`},
		{imports.RefSupplier, `INSERT INTO suppliers (org_id, name) SELECT $1, x FROM unnest($2::text[]) x ON CONFLICT (org_id, lower(name)) DO NOTHING`,
			`SELECT lower(name), id FROM suppliers WHERE lower(name) = ANY($1::text[])`},
		// Team names are unique as spelled; an import matches them regardless of case.
		{imports.RefTeam, `INSERT INTO teams (org_id, name) SELECT $1, x FROM unnest($2::text[]) x
			WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE lower(t.name) = lower(x)) ON CONFLICT (org_id, name) DO NOTHING`,
			`SELECT lower(name), id FROM teams WHERE lower(name) = ANY($1::text[]) ORDER BY created_at DESC, id DESC`},
	}
	for _, k := range simple {
		refs := todo[k.kind]
		if err := findOrCreate(ctx, tx, refs, k.insert, []any{org, names(refs)}, k.sel, []any{keysOf(refs, byName)}, byName); err != nil {
			return err
		}
	}
	// Locations: a new one is a root of the kind the file gives (SITE by default).
	if refs := todo[imports.RefLocation]; len(refs) > 0 {
		kinds := make([]string, len(refs))
		for i, r := range refs {
			kinds[i] = strings.ToUpper(strings.TrimSpace(r.Extra["kind"]))
			if !slices.Contains([]string{"SITE", "BUILDING", "FLOOR", "ROOM"}, kinds[i]) {
				kinds[i] = "SITE"
			}
		}
		if err := findOrCreate(ctx, tx, refs, `INSERT INTO locations (org_id, kind, name)
			SELECT $1, x.kind::location_kind, x.name FROM unnest($2::text[], $3::text[]) AS x(name, kind)
			WHERE NOT EXISTS (SELECT 1 FROM locations l WHERE lower(l.name) = lower(x.name)) ON CONFLICT DO NOTHING`,
			[]any{org, names(refs), kinds},
			`SELECT lower(name), id FROM locations WHERE lower(name) = ANY($1::text[]) ORDER BY parent_id IS NULL, created_at DESC, id DESC`,
			[]any{keysOf(refs, byName)}, byName); err != nil {
			return err
		}
	}
	// People are created by email: Extra["email"], or the name when it is
	// one. One without either is a person a row of a PEOPLE import creates
	// (the rows resolve it, see applyPeople), not the reference's to create.
	var people []*imports.Reference
	for _, r := range todo[imports.RefPerson] {
		if strings.TrimSpace(r.Extra["email"]) != "" || strings.Contains(r.Name, "@") {
			people = append(people, r)
		}
	}
	todo[imports.RefPerson] = people
	if refs := people; len(refs) > 0 {
		pnames, emails := make([]string, len(refs)), make([]string, len(refs))
		for i, r := range refs {
			pnames[i], emails[i] = strings.TrimSpace(r.Name), strings.TrimSpace(r.Extra["email"])
			if emails[i] == "" && strings.Contains(pnames[i], "@") {
				emails[i] = pnames[i]
			}
			if n := strings.TrimSpace(r.Extra["name"]); n != "" {
				pnames[i] = n
			}
		}
		byEmail := func(r *imports.Reference) string {
			if e := strings.TrimSpace(r.Extra["email"]); e != "" {
				return nameKey(e)
			}
			return nameKey(r.Name)
		}
		if err := findOrCreate(ctx, tx, refs, `INSERT INTO people (org_id, name, email)
			SELECT $1, x.name, x.email FROM unnest($2::text[], $3::text[]) AS x(name, email) ON CONFLICT (org_id, email_key) DO NOTHING`,
			[]any{org, pnames, emails}, `SELECT email_key, id FROM people WHERE email_key = ANY($1::text[])`,
			[]any{keysOf(refs, byEmail)}, byEmail); err != nil {
			return err
		}
	}
	if err := rs.createSoftware(ctx, tx, org, todo); err != nil {
		return err
	}
	if err := rs.createModels(ctx, tx, org, todo[imports.RefModel]); err != nil {
		return err
	}
	var kinds, parents, keys []string
	var ids []uuid.UUID
	for _, refs := range todo {
		for _, r := range refs {
			kinds, parents, keys, ids = append(kinds, string(r.Kind)), append(parents, r.Parent), append(keys, r.NameKey), append(ids, *r.ID)
		}
	}
	_, err := tx.Exec(ctx, `UPDATE import_references r SET created_id = x.id
		FROM unnest($2::text[], $3::text[], $4::text[], $5::uuid[]) AS x(kind, parent, key, id)
		WHERE r.run_id = $1 AND r.kind = x.kind AND r.parent = x.parent AND r.name_key = x.key`, run, kinds, parents, keys, ids)
	return err
}

// createModels finds or creates models under their (now resolved)
// manufacturer, in the category Extra["category"] names.
func (rs *importRefs) createModels(ctx context.Context, tx pgx.Tx, org uuid.UUID, refs []*imports.Reference) error {
	if len(refs) == 0 {
		return nil
	}
	n := len(refs)
	mnames, numbers := make([]string, n), make([]string, n)
	mfrs, cats := make([]uuid.UUID, n), make([]uuid.UUID, n)
	keys := make([]string, n)
	for i, r := range refs {
		mfr, ok := rs.byKey[refKey{imports.RefManufacturer, "", r.Parent}]
		if !ok || mfr.ID == nil {
			return itam.Invalid("references", "model %q (line %d) has no manufacturer", r.Name, r.FirstLine)
		}
		cat, ok := rs.byKey[refKey{imports.RefCategory, "", nameKey(r.Extra["category"])}]
		if !ok || cat.ID == nil {
			return itam.Invalid("references", "model %q (line %d) has no category", r.Name, r.FirstLine)
		}
		mnames[i], numbers[i], mfrs[i], cats[i] = strings.TrimSpace(r.Name), strings.TrimSpace(r.Extra["modelNumber"]), *mfr.ID, *cat.ID
		keys[i] = nameKey(r.Name)
	}
	byMfr := func(r *imports.Reference) string {
		return rs.byKey[refKey{imports.RefManufacturer, "", r.Parent}].ID.String() + ":" + nameKey(r.Name)
	}
	return findOrCreate(ctx, tx, refs, `INSERT INTO models (org_id, name, manufacturer_id, category_id, model_number)
		SELECT $1, x.name, x.mfr, x.cat, nullif(x.num, '') FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[]) AS x(name, mfr, cat, num)
		ON CONFLICT (org_id, manufacturer_id, lower(name)) DO NOTHING`, []any{org, mnames, mfrs, cats, numbers},
		`SELECT manufacturer_id::text || ':' || lower(name), id FROM models WHERE lower(name) = ANY($1::text[])`, []any{keys}, byMfr)
}

func keysOf(refs []*imports.Reference, key func(*imports.Reference) string) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = key(r)
	}
	return out
}

// findOrCreate inserts what is missing (insert skips what exists), then
// reads every record back by key (sel returns key, id; a later row of the
// same key wins) and sets each reference's ID.
func findOrCreate(ctx context.Context, tx pgx.Tx, refs []*imports.Reference, insert string, insertArgs []any, sel string, selArgs []any, key func(*imports.Reference) string) error {
	if len(refs) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, insert, insertArgs...); err != nil {
		return err
	}
	found := map[string]uuid.UUID{}
	if err := scanEach(ctx, tx, sel, selArgs, func(r pgx.Rows) error {
		var k string
		var id uuid.UUID
		if err := r.Scan(&k, &id); err != nil {
			return err
		}
		found[k] = id
		return nil
	}); err != nil {
		return err
	}
	for _, r := range refs {
		id, ok := found[key(r)]
		if !ok {
			return itam.Invalid("references", "%s %q (line %d) could not be created", strings.ToLower(string(r.Kind)), r.Name, r.FirstLine)
		}
		r.ID = &id
	}
	return nil
}
