package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/software"
)

// tenantRows gives org o at least one row in every tenant table, through the
// stores and a sync where they write it, else as the owner.
func (f *syncFixture) tenantRows(o orgFixture) {
	f.t.Helper()
	f.newAsset(o, func(in *itam.AssetInput) { in.SerialNumber = ptr("RLS-HW-1") }) // assets, asset_history, asset_counts
	jamf := f.connector(o, "JAMF_PRO", "Jamf", false)                              // connectors
	intune := f.connector(o, "INTUNE", "Intune", false)
	// sync_runs, asset_external_ids, field_provenance, software_installations;
	// Intune naming the same Mac differently is a sync_conflicts row.
	f.apply(o, jamf, mac("j1", "C02RLS001", ""))
	d := mac("i1", "C02RLS001", "")
	d.Name = "another name"
	f.apply(o, intune, d)
	f.exec(`INSERT INTO field_precedence (org_id, field, sources) VALUES ($1, 'name', ARRAY['INTUNE','JAMF_PRO','manual'])`, o.id)
	// software_publishers, software_products (through the catalog store).
	sw := NewSoftwareCatalogStore(f.db)
	pub, err := sw.CreatePublisher(f.admin(o), software.PublisherInput{Name: "Adobe"})
	require.NoError(f.t, err)
	_, err = sw.CreateProduct(f.admin(o), software.ProductInput{PublisherID: pub.ID, Name: "Acrobat Pro"})
	require.NoError(f.t, err)
	licenseTenantRows(f.fixture, o) // licenses, license_seats, license_history
	// license_position_counts (a report refreshes them), then
	// license_position_dirty (the license trigger records the change).
	_, err = NewLicenseComplianceStore(f.db).Positions(as(o.id, itam.RoleAuditor, "auditor@test"), licenses.ComplianceFilter{})
	require.NoError(f.t, err)
	f.exec(`UPDATE licenses SET notes = 'rls' WHERE org_id = $1`, o.id)
	// software_title_rules, software_normalization_runs (software rules).
	f.exec(`WITH p AS (INSERT INTO software_publishers (org_id, name) VALUES ($1, 'RLS rules publisher') RETURNING id),
		s AS (INSERT INTO software_products (org_id, publisher_id, name) SELECT $1, id, 'RLS rules product' FROM p RETURNING id)
		INSERT INTO software_title_rules (org_id, position, kind, pattern, product_id) SELECT $1, 1, 'EXACT', 'RLS', id FROM s`, o.id)
	f.exec(`INSERT INTO software_normalization_runs (org_id, reason, actor) VALUES ($1, 'rls', 'rls@test')`, o.id)
	f.exec(`INSERT INTO software_history (org_id, entity_type, entity_id, action, actor_kind, actor)
		VALUES ($1, 'SoftwarePublisher', gen_random_uuid(), 'CREATE', 'USER', 'rls@test')`, o.id)
	costTenantRows(f, o)
	notifyTenantRows(f.fixture, o)       // notification_settings, notifications, webhook_subscriptions, webhook_deliveries
	procurementTenantRows(f.fixture, o)  // purchase_orders, purchase_order_lines, purchase_order_history
	auditTenantRows(f.fixture, o)        // audit_campaigns, audit_campaign_items (asset_signs_of_life come with the assets)
	sanitizationTenantRows(f.fixture, o) // sanitization_records
	personLinksTenantRows(f, o)          // person_external_ids
	// asset_checkouts: the assets trigger opens one when an asset is assigned.
	f.exec(`UPDATE assets SET assigned_location_id = (SELECT id FROM locations WHERE org_id = $1 LIMIT 1), status = 'DEPLOYED'
		WHERE id = (SELECT id FROM assets WHERE org_id = $1 AND status = 'IN_STOCK' AND assigned_person_id IS NULL AND assigned_location_id IS NULL LIMIT 1)`, o.id)
	offboardingTenantRows(f.fixture, o) // offboarding_checklists, offboarding_items, offboarding_history
	pushTenantRows(f, o)                // connector_push_state, connector_push_outbox
	importTenantRows(f.fixture, o)      // import_runs, import_files, import_rows, import_references, import_mappings
	// teams, locations, people, manufacturers, categories, models and
	// suppliers come with the fixture's organization.
}

