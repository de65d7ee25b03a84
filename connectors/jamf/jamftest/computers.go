package jamftest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Computer is one computer as the fake serves it: the inventory sections a
// connector reads, named and typed as in the Jamf Pro API's ComputerInventory
// schema, timestamps kept as the text Jamf sends (formats vary on purpose).
type Computer struct {
	ID              int
	UDID            string
	General         General
	Hardware        Hardware
	OperatingSystem OperatingSystem
	UserAndLocation UserAndLocation
	Purchasing      Purchasing
	Applications    []Application
	// Virtual is the generator's truth (not sent): the computer is a
	// virtual machine.
	Virtual bool
}

// General is the GENERAL section. LastContactTime is sent as
// "lastContactTime" by /v1–/v3 and as "lastContact" by /v4, which also
// sends LastCheckIn.
type General struct {
	Name                                 string           `json:"name"`
	LastIPAddress                        string           `json:"lastIpAddress"`
	LastReportedIPV4                     string           `json:"lastReportedIpV4"`
	JamfBinaryVersion                    string           `json:"jamfBinaryVersion"`
	Platform                             string           `json:"platform"`
	Barcode1                             string           `json:"barcode1"`
	Barcode2                             string           `json:"barcode2"`
	AssetTag                             string           `json:"assetTag"`
	RemoteManagement                     RemoteManagement `json:"remoteManagement"`
	Supervised                           bool             `json:"supervised"`
	MdmCapable                           MdmCapable       `json:"mdmCapable"`
	ReportDate                           string           `json:"reportDate"`
	LastContactTime                      string           `json:"-"`
	LastCheckIn                          string           `json:"-"`
	LastEnrolledDate                     string           `json:"lastEnrolledDate"`
	InitialEntryDate                     string           `json:"initialEntryDate"`
	EnrolledViaAutomatedDeviceEnrollment bool             `json:"enrolledViaAutomatedDeviceEnrollment"`
	UserApprovedMdm                      bool             `json:"userApprovedMdm"`
	ManagementID                         string           `json:"managementId"`
	Site                                 Site             `json:"site"`
}

// RemoteManagement is general.remoteManagement.
type RemoteManagement struct {
	Managed bool `json:"managed"`
}

// MdmCapable is general.mdmCapable.
type MdmCapable struct {
	Capable bool `json:"capable"`
}

// Site is general.site.
type Site struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Hardware is the HARDWARE section.
type Hardware struct {
	Make                  string `json:"make"`
	Model                 string `json:"model"`
	ModelIdentifier       string `json:"modelIdentifier"`
	SerialNumber          string `json:"serialNumber"`
	ProcessorType         string `json:"processorType"`
	ProcessorArchitecture string `json:"processorArchitecture"`
	ProcessorCount        int    `json:"processorCount"`
	CoreCount             int    `json:"coreCount"`
	TotalRAMMegabytes     int64  `json:"totalRamMegabytes"`
	MacAddress            string `json:"macAddress"`
	AppleSilicon          bool   `json:"appleSilicon"`
	BatteryHealth         string `json:"batteryHealth"`
}

// OperatingSystem is the OPERATING_SYSTEM section.
type OperatingSystem struct {
	Name                     string `json:"name"`
	Version                  string `json:"version"`
	Build                    string `json:"build"`
	SupplementalBuildVersion string `json:"supplementalBuildVersion"`
	RapidSecurityResponse    string `json:"rapidSecurityResponse"`
	ActiveDirectoryStatus    string `json:"activeDirectoryStatus"`
	FileVault2Status         string `json:"fileVault2Status"`
}

// UserAndLocation is the USER_AND_LOCATION section.
type UserAndLocation struct {
	Username     string `json:"username"`
	Realname     string `json:"realname"`
	Email        string `json:"email"`
	Position     string `json:"position"`
	Phone        string `json:"phone"`
	DepartmentID string `json:"departmentId"`
	BuildingID   string `json:"buildingId"`
	Room         string `json:"room"`
}

