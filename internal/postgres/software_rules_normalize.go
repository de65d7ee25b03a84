package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
	"github.com/itam-dev/itam/internal/software"
)

// normalizeBatch is how many distinct (title, identifier, version) groups
// one transaction of a re-normalization resolves; each batch commits, so
// progress shows while the run goes on and no transaction grows with the
// organization.
const normalizeBatch = 2000

// installationGroup is one distinct reported (title, identifier, version):
// every installation in it resolves the same way.
type installationGroup struct{ title, identifier, version string }

// Normalize does run runID of the caller's organization (a River job,
// acting as a system principal): it marks the run RUNNING, reads the rules
// once, resolves every distinct reported title in Go and writes products,
// rules, editions and normalized versions back in batches, counting titles
// done and installations changed, then marks it COMPLETED. A run that is
// not QUEUED or RUNNING (finished, unknown) is left alone. Ended
// installations are re-resolved too: they are the history of what a device
// ran. An error leaves the run RUNNING for the job's retry; FailRun ends it.
func (s *SoftwareRuleStore) Normalize(ctx context.Context, runID uuid.UUID) error {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return err
	}
	db := s.db.ForJobs()
	started := false
	// Flipping the run to RUNNING takes its row lock: a rule change that
	// found it QUEUED (queueRun) has committed before this, so the rules read
	// next include it; one that comes later queues a new run.
	err = db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE software_normalization_runs SET state = 'RUNNING', started_at = coalesce(started_at, now()),
			titles_done = 0, installations_changed = 0 WHERE id = $1 AND state IN ('QUEUED', 'RUNNING')`, runID)
		started = tag.RowsAffected() == 1
		return err
	})
	if err != nil || !started {
		return err
	}
	m, err := s.matcher(ctx, p.OrgID)
	if err != nil {
		return err
	}
	groups, err := query(ctx, db, p.OrgID, `SELECT title, coalesce(identifier, ''), coalesce(version, '')
		FROM software_installations GROUP BY 1, 2, 3`, nil, func(r pgx.CollectableRow) (installationGroup, error) {
		var g installationGroup
		return g, r.Scan(&g.title, &g.identifier, &g.version)
	})
	if err != nil {
		return err
	}
	if err := db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE software_normalization_runs SET titles_total = $2 WHERE id = $1`, runID, len(groups))
		return err
	}); err != nil {
		return err
	}
	for start := 0; start < len(groups); start += normalizeBatch {
		batch := groups[start:min(start+normalizeBatch, len(groups))]
		if err := db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error { return applyGroups(ctx, tx, runID, m, batch) }); err != nil {
			return err
		}
	}
	return db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE software_normalization_runs SET state = 'COMPLETED', finished_at = now() WHERE id = $1`, runID)
		return err
	})
}

// applyGroups writes one batch of resolved groups with one UPDATE joined to
// the batch's arrays, touching only installations whose resolution
// changes, and records the batch on the run.
func applyGroups(ctx context.Context, tx pgx.Tx, runID uuid.UUID, m *software.Matcher, batch []installationGroup) error {
	n := len(batch)
	titles, identifiers, versions := make([]string, n), make([]string, n), make([]string, n)
	products, rules := make([]*uuid.UUID, n), make([]*uuid.UUID, n)
	editions, normalized := make([]*string, n), make([]*string, n)
	for i, g := range batch {
		titles[i], identifiers[i], versions[i] = g.title, g.identifier, g.version
		r := resolveInstallation(m, software.Title{Title: g.title, Identifier: g.identifier, Version: g.version})
		products[i], rules[i], editions[i], normalized[i] = r.product, r.rule, r.edition, r.version
	}
	tag, err := tx.Exec(ctx, `UPDATE software_installations s
		SET product_id = u.product_id, rule_id = u.rule_id, edition = u.edition, normalized_version = u.normalized_version
		FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[])
			AS u(title, identifier, version, product_id, rule_id, edition, normalized_version)
		WHERE s.title = u.title AND coalesce(s.identifier, '') = u.identifier AND coalesce(s.version, '') = u.version
			AND (s.product_id, s.rule_id, s.edition, s.normalized_version) IS DISTINCT FROM (u.product_id, u.rule_id, u.edition, u.normalized_version)`,
		titles, identifiers, versions, products, rules, editions, normalized)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE software_normalization_runs SET titles_done = titles_done + $2,
		installations_changed = installations_changed + $3 WHERE id = $1`, runID, n, tag.RowsAffected())
	return err
}

// installationResolution is what the rules make of one installation, as stored.
type installationResolution struct {
	product, rule    *uuid.UUID
	edition, version *string
}

// resolveInstallation matches t; unmatched installations keep their reported version
// as the normalized one, so queries can always read normalized_version.
func resolveInstallation(m *software.Matcher, t software.Title) installationResolution {
	if m == nil {
		return installationResolution{version: itam.Trimmed(&t.Version)}
	}
	got, ok := m.Match(t)
	if !ok {
		return installationResolution{version: itam.Trimmed(&t.Version)}
	}
	return installationResolution{product: &got.ProductID, rule: &got.Rule.ID, edition: got.Edition, version: itam.Trimmed(&got.Version)}
}

// FailRun ends run runID as FAILED with message, when its job gives up.
func (s *SoftwareRuleStore) FailRun(ctx context.Context, runID uuid.UUID, message string) error {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return err
	}
	return s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE software_normalization_runs SET state = 'FAILED', error = $2, finished_at = now()
			WHERE id = $1 AND state IN ('QUEUED', 'RUNNING')`, runID, message)
		return err
	})
}

// loadTitleRules compiles the organization's title rules for a sync page,
// once per page and only when the page reports software: one statement,
// whatever the page's size.
func loadTitleRules(ctx context.Context, tx pgx.Tx, devices []reconcile.Device) (*software.Matcher, error) {
	reports := false
	for _, d := range devices {
		if d.Software != nil {
			reports = true
			break
		}
	}
	if !reports {
		return nil, nil
	}
	rows, _ := tx.Query(ctx, `SELECT `+softwareRuleColumns+` FROM software_title_rules x ORDER BY x.position`)
	rules, err := pgx.CollectRows(rows, scanSoftwareRule)
	if err != nil {
		return nil, err
	}
	return compileRules(rules)
}
