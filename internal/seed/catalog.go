package seed

// Static reference data the generator draws from. Everything here is
// deliberately ordinary: real cities, real vendors, real product names, so a
// seeded organization looks like an inventory a person would recognize.

type teamDef struct {
	name, description string
	weight            int      // share of headcount
	icTitles          []string // individual contributor titles
	managerTitle      string
	headTitle         string
}

var teamDefs = []teamDef{
	{"IT", "Corporate IT: endpoints, identity and office infrastructure", 5,
		[]string{"IT Support Specialist", "Systems Administrator", "Service Desk Analyst", "Endpoint Engineer", "Network Engineer"},
		"IT Manager", "Head of IT"},
	{"Engineering", "Product engineering", 25,
		[]string{"Software Engineer", "Senior Software Engineer", "Staff Software Engineer", "Site Reliability Engineer", "QA Engineer", "Data Engineer"},
		"Engineering Manager", "VP of Engineering"},
	{"Sales", "New business and account management", 15,
		[]string{"Account Executive", "Senior Account Executive", "Sales Development Representative", "Solutions Engineer", "Account Manager"},
		"Sales Manager", "VP of Sales"},
	{"Marketing", "Brand, demand generation and communications", 7,
		[]string{"Marketing Manager", "Content Strategist", "Demand Generation Specialist", "Product Marketing Manager", "Marketing Analyst"},
		"Marketing Lead", "VP of Marketing"},
	{"Finance", "Accounting, FP&A and procurement", 5,
		[]string{"Accountant", "Financial Analyst", "Payroll Specialist", "Procurement Specialist", "Controller"},
		"Finance Manager", "Chief Financial Officer"},
	{"HR", "People operations, recruiting and benefits", 4,
		[]string{"HR Generalist", "Recruiter", "Talent Partner", "People Operations Specialist", "Benefits Coordinator"},
		"HR Manager", "Head of People"},
	{"Support", "Customer support and success", 12,
		[]string{"Support Engineer", "Customer Success Manager", "Technical Support Specialist", "Support Specialist", "Implementation Consultant"},
		"Support Manager", "Head of Customer Support"},
	{"Design", "Product and brand design", 5,
		[]string{"Product Designer", "Senior Product Designer", "UX Researcher", "Visual Designer"},
		"Design Manager", "Head of Design"},
	{"Legal", "Legal, compliance and privacy", 3,
		[]string{"Corporate Counsel", "Paralegal", "Compliance Analyst", "Privacy Counsel"},
		"Legal Manager", "General Counsel"},
	{"Operations", "Business operations and workplace", 8,
		[]string{"Operations Analyst", "Office Manager", "Workplace Coordinator", "Business Operations Manager", "Executive Assistant"},
		"Operations Manager", "Chief Operating Officer"},
	{"Product", "Product management", 6,
		[]string{"Product Manager", "Senior Product Manager", "Technical Program Manager", "Product Analyst"},
		"Group Product Manager", "VP of Product"},
	{"Security", "Information security and risk", 5,
		[]string{"Security Engineer", "Security Analyst", "GRC Analyst", "Detection Engineer"},
		"Security Manager", "Chief Information Security Officer"},
}

type siteDef struct {
	code        string // short code used in host names
	name        string
	addr1       string
	city        string
	region      string
	postal      string
	country     string // ISO 3166-1 alpha-2
	currency    string // what this site buys in most of the time
	weight      int    // share of headcount and stock
	buildings   []string
	floorPrefix string
	carriers    []string
}

