package seed

// Platforms a device reports software from, each with its own naming style:
// macOS reports app bundles ("Microsoft Excel.app", com.microsoft.Excel),
// Windows reports Add/Remove Programs names without an identifier
// ("Microsoft Office Professional Plus 2019"), Linux reports package names.
const (
	platMac = iota
	platWin
	platLinux
	numPlatforms
)

// macApp is one application bundle of a product; a product may ship several
// (Microsoft 365 is Excel.app, Word.app, … each reported separately).
type macApp struct{ title, bundle string }

// knownProduct is a well-known business title. Titles may contain "{v}",
// replaced by the installed version (Windows names often carry it).
type knownProduct struct {
	publisher, name string
	edition         string // edition of every installation, when the title says it
	mac             []macApp
	win             []string
	linux           string   // package name
	versions        []string // newest first; newer ones are more common
	// share is the fraction of a platform's devices that have it, by
	// platform (mac, windows, linux); zero: not available there.
	share [numPlatforms]float64
	// model is the license model bought for it; empty for free software,
	// which gets a zero-cost SITE license so it reads compliant.
	model     string
	seatPrice float64 // USD per seat and billing period (SITE: per device, for the total)
	billing   string
}

func mac1(title, bundle string) []macApp { return []macApp{{title, bundle}} }