// Purchasing is the PURCHASING section. PurchasePrice is free text, as in
// Jamf ("$500" is the documented example).
type Purchasing struct {
	Leased            bool   `json:"leased"`
	Purchased         bool   `json:"purchased"`
	PoNumber          string `json:"poNumber"`
	PoDate            string `json:"poDate"`
	Vendor            string `json:"vendor"`
	WarrantyDate      string `json:"warrantyDate"`
	AppleCareID       string `json:"appleCareId"`
	LeaseDate         string `json:"leaseDate"`
	PurchasePrice     string `json:"purchasePrice"`
	LifeExpectancy    int    `json:"lifeExpectancy"`
	PurchasingAccount string `json:"purchasingAccount"`
	PurchasingContact string `json:"purchasingContact"`
}

// Application is one element of the APPLICATIONS section.
type Application struct {
	Name              string `json:"name"`
	Path              string `json:"path"`
	Version           string `json:"version"`
	MacAppStore       bool   `json:"macAppStore"`
	SizeMegabytes     int    `json:"sizeMegabytes"`
	BundleID          string `json:"bundleId"`
	UpdateAvailable   bool   `json:"updateAvailable"`
	ExternalVersionID string `json:"externalVersionId"`
}

// clone copies c deeply enough that changing the copy never changes c.
func (c Computer) clone() Computer {
	c.Applications = append([]Application(nil), c.Applications...)
	return c
}

