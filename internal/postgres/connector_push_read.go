package postgres

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// Refused pushes as the API shows them: per asset (for the roles that may
// see them, itam.Principal.CanReadPushErrors) and per connector (ADMIN).

const pushErrorColumns = `s.connector_id, s.asset_id, coalesce(s.error_fields, '{}'), s.error_message, coalesce(s.error_status, 0), s.error_at`

func scanPushError(r pgx.CollectableRow) (*itam.ConnectorPushError, error) {
	var e itam.ConnectorPushError
	err := r.Scan(&e.ConnectorID, &e.AssetID, &e.Fields, &e.Message, &e.HTTPStatus, &e.At)
	return &e, err
}

// AssetPushErrors loads the refused pushes of assets for loaders, newest
// first; callers who may not see them get none and no error.
func (s *PushStore) AssetPushErrors(ctx context.Context, assetIDs []uuid.UUID) (map[uuid.UUID][]*itam.ConnectorPushError, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID][]*itam.ConnectorPushError, len(assetIDs))
	for _, id := range assetIDs {
		out[id] = []*itam.ConnectorPushError{}
	}
	if !p.CanReadPushErrors() || len(assetIDs) == 0 {
		return out, nil
	}
	rows, err := query(ctx, s.reads, p.OrgID, `SELECT `+pushErrorColumns+` FROM connector_push_state s
		WHERE s.asset_id = ANY($1) AND s.error_at IS NOT NULL ORDER BY s.error_at DESC, s.connector_id`, []any{assetIDs}, scanPushError)
	for _, e := range rows {
		out[e.AssetID] = append(out[e.AssetID], e)
	}
	return out, err
}

// ConnectorPushErrors lists a connector's refused pushes, newest first
// (ADMIN only).
func (s *PushStore) ConnectorPushErrors(ctx context.Context, connectorID uuid.UUID, page itam.PageArgs) (itam.Page[*itam.ConnectorPushError], error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return itam.Page[*itam.ConnectorPushError]{}, err
	}
	args := &sqlArgs{}
	return list(ctx, s.reads, p.OrgID, listSpec[*itam.ConnectorPushError]{
		columns: pushErrorColumns, from: "connector_push_state s", idExpr: "s.asset_id", args: args,
		where: []string{"s.connector_id = " + args.add(connectorID), "s.error_at IS NOT NULL"},
		sort: sortKey[*itam.ConnectorPushError]{"s.error_at", "timestamptz",
			func(e *itam.ConnectorPushError) string { return e.At.Format(time.RFC3339Nano) }},
		dir: itam.Desc, id: func(e *itam.ConnectorPushError) string { return e.AssetID.String() }, scan: scanPushError,
	}, page)
}

// CountConnectorPushErrors counts a connector's refused pushes (ADMIN only).
func (s *PushStore) CountConnectorPushErrors(ctx context.Context, connectorID uuid.UUID) (int, error) {
	p, err := itam.RequireAdmin(ctx)
	if err != nil {
		return 0, err
	}
	args := &sqlArgs{}
	return count(ctx, s.reads, p.OrgID, "connector_push_state s",
		[]string{"s.connector_id = " + args.add(connectorID), "s.error_at IS NOT NULL"}, args)
}
