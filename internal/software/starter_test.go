package software_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/software"
)

// starterMatcher compiles Starter() as the seeding code stores it: one id
// per product, positions in the order given. names maps ids back to
// "Publisher/Product".
func starterMatcher(t testing.TB) (m *software.Matcher, names map[uuid.UUID]string) {
	t.Helper()
	_, products, starter := software.Starter()
	ids := map[string]uuid.UUID{}
	names = map[uuid.UUID]string{}
	for _, p := range products {
		key := p.Publisher + "/" + p.Name
		ids[key] = uuid.New()
		names[ids[key]] = key
	}
	rules := make([]software.Rule, len(starter))
	for i, s := range starter {
		id, ok := ids[s.Publisher+"/"+s.Product]
		require.True(t, ok, "rule %d names unknown product %s/%s", i, s.Publisher, s.Product)
		rules[i] = software.Rule{ID: uuid.New(), Position: i + 1, Kind: s.Kind, Pattern: s.Pattern, ProductID: id, Starter: true}
		if s.Edition != "" {
			rules[i].Edition = ptr(s.Edition)
		}
		if s.VersionPattern != "" {
			rules[i].VersionPattern = ptr(s.VersionPattern)
		}
	}
	m, err := software.Compile(rules)
	require.NoError(t, err)
	return m, names
}

// sample is one installation as an MDM reports it and what the starter set
// should make of it. product is "Publisher/Product", "" for no match;
// version is checked only when set.
type sample struct {
	title, identifier, version string
	product, edition           string
	wantVersion                string
}