var (
	firstNames = []string{"Ava", "Ben", "Chloé", "Daniel", "Emma", "Farid", "Grace", "Hiroshi", "Isla", "Jonas",
		"Kira", "Liam", "Maya", "Noah", "Olivia", "Pedro", "Quinn", "Rosa", "Sven", "Tara", "Uma", "Victor", "Wen", "Yara", "Zoe"}
	lastNames = []string{"Anderson", "Becker", "Chen", "Dubois", "Evans", "Fischer", "García", "Hansen", "Ito", "Jensen",
		"Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Patel", "Rossi", "Schmidt", "Tanaka", "Weber"}
	departments = []string{"Engineering", "Finance", "Sales", "Marketing", "Support", "People", "Legal", "Design"}

	macModels = []struct {
		model, ident, proc, arch string
		cores                    int
		silicon                  bool
	}{
		{"MacBook Pro (14-inch, Nov 2023)", "Mac15,3", "Apple M3", "arm64", 8, true},
		{"MacBook Pro (16-inch, 2021)", "MacBookPro18,1", "Apple M1 Pro", "arm64", 10, true},
		{"MacBook Pro (14-inch, 2021)", "MacBookPro18,3", "Apple M1 Pro", "arm64", 8, true},
		{"MacBook Air (M2, 2022)", "Mac14,2", "Apple M2", "arm64", 8, true},
		{"MacBook Air (15-inch, M3, 2024)", "Mac15,13", "Apple M3", "arm64", 8, true},
		{"iMac (24-inch, M1, 2021)", "iMac21,1", "Apple M1", "arm64", 8, true},
		{"Mac mini (2023)", "Mac14,3", "Apple M2", "arm64", 8, true},
		{"Mac Studio (2022)", "Mac13,1", "Apple M1 Max", "arm64", 10, true},
		{"MacBook Pro (13-inch, 2020, Four Thunderbolt 3 ports)", "MacBookPro16,2", "Quad-Core Intel Core i5", "x86_64", 4, false},
		{"MacBook Air (Retina, 13-inch, 2020)", "MacBookAir9,1", "Dual-Core Intel Core i3", "x86_64", 2, false},
	}
	// vmModels are what virtual machines report: Apple's Virtualization
	// framework, VMware Fusion and Parallels Desktop guests.
	vmModels = []struct{ make, model, ident, serialPrefix string }{
		{"Apple", "Apple Virtual Machine 1", "VirtualMac2,1", "Z"},
		{"VMware, Inc.", "VMware Virtual Platform", "VMware7,1", "VM"},
		{"Parallels", "Parallels Virtual Platform", "Parallels-ARM", "Parallels-"},
	}
	osReleases = []struct{ version, build, rsr string }{
		{"15.1", "24B83", ""}, {"14.7.1", "23H222", ""}, {"14.6.1", "23G93", ""},
		{"13.4.1", "22F82", "(a)"}, {"13.7.1", "22H221", ""}, {"15.0.1", "24A348", ""},
	}
	catalog = []struct{ name, bundle string }{
		{"Google Chrome", "com.google.Chrome"}, {"Firefox", "org.mozilla.firefox"}, {"Slack", "com.tinyspeck.slackmacgap"},
		{"zoom.us", "us.zoom.xos"}, {"Microsoft Word", "com.microsoft.Word"}, {"Microsoft Excel", "com.microsoft.Excel"},
		{"Microsoft PowerPoint", "com.microsoft.Powerpoint"}, {"Microsoft Outlook", "com.microsoft.Outlook"},
		{"Microsoft Teams", "com.microsoft.teams2"}, {"OneDrive", "com.microsoft.OneDrive"}, {"Safari", "com.apple.Safari"},
		{"Xcode", "com.apple.dt.Xcode"}, {"Visual Studio Code", "com.microsoft.VSCode"}, {"Docker", "com.docker.docker"},
		{"iTerm", "com.googlecode.iterm2"}, {"1Password", "com.1password.1password"}, {"Figma", "com.figma.Desktop"},
		{"Notion", "notion.id"}, {"Spotify", "com.spotify.client"}, {"Keynote", "com.apple.iWork.Keynote"},
		{"Pages", "com.apple.iWork.Pages"}, {"Numbers", "com.apple.iWork.Numbers"}, {"GarageBand", "com.apple.garageband10"},
		{"iMovie", "com.apple.iMovieApp"}, {"Self Service", "com.jamfsoftware.selfservice.mac"},
		{"Jamf Connect", "com.jamf.connect"}, {"Adobe Acrobat Reader", "com.adobe.Reader"},
		{"Adobe Photoshop 2024", "com.adobe.Photoshop"}, {"Postman", "com.postmanlabs.mac"}, {"Sublime Text", "com.sublimetext.4"},
		{"Tableau Desktop", "com.tableausoftware.tableaudesktop"}, {"Webex", "Cisco-Systems.Spark"},
		{"GlobalProtect", "com.paloaltonetworks.GlobalProtect.client"}, {"CrowdStrike Falcon", "com.crowdstrike.falcon.App"},
		{"Rectangle", "com.knollsoft.Rectangle"}, {"Alfred 5", "com.runningwithcrayons.Alfred"},
		{"Microsoft Edge", "com.microsoft.edgemac"}, {"Miro", "com.electron.realtimeboard"}, {"Loom", "com.loom.desktop"},
		{"TextEdit", "com.apple.TextEdit"},
	}
	priceFormats = []func(r *rand.Rand) string{
		func(r *rand.Rand) string { return fmt.Sprintf("$%d,%03d.00", 1+r.IntN(3), r.IntN(1000)) },
		func(r *rand.Rand) string { return fmt.Sprintf("%d", 800+r.IntN(2500)) },
		func(r *rand.Rand) string {
			return fmt.Sprintf("€%d.%03d,%02d", 1+r.IntN(3), r.IntN(1000), r.IntN(100))
		},
		func(r *rand.Rand) string { return fmt.Sprintf("USD %d.%02d", 800+r.IntN(2500), r.IntN(100)) },
		func(r *rand.Rand) string { return fmt.Sprintf("£%d,%03d", 1+r.IntN(2), r.IntN(1000)) },
		func(*rand.Rand) string { return "" },
	}
)

// timeFormats are the shapes Jamf's timestamps come in; generated records
// cycle through them so a client must read them all.
var timeFormats = []string{
	"2006-01-02T15:04:05Z",
	"2006-01-02T15:04:05.000Z",
	"2006-01-02T15:04:05.99Z",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.000+0000",
}

