package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// countsDiffSQL is the symmetric difference between asset_counts and the
// same aggregates (every grain) counted live from assets, for one
// organization: empty when the triggers kept every row right.
const countsDiffSQL = `
WITH k AS (
  SELECT org_id, status::text AS status, model_id, coalesce(location_id, '00000000-0000-0000-0000-000000000000') AS location_id,
         coalesce(owner_team_id, '00000000-0000-0000-0000-000000000000') AS owner_team_id,
         coalesce(purchase_currency::text, '') AS currency, purchase_price
    FROM assets WHERE org_id = $1),
nil AS (SELECT '00000000-0000-0000-0000-000000000000'::uuid AS id),
live AS (
  SELECT org_id, 0::smallint, status, model_id, location_id, owner_team_id, currency,
         count(*)::int, count(purchase_price)::int, coalesce(sum(purchase_price), 0)
    FROM k GROUP BY org_id, status, model_id, location_id, owner_team_id, currency
  UNION ALL
  SELECT org_id, 1::smallint, status, model_id, (TABLE nil), (TABLE nil), currency,
         count(*)::int, count(purchase_price)::int, coalesce(sum(purchase_price), 0)
    FROM k GROUP BY org_id, status, model_id, currency
  UNION ALL
  SELECT org_id, 2::smallint, '', (TABLE nil), location_id, (TABLE nil), '',
         count(*)::int, count(purchase_price)::int, coalesce(sum(purchase_price), 0)
    FROM k GROUP BY org_id, location_id
  UNION ALL
  SELECT org_id, 3::smallint, '', (TABLE nil), (TABLE nil), owner_team_id, '',
         count(*)::int, count(purchase_price)::int, coalesce(sum(purchase_price), 0)
    FROM k GROUP BY org_id, owner_team_id),
kept AS (SELECT org_id, grain, status, model_id, location_id, owner_team_id, currency, assets, priced, purchase_value
           FROM asset_counts WHERE org_id = $1)
SELECT 'missing ' || l::text FROM (SELECT * FROM live EXCEPT SELECT * FROM kept) l
UNION ALL
SELECT 'extra ' || k::text FROM (SELECT * FROM kept EXCEPT SELECT * FROM live) k`

// requireCountsMatch checks asset_counts against a live count, and the
// store's answers from it (no filter) against its live answers (a filter
// that matches every asset), for every grouping asset_counts serves and
// for the nested location and team totals.
func (f *fixture) requireCountsMatch(t *testing.T, o orgFixture) {
	t.Helper()
	ctx := context.Background()
	rows, err := f.owner.Query(ctx, countsDiffSQL, o.id)
	require.NoError(t, err)
	diff, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Empty(t, diff, "asset_counts differs from the assets")

	admin := f.admin(o)
	// A filter every asset passes makes the store count live.
	everything := &itam.AssetFilter{StatusIn: []itam.AssetStatus{"ORDERED", "IN_STOCK", "DEPLOYED", "IN_REPAIR", "LOST", "STOLEN", "RETIRED", "DISPOSED"}}
	dims := []itam.AssetGroupBy{itam.GroupByStatus, itam.GroupByCategory, itam.GroupByLocation, itam.GroupByOwnerTeam, itam.GroupByModel}
	groupings := [][]itam.AssetGroupBy{{}}
	for _, d := range dims {
		groupings = append(groupings, []itam.AssetGroupBy{d})
	}
	groupings = append(groupings, dims, []itam.AssetGroupBy{itam.GroupByCategory, itam.GroupByStatus},
		[]itam.AssetGroupBy{itam.GroupByModel, itam.GroupByLocation})
	for _, g := range groupings {
		kept, err := f.assets.AssetCounts(admin, g, nil)
		require.NoError(t, err)
		live, err := f.assets.AssetCounts(admin, g, everything)
		require.NoError(t, err)
		require.ElementsMatch(t, groupStrings(live), groupStrings(kept), "grouped by %v", g)
	}
	for of, parents := range map[itam.AssetsOf][]uuid.UUID{
		itam.AssetsOfLocation: {o.site, o.building, o.room, uuid.New()},
		itam.AssetsOfTeam:     {o.team, o.team2, uuid.New()},
	} {
		kept, err := f.assets.CountAssetsOf(admin, of, parents, nil)
		require.NoError(t, err)
		live, err := f.assets.CountAssetsOf(admin, of, parents, everything)
		require.NoError(t, err)
		require.Equal(t, live, kept, "totals of %s", of)
	}
}

