package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/software"
)

// SoftwareRuleStore loads and saves software title rules and their
// re-normalization runs. Rules are ADMIN-only to change; ADMIN, MANAGER and
// AUDITOR read them (software.RequireRuleAdmin, software.RequireRuleRead).
// Every rule change queues a re-normalization in its own transaction; the
// work happens in a River job (Normalize), never in the mutation.
type SoftwareRuleStore struct {
	db  *DB
	enq NormalizeEnqueuer
}

// NormalizeEnqueuer inserts a normalization job inside the caller's
// transaction, so a run row and its job commit or roll back together.
// RiverEnqueuer implements it.
type NormalizeEnqueuer interface {
	EnqueueNormalizeTx(ctx context.Context, tx pgx.Tx, args jobs.NormalizeArgs) error
}

// EnqueueNormalizeTx inserts a normalization job in tx.
func (e RiverEnqueuer) EnqueueNormalizeTx(ctx context.Context, tx pgx.Tx, args jobs.NormalizeArgs) error {
	_, err := e.Client.InsertTx(ctx, tx, args, nil)
	return err
}

// NewSoftwareRuleStore returns a SoftwareRuleStore over db; enq queues
// re-normalizations (without one, rule changes are refused).
func NewSoftwareRuleStore(db *DB, enq NormalizeEnqueuer) *SoftwareRuleStore {
	return &SoftwareRuleStore{db: db, enq: enq}
}

const softwareRuleColumns = `x.id, x.position, x.kind, x.pattern, x.product_id, x.edition, x.version_pattern, x.starter, x.version, x.created_at, x.updated_at`

func scanSoftwareRule(r pgx.CollectableRow) (*software.Rule, error) {
	var x software.Rule
	var kind string
	err := r.Scan(&x.ID, &x.Position, &kind, &x.Pattern, &x.ProductID, &x.Edition, &x.VersionPattern, &x.Starter, &x.Version, &x.CreatedAt, &x.UpdatedAt)
	x.Kind = software.MatchKind(kind)
	return &x, err
}

const normalizationRunColumns = `x.id, x.state, x.reason, x.actor, x.titles_total, x.titles_done, x.installations_changed, x.error, x.created_at, x.started_at, x.finished_at`

func scanNormalizationRun(r pgx.CollectableRow) (*software.NormalizationRun, error) {
	var x software.NormalizationRun
	var state string
	err := r.Scan(&x.ID, &state, &x.Reason, &x.Actor, &x.TitlesTotal, &x.TitlesDone, &x.InstallationsChanged, &x.Error, &x.CreatedAt, &x.StartedAt, &x.FinishedAt)
	x.State = software.NormalizationState(state)
	return &x, err
}

var softwareRulesTable = catalogTable[*software.Rule]{
	what: "software title rule", name: "software_title_rules", columns: softwareRuleColumns, scan: scanSoftwareRule,
	id:      func(r *software.Rule) uuid.UUID { return r.ID },
	label:   func(r *software.Rule) string { return r.Pattern },
	version: func(r *software.Rule) int { return r.Version },
}

func ruleListSpec() listSpec[*software.Rule] {
	return listSpec[*software.Rule]{
		columns: softwareRuleColumns, from: "software_title_rules x", idExpr: "x.id", args: &sqlArgs{},
		sort: sortKey[*software.Rule]{"x.position", "integer", func(r *software.Rule) string { return strconv.Itoa(r.Position) }},
		dir:  itam.Asc, id: func(r *software.Rule) string { return r.ID.String() }, scan: scanSoftwareRule,
	}
}

// ListRules returns one page of the organization's rules in position order.
func (s *SoftwareRuleStore) ListRules(ctx context.Context, page itam.PageArgs) (itam.Page[*software.Rule], error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return itam.Page[*software.Rule]{}, err
	}
	return list(ctx, s.db, p.OrgID, ruleListSpec(), page)
}

