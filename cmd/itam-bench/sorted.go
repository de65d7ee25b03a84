package main

// Sorted and deep pages (issue 14, target 5), single client: the page of
// workload 1 ordered by every AssetOrderField, ascending and descending,
// with and without a status filter; and page 51 of a cursor walk (the
// cursor is collected once by walking 50 pages of 100 through the stores).

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/itam-dev/itam/internal/benchkit"
	"github.com/itam-dev/itam/internal/itam"
)

const pageDoc = `query AssetPage($after: String, $order: AssetOrder, $filter: AssetFilter) {
  assets(first: 100, after: $after, orderBy: $order, filter: $filter) ` + benchkit.AssetPageSelection + `
}`

// assetOrderFields is graph/schema/assets.graphqls's AssetOrderField.
var assetOrderFields = []string{"ASSET_TAG", "CREATED_AT", "UPDATED_AT", "NAME", "SERIAL_NUMBER", "PURCHASE_DATE", "WARRANTY_END", "STATUS"}

// sortedStatus is the status filter of the filtered variants.
var sortedStatus = []string{"DEPLOYED"}

// deepPage is the page a deep request fetches (after walking deepPage-1).
const deepPage = 51

func (s pageShape) label() string {
	dir := "ASC"
	if s.desc {
		dir = "DESC"
	}
	l := s.sort + " " + dir
	if s.status != nil {
		l += " +status"
	}
	return l
}

func (s pageShape) vars(p params) map[string]any {
	dir := "ASC"
	if s.desc {
		dir = "DESC"
	}
	v := map[string]any{"after": p.after, "order": map[string]any{"field": s.sort, "direction": dir}}
	if s.status != nil {
		v["filter"] = map[string]any{"statusIn": s.status}
	}
	return v
}

func (s pageShape) query() itam.AssetQuery {
	q := itam.AssetQuery{Sort: itam.AssetSortField(s.sort), Dir: itam.Asc}
	if s.desc {
		q.Dir = itam.Desc
	}
	if s.status != nil {
		f := &itam.AssetFilter{}
		for _, st := range s.status {
			f.StatusIn = append(f.StatusIn, itam.AssetStatus(st))
		}
		q.Filter = f
	}
	return q
}

// shapedWorkload is one page shape as a single-client workload of group.
func shapedWorkload(key, group string, s pageShape, gen func(*rand.Rand, *samples) params) workload {
	return workload{
		key: key, group: group, variant: s.label(), title: group + " " + s.label(), op: "AssetPage", doc: pageDoc, clients: 1,
		gen:  gen,
		vars: s.vars,
		floor: func(ctx context.Context, st stores, p params, fp *[]string) error {
			return floorPage(ctx, st, s.query(), s.first, p, fp)
		},
		sql: func(ctx context.Context, f *sqlFloor, p params, fp *[]string) error {
			return sqlPage(ctx, f, s, p.afterID, fp)
		},
		serverFP: serverListFP,
	}
}

func sortedWorkloads() []workload {
	first := func(*rand.Rand, *samples) params { return params{} }
	var out []workload
	for _, status := range [][]string{nil, sortedStatus} {
		for _, f := range assetOrderFields {
			for _, desc := range []bool{false, true} {
				out = append(out, shapedWorkload("sorted", "sorted", pageShape{sort: f, desc: desc, status: status, first: 100}, first))
			}
		}
	}
	for _, s := range []pageShape{{sort: "ASSET_TAG", first: 100}, {sort: "WARRANTY_END", first: 100}, {sort: "PURCHASE_DATE", desc: true, first: 100}} {
		label := s.label()
		w := shapedWorkload("deep", fmt.Sprintf("deep (page %d)", deepPage), s, func(_ *rand.Rand, sm *samples) params {
			return sm.deep[label]
		})
		w.prepare = func(ctx context.Context, st stores, sm *samples) error {
			p, err := walkTo(ctx, st, s, deepPage-1)
			if sm.deep == nil {
				sm.deep = map[string]params{}
			}
			sm.deep[label] = p
			return err
		}
		out = append(out, w)
	}
	return out
}

// walkTo walks pages of shape through the stores and returns the position
// after the last of them (the server's cursor and the last asset's id).
func walkTo(ctx context.Context, st stores, s pageShape, pages int) (params, error) {
	var p params
	for range pages {
		page, err := st.assets.ListAssets(ctx, s.query(), itam.PageArgs{First: &s.first, After: p.after})
		if err != nil {
			return p, err
		}
		if len(page.Items) == 0 || !page.HasNextPage {
			return p, fmt.Errorf("%s: only %d pages of %d to walk (seed more assets)", s.label(), pages, s.first)
		}
		c, id := page.Cursors[len(page.Cursors)-1], page.Items[len(page.Items)-1].ID
		p.after, p.afterID = &c, &id
	}
	return p, nil
}

// floorPage is the stores' page of q with its relations (workload 1's floor
// for any order and filter).
func floorPage(ctx context.Context, st stores, q itam.AssetQuery, first int, p params, fp *[]string) error {
	page, err := st.assets.ListAssets(ctx, q, itam.PageArgs{First: &first, After: p.after})
	if err != nil {
		return err
	}
	return floorRelations(ctx, st, page.Items, fp)
}
