package main

// SQL floors of the asset pages: workload 1, the sorted and deep pages
// (one statement: the page joined to every relation it shows, ordered and
// limited like the server's keyset page) and workload 2's search.

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// assetSortSQL is each AssetOrderField's sort key, as the server orders by
// it (ties break on id): the stored sort columns of migration 00037, which
// are what an index range over (org_id, key, id) can read under RLS.
var assetSortSQL = map[string]string{
	"ASSET_TAG":     "a.asset_tag",
	"CREATED_AT":    "a.created_at",
	"UPDATED_AT":    "a.updated_at",
	"NAME":          "a.sort_name",
	"SERIAL_NUMBER": "a.sort_serial",
	"PURCHASE_DATE": "a.sort_purchase_date",
	"WARRANTY_END":  "a.sort_warranty_end",
	"STATUS":        "a.sort_status", // lifecycle rank (itam.AssetStatuses)
}

// statusRanks are the stored sort_status values of statuses: comparing the
// smallint is leakproof, so under RLS it can be an index condition, where
// the enum's equality cannot.
func statusRanks(statuses []string) []int16 {
	out := make([]int16, 0, len(statuses))
	for _, st := range statuses {
		out = append(out, int16(itam.AssetStatus(st).Rank()))
	}
	return out
}

// pageShape is one asset page request: its order, status filter and size.
type pageShape struct {
	sort   string // an AssetOrderField; "" is ASSET_TAG
	desc   bool
	status []string // statusIn; nil: no filter
	first  int
}

// pageSQL is the 7-table join for shape; with after, $1 is the id of the
// asset to start after; the statuses, when filtered, are the last
// parameter. The first page has a statement of its own: "$1 IS NULL OR …"
// would leave a generic plan no keyset index scan.
func pageSQL(s pageShape, after bool) string {
	key := assetSortSQL[s.sort]
	if key == "" {
		key = assetSortSQL["ASSET_TAG"]
	}
	dir, op := "ASC", ">"
	if s.desc {
		dir, op = "DESC", "<"
	}
	var conds []string
	if after {
		conds = append(conds, fmt.Sprintf("(%s, a.id) %s ((SELECT %s FROM assets a WHERE a.id = $1::uuid), $1::uuid)", key, op, key))
	}
	if s.status != nil {
		conds = append(conds, fmt.Sprintf("a.sort_status = ANY($%d::smallint[])", len(conds)+1))
	}
	where := "TRUE"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	// The page is cut in a subquery before the joins: PostgreSQL does not
	// push a LIMIT below joins, and a sort key without an index would
	// otherwise sort every asset joined to every relation.
	return fmt.Sprintf(`SELECT a.id, a.asset_tag, a.serial_number, a.name, a.status::text, a.condition::text, a.purchase_date, a.warranty_end, a.k::text,
	m.id, m.name, m.model_number, mf.id, mf.name, c.id, c.name, c.kind::text,
	ap.id, ap.name, ap.email, al.id, al.name, op.id, op.name, ot.id, ot.name, l.id, l.name, l.kind::text
FROM (SELECT a.id, a.asset_tag, a.serial_number, a.name, a.status, a.condition, a.purchase_date, a.warranty_end, a.model_id,
	a.manufacturer_id, a.assigned_person_id, a.assigned_location_id, a.owner_person_id, a.owner_team_id, a.location_id, %s AS k
	FROM assets a WHERE %s ORDER BY %s %s, a.id %s LIMIT %d) a
JOIN models m ON m.id = a.model_id
JOIN manufacturers mf ON mf.id = a.manufacturer_id
JOIN categories c ON c.id = m.category_id
LEFT JOIN people ap ON ap.id = a.assigned_person_id
LEFT JOIN locations al ON al.id = a.assigned_location_id
LEFT JOIN people op ON op.id = a.owner_person_id
LEFT JOIN teams ot ON ot.id = a.owner_team_id
LEFT JOIN locations l ON l.id = a.location_id
ORDER BY a.k %s, a.id %s`, key, where, key, dir, dir, s.first+1, dir, dir)
}

// pageSQLs caches pageSQL's text per shape, so a request pays for none
// of its formatting.
var pageSQLs sync.Map // label + after → string

func cachedPageSQL(s pageShape, after bool) string {
	k := fmt.Sprint(s.label(), s.first, after)
	if q, ok := pageSQLs.Load(k); ok {
		return q.(string)
	}
	q := pageSQL(s, after)
	pageSQLs.Store(k, q)
	return q
}

