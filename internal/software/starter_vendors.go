package software

// adobeCatalog: Acrobat and the Creative Cloud applications.
var adobeCatalog = []entry{
	{
		// Before Adobe Acrobat: "Adobe Acrobat Reader DC" starts like it.
		publisher: "Adobe", product: "Adobe Acrobat Reader",
		rules: []StarterRule{
			ident("com.adobe.Reader"),
			prefix("Adobe Acrobat Reader"),
			prefix("Adobe Reader"),
		},
	},
	{
		publisher: "Adobe", product: "Adobe Acrobat",
		editions: []string{"Pro", "Standard"},
		rules: []StarterRule{
			ident("com.adobe.Acrobat.Pro").ed("Pro"),
			regex(`^Adobe Acrobat (?:DC |XI |X |20\d\d )?Pro\b`).ed("Pro"),
			regex(`^Adobe Acrobat (?:DC |XI |X |20\d\d )?Standard\b`).ed("Standard"),
			// Adobe's unified 64-bit Windows installer registers "Adobe
			// Acrobat DC (64-bit)" or "Adobe Acrobat (64-bit)" whether it
			// runs as Pro, Standard or the free Reader, so these carry no
			// edition; refine with a rule per device group if that matters.
			regex(`^Adobe Acrobat(?: DC| XI| X| 20\d\d)?(?: \((?:32|64)-bit\))?$`),
		},
	},
	{
		publisher: "Adobe", product: "Adobe Photoshop",
		rules: []StarterRule{ident("com.adobe.Photoshop").ver(vpYear), creativeApp("Photoshop")},
	},
	{
		publisher: "Adobe", product: "Adobe Illustrator",
		rules: []StarterRule{ident("com.adobe.illustrator").ver(vpYear), creativeApp("Illustrator")},
	},
	{
		publisher: "Adobe", product: "Adobe InDesign",
		rules: []StarterRule{ident("com.adobe.InDesign").ver(vpYear), creativeApp("InDesign")},
	},
	{
		// No identifier rule: Premiere Pro's bundle id changes with its version.
		publisher: "Adobe", product: "Adobe Premiere Pro",
		rules: []StarterRule{creativeApp("Premiere Pro")},
	},
	{
		publisher: "Adobe", product: "Adobe After Effects",
		rules: []StarterRule{creativeApp("After Effects")},
	},
	{
		publisher: "Adobe", product: "Adobe Lightroom Classic",
		rules: []StarterRule{
			ident("com.adobe.LightroomClassicCC7"),
			regex(`^Adobe (?:Photoshop )?Lightroom Classic(?: CC)?$`),
		},
	},
	{
		publisher: "Adobe", product: "Adobe Creative Cloud",
		rules: []StarterRule{
			ident("com.adobe.acc.AdobeCreativeCloud"),
			exact("Adobe Creative Cloud"),
			exact("Creative Cloud"), // the macOS app's name
		},
	},
}

