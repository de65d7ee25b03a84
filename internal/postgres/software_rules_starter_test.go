package postgres

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// TestInstallSoftwareStarter: the starter set lands once per organization,
// after the organization's own rules, reusing its publishers; deleted
// starter rules stay deleted; and its run resolves what devices reported.
func TestInstallSoftwareStarter(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := context.Background()
	admin := f.admin(f.a)
	own := f.create(admin, software.MatchExact, "Slack", f.slack, nil)
	f.exec(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'MICROSOFT')`, f.a.id)
	mac := f.newAsset(f.a, nil).ID
	f.install(f.a, mac, "Microsoft Excel.app", "com.microsoft.Excel", "16.78")
	f.install(f.a, mac, "IntelliJ IDEA 2024.1.2", "", "241.17011.79")
	pubsBefore, productsBefore := f.count("software_publishers", f.a.id), f.count("software_products", f.a.id)

	pubs, products, rules := software.Starter()
	installed, err := InstallSoftwareStarters(ctx, f.owner, f.queue)
	require.NoError(t, err)
	require.Equal(t, []string{"alpha", "bravo"}, installed)
	require.Equal(t, pubsBefore+len(pubs)-1, f.count("software_publishers", f.a.id), "Microsoft is reused, whatever its case")
	require.Equal(t, productsBefore+len(products), f.count("software_products", f.a.id))
	require.Equal(t, 1+len(rules), f.count("software_title_rules", f.a.id))
	require.Equal(t, len(rules), f.count("software_title_rules", f.b.id))

	list, err := f.rules.ListRules(admin, itam.PageArgs{First: ptr(3)})
	require.NoError(t, err)
	require.Equal(t, own.ID, list.Items[0].ID, "the organization's own rules keep their place, first")
	require.False(t, list.Items[0].Starter)
	require.True(t, list.Items[1].Starter)
	require.Equal(t, 2, list.Items[1].Position)
	var starterPubs int
	require.NoError(t, f.owner.QueryRow(ctx, `SELECT count(*) FROM software_publishers WHERE org_id = $1 AND starter`, f.a.id).Scan(&starterPubs))
	require.Equal(t, len(pubs)-1, starterPubs)

	// Its run resolves the installations already reported.
	var runs []uuid.UUID
	for _, j := range f.queue.jobs {
		if j.OrgID == f.a.id {
			runs = append(runs, j.RunID)
		}
	}
	require.Len(t, runs, 1)
	f.normalize(f.a, runs[0])
	var product, edition, version string
	require.NoError(t, f.owner.QueryRow(ctx, `SELECT p.name, coalesce(s.edition, ''), s.normalized_version FROM software_installations s
		JOIN software_products p ON p.id = s.product_id WHERE s.title = 'IntelliJ IDEA 2024.1.2'`).Scan(&product, &edition, &version))
	require.Equal(t, []string{"IntelliJ IDEA", "Ultimate", "2024.1.2"}, []string{product, edition, version})
	require.NoError(t, f.owner.QueryRow(ctx, `SELECT p.name FROM software_installations s
		JOIN software_products p ON p.id = s.product_id WHERE s.title = 'Microsoft Excel.app'`).Scan(&product))
	require.Equal(t, "Microsoft Excel", product)

	// Once: a second pass changes nothing, and deleted starter rules stay deleted.
	f.exec(`DELETE FROM software_title_rules WHERE org_id = $1 AND starter AND position > 10`, f.a.id)
	left := f.count("software_title_rules", f.a.id)
	installed, err = InstallSoftwareStarters(ctx, f.owner, f.queue)
	require.NoError(t, err)
	require.Empty(t, installed)
	require.NoError(t, pgx.BeginFunc(ctx, f.owner, func(tx pgx.Tx) error {
		again, err := InstallSoftwareStarter(ctx, tx, f.a.id, nil)
		require.False(t, again)
		return err
	}))
	require.Equal(t, left, f.count("software_title_rules", f.a.id))
}
