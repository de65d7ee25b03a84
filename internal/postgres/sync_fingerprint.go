package postgres

import (
	"bytes"
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/reconcile"
)

// unchangedRecord is a record of a page whose link's fingerprint
// (reconcile.Snapshot.Fingerprint) still matches: applying it again would
// change nothing, so it is not reconciled, only seen.
type unchangedRecord struct {
	asset       uuid.UUID
	device      *reconcile.Device
	fingerprint []byte
	// confirmedAt is when the record was last fully confirmed; stale when
	// that is over a day ago (see refreshUnchanged).
	confirmedAt time.Time
	stale       bool
}

// splitUnchanged sets apart the records whose stored fingerprint matches
// what they would be applied with now, and returns the others, to
// reconcile. A connector that writes back reconciles every record (its
// echo handling reads the page whole), and so does a record whose id the
// page repeats.
func (st *pageState) splitUnchanged(ctx context.Context, tx pgx.Tx, devices []reconcile.Device) ([]reconcile.Device, []unchangedRecord, error) {
	if pushes(st.t.Connector) || len(devices) == 0 {
		return devices, nil, nil
	}
	count := make(map[string]int, len(devices))
	ext := make([]string, 0, len(devices))
	for _, d := range devices {
		if count[d.ExternalID]++; count[d.ExternalID] == 1 {
			ext = append(ext, d.ExternalID)
		}
	}
	type stored struct {
		asset       uuid.UUID
		version     int
		fingerprint []byte
		at          time.Time
	}
	links := make(map[string]stored, len(devices))
	if err := scanEach(ctx, tx, `SELECT y.external_id, y.asset_id, y.version, y.fingerprint, y.fingerprint_at
		FROM unnest($2::text[]) AS x(ext), LATERAL (
			SELECT l.external_id, l.asset_id, a.version, l.fingerprint, l.fingerprint_at FROM asset_external_ids l
			JOIN assets a ON a.org_id = l.org_id AND a.id = l.asset_id
			WHERE l.source = $1 AND l.external_id = x.ext AND l.fingerprint IS NOT NULL AND l.fingerprint_at IS NOT NULL OFFSET 0) y`,
		[]any{st.Source, ext}, func(r pgx.Rows) error {
			var e string
			var s stored
			if err := r.Scan(&e, &s.asset, &s.version, &s.fingerprint, &s.at); err != nil {
				return err
			}
			links[e] = s
			return nil
		}); err != nil {
		return nil, nil, err
	}
	if len(links) == 0 {
		return devices, nil, nil
	}
	rest := make([]reconcile.Device, 0, len(devices)-len(links))
	var same []unchangedRecord
	for i := range devices {
		d := &devices[i]
		l, ok := links[d.ExternalID]
		if ok && count[d.ExternalID] == 1 && bytes.Equal(st.Fingerprint(l.asset, l.version, d), l.fingerprint) {
			same = append(same, unchangedRecord{asset: l.asset, device: d, fingerprint: l.fingerprint,
				confirmedAt: l.at, stale: l.at.Before(st.now.Add(-24 * time.Hour))})
			continue
		}
		rest = append(rest, *d)
	}
	return rest, same, nil
}

// claimsUnchanged reports whether a record to reconcile may match an
// asset an unchanged record holds: then the page is planned whole, so
// reconcile.Plan decides which record the asset belongs to as it always did.
func (st *pageState) claimsUnchanged(same []unchangedRecord) bool {
	for _, u := range same {
		if _, ok := st.Assets[u.asset]; ok {
			return true
		}
	}
	return false
}

// refreshUnchanged does for unchanged records last fully confirmed over a
// day ago what reconciling them would write: their software is seen
// (last_seen_at, refreshed at most daily as reconcile.DiffSoftware does),
// and the conflicts the record's last reconciliation raised (stamped then
// with the time its fingerprint carries) are seen again. (Reconciling an
// unchanged record writes no provenance: a source keeping its own value
// is no news.) Within a day an unchanged record costs its link's update
// only.
func (st *pageState) refreshUnchanged(b *pgx.Batch, same []unchangedRecord) {
	var assets []uuid.UUID
	var at []time.Time
	for i := range same {
		if u := &same[i]; u.stale {
			assets, at = append(assets, u.asset), append(at, u.confirmedAt)
			u.confirmedAt = st.now
		}
	}
	if len(assets) == 0 {
		return
	}
	b.Queue(`UPDATE software_installations SET last_seen_at = now()
		WHERE source = $1 AND asset_id = ANY($2) AND ended_at IS NULL AND last_seen_at < now() - interval '1 day'`, st.Source, assets)
	b.Queue(`UPDATE sync_conflicts c SET last_seen_at = $2 FROM unnest($3::uuid[], $4::timestamptz[]) AS x(asset, at)
		WHERE c.asset_id = x.asset AND c.other_source = $1 AND c.last_seen_at >= x.at`, st.Source, st.now, assets, at)
}
