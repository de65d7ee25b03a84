package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// bulkAPI is the API with acme's reference records, an admin, and a
// globex admin for cross-organization checks.
type bulkAPI struct {
	*api
	admin, globex string
	ids           map[string]string
}

func newBulkAPI(t *testing.T) *bulkAPI {
	t.Helper()
	t.Parallel()
	a := newAPI(t)
	b := &bulkAPI{api: a, admin: mint(t, "acme", itam.RoleAdmin, "admin@acme.test"), globex: mint(t, "globex", itam.RoleAdmin, "admin@globex.test")}
	b.ids = a.inventory(b.admin)
	return b
}

// assets creates n IN_STOCK assets with tags prefix-1…n and returns their ids.
func (b *bulkAPI) assets(tok, model, prefix string, n int) []string {
	b.t.Helper()
	out := make([]string, n)
	for i := range out {
		out[i] = b.newAsset(tok, map[string]any{"modelId": model, "assetTag": fmt.Sprintf("%s-%d", prefix, i+1)})
	}
	return out
}

const bulkItems = `succeeded failed applied items { id asset { id status notes condition assignee { ... on Person { name } } } error { code message field } }`

const (
	bulkUpdateQ     = `mutation($ids: [ID!], $f: AssetFilter, $p: BulkAssetPatch!, $partial: Boolean) { bulkUpdateAssets(ids: $ids, filter: $f, patch: $p, partial: $partial) { ` + bulkItems + ` } }`
	bulkTransitionQ = `mutation($ids: [ID!], $f: AssetFilter, $to: AssetStatus!, $partial: Boolean) { bulkTransitionAssets(ids: $ids, filter: $f, to: $to, partial: $partial) { ` + bulkItems + ` } }`
	bulkAssignQ     = `mutation($ids: [ID!], $f: AssetFilter, $as: BulkAssignInput!, $partial: Boolean) { bulkAssignAssets(ids: $ids, filter: $f, assignee: $as, partial: $partial) { ` + bulkItems + ` } }`
	bulkSeatsQ      = `mutation($l: ID!, $ids: [ID!], $f: AssetFilter, $partial: Boolean) { bulkAssignLicenseSeats(licenseId: $l, ids: $ids, filter: $f, partial: $partial) {
		succeeded failed applied items { id seat { id person { name } asset { assetTag } } error { code message field } } } }`
)

