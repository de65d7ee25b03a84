package postgres

import (
	"context"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// loadPageState loads what every record of a page needs before it is
// matched: the settings reconcile.Plan reads, and the people, models and
// locations the page names (created when missing). loadAssets then loads
// the assets the records to reconcile may touch.
func loadPageState(ctx context.Context, tx pgx.Tx, p itam.Principal, t SyncTarget, devices []reconcile.Device) (*pageState, error) {
	st := &pageState{p: p, t: t, Snapshot: &reconcile.Snapshot{
		OrgID: p.OrgID, Source: t.Connector.Source(), Kind: t.Connector.Kind, AuthoritativeForPeople: t.Connector.AuthoritativeForPeople,
		Precedence: reconcile.Precedence{}, Authoritative: map[string]bool{},
		People: map[string]uuid.UUID{}, ActivePeople: map[uuid.UUID]bool{}, Models: map[string]uuid.UUID{}, Manufacturers: map[string]uuid.UUID{},
		Locations: map[string]uuid.UUID{},
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
	var emails, mfrNames []string
	for _, d := range devices {
		if e := reconcile.NormalizeEmail(d.UserEmail); e != "" {
			emails = append(emails, e)
		}
		mfrNames = append(mfrNames, strings.ToLower(d.ManufacturerName()))
	}
	if err := st.ensurePeople(ctx, tx, devices, emails); err != nil {
		return nil, err
	}
	if err := st.ensureModels(ctx, tx, devices, mfrNames); err != nil {
		return nil, err
	}
	if err := st.ensureLocations(ctx, tx, devices); err != nil {
		return nil, err
	}
	return st, nil
}

// loadAssets loads, for the records to reconcile, the assets they may be
// (by link, serial and tag), locked, with their provenance and this
// source's software, and the title rules their software resolves by.
func (st *pageState) loadAssets(ctx context.Context, tx pgx.Tx, devices []reconcile.Device) error {
	st.Links, st.BySerial, st.ByTag = map[string]uuid.UUID{}, map[string][]reconcile.SerialCandidate[uuid.UUID]{}, map[string]uuid.UUID{}
	st.Assets, st.Provenance = map[uuid.UUID]*itam.Asset{}, map[uuid.UUID]map[string]reconcile.FieldSource{}
	st.software = map[uuid.UUID]map[string]reconcile.InstalledSoftware{}
	if len(devices) == 0 {
		return nil
	}
	var ext, serials, tags []string
	for _, d := range devices {
		ext = append(ext, d.ExternalID)
		if s := reconcile.NormalizeSerial(d.SerialNumber); s != "" && !d.Virtual {
			serials = append(serials, s)
		}
		if tag := strings.TrimSpace(d.AssetTag); tag != "" {
			tags = append(tags, strings.ToLower(tag))
		}
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
		return err
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
		return err
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
		return err
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
	rows, _ := tx.Query(ctx, "SELECT "+assetColumns+" FROM assets a WHERE a.id = ANY($1) ORDER BY a.id FOR UPDATE", ids)
	assets, err := pgx.CollectRows(rows, scanAsset)
	if err != nil {
		return err
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
		return err
	}
	if err := scanEach(ctx, tx, `SELECT y.asset_id, y.app_key, y.title, y.version, y.identifier, y.stale, y.ended FROM unnest($2::uuid[]) AS x(id), LATERAL (
			SELECT s.asset_id, s.app_key, s.title, coalesce(s.version, '') AS version, coalesce(s.identifier, '') AS identifier,
				s.last_seen_at < now() - interval '1 day' AS stale, s.ended_at IS NOT NULL AS ended
			FROM software_installations s WHERE s.source = $1 AND s.asset_id = x.id OFFSET 0) y`,
		[]any{st.Source, distinctIDs(ids)}, func(r pgx.Rows) error {
			var id uuid.UUID
			var key string
			var sw reconcile.InstalledSoftware
			if err := r.Scan(&id, &key, &sw.Title, &sw.Version, &sw.Identifier, &sw.Stale, &sw.Ended); err != nil {
				return err
			}
			if st.software[id] == nil {
				st.software[id] = map[string]reconcile.InstalledSoftware{}
			}
			st.software[id][key] = sw
			return nil
		}); err != nil {
		return err
	}
	st.titleRules, err = loadTitleRules(ctx, tx, devices)
	return err
}

// ensureLocations finds the locations the page names (ITSM records carry a
// location name) and creates the unknown ones (findLocations).
func (st *pageState) ensureLocations(ctx context.Context, tx pgx.Tx, devices []reconcile.Device) error {
	names := make([]string, 0, len(devices))
	for _, d := range devices {
		names = append(names, d.Location)
	}
	return findLocations(ctx, tx, st.p.OrgID, names, true, st.Locations)
}

// findLocations finds locations by name, case-insensitively, into found
// (by reconcile.LocationKey); with create, unknown ones are created as
// sites, as models are created: a service desk's locations are real
// places, and a person can re-parent them later. When two locations share
// a name the oldest is taken.
func findLocations(ctx context.Context, tx pgx.Tx, org uuid.UUID, names []string, create bool, found map[string]uuid.UUID) error {
	var keys, clean []string
	seen := map[string]bool{}
	for _, n := range names {
		if k := reconcile.LocationKey(n); k != "" && !seen[k] {
			seen[k] = true
			keys, clean = append(keys, k), append(clean, strings.TrimSpace(n))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	load := func() error {
		return scanEach(ctx, tx, `SELECT DISTINCT ON (lower(name)) lower(name), id FROM locations WHERE lower(name) = ANY($1)
			ORDER BY lower(name), created_at, id`, []any{keys}, func(r pgx.Rows) error {
			var k string
			var id uuid.UUID
			if err := r.Scan(&k, &id); err != nil {
				return err
			}
			found[k] = id
			return nil
		})
	}
	if err := load(); err != nil || !create {
		return err
	}
	var missing []string
	for i, k := range keys {
		if _, ok := found[k]; !ok {
			missing = append(missing, clean[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO locations (org_id, kind, name) SELECT $1, 'SITE', unnest($2::text[])`, org, missing); err != nil {
		return err
	}
	return load()
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
			kind: reconcile.DeviceCategoryKind(d)})
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