var siteDefs = []siteDef{
	{"NYC", "New York HQ", "85 Broad Street", "New York", "NY", "10004", "US", "USD", 38,
		[]string{"85 Broad", "55 Water", "1 State Street Plaza"}, "Floor", []string{"Verizon", "AT&T", "T-Mobile"}},
	{"SFO", "San Francisco", "415 Mission Street", "San Francisco", "CA", "94105", "US", "USD", 26,
		[]string{"Salesforce Tower", "101 Second Street"}, "Floor", []string{"Verizon", "AT&T", "T-Mobile"}},
	{"LON", "London", "30 St Mary Axe", "London", "", "EC3A 8BF", "GB", "GBP", 22,
		[]string{"The Gherkin", "Bishopsgate Annex"}, "Level", []string{"EE", "Vodafone", "O2"}},
	{"BER", "Berlin", "Friedrichstraße 68", "Berlin", "BE", "10117", "DE", "EUR", 14,
		[]string{"Quartier 206"}, "Etage", []string{"Telekom", "Vodafone", "O2"}},
}

type manufacturerDef struct {
	name, website, support string
	serial                 serialFormat
}

// serialFormat describes how a vendor's serial numbers look.
type serialFormat struct {
	prefixes []string // one is chosen at random
	length   int      // total length including prefix
	alphabet string
}

const (
	alnum          = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	appleAlphabet  = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ" // Apple serials skip I and O
	dellAlphabet   = "0123456789BCDFGHJKLMNPQRSTVWXYZ"    // service tags avoid vowels
	digits         = "0123456789"
	upperHexDigits = "0123456789ABCDEF"
)

var manufacturerDefs = []manufacturerDef{
	{"Apple", "https://www.apple.com", "https://support.apple.com",
		serialFormat{[]string{"C02", "C02", "FVF", "DMP", "F9F", "G6T"}, 12, appleAlphabet}},
	{"Dell", "https://www.dell.com", "https://www.dell.com/support",
		serialFormat{[]string{""}, 7, dellAlphabet}},
	{"Lenovo", "https://www.lenovo.com", "https://pcsupport.lenovo.com",
		serialFormat{[]string{"PF"}, 8, alnum}},
	{"HP", "https://www.hp.com", "https://support.hp.com",
		serialFormat{[]string{"5CG", "CND", "MXL", "CZC"}, 10, alnum}},
	{"Microsoft", "https://www.microsoft.com", "https://support.microsoft.com",
		serialFormat{[]string{"0"}, 12, digits}},
	{"Samsung", "https://www.samsung.com", "https://www.samsung.com/us/support",
		serialFormat{[]string{"R5C", "R58", "R9T"}, 11, alnum}},
	{"Cisco", "https://www.cisco.com", "https://www.cisco.com/c/en/us/support",
		serialFormat{[]string{"FOC", "FCW", "Q2"}, 11, alnum}},
	{"Logitech", "https://www.logitech.com", "https://support.logi.com",
		serialFormat{[]string{"2", "21", "22"}, 12, alnum}},
	{"LG", "https://www.lg.com", "https://www.lg.com/us/support",
		serialFormat{[]string{"2", "3"}, 12, alnum}},
	{"Google", "https://store.google.com", "https://support.google.com/pixelphone",
		serialFormat{[]string{"3"}, 14, alnum}},
}

type fieldDef struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Type     string   `json:"type"`
	Required bool     `json:"required"`
	Options  []string `json:"options,omitempty"`
}

type categoryDef struct {
	kind, name   string
	usefulLife   int // months, copied onto every model in the category
	weight       int // share of assets
	fields       []fieldDef
	printName    bool // whether assets of this kind get a host-style name
	hostCode     string
	locationUsed bool // deployed to a room (server room) rather than a person
}

var osOptions = []string{"macOS", "Windows 11", "Ubuntu 22.04"}