// groupStrings renders groups comparably (amounts by value, not scale).
func groupStrings(gs []itam.AssetCountGroup) []string {
	out := make([]string, len(gs))
	for i, g := range gs {
		s := fmt.Sprintf("%v %v %v %v %v n=%d", ptrString(g.Status), ptrString(g.CategoryID), ptrString(g.LocationID),
			ptrString(g.OwnerTeamID), ptrString(g.ModelID), g.Count)
		for _, m := range g.PurchaseValue {
			s += " " + m.Amount.StringFixed(4) + " " + m.Currency
		}
		out[i] = s
	}
	return out
}

func ptrString[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// TestAssetCountsFollowEveryWrite: after inserts, updates, deletes, status
// changes and transfers of many shapes (one row, many rows, rows moving
// both ways in one statement, several statements in one transaction,
// through the store as the application role and in bulk as the owner),
// asset_counts equals a live count in both organizations and the store's
// answers from it equal its live answers.
func TestAssetCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.a, f.b
	// 60 assets in bulk: statuses, models, locations, owners (teams or a
	// person), prices and currencies varied, NULLs included.
	bulk := func(o orgFixture, prefix string) string {
		return fmt.Sprintf(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, location_id, owner_team_id, owner_person_id, purchase_price, purchase_currency)
			SELECT '%[1]s', '%[2]s-' || i, CASE WHEN i %% 3 = 0 THEN '%[3]s'::uuid ELSE '%[4]s'::uuid END,
			       CASE WHEN i %% 3 = 0 THEN '%[5]s'::uuid ELSE '%[6]s'::uuid END,
			       (ARRAY['IN_STOCK','DEPLOYED','IN_REPAIR','ORDERED'])[1 + i %% 4]::asset_status,
			       (ARRAY[NULL, '%[7]s', '%[8]s', '%[9]s']::uuid[])[1 + i %% 4],
			       CASE WHEN i %% 5 = 0 THEN NULL WHEN i %% 2 = 0 THEN '%[10]s'::uuid ELSE '%[11]s'::uuid END,
			       CASE WHEN i %% 5 = 0 THEN '%[12]s'::uuid END,
			       CASE WHEN i %% 7 = 0 THEN NULL ELSE (i * 10.25)::numeric END,
			       CASE WHEN i %% 7 = 0 THEN NULL WHEN i %% 2 = 0 THEN 'USD' ELSE 'EUR' END
			  FROM generate_series(1, 60) i`,
			o.id, prefix, o.mac, o.laptop, o.mfr2, o.manufacturer, o.site, o.building, o.room, o.team, o.team2, o.alice)
	}
	steps := []struct {
		name string
		sql  []string // one transaction, as the owner
		fn   func(t *testing.T)
	}{
		{name: "bulk insert", sql: []string{bulk(a, "A"), bulk(b, "B")}},
		{name: "store creates", fn: func(t *testing.T) {
			f.newAsset(a, func(in *itam.AssetInput) { in.PurchasePrice = money("100.10", "USD") })
			f.newAsset(a, func(in *itam.AssetInput) { in.ModelID = a.phone; in.CustomFields = map[string]any{"imei": "1"} })
			f.newAsset(b, func(in *itam.AssetInput) { in.PurchasePrice = money("999", "JPY") })
		}},
		{name: "one status change", sql: []string{`UPDATE assets SET status = 'LOST' WHERE asset_tag = 'A-1'`}},
		{name: "many status changes", sql: []string{`UPDATE assets SET status = 'IN_STOCK' WHERE asset_tag LIKE 'A-%' AND status = 'DEPLOYED'`}},
		{name: "transfers between locations", sql: []string{fmt.Sprintf(`UPDATE assets SET location_id = CASE WHEN location_id = '%s' THEN '%s'::uuid ELSE '%s'::uuid END
			WHERE asset_tag LIKE 'A-%%' AND location_id IS NOT NULL`, a.room, a.site, a.room)}},
		{name: "swap in one statement", sql: []string{fmt.Sprintf(`UPDATE assets SET owner_team_id = CASE WHEN owner_team_id = '%[1]s' THEN '%[2]s'::uuid ELSE '%[1]s'::uuid END
			WHERE owner_team_id IS NOT NULL AND org_id = '%[3]s'`, a.team, a.team2, a.id)}},
		{name: "team to person and back", sql: []string{
			fmt.Sprintf(`UPDATE assets SET owner_team_id = NULL, owner_person_id = '%s' WHERE asset_tag IN ('A-2', 'A-3')`, a.bob),
			fmt.Sprintf(`UPDATE assets SET owner_person_id = NULL, owner_team_id = '%s' WHERE asset_tag = 'A-5'`, a.team),
		}},
		{name: "prices set, changed, cleared", sql: []string{
			`UPDATE assets SET purchase_price = 5, purchase_currency = 'GBP' WHERE asset_tag IN ('A-7', 'A-14')`,
			`UPDATE assets SET purchase_price = purchase_price + 0.5 WHERE asset_tag LIKE 'A-1%' AND purchase_price IS NOT NULL`,
			`UPDATE assets SET purchase_price = NULL, purchase_currency = NULL WHERE asset_tag IN ('A-8', 'A-9')`,
		}},
		{name: "model change", sql: []string{fmt.Sprintf(`UPDATE assets SET model_id = '%s', manufacturer_id = '%s' WHERE asset_tag IN ('A-10', 'A-11')`, a.mac, a.mfr2)}},
		{name: "update of nothing counted", sql: []string{`UPDATE assets SET notes = 'checked' WHERE asset_tag LIKE 'A-%'`}},
		{name: "retire and dispose", sql: []string{
			`UPDATE assets SET status = 'RETIRED', assigned_person_id = NULL, assigned_location_id = NULL WHERE asset_tag IN ('A-20', 'A-21', 'A-22')`,
			`UPDATE assets SET status = 'DISPOSED', disposal_date = '2026-01-01', disposal_method = 'RECYCLED' WHERE asset_tag = 'A-20'`,
		}},
		{name: "insert, move and delete in one transaction", sql: []string{
			fmt.Sprintf(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id) VALUES ('%s', 'T-1', '%s', '%s', '%s')`, a.id, a.laptop, a.manufacturer, a.team),
			fmt.Sprintf(`UPDATE assets SET location_id = '%s', status = 'DEPLOYED' WHERE asset_tag = 'T-1'`, a.room),
			`DELETE FROM assets WHERE asset_tag = 'T-1'`,
		}},
		{name: "one delete", sql: []string{`DELETE FROM assets WHERE asset_tag = 'A-30'`}},
		{name: "a group emptied", sql: []string{`DELETE FROM assets WHERE asset_tag LIKE 'A-%' AND status = 'IN_REPAIR'`}},
		{name: "every asset of one organization", sql: []string{fmt.Sprintf(`DELETE FROM assets WHERE org_id = '%s'`, a.id)}},
		{name: "again after emptying", sql: []string{bulk(a, "C")}},
	}
	for _, st := range steps {
		if st.fn != nil {
			st.fn(t)
		}
		if st.sql != nil {
			require.NoError(t, pgx.BeginFunc(context.Background(), f.owner, func(tx pgx.Tx) error {
				for _, s := range st.sql {
					if _, err := tx.Exec(context.Background(), s); err != nil {
						return fmt.Errorf("%s: %w", st.name, err)
					}
				}
				return nil
			}))
		}
		t.Run(st.name, func(t *testing.T) {
			f.requireCountsMatch(t, a)
			f.requireCountsMatch(t, b)
		})
	}
	var left int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM asset_counts WHERE assets <= 0`).Scan(&left))
	require.Zero(t, left, "emptied rows are deleted")
}

// TestAssetCountsConcurrentWriters: transactions writing the same
// organization's assets at once neither deadlock nor lose counts. Writers
// move assets between the same few groups in opposite directions, so a
// lock order that differed between them (gains before losses, say) would
// deadlock; the first test pins one writer waiting on another's rows.
func TestAssetCountsConcurrentWriters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	ctx := context.Background()
	insert := func(tx pgx.Tx, tag string, loc uuid.UUID) error {
		_, err := tx.Exec(ctx, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, location_id, purchase_price, purchase_currency)
			VALUES ($1, $2, $3, $4, $5, $6, 10, 'USD')`, o.id, tag, o.laptop, o.manufacturer, o.team, loc)
		return err
	}

	t.Run("a second inserter waits and adds", func(t *testing.T) {
		tx1, err := f.owner.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx1.Rollback(ctx) }()
		require.NoError(t, insert(tx1, "W-1", o.site))
		var pid1 int
		require.NoError(t, tx1.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid1))

		done := make(chan error, 1)
		go func() {
			done <- pgx.BeginFunc(ctx, f.owner, func(tx pgx.Tx) error {
				if err := insert(tx, "W-2", o.room); err != nil {
					return err
				}
				return insert(tx, "W-3", o.site) // the row tx1 holds
			})
		}()
		// Wait until the second transaction is blocked by the first.
		for {
			var blocked bool
			require.NoError(t, f.owner.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)))`, pid1).Scan(&blocked))
			if blocked {
				break
			}
			select {
			case err := <-done:
				t.Fatalf("the second writer finished while the first held the row: %v", err)
			default:
			}
		}
		require.NoError(t, tx1.Commit(ctx))
		require.NoError(t, <-done)
		f.requireCountsMatch(t, o)
	})

	t.Run("opposite moves", func(t *testing.T) {
		// Each writer has its own asset (no asset row is shared), which
		// moves between the same two locations on every transaction:
		// even writers' from the site to the building, odd writers' the
		// other way, then back. Each move takes an asset from one
		// asset_counts row and adds it to another, both rows shared by
		// every writer.
		const writers, moves = 6, 30
		for w := range writers {
			f.exec(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id, location_id) VALUES ($1, $2, $3, $4, $5, $6)`,
				o.id, fmt.Sprintf("M-%d", w), o.laptop, o.manufacturer, o.team, []uuid.UUID{o.site, o.building}[w%2])
		}
		var wg sync.WaitGroup
		errs := make(chan error, writers*moves)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range moves {
					_, err := f.owner.Exec(ctx, `UPDATE assets SET location_id = CASE WHEN location_id = $1 THEN $2 ELSE $1 END WHERE asset_tag = $3`,
						o.site, o.building, fmt.Sprintf("M-%d", w))
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && pgErr.Code == "40P01" {
				t.Fatalf("writers deadlocked: %v (%s)", err, pgErr.Detail)
			}
			require.NoError(t, err)
		}
		f.requireCountsMatch(t, o)
	})
}

