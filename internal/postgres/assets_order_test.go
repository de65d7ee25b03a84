package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// orderFields is every AssetOrderField; a new one must be added here so
// both tests below cover it.
var orderFields = []itam.AssetSortField{itam.AssetSortTag, itam.AssetSortCreatedAt, itam.AssetSortUpdatedAt,
	itam.AssetSortName, itam.AssetSortSerial, itam.AssetSortStatus, itam.AssetSortPurchaseDate, itam.AssetSortWarrantyEnd}

func TestOrderFieldsCoverAssetSorts(t *testing.T) {
	t.Parallel()
	require.Len(t, assetSorts, len(orderFields))
	for _, f := range orderFields {
		require.Contains(t, assetSorts, f)
	}
}

// TestAssetOrderWalks walks every order × direction × status filter in
// pages of 3, forwards with first/after and backwards with last/before,
// over assets with NULLs and ties in every sort column: each walk returns
// every matching asset once, in the documented order (missing values last
// ascending, STATUS in lifecycle order, ties by id).
func TestAssetOrderWalks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	day := func(d int) *time.Time { return ptr(time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC)) }
	type spec struct {
		name, serial *string
		bought, warr *time.Time
		status       itam.AssetStatus
		stamp        int // created_at and updated_at, in days from a base: ties on purpose
	}
	specs := []spec{
		{ptr("b"), ptr("S2"), day(2), day(5), itam.StatusInStock, 1},
		{nil, nil, nil, nil, itam.StatusDeployed, 1},
		{ptr(""), ptr("S1"), day(2), nil, itam.StatusOrdered, 2},
		{ptr("a"), nil, day(1), day(5), itam.StatusInStock, 2},
		{ptr("b"), ptr("S3"), nil, day(3), itam.StatusLost, 3},
		{nil, ptr("S10"), day(3), day(3), itam.StatusInStock, 3},
		{ptr("d"), nil, day(1), nil, itam.StatusInRepair, 1},
		{ptr("c"), ptr("S6"), nil, day(1), itam.StatusDeployed, 4},
		{ptr("a"), ptr("S4"), day(3), day(5), itam.StatusStolen, 4},
		{ptr("b"), nil, day(2), nil, itam.StatusInStock, 2},
		{nil, ptr("S5"), nil, nil, itam.StatusLost, 5},
	}
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for i, s := range specs {
		a := f.newAsset(f.a, func(in *itam.AssetInput) {
			in.AssetTag = ptr(fmt.Sprintf("W-%02d", (i*7)%len(specs)))
			in.Name, in.SerialNumber, in.PurchaseDate, in.WarrantyEnd = s.name, s.serial, s.bought, s.warr
		})
		at := base.AddDate(0, 0, s.stamp)
		f.exec(`UPDATE assets SET status = $2, created_at = $3, updated_at = $3 WHERE id = $1`, a.ID, s.status, at)
	}
	// Another organization's assets never show up in a walk.
	f.newAsset(f.b, func(in *itam.AssetInput) { in.AssetTag = ptr("W-00") })

	all, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: ptr(100)})
	require.NoError(t, err)
	require.Len(t, all.Items, len(specs))

	// The documented orders, independently of the SQL: a key per asset
	// (missing dates after every date, missing names and serials as "").
	type key struct {
		s string
		n int64
	}
	dateKey := func(t *time.Time) key {
		if t == nil {
			return key{n: 1 << 62}
		}
		return key{n: t.Unix()}
	}
	keyOf := map[itam.AssetSortField]func(a *itam.Asset) key{
		itam.AssetSortTag:          func(a *itam.Asset) key { return key{s: a.AssetTag} },
		itam.AssetSortCreatedAt:    func(a *itam.Asset) key { return key{n: a.CreatedAt.UnixNano()} },
		itam.AssetSortUpdatedAt:    func(a *itam.Asset) key { return key{n: a.UpdatedAt.UnixNano()} },
		itam.AssetSortName:         func(a *itam.Asset) key { return key{s: deref(a.Name)} },
		itam.AssetSortSerial:       func(a *itam.Asset) key { return key{s: deref(a.SerialNumber)} },
		itam.AssetSortStatus:       func(a *itam.Asset) key { return key{n: int64(slices.Index(itam.AssetStatuses, a.Status))} },
		itam.AssetSortPurchaseDate: func(a *itam.Asset) key { return dateKey(a.PurchaseDate) },
		itam.AssetSortWarrantyEnd:  func(a *itam.Asset) key { return dateKey(a.WarrantyEnd) },
	}
	filters := map[string]*itam.AssetFilter{
		"all":              nil,
		"in stock":         {StatusIn: []itam.AssetStatus{itam.StatusInStock}},
		"in stock or lost": {StatusIn: []itam.AssetStatus{itam.StatusLost, itam.StatusInStock}},
	}
	for _, field := range orderFields {
		for _, dir := range []itam.SortDirection{itam.Asc, itam.Desc} {
			for fname, filter := range filters {
				t.Run(fmt.Sprintf("%s %s %s", field, dir, fname), func(t *testing.T) {
					var want []string
					items := slices.Clone(all.Items)
					slices.SortFunc(items, func(x, y *itam.Asset) int {
						kx, ky := keyOf[field](x), keyOf[field](y)
						c := cmp.Or(strings.Compare(kx.s, ky.s), cmp.Compare(kx.n, ky.n), strings.Compare(x.ID.String(), y.ID.String()))
						if dir == itam.Desc {
							return -c
						}
						return c
					})
					for _, a := range items {
						if filter == nil || slices.Contains(filter.StatusIn, a.Status) {
							want = append(want, a.AssetTag)
						}
					}
					q := itam.AssetQuery{Sort: field, Dir: dir, Filter: filter}

					var forward []string
					var after *string
					for range len(specs) {
						page, err := f.assets.ListAssets(ctx, q, itam.PageArgs{First: ptr(3), After: after})
						require.NoError(t, err)
						for _, a := range page.Items {
							forward = append(forward, a.AssetTag)
						}
						if !page.HasNextPage {
							break
						}
						after = &page.Cursors[len(page.Cursors)-1]
					}
					require.Equal(t, want, forward, "forwards")

					var backward []string
					var before *string
					for range len(specs) {
						page, err := f.assets.ListAssets(ctx, q, itam.PageArgs{Last: ptr(3), Before: before})
						require.NoError(t, err)
						var tags []string
						for _, a := range page.Items {
							tags = append(tags, a.AssetTag)
						}
						backward = append(tags, backward...)
						if !page.HasPreviousPage {
							break
						}
						before = &page.Cursors[0]
					}
					require.Equal(t, want, backward, "backwards")
				})
			}
		}
	}
}