// costTenantRows gives o a depreciation profile, a contract with a charge
// covering an asset and a license, cost entries on the contract and the
// asset (and so the cost summaries), an exchange rate and a history entry.
func costTenantRows(f *syncFixture, o orgFixture) {
	f.t.Helper()
	f.exec(`INSERT INTO depreciation_profiles (org_id, name, method, useful_life_months, convention)
		VALUES ($1, 'RLS 3 years', 'STRAIGHT_LINE', 36, 'MONTHLY')`, o.id)
	f.exec(`WITH c AS (INSERT INTO contracts (org_id, kind, start_date) VALUES ($1, 'SUPPORT', '2026-01-01') RETURNING id),
		ch AS (INSERT INTO contract_charges (org_id, contract_id, position, amount, currency, every) SELECT $1, id, 0, 10, 'USD', 'MONTH' FROM c),
		ca AS (INSERT INTO contract_assets (org_id, contract_id, asset_id) SELECT $1, c.id, (SELECT id FROM assets WHERE org_id = $1 LIMIT 1) FROM c),
		cl AS (INSERT INTO contract_licenses (org_id, contract_id, license_id) SELECT $1, c.id, (SELECT id FROM licenses WHERE org_id = $1 LIMIT 1) FROM c)
		INSERT INTO cost_entries (org_id, contract_id, kind, entry_date, amount, currency) SELECT $1, id, 'SUPPORT', '2026-01-01', 5, 'USD' FROM c`, o.id)
	// cost_month_totals (and contract_model_counts, from the link above)
	// follow through their triggers.
	f.exec(`INSERT INTO cost_entries (org_id, asset_id, kind, entry_date, amount, currency)
		SELECT $1, id, 'REPAIR', '2026-01-02', 7, 'USD' FROM assets WHERE org_id = $1 LIMIT 1`, o.id)
	f.exec(`INSERT INTO exchange_rates (org_id, from_currency, to_currency, valid_from, rate) VALUES ($1, 'EUR', 'USD', '2026-01-01', 1.1)`, o.id)
	f.exec(`INSERT INTO cost_history (org_id, entity_type, entity_id, action, actor_kind, actor)
		VALUES ($1, 'CostEntry', gen_random_uuid(), 'CREATE', 'USER', 'rls@test')`, o.id)
}

// tenantTables lists every table of the public schema with an org_id
// column, with its row-level security flags and owner.
func (f *fixture) tenantTables() []tenantTable {
	f.t.Helper()
	rows, err := f.owner.Query(context.Background(), `
		SELECT c.relname, c.relrowsecurity, pg_get_userbyid(c.relowner),
		       (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
		  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		   AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND a.attnum > 0 AND NOT a.attisdropped)
		 ORDER BY c.relname`)
	require.NoError(f.t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowToStructByPos[tenantTable])
	require.NoError(f.t, err)
	return tables
}

// permissivePolicies returns the USING and WITH CHECK expressions of the
// permissive policies on table (restrictive ones only narrow access),
// "" where a policy has none.
func (f *fixture) permissivePolicies(table string) map[string][2]string {
	f.t.Helper()
	rows, err := f.owner.Query(context.Background(), `
		SELECT polname, coalesce(pg_get_expr(polqual, polrelid), ''), coalesce(pg_get_expr(polwithcheck, polrelid), '')
		  FROM pg_policy WHERE polrelid = $1::regclass AND polpermissive`, pgx.Identifier{"public", table}.Sanitize())
	require.NoError(f.t, err)
	out := map[string][2]string{}
	for rows.Next() {
		var name, using, check string
		require.NoError(f.t, rows.Scan(&name, &using, &check))
		out[name] = [2]string{using, check}
	}
	require.NoError(f.t, rows.Err())
	return out
}

// isTenantPredicate reports whether a policy expression, as PostgreSQL
// prints it, is exactly "org_id = itam.current_org()" (or its init-plan
// form, "org_id = (SELECT itam.current_org())").
func isTenantPredicate(expr string) bool {
	e := strings.ReplaceAll(strings.Join(strings.Fields(expr), ""), "AScurrent_org", "")
	return e == "(org_id=(SELECTitam.current_org()))" || e == "(org_id=itam.current_org())"
}

type tenantTable struct {
	Name     string
	RLS      bool
	Owner    string
	Policies int
}

// refusedOrNone passes when a write was refused for lack of privilege or
// row-level security (42501) or touched no row.
func refusedOrNone(t *testing.T, tag pgconn.CommandTag, err error, msg string) {
	t.Helper()
	if isInsufficientPrivilege(err) {
		return
	}
	require.NoError(t, err, msg)
	require.Zero(t, tag.RowsAffected(), msg)
}