// starterSamples are real titles and identifiers: macOS app names as Jamf,
// Kandji and Fleet report them (with and without ".app", with bundle ids),
// Windows Add/Remove Programs display names as Intune and Fleet report them
// (no identifier), and Linux package names.
var starterSamples = []sample{
	// Microsoft 365 and Office on Windows.
	{title: "Microsoft 365 Apps for enterprise - en-us", version: "16.0.17328.20162", product: "Microsoft/Microsoft 365 Apps", edition: "Enterprise", wantVersion: "16.0.17328.20162"},
	{title: "Microsoft 365 Apps for business - de-de", product: "Microsoft/Microsoft 365 Apps", edition: "Business"},
	{title: "Microsoft Office 365 ProPlus - en-us", product: "Microsoft/Microsoft 365 Apps", edition: "Enterprise"},
	{title: "Microsoft 365 - en-us", product: "Microsoft/Microsoft 365 Apps"},
	{title: "Microsoft Office Professional Plus 2019", version: "16.0.10827.20181", product: "Microsoft/Microsoft Office", edition: "Professional Plus", wantVersion: "2019"},
	{title: "Microsoft Office Professional Plus 2016", version: "16.0.4266.1001", product: "Microsoft/Microsoft Office", edition: "Professional Plus", wantVersion: "2016"},
	{title: "Microsoft Office LTSC Professional Plus 2021 - en-us", product: "Microsoft/Microsoft Office", edition: "LTSC Professional Plus", wantVersion: "2021"},
	{title: "Microsoft Office Standard 2016", product: "Microsoft/Microsoft Office", edition: "Standard", wantVersion: "2016"},
	{title: "Microsoft Office Home and Business 2021 - en-us", product: "Microsoft/Microsoft Office", edition: "Home and Business", wantVersion: "2021"},
	{title: "Microsoft Office Professional 2019 - fr-fr", product: "Microsoft/Microsoft Office", edition: "Professional", wantVersion: "2019"},
	{title: "Microsoft Office Proofing Tools 2016 - English"},
	{title: "Microsoft Office 64-bit Components 2016"},
	// Office applications: macOS apps and Windows standalone installs.
	{title: "Microsoft Excel.app", identifier: "com.microsoft.Excel", version: "16.78", product: "Microsoft/Microsoft Excel", wantVersion: "16.78"},
	{title: "Microsoft Excel", product: "Microsoft/Microsoft Excel"},
	{title: "Microsoft Excel 2016", version: "16.0.4266.1001", product: "Microsoft/Microsoft Excel", wantVersion: "2016"},
	{title: "Microsoft Word.app", identifier: "com.microsoft.Word", product: "Microsoft/Microsoft Word"},
	{title: "Microsoft Office Word 2007", product: "Microsoft/Microsoft Word", wantVersion: "2007"},
	{title: "Microsoft PowerPoint", identifier: "com.microsoft.Powerpoint", product: "Microsoft/Microsoft PowerPoint"},
	{title: "Microsoft PowerPoint.app", product: "Microsoft/Microsoft PowerPoint"},
	{title: "Microsoft Outlook.app", identifier: "com.microsoft.Outlook", product: "Microsoft/Microsoft Outlook"},
	{title: "Microsoft Outlook 2019", product: "Microsoft/Microsoft Outlook"},
	{title: "Microsoft OneNote - en-us", product: "Microsoft/Microsoft OneNote"},
	{title: "Microsoft OneNote.app", identifier: "com.microsoft.onenote.mac", product: "Microsoft/Microsoft OneNote"},
	{title: "Microsoft Teams.app", identifier: "com.microsoft.teams2", product: "Microsoft/Microsoft Teams"},
	{title: "Microsoft Teams", product: "Microsoft/Microsoft Teams"},
	{title: "Microsoft Teams classic", identifier: "com.microsoft.teams", product: "Microsoft/Microsoft Teams"},
	{title: "Teams Machine-Wide Installer", product: "Microsoft/Microsoft Teams"},
	{title: "Microsoft Teams Meeting Add-in for Microsoft Office"},
	{title: "Microsoft Visio Professional 2019", product: "Microsoft/Microsoft Visio", edition: "Professional", wantVersion: "2019"},
	{title: "Microsoft Visio Standard 2016", product: "Microsoft/Microsoft Visio", edition: "Standard", wantVersion: "2016"},
	{title: "Microsoft Visio - en-us", product: "Microsoft/Microsoft Visio"},
	{title: "Microsoft Visio Viewer 2016"},
	{title: "Microsoft Project Professional 2021", product: "Microsoft/Microsoft Project", edition: "Professional", wantVersion: "2021"},
	{title: "Microsoft Project Online Desktop Client - en-us", product: "Microsoft/Microsoft Project", edition: "Online Desktop Client"},
	{title: "Microsoft Edge", product: "Microsoft/Microsoft Edge"},
	{title: "Microsoft Edge.app", identifier: "com.microsoft.edgemac", product: "Microsoft/Microsoft Edge"},
	{title: "microsoft-edge-stable", identifier: "microsoft-edge-stable", product: "Microsoft/Microsoft Edge"},
	{title: "Microsoft Edge WebView2 Runtime"},
	{title: "Microsoft Edge Update"},
	{title: "OneDrive.app", identifier: "com.microsoft.OneDrive", product: "Microsoft/Microsoft OneDrive"},
	{title: "Microsoft OneDrive", product: "Microsoft/Microsoft OneDrive"},
	{title: "Visual Studio Code.app", identifier: "com.microsoft.VSCode", product: "Microsoft/Visual Studio Code"},
	{title: "Microsoft Visual Studio Code (User)", product: "Microsoft/Visual Studio Code"},
	{title: "Microsoft Visual Studio Code", product: "Microsoft/Visual Studio Code"},
	{title: "code", identifier: "code", product: "Microsoft/Visual Studio Code"},
	{title: "Visual Studio Professional 2022", product: "Microsoft/Visual Studio", edition: "Professional", wantVersion: "2022"},
	{title: "Visual Studio Community 2019", product: "Microsoft/Visual Studio", edition: "Community", wantVersion: "2019"},
	{title: "Visual Studio Build Tools 2022"},
	{title: "Microsoft Power BI Desktop (x64)", product: "Microsoft/Power BI Desktop"},
	{title: "Microsoft PowerBI Desktop (x64)", product: "Microsoft/Power BI Desktop"},
	{title: "Microsoft SQL Server Management Studio - 19.1", version: "15.0.18424.0", product: "Microsoft/SQL Server Management Studio", wantVersion: "19.1"},
	{title: "SQL Server Management Studio 22", product: "Microsoft/SQL Server Management Studio", wantVersion: "22"},
	{title: "Windows App.app", identifier: "com.microsoft.rdc.macos", product: "Microsoft/Windows App"},
	// Adobe.
	{title: "Adobe Acrobat DC (64-bit)", version: "24.002.20857", product: "Adobe/Adobe Acrobat", wantVersion: "24.002.20857"},
	{title: "Adobe Acrobat (64-bit)", product: "Adobe/Adobe Acrobat"},
	{title: "Adobe Acrobat.app", identifier: "com.adobe.Acrobat.Pro", product: "Adobe/Adobe Acrobat", edition: "Pro"},
	{title: "Adobe Acrobat XI Pro", product: "Adobe/Adobe Acrobat", edition: "Pro"},
	{title: "Adobe Acrobat 2020 Standard", product: "Adobe/Adobe Acrobat", edition: "Standard"},
	{title: "Adobe Acrobat Reader DC", product: "Adobe/Adobe Acrobat Reader"},
	{title: "Adobe Acrobat Reader DC - English", product: "Adobe/Adobe Acrobat Reader"},
	{title: "Adobe Acrobat Reader.app", identifier: "com.adobe.Reader", product: "Adobe/Adobe Acrobat Reader"},
	{title: "Adobe Reader XI (11.0.23)", product: "Adobe/Adobe Acrobat Reader"},
	{title: "Adobe Photoshop 2024.app", identifier: "com.adobe.Photoshop", version: "25.5.1", product: "Adobe/Adobe Photoshop", wantVersion: "2024"},
	{title: "Adobe Photoshop 2024", product: "Adobe/Adobe Photoshop", wantVersion: "2024"},
	{title: "Adobe Photoshop CC 2019", product: "Adobe/Adobe Photoshop", wantVersion: "2019"},
	{title: "Adobe Photoshop Elements 2024"},
	{title: "Adobe Illustrator 2024", product: "Adobe/Adobe Illustrator", wantVersion: "2024"},
	{title: "Adobe InDesign 2025.app", identifier: "com.adobe.InDesign", product: "Adobe/Adobe InDesign"},
	{title: "Adobe Premiere Pro 2024", product: "Adobe/Adobe Premiere Pro", wantVersion: "2024"},
	{title: "Adobe After Effects 2023", product: "Adobe/Adobe After Effects"},
	{title: "Adobe Lightroom Classic", product: "Adobe/Adobe Lightroom Classic"},
	{title: "Adobe Photoshop Lightroom Classic", product: "Adobe/Adobe Lightroom Classic"},
	{title: "Adobe Creative Cloud", product: "Adobe/Adobe Creative Cloud"},
	{title: "Creative Cloud.app", identifier: "com.adobe.acc.AdobeCreativeCloud", product: "Adobe/Adobe Creative Cloud"},
	// JetBrains: build numbers in the version field, the release in the title.
	{title: "IntelliJ IDEA.app", identifier: "com.jetbrains.intellij", product: "JetBrains/IntelliJ IDEA", edition: "Ultimate"},
	{title: "IntelliJ IDEA CE.app", identifier: "com.jetbrains.intellij.ce", product: "JetBrains/IntelliJ IDEA", edition: "Community"},
	{title: "IntelliJ IDEA CE", product: "JetBrains/IntelliJ IDEA", edition: "Community"},
	{title: "IntelliJ IDEA 2024.1.2", version: "241.17011.79", product: "JetBrains/IntelliJ IDEA", edition: "Ultimate", wantVersion: "2024.1.2"},
	{title: "IntelliJ IDEA Community Edition 2024.1", version: "241.14494.240", product: "JetBrains/IntelliJ IDEA", edition: "Community", wantVersion: "2024.1"},
	{title: "IntelliJ IDEA Ultimate.app", product: "JetBrains/IntelliJ IDEA", edition: "Ultimate"},
	{title: "PyCharm.app", identifier: "com.jetbrains.pycharm", product: "JetBrains/PyCharm", edition: "Professional"},
	{title: "PyCharm CE.app", identifier: "com.jetbrains.pycharm.ce", product: "JetBrains/PyCharm", edition: "Community"},
	{title: "PyCharm 2023.3.5", product: "JetBrains/PyCharm", edition: "Professional", wantVersion: "2023.3.5"},
	{title: "PyCharm Community Edition 2024.1", product: "JetBrains/PyCharm", edition: "Community", wantVersion: "2024.1"},
	{title: "WebStorm.app", identifier: "com.jetbrains.WebStorm", product: "JetBrains/WebStorm"},
	{title: "WebStorm 2024.1.4", product: "JetBrains/WebStorm", wantVersion: "2024.1.4"},
	{title: "GoLand.app", identifier: "com.jetbrains.goland", product: "JetBrains/GoLand"},
	{title: "GoLand 2024.2", product: "JetBrains/GoLand", wantVersion: "2024.2"},
	{title: "JetBrains Rider 2024.1", product: "JetBrains/Rider", wantVersion: "2024.1"},
	{title: "Rider.app", identifier: "com.jetbrains.rider", product: "JetBrains/Rider"},
	{title: "DataGrip 2024.1", product: "JetBrains/DataGrip"},
	{title: "PhpStorm.app", identifier: "com.jetbrains.PhpStorm", product: "JetBrains/PhpStorm"},
	{title: "CLion 2024.1", product: "JetBrains/CLion"},
	{title: "RubyMine.app", identifier: "com.jetbrains.rubymine", product: "JetBrains/RubyMine"},
	{title: "JetBrains Toolbox"},
	// Other developer tools.
	{title: "Android Studio.app", identifier: "com.google.android.studio", product: "Google/Android Studio"},
	{title: "Docker.app", identifier: "com.docker.docker", product: "Docker/Docker Desktop"},
	{title: "Docker Desktop", product: "Docker/Docker Desktop"},
	{title: "Postman.app", identifier: "com.postmanlabs.mac", product: "Postman/Postman"},
	{title: "Postman x64 11.75.4", product: "Postman/Postman"},
	{title: "Postman Agent"},
	{title: "Sublime Text.app", identifier: "com.sublimetext.4", product: "Sublime HQ/Sublime Text"},
	{title: "Sublime Text", product: "Sublime HQ/Sublime Text"},
	{title: "Git", version: "2.45.1", product: "Git/Git", wantVersion: "2.45.1"},
	{title: "Git version 2.40.0", version: "2.40.0", product: "Git/Git", wantVersion: "2.40.0"},
	{title: "git", identifier: "git", product: "Git/Git"},
	{title: "GitHub Desktop", product: "GitHub/GitHub Desktop"},
	{title: "Java 8 Update 421 (64-bit)", version: "8.0.4210.9", product: "Oracle/Java SE", edition: "Runtime Environment", wantVersion: "8 Update 421"},
	{title: "Java(TM) SE Development Kit 17.0.10 (64-bit)", product: "Oracle/Java SE", edition: "Development Kit", wantVersion: "17.0.10"},
	{title: "Java Auto Updater"},
	// Collaboration, browsers, storage, security, design, remote access.
	{title: "Slack.app", identifier: "com.tinyspeck.slackmacgap", product: "Salesforce/Slack"},
	{title: "Slack", product: "Salesforce/Slack"},
	{title: "slack-desktop", identifier: "slack-desktop", product: "Salesforce/Slack"},
	{title: "Tableau Desktop 2024.1.app", identifier: "com.tableausoftware.tableaudesktop", product: "Salesforce/Tableau Desktop", wantVersion: "2024.1"},
	{title: "Tableau 2023.3 (20233.23.1017.0948)", version: "20233.23.1017.0948", product: "Salesforce/Tableau Desktop", wantVersion: "2023.3"},
	{title: "Tableau Reader 2023.1"},
	{title: "zoom.us.app", identifier: "us.zoom.xos", product: "Zoom Communications/Zoom Workplace"},
	{title: "zoom.us", product: "Zoom Communications/Zoom Workplace"},
	{title: "Zoom Workplace (X64)", product: "Zoom Communications/Zoom Workplace"},
	{title: "Zoom Workplace", product: "Zoom Communications/Zoom Workplace"},
	{title: "Zoom(64bit)", product: "Zoom Communications/Zoom Workplace"},
	{title: "Zoom (64-bit)", product: "Zoom Communications/Zoom Workplace"},
	{title: "Zoom Rooms"},
	{title: "Zoom Outlook Plugin"},
	{title: "Google Chrome.app", identifier: "com.google.Chrome", product: "Google/Google Chrome"},
	{title: "Google Chrome", product: "Google/Google Chrome"},
	{title: "google-chrome-stable", identifier: "google-chrome-stable", product: "Google/Google Chrome"},
	{title: "Google Drive.app", identifier: "com.google.drivefs", product: "Google/Google Drive"},
	{title: "Google Drive", product: "Google/Google Drive"},
	{title: "Firefox.app", identifier: "org.mozilla.firefox", product: "Mozilla/Firefox"},
	{title: "Mozilla Firefox (x64 en-US)", product: "Mozilla/Firefox"},
	{title: "Mozilla Firefox 140.7.1 ESR (x64 en-US)", product: "Mozilla/Firefox", edition: "ESR"},
	{title: "Mozilla Firefox ESR (x64 en-US)", product: "Mozilla/Firefox", edition: "ESR"},
	{title: "Mozilla Maintenance Service"},
	{title: "1Password.app", identifier: "com.1password.1password", product: "1Password/1Password"},
	{title: "1Password 7.app", identifier: "com.agilebits.onepassword7", product: "1Password/1Password"},
	{title: "1Password 8", product: "1Password/1Password"},
	{title: "1Password", product: "1Password/1Password"},
	{title: "1Password for Safari"},
	{title: "Figma.app", identifier: "com.figma.Desktop", product: "Figma/Figma"},
	{title: "Figma", product: "Figma/Figma"},
	{title: "Figma Agent"},
	{title: "AutoCAD 2024 - English", version: "24.3.61.0", product: "Autodesk/AutoCAD", wantVersion: "2024"},
	{title: "AutoCAD LT 2024 - English", product: "Autodesk/AutoCAD", edition: "LT", wantVersion: "2024"},
	{title: "AutoCAD 2025.app", product: "Autodesk/AutoCAD", wantVersion: "2025"},
	{title: "AutoCAD 2024 Language Pack - English"},
	{title: "Cisco Secure Client - AnyConnect VPN", product: "Cisco/Cisco Secure Client"},
	{title: "Cisco AnyConnect Secure Mobility Client", product: "Cisco/Cisco Secure Client"},
	{title: "Cisco Secure Client.app", product: "Cisco/Cisco Secure Client"},
	{title: "Webex.app", identifier: "Cisco-Systems.Spark", product: "Cisco/Webex"},
	{title: "Webex", product: "Cisco/Webex"},
	{title: "Cisco Webex Meetings", product: "Cisco/Webex"},
	{title: "GlobalProtect.app", identifier: "com.paloaltonetworks.GlobalProtect.client", product: "Palo Alto Networks/GlobalProtect"},
	{title: "GlobalProtect", product: "Palo Alto Networks/GlobalProtect"},
	{title: "Falcon.app", identifier: "com.crowdstrike.falcon.App", product: "CrowdStrike/CrowdStrike Falcon"},
	{title: "CrowdStrike Windows Sensor", product: "CrowdStrike/CrowdStrike Falcon"},
	{title: "falcon-sensor", identifier: "falcon-sensor", product: "CrowdStrike/CrowdStrike Falcon"},
	{title: "Sentinel Agent", product: "SentinelOne/SentinelOne Agent"},
	{title: "SentinelOne Extensions.app", product: "SentinelOne/SentinelOne Agent"},
	{title: "Dropbox.app", identifier: "com.getdropbox.dropbox", product: "Dropbox/Dropbox"},
	{title: "Dropbox", product: "Dropbox/Dropbox"},
	{title: "Box.app", identifier: "com.box.desktop", product: "Box/Box Drive"},
	{title: "Box", product: "Box/Box Drive"},
	{title: "Notion.app", identifier: "notion.id", product: "Notion Labs/Notion"},
	{title: "Notion 6.1.0", product: "Notion Labs/Notion"},
	{title: "Notion Calendar"},
	{title: "Miro.app", identifier: "com.electron.realtimeboard", product: "Miro/Miro"},
	{title: "Miro", product: "Miro/Miro"},
	{title: "TeamViewer.app", identifier: "com.teamviewer.TeamViewer", product: "TeamViewer/TeamViewer"},
	{title: "TeamViewer 15", product: "TeamViewer/TeamViewer"},
	{title: "TeamViewer Host", product: "TeamViewer/TeamViewer", edition: "Host"},
	{title: "Parallels Desktop.app", identifier: "com.parallels.desktop.console", product: "Parallels/Parallels Desktop"},
	{title: "VMware Fusion.app", identifier: "com.vmware.fusion", product: "Broadcom/VMware Fusion"},
	{title: "VMware Workstation", product: "Broadcom/VMware Workstation"},
	{title: "VMware Tools"},
	{title: "SAP GUI for Windows 7.70  (Patch 6)", version: "7.70.6", product: "SAP/SAP GUI", edition: "for Windows", wantVersion: "7.70"},
	{title: "SAP GUI for Java 7.80", product: "SAP/SAP GUI", edition: "for Java", wantVersion: "7.80"},
	{title: "Snagit 2024.app", identifier: "com.TechSmith.Snagit", product: "TechSmith/Snagit", wantVersion: "2024"},
	{title: "Snagit 2026", product: "TechSmith/Snagit", wantVersion: "2026"},
	{title: "Camtasia 2023", product: "TechSmith/Camtasia", wantVersion: "2023"},
	{title: "Camtasia.app", identifier: "com.techsmith.camtasia", product: "TechSmith/Camtasia"},
	{title: "Citrix Workspace.app", identifier: "com.citrix.receiver.nomas", product: "Citrix/Citrix Workspace"},
	{title: "Citrix Workspace 2402", product: "Citrix/Citrix Workspace"},
	{title: "Okta Verify.app", identifier: "com.okta.mobile", product: "Okta/Okta Verify"},
	// Nothing in the starter set: stays unmatched.
	{title: "Calculator.app", identifier: "com.apple.calculator"},
	{title: "7-Zip 24.08 (x64)"},
	{title: "python-dateutil", identifier: "python-dateutil"},
}

