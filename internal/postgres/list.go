package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// sqlArgs collects positional parameters while a statement is built, so
// dynamic filters never splice user values into SQL text.
type sqlArgs struct{ list []any }

func (a *sqlArgs) add(v any) string {
	a.list = append(a.list, v)
	return "$" + strconv.Itoa(len(a.list))
}

// sortKey is a keyset ordering column. expr must never be NULL (wrap nullable
// columns in coalesce) so row comparisons in cursors stay total; sqlType is
// what the cursor's text value is cast to; key reads the same value from a
// scanned row as text.
type sortKey[T any] struct {
	expr    string
	sqlType string
	key     func(T) string
}

// listSpec describes one keyset-paginated list: what to select from where,
// how to order it and how to scan it.
type listSpec[T any] struct {
	columns string
	from    string
	idExpr  string // the tie-breaking id column, e.g. "a.id"
	idType  string // its SQL type; "" means uuid
	where   []string
	args    *sqlArgs
	sort    sortKey[T]
	dir     itam.SortDirection
	id      func(T) string
	scan    func(pgx.CollectableRow) (T, error)
}

// list fetches one page with keyset pagination: rows strictly after (or
// before) the cursor's (sort key, id), limit+1 of them to learn whether more
// exist. Rows inserted meanwhile never shift a page, so none is skipped or
// repeated.
func list[T any](ctx context.Context, db *DB, org uuid.UUID, s listSpec[T], p itam.PageArgs) (itam.Page[T], error) {
	w, err := s.window(p)
	if err != nil || w.limit == 0 {
		return itam.Page[T]{}, err
	}
	items, err := query(ctx, db, org, s.pageSQL(w), s.args.list, s.scan)
	if err != nil {
		return itam.Page[T]{}, err
	}
	return s.toPage(items, w), nil
}

// listEach is list for many parents at once: the same page (filter, order,
// window) of each parent's rows. The page query runs per parent inside a
// LATERAL join over the parents, so N parents cost one statement and one
// round trip, and each parent's page is exactly what list would return for
// it. parentCond renders the condition tying a row to the parent id
// expression it is given. Every parent has an entry, empty pages included.
func listEach[T any](ctx context.Context, db *DB, org uuid.UUID, s listSpec[T], parents []uuid.UUID, parentCond func(parent string) string, p itam.PageArgs) (map[uuid.UUID]itam.Page[T], error) {
	out := make(map[uuid.UUID]itam.Page[T], len(parents))
	w, err := s.window(p)
	if err != nil {
		return nil, err
	}
	if len(parents) == 1 {
		// One parent (assetByTag's history, node(id:)): the plain page
		// query, which plans cheaper than a LATERAL join over one row.
		s.where = append(slices.Clone(s.where), parentCond(s.args.add(parents[0])+"::uuid"))
		var items []T
		if w.limit > 0 {
			if items, err = query(ctx, db, org, s.pageSQL(w), s.args.list, s.scan); err != nil {
				return nil, err
			}
		}
		out[parents[0]] = s.toPage(items, w)
		return out, nil
	}
	byParent := make(map[uuid.UUID][]T, len(parents))
	if w.limit > 0 && len(parents) > 0 {
		ids := s.args.add(distinctIDs(parents))
		s.where = append(slices.Clone(s.where), parentCond("parent_ids.parent"))
		sql := fmt.Sprintf("SELECT parent_ids.parent, y.* FROM unnest(%s::uuid[]) AS parent_ids(parent) CROSS JOIN LATERAL (%s) y", ids, s.pageSQL(w))
		type row struct {
			parent uuid.UUID
			item   T
		}
		rows, err := query(ctx, db, org, sql, s.args.list, func(r pgx.CollectableRow) (row, error) {
			var out row
			item, err := s.scan(parentRow{CollectableRow: r, parent: &out.parent})
			out.item = item
			return out, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			byParent[r.parent] = append(byParent[r.parent], r.item)
		}
	}
	for _, id := range parents {
		out[id] = s.toPage(byParent[id], w)
	}
	return out, nil
}

// parentRow prepends listEach's parent column to whatever a scan function
// reads, so the entity's own scan function serves unchanged.
type parentRow struct {
	pgx.CollectableRow
	parent *uuid.UUID
}

func (r parentRow) Scan(dest ...any) error {
	return r.CollectableRow.Scan(append([]any{r.parent}, dest...)...)
}

// pageSQL is the statement for window w: the cursor conditions, the order
// (reversed when paging backwards) and limit+1.
func (s listSpec[T]) pageSQL(w pageWindow) string {
	where := slices.Clone(s.where)
	desc := s.dir == itam.Desc
	cmp := func(c *cursor, after bool) string {
		op := ">"
		if after == desc {
			op = "<"
		}
		key, _ := c.Key.(string)
		if c.Key == nil {
			key = ""
		}
		idType := s.idType
		if idType == "" {
			idType = "uuid"
		}
		return fmt.Sprintf("(%s, %s) %s (%s::text::%s, %s::text::%s)", s.sort.expr, s.idExpr, op, s.args.add(key), s.sort.sqlType, s.args.add(c.ID), idType)
	}
	if w.after != nil {
		where = append(where, cmp(w.after, true))
	}
	if w.before != nil {
		where = append(where, cmp(w.before, false))
	}
	dir := "ASC"
	if desc != w.backward {
		dir = "DESC"
	}
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s %s, %s %s LIMIT %d",
		s.columns, s.from, strings.Join(where, " AND "), s.sort.expr, dir, s.idExpr, dir, w.limit+1)
}