// isInsufficientPrivilege: no grant, or a row-level security check failed.
func isInsufficientPrivilege(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// TestTenantIsolationCoversEveryTable finds the tenant tables in the catalog
// rather than in a list, so a table added later is covered without anyone
// remembering to: it must hold organization B's fixture rows (add them to
// tenantRows), have row-level security enabled with a policy, and the
// application role, working for organization A, must see exactly A's rows
// and be unable to change or delete B's or move its own to B; every
// permissive policy must be the tenant predicate itself.
//
// RLS is enabled, not forced: the server never runs as the owner (Open
// switches to itam_app and refuses a role that bypasses RLS), and the
// SECURITY DEFINER functions that must see past the tenant (connector_org
// for webhooks, due_connectors for the scheduler, search_assets' trigram
// path) run as the owner, which on managed PostgreSQL is no superuser:
// forcing RLS would break them. The test instead checks that the
// application role neither owns a tenant table nor bypasses RLS.
func TestTenantIsolationCoversEveryTable(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	f.tenantRows(f.a)
	f.tenantRows(f.b)
	ctx := context.Background()

	var appBypasses bool
	require.NoError(t, f.owner.QueryRow(ctx, `SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = $1`, AppRole).Scan(&appBypasses))
	require.False(t, appBypasses, "%s must be subject to row-level security", AppRole)

	tables := f.tenantTables()
	require.GreaterOrEqual(t, len(tables), 16, "the catalog query finds the tenant tables")
	for _, tt := range tables {
		name := pgx.Identifier{tt.Name}.Sanitize()
		mine, theirs := f.count(tt.Name, f.a.id), f.count(tt.Name, f.b.id)
		require.NotZero(t, theirs, "table %s has no row of organization B: add one to tenantRows so its isolation is tested", tt.Name)
		require.NotZero(t, mine, "table %s has no row of organization A: add one to tenantRows", tt.Name)
		require.True(t, tt.RLS, "table %s has no row-level security", tt.Name)
		require.NotZero(t, tt.Policies, "table %s has no policy", tt.Name)
		// Permissive policies are OR-ed: one that lets more through (for
		// any command, in USING or WITH CHECK) opens the table, so each
		// must be exactly the tenant predicate. This also covers what the
		// statements below cannot reach, such as a DELETE or INSERT policy
		// of true.
		for pol, e := range f.permissivePolicies(tt.Name) {
			require.True(t, e[0] != "" || e[1] != "", "policy %s on %s has no expression", pol, tt.Name)
			for _, expr := range e {
				require.True(t, expr == "" || isTenantPredicate(expr), "policy %s on %s is %q, not the tenant predicate", pol, tt.Name, expr)
			}
		}
		// A table the application role owns escapes its policies (RLS
		// binds owners only when forced).
		require.NotEqual(t, AppRole, tt.Owner, "table %s is owned by %s", tt.Name, AppRole)

		var seen, seenB int
		err := f.asApp(f.a.id, func(tx pgx.Tx) error {
			if err := tx.QueryRow(ctx, fmt.Sprintf(`SELECT count(*), count(*) FILTER (WHERE org_id = $1) FROM %s`, name), f.b.id).Scan(&seen, &seenB); err != nil {
				return err
			}
			return nil
		})
		require.NoError(t, err, tt.Name)
		require.Zero(t, seenB, "organization A reads organization B's rows of %s", tt.Name)
		require.Equal(t, mine, seen, "organization A sees exactly its own rows of %s", tt.Name)

		// An UPDATE that reads no column is bound by the UPDATE policy
		// alone: it may touch A's rows (leaving them as they are) and no
		// others.
		var tag pgconn.CommandTag
		err = f.asApp(f.a.id, func(tx pgx.Tx) (err error) {
			tag, err = tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET org_id = $1`, name), f.a.id)
			return err
		})
		if !isInsufficientPrivilege(err) {
			require.NoError(t, err, "UPDATE of every row of %s", tt.Name)
			require.Equal(t, int64(mine), tag.RowsAffected(), "UPDATE of every row of %s reaches only organization A's", tt.Name)
		}
		err = f.asApp(f.a.id, func(tx pgx.Tx) (err error) {
			tag, err = tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET org_id = org_id WHERE org_id = $1`, name), f.b.id)
			return err
		})
		refusedOrNone(t, tag, err, "UPDATE of organization B's rows of "+tt.Name)
		err = f.asApp(f.a.id, func(tx pgx.Tx) (err error) {
			tag, err = tx.Exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE org_id = $1`, name), f.b.id)
			return err
		})
		refusedOrNone(t, tag, err, "DELETE of organization B's rows of "+tt.Name)
		err = f.asApp(f.a.id, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE %s SET org_id = $1 WHERE org_id = $2`, name), f.b.id, f.a.id)
			return err
		})
		require.True(t, isInsufficientPrivilege(err), "moving organization A's rows of %s to B must be refused, got %v", tt.Name, err)
		require.Equal(t, theirs, f.count(tt.Name, f.b.id), tt.Name)
	}

	// organizations is keyed by id, not org_id: A sees only itself.
	var orgs []uuid.UUID
	err := f.asApp(f.a.id, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id FROM organizations`)
		if err != nil {
			return err
		}
		orgs, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
		return err
	})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{f.a.id}, orgs)
}
