package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// ApplyPeoplePage reconciles one page of a directory's people
// (reconcile.PlanPeople) and records progress in the same transaction, as
// ApplyPage does for devices: created people count as created, changed
// ones as updated, and a deactivated person is offboarded with their
// checklist opened, as offboardPerson would.
func (s *SyncStore) ApplyPeoplePage(ctx context.Context, t SyncTarget, people []reconcile.Person, nextCursor string) (PageResult, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return PageResult{}, err
	}
	var res PageResult
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if err := lockRunningRun(ctx, tx, t.RunID); err != nil {
			return err
		}
		snap, err := loadPeopleSnapshot(ctx, tx, p, t, people)
		if err != nil {
			return err
		}
		plan := reconcile.PlanPeople(snap, people)
		res.Errors = plan.Errors
		// People created here may manage others of the page: create them,
		// then plan the page again so every manager resolves.
		var created []*reconcile.PersonChange
		for _, c := range plan.Changes {
			if c.Before == nil {
				created = append(created, c)
			}
		}
		if len(created) > 0 {
			if err := insertSyncedPeople(ctx, tx, p, snap.Source, created); err != nil {
				return err
			}
			for _, c := range created {
				snap.People[c.After.ID], snap.ByEmail[reconcile.NormalizeEmail(c.After.Email)] = c.After, c.After.ID
				snap.Links[c.Record.ExternalID] = reconcile.PersonLink{PersonID: c.After.ID, Active: true}
			}
			res.Created = len(created)
			plan = reconcile.PlanPeople(snap, people)
		}
		isNew := map[uuid.UUID]bool{}
		for _, c := range created {
			isNew[c.After.ID] = true
		}
		var changed []*reconcile.PersonChange
		for _, c := range plan.Changes {
			if !c.Changed() {
				if !isNew[c.After.ID] {
					res.Unchanged++
				}
				continue
			}
			changed = append(changed, c)
			if !isNew[c.After.ID] {
				res.Updated++
			}
		}
		if err := updateSyncedPeople(ctx, tx, p, changed); err != nil {
			return err
		}
		if err := saveSyncedPeopleLinks(ctx, tx, p, snap.Source, plan.Changes); err != nil {
			return err
		}
		return recordPage(ctx, tx, t.RunID, nextCursor, len(people), res)
	})
	return res, err
}

// loadPeopleSnapshot loads, with the people involved locked, what
// PlanPeople reads; an authoritative source's departments become teams
// and its locations sites when missing (teams are how itam groups people).
func loadPeopleSnapshot(ctx context.Context, tx pgx.Tx, p itam.Principal, t SyncTarget, people []reconcile.Person) (*reconcile.PeopleSnapshot, error) {
	s := &reconcile.PeopleSnapshot{Source: t.Connector.Source(), Authoritative: t.Connector.AuthoritativeForPeople,
		Links: map[string]reconcile.PersonLink{}, ByEmail: map[string]uuid.UUID{}, People: map[uuid.UUID]*itam.Person{},
		Teams: map[string]uuid.UUID{}, Locations: map[string]uuid.UUID{}}
	var ext, emails, teams, teamNames, locations []string
	seenTeam := map[string]bool{}
	for _, r := range people {
		ext = append(ext, r.ExternalID)
		for _, e := range []string{r.Email, r.ManagerEmail} {
			if e = reconcile.NormalizeEmail(e); e != "" {
				emails = append(emails, e)
			}
		}
		if k := reconcile.TeamKey(r.Department); k != "" && !seenTeam[k] {
			seenTeam[k] = true
			teams, teamNames = append(teams, k), append(teamNames, strings.TrimSpace(r.Department))
		}
		locations = append(locations, r.Location)
	}
	if err := scanEach(ctx, tx, `SELECT external_id, person_id, active FROM person_external_ids WHERE source = $1 AND external_id = ANY($2)`,
		[]any{s.Source, distinct(ext)}, func(r pgx.Rows) error {
			var e string
			var l reconcile.PersonLink
			if err := r.Scan(&e, &l.PersonID, &l.Active); err != nil {
				return err
			}
			s.Links[e] = l
			return nil
		}); err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, 0, len(s.Links))
	for _, l := range s.Links {
		ids = append(ids, l.PersonID)
	}
	rows, _ := tx.Query(ctx, "SELECT "+personColumns+" FROM people x WHERE x.id = ANY($1) OR x.email_key = ANY($2) ORDER BY x.id FOR UPDATE",
		distinctIDs(ids), distinct(emails))
	found, err := pgx.CollectRows(rows, scanPerson)
	if err != nil {
		return nil, err
	}
	for _, x := range found {
		s.People[x.ID], s.ByEmail[reconcile.NormalizeEmail(x.Email)] = x, x.ID
	}
	if s.Authoritative && len(teams) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO teams (org_id, name) SELECT $1, n FROM unnest($2::text[]) n
			WHERE NOT EXISTS (SELECT 1 FROM teams t WHERE lower(t.name) = lower(n)) ON CONFLICT (org_id, name) DO NOTHING`, p.OrgID, teamNames); err != nil {
			return nil, err
		}
	}
	if err := scanEach(ctx, tx, `SELECT DISTINCT ON (lower(name)) lower(name), id FROM teams WHERE lower(name) = ANY($1) ORDER BY lower(name), created_at, id`,
		[]any{teams}, func(r pgx.Rows) error {
			var k string
			var id uuid.UUID
			if err := r.Scan(&k, &id); err != nil {
				return err
			}
			s.Teams[k] = id
			return nil
		}); err != nil {
		return nil, err
	}
	// An authoritative directory's locations exist as the devices' do
	// (created when unknown), so a first sync places people at once.
	if err := findLocations(ctx, tx, p.OrgID, locations, s.Authoritative, s.Locations); err != nil {
		return nil, err
	}
	return s, nil
}

// insertSyncedPeople creates the people a page brings, marked as
// discovered by the source. A manager is one the first plan found among
// existing people; one created by the same page is set by the second plan.
func insertSyncedPeople(ctx context.Context, tx pgx.Tx, p itam.Principal, source string, cs []*reconcile.PersonChange) error {
	b := &pgx.Batch{}
	for _, c := range cs {
		a := c.After
		b.Queue(`INSERT INTO people (id, org_id, name, email, employee_number, title, team_id, manager_id, location_id, discovered_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, a.ID, p.OrgID, a.Name, a.Email, a.EmployeeNumber, a.Title, a.TeamID, a.ManagerID, a.LocationID, source)
	}
	return tx.SendBatch(ctx, b).Close()
}

