package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// applySeats assigns a chunk's new seats. The dry run checked each row
// with the licenses rules; the commit checks again what may have moved
// since (the license gone, the holder gone, offboarded, retired or
// disposed; the license's model changed) and refuses the chunk (STALE)
// naming the first such line, so the run applies exactly its plan. A seat
// someone assigned meanwhile is the plan's outcome already and is kept
// (ON CONFLICT DO NOTHING on the active-seat indexes). One statement reads
// the holders, one inserts the seats, one writes their ASSIGN_SEAT history.
func (c *importCommit) applySeats(ctx context.Context, rows []imports.RowPlan) error {
	var lines []int
	var lics []uuid.UUID
	var emails, tags []string
	for _, r := range rows {
		if r.Action != imports.ActionCreate || r.TargetID == nil {
			continue
		}
		lines, lics = append(lines, r.Line), append(lics, *r.TargetID)
		emails, tags = append(emails, nameKey(r.Values["person"])), append(tags, imports.NormalizeTag(r.Values["assetTag"]))
	}
	if len(lines) == 0 {
		return nil
	}
	type seatRow struct {
		line           int
		license        *uuid.UUID
		model          *string
		person, asset  *uuid.UUID
		pStatus, aStat *string
	}
	var found []seatRow
	// FOR SHARE: the licenses cannot be deleted under their new seats.
	if _, err := c.tx.Exec(ctx, `SELECT 1 FROM licenses WHERE id = ANY($1::uuid[]) ORDER BY id FOR SHARE`, distinct(lics)); err != nil {
		return err
	}
	err := scanEach(ctx, c.tx, `SELECT x.line, l.id, l.license_model::text, p.id, p.status::text, a.id, a.status::text
		FROM unnest($1::int[], $2::uuid[], $3::text[], $4::text[]) AS x(line, license, email, tag)
		LEFT JOIN licenses l ON l.id = x.license
		LEFT JOIN people p ON x.email <> '' AND p.email_key = x.email
		LEFT JOIN assets a ON x.tag <> '' AND a.asset_tag_key = x.tag
		ORDER BY x.line`, []any{lines, lics, emails, tags}, func(r pgx.Rows) error {
		var s seatRow
		err := r.Scan(&s.line, &s.license, &s.model, &s.person, &s.pStatus, &s.asset, &s.aStat)
		found = append(found, s)
		return err
	})
	if err != nil {
		return err
	}
	stale := func(line int, why string) error {
		return itam.Conflict("line", "line %d: %s since the dry run; start a new dry run", line, why)
	}
	var seatLics, persons, assets []*uuid.UUID
	for _, s := range found {
		if s.license == nil {
			return stale(s.line, "the license was deleted")
		}
		in := licenses.SeatInput{LicenseID: *s.license, PersonID: s.person, AssetID: s.asset}
		if s.person == nil && s.asset == nil {
			return stale(s.line, "the seat's holder was deleted")
		}
		var err error
		if s.person != nil {
			err = licenses.CheckPersonHolder(itam.PersonStatus(*s.pStatus))
		} else {
			err = licenses.CheckAssetHolder(itam.AssetStatus(*s.aStat))
		}
		if err == nil {
			err = licenses.CheckAssign(&licenses.License{Model: licenses.Model(*s.model)}, in)
		}
		if err != nil {
			return stale(s.line, "the seat can no longer be assigned ("+err.Error()+")")
		}
		seatLics, persons, assets = append(seatLics, s.license), append(persons, s.person), append(assets, s.asset)
	}
	kind, who, _ := actor(c.p)
	_, err = c.tx.Exec(ctx, `WITH ins AS (
			INSERT INTO license_seats (org_id, license_id, person_id, asset_id, assigned_by)
			SELECT $1, x.license, x.person, x.asset, $5 FROM unnest($2::uuid[], $3::uuid[], $4::uuid[]) AS x(license, person, asset)
			ON CONFLICT DO NOTHING RETURNING id, license_id, person_id, asset_id)
		INSERT INTO license_history (org_id, license_id, seat_id, action, actor_kind, actor, changes)
		SELECT $1, ins.license_id, ins.id, 'ASSIGN_SEAT', $6::text::actor_kind, $5,
			CASE WHEN ins.person_id IS NOT NULL THEN jsonb_build_object('personId', jsonb_build_object('from', NULL, 'to', ins.person_id))
			ELSE jsonb_build_object('assetId', jsonb_build_object('from', NULL, 'to', ins.asset_id)) END
		FROM ins`, c.org, seatLics, persons, assets, who, string(kind))
	return err
}
