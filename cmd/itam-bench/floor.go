package main

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// floorList mirrors workload 1: the page, then its models, manufacturers,
// categories (by model), people, teams and locations in one round trip.
func floorList(ctx context.Context, st stores, p params, fp *[]string) error {
	return floorPage(ctx, st, itam.AssetQuery{}, 100, p, fp)
}

// floorRelations loads a page's relations the way workload 1's floor does.
func floorRelations(ctx context.Context, st stores, items []*itam.Asset, fp *[]string) error {
	rel, err := st.relations.AssetRelations(ctx, itam.RelationIDsOf(items, itam.AssetRelationKinds{
		Model: true, Manufacturer: true, Category: true, Assignee: true, Owner: true, Location: true}))
	if err != nil {
		return err
	}
	if fp != nil {
		fm, pm, tm, lm := rel.Manufacturers, rel.People, rel.Teams, rel.Locations
		for _, a := range items {
			m, c := rel.Models[a.ModelID], rel.CategoryByModel[a.ModelID]
			*fp = append(*fp, strings.Join([]string{a.AssetTag, m.Name, fm[m.ManufacturerID].Name, c.Name,
				fm[a.ManufacturerID].Name, c.Name, assigneeName(a, pm, lm), ownerName(a, pm, tm), locName(a.LocationID, lm)}, "|"))
		}
	}
	return nil
}

func assigneeName(a *itam.Asset, pm map[uuid.UUID]*itam.Person, lm map[uuid.UUID]*itam.Location) string {
	switch {
	case a.AssignedPersonID != nil:
		if p := pm[*a.AssignedPersonID]; p != nil {
			return p.Name
		}
	case a.AssignedLocationID != nil:
		return locName(a.AssignedLocationID, lm)
	}
	return "-"
}

func ownerName(a *itam.Asset, pm map[uuid.UUID]*itam.Person, tm map[uuid.UUID]*itam.Team) string {
	if a.OwnerPersonID != nil {
		if p := pm[*a.OwnerPersonID]; p != nil {
			return p.Name
		}
	}
	if a.OwnerTeamID != nil {
		if t := tm[*a.OwnerTeamID]; t != nil {
			return t.Name
		}
	}
	return "-"
}

func locName(id *uuid.UUID, lm map[uuid.UUID]*itam.Location) string {
	if id == nil {
		return "-"
	}
	if l := lm[*id]; l != nil {
		return l.Name
	}
	return "-"
}

// floorSearch mirrors workload 2: the filtered page, then its models, people
// and locations in one round trip.
func floorSearch(ctx context.Context, st stores, p params, fp *[]string) error {
	first := 50
	search := p.search
	page, err := st.assets.ListAssets(ctx, itam.AssetQuery{Filter: &itam.AssetFilter{
		Search: &search, StatusIn: []itam.AssetStatus{itam.StatusDeployed, itam.StatusInStock},
	}}, itam.PageArgs{First: &first})
	if err != nil {
		return err
	}
	rel, err := st.relations.AssetRelations(ctx, itam.RelationIDsOf(page.Items, itam.AssetRelationKinds{
		Model: true, Assignee: true, Location: true}))
	if err != nil {
		return err
	}
	mm, pm, lm := rel.Models, rel.People, rel.Locations
	if fp != nil {
		for _, a := range page.Items {
			*fp = append(*fp, strings.Join([]string{a.AssetTag, mm[a.ModelID].Name, assigneeName(a, pm, lm), locName(a.LocationID, lm)}, "|"))
		}
	}
	return nil
}

// floorHistory mirrors workload 3: the asset by tag, then its history (which
// the store loads as a visibility check of the asset plus the page).
func floorHistory(ctx context.Context, st stores, p params, fp *[]string) error {
	a, err := st.assets.AssetByTag(ctx, p.tag)
	if err != nil {
		return err
	}
	return floorAssetHistory(ctx, st, a, fp)
}

// floorHistoryByID mirrors workload 3 through node(id:): the asset through
// its loader (by ids), then its history.
func floorHistoryByID(ctx context.Context, st stores, p params, fp *[]string) error {
	m, err := st.assets.AssetsByIDs(ctx, []uuid.UUID{p.id})
	if err != nil {
		return err
	}
	a := m[p.id]
	if a == nil {
		return errors.New("asset not found")
	}
	return floorAssetHistory(ctx, st, a, fp)
}

// floorAssetHistory is the second half of both history workloads: the
// first page of a's history.
func floorAssetHistory(ctx context.Context, st stores, a *itam.Asset, fp *[]string) error {
	first := 20
	page, err := st.assets.AssetHistory(ctx, a.ID, itam.PageArgs{First: &first})
	if err != nil {
		return err
	}
	if fp != nil {
		*fp = append(*fp, a.AssetTag)
		for _, h := range page.Items {
			*fp = append(*fp, string(h.Action)+"|"+h.Actor)
		}
	}
	return nil
}

// floorFlat mirrors the diagnostic flat list: the page alone.
func floorFlat(ctx context.Context, st stores, p params, fp *[]string) error {
	first := 100
	page, err := st.assets.ListAssets(ctx, itam.AssetQuery{}, itam.PageArgs{First: &first, After: p.after})
	if err != nil {
		return err
	}
	if fp != nil {
		for _, a := range page.Items {
			*fp = append(*fp, a.AssetTag)
		}
	}
	return nil
}

// floorCounts mirrors workload 4: the aggregate, then the categories.
func floorCounts(ctx context.Context, st stores, _ params, fp *[]string) error {
	groups, err := st.assets.AssetCounts(ctx, []itam.AssetGroupBy{itam.GroupByCategory}, nil)
	if err != nil {
		return err
	}
	var cats []uuid.UUID // one group per category: already distinct
	for _, g := range groups {
		if g.CategoryID != nil {
			cats = append(cats, *g.CategoryID)
		}
	}
	var cm map[uuid.UUID]*itam.Category
	if len(cats) > 0 {
		if cm, err = st.models.CategoriesByIDs(ctx, cats); err != nil {
			return err
		}
	}
	if fp != nil {
		for _, g := range groups {
			name := "-"
			if g.CategoryID != nil && cm[*g.CategoryID] != nil {
				name = cm[*g.CategoryID].Name
			}
			var vals []string
			for _, v := range g.PurchaseValue {
				vals = append(vals, normAmount(v.Amount.String())+" "+v.Currency)
			}
			*fp = append(*fp, name+"|"+strconv.Itoa(g.Count)+"|"+strings.Join(vals, ","))
		}
		sort.Strings(*fp)
	}
	return nil
}
