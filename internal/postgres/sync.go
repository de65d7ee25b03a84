package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// SyncStore applies what connectors report to the inventory, one page per
// transaction together with the run's cursor: a worker killed between pages
// resumes after the last committed one, and a page is applied whole or not
// at all.
type SyncStore struct{ db *DB }

// NewSyncStore returns a SyncStore over db.
//
// Its statements get the job statement timeout (DB.ForJobs), not the
// request one: applying a page of devices is one long transaction.
func NewSyncStore(db *DB) *SyncStore { return &SyncStore{db: db.ForJobs()} }

// SyncTarget is the connector and run a page belongs to.
type SyncTarget struct {
	Connector *itam.Connector
	RunID     uuid.UUID
}

// PageResult counts what one page did.
type PageResult struct {
	Created, Updated, Unchanged int
	Errors                      []itam.SyncError
}

// ErrRunCancelled is returned when the run was cancelled; nothing of the
// page is applied.
var ErrRunCancelled = errors.New("sync run was cancelled")

// pageState is everything one page needs, loaded with one query per kind.
type pageState struct {
	p   itam.Principal
	t   SyncTarget
	now time.Time
	// Snapshot is what reconcile.Plan reads; software is this source's
	// software of the page's existing assets, by app key.
	*reconcile.Snapshot
	software map[uuid.UUID]map[string]reconcile.InstalledSoftware
}