// TestAssetPagesAreIndexRanges: the page query of every order, both
// directions, with and without a status filter, first page and a later
// one, is served by an index in its order (no Sort) whose range starts at
// the cursor (the keyset comparison is an Index Cond, not a Filter over
// every row before it), under row-level security as the app role. Only
// leakproof comparisons may run inside an index scan under RLS, which is
// why the sort keys are stored columns (migration 00037).
func TestAssetPagesAreIndexRanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	var last *itam.Asset
	for i := range 5 {
		last = f.newAsset(f.a, func(in *itam.AssetInput) {
			in.AssetTag = ptr(fmt.Sprintf("X-%d", i))
			in.PurchaseDate = ptr(time.Date(2024, 1, i+1, 0, 0, 0, 0, time.UTC))
		})
	}
	inStock := &itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusInStock}}
	for _, field := range orderFields {
		for _, dir := range []itam.SortDirection{itam.Asc, itam.Desc} {
			for _, filter := range []*itam.AssetFilter{nil, inStock} {
				for _, deep := range []bool{false, true} {
					name := fmt.Sprintf("%s %s filtered=%t deep=%t", field, dir, filter != nil, deep)
					spec, p, err := f.assets.listSpec(ctx, itam.AssetQuery{Sort: field, Dir: dir, Filter: filter})
					require.NoError(t, err)
					page := itam.PageArgs{First: ptr(100)}
					if deep {
						page.After = ptr(encodeCursor(spec.sort.key(last), last.ID.String()))
					}
					w, err := newPageWindow(page)
					require.NoError(t, err)
					sql := spec.pageSQL(w)
					var plan []byte
					require.NoError(t, f.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
						// Rule out the plans a table this small would get
						// anyway, so only an index in the page's order can
						// avoid the (then prohibitively costed) Sort.
						b.Queue(`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)`)
						b.Queue("EXPLAIN (FORMAT JSON) "+sql, spec.args.list...).QueryRow(func(r pgx.Row) error { return r.Scan(&plan) })
					}), name)
					nodes, conds, filters := planParts(t, plan)
					require.NotContains(t, nodes, "Sort", "%s: %s", name, plan)
					require.NotContains(t, nodes, "Incremental Sort", "%s: %s", name, plan)
					if deep {
						require.Contains(t, conds, "ROW(", "%s: the cursor must start the index range: %s", name, plan)
						require.NotContains(t, filters, "ROW(", "%s: %s", name, plan)
					}
					if filter != nil && field == itam.AssetSortStatus {
						require.Contains(t, conds, "sort_status =", "%s: one status is one range: %s", name, plan)
					}
				}
			}
		}
	}
}

