package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/stretchr/testify/require"
)

// TestOrganizationStore: each caller reads and changes only their own
// organization, ADMIN only; bad currencies, long prefixes and another
// tenant's default owner team are refused and write nothing.
func TestOrganizationStore(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	B := f.B
	ctx := f.A.admin

	t.Run("tenant isolation", func(t *testing.T) {
		t.Run("organization", func(t *testing.T) {
			org, err := f.orgs.Organization(B.admin)
			require.NoError(t, err)
			require.Equal(t, f.orgB, org.ID)
			_, err = f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("A2")})
			require.NoError(t, err)
			org, err = f.orgs.Organization(B.admin)
			require.NoError(t, err)
			require.Equal(t, "ORG-B", org.Name, "updating A's organization leaves B's alone")
		})
	})
	t.Run("refuses bad writes without writing", func(t *testing.T) {
		f.requireRefusals(t, []refusal{
			// Blank required names.
			{"organization blank name", func() error {
				_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("")})
				return err
			}, itam.CodeInvalid, "name"},

			// Invalid values.
			{"bad currency", func() error {
				_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{DefaultCurrency: itam.Some("EURO")})
				return err
			}, itam.CodeInvalid, "defaultCurrency"},
			{"prefix too long", func() error {
				_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{AssetTagPrefix: itam.Some(strings.Repeat("A", 17))})
				return err
			}, itam.CodeInvalid, "assetTagPrefix"},

			// References to rows of another organization are unknown.
			{"default owner team of another org", func() error {
				_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("Renamed"), DefaultOwnerTeamID: itam.Some(B.team.ID)})
				return err
			}, itam.CodeInvalid, "defaultOwnerTeamId"},
		})
	})
	t.Run("roles", func(t *testing.T) {
		f.requireWritersOnly(t, true, map[string]func(ctx context.Context) error{
			"UpdateOrganization": func(ctx context.Context) error {
				_, err := f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some("Mine")})
				return err
			},
		})
		t.Run("employee reads the organization", func(t *testing.T) {
			org, err := f.orgs.Organization(f.employee())
			require.NoError(t, err)
			require.Equal(t, f.orgA, org.ID)
		})
	})
	t.Run("create update delete", func(t *testing.T) {
		t.Run("organization", func(t *testing.T) {
			org, err := f.orgs.Organization(ctx)
			require.NoError(t, err)
			require.Equal(t, f.orgA, org.ID)
			require.Equal(t, "org-a", org.Slug)
			require.Equal(t, "USD", org.DefaultCurrency)
			require.Nil(t, org.DefaultOwnerTeamID)

			org, err = f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{Name: itam.Some(" Acme "), AssetTagPrefix: itam.Some("IT-"),
				DefaultCurrency: itam.Some("eur"), DefaultOwnerTeamID: itam.Some(f.A.spare.ID)})
			require.NoError(t, err)
			require.Equal(t, "Acme", org.Name)
			require.Equal(t, "IT-", org.AssetTagPrefix)
			require.Equal(t, "EUR", org.DefaultCurrency)
			require.Equal(t, f.A.spare.ID, *org.DefaultOwnerTeamID)

			// The default owner team is now referenced (a deferred foreign key).
			_, err = f.teams.DeleteTeam(ctx, f.A.spare.ID, nil)
			requireCode(t, err, itam.CodeConflict, "id")

			org, err = f.orgs.UpdateOrganization(ctx, itam.OrganizationPatch{DefaultOwnerTeamID: itam.Optional[uuid.UUID]{Set: true}})
			require.NoError(t, err)
			require.Nil(t, org.DefaultOwnerTeamID)
			require.Equal(t, "Acme", org.Name)
		})
	})
}
