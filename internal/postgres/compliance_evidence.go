package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/software"
)

// evidenceBasis is what a product's evidence is judged against: its
// metric and active licenses.
type evidenceBasis struct {
	metric   licenses.Metric
	licensed bool
	site     bool
	siteName *string
	siteID   *uuid.UUID
}

// evidenceBasisOf reads the product's active licenses; NOT_FOUND when the
// product is not the caller's.
func (s *LicenseComplianceStore) evidenceBasisOf(ctx context.Context, org, product uuid.UUID) (evidenceBasis, error) {
	return queryOne(ctx, s.db, org, "software product", `SELECT coalesce(array_agg(DISTINCT l.license_model::text) FILTER (WHERE l.id IS NOT NULL), '{}'),
		(array_agg(l.id ORDER BY l.term_start DESC NULLS LAST, l.created_at DESC) FILTER (WHERE l.license_model = 'SITE'))[1],
		(array_agg(l.name ORDER BY l.term_start DESC NULLS LAST, l.created_at DESC) FILTER (WHERE l.license_model = 'SITE'))[1]
	FROM software_products p LEFT JOIN licenses l ON l.product_id = p.id AND `+activeLicense("l")+`
	WHERE p.id = $1 GROUP BY p.id`, []any{product}, func(r pgx.CollectableRow) (evidenceBasis, error) {
		var b evidenceBasis
		var models []licenses.Model
		if err := r.Scan(&models, &b.siteID, &b.siteName); err != nil {
			return b, err
		}
		b.metric, b.licensed, b.site = licenses.MetricFor(models), len(models) > 0, b.siteID != nil
		return b, nil
	})
}

// evidenceKeys selects the rows of a product's evidence as (kind, holder):
// DEVICE metric, every device with a current installation or an
// unreclaimed seat of an active license ("device", asset id); USER metric,
// every person assigned such a device (not RETIRED or DISPOSED) or holding
// such a seat ("person", person id), and each such device assigned to
// nobody ("device", asset id).
func evidenceKeys(metric licenses.Metric, product string) string {
	seats := `SELECT %s FROM license_seats s JOIN licenses l ON l.id = s.license_id
		WHERE l.product_id = ` + product + ` AND s.reclaimed_at IS NULL AND ` + activeLicense("l")
	if metric == licenses.CountDevices {
		return `(SELECT DISTINCT 'device'::text AS kind, d.holder FROM (
			SELECT i.asset_id AS holder FROM software_installations i WHERE i.product_id = ` + product + ` AND i.ended_at IS NULL
			UNION ALL ` + fmt.Sprintf(seats, "s.asset_id") + ` AND s.asset_id IS NOT NULL) d) x`
	}
	return `(SELECT DISTINCT d.kind, d.holder FROM (
		SELECT CASE WHEN a.assigned_person_id IS NULL THEN 'device' ELSE 'person' END AS kind, coalesce(a.assigned_person_id, a.id) AS holder
		FROM software_installations i JOIN assets a ON a.id = i.asset_id
		WHERE i.product_id = ` + product + ` AND i.ended_at IS NULL AND a.status NOT IN ` + inactiveAssetSQL + `
		UNION ALL ` + fmt.Sprintf(seats, "'person', s.person_id") + ` AND s.person_id IS NOT NULL
		UNION ALL ` + fmt.Sprintf(seats, "'device', s.asset_id") + ` AND s.asset_id IS NOT NULL) d) x`
}

// evidenceRow is one evidence row with its keyset position.
type evidenceRow struct {
	kind   string
	holder uuid.UUID
	ev     *licenses.Evidence
}

// LicenseEvidence returns one page (first/after) of a product's audit
// evidence in a stable order; NOT_FOUND for a product that is not the
// caller's. Two round trips: the product's licenses, then the page.
func (s *LicenseComplianceStore) LicenseEvidence(ctx context.Context, product uuid.UUID, pa itam.PageArgs) (itam.Page[*licenses.Evidence], error) {
	p, err := licenses.RequireComplianceRead(ctx)
	if err != nil {
		return itam.Page[*licenses.Evidence]{}, err
	}
	if pa.Last != nil || pa.Before != nil {
		return itam.Page[*licenses.Evidence]{}, itam.Invalid("last", "evidence pages go forward only (first, after)")
	}
	w, err := newPageWindow(pa)
	if err != nil {
		return itam.Page[*licenses.Evidence]{}, err
	}
	basis, err := s.evidenceBasisOf(ctx, p.OrgID, product)
	if err != nil || w.limit == 0 {
		return itam.Page[*licenses.Evidence]{}, err
	}
	args := &sqlArgs{}
	prod := args.add(product) + "::uuid"
	spec := listSpec[evidenceRow]{
		columns: "x.kind, x.holder", from: evidenceKeys(basis.metric, prod), idExpr: "x.holder", args: args,
		sort: sortKey[evidenceRow]{expr: "x.kind", sqlType: "text", key: func(r evidenceRow) string { return r.kind }},
		id:   func(r evidenceRow) string { return r.holder.String() },
	}
	sql := `SELECT k.kind, k.holder, a.id, a.asset_tag, a.serial_number, a.status::text, pe.id, pe.name, pe.email, pe.status::text,
		inst.j, st.id, st.license_id, st.name, st.license_model
	FROM (` + spec.pageSQL(w) + `) k
	LEFT JOIN assets a ON k.kind = 'device' AND a.id = k.holder
	LEFT JOIN people pe ON pe.id = CASE WHEN k.kind = 'person' THEN k.holder ELSE a.assigned_person_id END
	LEFT JOIN LATERAL (SELECT json_agg(json_build_object('assetId', i.asset_id, 'source', i.source, 'key', i.app_key, 'title', i.title,
			'version', i.version, 'identifier', i.identifier, 'productId', i.product_id, 'ruleId', i.rule_id, 'edition', i.edition,
			'normalizedVersion', i.normalized_version, 'firstSeenAt', i.first_seen_at, 'lastSeenAt', i.last_seen_at)
			ORDER BY lower(i.title), i.asset_id, i.source, i.app_key) AS j
		FROM software_installations i WHERE i.product_id = ` + prod + ` AND i.ended_at IS NULL
		AND CASE WHEN k.kind = 'device' THEN i.asset_id = k.holder
			ELSE i.asset_id IN (SELECT d.id FROM assets d WHERE d.assigned_person_id = k.holder AND d.status NOT IN ` + inactiveAssetSQL + `) END) inst ON true
	LEFT JOIN LATERAL (SELECT s.id, s.license_id, l.name, l.license_model::text AS license_model FROM license_seats s JOIN licenses l ON l.id = s.license_id
		WHERE l.product_id = ` + prod + ` AND s.reclaimed_at IS NULL AND ` + activeLicense("l") + `
		AND CASE WHEN k.kind = 'person' THEN s.person_id ELSE s.asset_id END = k.holder
		ORDER BY s.assigned_at DESC, s.id LIMIT 1) st ON true
	ORDER BY k.kind, k.holder`
	rows, err := query(ctx, s.db, p.OrgID, sql, args.list, func(r pgx.CollectableRow) (evidenceRow, error) {
		return scanEvidence(r, basis)
	})
	if err != nil {
		return itam.Page[*licenses.Evidence]{}, err
	}
	page := spec.toPage(rows, w)
	out := itam.Page[*licenses.Evidence]{HasNextPage: page.HasNextPage, HasPreviousPage: page.HasPreviousPage, Cursors: page.Cursors,
		Items: make([]*licenses.Evidence, len(page.Items))}
	for i, r := range page.Items {
		out.Items[i] = r.ev
	}
	return out, nil
}