// planParts flattens an EXPLAIN (FORMAT JSON) plan: its node types, and
// all index conditions and filters joined.
func planParts(t *testing.T, plan []byte) (nodes []string, conds, filters string) {
	t.Helper()
	type node struct {
		Type      string `json:"Node Type"`
		IndexCond string `json:"Index Cond"`
		Filter    string `json:"Filter"`
		Plans     []node `json:"Plans"`
	}
	var doc []struct{ Plan node }
	require.NoError(t, json.Unmarshal(plan, &doc))
	var walk func(n node)
	walk = func(n node) {
		nodes = append(nodes, n.Type)
		conds += n.IndexCond + " "
		filters += n.Filter + " "
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(doc[0].Plan)
	return nodes, conds, filters
}

// The stored sort_status column (00037) ranks statuses as
// itam.AssetStatuses lists them.
func TestSortStatusMatchesLifecycleOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	rows, err := f.owner.Query(context.Background(), `SELECT s::text FROM unnest(enum_range(NULL::asset_status)) s`)
	require.NoError(t, err)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	for i, s := range got {
		require.Equal(t, string(itam.AssetStatuses[i]), s)
		a := f.newAsset(f.a, nil)
		f.exec(`UPDATE assets SET status = $2::text::asset_status, disposal_date = CASE WHEN $2::text = 'DISPOSED' THEN now() END,
			disposal_method = CASE WHEN $2::text = 'DISPOSED' THEN 'RECYCLED'::disposal_method END WHERE id = $1`, a.ID, s)
		var rank int
		require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT sort_status FROM assets WHERE id = $1`, a.ID).Scan(&rank))
		require.Equal(t, i, rank, s)
		require.Equal(t, i, itam.AssetStatus(s).Rank())
	}
	require.Len(t, got, len(itam.AssetStatuses))
}

// TestCursorOfAnotherTypeIsInvalid: a cursor whose key cannot be the
// order's type (a STATUS cursor from before 00037 held the status name, a
// cursor of another order, a forged one) or whose id is not one, is
// BAD_USER_INPUT "invalid cursor" on its argument, not PostgreSQL's cast
// error.
func TestCursorOfAnotherTypeIsInvalid(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	id := uuid.NewString()
	for _, c := range []struct {
		name  string
		sort  itam.AssetSortField
		page  itam.PageArgs
		field string
	}{
		{"a status name for the lifecycle rank", itam.AssetSortStatus, itam.PageArgs{After: ptr(encodeCursor("DEPLOYED", id))}, "after"},
		{"a tag for a date", itam.AssetSortPurchaseDate, itam.PageArgs{Before: ptr(encodeCursor("A-0001", id)), Last: ptr(5)}, "before"},
		{"a date for a timestamp", itam.AssetSortCreatedAt, itam.PageArgs{After: ptr(encodeCursor("2024-13-01", id))}, "after"},
		{"an id that is not one", itam.AssetSortTag, itam.PageArgs{After: ptr(encodeCursor("A-0001", "x"))}, "after"},
		{"a number for text", itam.AssetSortName, itam.PageArgs{After: ptr(encodeCursor(7, id))}, "after"},
	} {
		_, err := f.assets.ListAssets(ctx, itam.AssetQuery{Sort: c.sort}, c.page)
		requireCode(t, err, itam.CodeInvalid, c.field)
		require.ErrorContains(t, err, "invalid cursor", c.name)
	}
	// The cursors the server hands out still page.
	for _, s := range []itam.AssetSortField{itam.AssetSortStatus, itam.AssetSortPurchaseDate, itam.AssetSortCreatedAt} {
		first, err := f.assets.ListAssets(ctx, itam.AssetQuery{Sort: s}, itam.PageArgs{First: ptr(1)})
		require.NoError(t, err)
		if len(first.Items) > 0 {
			_, err = f.assets.ListAssets(ctx, itam.AssetQuery{Sort: s}, itam.PageArgs{First: ptr(1), After: &first.Cursors[0]})
			require.NoError(t, err)
		}
	}
}
