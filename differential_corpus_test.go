package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// updateCorpus rewrites the generated part of the differential corpus
// (testdata/differential/g-*.graphql) from diffLists:
//
//	go test -run TestDifferentialCorpusCurrent -update-differential .
var updateCorpus = flag.Bool("update-differential", false, "rewrite testdata/differential/g-* from diffLists")

const corpusDir = "testdata/differential"

// diffList is one list reachable from Query with a selection over its
// element type. Each becomes five operations (diffVariants), so every list
// type goes through both paths plain, aliased, through a named fragment and
// under @include/@skip with variables either way.
type diffList struct {
	name string // file name stem
	// field is the Query field with its arguments; typ the type its
	// selection set is on (the connection or the list's element type).
	field, typ string
	sel        string // the selection set's contents
	// vars are the variables field's arguments use, declared as given.
	decl string
	vars string
}

const (
	pageInfo = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
	money    = `{ amount currency }`
	assetSel = `id assetTag serialNumber name status condition purchaseDate purchasePrice ` + money + ` orderNumber invoiceNumber warrantyEnd endOfLife notes customFields version
		model { id name modelNumber usefulLifeMonths manufacturer { name website } category { name kind } }
		manufacturer { name } category { id name kind hasStorage }
		assignee { __typename ... on Person { name email } ... on Location { name kind } }
		owner { __typename ... on Person { name } ... on Team { name description } }
		location { name kind parent { name } } supplier { name email }
		externalIds { source externalId lastSeenAt }`
)

