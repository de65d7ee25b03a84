package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// InstallationHistoryByAssetIDs returns everything each asset has had
// installed, current and ended, by title then most recent first: the
// history Asset.software(includeEnded: true) shows. Callers see the assets
// they could load (ProvenanceStore.SoftwareByAssetIDs is the current-only
// variant).
func (s *SoftwareRuleStore) InstallationHistoryByAssetIDs(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID][]software.Installation, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, err
	}
	return grouped(ctx, s.db, p.OrgID, len(ids), `SELECT asset_id, `+installationColumns+`
		FROM software_installations WHERE asset_id = ANY($1::uuid[])
		ORDER BY lower(title), source, ended_at DESC NULLS FIRST`, []any{ids}, func(r pgx.CollectableRow) (uuid.UUID, software.Installation, error) {
		var asset uuid.UUID
		x, err := scanInstallation(r, &asset)
		return asset, x, err
	})
}