// ApplyPage reconciles one page of devices and records progress (next
// cursor, counters, per-record errors) in the same transaction.
func (s *SyncStore) ApplyPage(ctx context.Context, t SyncTarget, devices []reconcile.Device, nextCursor string) (PageResult, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return PageResult{}, err
	}
	var res PageResult
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status::text FROM sync_runs WHERE id = $1 FOR UPDATE`, t.RunID).Scan(&status); err != nil {
			return err
		}
		if status == string(itam.SyncCancelled) {
			return ErrRunCancelled
		}
		st, err := loadPageState(ctx, tx, p, t, devices)
		if err != nil {
			return err
		}
		res, err = st.apply(ctx, tx, devices)
		if err != nil {
			return err
		}
		errs := []byte("[]")
		if len(res.Errors) > 0 {
			errs, _ = json.Marshal(res.Errors)
		}
		_, err = tx.Exec(ctx, `UPDATE sync_runs SET cursor = $2, pages_fetched = pages_fetched + 1,
			records_seen = records_seen + $3, created_count = created_count + $4, updated_count = updated_count + $5,
			unchanged_count = unchanged_count + $6, error_count = error_count + $7,
			errors = CASE WHEN jsonb_array_length(errors) >= $8 THEN errors
				ELSE (SELECT coalesce(jsonb_agg(e), '[]') FROM (SELECT e FROM jsonb_array_elements(errors || $9::jsonb) e LIMIT $8) x) END
			WHERE id = $1`,
			t.RunID, nextCursor, len(devices), res.Created, res.Updated, res.Unchanged, len(res.Errors), itam.MaxSyncErrors, string(errs))
		return err
	})
	return res, err
}

func loadPageState(ctx context.Context, tx pgx.Tx, p itam.Principal, t SyncTarget, devices []reconcile.Device) (*pageState, error) {
	st := &pageState{p: p, t: t, software: map[uuid.UUID]map[string]reconcile.InstalledSoftware{}, Snapshot: &reconcile.Snapshot{
		OrgID: p.OrgID, Source: t.Connector.Source(), Kind: t.Connector.Kind, AuthoritativeForPeople: t.Connector.AuthoritativeForPeople,
		Precedence: reconcile.Precedence{}, Authoritative: map[string]bool{},
		Links: map[string]uuid.UUID{}, BySerial: map[string][]reconcile.SerialCandidate[uuid.UUID]{}, ByTag: map[string]uuid.UUID{},
		Assets: map[uuid.UUID]*itam.Asset{}, Provenance: map[uuid.UUID]map[string]reconcile.FieldSource{},
		People: map[string]uuid.UUID{}, ActivePeople: map[uuid.UUID]bool{}, Models: map[string]uuid.UUID{}, Manufacturers: map[string]uuid.UUID{},
	}}
	if err := tx.QueryRow(ctx, `SELECT now(), default_currency, default_owner_team_id FROM organizations WHERE id = $1`, p.OrgID).
		Scan(&st.now, &st.DefaultCurrency, &st.DefaultOwnerTeam); err != nil {
		return nil, err
	}
	if t.Connector.DefaultOwnerTeamID != nil {
		st.DefaultOwnerTeam = t.Connector.DefaultOwnerTeamID
	}
	if err := scanEach(ctx, tx, `SELECT kind::text, id FROM connectors WHERE authoritative_for_people`, nil, func(r pgx.Rows) error {
		var kind string
		var id uuid.UUID
		if err := r.Scan(&kind, &id); err != nil {
			return err
		}
		st.Authoritative[itam.ConnectorSource(kind, id)] = true
		return nil
	}); err != nil {
		return nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT field, sources FROM field_precedence`)
	for rows.Next() {
		var f string
		var srcs []string
		if err := rows.Scan(&f, &srcs); err != nil {
			return nil, err
		}
		st.Precedence[f] = srcs
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}

	var ext, serials, tags, emails, mfrNames []string
	for _, d := range devices {
		ext = append(ext, d.ExternalID)
		if s := reconcile.NormalizeSerial(d.SerialNumber); s != "" && !d.Virtual {
			serials = append(serials, s)
		}
		if tag := strings.TrimSpace(d.AssetTag); tag != "" {
			tags = append(tags, strings.ToLower(tag))
		}
		if e := reconcile.NormalizeEmail(d.UserEmail); e != "" {
			emails = append(emails, e)
		}
		mfrNames = append(mfrNames, strings.ToLower(d.ManufacturerName()))
	}
	if err := scanEach(ctx, tx, `SELECT y.external_id, y.asset_id FROM unnest($2::text[]) AS x(ext), LATERAL (
		SELECT l.external_id, l.asset_id FROM asset_external_ids l WHERE l.source = $1 AND l.external_id = x.ext OFFSET 0) y`,
		[]any{st.Source, distinct(ext)}, func(r pgx.Rows) error {
			var e string
			var id uuid.UUID
			if err := r.Scan(&e, &id); err != nil {
				return err
			}
			st.Links[e] = id
			return nil
		}); err != nil {
		return nil, err
	}
	if err := scanEach(ctx, tx, `SELECT y.id, y.serial_key, m.name FROM unnest($1::text[]) AS x(serial), LATERAL (
		SELECT a.id, a.serial_key, a.manufacturer_id FROM assets a WHERE a.serial_key = x.serial AND a.serial_key IS NOT NULL OFFSET 0) y
		JOIN manufacturers m ON m.id = y.manufacturer_id`, []any{distinct(serials)}, func(r pgx.Rows) error {
		var c reconcile.SerialCandidate[uuid.UUID]
		var s string
		if err := r.Scan(&c.ID, &s, &c.Manufacturer); err != nil {
			return err
		}
		st.BySerial[s] = append(st.BySerial[s], c)
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scanEach(ctx, tx, `SELECT y.id, y.asset_tag_key FROM unnest($1::text[]) AS x(tag), LATERAL (
		SELECT a.id, a.asset_tag_key FROM assets a WHERE a.asset_tag_key = x.tag OFFSET 0) y`, []any{distinct(tags)}, func(r pgx.Rows) error {
		var id uuid.UUID
		var tag string
		if err := r.Scan(&id, &tag); err != nil {
			return err
		}
		st.ByTag[tag] = id
		return nil
	}); err != nil {
		return nil, err
	}
	// Lock every asset the page may touch, so a concurrent manual edit waits
	// for the page or the page waits for it, never a lost update.
	var ids []uuid.UUID
	for _, id := range st.Links {
		ids = append(ids, id)
	}
	for _, cs := range st.BySerial {
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
	}
	for _, id := range st.ByTag {
		ids = append(ids, id)
	}
	rows, _ = tx.Query(ctx, "SELECT "+assetColumns+" FROM assets a WHERE a.id = ANY($1) ORDER BY a.id FOR UPDATE", ids)
	assets, err := pgx.CollectRows(rows, scanAsset)
	if err != nil {
		return nil, err
	}
	for _, a := range assets {
		st.Assets[a.ID] = a
	}
	if err := scanEach(ctx, tx, `SELECT y.asset_id, y.field, y.source, y.locked FROM unnest($1::uuid[]) AS x(id), LATERAL (
		SELECT p.asset_id, p.field, p.source, p.locked FROM field_provenance p WHERE p.asset_id = x.id OFFSET 0) y`, []any{distinctIDs(ids)}, func(r pgx.Rows) error {
		var id uuid.UUID
		var f string
		var pv reconcile.FieldSource
		if err := r.Scan(&id, &f, &pv.Source, &pv.Locked); err != nil {
			return err
		}
		if st.Provenance[id] == nil {
			st.Provenance[id] = map[string]reconcile.FieldSource{}
		}
		st.Provenance[id][f] = pv
		return nil
	}); err != nil {
		return nil, err
	}
	if err := scanEach(ctx, tx, `SELECT y.asset_id, y.app_key, y.title, y.version, y.identifier, y.stale FROM unnest($2::uuid[]) AS x(id), LATERAL (
			SELECT s.asset_id, s.app_key, s.title, coalesce(s.version, '') AS version, coalesce(s.identifier, '') AS identifier,
				s.last_seen_at < now() - interval '1 day' AS stale
			FROM software_installations s WHERE s.source = $1 AND s.asset_id = x.id OFFSET 0) y`,
		[]any{st.Source, distinctIDs(ids)}, func(r pgx.Rows) error {
			var id uuid.UUID
			var key string
			var sw reconcile.InstalledSoftware
			if err := r.Scan(&id, &key, &sw.Title, &sw.Version, &sw.Identifier, &sw.Stale); err != nil {
				return err
			}
			if st.software[id] == nil {
				st.software[id] = map[string]reconcile.InstalledSoftware{}
			}
			st.software[id][key] = sw
			return nil
		}); err != nil {
		return nil, err
	}
	if err := st.ensurePeople(ctx, tx, devices, emails); err != nil {
		return nil, err
	}
	if err := st.ensureModels(ctx, tx, devices, mfrNames); err != nil {
		return nil, err
	}
	return st, nil
}

func scanEach(ctx context.Context, tx pgx.Tx, sql string, args []any, fn func(pgx.Rows) error) error {
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ensurePeople finds the people the page names by email and creates the
// unknown ones, marked as discovered by this source.
func (st *pageState) ensurePeople(ctx context.Context, tx pgx.Tx, devices []reconcile.Device, emails []string) error {
	load := func() error {
		return scanEach(ctx, tx, `SELECT y.id, y.email_key, y.active FROM unnest($1::text[]) AS x(e), LATERAL (
			SELECT p.id, p.email_key, p.status = 'ACTIVE' AS active FROM people p WHERE p.email_key = x.e OFFSET 0) y`, []any{distinct(emails)}, func(r pgx.Rows) error {
			var id uuid.UUID
			var e string
			var active bool
			if err := r.Scan(&id, &e, &active); err != nil {
				return err
			}
			st.People[e], st.ActivePeople[id] = id, active
			return nil
		})
	}
	if err := load(); err != nil {
		return err
	}
	var names, missing []string
	seen := map[string]bool{}
	for _, d := range devices {
		e := reconcile.NormalizeEmail(d.UserEmail)
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		if _, ok := st.People[e]; !ok {
			missing = append(missing, e)
			name := strings.TrimSpace(d.UserName)
			if name == "" {
				name = e[:strings.Index(e, "@")]
			}
			names = append(names, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO people (org_id, name, email, discovered_by)
		SELECT $1, n, e, $4 FROM unnest($2::text[], $3::text[]) AS x(n, e)
		ON CONFLICT (org_id, email_key) DO NOTHING`, st.p.OrgID, names, missing, st.Source); err != nil {
		return err
	}
	return load()
}

// ensureModels matches manufacturers and models by name, case-insensitively,
// creating what is missing (new models go to a category of the guessed kind).
func (st *pageState) ensureModels(ctx context.Context, tx pgx.Tx, devices []reconcile.Device, mfrNames []string) error {
	loadMfrs := func() error {
		return scanEach(ctx, tx, `SELECT id, lower(name) FROM manufacturers WHERE lower(name) = ANY($1)`, []any{mfrNames}, func(r pgx.Rows) error {
			var id uuid.UUID
			var n string
			if err := r.Scan(&id, &n); err != nil {
				return err
			}
			st.Manufacturers[n] = id
			return nil
		})
	}
	if err := loadMfrs(); err != nil {
		return err
	}
	var newMfrs []string
	seen := map[string]bool{}
	for _, d := range devices {
		n := d.ManufacturerName()
		if _, ok := st.Manufacturers[strings.ToLower(n)]; !ok && !seen[strings.ToLower(n)] {
			seen[strings.ToLower(n)] = true
			newMfrs = append(newMfrs, n)
		}
	}
	if len(newMfrs) > 0 {
		if _, err := tx.Exec(ctx, `INSERT INTO manufacturers (org_id, name) SELECT $1, unnest($2::text[]) ON CONFLICT (org_id, lower(name)) DO NOTHING`, st.p.OrgID, newMfrs); err != nil {
			return err
		}
		if err := loadMfrs(); err != nil {
			return err
		}
	}
	var mfrIDs []uuid.UUID
	var names []string
	for _, d := range devices {
		mfrIDs = append(mfrIDs, st.Manufacturers[strings.ToLower(d.ManufacturerName())])
		names = append(names, strings.ToLower(d.ModelName()))
	}
	loadModels := func() error {
		return scanEach(ctx, tx, `SELECT m.id, m.manufacturer_id, lower(m.name) FROM models m
			JOIN unnest($1::uuid[], $2::text[]) AS x(mfr, name) ON m.manufacturer_id = x.mfr AND lower(m.name) = x.name`,
			[]any{mfrIDs, names}, func(r pgx.Rows) error {
				var id, mfr uuid.UUID
				var n string
				if err := r.Scan(&id, &mfr, &n); err != nil {
					return err
				}
				st.Models[reconcile.ModelKey(mfr, n)] = id
				return nil
			})
	}
	if err := loadModels(); err != nil {
		return err
	}
	type newModel struct {
		mfr        uuid.UUID
		name, kind string
		number     string
	}
	var todo []newModel
	seenModel := map[string]bool{}
	for _, d := range devices {
		mfr := st.Manufacturers[strings.ToLower(d.ManufacturerName())]
		key := reconcile.ModelKey(mfr, d.ModelName())
		if _, ok := st.Models[key]; ok || seenModel[key] {
			continue
		}
		seenModel[key] = true
		todo = append(todo, newModel{mfr: mfr, name: d.ModelName(), number: d.ModelIdentifier,
			kind: reconcile.GuessCategoryKind(d.ManufacturerName(), d.Model, d.ModelIdentifier, d.OSName)})
	}
	if len(todo) == 0 {
		return nil
	}
	// One category per kind: the organization's own when it has one.
	cats := map[string]uuid.UUID{}
	if err := scanEach(ctx, tx, `SELECT DISTINCT ON (kind) kind::text, id FROM categories ORDER BY kind, created_at`, nil, func(r pgx.Rows) error {
		var k string
		var id uuid.UUID
		if err := r.Scan(&k, &id); err != nil {
			return err
		}
		cats[k] = id
		return nil
	}); err != nil {
		return err
	}
	var mfrs, catIDs []uuid.UUID
	var mnames, numbers []string
	for _, m := range todo {
		cat, ok := cats[m.kind]
		if !ok {
			name := reconcile.CategoryNames[m.kind]
			err := tx.QueryRow(ctx, `WITH ins AS (INSERT INTO categories (org_id, name, kind) VALUES ($1, $2, $3::text::category_kind)
				ON CONFLICT (org_id, lower(name)) DO NOTHING RETURNING id)
				SELECT id FROM ins UNION ALL SELECT id FROM categories WHERE lower(name) = lower($2) LIMIT 1`, st.p.OrgID, name, m.kind).Scan(&cat)
			if err != nil {
				return err
			}
			cats[m.kind] = cat
		}
		var number *string
		if m.number != "" && !strings.EqualFold(m.number, m.name) {
			number = &m.number
		}
		mfrs, catIDs, mnames = append(mfrs, m.mfr), append(catIDs, cat), append(mnames, m.name)
		numbers = append(numbers, deref(number))
	}
	if _, err := tx.Exec(ctx, `INSERT INTO models (org_id, manufacturer_id, category_id, name, model_number)
		SELECT $1, x.mfr, x.cat, x.name, nullif(x.num, '') FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[]) AS x(mfr, cat, name, num)
		ON CONFLICT (org_id, manufacturer_id, lower(name)) DO NOTHING`, st.p.OrgID, mfrs, catIDs, mnames, numbers); err != nil {
		return err
	}
	return loadModels()
}

// StartRun marks a run RUNNING (keeping its first start time across retries)
// and returns where it stands: its cursor to resume from.
func (s *SyncStore) StartRun(ctx context.Context, runID uuid.UUID) (*itam.SyncRun, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	var run itam.SyncRun
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, `UPDATE sync_runs SET status = CASE WHEN status = 'CANCELLED' THEN status ELSE 'RUNNING' END,
				started_at = coalesce(started_at, now())
			WHERE id = $1 RETURNING id, connector_id, mode::text, status::text, target_external_id, cursor, since`, runID).
			Scan(&run.ID, &run.ConnectorID, &run.Mode, &run.Status, &run.TargetExternalID, &run.Cursor, &run.Since)
	})
	return &run, err
}

// MarkMissing ends a complete full sync: every link of the connector the
// run did not see is marked missing since now (unless it already was).
func (s *SyncStore) MarkMissing(ctx context.Context, t SyncTarget) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE asset_external_ids SET missing_since = now()
			WHERE connector_id = $1 AND last_run_id IS DISTINCT FROM $2 AND missing_since IS NULL`, t.Connector.ID, t.RunID)
		if err != nil {
			return err
		}
		n = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `UPDATE sync_runs SET stale_marked_count = stale_marked_count + $2 WHERE id = $1`, t.RunID, n)
		return err
	})
	return n, err
}