var diffLists = []diffList{
	{name: "assets", field: `assets(first: 5)`, typ: "AssetConnection", sel: `totalCount ` + pageInfo + ` edges { cursor node { assetTag } } nodes { ` + assetSel + ` }`},
	{name: "assets-filtered", field: `assets(first: 4, filter: $f, orderBy: {field: PURCHASE_DATE, direction: DESC})`, typ: "AssetConnection",
		decl: `$f: AssetFilter`, vars: `{"f": {"statusIn": ["DEPLOYED", "IN_STOCK"], "not": {"unassigned": true}}}`,
		sel: `totalCount nodes { assetTag purchaseDate status assignee { ... on Person { name team { name } manager { name } } } }`},
	{name: "assets-last", field: `assets(last: 3, orderBy: {field: WARRANTY_END})`, typ: "AssetConnection", sel: pageInfo + ` nodes { assetTag warrantyEnd model { name } }`},
	{name: "asset-history", field: `assets(first: 2)`, typ: "AssetConnection",
		sel: `nodes { assetTag history(first: 3) { ` + pageInfo + ` nodes { action actorKind actor source fromStatus toStatus at changes { field from to fromLabel toLabel } } } }`},
	{name: "asset-lists", field: `assets(first: 3, orderBy: {field: ASSET_TAG, direction: DESC})`, typ: "AssetConnection",
		sel: `nodes { assetTag allowedTransitions contracts { kind number start end } licenseSeats { assignedAt } software { title version source product { name } } syncConflicts { field keptSource } pushErrors { message } fieldProvenance { field source } depreciationSchedule { start end openingValue ` + money + ` closingValue ` + money + ` } }`},
	{name: "asset-checkouts", field: `assets(first: 3)`, typ: "AssetConnection",
		sel: `nodes { assetTag currentCheckout { id } checkouts(first: 2) { totalCount nodes { checkedOutAt } } costEntries(first: 2) { totalCount nodes { kind date amount ` + money + ` } } }`},
	{name: "asset-counts", field: `assetCounts(groupBy: [STATUS, CATEGORY])`, typ: "AssetCountGroup",
		sel: `status count category { name kind } purchaseValue ` + money},
	{name: "asset-counts-owner", field: `assetCounts(groupBy: [OWNER_TEAM, ASSIGNEE_LOCATION])`, typ: "AssetCountGroup",
		sel: `count ownerTeam { name } location { name } assigneeTeam { name } assigneeLocation { name kind } model { name }`},
	{name: "audit-campaigns", field: `auditCampaigns(first: 3)`, typ: "AuditCampaignConnection", sel: `totalCount nodes { name dueDate status counts { found missing total } location { name } }`},
	{name: "ghost-assets", field: `ghostAssets(notSeenForDays: 30, first: 3)`, typ: "GhostAssetConnection", sel: `totalCount nodes { lastSignOfLifeSource asset { assetTag } }`},
	{name: "manufacturers", field: `manufacturers(first: 5)`, typ: "ManufacturerConnection", sel: `totalCount ` + pageInfo + ` edges { cursor node { id name website supportUrl version } }`},
	{name: "categories", field: `categories(first: 5)`, typ: "CategoryConnection",
		sel: `totalCount nodes { id name kind auditIntervalMonths hasStorage fieldDefinitions { key label type required options } depreciationProfile { name method } }`},
	{name: "models", field: `models(first: 5)`, typ: "ModelConnection",
		sel: `totalCount nodes { id name modelNumber usefulLifeMonths manufacturer { name } category { name } depreciationProfile { name usefulLifeMonths } }`},
	{name: "overdue-checkouts", field: `overdueCheckouts(first: 3)`, typ: "AssetCheckoutConnection", sel: `totalCount nodes { id checkedOutBy asset { assetTag } }`},
	{name: "my-pending-acceptances", field: `myPendingAcceptances`, typ: "AssetCheckout", sel: `id checkedOutAt asset { assetTag }`},
	{name: "license-compliance", field: `licenseCompliance`, typ: "LicenseCompliance",
		sel: `metric licenseModels entitled consumed assigned installedDevices unattributedDevices shortfall surplus status trueUpCost ` + money + ` product { name publisher { name } }`},
	{name: "reclaim-candidates", field: `reclaimCandidates(first: 5)`, typ: "ReclaimCandidate", sel: `reason lastSeenAt frees ` + money + ` license { name } seat { assignedAt person { name } }`},
	{name: "expiring-licenses", field: `expiringLicenses(withinDays: 3650, first: 5)`, typ: "ExpiringLicense", sel: `termEnd autoRenew atStake ` + money + ` license { name seats }`},
	{name: "license-evidence", field: `licenseEvidence(productId: $p, first: 4)`, typ: "LicenseEvidenceConnection", decl: `$p: ID!`, vars: `{"p": "@product"}`,
		sel: `totalCount nodes { covered note asset { assetTag } person { name } license { name } seat { assignedAt } installations { title version } }`},
	{name: "connectors", field: `connectors(first: 5)`, typ: "ConnectorConnection",
		sel: `totalCount nodes { id kind name baseUrl authUrl enabled authoritativeForPeople staleAfterDays hasWebhookSecret options version schedule { intervalMinutes cron } defaultOwnerTeam { name } lastSync { status message } pushFields pushCreate pushErrorCount }`},
	{name: "sync-runs", field: `syncRuns(connectorId: $c, first: 5)`, typ: "SyncRunConnection", decl: `$c: ID!`, vars: `{"c": "@connector"}`,
		sel: `totalCount ` + pageInfo + ` nodes { id connectorId mode status trigger targetExternalId startedAt finishedAt pagesFetched recordsSeen created updated unchanged staleMarked errorCount message errors { externalId message } connector { name } }`},
	{name: "connector-sync-runs", field: `connectors(first: 2)`, typ: "ConnectorConnection", sel: `nodes { kind syncRuns(first: 2) { totalCount nodes { status message } } pushErrors(first: 1) { ` + pageInfo + ` } }`},
	{name: "contracts", field: `contracts(first: 3)`, typ: "ContractConnection",
		sel: `totalCount nodes { id kind number start end renewalDate noticeDate notes supplier { name } charges { amount ` + money + ` every start end } coveredAssets(first: 2) { totalCount nodes { assetTag } } coveredLicenses(first: 1) { totalCount } }`},
	{name: "cost-entries", field: `costEntries(first: 5)`, typ: "CostEntryConnection",
		sel: `totalCount nodes { id kind date amount ` + money + ` invoiceReference notes asset { assetTag } license { name } contract { number } supplier { name } }`},
	{name: "cost-history", field: `costHistory(id: $id, first: 3)`, typ: "CostHistoryConnection", decl: `$id: ID!`, vars: `{"id": "@contract"}`,
		sel: `totalCount nodes { action actorKind actor changes { field from to } }`},
	{name: "exchange-rates", field: `exchangeRates(first: 5)`, typ: "ExchangeRateConnection", sel: `totalCount nodes { from to rate validFrom }`},
	{name: "cost-rollup", field: `costRollup(groupBy: [CATEGORY, TEAM], from: "2021-01-01", to: "2025-12-31")`, typ: "CostRollup",
		sel: `from to reportingCurrency total ` + money + ` groups { category { name } team { name } total ` + money + ` byKind { kind total ` + money + ` } }`},
	{name: "spend-by-period", field: `spendByPeriod(period: YEAR, from: "2021-01-01", to: "2025-12-31", groupBy: [OWNER], reportingCurrency: "USD")`, typ: "SpendReport",
		sel: `period reportingCurrency ratesUsed { from to rate validFrom } buckets { start end owner { __typename ... on Team { name } ... on Person { name } } supplier { name } total ` + money + ` }`},
	{name: "depreciation-profiles", field: `depreciationProfiles(first: 5)`, typ: "DepreciationProfileConnection",
		sel: `totalCount nodes { id name method usefulLifeMonths salvageValue ` + money + ` salvagePercent rate convention isDefault }`},
	{name: "disposals", field: `disposals(first: 3)`, typ: "DisposalConnection", sel: `totalCount nodes { assetTag serialNumber modelName date method certificate asset { status } }`},
	{name: "audit-events", field: `auditEvents(first: 4)`, typ: "AuditEventConnection", sel: pageInfo + ` nodes { actorKind actor action entityType entityId label changes { field } }`},
	{name: "import-runs", field: `importRuns(first: 3)`, typ: "ImportRunConnection", sel: `totalCount nodes { id kind status fileName }`},
	{name: "import-mappings", field: `importMappings`, typ: "ImportMapping", sel: `id kind name columns { header field }`},
	{name: "licenses", field: `licenses(first: 5)`, typ: "LicenseConnection",
		sel: `totalCount nodes { id name licenseModel editions versions seats termStart termEnd renewalDate autoRenew active seatCost ` + money + ` totalCost ` + money + ` billingPeriod purchaseOrder contractReference hasLicenseKey notes assignedSeats product { name } supplier { name } }`},
	{name: "license-seats", field: `licenses(first: 3, filter: {active: true})`, typ: "LicenseConnection",
		sel: `nodes { name seatAssignments(first: 3) { totalCount nodes { assignedAt assignedBy person { name } asset { assetTag } } } history(first: 2) { totalCount nodes { action } } }`},
	{name: "locations", field: `locations(first: 6)`, typ: "LocationConnection",
		sel: `totalCount nodes { id kind name version parent { name } ancestors { name } children { name kind } address { line1 city country } }`},
	{name: "location-assets", field: `locations(first: 4, filter: {rootsOnly: true})`, typ: "LocationConnection",
		sel: `nodes { name assets(first: 2) { totalCount nodes { assetTag assignee { __typename } } } }`},
	{name: "notifications", field: `notifications(first: 3)`, typ: "NotificationConnection", sel: `totalCount nodes { id kind title message dueDate readAt }`},
	{name: "webhook-subscriptions", field: `webhookSubscriptions(first: 3)`, typ: "WebhookSubscriptionConnection", sel: `totalCount nodes { id url events format active hasSecret }`},
	{name: "webhook-deliveries", field: `webhookDeliveries(first: 3)`, typ: "WebhookDeliveryConnection", sel: `totalCount nodes { id event attempt state statusCode }`},
	{name: "offboarding-checklists", field: `offboardingChecklists(first: 3)`, typ: "OffboardingChecklistConnection", sel: `totalCount nodes { id effectiveDate status person { name } items { kind state } }`},
	{name: "offboarding-exceptions", field: `offboardingExceptions(first: 3)`, typ: "OffboardingExceptionConnection", sel: `totalCount nodes { kind since person { name } }`},
	{name: "people", field: `people(first: 5, orderBy: {field: NAME})`, typ: "PersonConnection",
		sel: `totalCount ` + pageInfo + ` nodes { id name email employeeNumber title status startDate endDate version team { name } manager { name manager { name } } location { name } }`},
	{name: "people-assets", field: `people(first: 4, orderBy: {field: EMAIL, direction: DESC})`, typ: "PersonConnection",
		sel: `nodes { name assets(first: 2) { totalCount nodes { assetTag purchasePrice ` + money + ` model { name } } } licenseSeats { license { name } } offboarding { status } }`},
	{name: "teams", field: `teams(first: 5)`, typ: "TeamConnection",
		sel: `totalCount nodes { id name description members(first: 2) { totalCount nodes { name email } } ownedAssets(first: 2, orderBy: {field: ASSET_TAG}) { totalCount nodes { assetTag owner { __typename } } } }`},
	{name: "purchase-orders", field: `purchaseOrders(first: 3)`, typ: "PurchaseOrderConnection", sel: `totalCount nodes { id orderNumber orderDate status currency total ` + money + ` lines { quantity received } }`},
	{name: "refresh-forecast", field: `refreshForecast(quarters: 4)`, typ: "RefreshForecast",
		sel: `overdue { count estimatedCost ` + money + ` } quarters { year quarter start end count estimatedCost ` + money + ` categories { count unpricedCount category { name } } }`},
	{name: "software-publishers", field: `softwarePublishers(first: 5)`, typ: "SoftwarePublisherConnection", sel: `totalCount nodes { id name website starter version }`},
	{name: "software-products", field: `softwareProducts(first: 5)`, typ: "SoftwareProductConnection",
		sel: `totalCount nodes { id name editions notes starter publisher { name } installations(first: 2) { totalCount nodes { title version identifier source asset { assetTag } matchedBy { pattern kind } } } }`},
	{name: "software-title-rules", field: `softwareTitleRules(first: 5)`, typ: "SoftwareTitleRuleConnection", sel: `totalCount nodes { id position kind pattern edition versionPattern starter product { name } }`},
	{name: "test-software-title-rules", field: `testSoftwareTitleRules(titles: [{title: "Google Chrome"}, {title: "zzz unknown"}, {title: "Slack", identifier: "com.tinyspeck.slackmacgap", version: "4.1"}])`,
		typ: "SoftwareTitleTestResult", sel: `title identifier edition normalizedVersion rule { pattern } product { name }`},
	{name: "unmatched-software-titles", field: `unmatchedSoftwareTitles(first: 3)`, typ: "UnmatchedSoftwareTitleConnection", sel: `totalCount nodes { title identifier deviceCount versions sources }`},
	{name: "software-normalization-runs", field: `softwareNormalizationRuns(first: 3)`, typ: "SoftwareNormalizationRunConnection", sel: `totalCount nodes { id state reason titlesTotal }`},
	{name: "suppliers", field: `suppliers(first: 5)`, typ: "SupplierConnection", sel: `totalCount nodes { id name contactName email phone website version }`},
	{name: "sync-conflicts", field: `syncConflicts(first: 3)`, typ: "SyncConflictConnection", sel: `totalCount nodes { id field keptSource keptValue otherSource otherValue asset { assetTag } }`},
	{name: "field-precedence", field: `fieldPrecedence`, typ: "FieldPrecedence", sel: `field sources isDefault`},
}