// toPage turns the up to limit+1 rows pageSQL returned into a page.
func (s listSpec[T]) toPage(items []T, w pageWindow) itam.Page[T] {
	var page itam.Page[T]
	if w.limit == 0 {
		return page
	}
	more := len(items) > w.limit
	if more {
		items = items[:w.limit]
	}
	if w.backward {
		slices.Reverse(items)
		page.HasPreviousPage = more
		page.HasNextPage = w.before != nil
	} else {
		page.HasNextPage = more
		page.HasPreviousPage = w.after != nil
	}
	page.Items = items
	page.Cursors = make([]string, len(items))
	for i, it := range items {
		page.Cursors[i] = encodeCursor(s.sort.key(it), s.id(it))
	}
	return page
}

// count returns how many rows match, for totalCount (run only when asked).
func count(ctx context.Context, db *DB, org uuid.UUID, from string, where []string, args *sqlArgs) (int, error) {
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	sql := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", from, strings.Join(where, " AND "))
	n, err := queryOne(ctx, db, org, "count", sql, args.list, func(r pgx.CollectableRow) (int, error) {
		var n int
		return n, r.Scan(&n)
	})
	return n, err
}

// countEach is count for many parents at once, in one statement: how many
// rows match for each parent (parentCond as in listEach).
func countEach(ctx context.Context, db *DB, org uuid.UUID, from string, where []string, args *sqlArgs, parents []uuid.UUID, parentCond func(parent string) string) (map[uuid.UUID]int, error) {
	out := make(map[uuid.UUID]int, len(parents))
	if len(parents) == 0 {
		return out, nil
	}
	if len(parents) == 1 {
		n, err := count(ctx, db, org, from, append(slices.Clone(where), parentCond(args.add(parents[0])+"::uuid")), args)
		if err != nil {
			return nil, err
		}
		out[parents[0]] = n
		return out, nil
	}
	ids := args.add(distinctIDs(parents))
	where = append(slices.Clone(where), parentCond("parent_ids.parent"))
	sql := fmt.Sprintf("SELECT parent_ids.parent, (SELECT count(*) FROM %s WHERE %s) FROM unnest(%s::uuid[]) AS parent_ids(parent)", from, strings.Join(where, " AND "), ids)
	type row struct {
		parent uuid.UUID
		n      int
	}
	rows, err := query(ctx, db, org, sql, args.list, func(r pgx.CollectableRow) (row, error) {
		var out row
		return out, r.Scan(&out.parent, &out.n)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.parent] = r.n
	}
	return out, nil
}

// likePattern escapes LIKE metacharacters so a search for "50%" means it.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(s)) + "%"
}
