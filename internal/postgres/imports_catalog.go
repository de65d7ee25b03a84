package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

type importLocation struct {
	id                                      uuid.UUID
	name, kind                              string
	parent                                  *uuid.UUID
	line1, line2, city, region, postal, ctr *string
}

// applyLocations creates and updates locations. A new location whose name
// exists under the same parent (created as another row's parent by this
// commit) is updated.
func (c *importCommit) applyLocations(ctx context.Context, rows []imports.RowPlan) error {
	current, err := lockTargets(ctx, c.tx, "locations", `x.id, x.version, x.name, x.kind::text, x.parent_id, x.address_line1, x.address_line2,
		x.city, x.region, x.postal_code, x.country::text`, rows, "location", func(r pgx.CollectableRow) (importLocation, uuid.UUID, int, error) {
		var l importLocation
		var version int
		err := r.Scan(&l.id, &version, &l.name, &l.kind, &l.parent, &l.line1, &l.line2, &l.city, &l.region, &l.postal, &l.ctr)
		return l, l.id, version, err
	})
	if err != nil {
		return err
	}
	inFile, err := c.inFileKeys(ctx, rows, "parent", imports.RefLocation,
		`SELECT lower(l.name), l.id FROM locations l WHERE lower(l.name) = ANY($1::text[]) ORDER BY l.created_at DESC`)
	if err != nil {
		return err
	}
	// The plan gives a new location's kind.
	created, updated, err := rowRecords(rows, current, func() importLocation { return importLocation{id: uuid.New()} }, func(r imports.RowPlan, l *importLocation) error {
		rc := &recordCommit{importCommit: c, line: r.Line, inFile: inFile}
		if v, ok := r.Values["name"]; ok {
			l.name = strings.TrimSpace(v)
		}
		if v, ok := r.Values["kind"]; ok {
			l.kind = v // parsed by the plan: one of the location kinds
		}
		rc.ref(&l.parent, r.Values, "parent", imports.RefLocation)
		text(&l.line1, r.Values, "line1")
		text(&l.line2, r.Values, "line2")
		text(&l.city, r.Values, "city")
		text(&l.region, r.Values, "region")
		text(&l.postal, r.Values, "postalCode")
		text(&l.ctr, r.Values, "country")
		if rc.err == nil && r.Action == imports.ActionCreate {
			inFile[nameKey(l.name)] = l.id
		}
		return rc.err
	})
	if err != nil {
		return err
	}
	cols := func(ls []importLocation) []any {
		n := len(ls)
		ids, names, kinds := make([]uuid.UUID, n), make([]string, n), make([]string, n)
		parents := make([]*uuid.UUID, n)
		l1, l2, city, region, postal, ctr := make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		for i, l := range ls {
			ids[i], names[i], kinds[i], parents[i] = l.id, l.name, l.kind, l.parent
			l1[i], l2[i], city[i], region[i], postal[i], ctr[i] = l.line1, l.line2, l.city, l.region, l.postal, l.ctr
		}
		return []any{c.org, ids, names, kinds, parents, l1, l2, city, region, postal, ctr}
	}
	// WITH ORDINALITY keeps the file's order: a parent listed before its
	// child is inserted first, so the path trigger finds it.
	const src = `unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
		WITH ORDINALITY AS x(id, name, kind, parent, l1, l2, city, region, postal, ctr, n)`
	b := &pgx.Batch{}
	if len(created) > 0 {
		b.Queue(`INSERT INTO locations AS l (id, org_id, name, kind, parent_id, address_line1, address_line2, city, region, postal_code, country)
			SELECT x.id, $1, x.name, x.kind::location_kind, x.parent, x.l1, x.l2, x.city, x.region, x.postal, x.ctr FROM `+src+` ORDER BY x.n
			ON CONFLICT (org_id, parent_id, name) DO UPDATE SET kind = excluded.kind,
				address_line1 = coalesce(excluded.address_line1, l.address_line1), address_line2 = coalesce(excluded.address_line2, l.address_line2),
				city = coalesce(excluded.city, l.city), region = coalesce(excluded.region, l.region),
				postal_code = coalesce(excluded.postal_code, l.postal_code), country = coalesce(excluded.country, l.country),
				version = l.version + 1, updated_at = now()`, cols(created)...)
	}
	if len(updated) > 0 {
		b.Queue(`UPDATE locations l SET name = x.name, kind = x.kind::location_kind, parent_id = x.parent, address_line1 = x.l1,
			address_line2 = x.l2, city = x.city, region = x.region, postal_code = x.postal, country = x.ctr,
			version = l.version + 1, updated_at = now()
			FROM `+src+` WHERE l.org_id = $1 AND l.id = x.id`, cols(updated)...)
	}
	return c.tx.SendBatch(ctx, b).Close()
}