// CountRules returns how many rules the organization has.
func (s *SoftwareRuleStore) CountRules(ctx context.Context) (int, error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "software_title_rules x", nil, &sqlArgs{})
}

// RulesByIDs returns the rules among ids (node, matchedBy).
func (s *SoftwareRuleStore) RulesByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*software.Rule, error) {
	if _, err := software.RequireRuleRead(ctx); err != nil {
		return nil, err
	}
	return softwareRulesTable.byIDs(ctx, s.db, ids)
}

// RunsByIDs returns the normalization runs among ids (node).
func (s *SoftwareRuleStore) RunsByIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]*software.NormalizationRun, error) {
	if _, err := software.RequireRuleRead(ctx); err != nil {
		return nil, err
	}
	return byIDs(ctx, s.db, normalizationRunColumns, "software_normalization_runs x", ids, scanNormalizationRun,
		func(r *software.NormalizationRun) uuid.UUID { return r.ID })
}

// ListRuns returns one page of normalization runs, newest first.
func (s *SoftwareRuleStore) ListRuns(ctx context.Context, page itam.PageArgs) (itam.Page[*software.NormalizationRun], error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return itam.Page[*software.NormalizationRun]{}, err
	}
	return list(ctx, s.db, p.OrgID, listSpec[*software.NormalizationRun]{
		columns: normalizationRunColumns, from: "software_normalization_runs x", idExpr: "x.id", args: &sqlArgs{},
		sort: sortKey[*software.NormalizationRun]{"x.created_at", "timestamptz",
			func(r *software.NormalizationRun) string { return r.CreatedAt.Format(time.RFC3339Nano) }},
		dir: itam.Desc, id: func(r *software.NormalizationRun) string { return r.ID.String() }, scan: scanNormalizationRun,
	}, page)
}

// CountRuns returns how many normalization runs the organization has.
func (s *SoftwareRuleStore) CountRuns(ctx context.Context) (int, error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, "software_normalization_runs x", nil, &sqlArgs{})
}

// rulesLockKey namespaces the per-organization advisory lock that
// serializes rule changes: positions shift as a block, so two changes at
// once would otherwise race for the same positions.
const rulesLockKey = 0x5a3e

// change runs one rule mutation: ADMIN only, in one transaction holding
// the organization's rule lock, ending with the re-normalization it queues.
// fn writes the change and its history entry.
func (s *SoftwareRuleStore) change(ctx context.Context, reason string, fn func(tx pgx.Tx, p itam.Principal) error) (*software.NormalizationRun, error) {
	p, err := software.RequireRuleAdmin(ctx)
	if err != nil {
		return nil, err
	}
	if s.enq == nil {
		return nil, errors.New("software rules: no job queue configured for re-normalization")
	}
	var run *software.NormalizationRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, rulesLockKey, p.OrgID.String()); err != nil {
			return err
		}
		if fn != nil {
			if err := fn(tx, p); err != nil {
				return err
			}
		}
		run, err = queueNormalization(ctx, tx, s.enq, p.OrgID, reason, p.Subject)
		return err
	})
	return run, err
}

// queueNormalization returns the organization's QUEUED run, which has not
// read the rules yet and so will apply this change too, or queues a new one
// with its job. The FOR UPDATE waits for a worker starting that run (it
// flips it to RUNNING under the same row lock), so a change never joins a
// run that already read the rules before the change committed.
func queueNormalization(ctx context.Context, tx pgx.Tx, enq NormalizeEnqueuer, org uuid.UUID, reason, actor string) (*software.NormalizationRun, error) {
	run, err := returningOne(ctx, tx, scanNormalizationRun, `SELECT `+normalizationRunColumns+` FROM software_normalization_runs x
		WHERE x.org_id = $1 AND x.state = 'QUEUED' ORDER BY x.created_at LIMIT 1 FOR UPDATE`, org)
	if err == nil {
		return run, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, err
	}
	run, err = returningOne(ctx, tx, scanNormalizationRun, `INSERT INTO software_normalization_runs AS x (org_id, reason, actor)
		VALUES ($1, $2, $3) RETURNING `+normalizationRunColumns, org, reason, actor)
	if err != nil {
		return nil, err
	}
	return run, enq.EnqueueNormalizeTx(ctx, tx, jobs.NormalizeArgs{OrgID: org, RunID: run.ID})
}

