package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/itam-dev/itam/internal/itam"
)

// realRecordTables are the tables a run writes, each with a seeded column
// (migrations 00006, 00007) that only this package sets. A row without it
// was created some other way: through the API, by a connector sync, or by
// hand. (software_installations has no seeded column: it belongs to its
// asset, which has one.)
var realRecordTables = []string{"assets", "people", "locations", "teams", "models", "manufacturers", "categories", "suppliers",
	"software_publishers", "software_products", "licenses", "license_seats"}

// starterTables hold rows of the shipped starter rule set besides real and
// generated ones; those (starter = true) are the product's data, not the
// customer's, and do not make an organization real.
var starterTables = map[string]bool{"software_publishers": true, "software_products": true}

// refuseRealRecords fails with CONFLICT when the organization holds records
// this package did not generate, or has a connector (its syncs bring real
// devices and people). Generated data added there would mix with the real
// inventory: generated assets assigned to real people, counted in real
// totals. It runs inside the run's transaction, after the organization row
// is locked.
func (g *generator) refuseRealRecords(ctx context.Context) error {
	var sql strings.Builder
	sql.WriteString("SELECT (SELECT count(*) FROM connectors WHERE org_id = $1)")
	for _, t := range realRecordTables {
		cond := "NOT seeded"
		if starterTables[t] {
			cond += " AND NOT starter"
		}
		fmt.Fprintf(&sql, ", (SELECT count(*) FROM %s WHERE org_id = $1 AND %s)", t, cond)
	}
	counts := make([]int64, 1+len(realRecordTables))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := g.tx.QueryRow(ctx, sql.String(), g.orgID).Scan(dest...); err != nil {
		return fmt.Errorf("seed: look for records not generated: %w", err)
	}
	var found []string
	if counts[0] > 0 {
		found = append(found, fmt.Sprintf("%d connectors", counts[0]))
	}
	for i, t := range realRecordTables {
		if n := counts[i+1]; n > 0 {
			found = append(found, fmt.Sprintf("%d %s", n, t))
		}
	}
	if len(found) == 0 {
		return nil
	}
	return itam.Conflict("force",
		"organization %q holds records seed did not generate (%s, created through the API or by a sync): "+
			"generated data would mix with them, e.g. generated assets assigned to real people; "+
			"use --force to add it anyway", g.slug, strings.Join(found, ", "))
}