// TestAssetCountsUnderRLS: the application role reads only its own
// organization's rows of asset_counts, so a count read from it never
// includes another tenant's assets.
func TestAssetCountsUnderRLS(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("1", "USD") })
	for range 3 {
		f.newAsset(f.b, func(in *itam.AssetInput) { in.PurchasePrice = money("1", "USD") })
	}
	require.NoError(t, f.asApp(f.a.id, func(tx pgx.Tx) error {
		var orgs, n int
		require.NoError(t, tx.QueryRow(context.Background(), `SELECT count(DISTINCT org_id), coalesce(sum(assets), 0) FROM asset_counts WHERE grain = 0`).Scan(&orgs, &n))
		require.Equal(t, 1, orgs)
		require.Equal(t, 1, n)
		return nil
	}))
	groups, err := f.assets.AssetCounts(f.admin(f.a), nil, nil)
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Equal(t, 1, groups[0].Count)
	n, err := f.assets.CountAssetsOf(f.admin(f.a), itam.AssetsOfTeam, []uuid.UUID{f.a.team, f.b.team}, nil)
	require.NoError(t, err)
	require.Equal(t, map[uuid.UUID]int{f.a.team: 1, f.b.team: 0}, n)
}

// TestLocationAssetsPagedPerLocation: a location's assets, read location
// by location off the (location, tag) index and merged, are the pages the
// plain query over the whole subtree returns: for every location, with
// one parent and many, forwards and backwards from cursors, in every
// order, filtered, and for an employee who sees only their own.
func TestLocationAssetsPagedPerLocation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.a
	f.exec(fmt.Sprintf(`INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, status, location_id, owner_team_id, purchase_date, assigned_person_id)
		SELECT '%[1]s', 'L-' || (i * 7919 %% 101), '%[2]s', '%[3]s', (ARRAY['IN_STOCK','DEPLOYED','IN_REPAIR'])[1 + i %% 3]::asset_status,
		       (ARRAY[NULL, '%[4]s', '%[5]s', '%[6]s', '%[6]s']::uuid[])[1 + i %% 5], '%[7]s',
		       CASE WHEN i %% 4 <> 0 THEN DATE '2024-01-01' + i %% 9 END, CASE WHEN i %% 6 = 1 THEN '%[8]s'::uuid END
		  FROM generate_series(1, 100) i`, o.id, o.laptop, o.manufacturer, o.site, o.building, o.room, o.team, o.alice))
	empty := f.id(`INSERT INTO locations (org_id, kind, name, parent_id) VALUES ($1, 'ROOM', 'Empty room', $2) RETURNING id`, o.id, o.building)
	all := []uuid.UUID{o.site, o.building, o.room, empty}

	admin := f.admin(o)
	employee := as(o.id, itam.RoleEmployee, "alice@alpha.test")
	deployed := &itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusDeployed}}
	// want is the page the plain statement returns for each parent.
	want := func(ctx context.Context, q itam.AssetQuery, parents []uuid.UUID, page itam.PageArgs) map[uuid.UUID]itam.Page[*itam.Asset] {
		out := map[uuid.UUID]itam.Page[*itam.Asset]{}
		for _, id := range parents {
			spec, p, err := f.assets.listSpec(ctx, q) // its args fill up per statement
			require.NoError(t, err)
			pages, err := listEach(ctx, f.db, p.OrgID, spec, []uuid.UUID{id}, assetsOfCond(itam.AssetsOfLocation), page)
			require.NoError(t, err)
			out[id] = pages[id]
		}
		return out
	}
	tags := func(pages map[uuid.UUID]itam.Page[*itam.Asset]) map[uuid.UUID]string {
		out := map[uuid.UUID]string{}
		for id, pg := range pages {
			s := fmt.Sprintf("next=%v prev=%v", pg.HasNextPage, pg.HasPreviousPage)
			for i, a := range pg.Items {
				s += " " + a.AssetTag + "@" + pg.Cursors[i]
			}
			out[id] = s
		}
		return out
	}
	// A cursor from the middle of the site's first page in each order.
	cursor := func(ctx context.Context, q itam.AssetQuery) *string {
		pg := want(ctx, q, []uuid.UUID{o.site}, itam.PageArgs{First: ptr(20)})[o.site]
		require.Len(t, pg.Items, 20)
		return &pg.Cursors[9]
	}
	type query struct {
		name string
		ctx  context.Context
		q    itam.AssetQuery
	}
	queries := []query{{"by tag", admin, itam.AssetQuery{}}, {"deployed", admin, itam.AssetQuery{Filter: deployed}}, {"employee", employee, itam.AssetQuery{}}}
	for _, s := range []itam.AssetSortField{itam.AssetSortPurchaseDate, itam.AssetSortStatus, itam.AssetSortName} {
		for _, d := range []itam.SortDirection{itam.Asc, itam.Desc} {
			queries = append(queries, query{fmt.Sprintf("%s %s", s, d), admin, itam.AssetQuery{Sort: s, Dir: d}})
		}
	}
	for _, qc := range queries {
		t.Run(qc.name, func(t *testing.T) {
			pages := map[string]itam.PageArgs{
				"first 3":   {First: ptr(3)},
				"first 200": {First: ptr(200)},
				"last 4":    {Last: ptr(4)},
				"first 0":   {First: ptr(0)},
			}
			if qc.ctx == admin {
				c := cursor(qc.ctx, qc.q)
				pages["after"] = itam.PageArgs{First: ptr(5), After: c}
				pages["before"] = itam.PageArgs{Last: ptr(5), Before: c}
			}
			for name, page := range pages {
				for _, parents := range [][]uuid.UUID{all, {o.room}, {empty}} {
					got, err := f.assets.ListAssetsOf(qc.ctx, itam.AssetsOfLocation, parents, qc.q, page)
					require.NoError(t, err)
					require.Equal(t, tags(want(qc.ctx, qc.q, parents, page)), tags(got), "%s, %d parents", name, len(parents))
				}
			}
		})
	}
}
