package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/tickets"
)

// TicketStore loads what internal/tickets needs about an asset
// (tickets.Store): one read for the asset, the caller's person and the
// organization's ITSM connectors with the asset's links at them.
type TicketStore struct {
	db         *DB
	connectors *ConnectorStore
}

// NewTicketStore returns a TicketStore; credentials open through cs.
func NewTicketStore(db *DB, cs *ConnectorStore) *TicketStore {
	return &TicketStore{db: db, connectors: cs}
}

var _ tickets.Store = (*TicketStore)(nil)

// TicketTarget returns asset id as the caller sees it (NOT_FOUND when not
// visible: another organization's, or not an EMPLOYEE's own), the
// caller's person id, and every ITSM connector of the organization by
// name with the asset's link there. The rules on who sees what are the
// tickets package's: connectors are returned to it, not to the caller.
func (s *TicketStore) TicketTarget(ctx context.Context, id uuid.UUID) (*tickets.Target, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	t := &tickets.Target{}
	args := &sqlArgs{}
	where := append(visibility(p, args), "a.id = "+args.add(id))
	err = s.db.read(ctx, p.OrgID, func(b *pgx.Batch) {
		queueRows(b, "SELECT "+assetColumns+" FROM assets a WHERE "+joinAnd(where), args.list, scanAsset,
			func(a *itam.Asset) { t.Asset = a })
		queueRows(b, `SELECT id FROM people WHERE email_key = lower($1)`, []any{p.Subject},
			func(r pgx.CollectableRow) (uuid.UUID, error) {
				var v uuid.UUID
				return v, r.Scan(&v)
			}, func(v uuid.UUID) { t.Self = &v })
		// The newest link when a connector holds several for the asset.
		queueRows(b, "SELECT "+connectorColumns+`, coalesce((SELECT l.external_id FROM asset_external_ids l
				WHERE l.connector_id = x.id AND l.asset_id = $1 ORDER BY l.last_seen_at DESC NULLS LAST, l.created_at DESC LIMIT 1), '')
			FROM connectors x WHERE x.kind::text = ANY($2) ORDER BY x.name, x.id`, []any{id, itam.ITSMKinds},
			func(r pgx.CollectableRow) (tickets.Connector, error) {
				var c tickets.Connector
				var err error
				c.Connector, err = scanConnector(extraColumns{r, []any{&c.ExternalID}})
				return c, err
			}, func(c tickets.Connector) { t.Connectors = append(t.Connectors, c) })
	})
	if err != nil {
		return nil, err
	}
	if t.Asset == nil {
		return nil, itam.NotFound("asset")
	}
	return t, nil
}

// ConnectorSecrets opens a connector's credentials (system principals only).
func (s *TicketStore) ConnectorSecrets(ctx context.Context, id uuid.UUID) (*itam.ConnectorSecrets, error) {
	return s.connectors.ConnectorSecrets(ctx, id)
}