var categoryDefs = []categoryDef{
	{"LAPTOP", "Laptops", 36, 34, []fieldDef{
		{"ram_gb", "RAM (GB)", "NUMBER", false, nil},
		{"cpu", "CPU", "TEXT", false, nil},
		{"storage_gb", "Storage (GB)", "NUMBER", false, nil},
		{"os", "Operating system", "ENUM", false, osOptions},
	}, true, "LT", false},
	{"DESKTOP", "Desktops", 48, 7, []fieldDef{
		{"ram_gb", "RAM (GB)", "NUMBER", false, nil},
		{"cpu", "CPU", "TEXT", false, nil},
		{"storage_gb", "Storage (GB)", "NUMBER", false, nil},
		{"os", "Operating system", "ENUM", false, osOptions},
	}, true, "DT", false},
	{"SERVER", "Servers", 60, 2, []fieldDef{
		{"ram_gb", "RAM (GB)", "NUMBER", false, nil},
		{"cpu", "CPU", "TEXT", false, nil},
		{"rack_units", "Rack units", "NUMBER", false, nil},
		{"hostname", "Hostname", "TEXT", false, nil},
	}, true, "SRV", true},
	{"PHONE", "Phones", 30, 18, []fieldDef{
		{"imei", "IMEI", "TEXT", false, nil},
		{"storage_gb", "Storage (GB)", "NUMBER", false, nil},
		{"carrier", "Carrier", "TEXT", false, nil},
	}, false, "PH", false},
	{"TABLET", "Tablets", 36, 6, []fieldDef{
		{"storage_gb", "Storage (GB)", "NUMBER", false, nil},
		{"cellular", "Cellular", "BOOLEAN", false, nil},
	}, false, "TB", false},
	{"MONITOR", "Monitors", 60, 22, []fieldDef{
		{"screen_size_in", "Screen size (in)", "NUMBER", false, nil},
		{"resolution", "Resolution", "TEXT", false, nil},
	}, false, "MON", false},
	{"NETWORK", "Network Equipment", 60, 3, []fieldDef{
		{"ports", "Ports", "NUMBER", false, nil},
		{"mac_address", "MAC address", "TEXT", false, nil},
		{"firmware", "Firmware", "TEXT", false, nil},
	}, true, "NET", true},
	{"PERIPHERAL", "Peripherals", 36, 8, nil, false, "PER", false},
}

// modelDef is one product. Spec fields fill the category's custom fields.
type modelDef struct {
	manufacturer, kind, name, number string
	priceCents                       int64 // US list price
	cpu                              string
	ram, storage                     []int
	rackUnits, ports                 int
	screen                           float64
	resolution                       string
	cellular                         bool
	firmware                         string
	weight                           int
}

