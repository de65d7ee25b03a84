package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// referrer is how a refusal names the rows of a table that reference
// another: the kind (singular, plural), the Node type of its global ids
// and a label for the example (SQL over alias x). Tables not listed are
// named after themselves ("purchase_order_lines": "purchase order
// lines"), counted, and exemplified by their id when they are Nodes.
type referrer struct {
	singular, plural string
	node             string
	label            string
}

var referrers = map[string]referrer{
	"assets":               {"asset", "assets", relay.TypeAsset, `'tag ' || x.asset_tag`},
	"people":               {"person", "people", relay.TypePerson, `x.name`},
	"teams":                {"team", "teams", relay.TypeTeam, `x.name`},
	"locations":            {"location", "locations", relay.TypeLocation, `x.name`},
	"models":               {"model", "models", relay.TypeModel, `x.name`},
	"manufacturers":        {"manufacturer", "manufacturers", relay.TypeManufacturer, `x.name`},
	"categories":           {"category", "categories", relay.TypeCategory, `x.name`},
	"suppliers":            {"supplier", "suppliers", relay.TypeSupplier, `x.name`},
	"licenses":             {"license", "licenses", relay.TypeLicense, `x.name`},
	"license_seats":        {"license seat", "license seats", relay.TypeLicenseSeat, ``},
	"contracts":            {"contract", "contracts", relay.TypeContract, ``},
	"cost_entries":         {"cost entry", "cost entries", relay.TypeCostEntry, ``},
	"connectors":           {"connector", "connectors", relay.TypeConnector, `x.name`},
	"asset_checkouts":      {"asset checkout", "asset checkouts", relay.TypeAssetCheckout, ``},
	"purchase_orders":      {"purchase order", "purchase orders", relay.TypePurchaseOrder, ``},
	"purchase_order_lines": {"purchase order line", "purchase order lines", relay.TypePurchaseOrderLine, ``},
}

// selfReferrers name a table's references to its own rows.
var selfReferrers = map[string][2]string{
	"locations": {"location inside it", "locations inside it"},
	"people":    {"person who reports to them", "people who report to them"},
}

// referencesSQL lists the foreign keys that refuse deleting a row of
// table $1 (NO ACTION or RESTRICT; cascades and SET NULL do not block),
// per referencing table readable by the caller: the referencing columns
// (the one matched to the referenced id of a composite (org_id, id) key)
// and whether the table has an id to give as an example.
const referencesSQL = `SELECT c.conrelid::regclass::text, array_agg(DISTINCT a.attname::text ORDER BY a.attname::text),
	EXISTS (SELECT 1 FROM pg_attribute i WHERE i.attrelid = c.conrelid AND i.attname = 'id' AND NOT i.attisdropped)
	FROM pg_constraint c
	CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(col, refcol)
	JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col
	JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.refcol
	WHERE c.contype = 'f' AND c.confrelid = $1::regclass AND r.attname = 'id' AND c.confdeltype IN ('a', 'r')
	  AND has_table_privilege(c.conrelid, 'SELECT')
	GROUP BY c.conrelid`

// deleteNamingBlockers runs del, the DELETE of row id of table, in a
// savepoint. When a foreign key refuses it, the savepoint is rolled back
// and the refusal says what still references the row, how many of each
// and one example (itam.StillReferenced), found in the same transaction
// as the refused delete. Deferred keys are checked at the DELETE, so a
// refusal never surfaces at COMMIT without its blockers.
func deleteNamingBlockers[T any](ctx context.Context, tx pgx.Tx, table, what, label string, id uuid.UUID, del func(pgx.Tx) (T, error)) (T, error) {
	var zero T
	if _, err := tx.Exec(ctx, "SET CONSTRAINTS ALL IMMEDIATE"); err != nil {
		return zero, err
	}
	sp, err := tx.Begin(ctx)
	if err != nil {
		return zero, err
	}
	v, err := del(sp)
	if err == nil {
		return v, sp.Commit(ctx)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "23503" || !strings.HasPrefix(pe.Message, "update or delete on table") {
		return zero, err
	}
	if rerr := sp.Rollback(ctx); rerr != nil {
		return zero, rerr
	}
	blockers, berr := referenceBlockers(ctx, tx, table, id)
	if berr != nil {
		return zero, berr
	}
	if len(blockers) == 0 {
		// Blocked further down a cascade: the generic refusal.
		return zero, err
	}
	return zero, itam.StillReferenced(what, label, blockers)
}

// referenceBlockers counts, per referencing table, the rows that point at
// row id of table (in referrerOrder, then most first), with one example
// each where it can be named. Each count is one indexed probe per referencing column (every
// foreign key column is indexed with org_id, and RLS scopes it to the
// caller's organization).
func referenceBlockers(ctx context.Context, tx pgx.Tx, table string, id uuid.UUID) ([]itam.Blocker, error) {
	type ref struct {
		table string
		cols  []string
		hasID bool
	}
	rows, _ := tx.Query(ctx, referencesSQL, table)
	refs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ref, error) {
		var x ref
		return x, r.Scan(&x.table, &x.cols, &x.hasID)
	})
	if err != nil {
		return nil, err
	}
	type ranked struct {
		itam.Blocker
		rank int
	}
	var found []ranked
	for _, r := range refs {
		b, err := blocker(ctx, tx, table, r.table, r.cols, r.hasID, id)
		if err != nil {
			return nil, err
		}
		if b.Count > 0 {
			rank := slices.Index(referrerOrder, strings.TrimPrefix(r.table, "public."))
			if rank < 0 {
				rank = len(referrerOrder)
			}
			found = append(found, ranked{b, rank})
		}
	}
	// Assets first (what an admin reasons about and the example they
	// open), then people and places; within a rank, most first.
	slices.SortStableFunc(found, func(a, b ranked) int {
		if a.rank != b.rank {
			return a.rank - b.rank
		}
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Plural+a.Phrase, b.Plural+b.Phrase)
	})
	out := make([]itam.Blocker, len(found))
	for i, f := range found {
		out[i] = f.Blocker
	}
	return out, nil
}