// TestStarterMapsRealTitles: every sample above lands on its product,
// edition and version through the starter rules alone.
func TestStarterMapsRealTitles(t *testing.T) {
	t.Parallel()
	m, names := starterMatcher(t)
	matchedCount := 0
	for _, s := range starterSamples {
		name := s.title
		if s.identifier != "" {
			name += " [" + s.identifier + "]"
		}
		got, ok := m.Match(software.Title{Title: s.title, Identifier: s.identifier, Version: s.version})
		if s.product == "" {
			if ok {
				t.Errorf("%s: want no product, got %s (rule %s %q)", name, names[got.ProductID], got.Rule.Kind, got.Rule.Pattern)
			}
			continue
		}
		matchedCount++
		if !ok {
			t.Errorf("%s: want %s, matched nothing", name, s.product)
			continue
		}
		if names[got.ProductID] != s.product {
			t.Errorf("%s: want %s, got %s (rule %s %q)", name, s.product, names[got.ProductID], got.Rule.Kind, got.Rule.Pattern)
			continue
		}
		edition := ""
		if got.Edition != nil {
			edition = *got.Edition
		}
		if edition != s.edition {
			t.Errorf("%s: want edition %q, got %q", name, s.edition, edition)
		}
		if s.wantVersion != "" && got.Version != s.wantVersion {
			t.Errorf("%s: want version %q, got %q", name, s.wantVersion, got.Version)
		}
	}
	require.GreaterOrEqual(t, matchedCount, 80, "the sample table covers at least 80 real titles")
}