// knownProducts are the titles every business inventory has, most popular
// first. Shares are per platform.
var knownProducts = []knownProduct{
	{publisher: "Google", name: "Google Chrome", mac: mac1("Google Chrome.app", "com.google.Chrome"), win: []string{"Google Chrome"},
		linux: "google-chrome-stable", versions: []string{"128.0.6613.120", "127.0.6533.120", "126.0.6478.127", "124.0.6367.208"},
		share: [3]float64{0.91, 0.86, 0.72}},
	{publisher: "Microsoft", name: "Microsoft 365 Apps for enterprise", edition: "Apps for enterprise",
		mac: []macApp{{"Microsoft Excel.app", "com.microsoft.Excel"}, {"Microsoft Word.app", "com.microsoft.Word"},
			{"Microsoft PowerPoint.app", "com.microsoft.Powerpoint"}, {"Microsoft Outlook.app", "com.microsoft.Outlook"}},
		win: []string{"Microsoft 365 Apps for enterprise - en-us"}, versions: []string{"16.89", "16.88", "16.86", "16.83"},
		share: [3]float64{0.74, 0.78, 0}, model: "SUBSCRIPTION", seatPrice: 12, billing: "MONTHLY"},
	{publisher: "Microsoft", name: "Microsoft Teams", mac: mac1("Microsoft Teams.app", "com.microsoft.teams2"), win: []string{"Microsoft Teams"},
		versions: []string{"24215.1007.3082", "24193.1805.3040", "24165.1410.2974"}, share: [3]float64{0.72, 0.8, 0}},
	{publisher: "Microsoft", name: "Microsoft Edge", mac: mac1("Microsoft Edge.app", "com.microsoft.edgemac"), win: []string{"Microsoft Edge"},
		linux: "microsoft-edge-stable", versions: []string{"128.0.2739.67", "127.0.2651.105", "126.0.2592.113"}, share: [3]float64{0.35, 0.97, 0.1}},
	{publisher: "CrowdStrike", name: "CrowdStrike Falcon", mac: mac1("Falcon.app", "com.crowdstrike.falcon.App"), win: []string{"CrowdStrike Windows Sensor"},
		linux: "falcon-sensor", versions: []string{"7.16.18605", "7.15.18514", "7.14.18408"}, share: [3]float64{0.88, 0.9, 0.85},
		model: "PER_DEVICE", seatPrice: 59.99, billing: "ANNUAL"},
	{publisher: "Slack Technologies", name: "Slack", mac: mac1("Slack.app", "com.tinyspeck.slackmacgap"), win: []string{"Slack"},
		linux: "slack-desktop", versions: []string{"4.40.126", "4.39.95", "4.38.125", "4.36.140"}, share: [3]float64{0.78, 0.62, 0.6},
		model: "PER_USER", seatPrice: 8.75, billing: "MONTHLY"},
	{publisher: "Zoom Video Communications", name: "Zoom Workplace", mac: mac1("zoom.us.app", "us.zoom.xos"),
		win: []string{"Zoom Workplace (64-bit)"}, linux: "zoom", versions: []string{"6.2.0", "6.1.11", "6.0.2", "5.17.11"},
		share: [3]float64{0.7, 0.68, 0.45}, model: "PER_USER", seatPrice: 149.9, billing: "ANNUAL"},
	{publisher: "Microsoft", name: "Microsoft OneDrive", mac: mac1("OneDrive.app", "com.microsoft.OneDrive"), win: []string{"Microsoft OneDrive"},
		versions: []string{"24.161.0811", "24.151.0728", "24.126.0623"}, share: [3]float64{0.6, 0.88, 0}},
	{publisher: "AgileBits", name: "1Password", mac: mac1("1Password.app", "com.1password.1password"), win: []string{"1Password"},
		linux: "1password", versions: []string{"8.10.44", "8.10.40", "8.10.36"}, share: [3]float64{0.6, 0.45, 0.55},
		model: "PER_USER", seatPrice: 7.99, billing: "MONTHLY"},
	{publisher: "Cisco", name: "Cisco Secure Client", mac: mac1("Cisco Secure Client.app", "com.cisco.secureclient.gui"),
		win: []string{"Cisco Secure Client - AnyConnect VPN"}, linux: "cisco-secure-client", versions: []string{"5.1.5.65", "5.1.4.74", "5.0.05040"},
		share: [3]float64{0.48, 0.56, 0.4}, model: "PER_USER", seatPrice: 60, billing: "ANNUAL"},
	{publisher: "Okta", name: "Okta Verify", mac: mac1("Okta Verify.app", "com.okta.mobile"), win: []string{"Okta Verify"},
		versions: []string{"9.27.2", "9.25.1", "4.11.0"}, share: [3]float64{0.52, 0.44, 0}},
	{publisher: "Adobe", name: "Adobe Acrobat Reader", mac: mac1("Adobe Acrobat Reader.app", "com.adobe.Reader"),
		win: []string{"Adobe Acrobat Reader DC (64-bit)"}, versions: []string{"24.003.20112", "24.002.21005", "23.008.20470"},
		share: [3]float64{0.38, 0.5, 0}},
	{publisher: "7-Zip", name: "7-Zip", win: []string{"7-Zip {v} (x64)"}, linux: "p7zip-full", versions: []string{"24.08", "23.01", "22.01"},
		share: [3]float64{0, 0.42, 0.3}},
	{publisher: "Microsoft", name: "Microsoft Defender for Endpoint", mac: mac1("Microsoft Defender.app", "com.microsoft.wdav"),
		linux: "mdatp", versions: []string{"101.24072.0001", "101.24062.0007", "101.24052.0002"}, share: [3]float64{0.4, 0, 0.5},
		model: "SITE", seatPrice: 36, billing: "ANNUAL"},
	{publisher: "Adobe", name: "Adobe Acrobat Pro", edition: "Pro", mac: mac1("Adobe Acrobat.app", "com.adobe.Acrobat.Pro"),
		win: []string{"Adobe Acrobat DC (64-bit)"}, versions: []string{"24.003.20112", "24.002.20933", "23.008.20533"},
		share: [3]float64{0.24, 0.22, 0}, model: "SUBSCRIPTION", seatPrice: 239.88, billing: "ANNUAL"},
	{publisher: "Mozilla", name: "Mozilla Firefox", mac: mac1("Firefox.app", "org.mozilla.firefox"), win: []string{"Mozilla Firefox (x64 en-US)"},
		linux: "firefox", versions: []string{"130.0", "129.0.2", "128.0.3", "115.15.0esr"}, share: [3]float64{0.24, 0.18, 0.82}},
	{publisher: "Microsoft", name: "Visual Studio Code", mac: mac1("Visual Studio Code.app", "com.microsoft.VSCode"),
		win: []string{"Microsoft Visual Studio Code", "Microsoft Visual Studio Code (User)"}, linux: "code",
		versions: []string{"1.93.0", "1.92.2", "1.91.1", "1.89.1"}, share: [3]float64{0.32, 0.22, 0.75}},
	{publisher: "Notepad++ Team", name: "Notepad++", win: []string{"Notepad++ (64-bit x64)"}, versions: []string{"8.6.9", "8.6.7", "8.5.8"},
		share: [3]float64{0, 0.26, 0}},
	{publisher: "Logitech", name: "Logi Options+", mac: mac1("logioptionsplus.app", "com.logi.optionsplus"), win: []string{"Logi Options+"},
		versions: []string{"1.80.5", "1.76.5", "1.72.5"}, share: [3]float64{0.3, 0.22, 0}},
	{publisher: "Docker", name: "Docker Desktop", mac: mac1("Docker.app", "com.docker.docker"), win: []string{"Docker Desktop"},
		linux: "docker-desktop", versions: []string{"4.34.0", "4.33.1", "4.31.1", "4.28.0"}, share: [3]float64{0.22, 0.08, 0.3},
		model: "SUBSCRIPTION", seatPrice: 24, billing: "MONTHLY"},
	{publisher: "Apple", name: "Xcode", mac: mac1("Xcode.app", "com.apple.dt.Xcode"), versions: []string{"15.4", "15.3", "15.2", "14.3.1"},
		share: [3]float64{0.18, 0, 0}},
	{publisher: "Postman", name: "Postman", mac: mac1("Postman.app", "com.postmanlabs.mac"), win: []string{"Postman x64 {v}"}, linux: "postman",
		versions: []string{"11.10.0", "11.8.0", "10.24.16"}, share: [3]float64{0.16, 0.06, 0.25}, model: "PER_USER", seatPrice: 19, billing: "MONTHLY"},
	{publisher: "iTerm2", name: "iTerm2", mac: mac1("iTerm.app", "com.googlecode.iterm2"), versions: []string{"3.5.4", "3.5.2", "3.4.23"},
		share: [3]float64{0.2, 0, 0}},
	{publisher: "Git", name: "Git", win: []string{"Git"}, linux: "git", versions: []string{"2.46.0", "2.45.2", "2.44.0"},
		share: [3]float64{0, 0.2, 0.9}},
	{publisher: "VideoLAN", name: "VLC media player", mac: mac1("VLC.app", "org.videolan.vlc"), win: []string{"VLC media player"}, linux: "vlc",
		versions: []string{"3.0.21", "3.0.20", "3.0.18"}, share: [3]float64{0.18, 0.2, 0.3}},
	{publisher: "TeamViewer", name: "TeamViewer", mac: mac1("TeamViewer.app", "com.teamviewer.TeamViewer"), win: []string{"TeamViewer"},
		linux: "teamviewer", versions: []string{"15.57.5", "15.56.5", "15.53.7"}, share: [3]float64{0.12, 0.2, 0.1},
		model: "CONCURRENT", seatPrice: 1199, billing: "ANNUAL"},
	{publisher: "Google", name: "Google Drive", mac: mac1("Google Drive.app", "com.google.drivefs"), win: []string{"Google Drive"},
		versions: []string{"97.0.1", "96.0.0", "94.0.2"}, share: [3]float64{0.16, 0.12, 0}},
	{publisher: "JetBrains", name: "JetBrains Toolbox", mac: mac1("JetBrains Toolbox.app", "com.jetbrains.toolbox"),
		win: []string{"JetBrains Toolbox"}, linux: "jetbrains-toolbox", versions: []string{"2.4.2", "2.3.2", "2.1.3"},
		share: [3]float64{0.15, 0.06, 0.2}},
	{publisher: "JetBrains", name: "IntelliJ IDEA Ultimate", mac: mac1("IntelliJ IDEA.app", "com.jetbrains.intellij"),
		win: []string{"IntelliJ IDEA {v}"}, linux: "intellij-idea-ultimate", versions: []string{"2024.2.1", "2024.1.4", "2023.3.6"},
		share: [3]float64{0.12, 0.05, 0.3}, model: "PER_USER", seatPrice: 599, billing: "ANNUAL"},
	{publisher: "Figma", name: "Figma", mac: mac1("Figma.app", "com.figma.Desktop"), win: []string{"Figma"},
		versions: []string{"124.3.2", "124.1.16", "123.4.5"}, share: [3]float64{0.14, 0.06, 0}, model: "PER_USER", seatPrice: 15, billing: "MONTHLY"},
	{publisher: "Notion Labs", name: "Notion", mac: mac1("Notion.app", "notion.id"), win: []string{"Notion {v}"},
		versions: []string{"3.14.0", "3.12.1", "3.9.1"}, share: [3]float64{0.15, 0.08, 0}, model: "PER_USER", seatPrice: 120, billing: "ANNUAL"},
	{publisher: "Microsoft", name: "Microsoft Power BI Desktop", win: []string{"Microsoft Power BI Desktop (x64)"},
		versions: []string{"2.132.908.0", "2.131.1203.0", "2.130.930.0"}, share: [3]float64{0, 0.12, 0}},
	{publisher: "Microsoft", name: "Microsoft Office 2019", edition: "Professional Plus", win: []string{"Microsoft Office Professional Plus 2019"},
		versions: []string{"16.0.10412.20006", "16.0.10411.20011", "16.0.10407.20032"}, share: [3]float64{0, 0.12, 0},
		model: "PER_DEVICE", seatPrice: 439.99, billing: "ONE_TIME"},
	{publisher: "Microsoft", name: "Microsoft Remote Desktop", mac: mac1("Microsoft Remote Desktop.app", "com.microsoft.rdc.macos"),
		versions: []string{"10.9.10", "10.9.8", "10.9.5"}, share: [3]float64{0.15, 0, 0}},
	{publisher: "GitHub", name: "GitHub Desktop", mac: mac1("GitHub Desktop.app", "com.github.GitHubClient"), win: []string{"GitHub Desktop"},
		versions: []string{"3.4.4", "3.4.3", "3.3.18"}, share: [3]float64{0.09, 0.04, 0}},
	{publisher: "Grammarly", name: "Grammarly Desktop", mac: mac1("Grammarly Desktop.app", "com.grammarly.ProjectLlama"),
		win: []string{"Grammarly for Windows"}, versions: []string{"1.88.0", "1.86.0", "1.80.0"}, share: [3]float64{0.1, 0.08, 0},
		model: "PER_USER", seatPrice: 144, billing: "ANNUAL"},
	{publisher: "Dropbox", name: "Dropbox", mac: mac1("Dropbox.app", "com.getdropbox.dropbox"), win: []string{"Dropbox"}, linux: "dropbox",
		versions: []string{"206.4.6012", "205.4.5765", "203.4.5655"}, share: [3]float64{0.1, 0.08, 0.05}, model: "PER_USER", seatPrice: 180, billing: "ANNUAL"},
	{publisher: "Adobe", name: "Adobe Creative Cloud", mac: mac1("Creative Cloud.app", "com.adobe.acc.AdobeCreativeCloud"),
		win: []string{"Adobe Creative Cloud"}, versions: []string{"6.3.0.207", "6.2.0.554", "6.1.0.587"}, share: [3]float64{0.12, 0.05, 0}},
	{publisher: "Cisco", name: "Webex", mac: mac1("Webex.app", "Cisco-Systems.Spark"), win: []string{"Webex"},
		versions: []string{"44.8.0.30404", "44.7.0.30285", "44.5.0.29672"}, share: [3]float64{0.08, 0.12, 0}, model: "PER_USER", seatPrice: 144, billing: "ANNUAL"},
	{publisher: "Loom", name: "Loom", mac: mac1("Loom.app", "com.loom.desktop"), win: []string{"Loom {v}"},
		versions: []string{"0.251.0", "0.248.1", "0.242.4"}, share: [3]float64{0.09, 0.04, 0}, model: "PER_USER", seatPrice: 15, billing: "MONTHLY"},
	{publisher: "Miro", name: "Miro", mac: mac1("Miro.app", "com.electron.realtimeboard"), win: []string{"Miro"},
		versions: []string{"0.8.66", "0.8.62", "0.8.54"}, share: [3]float64{0.08, 0.05, 0}, model: "PER_USER", seatPrice: 120, billing: "ANNUAL"},
	{publisher: "JetBrains", name: "PyCharm Professional", mac: mac1("PyCharm.app", "com.jetbrains.pycharm"), win: []string{"PyCharm {v}"},
		linux: "pycharm-professional", versions: []string{"2024.2.1", "2024.1.6", "2023.3.7"}, share: [3]float64{0.07, 0.03, 0.2},
		model: "PER_USER", seatPrice: 249, billing: "ANNUAL"},
	{publisher: "Adobe", name: "Adobe Photoshop", mac: mac1("Adobe Photoshop 2024.app", "com.adobe.Photoshop"),
		win: []string{"Adobe Photoshop 2024"}, versions: []string{"25.11.0", "25.9.1", "25.5.1"}, share: [3]float64{0.07, 0.03, 0},
		model: "SUBSCRIPTION", seatPrice: 263.88, billing: "ANNUAL"},
	{publisher: "Parallels", name: "Parallels Desktop", edition: "Business", mac: mac1("Parallels Desktop.app", "com.parallels.desktop.console"),
		versions: []string{"20.0.1", "19.4.1", "19.3.0"}, share: [3]float64{0.06, 0, 0}, model: "SUBSCRIPTION", seatPrice: 149.99, billing: "ANNUAL"},
	{publisher: "TechSmith", name: "Snagit", mac: mac1("Snagit 2024.app", "com.TechSmith.Snagit2024"), win: []string{"Snagit {v}"},
		versions: []string{"24.2.0", "24.1.1", "23.2.5"}, share: [3]float64{0.05, 0.07, 0}, model: "PER_USER", seatPrice: 62.99, billing: "ONE_TIME"},
	{publisher: "JetBrains", name: "WebStorm", mac: mac1("WebStorm.app", "com.jetbrains.WebStorm"), win: []string{"WebStorm {v}"},
		linux: "webstorm", versions: []string{"2024.2.1", "2024.1.5", "2023.3.8"}, share: [3]float64{0.05, 0.02, 0.1},
		model: "PER_USER", seatPrice: 169, billing: "ANNUAL"},
	{publisher: "JetBrains", name: "GoLand", mac: mac1("GoLand.app", "com.jetbrains.goland"), win: []string{"GoLand {v}"}, linux: "goland",
		versions: []string{"2024.2.1", "2024.1.4", "2023.3.7"}, share: [3]float64{0.04, 0.01, 0.12}, model: "PER_USER", seatPrice: 249, billing: "ANNUAL"},
	{publisher: "JetBrains", name: "DataGrip", mac: mac1("DataGrip.app", "com.jetbrains.datagrip"), win: []string{"DataGrip {v}"},
		linux: "datagrip", versions: []string{"2024.2.2", "2024.1.4", "2023.3.4"}, share: [3]float64{0.04, 0.02, 0.08},
		model: "PER_USER", seatPrice: 229, billing: "ANNUAL"},
	{publisher: "DBeaver", name: "DBeaver Community", mac: mac1("DBeaver.app", "org.jkiss.dbeaver.core.product"), win: []string{"DBeaver {v}"},
		linux: "dbeaver-ce", versions: []string{"24.2.0", "24.1.5", "23.3.5"}, share: [3]float64{0.05, 0.04, 0.1}},
	{publisher: "Microsoft", name: "Microsoft Visio", edition: "Plan 2", win: []string{"Microsoft Visio - en-us"},
		versions: []string{"16.0.17928.20156", "16.0.17830.20166", "16.0.17726.20160"}, share: [3]float64{0, 0.06, 0},
		model: "SUBSCRIPTION", seatPrice: 15, billing: "MONTHLY"},
	{publisher: "Salesforce", name: "Tableau Desktop", edition: "Creator", mac: mac1("Tableau Desktop {v}.app", "com.tableausoftware.tableaudesktop"),
		win: []string{"Tableau {v}"}, versions: []string{"2024.2", "2024.1", "2023.3"}, share: [3]float64{0.04, 0.05, 0},
		model: "PER_USER", seatPrice: 900, billing: "ANNUAL"},
	{publisher: "Autodesk", name: "AutoCAD", mac: mac1("AutoCAD {v}.app", "com.autodesk.AutoCAD"), win: []string{"AutoCAD {v} - English"},
		versions: []string{"2025", "2024", "2023"}, share: [3]float64{0.01, 0.04, 0}, model: "SUBSCRIPTION", seatPrice: 2030, billing: "ANNUAL"},
	{publisher: "Microsoft", name: "Microsoft Project", edition: "Plan 3", win: []string{"Microsoft Project - en-us"},
		versions: []string{"16.0.17928.20156", "16.0.17830.20166"}, share: [3]float64{0, 0.04, 0}, model: "SUBSCRIPTION", seatPrice: 30, billing: "MONTHLY"},
	{publisher: "Adobe", name: "Adobe Illustrator", mac: mac1("Adobe Illustrator 2024.app", "com.adobe.illustrator"),
		win: []string{"Adobe Illustrator 2024"}, versions: []string{"28.7.1", "28.5.0", "28.3.0"}, share: [3]float64{0.05, 0.02, 0},
		model: "SUBSCRIPTION", seatPrice: 263.88, billing: "ANNUAL"},
	{publisher: "Box", name: "Box Drive", mac: mac1("Box.app", "com.box.desktop"), win: []string{"Box"},
		versions: []string{"2.40.345", "2.39.179", "2.38.173"}, share: [3]float64{0.05, 0.05, 0}, model: "PER_USER", seatPrice: 240, billing: "ANNUAL"},
	{publisher: "JetBrains", name: "Rider", mac: mac1("Rider.app", "com.jetbrains.rider"), win: []string{"JetBrains Rider {v}"}, linux: "rider",
		versions: []string{"2024.2.2", "2024.1.6"}, share: [3]float64{0.02, 0.03, 0.03}, model: "PER_USER", seatPrice: 349, billing: "ANNUAL"},
	{publisher: "VMware", name: "VMware Workstation Pro", win: []string{"VMware Workstation"}, linux: "vmware-workstation",
		versions: []string{"17.6.0", "17.5.2", "17.0.2"}, share: [3]float64{0, 0.03, 0.05}, model: "PER_DEVICE", seatPrice: 199, billing: "ONE_TIME"},
	{publisher: "Python Software Foundation", name: "Python", mac: mac1("Python Launcher.app", "org.python.PythonLauncher"),
		win: []string{"Python {v} (64-bit)"}, versions: []string{"3.12.5", "3.11.9", "3.10.11"}, share: [3]float64{0.05, 0.1, 0}},
	{publisher: "MathWorks", name: "MATLAB", mac: mac1("MATLAB_{v}.app", "com.mathworks.matlab"), win: []string{"MATLAB {v}"}, linux: "matlab",
		versions: []string{"R2024a", "R2023b", "R2023a"}, share: [3]float64{0.02, 0.03, 0.06}, model: "CONCURRENT", seatPrice: 2150, billing: "ANNUAL"},
	{publisher: "Adobe", name: "Adobe InDesign", mac: mac1("Adobe InDesign 2024.app", "com.adobe.InDesign"), win: []string{"Adobe InDesign 2024"},
		versions: []string{"19.5", "19.4", "19.2"}, share: [3]float64{0.03, 0.01, 0}, model: "SUBSCRIPTION", seatPrice: 263.88, billing: "ANNUAL"},
	{publisher: "Autodesk", name: "Revit", win: []string{"Revit {v}"}, versions: []string{"2025", "2024"}, share: [3]float64{0, 0.015, 0},
		model: "SUBSCRIPTION", seatPrice: 2910, billing: "ANNUAL"},
	{publisher: "Dassault Systèmes", name: "SOLIDWORKS", win: []string{"SOLIDWORKS {v} SP3.0"}, versions: []string{"2024", "2023"},
		share: [3]float64{0, 0.015, 0}, model: "CONCURRENT", seatPrice: 4195, billing: "ONE_TIME"},
	{publisher: "Sublime HQ", name: "Sublime Text", mac: mac1("Sublime Text.app", "com.sublimetext.4"), win: []string{"Sublime Text"},
		linux: "sublime-text", versions: []string{"4180", "4169", "4152"}, share: [3]float64{0.04, 0.02, 0.06}, model: "PER_USER", seatPrice: 99, billing: "ONE_TIME"},
	{publisher: "Wireshark Foundation", name: "Wireshark", mac: mac1("Wireshark.app", "org.wireshark.Wireshark"), win: []string{"Wireshark {v} x64"},
		linux: "wireshark", versions: []string{"4.4.0", "4.2.6", "4.0.16"}, share: [3]float64{0.03, 0.03, 0.15}},
}