// referrerOrder is the order refusals list blockers in.
var referrerOrder = []string{"assets", "people", "locations", "teams", "models", "manufacturers", "categories", "suppliers",
	"licenses", "license_seats", "contracts", "cost_entries", "connectors", "purchase_orders", "purchase_order_lines", "asset_checkouts"}

// blocker counts the rows of from whose cols reference id and names one.
func blocker(ctx context.Context, tx pgx.Tx, target, from string, cols []string, hasID bool, id uuid.UUID) (itam.Blocker, error) {
	conds := make([]string, len(cols))
	for i, c := range cols {
		conds[i] = pgx.Identifier{c}.Sanitize() + " = $1"
	}
	where := strings.Join(conds, " OR ")
	name := strings.TrimPrefix(from, "public.")
	ref, known := referrers[name]
	if !known {
		ref.singular, ref.plural = itam.Nouns(strings.ReplaceAll(name, "_", " "))
	}
	var b itam.Blocker
	b.Singular, b.Plural = ref.singular, ref.plural
	if nouns, ok := selfReferrers[name]; ok && name == target {
		b.Singular, b.Plural = nouns[0], nouns[1]
	}
	if name == "organizations" {
		// Organization settings point at defaults (the default owner team).
		b.Phrase = "the organization's " + strings.ReplaceAll(strings.TrimSuffix(cols[0], "_id"), "_", " ") + " setting"
	}
	// from comes from the catalog (regclass text, quoted as needed).
	if !hasID || ref.node == "" {
		err := tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s x WHERE %s", from, where), id).Scan(&b.Count)
		return b, err
	}
	label := "''"
	if ref.label != "" {
		label = ref.label
	}
	var ex uuid.UUID
	var exLabel string
	err := tx.QueryRow(ctx, fmt.Sprintf("SELECT count(*) OVER (), x.id, coalesce(%s, '') FROM %s x WHERE %s ORDER BY 3, 2 LIMIT 1", label, from, where), id).
		Scan(&b.Count, &ex, &exLabel)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return b, err
	}
	b.Example = ref.node + " " + relay.ID(ref.node, ex)
	if exLabel != "" {
		b.Example += " " + exLabel
	}
	return b, nil
}

// nameHolder turns the CONFLICT of a duplicate asset tag or serial number
// into one that names the asset holding it (global id and tag), so the
// admin can open it. tried is the asset as the refused write would have
// stored it; the holder is read after that transaction rolled back (it
// committed before, or the write would not have clashed). Any other error
// is returned as it is, and so is this one when the holder cannot be read.
func (s *AssetStore) nameHolder(ctx context.Context, err error, tried *itam.Asset) error {
	var e *itam.Error
	if tried == nil || !errors.As(err, &e) || e.Code != itam.CodeConflict {
		return err
	}
	p, ok := itam.PrincipalFrom(ctx)
	if !ok {
		return err
	}
	var sql, format string
	var args []any
	switch {
	case e.Field == "assetTag":
		sql = `SELECT a.id, a.asset_tag FROM assets a WHERE a.asset_tag_key = lower($1) AND a.id <> $2`
		args = []any{tried.AssetTag, tried.ID}
		format = "asset tag %q is already used by Asset %s (tag %s)"
	case e.Field == "serialNumber" && tried.SerialNumber != nil:
		sql = `SELECT a.id, a.asset_tag FROM assets a WHERE a.manufacturer_id = $1 AND a.serial_key = upper($2) AND a.id <> $3`
		args = []any{tried.ManufacturerID, *tried.SerialNumber, tried.ID}
		format = "serial number %q is already recorded for this manufacturer on Asset %s (tag %s)"
	default:
		return err
	}
	type holder struct {
		id  uuid.UUID
		tag string
	}
	found, qerr := query(ctx, s.db, p.OrgID, sql, args, func(r pgx.CollectableRow) (holder, error) {
		var h holder
		return h, r.Scan(&h.id, &h.tag)
	})
	if qerr != nil || len(found) == 0 {
		return err
	}
	value := tried.AssetTag
	if e.Field == "serialNumber" {
		value = *tried.SerialNumber
	}
	return itam.Conflict(e.Field, format, value, relay.ID(relay.TypeAsset, found[0].id), found[0].tag)
}