// TestStarterMacOSTitlesMatchWithoutIdentifiers: each macOS sample maps to
// the same product from its app name alone, since not every MDM reports
// bundle ids; and from its bundle id alone, since app names get renamed.
func TestStarterMacOSTitlesMatchWithoutIdentifiers(t *testing.T) {
	t.Parallel()
	m, names := starterMatcher(t)
	for _, s := range starterSamples {
		if s.product == "" || s.identifier == "" || !strings.HasSuffix(s.title, ".app") {
			continue
		}
		byTitle, ok := m.Match(software.Title{Title: s.title})
		require.True(t, ok, "%s without identifier", s.title)
		require.Equal(t, s.product, names[byTitle.ProductID], "%s without identifier", s.title)
		byID, ok := m.Match(software.Title{Identifier: s.identifier})
		require.True(t, ok, "%s alone", s.identifier)
		require.Equal(t, s.product, names[byID.ProductID], "%s alone", s.identifier)
	}
}

// TestStarterIsConsistent: what the seeding code relies on.
func TestStarterIsConsistent(t *testing.T) {
	t.Parallel()
	pubs, products, rules := software.Starter()

	websites := map[string]bool{}
	for _, p := range pubs {
		require.NotEmpty(t, p.Name)
		require.False(t, websites[p.Name], "publisher %s listed twice", p.Name)
		websites[p.Name] = true
		require.True(t, strings.HasPrefix(p.Website, "https://"), "publisher %s website %q", p.Name, p.Website)
	}

	require.GreaterOrEqual(t, len(products), 40, "at least 40 products")
	editions := map[string]map[string]bool{}
	for _, p := range products {
		key := p.Publisher + "/" + p.Name
		require.True(t, websites[p.Publisher], "product %s: unknown publisher", key)
		require.Nil(t, editions[key], "product %s listed twice", key)
		editions[key] = map[string]bool{}
		for _, e := range p.Editions {
			require.False(t, editions[key][e], "product %s: edition %s listed twice", key, e)
			editions[key][e] = true
		}
	}

	ruled := map[string]bool{}
	seen := map[string]int{}
	for i, r := range rules {
		key := r.Publisher + "/" + r.Product
		require.NotNil(t, editions[key], "rule %d (%q): unknown product %s", i, r.Pattern, key)
		if r.Edition != "" {
			require.True(t, editions[key][r.Edition], "rule %d (%q): edition %q is not one of %s's", i, r.Pattern, r.Edition, key)
		}
		rule := software.Rule{Position: i + 1, Kind: r.Kind, Pattern: r.Pattern, ProductID: uuid.New()}
		if r.VersionPattern != "" {
			rule.VersionPattern = ptr(r.VersionPattern)
		}
		require.NoError(t, rule.Validate(), "rule %d (%q)", i, r.Pattern)
		require.Equal(t, r.Pattern, rule.Pattern, "rule %d is stored trimmed", i)
		// The same pattern twice would make the second rule dead weight.
		dup := fmt.Sprintf("%s %s", r.Kind, strings.ToLower(software.Normalize(r.Pattern)))
		if r.Kind == software.MatchIdentifier {
			dup = fmt.Sprintf("%s %s", r.Kind, strings.ToLower(r.Pattern))
		}
		first, twice := seen[dup]
		require.False(t, twice, "rule %d repeats rule %d: %s", i, first, dup)
		seen[dup] = i
		ruled[key] = true
	}
	for key := range editions {
		require.True(t, ruled[key], "product %s has no rule", key)
	}
}