// diffVariants are the five operations each diffList becomes.
var diffVariants = []struct {
	name string
	op   func(l diffList) (doc, vars string)
}{
	{"plain", func(l diffList) (string, string) {
		return fmt.Sprintf("query %s%s {\n  %s {\n    %s\n  }\n}\n", opName(l, "Plain"), declare(l.decl), l.field, l.sel), l.vars
	}},
	// Aliases on the field and inside it, __typename beside the selection.
	{"aliased", func(l diffList) (string, string) {
		return fmt.Sprintf("query %s%s {\n  first: %s {\n    tn: __typename\n    %s\n  }\n  again: %s {\n    __typename\n  }\n}\n",
			opName(l, "Aliased"), declare(l.decl), l.field, l.sel, l.field), l.vars
	}},
	// The selection through a named fragment, spread twice (merged).
	{"fragment", func(l diffList) (string, string) {
		return fmt.Sprintf("query %s%s {\n  %s {\n    ...Sel\n    ...Sel\n  }\n}\n\nfragment Sel on %s {\n  %s\n}\n",
			opName(l, "Fragment"), declare(l.decl), l.field, l.typ, l.sel), l.vars
	}},
	// @include and @skip with variables, the field kept.
	{"include", func(l diffList) (string, string) {
		return directiveOp(l, "Include", true)
	}},
	// The same with the variables flipped: the field is left out, its
	// aliased twin answers through an included inline fragment.
	{"skip", func(l diffList) (string, string) {
		return directiveOp(l, "Skip", false)
	}},
}

