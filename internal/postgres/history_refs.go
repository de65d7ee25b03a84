package postgres

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// HistoryStore reads what history needs beyond its own rows: the labels of
// what changes refer to, and the organization-wide audit feed.
type HistoryStore struct{ db *DB }

// NewHistoryStore returns a HistoryStore over db.
func NewHistoryStore(db *DB) *HistoryStore { return &HistoryStore{db: db} }

// refLabelSQL is, per referenced type, the statement giving each id's
// display label (the row's current name, tag or number).
var refLabelSQL = map[string]string{
	"Person":              `SELECT id, name FROM people`,
	"Location":            `SELECT id, name FROM locations`,
	"Team":                `SELECT id, name FROM teams`,
	"Model":               `SELECT id, name FROM models`,
	"Manufacturer":        `SELECT id, name FROM manufacturers`,
	"Category":            `SELECT id, name FROM categories`,
	"Supplier":            `SELECT id, name FROM suppliers`,
	"DepreciationProfile": `SELECT id, name FROM depreciation_profiles`,
	"Asset":               `SELECT id, asset_tag FROM assets`,
	"License":             `SELECT l.id, coalesce(l.name, p.name) FROM licenses l LEFT JOIN software_products p ON p.id = l.product_id`,
	"Contract":            `SELECT id, coalesce(number, kind) FROM contracts`,
	"SoftwareProduct":     `SELECT id, name FROM software_products`,
	"SoftwarePublisher":   `SELECT id, name FROM software_publishers`,
	"SoftwareTitleRule":   `SELECT id, pattern FROM software_title_rules`,
	"CostEntry":           `SELECT id, kind || ' ' || entry_date::text FROM cost_entries`,
}

// RefLabels returns the current display label of each referenced record
// that still exists (and that RLS lets the caller's organization see), in
// one statement for any mix of types: the labels of a whole page of
// history cost one round trip. Unknown types and deleted records are left
// out; their history's recorded labels stand in.
func (s *HistoryStore) RefLabels(ctx context.Context, refs []itam.Ref) (map[itam.Ref]string, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	byType := map[string][]uuid.UUID{}
	for _, r := range refs {
		if _, ok := refLabelSQL[r.Type]; ok {
			byType[r.Type] = append(byType[r.Type], r.ID)
		}
	}
	out := make(map[itam.Ref]string, len(refs))
	if len(byType) == 0 {
		return out, nil
	}
	types := make([]string, 0, len(byType))
	for t := range byType {
		types = append(types, t)
	}
	sort.Strings(types)
	args := &sqlArgs{}
	parts := make([]string, len(types))
	for i, t := range types {
		sel := refLabelSQL[t]
		idCol := "id"
		if strings.HasPrefix(sel, "SELECT l.id") {
			idCol = "l.id"
		}
		parts[i] = "SELECT " + strconv.Itoa(i) + ", x.* FROM (" + sel + " WHERE " + idCol + " = ANY(" + args.add(byType[t]) + "::uuid[])) x"
	}
	type row struct {
		typ   int
		id    uuid.UUID
		label *string
	}
	rows, err := query(ctx, s.db, p.OrgID, strings.Join(parts, " UNION ALL "), args.list, func(r pgx.CollectableRow) (row, error) {
		var x row
		return x, r.Scan(&x.typ, &x.id, &x.label)
	})
	for _, x := range rows {
		if x.label != nil {
			out[itam.Ref{Type: types[x.typ], ID: x.id}] = *x.label
		}
	}
	return out, err
}