// state reads each asset's status, notes, version and history actions.
func (b *bulkAPI) state(tok string, ids []string) []map[string]any {
	b.t.Helper()
	d := b.ok(tok, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Asset { status notes version history { nodes { action actor changes { field } } } } } }`, map[string]any{"ids": ids})
	var out []map[string]any
	for _, n := range get(d, "nodes").([]any) {
		out = append(out, n.(map[string]any))
	}
	return out
}

func historyLen(asset map[string]any) int { return len(get(asset, "history.nodes").([]any)) }

func TestBulkUpdateAssetsByIDsAndFilter(t *testing.T) {
	b := newBulkAPI(t)
	ids := b.assets(b.admin, b.ids["model"], "BU", 3)
	other := b.newAsset(b.admin, map[string]any{"modelId": b.ids["model"], "assetTag": "ZZ-1"})

	// By ids, in the order given: an UPDATE entry per asset, by the caller.
	d := b.ok(b.admin, bulkUpdateQ, map[string]any{"ids": []string{ids[2], ids[0]}, "p": map[string]any{"notes": "shelf 4", "locationId": b.ids["location"]}})
	r := get(d, "bulkUpdateAssets").(map[string]any)
	require.Equal(t, true, r["applied"])
	require.EqualValues(t, 2, r["succeeded"])
	require.EqualValues(t, 0, r["failed"])
	require.Equal(t, ids[2], str(r, "items.0.id"))
	require.Equal(t, ids[0], str(r, "items.1.id"))
	require.Equal(t, "shelf 4", str(r, "items.0.asset.notes"))
	require.Nil(t, get(r, "items.0.error"))
	st := b.state(b.admin, []string{ids[0], ids[1], ids[2]})
	for _, i := range []int{0, 2} {
		require.Equal(t, "shelf 4", st[i]["notes"])
		require.Equal(t, 2, historyLen(st[i]), "CREATE, then one UPDATE")
		last := get(st[i], "history.nodes.1").(map[string]any)
		require.Equal(t, "UPDATE", last["action"])
		require.Equal(t, "admin@acme.test", last["actor"])
	}
	require.Nil(t, st[1]["notes"], "not listed, not changed")

	// By filter: every match, in asset tag order; the others untouched.
	d = b.ok(b.admin, bulkUpdateQ, map[string]any{"f": map[string]any{"search": "BU-"}, "p": map[string]any{"condition": "FAIR"}})
	r = get(d, "bulkUpdateAssets").(map[string]any)
	require.EqualValues(t, 3, r["succeeded"])
	for i, id := range ids {
		require.Equal(t, id, str(r, fmt.Sprintf("items.%d.id", i)))
		require.Equal(t, "FAIR", str(r, fmt.Sprintf("items.%d.asset.condition", i)))
	}
	require.Equal(t, 1, historyLen(b.state(b.admin, []string{other})[0]), "no match, no change")

	// The patch's rules are updateAsset's: a malformed id fails the call,
	// an unknown model is each item's refusal.
	b.code(b.admin, bulkUpdateQ, map[string]any{"ids": ids, "p": map[string]any{"modelId": "nope"}}, "BAD_USER_INPUT", "patch.modelId")
	for field, patch := range map[string]map[string]any{
		"modelId":   {"modelId": relay.ID(relay.TypeModel, uuid.New()), "notes": "never"},
		"condition": {"condition": nil, "notes": "never"},
		// Refused by a foreign key: the statement's error aborts the
		// transaction, which must go back to its savepoint for the next item.
		"supplierId": {"supplierId": relay.ID(relay.TypeSupplier, uuid.New()), "notes": "never"},
	} {
		for _, partial := range []bool{false, true} {
			d = b.ok(b.admin, bulkUpdateQ, map[string]any{"ids": ids, "p": patch, "partial": partial})
			r = get(d, "bulkUpdateAssets").(map[string]any)
			require.Equal(t, partial, r["applied"], field)
			require.EqualValues(t, 3, r["failed"], field)
			require.Equal(t, "BAD_USER_INPUT", str(r, "items.0.error.code"), field)
			require.Equal(t, field, str(r, "items.2.error.field"))
		}
	}
	for _, s := range b.state(b.admin, ids) {
		require.NotEqual(t, "never", s["notes"])
	}
}

func TestBulkSelectionIsExactlyOneAndCapped(t *testing.T) {
	b := newBulkAPI(t)
	ids := b.assets(b.admin, b.ids["model"], "SEL", 2)
	to := "IN_REPAIR"
	b.code(b.admin, bulkTransitionQ, map[string]any{"to": to}, "BAD_USER_INPUT", "ids")
	b.code(b.admin, bulkTransitionQ, map[string]any{"to": to, "ids": ids, "f": map[string]any{}}, "BAD_USER_INPUT", "filter")
	b.code(b.admin, bulkTransitionQ, map[string]any{"to": to, "ids": []string{ids[0], ids[1], ids[0]}}, "BAD_USER_INPUT", "ids[2]")
	b.code(b.admin, bulkTransitionQ, map[string]any{"to": to, "ids": []string{ids[0], b.ids["ada"]}}, "BAD_USER_INPUT", "ids[1]")
	many := make([]string, itam.MaxBulkItems+1)
	for i := range many {
		many[i] = relay.ID(relay.TypeAsset, uuid.New())
	}
	const small = `mutation($ids: [ID!]) { bulkTransitionAssets(ids: $ids, to: IN_REPAIR) { succeeded } }`
	b.code(b.admin, small, map[string]any{"ids": many}, "BAD_USER_INPUT", "ids")
	d := b.ok(b.admin, small, map[string]any{"ids": []string{}})
	require.EqualValues(t, 0, get(d, "bulkTransitionAssets.succeeded"), "no ids, no items")
	for _, s := range b.state(b.admin, ids) {
		require.Equal(t, "IN_STOCK", s["status"], "nothing changed")
	}
}

// TestBulkAllOrNothing: one refused item among good ones leaves every asset
// as it was, and every item is reported; partial applies the good ones.
func TestBulkAllOrNothing(t *testing.T) {
	b := newBulkAPI(t)
	ids := b.assets(b.admin, b.ids["model"], "AON", 3)
	b.ok(b.admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { id } } }`, map[string]any{"id": ids[1], "to": b.ids["ada"]})
	gone := relay.ID(relay.TypeAsset, uuid.New())
	list := []string{ids[0], gone, ids[1], ids[2]}
	before := b.state(b.admin, ids)

	// ids[1] is DEPLOYED: RETIRED is not a move from there.
	d := b.ok(b.admin, bulkTransitionQ, map[string]any{"ids": list, "to": "RETIRED"})
	r := get(d, "bulkTransitionAssets").(map[string]any)
	require.Equal(t, false, r["applied"])
	require.EqualValues(t, 2, r["succeeded"], "would have succeeded")
	require.EqualValues(t, 2, r["failed"])
	require.Equal(t, gone, str(r, "items.1.id"))
	require.Equal(t, "NOT_FOUND", str(r, "items.1.error.code"))
	require.Equal(t, "BAD_USER_INPUT", str(r, "items.2.error.code"))
	require.Equal(t, "status", str(r, "items.2.error.field"))
	require.Contains(t, str(r, "items.2.error.message"), "from DEPLOYED to RETIRED")
	for _, i := range []int{0, 3} {
		require.Nil(t, get(r, fmt.Sprintf("items.%d.error", i)))
		require.Nil(t, get(r, fmt.Sprintf("items.%d.asset", i)), "nothing was applied")
	}
	require.Equal(t, before, b.state(b.admin, ids), "nothing written, not even history")

	// partial: the good ones move (with their history), the others are reported.
	d = b.ok(b.admin, bulkTransitionQ, map[string]any{"ids": list, "to": "RETIRED", "partial": true})
	r = get(d, "bulkTransitionAssets").(map[string]any)
	require.Equal(t, true, r["applied"])
	require.EqualValues(t, 2, r["succeeded"])
	require.Equal(t, "RETIRED", str(r, "items.0.asset.status"))
	require.Equal(t, "NOT_FOUND", str(r, "items.1.error.code"))
	require.Nil(t, get(r, "items.2.asset"))
	after := b.state(b.admin, ids)
	require.Equal(t, []any{"RETIRED", "DEPLOYED", "RETIRED"}, []any{after[0]["status"], after[1]["status"], after[2]["status"]})
	require.Equal(t, historyLen(before[0])+1, historyLen(after[0]))
	require.Equal(t, "TRANSITION", get(after[0], fmt.Sprintf("history.nodes.%d.action", historyLen(before[0]))))
	require.Equal(t, historyLen(before[1]), historyLen(after[1]))
}

