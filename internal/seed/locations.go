package seed

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// site is one seeded site and the rooms assets gravitate to.
type site struct {
	idx        int
	def        *siteDef
	id         uuid.UUID
	floors     []uuid.UUID // where people sit
	storage    uuid.UUID   // IT storage room: stock, repairs, retired kit
	serverRoom uuid.UUID   // servers and network gear are deployed here
}

type locNode struct {
	parent  int // index into the previous level, -1 for sites
	site    int
	kind    string
	name    string
	addr    *string
	city    *string
	region  *string
	postal  *string
	country *string
	role    int
	id      uuid.UUID
}

const (
	roleNone = iota
	roleFloor
	roleStorage
	roleServer
)

var roomKinds = []string{"Open Office", "Meeting Room", "Focus Room", "Conference Room", "Phone Booth", "Collaboration Space", "Lab"}

// buildLocationTree lays out sites > buildings > floors > rooms. It has its
// own generator seeded only by the run's seed, so re-running with the same
// seed asks for exactly the same tree and reuses it.
func buildLocationTree(seed int64) [4][]*locNode {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x10ca7e))
	var levels [4][]*locNode
	str := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	for si := range siteDefs {
		sd := &siteDefs[si]
		levels[0] = append(levels[0], &locNode{parent: -1, site: si, kind: "SITE", name: sd.name,
			addr: str(sd.addr1), city: str(sd.city), region: str(sd.region), postal: str(sd.postal), country: str(sd.country)})
		siteIdx := len(levels[0]) - 1
		nb := 1 + rng.IntN(len(sd.buildings))
		for bi := 0; bi < nb; bi++ {
			levels[1] = append(levels[1], &locNode{parent: siteIdx, site: si, kind: "BUILDING", name: sd.buildings[bi],
				city: str(sd.city), region: str(sd.region), postal: str(sd.postal), country: str(sd.country)})
			bIdx := len(levels[1]) - 1
			nf := 2 + rng.IntN(4)
			for f := 1; f <= nf; f++ {
				levels[2] = append(levels[2], &locNode{parent: bIdx, site: si, kind: "FLOOR", name: fmt.Sprintf("%s %d", sd.floorPrefix, f), role: roleFloor})
				fIdx := len(levels[2]) - 1
				if bi == 0 && f == 1 {
					levels[3] = append(levels[3],
						&locNode{parent: fIdx, site: si, kind: "ROOM", name: "IT Storage", role: roleStorage},
						&locNode{parent: fIdx, site: si, kind: "ROOM", name: "Server Room", role: roleServer})
				}
				nr := 2 + rng.IntN(3)
				for r := 1; r <= nr; r++ {
					levels[3] = append(levels[3], &locNode{parent: fIdx, site: si, kind: "ROOM",
						name: fmt.Sprintf("%d.%02d %s", f, r, roomKinds[rng.IntN(len(roomKinds))])})
				}
			}
		}
	}
	return levels
}

type locKey struct {
	parent uuid.UUID // uuid.Nil for roots
	name   string
}

func (g *generator) ensureLocations(ctx context.Context, c *Counts) error {
	levels := buildLocationTree(g.seed)
	var prev []*locNode
	for _, level := range levels {
		n := len(level)
		parents := make([]pgtype.UUID, n)
		kinds := make([]string, n)
		names := make([]string, n)
		addrs, cities, regions, postals, countries := make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
		for i, l := range level {
			if l.parent >= 0 {
				parents[i] = pgtype.UUID{Bytes: prev[l.parent].id, Valid: true}
			}
			kinds[i], names[i] = l.kind, l.name
			addrs[i], cities[i], regions[i], postals[i], countries[i] = l.addr, l.city, l.region, l.postal, l.country
		}
		// Parents are inserted a level before their children: the path
		// trigger reads the parent's path.
		tag, err := g.tx.Exec(ctx, `
			INSERT INTO locations (org_id, parent_id, kind, name, address_line1, city, region, postal_code, country, seeded)
			SELECT $1, l.parent_id, l.kind::location_kind, l.name, l.addr, l.city, l.region, l.postal, l.country, true
			  FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
			       AS l(parent_id, kind, name, addr, city, region, postal, country)
			ON CONFLICT (org_id, parent_id, name) DO NOTHING`,
			g.orgID, parents, kinds, names, addrs, cities, regions, postals, countries)
		if err != nil {
			return err
		}
		c.Locations += tag.RowsAffected()

		existing, err := g.loadLocationKeys(ctx)
		if err != nil {
			return err
		}
		for i, l := range level {
			id, ok := existing[locKey{uuid.UUID(parents[i].Bytes), l.name}]
			if !ok {
				return fmt.Errorf("location %q missing after insert", l.name)
			}
			l.id = id
		}
		prev = level
	}

	g.sites = make([]*site, len(levels[0]))
	for i, l := range levels[0] {
		g.sites[i] = &site{idx: i, def: &siteDefs[l.site], id: l.id}
	}
	for _, l := range levels[2] {
		g.sites[l.site].floors = append(g.sites[l.site].floors, l.id)
	}
	for _, l := range levels[3] {
		switch l.role {
		case roleStorage:
			g.sites[l.site].storage = l.id
		case roleServer:
			g.sites[l.site].serverRoom = l.id
		}
	}

	// Map every location under a seeded site to it, so existing people
	// sitting somewhere in the tree get that site's currency and rooms.
	bySiteID := map[uuid.UUID]*site{}
	for _, s := range g.sites {
		bySiteID[s.id] = s
	}
	g.siteByLoc = map[uuid.UUID]*site{}
	rows, _ := g.tx.Query(ctx, `SELECT id, path[1] FROM locations WHERE org_id = $1`, g.orgID)
	var id, root uuid.UUID
	_, err := pgx.ForEachRow(rows, []any{&id, &root}, func() error {
		if s := bySiteID[root]; s != nil {
			g.siteByLoc[id] = s
		}
		return nil
	})
	return err
}

func (g *generator) loadLocationKeys(ctx context.Context) (map[locKey]uuid.UUID, error) {
	rows, _ := g.tx.Query(ctx, `SELECT id, parent_id, name FROM locations WHERE org_id = $1`, g.orgID)
	m := map[locKey]uuid.UUID{}
	var id uuid.UUID
	var parent pgtype.UUID
	var name string
	_, err := pgx.ForEachRow(rows, []any{&id, &parent, &name}, func() error {
		m[locKey{uuid.UUID(parent.Bytes), name}] = id
		return nil
	})
	return m, err
}