// TestStarterReturnsACopy: the seeding code may change what it gets
// without changing the next organization's starter set.
func TestStarterReturnsACopy(t *testing.T) {
	t.Parallel()
	pubs, products, rules := software.Starter()
	pubs[0].Name = "changed"
	products[0].Name = "changed"
	products[1].Editions[0] = "changed"
	rules[0].Pattern = "changed"
	pubs2, products2, rules2 := software.Starter()
	require.NotEqual(t, "changed", pubs2[0].Name)
	require.NotEqual(t, "changed", products2[0].Name)
	require.NotEqual(t, "changed", products2[1].Editions[0])
	require.NotEqual(t, "changed", rules2[0].Pattern)
}

// BenchmarkMatch: the starter set against the sample titles, the mix a sync
// sees (most reported titles match nothing, so the unmatched ones count).
func BenchmarkMatch(b *testing.B) {
	m, _ := starterMatcher(b)
	titles := make([]software.Title, len(starterSamples))
	for i, s := range starterSamples {
		titles[i] = software.Title{Title: s.title, Identifier: s.identifier, Version: s.version}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Match(titles[i%len(titles)])
	}
}

// BenchmarkMatchUnmatched: titles no rule matches, the worst case (every
// PREFIX and REGEX rule is tried).
func BenchmarkMatchUnmatched(b *testing.B) {
	m, _ := starterMatcher(b)
	titles := []software.Title{
		{Title: "Calculator.app", Identifier: "com.apple.calculator", Version: "11.0"},
		{Title: "Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.38.33135", Version: "14.38.33135.0"},
		{Title: "Realtek High Definition Audio Driver", Version: "6.0.9549.1"},
		{Title: "python3-dateutil", Identifier: "python3-dateutil", Version: "2.8.2"},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.Match(titles[i%len(titles)])
	}
}
