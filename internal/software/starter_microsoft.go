package software

// microsoftCatalog: Microsoft 365 / Office and the other Microsoft products
// businesses license. The suites come first: their Windows entries
// ("Microsoft Office Professional Plus 2019", "Microsoft 365 Apps for
// enterprise - en-us") must not fall to a single application's rule.
var microsoftCatalog = []entry{
	{
		publisher: "Microsoft", product: "Microsoft 365 Apps",
		editions: []string{"Enterprise", "Business"},
		rules: []StarterRule{
			prefix("Microsoft 365 Apps for enterprise").ed("Enterprise"),
			prefix("Microsoft 365 Apps for business").ed("Business"),
			// The former names of the same subscriptions.
			prefix("Microsoft Office 365 ProPlus").ed("Enterprise"),
			prefix("Microsoft Office 365 Business").ed("Business"),
			// Consumer and Business Standard/Premium installs: "Microsoft 365 - en-us".
			regex(`^Microsoft 365(?: Apps)?(?: - [a-z]{2,3}(?:-[a-z]+)*)?$`),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Office",
		editions: []string{"Professional Plus", "Professional", "Standard", "Home and Business", "Home and Student", "LTSC Professional Plus", "LTSC Standard"},
		rules: []StarterRule{
			prefix("Microsoft Office Professional Plus").ed("Professional Plus").ver(vpYear),
			prefix("Microsoft Office LTSC Professional Plus").ed("LTSC Professional Plus").ver(vpYear),
			prefix("Microsoft Office LTSC Standard").ed("LTSC Standard").ver(vpYear),
			prefix("Microsoft Office Standard").ed("Standard").ver(vpYear),
			prefix("Microsoft Office Home and Business").ed("Home and Business").ver(vpYear),
			prefix("Microsoft Office Home and Student").ed("Home and Student").ver(vpYear),
			// After "Professional Plus", which it is a prefix of.
			prefix("Microsoft Office Professional").ed("Professional").ver(vpYear),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Excel",
		rules: []StarterRule{
			ident("com.microsoft.Excel"),
			exact("Microsoft Excel"),
			officeApp("Excel"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Word",
		rules: []StarterRule{
			ident("com.microsoft.Word"),
			exact("Microsoft Word"),
			officeApp("Word"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft PowerPoint",
		rules: []StarterRule{
			ident("com.microsoft.Powerpoint"),
			exact("Microsoft PowerPoint"),
			officeApp("PowerPoint"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Outlook",
		rules: []StarterRule{
			ident("com.microsoft.Outlook"),
			exact("Microsoft Outlook"),
			officeApp("Outlook"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft OneNote",
		rules: []StarterRule{
			ident("com.microsoft.onenote.mac"),
			exact("Microsoft OneNote"),
			officeApp("OneNote"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Teams",
		rules: []StarterRule{
			ident("com.microsoft.teams2"),
			ident("com.microsoft.teams"), // classic Teams
			exact("Microsoft Teams"),
			exact("Microsoft Teams classic"),
			exact("Microsoft Teams (work or school)"),
			prefix("Teams Machine-Wide Installer"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Visio",
		editions: []string{"Professional", "Standard"},
		rules: []StarterRule{
			prefix("Microsoft Visio Professional").ed("Professional").ver(vpYear),
			prefix("Microsoft Visio LTSC Professional").ed("Professional").ver(vpYear),
			prefix("Microsoft Visio Standard").ed("Standard").ver(vpYear),
			prefix("Microsoft Visio LTSC Standard").ed("Standard").ver(vpYear),
			// Subscription (Plan 2) installs: "Microsoft Visio - en-us".
			regex(`^Microsoft Visio(?: - [a-z]{2,3}(?:-[a-z]+)*)?$`),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Project",
		editions: []string{"Professional", "Standard", "Online Desktop Client"},
		rules: []StarterRule{
			prefix("Microsoft Project Professional").ed("Professional").ver(vpYear),
			prefix("Microsoft Project Standard").ed("Standard").ver(vpYear),
			prefix("Microsoft Project Online Desktop Client").ed("Online Desktop Client"),
			regex(`^Microsoft Project(?: - [a-z]{2,3}(?:-[a-z]+)*)?$`),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft Edge",
		rules: []StarterRule{
			ident("com.microsoft.edgemac"),
			ident("microsoft-edge-stable"),
			// Exact: "Microsoft Edge WebView2 Runtime" and "Microsoft Edge
			// Update" are other things.
			exact("Microsoft Edge"),
		},
	},
	{
		publisher: "Microsoft", product: "Microsoft OneDrive",
		rules: []StarterRule{
			ident("com.microsoft.OneDrive"),
			exact("OneDrive"),
			exact("Microsoft OneDrive"),
		},
	},
	{
		publisher: "Microsoft", product: "Visual Studio Code",
		rules: []StarterRule{
			ident("com.microsoft.VSCode"),
			ident("code"), // the Debian/RPM package
			exact("Visual Studio Code"),
			exact("Microsoft Visual Studio Code"),
			exact("Microsoft Visual Studio Code (User)"),
		},
	},
	{
		publisher: "Microsoft", product: "Visual Studio",
		editions: []string{"Community", "Professional", "Enterprise"},
		rules: []StarterRule{
			regex(`^(?:Microsoft )?Visual Studio Community 20\d\d`).ed("Community").ver(vpYear),
			regex(`^(?:Microsoft )?Visual Studio Professional 20\d\d`).ed("Professional").ver(vpYear),
			regex(`^(?:Microsoft )?Visual Studio Enterprise 20\d\d`).ed("Enterprise").ver(vpYear),
			exact("Visual Studio"), // Visual Studio for Mac
		},
	},
	{
		publisher: "Microsoft", product: "Power BI Desktop",
		rules: []StarterRule{
			regex(`^Microsoft Power ?BI Desktop\b`),
			exact("Power BI Desktop"),
		},
	},
	{
		publisher: "Microsoft", product: "SQL Server Management Studio",
		rules: []StarterRule{
			// "Microsoft SQL Server Management Studio - 19.1", "SQL Server
			// Management Studio 22": the title carries the release.
			regex(`^(?:Microsoft )?SQL Server Management Studio\b`).ver(`(\d+(?:\.\d+)*)$`),
		},
	},
	{
		publisher: "Microsoft", product: "Windows App",
		rules: []StarterRule{
			ident("com.microsoft.rdc.macos"),
			exact("Windows App"),
			exact("Microsoft Remote Desktop"), // its former name on macOS
		},
	},
}