// TestBulkCrossOrg: another organization's assets are NOT_FOUND items, and
// neither ids nor a filter touch them.
func TestBulkCrossOrg(t *testing.T) {
	b := newBulkAPI(t)
	ours := b.assets(b.admin, b.ids["model"], "X", 1)
	gids := b.inventory(b.globex)
	theirs := b.assets(b.globex, gids["model"], "X", 1)
	before := b.state(b.globex, theirs)

	d := b.ok(b.admin, bulkUpdateQ, map[string]any{"ids": []string{ours[0], theirs[0]}, "p": map[string]any{"notes": "mine"}, "partial": true})
	r := get(d, "bulkUpdateAssets").(map[string]any)
	require.EqualValues(t, 1, r["succeeded"])
	require.Equal(t, theirs[0], str(r, "items.1.id"))
	require.Equal(t, "NOT_FOUND", str(r, "items.1.error.code"))
	d = b.ok(b.admin, bulkUpdateQ, map[string]any{"f": map[string]any{"search": "X-1"}, "p": map[string]any{"notes": "all"}})
	require.Len(t, get(d, "bulkUpdateAssets.items").([]any), 1, "acme's X-1 only")
	require.Equal(t, before, b.state(b.globex, theirs), "globex's asset untouched")
}

func TestBulkRoles(t *testing.T) {
	b := newBulkAPI(t)
	ids := b.assets(b.admin, b.ids["model"], "R", 2)
	for _, tc := range []struct {
		role itam.Role
		ok   bool
	}{
		{itam.RoleAdmin, true}, {itam.RoleManager, true}, {itam.RoleAuditor, false}, {itam.RoleEmployee, false},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			tok := mint(t, "acme", tc.role, "someone@acme.test")
			if tc.role == itam.RoleEmployee {
				tok = mint(t, "acme", tc.role, "ada@example.com")
			}
			note := "by " + string(tc.role)
			vars := map[string]any{"ids": ids, "p": map[string]any{"notes": note}}
			if !tc.ok {
				b.code(tok, bulkUpdateQ, vars, "FORBIDDEN", "")
				b.code(tok, bulkTransitionQ, map[string]any{"ids": ids, "to": "IN_REPAIR"}, "FORBIDDEN", "")
				b.code(tok, bulkAssignQ, map[string]any{"ids": ids, "as": map[string]any{"assigneeId": b.ids["ada"]}}, "FORBIDDEN", "")
				for _, s := range b.state(b.admin, ids) {
					require.NotEqual(t, note, s["notes"])
					require.Equal(t, "IN_STOCK", s["status"])
				}
				return
			}
			d := b.ok(tok, bulkUpdateQ, vars)
			require.Equal(t, true, get(d, "bulkUpdateAssets.applied"))
			for _, s := range b.state(b.admin, ids) {
				require.Equal(t, note, s["notes"])
			}
		})
	}
}

