package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/stretchr/testify/require"
)

// TestTeamStore: org A sees its own teams only; blank, duplicate (in any
// case), stale and still-referenced changes are refused and write nothing;
// MANAGER and ADMIN write, others may only read; a team round-trips.
func TestTeamStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	A, B := f.A, f.B
	ctx := f.A.admin
	stale := 99
	manager := f.manager()

	t.Run("tenant isolation", func(t *testing.T) {
		requireIsolatedLists(t, []isolatedList{
			{"teams", func() ([]uuid.UUID, error) {
				p, err := f.teams.ListTeams(ctx, itam.TeamFilter{}, itam.PageArgs{})
				return ids(p.Items, func(x *itam.Team) uuid.UUID { return x.ID }), err
			}, func() (int, error) { return f.teams.CountTeams(ctx, itam.TeamFilter{}) }, []uuid.UUID{A.team.ID, A.spare.ID}},
		})
		requireIsolatedByIDs(t, []isolatedByIDs{
			{"teams", func(x []uuid.UUID) (int, error) { m, err := f.teams.TeamsByIDs(ctx, x); return len(m), err }, A.team.ID, B.team.ID},
		})
		t.Run("search", func(t *testing.T) {
			n, err := f.teams.CountTeams(ctx, itam.TeamFilter{Search: ptr("SPA")})
			require.NoError(t, err)
			require.Equal(t, 1, n)
		})
	})
	t.Run("refuses bad writes without writing", func(t *testing.T) {
		f.requireRefusals(t, []refusal{
			// Blank required names.
			{"team blank name", func() error { _, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "  "}); return err }, itam.CodeInvalid, "name"},
			{"update clears a name", func() error {
				_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.team.ID, Version: A.team.Version, Name: itam.Optional[string]{Set: true}})
				return err
			}, itam.CodeInvalid, "name"},

			// Duplicates, regardless of case.
			{"duplicate team", func() error { _, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "OPS"}); return err }, itam.CodeConflict, "name"},
			{"rename team onto another", func() error {
				_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.spare.ID, Version: A.spare.Version, Name: itam.Some("ops")})
				return err
			}, itam.CodeConflict, "name"},

			// Stale versions.
			{"stale team", func() error {
				_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.spare.ID, Version: stale, Name: itam.Some("New")})
				return err
			}, itam.CodeConflict, "version"},
			{"stale delete", func() error { _, err := f.teams.DeleteTeam(ctx, A.spare.ID, &stale); return err }, itam.CodeConflict, "version"},

			// Deletes of referenced rows.
			{"delete team with members and assets", func() error { _, err := f.teams.DeleteTeam(ctx, A.team.ID, nil); return err }, itam.CodeConflict, "id"},

			// Rows of another organization do not exist.
			{"update another org's team", func() error {
				_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: B.team.ID, Version: B.team.Version, Name: itam.Some("Mine")})
				return err
			}, itam.CodeNotFound, ""},
		})
	})
	t.Run("roles", func(t *testing.T) {
		f.requireWritersOnly(t, false, map[string]func(ctx context.Context) error{
			"CreateTeam": func(ctx context.Context) error {
				_, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "T"})
				return err
			},
			"UpdateTeam": func(ctx context.Context) error {
				_, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: A.spare.ID, Version: 1})
				return err
			},
			"DeleteTeam": func(ctx context.Context) error { _, err := f.teams.DeleteTeam(ctx, A.spare.ID, nil); return err },
		})
		t.Run("manager writes inventory", func(t *testing.T) {
			x, err := f.teams.CreateTeam(manager, itam.TeamInput{Name: "By manager"})
			require.NoError(t, err)
			_, err = f.teams.DeleteTeam(manager, x.ID, &x.Version)
			require.NoError(t, err)
		})
		t.Run("employee reads teams", func(t *testing.T) {
			teams, err := f.teams.ListTeams(f.employee(), itam.TeamFilter{}, itam.PageArgs{})
			require.NoError(t, err)
			require.Len(t, teams.Items, 2)
		})
	})
	t.Run("create update delete", func(t *testing.T) {
		f.requireCRUD(t, []crudCase{
			{
				name: "team", table: "teams",
				create: func(t *testing.T) (uuid.UUID, int) {
					x, err := f.teams.CreateTeam(ctx, itam.TeamInput{Name: "  Finance  ", Description: ptr("  ")})
					require.NoError(t, err)
					require.Equal(t, "Finance", x.Name)
					require.Nil(t, x.Description)
					return x.ID, x.Version
				},
				update: func(t *testing.T, id uuid.UUID, v int) int {
					x, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: id, Version: v, Name: itam.Some("Finance & Legal"), Description: itam.Some("Money")})
					require.NoError(t, err)
					require.Equal(t, "Finance & Legal", x.Name)
					require.Equal(t, "Money", *x.Description)
					return x.Version
				},
				delete: func(id uuid.UUID, v *int) error { _, err := f.teams.DeleteTeam(ctx, id, v); return err },
			},
		})
		t.Run("no-op update keeps the version", func(t *testing.T) {
			x, err := f.teams.UpdateTeam(ctx, itam.TeamPatch{ID: f.A.spare.ID, Version: f.A.spare.Version, Name: itam.Some(" Spare ")})
			require.NoError(t, err)
			require.Equal(t, f.A.spare.Version, x.Version)
		})
	})
}
