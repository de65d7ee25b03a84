package postgres

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// unmatchedSpec lists current installations no rule resolves, grouped by
// (lower(title), identifier): most devices first, then by the group key.
// The grouping runs over the partial index of unmatched installations.
func unmatchedSpec(f software.UnmatchedFilter) listSpec[*software.UnmatchedTitle] {
	args := &sqlArgs{}
	where := "s.product_id IS NULL AND s.ended_at IS NULL"
	if f.Search != nil {
		p := args.add(likePattern(*f.Search))
		where += " AND (s.title ILIKE " + p + " OR s.identifier ILIKE " + p + ")"
	}
	if f.Source != nil {
		where += " AND s.source = " + args.add(*f.Source)
	}
	having := ""
	if f.MinDevices != nil {
		having = " HAVING count(DISTINCT s.asset_id) >= " + args.add(*f.MinDevices) + "::int"
	}
	from := `(SELECT min(s.title) AS title, nullif(coalesce(s.identifier, ''), '') AS identifier,
			count(DISTINCT s.asset_id)::int AS device_count,
			coalesce(array_agg(DISTINCT s.version ORDER BY s.version) FILTER (WHERE s.version IS NOT NULL), '{}') AS versions,
			array_agg(DISTINCT s.source ORDER BY s.source) AS sources,
			min(s.first_seen_at) AS first_seen_at, max(s.last_seen_at) AS last_seen_at,
			lower(s.title) || chr(31) || coalesce(s.identifier, '') AS group_key
		FROM software_installations s WHERE ` + where + `
		GROUP BY lower(s.title), coalesce(s.identifier, '')` + having + `) g`
	return listSpec[*software.UnmatchedTitle]{
		columns: "g.title, g.identifier, g.device_count, g.versions, g.sources, g.first_seen_at, g.last_seen_at, g.group_key",
		from:    from, idExpr: "g.group_key", idType: "text", args: args,
		// Negated so one ascending order puts most devices first and
		// breaks ties by title.
		sort: sortKey[*software.UnmatchedTitle]{"(-g.device_count)", "integer",
			func(u *software.UnmatchedTitle) string { return strconv.Itoa(-u.DeviceCount) }},
		dir: itam.Asc, id: func(u *software.UnmatchedTitle) string { return u.GroupKey },
		scan: func(r pgx.CollectableRow) (*software.UnmatchedTitle, error) {
			var u software.UnmatchedTitle
			err := r.Scan(&u.Title, &u.Identifier, &u.DeviceCount, &u.Versions, &u.Sources, &u.FirstSeenAt, &u.LastSeenAt, &u.GroupKey)
			return &u, err
		},
	}
}

// ListUnmatched returns one page of unmatched titles with device counts.
// ADMIN, MANAGER and AUDITOR.
func (s *SoftwareRuleStore) ListUnmatched(ctx context.Context, f software.UnmatchedFilter, page itam.PageArgs) (itam.Page[*software.UnmatchedTitle], error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return itam.Page[*software.UnmatchedTitle]{}, err
	}
	if err := f.Check(); err != nil {
		return itam.Page[*software.UnmatchedTitle]{}, err
	}
	return list(ctx, s.db, p.OrgID, unmatchedSpec(f), page)
}

// CountUnmatched returns how many unmatched titles match f.
func (s *SoftwareRuleStore) CountUnmatched(ctx context.Context, f software.UnmatchedFilter) (int, error) {
	p, err := software.RequireRuleRead(ctx)
	if err != nil {
		return 0, err
	}
	if err := f.Check(); err != nil {
		return 0, err
	}
	spec := unmatchedSpec(f)
	return count(ctx, s.db, p.OrgID, spec.from, nil, spec.args)
}