// developerCatalog: IDEs, editors and developer tools.
var developerCatalog = []entry{
	{
		publisher: "JetBrains", product: "IntelliJ IDEA",
		editions: []string{"Ultimate", "Community"},
		rules: []StarterRule{
			ident("com.jetbrains.intellij").ver(vpYearRelease).ed("Ultimate"),
			ident("com.jetbrains.intellij.ce").ver(vpYearRelease).ed("Community"),
			exact("IntelliJ IDEA CE").ed("Community"),
			prefix("IntelliJ IDEA Community Edition").ed("Community").ver(vpYearRelease),
			prefix("IntelliJ IDEA Ultimate").ed("Ultimate").ver(vpYearRelease),
			jetbrains("IntelliJ IDEA").ed("Ultimate"),
		},
	},
	{
		publisher: "JetBrains", product: "PyCharm",
		editions: []string{"Professional", "Community"},
		rules: []StarterRule{
			ident("com.jetbrains.pycharm").ver(vpYearRelease).ed("Professional"),
			ident("com.jetbrains.pycharm.ce").ver(vpYearRelease).ed("Community"),
			exact("PyCharm CE").ed("Community"),
			prefix("PyCharm Community Edition").ed("Community").ver(vpYearRelease),
			prefix("PyCharm Professional").ed("Professional").ver(vpYearRelease),
			jetbrains("PyCharm").ed("Professional"),
		},
	},
	{publisher: "JetBrains", product: "WebStorm", rules: []StarterRule{ident("com.jetbrains.WebStorm").ver(vpYearRelease), jetbrains("WebStorm")}},
	{publisher: "JetBrains", product: "GoLand", rules: []StarterRule{ident("com.jetbrains.goland").ver(vpYearRelease), jetbrains("GoLand")}},
	{publisher: "JetBrains", product: "Rider", rules: []StarterRule{ident("com.jetbrains.rider").ver(vpYearRelease), jetbrains("Rider")}},
	{publisher: "JetBrains", product: "DataGrip", rules: []StarterRule{ident("com.jetbrains.datagrip").ver(vpYearRelease), jetbrains("DataGrip")}},
	{publisher: "JetBrains", product: "PhpStorm", rules: []StarterRule{ident("com.jetbrains.PhpStorm").ver(vpYearRelease), jetbrains("PhpStorm")}},
	{publisher: "JetBrains", product: "CLion", rules: []StarterRule{ident("com.jetbrains.CLion").ver(vpYearRelease), jetbrains("CLion")}},
	{publisher: "JetBrains", product: "RubyMine", rules: []StarterRule{ident("com.jetbrains.rubymine").ver(vpYearRelease), jetbrains("RubyMine")}},
	{
		publisher: "Google", product: "Android Studio",
		rules: []StarterRule{ident("com.google.android.studio"), exact("Android Studio")},
	},
	{
		publisher: "Docker", product: "Docker Desktop",
		rules: []StarterRule{
			ident("com.docker.docker"),
			ident("com.electron.dockerdesktop"),
			ident("docker-desktop"), // the Debian/RPM package
			exact("Docker Desktop"),
			exact("Docker"), // the macOS app is Docker.app
		},
	},
	{
		publisher: "Postman", product: "Postman",
		rules: []StarterRule{
			ident("com.postmanlabs.mac"),
			// Windows: "Postman x64 11.75.4".
			regex(`^Postman(?: x(?:64|86)(?: \d+(?:\.\d+)*)?)?$`),
		},
	},
	{
		publisher: "Sublime HQ", product: "Sublime Text",
		rules: []StarterRule{
			ident("com.sublimetext.4"),
			ident("com.sublimetext.3"),
			ident("sublime-text"),
			regex(`^Sublime Text(?: \d+| Build \d+)?$`),
		},
	},
	{
		publisher: "Git", product: "Git",
		rules: []StarterRule{
			ident("git"), // Debian/RPM/Homebrew package
			exact("Git"), // Git for Windows
			regex(`^Git version \d`).ver(`version (\d+(?:\.\d+)*)`),
		},
	},
	{
		publisher: "GitHub", product: "GitHub Desktop",
		rules: []StarterRule{ident("com.github.GitHubClient"), exact("GitHub Desktop")},
	},
	{
		publisher: "Oracle", product: "Java SE",
		editions: []string{"Runtime Environment", "Development Kit"},
		rules: []StarterRule{
			// "Java 8 Update 421 (64-bit)"; the title says "8 Update 421"
			// where the version says 8.0.4210.9.
			regex(`^Java \d+ Update \d+`).ed("Runtime Environment").ver(`^Java (\d+ Update \d+)`),
			regex(`^Java(?:\(TM\))? SE Development Kit \d`).ed("Development Kit").ver(`Kit (\d+(?:[.u]\d+)*)`),
		},
	},
}