// generate builds computer id deterministically from the seed. Applications
// are generated only when asked (they are most of the cost).
func generate(seed uint64, epoch time.Time, appsPer, id int, withApps bool) Computer {
	r := rand.New(rand.NewPCG(seed, uint64(id)*0x9E3779B97F4A7C15))
	c := Computer{ID: id, UDID: uuid(r)}
	tf := timeFormats[id%len(timeFormats)]

	first, last := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
	virtual := r.IntN(25) == 0
	serial := serialNumber(r)
	if virtual {
		vm := vmModels[r.IntN(len(vmModels))]
		c.Virtual = true
		switch vm.serialPrefix {
		case "VM":
			serial = "VM" + mixedCase(r, 10)
		case "Parallels-":
			serial = fmt.Sprintf("Parallels-%02X %02X %02X %02X", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
		default:
			serial = "Z" + serial[1:]
		}
		c.Hardware = Hardware{Make: vm.make, Model: vm.model, ModelIdentifier: vm.ident, SerialNumber: serial,
			ProcessorType: "Virtual CPU", ProcessorArchitecture: "arm64", ProcessorCount: 1, CoreCount: 4,
			TotalRAMMegabytes: 8192, MacAddress: mac(r), BatteryHealth: "UNSUPPORTED"}
	} else {
		m := macModels[r.IntN(len(macModels))]
		c.Hardware = Hardware{Make: "Apple", Model: m.model, ModelIdentifier: m.ident, SerialNumber: serial,
			ProcessorType: m.proc, ProcessorArchitecture: m.arch, ProcessorCount: 1, CoreCount: m.cores,
			TotalRAMMegabytes: int64(8192 << r.IntN(3)), MacAddress: mac(r), AppleSilicon: m.silicon, BatteryHealth: "NORMAL"}
	}

	// The last contact is the latest event; the last inventory report
	// came up to a week before it (Jamf's default "Update Inventory" is
	// weekly while check-ins come every ~15 minutes), so the two differ
	// as they do in Jamf.
	contact := epoch.Add(-time.Duration(r.Int64N(int64(90 * 24 * time.Hour)))).Truncate(10 * time.Millisecond)
	report := contact.Add(-time.Duration(r.Int64N(int64(7 * 24 * time.Hour)))).Truncate(10 * time.Millisecond)
	enrolled := report.Add(-time.Duration(100+r.IntN(900)) * 24 * time.Hour)
	name := first + "’s " + strings.SplitN(c.Hardware.Model, " (", 2)[0]
	if r.IntN(3) == 0 {
		name = "MAC-" + serial
	}
	assetTag := ""
	if r.IntN(5) != 0 {
		assetTag = fmt.Sprintf("IT-%06d", id)
	}
	c.General = General{
		Name: name, LastIPAddress: ip(r), LastReportedIPV4: fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254)),
		JamfBinaryVersion: "11.10.2-t1728654932", Platform: "Mac", AssetTag: assetTag,
		RemoteManagement: RemoteManagement{Managed: true}, Supervised: r.IntN(4) != 0, MdmCapable: MdmCapable{Capable: true},
		ReportDate: report.Format(tf), LastContactTime: contact.Format(tf),
		LastCheckIn:      contact.Add(-time.Duration(r.IntN(3600)) * time.Second).Format(tf),
		LastEnrolledDate: enrolled.Format(tf), InitialEntryDate: enrolled.Format("2006-01-02"),
		EnrolledViaAutomatedDeviceEnrollment: !virtual, UserApprovedMdm: true,
		ManagementID: uuid(r), Site: Site{ID: "-1", Name: "None"},
	}

	osr := osReleases[r.IntN(len(osReleases))]
	c.OperatingSystem = OperatingSystem{Name: "macOS", Version: osr.version, Build: osr.build,
		RapidSecurityResponse: osr.rsr, ActiveDirectoryStatus: "Not Bound", FileVault2Status: "ALL_ENCRYPTED"}
	if osr.rsr != "" {
		c.OperatingSystem.SupplementalBuildVersion = osr.build + "a"
	}

	if r.IntN(10) != 0 { // one in ten is unassigned
		email := ascii(first) + "." + ascii(last) + "@example.com"
		if r.IntN(8) == 0 {
			email = strings.ToUpper(email[:1]) + email[1:strings.Index(email, "@")] + "@Example.COM"
		} else {
			email = strings.ToLower(email)
		}
		c.UserAndLocation = UserAndLocation{
			Username: strings.ToLower(ascii(first[:1]) + ascii(last)), Realname: first + " " + last, Email: email,
			Position: "Staff", Phone: fmt.Sprintf("+1 555 %04d", r.IntN(10000)),
			DepartmentID: fmt.Sprint(1 + r.IntN(len(departments))), BuildingID: fmt.Sprint(1 + r.IntN(4)), Room: fmt.Sprint(100 + r.IntN(400)),
		}
	}

	if !virtual && r.IntN(5) != 0 {
		po := epoch.AddDate(0, 0, -100-r.IntN(1400)).Truncate(24 * time.Hour)
		dateFmt := "2006-01-02"
		if id%7 == 0 {
			dateFmt = "2006-01-02T15:04:05Z"
		}
		c.Purchasing = Purchasing{
			Purchased: true, PoNumber: fmt.Sprintf("PO-%06d", 1000+r.IntN(900000)), PoDate: po.Format(dateFmt),
			Vendor: []string{"Apple", "CDW", "Insight", "SHI"}[r.IntN(4)], WarrantyDate: po.AddDate(3, 0, 0).Format(dateFmt),
			PurchasePrice: priceFormats[r.IntN(len(priceFormats))](r), LifeExpectancy: 3 + r.IntN(2),
		}
		if r.IntN(2) == 0 {
			c.Purchasing.AppleCareID = fmt.Sprintf("AC%08d", r.IntN(100000000))
		}
	} else if !virtual {
		c.Purchasing = Purchasing{Leased: true, LeaseDate: epoch.AddDate(1, 0, 0).Format("2006-01-02"), LifeExpectancy: 3}
	}

	if withApps && appsPer >= 0 {
		n := appsPer
		if n == 0 {
			n = 5 + r.IntN(21)
		}
		n = min(n, len(catalog))
		c.Applications = make([]Application, 0, n)
		for _, k := range r.Perm(len(catalog))[:n] {
			a := catalog[k]
			c.Applications = append(c.Applications, Application{
				Name: a.name, BundleID: a.bundle, Path: "/Applications/" + a.name + ".app",
				Version:       fmt.Sprintf("%d.%d.%d", 1+r.IntN(30), r.IntN(10), r.IntN(20)),
				SizeMegabytes: 10 + r.IntN(2000), MacAppStore: r.IntN(6) == 0, UpdateAvailable: r.IntN(5) == 0,
			})
		}
	}
	return c
}

func uuid(r *rand.Rand) string {
	a, b := r.Uint64(), r.Uint64()
	return fmt.Sprintf("%08X-%04X-%04X-%04X-%012X", a>>32, (a>>16)&0xffff, 0x4000|(a&0x0fff), 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

const serialAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

func serialNumber(r *rand.Rand) string {
	b := make([]byte, 10)
	b[0] = "CFGHJK"[r.IntN(6)]
	for i := 1; i < len(b); i++ {
		b[i] = serialAlphabet[r.IntN(len(serialAlphabet))]
	}
	return string(b)
}

func mixedCase(r *rand.Rand, n int) string {
	const a = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = a[r.IntN(len(a))]
	}
	b[0] = "abcdefghjk"[r.IntN(10)] // at least one lower-case letter
	return string(b)
}

func mac(r *rand.Rand) string {
	return fmt.Sprintf("%02X:%02X:%02X:%02X:%02X:%02X", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
}

func ip(r *rand.Rand) string {
	return fmt.Sprintf("%d.%d.%d.%d", 1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254))
}

// ascii drops diacritics from the few names that have them, for emails.
func ascii(s string) string {
	return strings.NewReplacer("é", "e", "í", "i", "ó", "o", "ü", "u", "'", "").Replace(s)
}
