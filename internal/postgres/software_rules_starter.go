package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/internal/software"
)

// InstallSoftwareStarter installs the starter set (software.Starter) into
// organization org inside tx, once: it records the installation on the
// organization (software_starter_installed_at) and does nothing when that
// is already set, so starter rules an admin deleted stay deleted. Publishers
// and products that exist already (same name, any case) are reused; the
// rules go after the organization's own, marked starter. When enq is given,
// a re-normalization run and its job are queued in tx, so installations
// already reported resolve under the new rules. tx must see the
// organization's rows: a tenant transaction of org, or the owner's.
func InstallSoftwareStarter(ctx context.Context, tx pgx.Tx, org uuid.UUID, enq NormalizeEnqueuer) (installed bool, err error) {
	var done *string
	if err := tx.QueryRow(ctx, `SELECT software_starter_installed_at::text FROM organizations WHERE id = $1 FOR UPDATE`, org).Scan(&done); err != nil {
		return false, err
	}
	if done != nil {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, rulesLockKey, org.String()); err != nil {
		return false, err
	}
	pubs, products, rules := software.Starter()
	var names, sites []string
	for _, p := range pubs {
		names, sites = append(names, p.Name), append(sites, p.Website)
	}
	// Each insert returns only what it created: those get a history entry.
	rows, _ := tx.Query(ctx, `INSERT INTO software_publishers AS x (org_id, name, website, starter)
		SELECT $1, y.name, y.website, true FROM unnest($2::text[], $3::text[]) AS y(name, website)
		ON CONFLICT (org_id, lower(name)) DO NOTHING RETURNING `+publisherColumns, org, names, sites)
	newPubs, err := pgx.CollectRows(rows, scanPublisher)
	if err != nil {
		return false, err
	}
	b := &pgx.Batch{}
	for _, p := range products {
		b.Queue(`INSERT INTO software_products AS x (org_id, publisher_id, name, editions, starter)
			SELECT $1, id, $3, $4, true FROM software_publishers WHERE org_id = $1 AND lower(name) = lower($2)
			ON CONFLICT (org_id, publisher_id, lower(name)) DO NOTHING RETURNING `+productColumns, org, p.Publisher, p.Name, append([]string{}, p.Editions...))
	}
	br := tx.SendBatch(ctx, b)
	var newProducts []*software.Product
	for range products {
		rows, _ := br.Query()
		created, err := pgx.CollectRows(rows, scanProduct)
		if err != nil {
			_ = br.Close()
			return false, err
		}
		newProducts = append(newProducts, created...)
	}
	if err := br.Close(); err != nil {
		return false, err
	}
	ids := map[string]uuid.UUID{}
	rows, _ = tx.Query(ctx, `SELECT p.id, lower(pub.name), lower(p.name) FROM software_products p
		JOIN software_publishers pub ON pub.org_id = p.org_id AND pub.id = p.publisher_id WHERE p.org_id = $1`, org)
	var id uuid.UUID
	var pub, name string
	if _, err := pgx.ForEachRow(rows, []any{&id, &pub, &name}, func() error { ids[pub+"/"+name] = id; return nil }); err != nil {
		return false, err
	}
	var last int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM software_title_rules WHERE org_id = $1`, org).Scan(&last); err != nil {
		return false, err
	}
	n := len(rules)
	positions, kinds, patterns := make([]int, n), make([]string, n), make([]string, n)
	productIDs, editions, versions := make([]uuid.UUID, n), make([]*string, n), make([]*string, n)
	for i, r := range rules {
		pid, ok := ids[strings.ToLower(r.Publisher)+"/"+strings.ToLower(r.Product)]
		if !ok {
			return false, fmt.Errorf("starter rule %d: product %s/%s missing", i, r.Publisher, r.Product)
		}
		positions[i], kinds[i], patterns[i], productIDs[i] = last+i+1, string(r.Kind), r.Pattern, pid
		if r.Edition != "" {
			editions[i] = &r.Edition
		}
		if r.VersionPattern != "" {
			versions[i] = &r.VersionPattern
		}
	}
	rows, _ = tx.Query(ctx, `INSERT INTO software_title_rules AS x (org_id, position, kind, pattern, product_id, edition, version_pattern, starter)
		SELECT $1, y.position, y.kind::software_match_kind, y.pattern, y.product, y.edition, y.version_pattern, true
		FROM unnest($2::int[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[])
			AS y(position, kind, pattern, product, edition, version_pattern) RETURNING `+softwareRuleColumns,
		org, positions, kinds, patterns, productIDs, editions, versions)
	newRules, err := pgx.CollectRows(rows, scanSoftwareRule)
	if err != nil {
		return false, err
	}
	if err := starterHistory(ctx, tx, org, newPubs, newProducts, newRules); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE organizations SET software_starter_installed_at = now() WHERE id = $1`, org); err != nil {
		return false, err
	}
	if enq != nil {
		if _, err := queueNormalization(ctx, tx, enq, org, "installSoftwareStarter", "itam"); err != nil {
			return false, err
		}
	}
	return true, nil
}

// InstallSoftwareStarterIn is InstallSoftwareStarter in a transaction of
// its own on pool, as organization org (the server at start, the CLI).
func InstallSoftwareStarterIn(ctx context.Context, pool *pgxpool.Pool, org uuid.UUID, enq NormalizeEnqueuer) (installed bool, err error) {
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('itam.org_id', $1, true)`, org.String()); err != nil {
			return err
		}
		installed, err = InstallSoftwareStarter(ctx, tx, org, enq)
		return err
	})
	return installed, err
}

// InstallSoftwareStarters installs the starter set into every organization
// that never had it, one transaction each, and returns their slugs. pool
// must see every organization (the database owner): the server runs this
// at start with its migration connection.
func InstallSoftwareStarters(ctx context.Context, pool *pgxpool.Pool, enq NormalizeEnqueuer) ([]string, error) {
	rows, _ := pool.Query(ctx, `SELECT id, slug FROM organizations WHERE software_starter_installed_at IS NULL ORDER BY slug`)
	type org struct {
		id   uuid.UUID
		slug string
	}
	orgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (org, error) {
		var o org
		return o, r.Scan(&o.id, &o.slug)
	})
	if err != nil {
		return nil, err
	}
	var done []string
	for _, o := range orgs {
		installed, err := InstallSoftwareStarterIn(ctx, pool, o.id, enq)
		if err != nil {
			return done, fmt.Errorf("software starter for %s: %w", o.slug, err)
		}
		if installed {
			done = append(done, o.slug)
		}
	}
	return done, nil
}

// LockSoftwareRules takes organization org's rule lock in tx (held until tx
// ends), for code outside this package that appends title rules (itam
// seed): rule edits through the API shift positions as a block under the
// same lock, so an append racing one would collide on positions.
func LockSoftwareRules(ctx context.Context, tx pgx.Tx, org uuid.UUID) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, rulesLockKey, org.String())
	return err
}
