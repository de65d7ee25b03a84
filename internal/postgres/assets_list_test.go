package postgres

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestPaginationStableUnderInserts pages through assets while another
// goroutine inserts more: every asset that existed at the start is seen
// exactly once, in order, forwards and backwards.
func TestPaginationStableUnderInserts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	var initial []uuid.UUID
	for i := range 40 {
		a := f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr(fmt.Sprintf("T-%03d", i*2)) })
		initial = append(initial, a.ID)
	}
	for _, sort := range []itam.AssetSortField{itam.AssetSortTag, itam.AssetSortCreatedAt, itam.AssetSortName} {
		for _, dir := range []itam.SortDirection{itam.Asc, itam.Desc} {
			// Between every two pages, rows land before and after the cursor
			// (tags interleave with the existing ones; ids, and so the order
			// among equal names, are random). Interleaving them with the reads,
			// rather than racing a goroutine, makes the walk the same on a busy
			// machine: it must still see every existing asset exactly once.
			inserted := 0
			seen := map[uuid.UUID]int{}
			var after *string
			for pages := 0; ; pages++ {
				for range 3 {
					_, err := f.assets.CreateAsset(ctx, itam.AssetInput{ModelID: f.a.laptop,
						AssetTag: ptr(fmt.Sprintf("T-%03d-%s%s-%d", (inserted%40)*2+1, sort, dir, inserted))}, nil)
					require.NoError(t, err)
					inserted++
				}
				page, err := f.assets.ListAssets(ctx, itam.AssetQuery{Sort: sort, Dir: dir}, itam.PageArgs{First: ptr(7), After: after})
				require.NoError(t, err)
				for _, a := range page.Items {
					seen[a.ID]++
				}
				require.Less(t, pages, 200, "the walk must end: each page reads 7 rows and only 3 arrive meanwhile")
				if !page.HasNextPage {
					break
				}
				after = &page.Cursors[len(page.Cursors)-1]
			}
			for id, n := range seen {
				require.Equal(t, 1, n, "%s %s: asset %s seen %d times", sort, dir, id, n)
			}
			for _, id := range initial {
				require.Contains(t, seen, id, "%s %s: an existing asset was skipped", sort, dir)
			}
		}
	}

	// Backwards with last/before returns the same sequence as forwards.
	var forward []uuid.UUID
	var after *string
	for {
		page, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: ptr(50), After: after})
		require.NoError(t, err)
		for _, a := range page.Items {
			forward = append(forward, a.ID)
		}
		if !page.HasNextPage {
			break
		}
		after = &page.Cursors[len(page.Cursors)-1]
	}
	var backward []uuid.UUID
	var before *string
	for {
		page, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{Last: ptr(9), Before: before})
		require.NoError(t, err)
		ids := []uuid.UUID{}
		for _, a := range page.Items {
			ids = append(ids, a.ID)
		}
		backward = append(ids, backward...)
		if !page.HasPreviousPage {
			break
		}
		before = &page.Cursors[0]
	}
	require.Equal(t, forward, backward)

	_, err := f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: ptr(501)})
	requireCode(t, err, itam.CodeInvalid, "first")
	_, err = f.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{After: ptr("garbage!")})
	requireCode(t, err, itam.CodeInvalid, "after")
}

func TestAssetFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	day := func(y, m, d int) *time.Time { return ptr(time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)) }
	mk := func(tag string, mut func(*itam.AssetInput)) *itam.Asset {
		return f.newAsset(f.a, func(in *itam.AssetInput) {
			in.AssetTag = ptr(tag)
			if mut != nil {
				mut(in)
			}
		})
	}
	l1 := mk("L1", func(in *itam.AssetInput) {
		in.SerialNumber = ptr("ABC123")
		in.LocationID = &f.a.room
		in.PurchaseDate = day(2021, 5, 1)
		in.WarrantyEnd = day(2024, 5, 1)
		in.CustomFields = map[string]any{"ram_gb": 16, "os": "Linux"}
	})
	l2 := mk("L2", func(in *itam.AssetInput) {
		in.Name = ptr("Design 50% laptop")
		in.LocationID = &f.a.building
		in.PurchaseDate = day(2023, 1, 1)
		in.WarrantyEnd = day(2026, 1, 1)
		in.CustomFields = map[string]any{"ram_gb": 32}
		in.OwnerTeamID = &f.a.team2
	})
	m1 := mk("M1", func(in *itam.AssetInput) { in.ModelID = f.a.mac; in.SupplierID = &f.a.supplier })
	p1 := mk("P1", func(in *itam.AssetInput) { in.ModelID = f.a.phone; in.CustomFields = map[string]any{"imei": "3"} })
	_, err := f.assets.AssignAsset(ctx, l1.ID, itam.Assignee{PersonID: &f.a.alice}, nil)
	require.NoError(t, err)
	_, err = f.assets.AssignAsset(ctx, m1.ID, itam.Assignee{LocationID: &f.a.site}, nil)
	require.NoError(t, err)
	_, err = f.assets.TransitionAsset(ctx, p1.ID, itam.StatusInRepair, nil)
	require.NoError(t, err)
	_ = l2

	cases := []struct {
		name   string
		filter itam.AssetFilter
		want   []string
	}{
		{"all", itam.AssetFilter{}, []string{"L1", "L2", "M1", "P1"}},
		{"status in", itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusDeployed}}, []string{"L1", "M1"}},
		{"status in none", itam.AssetFilter{StatusIn: []itam.AssetStatus{}}, nil},
		{"category", itam.AssetFilter{CategoryIDs: []uuid.UUID{f.a.laptops}}, []string{"L1", "L2", "M1"}},
		{"model", itam.AssetFilter{ModelIDs: []uuid.UUID{f.a.phone}}, []string{"P1"}},
		{"manufacturer", itam.AssetFilter{ManufacturerIDs: []uuid.UUID{f.a.mfr2}}, []string{"M1"}},
		{"location with descendants", itam.AssetFilter{LocationIDs: []uuid.UUID{f.a.building}}, []string{"L1", "L2"}},
		{"location root", itam.AssetFilter{LocationIDs: []uuid.UUID{f.a.site}}, []string{"L1", "L2", "M1"}},
		{"assigned person", itam.AssetFilter{AssignedPersonIDs: []uuid.UUID{f.a.alice}}, []string{"L1"}},
		{"assigned location", itam.AssetFilter{AssignedLocationIDs: []uuid.UUID{f.a.site}}, []string{"M1"}},
		{"owner team", itam.AssetFilter{OwnerTeamIDs: []uuid.UUID{f.a.team2}}, []string{"L2"}},
		{"supplier", itam.AssetFilter{SupplierIDs: []uuid.UUID{f.a.supplier}}, []string{"M1"}},
		{"search serial", itam.AssetFilter{Search: ptr("abc1")}, []string{"L1"}},
		{"search assignee name", itam.AssetFilter{Search: ptr("ALICE")}, []string{"L1"}},
		{"search literal percent", itam.AssetFilter{Search: ptr("50%")}, []string{"L2"}},
		{"search tag", itam.AssetFilter{Search: ptr("p1")}, []string{"P1"}},
		{"purchased range", itam.AssetFilter{PurchasedAfter: day(2021, 5, 1), PurchasedBefore: day(2022, 1, 1)}, []string{"L1"}},
		{"warranty expiring", itam.AssetFilter{WarrantyExpiresBefore: day(2025, 1, 1)}, []string{"L1"}},
		{"unassigned", itam.AssetFilter{Unassigned: ptr(true)}, []string{"L2", "P1"}},
		{"assigned", itam.AssetFilter{Unassigned: ptr(false)}, []string{"L1", "M1"}},
		{"custom field", itam.AssetFilter{CustomFields: map[string]any{"ram_gb": 32}}, []string{"L2"}},
		{"or", itam.AssetFilter{Or: []itam.AssetFilter{{ModelIDs: []uuid.UUID{f.a.phone}}, {ManufacturerIDs: []uuid.UUID{f.a.mfr2}}}}, []string{"M1", "P1"}},
		{"and", itam.AssetFilter{And: []itam.AssetFilter{{CategoryIDs: []uuid.UUID{f.a.laptops}}, {Unassigned: ptr(true)}}}, []string{"L2"}},
		{"not", itam.AssetFilter{Not: &itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusDeployed}}}, []string{"L2", "P1"}},
		{"not over nulls", itam.AssetFilter{Not: &itam.AssetFilter{PurchasedAfter: day(2022, 1, 1)}}, []string{"L1", "M1", "P1"}},
		{"nested", itam.AssetFilter{StatusIn: []itam.AssetStatus{itam.StatusInStock, itam.StatusDeployed}, Not: &itam.AssetFilter{Or: []itam.AssetFilter{{Search: ptr("abc")}, {ModelIDs: []uuid.UUID{f.a.mac}}}}}, []string{"L2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := f.assets.ListAssets(ctx, itam.AssetQuery{Filter: &tc.filter}, itam.PageArgs{First: ptr(100)})
			require.NoError(t, err)
			var got []string
			for _, a := range page.Items {
				got = append(got, a.AssetTag)
			}
			require.Equal(t, tc.want, got)
			n, err := f.assets.CountAssets(ctx, &tc.filter)
			require.NoError(t, err)
			require.Equal(t, len(tc.want), n)
		})
	}
}

func TestAssetCounts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("100.10", "USD") })
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("200", "USD") })
	f.newAsset(f.a, func(in *itam.AssetInput) { in.PurchasePrice = money("50", "EUR") })
	f.newAsset(f.a, func(in *itam.AssetInput) { in.ModelID = f.a.phone; in.CustomFields = map[string]any{"imei": "1"} })
	f.newAsset(f.b, func(in *itam.AssetInput) { in.PurchasePrice = money("999", "USD") })

	groups, err := f.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByCategory}, nil)
	require.NoError(t, err)
	require.Len(t, groups, 2)
	require.Equal(t, f.a.laptops, *groups[0].CategoryID)
	require.Equal(t, 3, groups[0].Count)
	require.Len(t, groups[0].PurchaseValue, 2)
	require.Equal(t, "EUR", groups[0].PurchaseValue[0].Currency)
	require.Equal(t, "50", groups[0].PurchaseValue[0].Amount.String())
	require.Equal(t, "USD", groups[0].PurchaseValue[1].Currency)
	require.Equal(t, "300.1", groups[0].PurchaseValue[1].Amount.String())
	require.Equal(t, 1, groups[1].Count)
	require.Empty(t, groups[1].PurchaseValue)

	groups, err = f.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByStatus, itam.GroupByOwnerTeam}, &itam.AssetFilter{ModelIDs: []uuid.UUID{f.a.laptop}})
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Equal(t, itam.StatusInStock, *groups[0].Status)
	require.Equal(t, f.a.team, *groups[0].OwnerTeamID)
	require.Nil(t, groups[0].CategoryID)
	require.Equal(t, 3, groups[0].Count)

	_, err = f.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByModel, itam.GroupByModel}, nil)
	requireCode(t, err, itam.CodeInvalid, "groupBy[1]")
}

// Every dimension the domain allows has a column to group by.
func TestEveryGroupingHasAColumn(t *testing.T) {
	t.Parallel()
	for _, g := range itam.AssetGroupBys {
		require.NotEmpty(t, groupExprs[g], g)
	}
	require.Len(t, groupExprs, len(itam.AssetGroupBys))
}
