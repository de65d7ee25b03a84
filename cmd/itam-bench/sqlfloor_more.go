package main

// SQL floors of workloads 3 (asset by tag + history), 4 (assetCounts by
// category) and the analyst queries over nested connections.

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/relay"
)

// sqlHistory: the asset and its first 20 history entries, one statement.
func sqlHistory(ctx context.Context, f *sqlFloor, p params, fp *[]string) error {
	const q = `SELECT a.id, a.asset_tag, a.status::text, h.id, h.action::text, h.actor, h.changes, h.at
FROM assets a
LEFT JOIN LATERAL (SELECT h.id, h.action, h.actor, h.changes, h.at FROM asset_history h
	WHERE h.asset_id = a.id ORDER BY h.id LIMIT 21) h ON true
WHERE a.asset_tag_key = lower($1)
ORDER BY h.id`
	type change struct {
		Field string          `json:"field"`
		From  json.RawMessage `json:"from"`
		To    json.RawMessage `json:"to"`
	}
	type entry struct {
		Action  string    `json:"action"`
		Actor   string    `json:"actor"`
		At      time.Time `json:"at"`
		Changes []change  `json:"changes"`
	}
	type edge struct {
		Node entry `json:"node"`
	}
	type asset struct {
		ID      string `json:"id"`
		Tag     string `json:"assetTag"`
		Status  string `json:"status"`
		History struct {
			Edges    []edge    `json:"edges"`
			PageInfo jPageInfo `json:"pageInfo"`
		} `json:"history"`
	}
	var a *asset
	var lastID int64
	err := f.read(ctx, stmt{sql: q, args: []any{strings.TrimSpace(p.tag)}, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			var (
				id      uuid.UUID
				tag, st string
				hid     *int64
				action  *string
				actor   *string
				changes map[string]map[string]json.RawMessage
				at      *time.Time
			)
			if err := rows.Scan(&id, &tag, &st, &hid, &action, &actor, &changes, &at); err != nil {
				return err
			}
			if a == nil {
				a = &asset{ID: relay.ID(relay.TypeAsset, id), Tag: tag, Status: st}
			}
			if hid == nil {
				continue
			}
			keys := make([]string, 0, len(changes))
			for k := range changes {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			e := entry{Action: *action, Actor: *actor, At: *at}
			for _, k := range keys {
				e.Changes = append(e.Changes, change{Field: k, From: changes[k]["from"], To: changes[k]["to"]})
			}
			a.History.Edges = append(a.History.Edges, edge{Node: e})
			lastID = *hid
		}
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	if a == nil && f.explain != nil {
		return nil
	}
	if a == nil {
		return fmt.Errorf("asset %q not found", p.tag)
	}
	if len(a.History.Edges) > 20 {
		a.History.Edges, a.History.PageInfo.HasNextPage = a.History.Edges[:20], true
	}
	if len(a.History.Edges) > 0 {
		c := floorCursor(strconv.FormatInt(lastID, 10), uuid.Nil)
		a.History.PageInfo.EndCursor = &c
	}
	if fp != nil {
		*fp = append(*fp, a.Tag)
		for _, e := range a.History.Edges {
			*fp = append(*fp, e.Node.Action+"|"+e.Node.Actor)
		}
	}
	return f.respond(map[string]any{"assetByTag": a})
}

// sqlCounts: assets grouped by category and purchase currency, one
// statement; the per-category totals are added up in Go.
func sqlCounts(ctx context.Context, f *sqlFloor, _ params, fp *[]string) error {
	const q = `SELECT c.id, c.name, a.purchase_currency, count(*), sum(a.purchase_price)::text
FROM assets a JOIN models m ON m.id = a.model_id JOIN categories c ON c.id = m.category_id
GROUP BY c.id, c.name, a.purchase_currency
ORDER BY c.id, a.purchase_currency`
	type money struct {
		Amount   string `json:"amount"`
		Currency string `json:"currency"`
	}
	type group struct {
		Category      struct{ Name string } `json:"category"`
		Count         int                   `json:"count"`
		PurchaseValue []money               `json:"purchaseValue"`
		id            uuid.UUID
	}
	var groups []*group
	err := f.read(ctx, stmt{sql: q, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			var (
				id       uuid.UUID
				name     string
				currency *string
				n        int
				sum      *string
			)
			if err := rows.Scan(&id, &name, &currency, &n, &sum); err != nil {
				return err
			}
			if len(groups) == 0 || groups[len(groups)-1].id != id {
				groups = append(groups, &group{id: id})
				groups[len(groups)-1].Category.Name = name
			}
			g := groups[len(groups)-1]
			g.Count += n
			if currency != nil && sum != nil {
				g.PurchaseValue = append(g.PurchaseValue, money{Amount: *sum, Currency: *currency})
			}
		}
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	slices.SortStableFunc(groups, func(a, b *group) int { return b.Count - a.Count })
	if fp != nil {
		for _, g := range groups {
			var vals []string
			for _, v := range g.PurchaseValue {
				vals = append(vals, normAmount(v.Amount)+" "+v.Currency)
			}
			*fp = append(*fp, g.Category.Name+"|"+strconv.Itoa(g.Count)+"|"+strings.Join(vals, ","))
		}
		sort.Strings(*fp)
	}
	return f.respond(map[string]any{"assetCounts": groups})
}

// sqlNestedLocations: the first 100 locations by name, each with how many
// assets are at it or anywhere below it, one statement.
func sqlNestedLocations(ctx context.Context, f *sqlFloor, _ params, fp *[]string) error {
	const q = `SELECT l.name, (SELECT count(*) FROM assets a
	WHERE a.location_id = ANY(ARRAY(SELECT x.id FROM locations x WHERE x.path @> ARRAY[l.id])))
FROM locations l ORDER BY l.name, l.id LIMIT 100`
	type total struct {
		TotalCount int `json:"totalCount"`
	}
	type node struct {
		Name   string `json:"name"`
		Assets total  `json:"assets"`
	}
	var nodes []node
	err := f.read(ctx, stmt{sql: q, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			var n node
			if err := rows.Scan(&n.Name, &n.Assets.TotalCount); err != nil {
				return err
			}
			nodes = append(nodes, n)
			if fp != nil {
				*fp = append(*fp, n.Name+"|"+strconv.Itoa(n.Assets.TotalCount))
			}
		}
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	return f.respond(map[string]any{"locations": map[string]any{"nodes": nodes}})
}

// sqlNestedPeople: the first 100 people by name, each with their asset
// count and first 5 assets (by tag) with the model's name, one statement.
func sqlNestedPeople(ctx context.Context, f *sqlFloor, _ params, fp *[]string) error {
	const q = `SELECT p.id, p.name, (SELECT count(*) FROM assets a WHERE a.assigned_person_id = p.id), x.asset_tag, x.model
FROM (SELECT id, name FROM people ORDER BY name, id LIMIT 100) p
LEFT JOIN LATERAL (SELECT a.asset_tag, m.name AS model FROM assets a JOIN models m ON m.id = a.model_id
	WHERE a.assigned_person_id = p.id ORDER BY a.asset_tag, a.id LIMIT 5) x ON true
ORDER BY p.name, p.id, x.asset_tag`
	type model struct {
		Name string `json:"name"`
	}
	type asset struct {
		AssetTag string `json:"assetTag"`
		Model    model  `json:"model"`
	}
	type conn struct {
		TotalCount int     `json:"totalCount"`
		Nodes      []asset `json:"nodes"`
	}
	type node struct {
		Name   string `json:"name"`
		Assets conn   `json:"assets"`
		id     uuid.UUID
	}
	var nodes []*node
	err := f.read(ctx, stmt{sql: q, rows: func(rows pgx.Rows) error {
		for rows.Next() {
			var (
				id       uuid.UUID
				name     string
				n        int
				tag, mdl *string
			)
			if err := rows.Scan(&id, &name, &n, &tag, &mdl); err != nil {
				return err
			}
			if len(nodes) == 0 || nodes[len(nodes)-1].id != id {
				nodes = append(nodes, &node{id: id, Name: name, Assets: conn{TotalCount: n, Nodes: []asset{}}})
			}
			if tag != nil {
				last := nodes[len(nodes)-1]
				last.Assets.Nodes = append(last.Assets.Nodes, asset{AssetTag: *tag, Model: model{Name: *mdl}})
			}
		}
		return rows.Err()
	}})
	if err != nil {
		return err
	}
	if fp != nil {
		for _, n := range nodes {
			*fp = append(*fp, nestedPersonFP(n.Name, n.Assets.TotalCount, func(yield func(string, string) bool) {
				for _, a := range n.Assets.Nodes {
					if !yield(a.AssetTag, a.Model.Name) {
						return
					}
				}
			}))
		}
	}
	return f.respond(map[string]any{"people": map[string]any{"nodes": nodes}})
}

// nestedPersonFP is a person's fingerprint: name|count|tag:model,….
func nestedPersonFP(name string, total int, assets func(yield func(tag, model string) bool)) string {
	var parts []string
	for tag, model := range assets {
		parts = append(parts, tag+":"+model)
	}
	return name + "|" + strconv.Itoa(total) + "|" + strings.Join(parts, ",")
}