// The response of listDoc (and pageDoc, which selects the same).
type jAssetNode struct {
	ID           string    `json:"id"`
	AssetTag     string    `json:"assetTag"`
	SerialNumber *string   `json:"serialNumber"`
	Name         *string   `json:"name"`
	Status       string    `json:"status"`
	Condition    string    `json:"condition"`
	PurchaseDate *string   `json:"purchaseDate"`
	WarrantyEnd  *string   `json:"warrantyEnd"`
	Model        jModel    `json:"model"`
	Manufacturer jNamed    `json:"manufacturer"`
	Category     jNamed    `json:"category"`
	Assignee     *jPerson  `json:"assignee"`
	Owner        *jNamed   `json:"owner"`
	Location     *jKinded  `json:"location"`
	cursor       string    // the edge's
	fp           [9]string // fingerprint parts
}

type jModel struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	ModelNumber  *string `json:"modelNumber"`
	Manufacturer jNamed  `json:"manufacturer"`
	Category     jKinded `json:"category"`
}

type jAssetEdge struct {
	Cursor string      `json:"cursor"`
	Node   *jAssetNode `json:"node"`
}

type jAssetPage struct {
	Assets struct {
		Edges    []jAssetEdge `json:"edges"`
		PageInfo jPageInfo    `json:"pageInfo"`
	} `json:"assets"`
}