func ruleCount(ctx context.Context, tx pgx.Tx) (int, error) {
	var n int
	return n, tx.QueryRow(ctx, `SELECT count(*) FROM software_title_rules`).Scan(&n)
}

// CreateRule inserts a rule at its position (default last), moving the
// rules from there on down one, and queues a re-normalization.
func (s *SoftwareRuleStore) CreateRule(ctx context.Context, in software.RuleInput) (*software.Rule, *software.NormalizationRun, error) {
	var out *software.Rule
	run, err := s.change(ctx, "createSoftwareTitleRule", func(tx pgx.Tx, p itam.Principal) error {
		n, err := ruleCount(ctx, tx)
		if err != nil {
			return err
		}
		r, err := software.NewRule(in, n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE software_title_rules SET position = position + 1 WHERE position >= $1`, r.Position); err != nil {
			return err
		}
		out, err = returningOne(ctx, tx, scanSoftwareRule, `INSERT INTO software_title_rules AS x (org_id, position, kind, pattern, product_id, edition, version_pattern)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+softwareRuleColumns,
			p.OrgID, r.Position, string(r.Kind), r.Pattern, r.ProductID, r.Edition, r.VersionPattern)
		if err != nil {
			return err
		}
		return insertSoftwareHistory(ctx, tx, p, software.HistoryRule, out.ID, software.HistoryCreate, software.RuleDiff(nil, out))
	})
	if err != nil {
		return nil, nil, err
	}
	return out, run, nil
}

// UpdateRule changes a rule (the caller's version must be current) and
// queues a re-normalization.
func (s *SoftwareRuleStore) UpdateRule(ctx context.Context, patch software.RulePatch) (*software.Rule, *software.NormalizationRun, error) {
	var out *software.Rule
	run, err := s.change(ctx, "updateSoftwareTitleRule", func(tx pgx.Tx, p itam.Principal) error {
		cur, err := softwareRulesTable.lock(ctx, tx, patch.ID, &patch.Version)
		if err != nil {
			return err
		}
		r, err := patch.Apply(*cur)
		if err != nil {
			return err
		}
		out, err = returningOne(ctx, tx, scanSoftwareRule, `UPDATE software_title_rules x SET kind = $2, pattern = $3, product_id = $4,
			edition = $5, version_pattern = $6, version = x.version + 1, updated_at = now() WHERE x.id = $1 RETURNING `+softwareRuleColumns,
			r.ID, string(r.Kind), r.Pattern, r.ProductID, r.Edition, r.VersionPattern)
		if err != nil {
			return err
		}
		return insertSoftwareHistory(ctx, tx, p, software.HistoryRule, out.ID, software.HistoryUpdate, software.RuleDiff(cur, out))
	})
	if err != nil {
		return nil, nil, err
	}
	return out, run, nil
}