// vendorCatalog: collaboration, browsers, storage, security and other
// business applications.
var vendorCatalog = []entry{
	{
		publisher: "Salesforce", product: "Slack",
		rules: []StarterRule{
			ident("com.tinyspeck.slackmacgap"),
			ident("slack-desktop"),
			exact("Slack"),
		},
	},
	{
		publisher: "Salesforce", product: "Tableau Desktop",
		rules: []StarterRule{
			ident("com.tableausoftware.tableaudesktop").ver(vpYearRelease),
			ident("com.tableausoftware.Desktop.app").ver(vpYearRelease),
			exact("Tableau Desktop"),
			// macOS "Tableau Desktop 2024.1"; Windows "Tableau 2023.3 (20233.23.1017.0948)".
			regex(`^Tableau (?:Desktop )?20\d\d\.\d`).ver(vpYearRelease),
		},
	},
	{
		publisher: "Zoom Communications", product: "Zoom Workplace",
		rules: []StarterRule{
			ident("us.zoom.xos"),
			ident("zoom"),    // the Debian/RPM package
			exact("zoom.us"), // the macOS app is zoom.us.app
			// "Zoom", "Zoom Workplace", "Zoom Workplace (X64)", "Zoom(64bit)",
			// "Zoom (64-bit)"; not "Zoom Rooms" or "Zoom Outlook Plugin".
			regex(`^Zoom(?: Workplace)?(?: ?\((?:64|32)-?bit\)| \(x(?:64|86)\))?$`),
		},
	},
	{
		publisher: "Google", product: "Google Chrome",
		rules: []StarterRule{
			ident("com.google.Chrome"),
			ident("google-chrome-stable"),
			exact("Google Chrome"),
		},
	},
	{
		publisher: "Google", product: "Google Drive",
		rules: []StarterRule{ident("com.google.drivefs"), exact("Google Drive")},
	},
	{
		publisher: "Mozilla", product: "Firefox",
		editions: []string{"ESR"},
		rules: []StarterRule{
			ident("org.mozilla.firefox"),
			ident("firefox"),
			exact("Firefox"),
			// "Mozilla Firefox 140.7.1 ESR (x64 en-US)", "Mozilla Firefox ESR (x64 en-US)".
			regex(`^Mozilla Firefox (?:\d+(?:\.\d+)* )?ESR\b`).ed("ESR"),
			prefix("Mozilla Firefox"),
		},
	},
	{
		publisher: "1Password", product: "1Password",
		rules: []StarterRule{
			ident("com.1password.1password"),
			ident("com.agilebits.onepassword7"),
			ident("1password"),
			regex(`^1Password(?: \d+)?$`),
		},
	},
	{
		publisher: "Figma", product: "Figma",
		rules: []StarterRule{ident("com.figma.Desktop"), exact("Figma")},
	},
	{
		publisher: "Autodesk", product: "AutoCAD",
		editions: []string{"LT"},
		rules: []StarterRule{
			// "AutoCAD LT 2024 - English", macOS "AutoCAD LT 2024"; not the
			// language packs ("AutoCAD 2024 Language Pack - English").
			regex(`^(?:Autodesk )?AutoCAD LT 20\d\d(?: - [A-Za-z ()]+)?$`).ed("LT").ver(vpYear),
			regex(`^(?:Autodesk )?AutoCAD 20\d\d(?: - [A-Za-z ()]+)?$`).ver(vpYear),
		},
	},
	{
		publisher: "Cisco", product: "Cisco Secure Client",
		rules: []StarterRule{
			// Its modules ("Cisco Secure Client - AnyConnect VPN", "…- Umbrella")
			// are the one licensed client; AnyConnect is its former name.
			prefix("Cisco Secure Client"),
			prefix("Cisco AnyConnect Secure Mobility Client"),
		},
	},
	{
		publisher: "Cisco", product: "Webex",
		rules: []StarterRule{
			ident("Cisco-Systems.Spark"),
			exact("Webex"),
			prefix("Cisco Webex"),
			prefix("Webex Meetings"),
		},
	},
	{
		publisher: "Palo Alto Networks", product: "GlobalProtect",
		rules: []StarterRule{ident("com.paloaltonetworks.GlobalProtect.client"), exact("GlobalProtect")},
	},
	{
		publisher: "CrowdStrike", product: "CrowdStrike Falcon",
		rules: []StarterRule{
			ident("com.crowdstrike.falcon.App"),
			ident("falcon-sensor"), // Linux package
			exact("Falcon"),        // the macOS app is Falcon.app
			exact("CrowdStrike Windows Sensor"),
		},
	},
	{
		publisher: "SentinelOne", product: "SentinelOne Agent",
		rules: []StarterRule{
			exact("Sentinel Agent"),         // Windows
			exact("SentinelOne Extensions"), // macOS, /Applications/SentinelOne/
		},
	},
	{
		publisher: "Dropbox", product: "Dropbox",
		rules: []StarterRule{ident("com.getdropbox.dropbox"), exact("Dropbox")},
	},
	{
		publisher: "Box", product: "Box Drive",
		rules: []StarterRule{ident("com.box.desktop"), exact("Box"), exact("Box Drive")},
	},
	{
		publisher: "Notion Labs", product: "Notion",
		rules: []StarterRule{
			ident("notion.id"),
			regex(`^Notion(?: \d+(?:\.\d+)*)?$`), // Windows: "Notion 6.1.0"; not "Notion Calendar"
		},
	},
	{
		publisher: "Miro", product: "Miro",
		rules: []StarterRule{ident("com.electron.realtimeboard"), exact("Miro")},
	},
	{
		publisher: "TeamViewer", product: "TeamViewer",
		editions: []string{"Host"},
		rules: []StarterRule{
			ident("com.teamviewer.TeamViewer"),
			ident("teamviewer"),
			exact("TeamViewer Host").ed("Host"),
			regex(`^TeamViewer(?: \d+)?$`),
		},
	},
	{
		publisher: "Parallels", product: "Parallels Desktop",
		rules: []StarterRule{ident("com.parallels.desktop.console"), exact("Parallels Desktop")},
	},
	{
		publisher: "Broadcom", product: "VMware Fusion",
		rules: []StarterRule{ident("com.vmware.fusion"), exact("VMware Fusion")},
	},
	{
		publisher: "Broadcom", product: "VMware Workstation",
		rules: []StarterRule{regex(`^VMware Workstation(?: Pro)?(?: \d+)?$`)},
	},
	{
		publisher: "SAP", product: "SAP GUI",
		editions: []string{"for Windows", "for Java"},
		rules: []StarterRule{
			// "SAP GUI for Windows 7.70 (Patch 6)": the release is in the title.
			prefix("SAP GUI for Windows").ed("for Windows").ver(`(\d+\.\d+)`),
			prefix("SAP GUI for Java").ed("for Java").ver(`(\d+\.\d+)`),
			prefix("SAP GUI"),
		},
	},
	{
		publisher: "TechSmith", product: "Snagit",
		rules: []StarterRule{
			ident("com.TechSmith.Snagit").ver(vpYear),
			// "Snagit 2024" (macOS app and Windows), "TechSmith Snagit 2020".
			regex(`^(?:TechSmith )?Snagit(?: 20\d\d| \d+)?$`).ver(vpYear),
		},
	},
	{
		publisher: "TechSmith", product: "Camtasia",
		rules: []StarterRule{
			ident("com.techsmith.camtasia").ver(vpYear),
			regex(`^(?:TechSmith )?Camtasia(?: 20\d\d| \d+)?$`).ver(vpYear),
		},
	},
	{
		publisher: "Citrix", product: "Citrix Workspace",
		rules: []StarterRule{
			ident("com.citrix.receiver.nomas"),
			prefix("Citrix Workspace"), // "Citrix Workspace 2402", its components
			prefix("Citrix Receiver"),  // its former name
		},
	},
	{
		publisher: "Okta", product: "Okta Verify",
		rules: []StarterRule{ident("com.okta.mobile"), exact("Okta Verify")},
	},
}