func dateOut(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// scanPageRow reads one row of pageSQL.
func scanPageRow(rows pgx.Rows) (*jAssetNode, error) {
	var (
		n                           jAssetNode
		id, mID, mfID, cID          uuid.UUID
		pDate, wEnd                 *time.Time
		key, mfName, cName, cKind   string
		apID, alID, opID, otID, lID *uuid.UUID
		apName, apEmail, alName     *string
		opName, otName, lName, lK   *string
	)
	if err := rows.Scan(&id, &n.AssetTag, &n.SerialNumber, &n.Name, &n.Status, &n.Condition, &pDate, &wEnd, &key,
		&mID, &n.Model.Name, &n.Model.ModelNumber, &mfID, &mfName, &cID, &cName, &cKind,
		&apID, &apName, &apEmail, &alID, &alName, &opID, &opName, &otID, &otName, &lID, &lName, &lK); err != nil {
		return nil, err
	}
	n.ID = relay.ID(relay.TypeAsset, id)
	n.cursor = floorCursor(key, id)
	n.PurchaseDate, n.WarrantyEnd = dateOut(pDate), dateOut(wEnd)
	n.Model.ID = relay.ID(relay.TypeModel, mID)
	n.Manufacturer = jNamed{ID: relay.ID(relay.TypeManufacturer, mfID), Name: mfName}
	n.Model.Manufacturer = n.Manufacturer
	n.Model.Category = jKinded{ID: relay.ID(relay.TypeCategory, cID), Name: cName, Kind: cKind}
	n.Category = jNamed{ID: n.Model.Category.ID, Name: cName}
	assignee, owner, loc := "-", "-", "-"
	switch {
	case apID != nil:
		n.Assignee = &jPerson{ID: relay.ID(relay.TypePerson, *apID), Name: *apName, Email: *apEmail}
		assignee = *apName
	case alID != nil:
		n.Assignee = &jPerson{ID: relay.ID(relay.TypeLocation, *alID), Name: *alName}
		assignee = *alName
	}
	switch {
	case opID != nil:
		n.Owner = &jNamed{ID: relay.ID(relay.TypePerson, *opID), Name: *opName}
		owner = *opName
	case otID != nil:
		n.Owner = &jNamed{ID: relay.ID(relay.TypeTeam, *otID), Name: *otName}
		owner = *otName
	}
	if lID != nil {
		n.Location = &jKinded{ID: relay.ID(relay.TypeLocation, *lID), Name: *lName, Kind: *lK}
		loc = *lName
	}
	n.fp = [9]string{n.AssetTag, n.Model.Name, mfName, cName, mfName, cName, assignee, owner, loc}
	return &n, nil
}

// sqlPage serves one asset page of shape starting after the asset after.
func sqlPage(ctx context.Context, f *sqlFloor, s pageShape, after *uuid.UUID, fp *[]string) error {
	var args []any
	if after != nil {
		args = append(args, *after)
	}
	if s.status != nil {
		args = append(args, statusRanks(s.status))
	}
	nodes := make([]*jAssetNode, 0, s.first+1)
	err := f.read(ctx, stmt{sql: cachedPageSQL(s, after != nil), args: args, generic: true, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			n, err := scanPageRow(rows)
			if err != nil {
				return err
			}
			nodes = append(nodes, n)
		}
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	var page jAssetPage
	if len(nodes) > s.first {
		nodes, page.Assets.PageInfo.HasNextPage = nodes[:s.first], true
	}
	page.Assets.Edges = make([]jAssetEdge, len(nodes))
	for i, n := range nodes {
		page.Assets.Edges[i] = jAssetEdge{Cursor: n.cursor, Node: n}
		if fp != nil {
			*fp = append(*fp, strings.Join(n.fp[:], "|"))
		}
	}
	if len(nodes) > 0 {
		page.Assets.PageInfo.EndCursor = &nodes[len(nodes)-1].cursor
	}
	return f.respond(page)
}

// sqlList is workload 1's SQL floor.
func sqlList(ctx context.Context, f *sqlFloor, p params, fp *[]string) error {
	return sqlPage(ctx, f, pageShape{first: 100}, p.afterID, fp)
}

// sqlSearch is workload 2's: the search goes through the database's own
// itam.search_assets (the trigram indexes), as the server's does.
func sqlSearch(ctx context.Context, f *sqlFloor, p params, fp *[]string) error {
	const q = `SELECT a.id, a.asset_tag, a.serial_number, a.name, a.status::text, m.id, m.name,
	ap.id, ap.name, ap.email, al.id, al.name, l.id, l.name
FROM assets a
JOIN models m ON m.id = a.model_id
LEFT JOIN people ap ON ap.id = a.assigned_person_id
LEFT JOIN locations al ON al.id = a.assigned_location_id
LEFT JOIN locations l ON l.id = a.location_id
WHERE a.id IN (SELECT itam.search_assets($1)) AND a.status = ANY('{DEPLOYED,IN_STOCK}'::asset_status[])
ORDER BY a.asset_tag, a.id LIMIT 51`
	type node struct {
		ID           string   `json:"id"`
		AssetTag     string   `json:"assetTag"`
		SerialNumber *string  `json:"serialNumber"`
		Name         *string  `json:"name"`
		Status       string   `json:"status"`
		Model        jNamed   `json:"model"`
		Assignee     *jPerson `json:"assignee"`
		Location     *jNamed  `json:"location"`
	}
	type edge struct {
		Node node `json:"node"`
	}
	var out struct {
		Assets struct {
			Edges    []edge    `json:"edges"`
			PageInfo jPageInfo `json:"pageInfo"`
		} `json:"assets"`
	}
	var keys []string
	err := f.read(ctx, stmt{sql: q, args: []any{likeArg(p.search)}, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			var (
				n               node
				id, mID         uuid.UUID
				apID, alID, lID *uuid.UUID
				apName, apEmail *string
				alName, lName   *string
			)
			if err := rows.Scan(&id, &n.AssetTag, &n.SerialNumber, &n.Name, &n.Status, &mID, &n.Model.Name,
				&apID, &apName, &apEmail, &alID, &alName, &lID, &lName); err != nil {
				return err
			}
			n.ID, n.Model.ID = relay.ID(relay.TypeAsset, id), relay.ID(relay.TypeModel, mID)
			assignee, loc := "-", "-"
			switch {
			case apID != nil:
				n.Assignee, assignee = &jPerson{ID: relay.ID(relay.TypePerson, *apID), Name: *apName, Email: *apEmail}, *apName
			case alID != nil:
				n.Assignee, assignee = &jPerson{ID: relay.ID(relay.TypeLocation, *alID), Name: *alName}, *alName
			}
			if lID != nil {
				n.Location, loc = &jNamed{ID: relay.ID(relay.TypeLocation, *lID), Name: *lName}, *lName
			}
			out.Assets.Edges = append(out.Assets.Edges, edge{Node: n})
			keys = append(keys, floorCursor(n.AssetTag, id))
			if fp != nil {
				*fp = append(*fp, strings.Join([]string{n.AssetTag, n.Model.Name, assignee, loc}, "|"))
			}
		}
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	if len(out.Assets.Edges) > 50 {
		out.Assets.Edges, out.Assets.PageInfo.HasNextPage = out.Assets.Edges[:50], true
		if fp != nil {
			*fp = (*fp)[:50]
		}
	}
	if n := len(out.Assets.Edges); n > 0 {
		out.Assets.PageInfo.EndCursor = &keys[n-1]
	}
	return f.respond(out)
}

// likeArg is the search's ILIKE pattern: the text with its wildcards escaped.
func likeArg(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(s)) + "%"
}