// DeleteRule removes a rule (checking version when given), closes the gap
// in positions and queues a re-normalization. Installations it resolved
// keep their product until the run re-resolves them.
func (s *SoftwareRuleStore) DeleteRule(ctx context.Context, id uuid.UUID, version *int) (*software.Rule, *software.NormalizationRun, error) {
	var out *software.Rule
	run, err := s.change(ctx, "deleteSoftwareTitleRule", func(tx pgx.Tx, p itam.Principal) error {
		if _, err := softwareRulesTable.lock(ctx, tx, id, version); err != nil {
			return err
		}
		var err error
		if out, err = returningOne(ctx, tx, scanSoftwareRule, `DELETE FROM software_title_rules x WHERE x.id = $1 RETURNING `+softwareRuleColumns, id); err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE software_title_rules SET position = position - 1 WHERE position > $1`, out.Position); err != nil {
			return err
		}
		// The rules after it moved up by one; only the deletion is recorded.
		return insertSoftwareHistory(ctx, tx, p, software.HistoryRule, out.ID, software.HistoryDelete, software.RuleDiff(out, nil))
	})
	if err != nil {
		return nil, nil, err
	}
	return out, run, nil
}

// MoveRule moves a rule to position (1 … number of rules), shifting the
// rules in between by one, and queues a re-normalization.
func (s *SoftwareRuleStore) MoveRule(ctx context.Context, id uuid.UUID, position int) (*software.Rule, *software.NormalizationRun, error) {
	var out *software.Rule
	run, err := s.change(ctx, "moveSoftwareTitleRule", func(tx pgx.Tx, p itam.Principal) error {
		cur, err := softwareRulesTable.lock(ctx, tx, id, nil)
		if err != nil {
			return err
		}
		n, err := ruleCount(ctx, tx)
		if err != nil {
			return err
		}
		if err := software.CheckMove(position, n); err != nil {
			return err
		}
		out = cur
		if position == cur.Position {
			return nil
		}
		// One statement: the position constraint is checked at its end.
		if _, err := tx.Exec(ctx, `UPDATE software_title_rules SET position = CASE
				WHEN id = $1 THEN $2::int
				WHEN $2::int < $3::int THEN position + 1
				ELSE position - 1 END,
			version = CASE WHEN id = $1 THEN version + 1 ELSE version END,
			updated_at = CASE WHEN id = $1 THEN now() ELSE updated_at END
			WHERE position BETWEEN least($2::int, $3::int) AND greatest($2::int, $3::int)`, id, position, cur.Position); err != nil {
			return err
		}
		if out, err = returningOne(ctx, tx, scanSoftwareRule, `SELECT `+softwareRuleColumns+` FROM software_title_rules x WHERE x.id = $1`, id); err != nil {
			return err
		}
		// Only the moved rule's entry: the rules it shifted by one are not
		// recorded each (their order follows from this move).
		return insertSoftwareHistory(ctx, tx, p, software.HistoryRule, id, software.HistoryMove, software.MoveChanges(cur.Position, out.Position))
	})
	if err != nil {
		return nil, nil, err
	}
	return out, run, nil
}

// Renormalize queues a re-normalization without changing any rule.
func (s *SoftwareRuleStore) Renormalize(ctx context.Context) (*software.NormalizationRun, error) {
	return s.change(ctx, "renormalizeSoftware", nil)
}

// RuleTestResult is what the organization's rules make of one sample.
type RuleTestResult struct {
	Sample software.Title
	Match  *software.Match // nil when no rule matches
}

// TestRules matches samples against the organization's current rules and
// writes nothing.
func (s *SoftwareRuleStore) TestRules(ctx context.Context, samples []software.Title) ([]RuleTestResult, error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return nil, err
	}
	if err := software.CheckSamples(samples); err != nil {
		return nil, err
	}
	m, err := s.matcher(ctx, p.OrgID)
	if err != nil {
		return nil, err
	}
	out := make([]RuleTestResult, len(samples))
	for i, t := range samples {
		out[i].Sample = t
		if got, ok := m.Match(t); ok {
			out[i].Match = &got
		}
	}
	return out, nil
}

// matcher compiles the organization's rules.
func (s *SoftwareRuleStore) matcher(ctx context.Context, org uuid.UUID) (*software.Matcher, error) {
	rules, err := query(ctx, s.db, org, `SELECT `+softwareRuleColumns+` FROM software_title_rules x ORDER BY x.position`, nil, scanSoftwareRule)
	if err != nil {
		return nil, err
	}
	return compileRules(rules)
}

func compileRules(rules []*software.Rule) (*software.Matcher, error) {
	list := make([]software.Rule, len(rules))
	for i, r := range rules {
		list[i] = *r
	}
	return software.Compile(list)
}
