package main

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/graph/generated"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// nodeTypes lists the object types implementing Node, read from the
// executable schema itself, so a type added later shows up here.
func nodeTypes(t *testing.T) []string {
	t.Helper()
	s := generated.NewExecutableSchema(generated.Config{}).Schema()
	iface := s.Types["Node"]
	require.NotNil(t, iface, "the schema has a Node interface")
	var out []string
	for _, d := range s.GetPossibleTypes(iface) {
		out = append(out, d.Name)
	}
	slices.Sort(out)
	require.NotEmpty(t, out)
	return out
}

// TestNodeResolvesEveryNodeType: node(id:) and nodes(ids:) return one object
// of every type that implements Node, with its own __typename and id. A
// type without a fixture here, or without a case in the node resolver,
// fails.
func TestNodeResolvesEveryNodeType(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["ada"]}})
	ids["asset"] = str(d, "createAsset.asset.id")
	ids["organization"] = str(a.ok(admin, `{ organization { id } }`, nil), "organization.id")

	// What the API cannot create without vendors is written as the owner.
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	_, org, _ := relay.Parse(ids["organization"])
	_, asset, _ := relay.Parse(ids["asset"])
	var connector, run, conflict uuid.UUID
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO connectors (org_id, kind, name, credentials) VALUES ($1, 'JAMF_PRO', 'Jamf', '\x00') RETURNING id`, org).Scan(&connector))
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO sync_runs (org_id, connector_id, mode) VALUES ($1, $2, 'FULL') RETURNING id`, org, connector).Scan(&run))
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO sync_conflicts (org_id, asset_id, field, kept_source, kept_value, other_source, other_value)
		VALUES ($1, $2, 'name', 'JAMF_PRO:x', '"a"', 'INTUNE:y', '"b"') RETURNING id`, org, asset).Scan(&conflict))
	var titleRule, normalization uuid.UUID // software title rules
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO software_title_rules (org_id, position, kind, pattern, product_id)
		VALUES ($1, 1, 'EXACT', 'Node', $2) RETURNING id`, org, insertProduct(t, owner, org, "Node rules publisher", "Node rules product")).Scan(&titleRule))
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO software_normalization_runs (org_id, reason, actor) VALUES ($1, 'node', 'node@test') RETURNING id`, org).Scan(&normalization))

	fixtures := map[string]string{
		"Asset": ids["asset"], "Person": ids["ada"], "Team": ids["team"], "Location": ids["location"],
		"Manufacturer": ids["manufacturer"], "Category": ids["category"], "Model": ids["model"], "Supplier": ids["supplier"],
		"Organization": ids["organization"], "Connector": relay.ID(relay.TypeConnector, connector),
		"SyncRun": relay.ID(relay.TypeSyncRun, run), "SyncConflict": relay.ID(relay.TypeSyncConflict, conflict),
		"SoftwareTitleRule":        relay.ID(relay.TypeSoftwareTitleRule, titleRule),
		"SoftwareNormalizationRun": relay.ID(relay.TypeSoftwareNormalizationRun, normalization),
	}
	d = a.ok(admin, `mutation { p: createSoftwarePublisher(input: {name: "Adobe"}) { softwarePublisher { id } } }`, nil)
	fixtures["SoftwarePublisher"] = str(d, "p.softwarePublisher.id")
	d = a.ok(admin, `mutation($p: ID!) { p: createSoftwareProduct(input: {publisherId: $p, name: "Acrobat"}) { softwareProduct { id } } }`,
		map[string]any{"p": fixtures["SoftwarePublisher"]})
	fixtures["SoftwareProduct"] = str(d, "p.softwareProduct.id")
	d = a.ok(admin, `mutation($a: ID!) { c: createCostEntry(input: {assetId: $a, kind: REPAIR, date: "2025-01-01", amount: {amount: "1", currency: "USD"}}) { costEntry { id } } }`,
		map[string]any{"a": ids["asset"]})
	fixtures["CostEntry"] = str(d, "c.costEntry.id")
	fixtures["License"], fixtures["LicenseSeat"] = licenseNodeFixtures(t, owner, org, ids["ada"])
	fixtures["DepreciationProfile"] = str(a.ok(admin, createProfileQ, map[string]any{"in": straightLine("Node", "USD")}), "createDepreciationProfile.depreciationProfile.id")
	fixtures["AuditCampaign"] = str(a.ok(admin, `mutation($l: ID!) { createAuditCampaign(input: {name: "Node", locationId: $l, dueDate: "2026-06-30"}) { auditCampaign { id } } }`,
		map[string]any{"l": ids["location"]}), "createAuditCampaign.auditCampaign.id")
	fixtures["Contract"] = str(a.ok(admin, `mutation { createContract(input: {kind: SUPPORT, start: "2025-01-01"}) { contract { id } } }`, nil), "createContract.contract.id")
	notifyNodeFixtures(t, owner, org, connector, fixtures) // Notification, WebhookSubscription, WebhookDelivery
	fixtures["OffboardingChecklist"] = offboardingNodeFixture(t, a, admin, ids["grace"])
	fixtures["AssetCheckout"] = str(a.ok(admin, `query($id: ID!) { node(id: $id) { ... on Asset { currentCheckout { id } } } }`,
		map[string]any{"id": ids["asset"]}), "node.currentCheckout.id")
	fixtures["PurchaseOrder"], fixtures["PurchaseOrderLine"] = purchaseOrderNodeFixtures(t, a, admin, ids)
	fixtures["SanitizationRecord"] = sanitizationNodeFixture(t, owner, org, asset)
	var importRun uuid.UUID // this server has no job queue to start imports on
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO import_runs (org_id, kind, file_name, file_size, created_by)
		VALUES ($1, 'ASSETS', 'node.csv', 0, 'node@test') RETURNING id`, org).Scan(&importRun))
	fixtures["ImportRun"] = relay.ID(relay.TypeImportRun, importRun)
	fixtures["ImportMapping"] = str(a.ok(admin, `mutation { saveImportMapping(input: {kind: ASSETS, name: "Node",
		columns: [{header: "Tag", field: "assetTag"}]}) { id } }`, nil), "saveImportMapping.id")
	types := nodeTypes(t)
	var all []string
	for _, typ := range types {
		id, ok := fixtures[typ]
		require.True(t, ok, "%s implements Node: give it a fixture here (and a case in graph/node.go)", typ)
		require.NotEmpty(t, id, typ)
		d := a.ok(admin, `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": id})
		require.Equal(t, typ, str(d, "node.__typename"), "node(id:) of a %s", typ)
		require.Equal(t, id, str(d, "node.id"), typ)
		all = append(all, id)
	}
	d = a.ok(admin, `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`, map[string]any{"ids": all})
	for i, typ := range types {
		require.Equal(t, typ, str(d, "nodes."+strconv.Itoa(i)+".__typename"), "nodes(ids:)")
		require.Equal(t, all[i], str(d, "nodes."+strconv.Itoa(i)+".id"))
	}
}

// TestNodeSyncConflict: a sync conflict resolves through node(id:) with its
// asset, for the roles that may list conflicts (ADMIN, MANAGER, AUDITOR);
// an EMPLOYEE gets null, as from syncConflicts they get FORBIDDEN.
func TestNodeSyncConflict(t *testing.T) {
	t.Parallel()
	a := newAPI(t)
	admin := mint(t, "acme", itam.RoleAdmin, "admin@acme.test")
	ids := a.inventory(admin)
	d := a.ok(admin, createAsset, map[string]any{"in": map[string]any{"modelId": ids["model"], "assigneeId": ids["ada"]}})
	assetID, tag := str(d, "createAsset.asset.id"), str(d, "createAsset.asset.assetTag")
	_, asset, _ := relay.Parse(assetID)
	_, org, _ := relay.Parse(str(a.ok(admin, `{ organization { id } }`, nil), "organization.id"))
	ctx := context.Background()
	owner, err := pgxpool.New(ctx, a.dbURL)
	require.NoError(t, err)
	defer owner.Close()
	var conflict uuid.UUID
	require.NoError(t, owner.QueryRow(ctx, `INSERT INTO sync_conflicts (org_id, asset_id, field, kept_source, kept_value, other_source, other_value)
		VALUES ($1, $2, 'name', 'JAMF_PRO:x', '"a"', 'INTUNE:y', '"b"') RETURNING id`, org, asset).Scan(&conflict))
	id := relay.ID(relay.TypeSyncConflict, conflict)
	const q = `query($id: ID!) { node(id: $id) { __typename ... on SyncConflict { id field keptValue otherValue asset { assetTag } } } }`

	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		d := a.ok(mint(t, "acme", role, "staff@acme.test"), q, map[string]any{"id": id})
		require.Equal(t, "SyncConflict", str(d, "node.__typename"), role)
		require.Equal(t, id, str(d, "node.id"), role)
		require.Equal(t, "name", str(d, "node.field"), role)
		require.Equal(t, "b", str(d, "node.otherValue"), role)
		require.Equal(t, tag, str(d, "node.asset.assetTag"), role)
	}
	ada := mint(t, "acme", itam.RoleEmployee, "ada@example.com")
	a.code(ada, `{ syncConflicts { totalCount } }`, nil, "FORBIDDEN", "")
	d = a.ok(ada, q, map[string]any{"id": id})
	require.Nil(t, d["node"], "an EMPLOYEE cannot read conflicts, even of their own asset")
	d = a.ok(mint(t, "globex", itam.RoleAdmin, "admin@globex.test"), q, map[string]any{"id": id})
	require.Nil(t, d["node"], "another organization's conflict is null")
}
