package seed

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// person is someone deployed assets can be assigned to.
type person struct {
	id       uuid.UUID
	team     uuid.UUID // uuid.Nil: no team
	site     *site     // nil: not in the seeded tree
	location uuid.UUID // uuid.Nil: none
	first    string
}

type newPerson struct {
	person
	name, email, empNo, title string
	manager                   uuid.UUID
	offboarded                bool
	start, end                time.Time
}

func (g *generator) insertPeople(ctx context.Context, n int, c *Counts) error {
	emails := map[string]bool{}
	empNos := map[string]bool{}
	var maxEmp int64
	activeByTeam := map[uuid.UUID][]uuid.UUID{}
	existing := 0

	// Existing people, in a stable order so reruns pick the same ones.
	rows, _ := g.tx.Query(ctx, `
		SELECT id, name, lower(email), employee_number, team_id, location_id, status = 'ACTIVE'
		  FROM people WHERE org_id = $1 ORDER BY lower(email)`, g.orgID)
	var (
		id           uuid.UUID
		name, email  string
		empNo        *string
		team, loc    pgtype.UUID
		activeStatus bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&id, &name, &email, &empNo, &team, &loc, &activeStatus}, func() error {
		existing++
		emails[email] = true
		if empNo != nil {
			empNos[*empNo] = true
			if len(*empNo) > 1 && (*empNo)[0] == 'E' {
				if v, err := strconv.ParseInt((*empNo)[1:], 10, 64); err == nil && v > maxEmp {
					maxEmp = v
				}
			}
		}
		if activeStatus {
			p := &person{id: id, team: uuid.UUID(team.Bytes), location: uuid.UUID(loc.Bytes), first: firstWord(name)}
			p.site = g.siteByLoc[p.location]
			g.active = append(g.active, p)
			if team.Valid {
				activeByTeam[p.team] = append(activeByTeam[p.team], id)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if n == 0 {
		return nil
	}

	var teamPick weighted[int]
	for i, t := range teamDefs {
		teamPick.add(i, t.weight)
	}
	var sitePick weighted[*site]
	for _, s := range g.sites {
		sitePick.add(s, s.def.weight)
	}

	members := make([][]*newPerson, len(teamDefs))
	for i := 0; i < n; i++ {
		ti := teamPick.pick(g.rng)
		members[ti] = append(members[ti], g.newPerson(ti, &sitePick))
	}

	// Order everyone so a manager always precedes their reports.
	ordered := make([]*newPerson, 0, n)
	var ceo *newPerson
	if existing == 0 {
		for _, ti := range []int{9 /* Operations */, 1, 2, 0} {
			if len(members[ti]) > 0 {
				ceo, members[ti] = members[ti][0], members[ti][1:]
				break
			}
		}
		if ceo == nil {
			for ti := range members {
				if len(members[ti]) > 0 {
					ceo, members[ti] = members[ti][0], members[ti][1:]
					break
				}
			}
		}
		ceo.title = "Chief Executive Officer"
		ceo.start = g.today.AddDate(0, 0, -2920-g.rng.IntN(1460))
		ordered = append(ordered, ceo)
	}
	var managers, ics []*newPerson
	for ti, ms := range members {
		if len(ms) == 0 {
			continue
		}
		td := &teamDefs[ti]
		head := ms[0]
		head.title = td.headTitle
		head.start = g.today.AddDate(0, 0, -1460-g.rng.IntN(1825))
		switch {
		case ceo != nil:
			head.manager = ceo.id
		case len(activeByTeam[head.team]) > 0:
			pool := activeByTeam[head.team]
			head.manager = pool[g.rng.IntN(len(pool))]
		}
		ordered = append(ordered, head)
		// About one manager per eight people, and one director per eight
		// managers once a team is big enough to need them.
		rest := ms[1:]
		nm := len(rest) / 8
		nd := nm / 8
		directors := rest[:nd]
		teamManagers := rest[nd : nd+nm]
		for _, d := range directors {
			d.title = "Director, " + td.name
			d.manager = head.id
			d.start = g.today.AddDate(0, 0, -730-g.rng.IntN(2555))
		}
		for i, m := range teamManagers {
			m.title = td.managerTitle
			m.manager = head.id
			if nd > 0 {
				m.manager = directors[i%nd].id
			}
			m.start = g.today.AddDate(0, 0, -365-g.rng.IntN(2555))
		}
		managers = append(managers, directors...)
		managers = append(managers, teamManagers...)
		for _, p := range rest[nd+nm:] {
			p.title = td.icTitles[g.rng.IntN(len(td.icTitles))]
			if nm > 0 {
				p.manager = teamManagers[g.rng.IntN(nm)].id
			} else {
				p.manager = head.id
			}
			p.start = g.today.AddDate(0, 0, -30-g.rng.IntN(3650))
			if g.rng.IntN(100) < 8 {
				p.offboarded = true
				days := int(g.today.Sub(p.start).Hours() / 24)
				p.end = p.start.AddDate(0, 0, 1+g.rng.IntN(days))
			}
			ics = append(ics, p)
		}
	}
	ordered = append(ordered, managers...)
	ordered = append(ordered, ics...)

	// Emails and employee numbers, unique against what exists.
	for _, p := range ordered {
		base := emailLocal(p.name)
		local := base
		for k := 2; emails[local+"@"+g.slug+".example.com"]; k++ {
			local = base + strconv.Itoa(k)
		}
		p.email = local + "@" + g.slug + ".example.com"
		emails[p.email] = true
		for {
			maxEmp++
			p.empNo = fmt.Sprintf("E%06d", maxEmp)
			if !empNos[p.empNo] {
				break
			}
		}
	}

	orgID := pgID(g.orgID)
	cols := []string{"id", "org_id", "name", "email", "employee_number", "title", "team_id", "manager_id", "location_id", "status", "start_date", "end_date", "seeded"}
	copied, err := g.tx.CopyFrom(ctx, pgx.Identifier{"people"}, cols, pgx.CopyFromSlice(len(ordered), func(i int) ([]any, error) {
		p := ordered[i]
		status, end := "ACTIVE", any(nil)
		if p.offboarded {
			status, end = "OFFBOARDED", p.end
		}
		return []any{pgID(p.id), orgID, p.name, p.email, p.empNo, p.title, nullID(p.team), nullID(p.manager), nullID(p.location), status, p.start, end, true}, nil
	}))
	if err != nil {
		return err
	}
	c.People += copied
	for _, p := range ordered {
		if !p.offboarded {
			g.active = append(g.active, &p.person)
		}
	}
	return nil
}

func (g *generator) newPerson(teamIdx int, sites *weighted[*site]) *newPerson {
	first := firstNames[g.rng.IntN(len(firstNames))]
	last := lastNames[g.rng.IntN(len(lastNames))]
	s := sites.pick(g.rng)
	p := &newPerson{name: first + " " + last}
	p.id = newID()
	p.team = g.teams[teamDefs[teamIdx].name]
	p.site = s
	p.location = s.floors[g.rng.IntN(len(s.floors))]
	p.first = first
	return p
}

// emailLocal turns "Sean O'Brien" into "sean.obrien".
func emailLocal(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		case r == ' ':
			if s := b.String(); s != "" && !strings.Contains(s, ".") {
				b.WriteByte('.')
			}
		}
	}
	return b.String()
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

// pgID wraps an id for COPY: pgtype.UUID encodes straight to binary, where
// uuid.UUID would round-trip through its driver.Valuer string form.
func pgID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: true} }

// nullID is pgID with uuid.Nil as SQL NULL.
func nullID(id uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: id, Valid: id != uuid.Nil} }