func TestBulkAssignAssets(t *testing.T) {
	b := newBulkAPI(t)
	ids := b.assets(b.admin, b.ids["model"], "AS", 3)
	b.ok(b.admin, `mutation($id: ID!, $to: ID!) { assignAsset(input: {id: $id, assigneeId: $to}) { asset { id } } }`, map[string]any{"id": ids[2], "to": b.ids["grace"]})

	// ids[2] is Grace's: without reassign it is refused, and so is the call.
	vars := map[string]any{"ids": ids, "as": map[string]any{"assigneeId": b.ids["ada"], "expectedReturnDate": time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}}
	d := b.ok(b.admin, bulkAssignQ, vars)
	r := get(d, "bulkAssignAssets").(map[string]any)
	require.Equal(t, false, r["applied"])
	require.Equal(t, "reassign", str(r, "items.2.error.field"))
	require.Contains(t, str(r, "items.2.error.message"), "Grace Hopper")
	require.Equal(t, "IN_STOCK", b.state(b.admin, ids[:1])[0]["status"])

	vars["as"].(map[string]any)["reassign"] = true
	d = b.ok(b.admin, bulkAssignQ, vars)
	r = get(d, "bulkAssignAssets").(map[string]any)
	require.Equal(t, true, r["applied"])
	for i := range ids {
		require.Equal(t, "DEPLOYED", str(r, fmt.Sprintf("items.%d.asset.status", i)))
		require.Equal(t, "Ada Lovelace", str(r, fmt.Sprintf("items.%d.asset.assignee.name", i)))
	}
	d = b.ok(b.admin, `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Asset { currentCheckout { checkedOutBy expectedReturnDate } history { nodes { action } } } } }`, map[string]any{"ids": ids})
	for i := range ids {
		require.Equal(t, "admin@acme.test", str(d, fmt.Sprintf("nodes.%d.currentCheckout.checkedOutBy", i)))
		require.NotEmpty(t, str(d, fmt.Sprintf("nodes.%d.currentCheckout.expectedReturnDate", i)))
		hist := get(d, fmt.Sprintf("nodes.%d.history.nodes", i)).([]any)
		require.Equal(t, "ASSIGN", str(hist[len(hist)-1], "action"))
	}
	// The assignee's input is assignAsset's: a malformed id fails the call.
	b.code(b.admin, bulkAssignQ, map[string]any{"ids": ids, "as": map[string]any{"assigneeId": ids[0]}}, "BAD_USER_INPUT", "assignee.assigneeId")
}

