package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// TestPageFlagsOnExactlyFullPages: a page that takes the last rows exactly
// has no next (or previous) page. The store fetches limit+1 rows to know;
// comparing with >= instead of > would claim one more page on every list
// whose size is a multiple of the page size.
func TestPageFlagsOnExactlyFullPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := f.admin(f.a)
	for _, tag := range []string{"P-1", "P-2"} {
		f.newAsset(f.a, func(in *itam.AssetInput) { in.AssetTag = ptr(tag) })
	}
	// Org B's rows are invisible and must not count as "more".
	for _, tag := range []string{"P-0", "P-3", "P-4"} {
		f.newAsset(f.b, func(in *itam.AssetInput) { in.AssetTag = ptr(tag) })
	}
	page := func(p itam.PageArgs) itam.Page[*itam.Asset] {
		t.Helper()
		got, err := f.assets.ListAssets(ctx, itam.AssetQuery{Sort: itam.AssetSortTag}, p)
		require.NoError(t, err)
		return got
	}
	tags := func(p itam.Page[*itam.Asset]) []string {
		var out []string
		for _, a := range p.Items {
			out = append(out, a.AssetTag)
		}
		return out
	}

	// Forward.
	p := page(itam.PageArgs{First: ptr(2)})
	require.Equal(t, []string{"P-1", "P-2"}, tags(p))
	require.False(t, p.HasNextPage, "first: 2 over 2 rows")
	require.False(t, p.HasPreviousPage)

	p = page(itam.PageArgs{First: ptr(1)})
	require.Equal(t, []string{"P-1"}, tags(p))
	require.True(t, p.HasNextPage, "first: 1 over 2 rows")
	p = page(itam.PageArgs{First: ptr(1), After: &p.Cursors[0]})
	require.Equal(t, []string{"P-2"}, tags(p))
	require.False(t, p.HasNextPage, "the second of 2 rows is the last")
	require.True(t, p.HasPreviousPage)

	// Backward.
	p = page(itam.PageArgs{Last: ptr(2)})
	require.Equal(t, []string{"P-1", "P-2"}, tags(p))
	require.False(t, p.HasPreviousPage, "last: 2 over 2 rows")
	require.False(t, p.HasNextPage)

	p = page(itam.PageArgs{Last: ptr(1)})
	require.Equal(t, []string{"P-2"}, tags(p))
	require.True(t, p.HasPreviousPage, "last: 1 over 2 rows")
	p = page(itam.PageArgs{Last: ptr(1), Before: &p.Cursors[0]})
	require.Equal(t, []string{"P-1"}, tags(p))
	require.False(t, p.HasPreviousPage, "the first of 2 rows is the first")
	require.True(t, p.HasNextPage)

	// Descending order, same rule.
	desc, err := f.assets.ListAssets(ctx, itam.AssetQuery{Sort: itam.AssetSortTag, Dir: itam.Desc}, itam.PageArgs{First: ptr(1)})
	require.NoError(t, err)
	require.True(t, desc.HasNextPage)
	desc, err = f.assets.ListAssets(ctx, itam.AssetQuery{Sort: itam.AssetSortTag, Dir: itam.Desc}, itam.PageArgs{First: ptr(1), After: &desc.Cursors[0]})
	require.NoError(t, err)
	require.Equal(t, []string{"P-1"}, tags(desc))
	require.False(t, desc.HasNextPage)
}