var modelDefs = []modelDef{
	// Laptops
	{manufacturer: "Apple", kind: "LAPTOP", name: `MacBook Pro 14" M3`, number: "MR7J3LL/A", priceCents: 199900, cpu: "Apple M3", ram: []int{8, 16, 24}, storage: []int{512, 1024}, weight: 6},
	{manufacturer: "Apple", kind: "LAPTOP", name: `MacBook Pro 16" M3 Pro`, number: "MRW13LL/A", priceCents: 249900, cpu: "Apple M3 Pro", ram: []int{18, 36}, storage: []int{512, 1024}, weight: 3},
	{manufacturer: "Apple", kind: "LAPTOP", name: `MacBook Air 13" M2`, number: "MLY33LL/A", priceCents: 109900, cpu: "Apple M2", ram: []int{8, 16}, storage: []int{256, 512}, weight: 4},
	{manufacturer: "Apple", kind: "LAPTOP", name: `MacBook Air 15" M3`, number: "MRYM3LL/A", priceCents: 129900, cpu: "Apple M3", ram: []int{8, 16, 24}, storage: []int{256, 512}, weight: 2},
	{manufacturer: "Dell", kind: "LAPTOP", name: "Latitude 7440", number: "LAT7440", priceCents: 164900, cpu: "Intel Core i7-1365U", ram: []int{16, 32}, storage: []int{512, 1024}, weight: 6},
	{manufacturer: "Dell", kind: "LAPTOP", name: "Latitude 5540", number: "LAT5540", priceCents: 124900, cpu: "Intel Core i5-1345U", ram: []int{16}, storage: []int{256, 512}, weight: 4},
	{manufacturer: "Dell", kind: "LAPTOP", name: "XPS 15 9530", number: "XPS9530", priceCents: 219900, cpu: "Intel Core i7-13700H", ram: []int{32, 64}, storage: []int{1024}, weight: 2},
	{manufacturer: "Lenovo", kind: "LAPTOP", name: "ThinkPad X1 Carbon Gen 11", number: "21HM", priceCents: 189900, cpu: "Intel Core i7-1365U", ram: []int{16, 32}, storage: []int{512, 1024}, weight: 5},
	{manufacturer: "Lenovo", kind: "LAPTOP", name: "ThinkPad T14 Gen 4", number: "21HD", priceCents: 139900, cpu: "Intel Core i5-1345U", ram: []int{16, 32}, storage: []int{512}, weight: 4},
	{manufacturer: "HP", kind: "LAPTOP", name: "EliteBook 840 G10", number: "818N0UA", priceCents: 154900, cpu: "Intel Core i5-1345U", ram: []int{16, 32}, storage: []int{512}, weight: 3},
	{manufacturer: "Microsoft", kind: "LAPTOP", name: "Surface Laptop 5", number: "R1S-00001", priceCents: 129900, cpu: "Intel Core i5-1245U", ram: []int{8, 16}, storage: []int{256, 512}, weight: 1},
	// Desktops
	{manufacturer: "Apple", kind: "DESKTOP", name: "Mac mini M2", number: "MMFJ3LL/A", priceCents: 79900, cpu: "Apple M2", ram: []int{8, 16}, storage: []int{512}, weight: 2},
	{manufacturer: "Apple", kind: "DESKTOP", name: "Mac Studio M2 Max", number: "MQH73LL/A", priceCents: 199900, cpu: "Apple M2 Max", ram: []int{32, 64}, storage: []int{512, 1024}, weight: 1},
	{manufacturer: "Dell", kind: "DESKTOP", name: "OptiPlex 7010", number: "OPT7010", priceCents: 94900, cpu: "Intel Core i5-13500", ram: []int{16}, storage: []int{512}, weight: 4},
	{manufacturer: "HP", kind: "DESKTOP", name: "EliteDesk 800 G9", number: "6B2T6UT", priceCents: 104900, cpu: "Intel Core i7-12700", ram: []int{16, 32}, storage: []int{512}, weight: 2},
	{manufacturer: "Lenovo", kind: "DESKTOP", name: "ThinkCentre M70q Gen 4", number: "12E3", priceCents: 82900, cpu: "Intel Core i5-13400T", ram: []int{8, 16}, storage: []int{256, 512}, weight: 2},
	// Servers
	{manufacturer: "Dell", kind: "SERVER", name: "PowerEdge R760", number: "R760", priceCents: 1249900, cpu: "2x Intel Xeon Gold 6430", ram: []int{256, 512}, rackUnits: 2, weight: 3},
	{manufacturer: "Dell", kind: "SERVER", name: "PowerEdge R660", number: "R660", priceCents: 899900, cpu: "2x Intel Xeon Silver 4410Y", ram: []int{128, 256}, rackUnits: 1, weight: 2},
	{manufacturer: "HP", kind: "SERVER", name: "ProLiant DL380 Gen11", number: "P52534-B21", priceCents: 1199900, cpu: "2x Intel Xeon Gold 5418Y", ram: []int{256, 512}, rackUnits: 2, weight: 2},
	{manufacturer: "Lenovo", kind: "SERVER", name: "ThinkSystem SR650 V3", number: "7D76", priceCents: 1099900, cpu: "2x Intel Xeon Gold 6426Y", ram: []int{256}, rackUnits: 2, weight: 1},
	// Phones
	{manufacturer: "Apple", kind: "PHONE", name: "iPhone 15", number: "MTLX3LL/A", priceCents: 79900, storage: []int{128, 256}, weight: 6},
	{manufacturer: "Apple", kind: "PHONE", name: "iPhone 15 Pro", number: "MTQM3LL/A", priceCents: 99900, storage: []int{128, 256, 512}, weight: 3},
	{manufacturer: "Apple", kind: "PHONE", name: "iPhone 14", number: "MPUF3LL/A", priceCents: 69900, storage: []int{128}, weight: 3},
	{manufacturer: "Samsung", kind: "PHONE", name: "Galaxy S24", number: "SM-S921U", priceCents: 79999, storage: []int{128, 256}, weight: 3},
	{manufacturer: "Samsung", kind: "PHONE", name: "Galaxy S23", number: "SM-S911U", priceCents: 69999, storage: []int{128, 256}, weight: 2},
	{manufacturer: "Google", kind: "PHONE", name: "Pixel 8", number: "GKWS6", priceCents: 69900, storage: []int{128, 256}, weight: 1},
	// Tablets
	{manufacturer: "Apple", kind: "TABLET", name: `iPad Air 11" M2`, number: "MUWD3LL/A", priceCents: 59900, storage: []int{128, 256}, cellular: true, weight: 4},
	{manufacturer: "Apple", kind: "TABLET", name: `iPad Pro 12.9" M2`, number: "MNXP3LL/A", priceCents: 109900, storage: []int{256, 512}, cellular: true, weight: 2},
	{manufacturer: "Apple", kind: "TABLET", name: "iPad (10th generation)", number: "MPQ03LL/A", priceCents: 44900, storage: []int{64, 256}, weight: 3},
	{manufacturer: "Samsung", kind: "TABLET", name: "Galaxy Tab S9", number: "SM-X710", priceCents: 79999, storage: []int{128, 256}, cellular: true, weight: 1},
	{manufacturer: "Microsoft", kind: "TABLET", name: "Surface Pro 9", number: "QEZ-00001", priceCents: 99999, storage: []int{256, 512}, weight: 1},
	// Monitors
	{manufacturer: "Dell", kind: "MONITOR", name: "UltraSharp U2723QE", number: "U2723QE", priceCents: 57999, screen: 27, resolution: "3840x2160", weight: 6},
	{manufacturer: "Dell", kind: "MONITOR", name: "P2422H", number: "P2422H", priceCents: 22999, screen: 23.8, resolution: "1920x1080", weight: 5},
	{manufacturer: "LG", kind: "MONITOR", name: "27UK850-W", number: "27UK850-W", priceCents: 44999, screen: 27, resolution: "3840x2160", weight: 3},
	{manufacturer: "LG", kind: "MONITOR", name: "34WN80C-B", number: "34WN80C-B", priceCents: 54999, screen: 34, resolution: "3440x1440", weight: 2},
	{manufacturer: "Samsung", kind: "MONITOR", name: "ViewFinity S8", number: "LS27B800PXNXGO", priceCents: 39999, screen: 27, resolution: "3840x2160", weight: 2},
	{manufacturer: "Apple", kind: "MONITOR", name: "Studio Display", number: "MK0U3LL/A", priceCents: 159900, screen: 27, resolution: "5120x2880", weight: 1},
	{manufacturer: "HP", kind: "MONITOR", name: "E24 G5", number: "6N6E9AA", priceCents: 21900, screen: 23.8, resolution: "1920x1080", weight: 3},
	// Network
	{manufacturer: "Cisco", kind: "NETWORK", name: "Catalyst 9300 48-port PoE+", number: "C9300-48P-E", priceCents: 899500, ports: 48, firmware: "IOS XE 17.9.4", weight: 3},
	{manufacturer: "Cisco", kind: "NETWORK", name: "Catalyst 9200L 24-port", number: "C9200L-24P-4G-E", priceCents: 289500, ports: 24, firmware: "IOS XE 17.6.5", weight: 3},
	{manufacturer: "Cisco", kind: "NETWORK", name: "Meraki MR46 Access Point", number: "MR46-HW", priceCents: 119900, ports: 2, firmware: "MR 30.6", weight: 5},
	{manufacturer: "Cisco", kind: "NETWORK", name: "ISR 4331 Router", number: "ISR4331/K9", priceCents: 299500, ports: 3, firmware: "IOS XE 17.3.8", weight: 1},
	// Peripherals
	{manufacturer: "Logitech", kind: "PERIPHERAL", name: "MX Master 3S", number: "910-006557", priceCents: 9999, weight: 5},
	{manufacturer: "Logitech", kind: "PERIPHERAL", name: "MX Keys", number: "920-009295", priceCents: 11999, weight: 4},
	{manufacturer: "Logitech", kind: "PERIPHERAL", name: "C920 HD Pro Webcam", number: "960-000764", priceCents: 7999, weight: 3},
	{manufacturer: "Logitech", kind: "PERIPHERAL", name: "Zone Wireless Headset", number: "981-000797", priceCents: 19999, weight: 2},
	{manufacturer: "Apple", kind: "PERIPHERAL", name: "Magic Keyboard with Touch ID", number: "MK293LL/A", priceCents: 14900, weight: 2},
	{manufacturer: "Dell", kind: "PERIPHERAL", name: "WD19S Dock", number: "WD19S130W", priceCents: 21999, weight: 3},
	{manufacturer: "Lenovo", kind: "PERIPHERAL", name: "ThinkPad Universal USB-C Dock", number: "40AY0090US", priceCents: 24999, weight: 2},
}

