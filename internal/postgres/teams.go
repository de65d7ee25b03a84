package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// TeamStore loads and saves teams.
type TeamStore struct{ db *DB }

// NewTeamStore returns a TeamStore over db.
func NewTeamStore(db *DB) *TeamStore { return &TeamStore{db: db} }

var teamsTable = filtered[*itam.Team, itam.TeamFilter]{
	catalogTable: catalogTable[*itam.Team]{
		what: "team", name: "teams", columns: teamColumns, scan: scanTeam,
		id:      func(t *itam.Team) uuid.UUID { return t.ID },
		label:   func(t *itam.Team) string { return t.Name },
		version: func(t *itam.Team) int { return t.Version },
	},
	where: func(_ itam.Principal, f itam.TeamFilter) ([]string, *sqlArgs, error) {
		args := &sqlArgs{}
		return searchWhere(nil, args, f.Search, "x.name"), args, nil
	},
}

// ListTeams returns one page of teams matching f, by name.
func (s *TeamStore) ListTeams(ctx context.Context, f itam.TeamFilter, page itam.PageArgs) (itam.Page[*itam.Team], error) {
	return teamsTable.listBy(ctx, s.db, f, page)
}

// CountTeams returns how many teams match f.
func (s *TeamStore) CountTeams(ctx context.Context, f itam.TeamFilter) (int, error) {
	return teamsTable.countBy(ctx, s.db, f)
}

// TeamsByIDs returns the teams among ids.
func (s *TeamStore) TeamsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*itam.Team, error) {
	return teamsTable.byIDs(ctx, s.db, ids)
}

// teamNameTaken reports whether another team has name, ignoring case: the
// table's own unique key is case-sensitive, and "IT" and "it" would be two
// teams nobody can tell apart.
func teamNameTaken(ctx context.Context, tx pgx.Tx, name string, except uuid.UUID) error {
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM teams WHERE lower(name) = lower($1) AND id <> $2)`, name, except).Scan(&taken); err != nil {
		return err
	}
	if taken {
		return itam.Conflict("name", "a team with this name exists")
	}
	return nil
}

// CreateTeam adds a team.
func (s *TeamStore) CreateTeam(ctx context.Context, in itam.TeamInput) (*itam.Team, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	name, err := itam.RequiredText("name", &in.Name)
	if err != nil {
		return nil, err
	}
	nameFree := func(tx pgx.Tx) error { return teamNameTaken(ctx, tx, name, uuid.Nil) }
	return teamsTable.insert(ctx, s.db, p.OrgID, nameFree, `INSERT INTO teams AS x (org_id, name, description) VALUES ($1, $2, $3) RETURNING `+teamColumns,
		p.OrgID, name, itam.Trimmed(in.Description))
}

// UpdateTeam changes a team; the caller's version must be current.
func (s *TeamStore) UpdateTeam(ctx context.Context, in itam.TeamPatch) (*itam.Team, error) {
	return teamsTable.update(ctx, s.db, in.ID, in.Version, func(tx pgx.Tx, cur *itam.Team) (*itam.Team, error) {
		t := *cur
		if err := itam.PatchRequired(&t.Name, "name", in.Name); err != nil {
			return nil, err
		}
		itam.PatchText(&t.Description, in.Description)
		if unchanged(cur, &t) {
			return cur, nil
		}
		if t.Name != cur.Name {
			if err := teamNameTaken(ctx, tx, t.Name, t.ID); err != nil {
				return nil, err
			}
		}
		return returningOne(ctx, tx, scanTeam, `UPDATE teams x SET name = $2, description = $3, version = x.version + 1, updated_at = now()
			WHERE x.id = $1 RETURNING `+teamColumns, t.ID, t.Name, t.Description)
	})
}

// DeleteTeam removes a team; refused (CONFLICT) while people, assets or the
// organization's default owner setting reference it.
func (s *TeamStore) DeleteTeam(ctx context.Context, id uuid.UUID, version *int) (*itam.Team, error) {
	return teamsTable.remove(ctx, s.db, id, version)
}