func directiveOp(l diffList, suffix string, with bool) (string, string) {
	decl := "$with: Boolean!, $without: Boolean!"
	if l.decl != "" {
		decl += ", " + l.decl
	}
	vars := fmt.Sprintf(`"with": %t, "without": %t`, with, !with)
	if l.vars != "" {
		vars = strings.TrimPrefix(l.vars, "{") // the field's own variables follow
		vars = fmt.Sprintf(`{"with": %t, "without": %t, %s`, with, !with, vars)
	} else {
		vars = "{" + vars + "}"
	}
	return fmt.Sprintf("query %s(%s) {\n  %s @include(if: $with) {\n    %s\n  }\n  other: %s @skip(if: $with) {\n    __typename\n    ... on %s @include(if: $without) {\n      %s\n    }\n    ... on %s @skip(if: $without) {\n      tn: __typename\n    }\n  }\n}\n",
		opName(l, suffix), decl, l.field, l.sel, l.field, l.typ, l.sel, l.typ), vars
}

func declare(decl string) string {
	if decl == "" {
		return ""
	}
	return "(" + decl + ")"
}

func opName(l diffList, suffix string) string {
	var b strings.Builder
	for _, w := range strings.Split(l.name, "-") {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String() + suffix
}

// generatedCorpus is every g-*.graphql file (and its .json variables) the
// table makes, by file name.
func generatedCorpus() map[string]string {
	files := map[string]string{}
	for _, l := range diffLists {
		for _, v := range diffVariants {
			doc, vars := v.op(l)
			stem := fmt.Sprintf("g-%s-%s", l.name, v.name)
			files[stem+".graphql"] = "# Generated from diffLists (differential_corpus_test.go); -update-differential rewrites it.\n" + doc
			if vars != "" {
				files[stem+".json"] = vars + "\n"
			}
		}
	}
	return files
}

// TestDifferentialCorpusCurrent: the generated part of the committed corpus
// is what diffLists makes, so the table and the files cannot drift apart.
func TestDifferentialCorpusCurrent(t *testing.T) {
	want := generatedCorpus()
	if *updateCorpus {
		old, err := filepath.Glob(filepath.Join(corpusDir, "g-*"))
		require.NoError(t, err)
		for _, f := range old {
			require.NoError(t, os.Remove(f))
		}
		require.NoError(t, os.MkdirAll(corpusDir, 0o755))
		for name, content := range want {
			require.NoError(t, os.WriteFile(filepath.Join(corpusDir, name), []byte(content), 0o644))
		}
	}
	got, err := filepath.Glob(filepath.Join(corpusDir, "g-*"))
	require.NoError(t, err)
	require.Len(t, got, len(want), "run go test -run TestDifferentialCorpusCurrent -update-differential .")
	for _, f := range got {
		content, err := os.ReadFile(f)
		require.NoError(t, err)
		require.Equal(t, want[filepath.Base(f)], string(content), "%s is stale: run go test -run TestDifferentialCorpusCurrent -update-differential .", f)
	}
}