// MarkStale flags the links of the caller's organization that have been
// missing longer than their connector's stale_after_days, and returns how
// many it flagged.
func (s *SyncStore) MarkStale(ctx context.Context) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE asset_external_ids l SET stale_since = now() FROM connectors c
			WHERE c.id = l.connector_id AND l.stale_since IS NULL AND l.missing_since IS NOT NULL
			AND l.missing_since < now() - make_interval(days => c.stale_after_days)`)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}

// OrgIDs lists every organization, for system jobs that visit each tenant.
func (s *SyncStore) OrgIDs(ctx context.Context) ([]uuid.UUID, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT itam.all_org_ids()`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
}

// AdvanceSchedule sets when a connector syncs next.
func (s *SyncStore) AdvanceSchedule(ctx context.Context, connectorID uuid.UUID, next *time.Time) error {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE connectors SET next_sync_at = $2 WHERE id = $1`, connectorID, next)
		return err
	})
}

// DueConnector is a connector whose scheduled sync is due.
type DueConnector struct {
	OrgID, ConnectorID uuid.UUID
}

// DueConnectors lists connectors due to sync across organizations (the
// scheduler runs before any tenant is known).
func (s *SyncStore) DueConnectors(ctx context.Context, now time.Time, limit int) ([]DueConnector, error) {
	rows, err := s.db.Pool.Query(ctx, `SELECT org_id, connector_id FROM itam.due_connectors($1, $2)`, now, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DueConnector, error) {
		var d DueConnector
		return d, r.Scan(&d.OrgID, &d.ConnectorID)
	})
}

// LastFullSuccess is when the connector last completed a full sync.
func (s *SyncStore) LastFullSuccess(ctx context.Context, connectorID uuid.UUID) (*time.Time, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := query(ctx, s.db, p.OrgID, `SELECT max(finished_at) FROM sync_runs WHERE connector_id = $1
		AND mode = 'FULL' AND status IN ('SUCCEEDED', 'PARTIAL') AND target_external_id IS NULL`, []any{connectorID}, func(r pgx.CollectableRow) (*time.Time, error) {
		var t *time.Time
		return t, r.Scan(&t)
	})
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return rows[0], nil
}

// distinct drops repeated values: lookups join their arguments through
// unnest (so the plan is index lookups whatever the statistics say), and a
// repeated value would return its rows twice.
func distinct(vs []string) []string {
	seen := make(map[string]bool, len(vs))
	out := vs[:0:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func distinctIDs(vs []uuid.UUID) []uuid.UUID {
	seen := make(map[uuid.UUID]bool, len(vs))
	out := vs[:0:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// EndOrphanedRuns ends the caller organization's QUEUED or RUNNING runs whose
// River job has ended without ending them, or no longer exists: a job
// cancelled from the River UI while queued, one the rescuer discarded after
// its workers died, one deleted. A cancelled job's run ends CANCELLED, any
// other FAILED, each with the reason; it returns how many it ended. A run
// whose job is still queued, running or retrying is left alone: its worker
// ends it.
func (s *SyncStore) EndOrphanedRuns(ctx context.Context) (int, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return 0, err
	}
	var n int
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `WITH orphans AS (
				SELECT r.id, j.state::text AS state, j.attempt FROM sync_runs r LEFT JOIN river_job j ON j.id = r.job_id
				WHERE r.status IN ('QUEUED', 'RUNNING') AND r.job_id IS NOT NULL
				AND (j.id IS NULL OR j.state IN ('cancelled', 'discarded', 'completed'))
				FOR UPDATE OF r SKIP LOCKED)
			UPDATE sync_runs x SET finished_at = now(), started_at = coalesce(x.started_at, x.queued_at),
				status = CASE WHEN o.state = 'cancelled' THEN 'CANCELLED' ELSE 'FAILED' END::sync_status,
				message = left(CASE
					WHEN o.state = 'cancelled' THEN 'the sync job was cancelled in the job queue'
					WHEN o.state = 'discarded' THEN format('the sync job was discarded after %s attempts', o.attempt)
					WHEN o.state = 'completed' THEN 'the sync job ended without ending its run'
					ELSE 'the sync job no longer exists' END
					|| coalesce('; last error: ' || x.message, ''), $1)
			FROM orphans o WHERE x.id = o.id`, maxRunMessage)
		n = int(tag.RowsAffected())
		return err
	})
	return n, err
}