// CountLicenseEvidence is how many rows a product's evidence has.
func (s *LicenseComplianceStore) CountLicenseEvidence(ctx context.Context, product uuid.UUID) (int, error) {
	p, err := licenses.RequireComplianceRead(ctx)
	if err != nil {
		return 0, err
	}
	basis, err := s.evidenceBasisOf(ctx, p.OrgID, product)
	if err != nil {
		return 0, err
	}
	return count(ctx, s.db, p.OrgID, evidenceKeys(basis.metric, "$1::uuid"), nil, &sqlArgs{list: []any{product}})
}

// evidenceInstallation is an installation as the evidence query's JSON has it.
type evidenceInstallation struct {
	AssetID           uuid.UUID  `json:"assetId"`
	Source            string     `json:"source"`
	Key               string     `json:"key"`
	Title             string     `json:"title"`
	Version           *string    `json:"version"`
	Identifier        *string    `json:"identifier"`
	ProductID         *uuid.UUID `json:"productId"`
	RuleID            *uuid.UUID `json:"ruleId"`
	Edition           *string    `json:"edition"`
	NormalizedVersion *string    `json:"normalizedVersion"`
	FirstSeenAt       time.Time  `json:"firstSeenAt"`
	LastSeenAt        time.Time  `json:"lastSeenAt"`
}

func scanEvidence(r pgx.CollectableRow, b evidenceBasis) (evidenceRow, error) {
	var row evidenceRow
	e := &licenses.Evidence{Installations: []software.Installation{}}
	row.ev = e
	var inst []byte
	var model *string
	if err := r.Scan(&row.kind, &row.holder, &e.AssetID, &e.AssetTag, &e.SerialNumber, &e.AssetStatus, &e.PersonID, &e.PersonName,
		&e.PersonEmail, &e.PersonStatus, &inst, &e.SeatID, &e.LicenseID, &e.LicenseName, &model); err != nil {
		return row, err
	}
	if inst != nil {
		var xs []evidenceInstallation
		if err := json.Unmarshal(inst, &xs); err != nil {
			return row, fmt.Errorf("evidence installations: %w", err)
		}
		for _, x := range xs {
			e.Installations = append(e.Installations, software.Installation{AssetID: x.AssetID, Source: x.Source, Key: x.Key,
				Title: x.Title, Version: x.Version, Identifier: x.Identifier, ProductID: x.ProductID, RuleID: x.RuleID, Edition: x.Edition,
				NormalizedVersion: x.NormalizedVersion, FirstSeenAt: x.FirstSeenAt, LastSeenAt: x.LastSeenAt})
		}
	}
	if model != nil {
		m := licenses.Model(*model)
		e.LicenseModel = &m
	}
	f := licenses.EvidenceFacts{Metric: b.metric, Installed: len(e.Installations) > 0, Seat: e.SeatID != nil,
		Licensed: b.licensed, Site: b.site, SiteName: b.siteName}
	switch {
	case row.kind == "person":
		if e.PersonStatus != nil && *e.PersonStatus == string(itam.PersonOffboarded) {
			f.Inactive = *e.PersonStatus
		}
	case e.AssetStatus != nil && (*e.AssetStatus == string(itam.StatusRetired) || *e.AssetStatus == string(itam.StatusDisposed)):
		f.Inactive = *e.AssetStatus
	case b.metric == licenses.CountUsers:
		f.Unattributed = e.PersonID == nil
	}
	if f.Site && e.SeatID == nil {
		e.LicenseID, e.LicenseName = b.siteID, b.siteName
		site := licenses.Site
		e.LicenseModel = &site
	}
	e.Covered, e.Note = licenses.Judge(f)
	return row, nil
}
