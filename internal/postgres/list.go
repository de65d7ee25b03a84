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
	var page itam.Page[T]
	w, err := newPageWindow(p)
	if err != nil {
		return page, err
	}
	if w.limit == 0 {
		return page, nil
	}
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
	scanDesc := desc != w.backward
	dir := "ASC"
	if scanDesc {
		dir = "DESC"
	}
	if len(where) == 0 {
		where = []string{"TRUE"}
	}
	sql := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s %s, %s %s LIMIT %d",
		s.columns, s.from, strings.Join(where, " AND "), s.sort.expr, dir, s.idExpr, dir, w.limit+1)
	items, err := query(ctx, db, org, sql, s.args.list, s.scan)
	if err != nil {
		return page, err
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
	return page, nil
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

// likePattern escapes LIKE metacharacters so a search for "50%" means it.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(strings.TrimSpace(s)) + "%"
}
