package seed

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

type category struct {
	def    *categoryDef
	id     uuid.UUID
	models weighted[*model]
}

type model struct {
	def            *modelDef
	id             uuid.UUID
	manufacturerID uuid.UUID
	mfr            *manufacturerDef
	cat            *category
	suppliers      weighted[uuid.UUID]
}

// weighted is a list of choices with integer weights.
type weighted[T any] struct {
	items []T
	cum   []int
}

func (w *weighted[T]) add(item T, weight int) {
	total := weight
	if n := len(w.cum); n > 0 {
		total += w.cum[n-1]
	}
	w.items = append(w.items, item)
	w.cum = append(w.cum, total)
}

func (w *weighted[T]) pick(r interface{ IntN(int) int }) T {
	x := r.IntN(w.cum[len(w.cum)-1])
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if w.cum[mid] > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return w.items[lo]
}

// ensureCatalog inserts the manufacturers, categories, models and suppliers
// the org does not have yet (matched by name, case-insensitively) and loads
// the ids of all of them.
func (g *generator) ensureCatalog(ctx context.Context, c *Counts) error {
	tx := g.tx

	// Manufacturers.
	names := make([]string, len(manufacturerDefs))
	webs := make([]string, len(manufacturerDefs))
	supports := make([]string, len(manufacturerDefs))
	for i, m := range manufacturerDefs {
		names[i], webs[i], supports[i] = m.name, m.website, m.support
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO manufacturers (org_id, name, website, support_url, seeded)
		SELECT $1, m.name, m.website, m.support, true FROM unnest($2::text[], $3::text[], $4::text[]) AS m(name, website, support)
		ON CONFLICT (org_id, lower(name)) DO NOTHING`, g.orgID, names, webs, supports)
	if err != nil {
		return fmt.Errorf("manufacturers: %w", err)
	}
	c.Manufacturers += tag.RowsAffected()
	if g.manufacturers, err = g.idsByName(ctx, `SELECT lower(name), id FROM manufacturers WHERE org_id = $1`); err != nil {
		return err
	}

	// Categories, one per kind.
	names = make([]string, len(categoryDefs))
	kinds := make([]string, len(categoryDefs))
	fields := make([]string, len(categoryDefs))
	for i, cd := range categoryDefs {
		names[i], kinds[i] = cd.name, cd.kind
		f := cd.fields
		if f == nil {
			f = []fieldDef{}
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		fields[i] = string(b)
	}
	tag, err = tx.Exec(ctx, `
		INSERT INTO categories (org_id, name, kind, field_definitions, seeded, has_storage)
		SELECT $1, c.name, c.kind::category_kind, c.fields::jsonb, true, c.kind IN ('LAPTOP', 'DESKTOP', 'SERVER', 'PHONE', 'TABLET') FROM unnest($2::text[], $3::text[], $4::text[]) AS c(name, kind, fields)
		ON CONFLICT (org_id, lower(name)) DO NOTHING`, g.orgID, names, kinds, fields)
	if err != nil {
		return fmt.Errorf("categories: %w", err)
	}
	c.Categories += tag.RowsAffected()
	catIDs, err := g.idsByName(ctx, `SELECT lower(name), id FROM categories WHERE org_id = $1`)
	if err != nil {
		return err
	}
	g.categories = map[string]*category{}
	for i := range categoryDefs {
		cd := &categoryDefs[i]
		g.categories[cd.kind] = &category{def: cd, id: catIDs[strings.ToLower(cd.name)]}
	}

	// Models.
	n := len(modelDefs)
	names = make([]string, n)
	numbers := make([]string, n)
	mfrIDs := make([]uuid.UUID, n)
	catIDList := make([]uuid.UUID, n)
	lives := make([]int32, n)
	for i := range modelDefs {
		md := &modelDefs[i]
		cat := g.categories[md.kind]
		names[i], numbers[i] = md.name, md.number
		mfrIDs[i] = g.manufacturers[strings.ToLower(md.manufacturer)]
		catIDList[i] = cat.id
		lives[i] = int32(cat.def.usefulLife)
	}
	tag, err = tx.Exec(ctx, `
		INSERT INTO models (org_id, name, manufacturer_id, category_id, model_number, useful_life_months, seeded)
		SELECT $1, m.name, m.mfr, m.cat, m.number, m.life, true
		  FROM unnest($2::text[], $3::uuid[], $4::uuid[], $5::text[], $6::int[]) AS m(name, mfr, cat, number, life)
		ON CONFLICT (org_id, manufacturer_id, lower(name)) DO NOTHING`, g.orgID, names, mfrIDs, catIDList, numbers, lives)
	if err != nil {
		return fmt.Errorf("models: %w", err)
	}
	c.Models += tag.RowsAffected()
	modelIDs, err := g.idsByName(ctx, `SELECT manufacturer_id::text || '/' || lower(name), id FROM models WHERE org_id = $1`)
	if err != nil {
		return err
	}

	// Suppliers.
	n = len(supplierDefs)
	names = make([]string, n)
	contacts, emails, phones, sites := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, s := range supplierDefs {
		names[i], contacts[i], emails[i], phones[i], sites[i] = s.name, s.contact, s.email, s.phone, s.website
	}
	tag, err = tx.Exec(ctx, `
		INSERT INTO suppliers (org_id, name, contact_name, email, phone, website, seeded)
		SELECT $1, s.name, s.contact, s.email, s.phone, s.website, true
		  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS s(name, contact, email, phone, website)
		ON CONFLICT (org_id, lower(name)) DO NOTHING`, g.orgID, names, contacts, emails, phones, sites)
	if err != nil {
		return fmt.Errorf("suppliers: %w", err)
	}
	c.Suppliers += tag.RowsAffected()
	supIDs, err := g.idsByName(ctx, `SELECT lower(name), id FROM suppliers WHERE org_id = $1`)
	if err != nil {
		return err
	}
	g.suppliers = map[string]uuid.UUID{}
	g.invoicePrefix = map[uuid.UUID]string{}
	for _, s := range supplierDefs {
		id := supIDs[strings.ToLower(s.name)]
		g.suppliers[s.name] = id
		g.invoicePrefix[id] = s.invoicePrefix
	}

	mfrDefs := map[string]*manufacturerDef{}
	for i := range manufacturerDefs {
		mfrDefs[manufacturerDefs[i].name] = &manufacturerDefs[i]
	}
	for i := range modelDefs {
		md := &modelDefs[i]
		cat := g.categories[md.kind]
		m := &model{def: md, manufacturerID: mfrIDs[i], mfr: mfrDefs[md.manufacturer], cat: cat}
		m.id = modelIDs[mfrIDs[i].String()+"/"+strings.ToLower(md.name)]
		// Vendors sell direct; resellers carry everything.
		switch md.manufacturer {
		case "Apple":
			m.suppliers.add(g.suppliers["Apple Business"], 60)
		case "Dell":
			m.suppliers.add(g.suppliers["Dell Direct"], 55)
		}
		m.suppliers.add(g.suppliers["CDW"], 45)
		m.suppliers.add(g.suppliers["SHI"], 30)
		m.suppliers.add(g.suppliers["Insight"], 25)
		cat.models.add(m, md.weight)
		g.models = append(g.models, m)
	}
	return nil
}

// idsByName runs a query returning (key text, id uuid) for the org.
func (g *generator) idsByName(ctx context.Context, sql string) (map[string]uuid.UUID, error) {
	rows, _ := g.tx.Query(ctx, sql, g.orgID)
	m := map[string]uuid.UUID{}
	var k string
	var id uuid.UUID
	_, err := pgx.ForEachRow(rows, []any{&k, &id}, func() error {
		m[k] = id
		return nil
	})
	return m, err
}
