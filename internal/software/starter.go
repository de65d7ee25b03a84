package software

import "regexp"

// StarterPublisher is a publisher the starter set creates.
type StarterPublisher struct {
	Name, Website string
}

// StarterProduct is a product the starter set creates, with the editions
// its rules may record.
type StarterProduct struct {
	Publisher, Name string
	Editions        []string
}

// StarterRule is one seeded rule, naming its product by publisher and
// product name (the seeding code resolves them to ids). Edition and
// VersionPattern are "" when unset.
type StarterRule struct {
	Kind                    MatchKind
	Pattern                 string
	Publisher, Product      string
	Edition, VersionPattern string
}

// Starter returns the rule set seeded for a new organization: publishers,
// products and rules in evaluation order. Every product has rules for how
// macOS reports it (app name, with or without ".app", and bundle id) and
// how Windows does (Add/Remove Programs display names), except products
// that exist on one platform only (Parallels Desktop and VMware Fusion on
// macOS; Visio, Project, Power BI Desktop, SQL Server Management Studio and
// VMware Workstation on Windows) and Microsoft Office, which macOS reports
// as its separate apps (Word, Excel… each a product here). Linux package
// names are included where the vendor publishes one.
//
// Order matters where names overlap: specific rules come before general
// ones ("Adobe Acrobat Reader" before "Adobe Acrobat", "IntelliJ IDEA
// Community Edition" before "IntelliJ IDEA"). The result is a fresh copy on
// every call.
func Starter() (pubs []StarterPublisher, products []StarterProduct, rules []StarterRule) {
	pubs = append(pubs, starterPublishers...)
	for _, e := range starterCatalog {
		products = append(products, StarterProduct{Publisher: e.publisher, Name: e.product, Editions: append([]string(nil), e.editions...)})
		for _, r := range e.rules {
			r.Publisher, r.Product = e.publisher, e.product
			rules = append(rules, r)
		}
	}
	return pubs, products, rules
}

// entry is one product of the starter catalog with its rules in order.
type entry struct {
	publisher, product string
	editions           []string
	rules              []StarterRule
}

func exact(p string) StarterRule  { return StarterRule{Kind: MatchExact, Pattern: p} }
func prefix(p string) StarterRule { return StarterRule{Kind: MatchPrefix, Pattern: p} }
func regex(p string) StarterRule  { return StarterRule{Kind: MatchRegex, Pattern: p} }
func ident(p string) StarterRule  { return StarterRule{Kind: MatchIdentifier, Pattern: p} }

// ed sets the edition the rule records.
func (r StarterRule) ed(edition string) StarterRule { r.Edition = edition; return r }

// ver sets the rule's version pattern.
func (r StarterRule) ver(pattern string) StarterRule { r.VersionPattern = pattern; return r }

// Version patterns shared by several products.
const (
	// vpYear takes the release year from titles like "AutoCAD 2024 - English".
	vpYear = `\b(20\d\d)\b`
	// vpYearRelease takes "2024.1.2" from "IntelliJ IDEA 2024.1.2" or
	// "Tableau Desktop 2024.1": the release users know, where the reported
	// version is a build number (241.15989.150).
	vpYearRelease = `\b(20\d\d\.\d+(?:\.\d+)?)\b`
)

// officeApp matches a Microsoft Office application as Windows lists a
// standalone install ("Microsoft Excel 2016", "Microsoft Office Excel 2007",
// "Microsoft OneNote - en-us") and as macOS names it ("Microsoft Excel").
func officeApp(name string) StarterRule {
	return regex(`^Microsoft (?:Office )?` + regexp.QuoteMeta(name) + `(?: 20\d\d)?(?: - [a-z]{2,3}(?:-[a-z]+)*)?$`).ver(vpYear)
}

// creativeApp matches an Adobe Creative Cloud application: "Adobe Photoshop
// 2024" (macOS app and Windows), "Adobe Photoshop CC 2019", "Adobe
// Photoshop CS6", "Adobe Photoshop".
func creativeApp(name string) StarterRule {
	return regex(`^Adobe ` + regexp.QuoteMeta(name) + `(?: CC| CS\d)?(?: 20\d\d)?$`).ver(vpYear)
}

// jetbrains matches a JetBrains IDE as Windows lists it ("GoLand 2024.1.2",
// "JetBrains Rider 2024.1") and as macOS names it ("GoLand").
func jetbrains(name string) StarterRule {
	return regex(`^(?:JetBrains )?` + regexp.QuoteMeta(name) + `(?: 20\d\d\.\d+(?:\.\d+)?)?$`).ver(vpYearRelease)
}

var starterPublishers = []StarterPublisher{
	{"Microsoft", "https://www.microsoft.com"},
	{"Adobe", "https://www.adobe.com"},
	{"Salesforce", "https://www.salesforce.com"},
	{"Zoom Communications", "https://www.zoom.com"},
	{"Google", "https://www.google.com"},
	{"Mozilla", "https://www.mozilla.org"},
	{"JetBrains", "https://www.jetbrains.com"},
	{"1Password", "https://1password.com"},
	{"Figma", "https://www.figma.com"},
	{"Docker", "https://www.docker.com"},
	{"Autodesk", "https://www.autodesk.com"},
	{"Cisco", "https://www.cisco.com"},
	{"Palo Alto Networks", "https://www.paloaltonetworks.com"},
	{"CrowdStrike", "https://www.crowdstrike.com"},
	{"SentinelOne", "https://www.sentinelone.com"},
	{"Dropbox", "https://www.dropbox.com"},
	{"Box", "https://www.box.com"},
	{"Notion Labs", "https://www.notion.com"},
	{"Miro", "https://miro.com"},
	{"Postman", "https://www.postman.com"},
	{"TeamViewer", "https://www.teamviewer.com"},
	{"Parallels", "https://www.parallels.com"},
	{"Broadcom", "https://www.broadcom.com"},
	{"SAP", "https://www.sap.com"},
	{"Sublime HQ", "https://www.sublimehq.com"},
	{"TechSmith", "https://www.techsmith.com"},
	{"Git", "https://git-scm.com"},
	{"GitHub", "https://github.com"},
	{"Oracle", "https://www.oracle.com"},
	{"Citrix", "https://www.citrix.com"},
	{"Okta", "https://www.okta.com"},
}

// starterCatalog is every seeded product, in rule order.
var starterCatalog = concat(microsoftCatalog, adobeCatalog, developerCatalog, vendorCatalog)

func concat(lists ...[]entry) []entry {
	var out []entry
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
