package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// installationKeySep joins an installation's source and app key into its
// keyset tie-breaker. Sources are names the server writes ("JAMF_PRO",
// "connector:…") and never hold a control character, so distinct
// (source, key) pairs never join to the same text.
const installationKeySep = "\x1f"

// installationsSpec lists current installations by (asset, source + key),
// those p may see: an EMPLOYEE only the ones on assets assigned to them.
func installationsSpec(p itam.Principal) listSpec[*software.Installation] {
	args := &sqlArgs{}
	where := []string{"x.ended_at IS NULL"}
	if vis := visibility(p, args); len(vis) > 0 {
		where = append(where, "x.asset_id IN (SELECT a.id FROM assets a WHERE "+vis[0]+")")
	}
	return listSpec[*software.Installation]{
		columns: installationColumns, from: "software_installations x",
		idExpr: "(x.source || chr(31) || x.app_key)", idType: "text",
		where: where, args: args, dir: itam.Asc,
		sort: sortKey[*software.Installation]{"x.asset_id", "uuid", func(i *software.Installation) string { return i.AssetID.String() }},
		id:   func(i *software.Installation) string { return i.Source + installationKeySep + i.Key },
		scan: func(r pgx.CollectableRow) (*software.Installation, error) {
			x, err := scanInstallation(r)
			return &x, err
		},
	}
}

func installationOf(product string) string { return "x.product_id = " + product }

// InstallationsOf returns, for each product, the page of its current
// installations by asset, in one round trip for all of them
// (SoftwareProduct.installations under a page of products). An EMPLOYEE
// sees only those on devices assigned to them.
func (s *SoftwareCatalogStore) InstallationsOf(ctx context.Context, productIDs []uuid.UUID, page itam.PageArgs) (map[uuid.UUID]itam.Page[*software.Installation], error) {
	p, err := software.RequireCatalogRead(ctx)
	if err != nil {
		return nil, err
	}
	return listEach(ctx, s.db, p.OrgID, installationsSpec(p), productIDs, installationOf, page)
}

// CountInstallationsOf counts each product's current installations the
// caller may see, in one round trip.
func (s *SoftwareCatalogStore) CountInstallationsOf(ctx context.Context, productIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	p, err := software.RequireCatalogRead(ctx)
	if err != nil {
		return nil, err
	}
	spec := installationsSpec(p)
	return countEach(ctx, s.db, p.OrgID, spec.from, spec.where, spec.args, productIDs, installationOf)
}