type supplierDef struct {
	name, contact, email, phone, website string
	invoicePrefix                        string
}

var supplierDefs = []supplierDef{
	{"CDW", "Megan Foster", "orders@cdw.example.com", "+1 800 800 4239", "https://www.cdw.com", "CDW"},
	{"SHI", "Rahul Mehta", "accounts@shi.example.com", "+1 888 764 8888", "https://www.shi.com", "SHI"},
	{"Insight", "Laura Becker", "sales@insight.example.com", "+1 800 467 4448", "https://www.insight.com", "INS"},
	{"Apple Business", "Apple Business Team", "business@apple.example.com", "+1 800 854 3680", "https://www.apple.com/business", "AB"},
	{"Dell Direct", "Dell Premier Support", "premier@dell.example.com", "+1 800 456 3355", "https://www.dell.com/premier", "DD"},
}

// Name pools: common given and family names from the countries the sites
// are in, ASCII only so emails can be derived directly.
var firstNames = []string{
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Christopher", "Karen",
	"Charles", "Lisa", "Daniel", "Nancy", "Matthew", "Betty", "Anthony", "Sandra", "Mark", "Margaret",
	"Donald", "Ashley", "Steven", "Kimberly", "Andrew", "Emily", "Paul", "Donna", "Joshua", "Michelle",
	"Kenneth", "Carol", "Kevin", "Amanda", "Brian", "Melissa", "George", "Deborah", "Timothy", "Stephanie",
	"Ronald", "Rebecca", "Jason", "Sharon", "Edward", "Laura", "Jeffrey", "Cynthia", "Ryan", "Dorothy",
	"Jacob", "Amy", "Gary", "Kathleen", "Nicholas", "Angela", "Eric", "Shirley", "Jonathan", "Emma",
	"Stephen", "Brenda", "Larry", "Pamela", "Justin", "Nicole", "Scott", "Anna", "Brandon", "Samantha",
	"Benjamin", "Katherine", "Samuel", "Christine", "Gregory", "Debra", "Alexander", "Rachel", "Patrick", "Carolyn",
	"Frank", "Janet", "Raymond", "Maria", "Jack", "Olivia", "Dennis", "Heather", "Jerry", "Helen",
	"Tyler", "Catherine", "Aaron", "Diane", "Jose", "Julie", "Adam", "Victoria", "Nathan", "Joyce",
	"Henry", "Lauren", "Zachary", "Kelly", "Douglas", "Christina", "Peter", "Ruth", "Kyle", "Joan",
	"Noah", "Virginia", "Ethan", "Judith", "Jeremy", "Evelyn", "Christian", "Hannah", "Walter", "Andrea",
	"Keith", "Megan", "Austin", "Cheryl", "Roger", "Jacqueline", "Terry", "Madison", "Sean", "Teresa",
	"Gerald", "Abigail", "Carl", "Sophia", "Dylan", "Martha", "Harold", "Sara", "Jordan", "Gloria",
	"Jesse", "Janice", "Bryan", "Kathryn", "Lawrence", "Ann", "Arthur", "Isabella", "Gabriel", "Judy",
	"Bruce", "Charlotte", "Logan", "Julia", "Billy", "Grace", "Joe", "Amber", "Alan", "Alice",
	"Juan", "Jean", "Elijah", "Denise", "Willie", "Frances", "Albert", "Danielle", "Wayne", "Marilyn",
	"Randy", "Natalie", "Mason", "Beverly", "Vincent", "Diana", "Liam", "Brittany", "Roy", "Theresa",
	"Bobby", "Kayla", "Caleb", "Alexis", "Bradley", "Doris", "Russell", "Lori", "Lucas", "Tiffany",
	"Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Oscar", "Mia", "Leo", "Freya",
	"Lukas", "Lena", "Felix", "Hanna", "Jonas", "Lea", "Maximilian", "Leonie", "Paul", "Marie",
	"Finn", "Johanna", "Elias", "Clara", "Niklas", "Sophie", "Tobias", "Katharina", "Florian", "Julia",
	"Priya", "Arjun", "Ananya", "Rohan", "Aisha", "Omar", "Fatima", "Yusuf", "Mei", "Wei",
	"Hiroshi", "Yuki", "Min-jun", "Ji-woo", "Carlos", "Sofia", "Diego", "Valentina", "Mateo", "Camila",
	"Chen", "Li", "Ravi", "Deepa", "Kwame", "Amara", "Chinedu", "Zainab", "Ivan", "Olga",
}