func TestBulkAssignLicenseSeats(t *testing.T) {
	b := newBulkAPI(t)
	var org uuid.UUID
	owner := b.owner()
	require.NoError(t, owner.QueryRow(context.Background(), `SELECT id FROM organizations WHERE slug = 'acme'`).Scan(&org))
	product := relay.ID(relay.TypeSoftwareProduct, insertProduct(t, owner, org, "Slack Inc.", "Slack"))
	lic := func(model string) string {
		d := b.ok(b.admin, createLicenseQ, map[string]any{"in": map[string]any{"productId": product, "licenseModel": model, "seats": 10}})
		return str(d, "createLicense.license.id")
	}
	users, devices := lic("PER_USER"), lic("PER_DEVICE")

	d := b.ok(b.admin, bulkSeatsQ, map[string]any{"l": users, "ids": []string{b.ids["ada"], b.ids["grace"]}})
	r := get(d, "bulkAssignLicenseSeats").(map[string]any)
	require.Equal(t, true, r["applied"])
	require.Equal(t, b.ids["ada"], str(r, "items.0.id"))
	require.Equal(t, "Grace Hopper", str(r, "items.1.seat.person.name"))

	// Ada holds one already: her item is CONFLICT.
	d = b.ok(b.admin, bulkSeatsQ, map[string]any{"l": users, "ids": []string{b.ids["ada"]}})
	require.Equal(t, "CONFLICT", str(d, "bulkAssignLicenseSeats.items.0.error.code"))

	// Devices by filter; an asset for a PER_USER license is the item's refusal.
	ids := b.assets(b.admin, b.ids["model"], "DEV", 2)
	d = b.ok(b.admin, bulkSeatsQ, map[string]any{"l": devices, "f": map[string]any{"search": "DEV-"}})
	r = get(d, "bulkAssignLicenseSeats").(map[string]any)
	require.EqualValues(t, 2, r["succeeded"])
	require.Equal(t, ids[0], str(r, "items.0.id"))
	require.Equal(t, "DEV-2", str(r, "items.1.seat.asset.assetTag"))
	d = b.ok(b.admin, bulkSeatsQ, map[string]any{"l": users, "ids": ids[:1]})
	require.Equal(t, "personId", str(d, "bulkAssignLicenseSeats.items.0.error.field"))
	var seats int
	require.NoError(t, owner.QueryRow(context.Background(), `SELECT count(*) FROM license_seats`).Scan(&seats))
	require.Equal(t, 4, seats)
	b.code(mint(t, "acme", itam.RoleAuditor, "aud@acme.test"), bulkSeatsQ, map[string]any{"l": users, "ids": ids}, "FORBIDDEN", "")
}

// TestBulkCost: every item counts in the query cost, ids by their number
// and a filter by the cap, so a call whose answer is over the budget is
// refused before anything changes.
func TestBulkCost(t *testing.T) {
	b := newBulkAPI(t)
	ids := b.assets(b.admin, b.ids["model"], "C", 2)
	heavy := `mutation($ids: [ID!], $f: AssetFilter) { bulkUpdateAssets(ids: $ids, filter: $f, patch: {notes: "n"}) {
		items { asset { history(first: 100) { nodes { action } } } } } }`
	d := b.ok(b.admin, heavy, map[string]any{"ids": ids})
	require.Len(t, get(d, "bulkUpdateAssets.items").([]any), 2)
	many := append([]string{}, ids...)
	for len(many) < 300 {
		many = append(many, relay.ID(relay.TypeAsset, uuid.New()))
	}
	b.code(b.admin, heavy, map[string]any{"ids": many}, "COMPLEXITY_LIMIT_EXCEEDED", "")
	b.code(b.admin, heavy, map[string]any{"f": map[string]any{"search": "C-"}}, "COMPLEXITY_LIMIT_EXCEEDED", "")
	for _, s := range b.state(b.admin, ids) {
		require.Equal(t, "n", s["notes"], "only the accepted call wrote")
		require.Equal(t, 2, historyLen(s))
	}
}

