package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// The pull side of write-back (see internal/reconcile/push.go): a page of
// a connector that pushes is applied without the values the ITSM merely
// still holds (reconcile.WithoutEchoes), the asset_history trigger skips
// that connector for the page's own changes, and what the records hold
// after the pull becomes their believed state.

// pushes says whether c writes back (only then does a page pay for this).
func pushes(c *itam.Connector) bool { return len(c.PushFields) > 0 || c.PushCreate }

// pushEchoes prepares a page of a pushing connector: it names the
// connector as the transaction's change origin (no echo job) and drops the
// echoed values. It returns the devices to apply and the values the records
// hold, for savePulled; nil when the connector does not push.
func pushEchoes(ctx context.Context, tx pgx.Tx, t SyncTarget, devices []reconcile.Device) ([]reconcile.Device, map[string]reconcile.PushValues, error) {
	if !pushes(t.Connector) || len(devices) == 0 {
		return devices, nil, nil
	}
	ext := make([]string, len(devices))
	for i, d := range devices {
		ext[i] = d.ExternalID
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('itam.push_origin', $1, true)`, t.Connector.ID.String()); err != nil {
		return nil, nil, err
	}
	rows, _ := tx.Query(ctx, `SELECT `+pushValuesSQL+`, x.external_id
		FROM asset_external_ids x JOIN assets a ON a.org_id = x.org_id AND a.id = x.asset_id`+pushJoinsSQL+`
		WHERE x.connector_id = $1 AND x.external_id = ANY($2) AND s.asset_id IS NOT NULL`, t.Connector.ID, ext)
	believed := map[string]reconcile.Believed{}
	_, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var id string
		pt, err := scanPushTarget(r, &id)
		if err == nil {
			believed[id] = reconcile.Believed{Known: pt.Known, Current: pt.Values()}
		}
		return struct{}{}, err
	})
	if err != nil {
		return nil, nil, err
	}
	out, held := reconcile.WithoutEchoes(devices, believed)
	return out, held, nil
}

// savePulled records, after the page is applied (so new records have
// their links), what each record holds.
func savePulled(ctx context.Context, tx pgx.Tx, t SyncTarget, held map[string]reconcile.PushValues) error {
	if len(held) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO connector_push_state AS s (org_id, connector_id, asset_id, known)
		SELECT x.org_id, x.connector_id, x.asset_id, j.value
		  FROM jsonb_each($2::jsonb) j
		  JOIN asset_external_ids x ON x.connector_id = $1 AND x.external_id = j.key
		ON CONFLICT (org_id, connector_id, asset_id) DO UPDATE SET known = s.known || EXCLUDED.known`, t.Connector.ID, held)
	return err
}
