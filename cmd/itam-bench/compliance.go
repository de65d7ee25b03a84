package main

// The compliance workloads (issue 9): the whole license position
// (licenseCompliance over every product) and one product's position, each
// against the floor of the same LicenseComplianceStore.Positions call made
// in-process, plus the products' names the server also loads. The whole
// report reads the maintained per-product counts on both sides (the bench
// reports the cold refresh after the seed separately);
// -compliance-live-floor makes its floor recount everything live instead.

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/relay"
)

const complianceDoc = `query ComplianceReport {
  licenseCompliance {
    product { name } metric status entitled consumed assigned installedDevices shortfall surplus
    trueUpCost { amount currency } surplusCost { amount currency }
  }
}`

const complianceOneDoc = `query ComplianceOneProduct($product: ID!) {
  licenseCompliance(filter: {productId: $product}) {
    product { name } metric status entitled consumed assigned installedDevices shortfall surplus
    trueUpCost { amount currency } surplusCost { amount currency }
  }
}`

// complianceWorkloads are the compliance report workloads.
func complianceWorkloads() []workload {
	return []workload{
		{
			key: "compliance", title: "5 licenseCompliance, every product", op: "ComplianceReport", doc: complianceDoc,
			gen:  func(*rand.Rand, *samples) params { return params{} },
			vars: func(params) map[string]any { return nil },
			floor: func(ctx context.Context, st stores, _ params, fp *[]string) error {
				return floorCompliance(ctx, st, nil, fp)
			},
			serverFP: serverComplianceFP,
		},
		{
			key: "compliance-one", title: "6 licenseCompliance, one product", op: "ComplianceOneProduct", doc: complianceOneDoc,
			gen: func(r *rand.Rand, s *samples) params {
				if len(s.products) == 0 {
					return params{product: uuid.Nil}
				}
				return params{product: s.products[r.IntN(len(s.products))]}
			},
			vars: func(p params) map[string]any {
				return map[string]any{"product": relay.ID(relay.TypeSoftwareProduct, p.product)}
			},
			floor: func(ctx context.Context, st stores, p params, fp *[]string) error {
				return floorCompliance(ctx, st, &p.product, fp)
			},
			serverFP: serverComplianceFP,
		},
	}
}

// loadProductSamples reads the bench organization's product ids, for the
// one-product workload.
func loadProductSamples(ctx context.Context, admin *pgxpool.Pool, orgID uuid.UUID, s *samples) error {
	rows, err := admin.Query(ctx, `SELECT id FROM software_products WHERE org_id = $1 ORDER BY random() LIMIT 5000`, orgID)
	if err != nil {
		return err
	}
	s.products, err = pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	return err
}

// floorCompliance is the server's two round trips straight through the
// store: the positions (the maintained counts, like the server; live with
// -compliance-live-floor), then their products' names.
func floorCompliance(ctx context.Context, st stores, product *uuid.UUID, fp *[]string) error {
	positions := st.compliance.Positions
	if st.liveCompliance {
		positions = st.compliance.LivePositions
	}
	ps, err := positions(ctx, licenses.ComplianceFilter{ProductID: product})
	if err != nil {
		return err
	}
	ids := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		ids[i] = p.ProductID
	}
	var names map[uuid.UUID]string
	if len(ids) > 0 {
		products, err := st.catalog.ProductsByIDs(ctx, ids)
		if err != nil {
			return err
		}
		names = make(map[uuid.UUID]string, len(products))
		for id, p := range products {
			names[id] = p.Name
		}
	}
	if fp != nil {
		for _, p := range ps {
			*fp = append(*fp, complianceFP(names[p.ProductID], string(p.Status), p.Consumed, p.Entitled))
		}
	}
	return nil
}

func complianceFP(name, status string, consumed int, entitled *int) string {
	e := "unlimited"
	if entitled != nil {
		e = fmt.Sprint(*entitled)
	}
	return fmt.Sprintf("%s|%s|%d|%s", name, status, consumed, e)
}

func serverComplianceFP(data json.RawMessage) ([]string, error) {
	var d struct {
		LicenseCompliance []struct {
			Product  struct{ Name string } `json:"product"`
			Status   string                `json:"status"`
			Consumed int                   `json:"consumed"`
			Entitled *int                  `json:"entitled"`
		} `json:"licenseCompliance"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range d.LicenseCompliance {
		out = append(out, complianceFP(p.Product.Name, p.Status, p.Consumed, p.Entitled))
	}
	return out, nil
}