var lastNames = []string{
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
	"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
	"Gomez", "Phillips", "Evans", "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes",
	"Stewart", "Morris", "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper",
	"Peterson", "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson",
	"Watson", "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
	"Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster", "Jimenez",
	"Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler", "Henderson", "Barnes",
	"Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan", "Patterson", "Alexander", "Hamilton", "Graham",
	"Reynolds", "Griffin", "Wallace", "Moreno", "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson",
	"Ellis", "Tran", "Medina", "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens",
	"Harrison", "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry", "Chen",
	"Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson", "Porter", "Hunter",
	"Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon", "Munoz", "Hunt", "Hicks",
	"Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd", "Rose", "Stone", "Salazar", "Fox",
	"Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza", "Daniels", "Ferguson", "Nichols", "Stephens",
	"Soto", "Weaver", "Ryan", "Gardner", "Payne", "Grant", "Dunn", "Kelley", "Spencer", "Hawkins",
	"O'Brien", "O'Connor", "Walsh", "Byrne", "Doyle", "McCarthy", "Gallagher", "Quinn", "Kavanagh", "Brennan",
	"Davies", "Hughes", "Lloyd", "Price", "Owen", "Griffiths", "Jenkins", "Morgan", "Thomas", "Roberts",
	"Muller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Schulz", "Koch", "Richter", "Klein",
	"Wolf", "Schroder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Kruger", "Hofmann", "Hartmann", "Lange",
	"Sharma", "Gupta", "Singh", "Kumar", "Reddy", "Iyer", "Khan", "Ahmed", "Ali", "Hussain",
	"Wang", "Zhang", "Liu", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun",
	"Tanaka", "Suzuki", "Sato", "Watanabe", "Park", "Choi", "Jung", "Kang", "Okafor", "Mensah",
	"Adeyemi", "Nkosi", "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Dubois", "Moreau", "Laurent",
	"Novak", "Kowalski", "Nowak", "Wisniewski", "Petrov", "Ivanova", "Jansen", "de Vries", "van Dijk", "Bakker",
	"Larsen", "Hansen", "Nielsen", "Johansson", "Lindqvist", "Berg", "Costa", "Santos", "Oliveira", "Pereira",
}