// TestBulkThousandItems: a filter may select the cap, not one more (the
// refusal names the count); 1,000 items are changed in one call, timed.
func TestBulkThousandItems(t *testing.T) {
	b := newBulkAPI(t)
	ctx := context.Background()
	owner := b.owner()
	_, model, err := relay.Decode("model", b.ids["model"], relay.TypeModel)
	require.NoError(t, err)
	_, team, err := relay.Decode("team", b.ids["team"], relay.TypeTeam)
	require.NoError(t, err)
	_, err = owner.Exec(ctx, `INSERT INTO assets (org_id, asset_tag, model_id, manufacturer_id, owner_team_id)
		SELECT m.org_id, 'K-' || lpad(i::text, 4, '0'), m.id, m.manufacturer_id, $2 FROM models m, generate_series(1, $3::int) i WHERE m.id = $1`,
		model, team, itam.MaxBulkItems+1)
	require.NoError(t, err)

	r := b.code(b.admin, bulkTransitionQ, map[string]any{"f": map[string]any{"search": "K-"}, "to": "IN_REPAIR"}, "BAD_USER_INPUT", "filter")
	require.Contains(t, r.Errors[0].Message, fmt.Sprintf("matches %d items; at most %d", itam.MaxBulkItems+1, itam.MaxBulkItems))

	const q = `mutation($f: AssetFilter) { bulkTransitionAssets(filter: $f, to: IN_REPAIR) { succeeded applied } }`
	f := map[string]any{"search": "K-", "not": map[string]any{"search": "K-1001"}}
	start := time.Now()
	d := b.ok(b.admin, q, map[string]any{"f": f})
	took := time.Since(start)
	require.EqualValues(t, itam.MaxBulkItems, get(d, "bulkTransitionAssets.succeeded"))
	t.Logf("bulkTransitionAssets over %d assets: %s", itam.MaxBulkItems, took)

	start = time.Now()
	d = b.ok(b.admin, `mutation($f: AssetFilter) { bulkUpdateAssets(filter: $f, patch: {notes: "audited"}) { succeeded } }`, map[string]any{"f": f})
	t.Logf("bulkUpdateAssets over %d assets: %s", itam.MaxBulkItems, time.Since(start))
	require.EqualValues(t, itam.MaxBulkItems, get(d, "bulkUpdateAssets.succeeded"))
	var moved, entries int
	require.NoError(t, owner.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'IN_REPAIR' AND notes = 'audited'),
		(SELECT count(*) FROM asset_history) FROM assets`).Scan(&moved, &entries))
	require.Equal(t, itam.MaxBulkItems, moved)
	require.Equal(t, 2*itam.MaxBulkItems, entries, "a TRANSITION and an UPDATE per asset")
}

// TestBulkQueuesPushes: a bulk change queues the ITSM write-backs its
// single-item mutations would (the asset_history trigger's outbox rows,
// which wait there in a server without a job client), one per changed
// asset, in its transaction; an all-or-nothing call that applied nothing
// queues nothing.
func TestBulkQueuesPushes(t *testing.T) {
	t.Parallel()
	a := newConnAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	a.ok(admin, `mutation($in: CreateConnectorInput!) { createConnector(input: $in) { connector { id } } }`, map[string]any{"in": map[string]any{
		"kind": "SERVICENOW", "name": "snow", "baseUrl": "http://127.0.0.1:9", "pushFields": []string{"STATUS"}, "pushCreate": true,
		"credentials": map[string]any{"username": "svc", "password": "pw"}}})
	b := &bulkAPI{api: a.api, admin: admin, ids: ids}
	assets := b.assets(admin, ids["model"], "P", 2)
	pushes := func() int {
		var n int
		require.NoError(t, a.owner.QueryRow(context.Background(), `SELECT count(*) FROM connector_push_outbox`).Scan(&n))
		return n
	}
	// The creates queued pushes of their own: start from none.
	_, err := a.owner.Exec(context.Background(), `DELETE FROM connector_push_outbox`)
	require.NoError(t, err)
	list := append([]string{relay.ID(relay.TypeAsset, uuid.New())}, assets...)
	d := a.ok(admin, bulkTransitionQ, map[string]any{"ids": list, "to": "IN_REPAIR"})
	require.Equal(t, false, get(d, "bulkTransitionAssets.applied"))
	require.Equal(t, 0, pushes(), "nothing applied, nothing pushed")
	d = a.ok(admin, bulkTransitionQ, map[string]any{"ids": list, "to": "IN_REPAIR", "partial": true})
	require.EqualValues(t, 2, get(d, "bulkTransitionAssets.succeeded"))
	require.Equal(t, 2, pushes(), "one push per changed asset")
}