type importModel struct {
	id                uuid.UUID
	name              string
	manufacturer, cat *uuid.UUID
	number            *string
}

// applyModels creates and updates models under their manufacturer.
func (c *importCommit) applyModels(ctx context.Context, rows []imports.RowPlan) error {
	current, err := lockTargets(ctx, c.tx, "models", "x.id, x.version, x.name, x.manufacturer_id, x.category_id, x.model_number",
		rows, "model", func(r pgx.CollectableRow) (importModel, uuid.UUID, int, error) {
			var m importModel
			var version int
			err := r.Scan(&m.id, &version, &m.name, &m.manufacturer, &m.cat, &m.number)
			return m, m.id, version, err
		})
	if err != nil {
		return err
	}
	created, updated, err := rowRecords(rows, current, func() importModel { return importModel{id: uuid.New()} }, func(r imports.RowPlan, m *importModel) error {
		rc := &recordCommit{importCommit: c, line: r.Line}
		if v, ok := r.Values["name"]; ok {
			m.name = strings.TrimSpace(v)
		}
		rc.ref(&m.manufacturer, r.Values, "manufacturer", imports.RefManufacturer)
		rc.ref(&m.cat, r.Values, "category", imports.RefCategory)
		text(&m.number, r.Values, "modelNumber")
		if rc.err != nil {
			return rc.err
		}
		if m.manufacturer == nil || m.cat == nil {
			return itam.Invalid("line", "line %d: a model needs a manufacturer and a category", r.Line)
		}
		return nil
	})
	if err != nil {
		return err
	}
	cols := func(ms []importModel) []any {
		n := len(ms)
		ids, names := make([]uuid.UUID, n), make([]string, n)
		mfrs, cats := make([]*uuid.UUID, n), make([]*uuid.UUID, n)
		nums := make([]*string, n)
		for i, m := range ms {
			ids[i], names[i], mfrs[i], cats[i], nums[i] = m.id, m.name, m.manufacturer, m.cat, m.number
		}
		return []any{c.org, ids, names, mfrs, cats, nums}
	}
	const src = `unnest($2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[]) AS x(id, name, mfr, cat, num)`
	b := &pgx.Batch{}
	if len(created) > 0 {
		b.Queue(`INSERT INTO models AS m (id, org_id, name, manufacturer_id, category_id, model_number)
			SELECT x.id, $1, x.name, x.mfr, x.cat, x.num FROM `+src+`
			ON CONFLICT (org_id, manufacturer_id, lower(name)) DO UPDATE SET category_id = excluded.category_id,
				model_number = coalesce(excluded.model_number, m.model_number), version = m.version + 1, updated_at = now()`, cols(created)...)
	}
	if len(updated) > 0 {
		b.Queue(`UPDATE models m SET name = x.name, manufacturer_id = x.mfr, category_id = x.cat, model_number = x.num,
			version = m.version + 1, updated_at = now() FROM `+src+` WHERE m.org_id = $1 AND m.id = x.id`, cols(updated)...)
	}
	// Assets copy their model's manufacturer (serials are unique per
	// manufacturer): as updateModel, refuse moving a model in use.
	if moved, err := c.modelsInUseMoved(ctx, rows, current); err != nil || moved != 0 {
		if err == nil {
			err = itam.Conflict("line", "line %d: assets are of this model: the manufacturer of a model in use cannot change", moved)
		}
		return err
	}
	return c.tx.SendBatch(ctx, b).Close()
}

// modelsInUseMoved returns the first line that moves a model some asset
// uses to another manufacturer (0: none).
func (c *importCommit) modelsInUseMoved(ctx context.Context, rows []imports.RowPlan, current map[uuid.UUID]importModel) (int, error) {
	var ids []uuid.UUID
	lines := map[uuid.UUID]int{}
	for _, r := range rows {
		if r.Action != imports.ActionUpdate {
			continue
		}
		if _, ok := r.Values["manufacturer"]; !ok {
			continue
		}
		id := *r.TargetID
		mfr, _ := c.refs.id(imports.RefManufacturer, r.Values["manufacturer"])
		if cur := current[id].manufacturer; mfr != nil && cur != nil && *mfr != *cur {
			ids, lines[id] = append(ids, id), r.Line
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	var used []uuid.UUID
	if err := scanEach(ctx, c.tx, `SELECT DISTINCT a.model_id FROM assets a WHERE a.model_id = ANY($1::uuid[])`, []any{ids}, func(r pgx.Rows) error {
		var id uuid.UUID
		err := r.Scan(&id)
		used = append(used, id)
		return err
	}); err != nil {
		return 0, err
	}
	first := 0
	for _, id := range used {
		if l := lines[id]; first == 0 || l < first {
			first = l
		}
	}
	return first, nil
}