// noiseTitles are what every inventory reports besides products: runtimes,
// drivers, helpers. No product covers them (they stay unmatched).
var noiseTitles = [numPlatforms][]struct {
	title, ident string
	share        float64
}{
	platMac: {
		{"Install macOS Sonoma.app", "com.apple.InstallAssistant.Sonoma", 0.06},
		{"Microsoft AutoUpdate.app", "com.microsoft.autoupdate2", 0.15},
		{"Google Software Update.app", "com.google.Keystone", 0.06},
		{"Adobe Crash Reporter.app", "com.adobe.crashreporter", 0.06},
	},
	platWin: {
		{"Microsoft Visual C++ 2015-2022 Redistributable (x64) - 14.40.33810", "", 0.2},
		{"Microsoft Edge WebView2 Runtime", "", 0.15},
		{"Realtek High Definition Audio Driver", "", 0.06},
		{"Intel(R) Management Engine Components", "", 0.05},
		{"Microsoft Update Health Tools", "", 0.08},
	},
	platLinux: {
		{"libreoffice-core", "libreoffice-core", 0.15},
		{"gnome-shell-extension-prefs", "gnome-shell-extension-prefs", 0.1},
	},
}

// Pieces of the generated long tail's names.
var (
	tailPrefixes = []string{"Blue", "North", "Bright", "Clear", "Swift", "Iron", "Silver", "Red", "Open", "Deep", "Smart", "True",
		"Quantum", "Pixel", "Cloud", "Data", "Sky", "Stone", "Green", "Rapid", "Nova", "Apex", "Vertex", "Harbor", "Summit",
		"Cedar", "Maple", "Polar", "Lunar", "Solar", "Echo", "Delta", "Orbit", "Prism", "Signal", "Vector", "Zen", "Atlas",
		"Beacon", "Crest", "Amber", "Falcon", "Granite", "Helix", "Indigo", "Juniper", "Kite", "Lumen", "Meridian", "Nimbus"}
	tailSuffixes = []string{"soft", "ware", "works", "logic", "labs", "byte", "bit", "forge", "sys", "tech", "line", "wave",
		"point", "stack", "flow", "grid", "path", "core", "mind", "scape"}
	tailCompany = []string{"", " Software", " Labs", " Inc.", " GmbH", " Ltd", " Technologies", " Systems", " AB", " B.V."}
	tailNouns   = []string{"Studio", "Sync", "Capture", "Notes", "Viewer", "Manager", "Agent", "Connect", "Desk", "Scan",
		"Backup", "Monitor", "Editor", "Player", "Analyzer", "Designer", "Planner", "Reader", "Converter", "Assistant",
		"Client", "Toolkit", "Suite", "Vault", "Share", "Print", "Mail", "Chat", "Meet", "Draw", "Code", "Build", "Deploy",
		"Test", "Query", "Report", "Insight", "Flow", "Board", "Time", "Track", "Sign", "Scribe", "Cast", "Clip", "Shot",
		"Mirror", "Remote", "Guard", "Shield", "Lock", "Pass", "Cleaner", "Recorder", "Mixer", "Lens", "Map", "Chart",
		"Form", "Invoice", "Ledger", "Payroll", "CRM", "Inventory", "Docs", "Drive", "Link", "Hub", "Dashboard", "Console"}
	tailModifiers = []string{"", "", "", "", " Pro", " Plus", " Enterprise", " Lite", " X", " Express", " Team", " Cloud"}
	tailModels    = []string{"PER_USER", "PER_USER", "SUBSCRIPTION", "SUBSCRIPTION", "PER_DEVICE", "CONCURRENT", "SITE"}
)