// updateSyncedPeople writes the page's changed people in one round trip;
// each deactivation then offboards its person with a checklist of what
// they hold.
func updateSyncedPeople(ctx context.Context, tx pgx.Tx, p itam.Principal, cs []*reconcile.PersonChange) error {
	if len(cs) == 0 {
		return nil
	}
	today := itam.CalendarDay(time.Now())
	b := &pgx.Batch{}
	for _, c := range cs {
		a, end := c.After, c.After.EndDate
		if c.Offboard {
			end = &today
		}
		b.Queue(`UPDATE people SET name = $2, email = $3, employee_number = $4, title = $5, team_id = $6, manager_id = $7,
			location_id = $8, status = $9::text::person_status, end_date = $10, version = version + 1, updated_at = now() WHERE id = $1`,
			a.ID, a.Name, a.Email, a.EmployeeNumber, a.Title, a.TeamID, a.ManagerID, a.LocationID, string(a.Status), end)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return err
	}
	for _, c := range cs {
		if c.Offboard {
			if err := offboardSyncedPerson(ctx, tx, p, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// offboardSyncedPerson opens the checklist of a person the directory
// deactivated, as offboardPerson does.
func offboardSyncedPerson(ctx context.Context, tx pgx.Tx, p itam.Principal, c *reconcile.PersonChange) error {
	a, now := c.After, time.Now()
	// As offboardPerson: one open checklist per person, listing what they
	// hold; a person already being offboarded keeps theirs.
	var open uuid.UUID
	err := tx.QueryRow(ctx, "SELECT id FROM offboarding_checklists WHERE person_id = $1 AND status = 'OPEN'", a.ID).Scan(&open)
	if err == nil {
		return nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	_, err = openChecklist(ctx, tx, p, c.Before, now, now)
	return err
}

// saveSyncedPeopleLinks records, for every record of the page matched to a
// person, the link and what the source said about being active.
func saveSyncedPeopleLinks(ctx context.Context, tx pgx.Tx, p itam.Principal, source string, cs []*reconcile.PersonChange) error {
	if len(cs) == 0 {
		return nil
	}
	ext := make([]string, len(cs))
	ids := make([]uuid.UUID, len(cs))
	active := make([]bool, len(cs))
	for i, c := range cs {
		ext[i], ids[i], active[i] = c.Record.ExternalID, c.After.ID, c.Record.Active
	}
	_, err := tx.Exec(ctx, `INSERT INTO person_external_ids (org_id, person_id, source, external_id, active, last_seen_at)
		SELECT $1, x.person, $2, x.ext, x.active, now() FROM unnest($3::uuid[], $4::text[], $5::bool[]) AS x(person, ext, active)
		ON CONFLICT (org_id, source, external_id) DO UPDATE SET person_id = excluded.person_id, active = excluded.active, last_seen_at = now()`,
		p.OrgID, source, ids, ext, active)
	return err
}
