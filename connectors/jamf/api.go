package jamf

import "github.com/itam-dev/itam/connectors/vendorhttp"

// Wire types: only the fields the connector maps, named exactly as the Jamf
// Pro API's ComputerInventory schema names them (components ComputerGeneral,
// ComputerGeneralV4, ComputerHardware, ComputerOperatingSystem,
// ComputerUserAndLocation, ComputerPurchase and ComputerApplication of the
// Jamf Pro API OpenAPI document). Unknown fields are ignored. A section that
// was not requested arrives as null, so every section is a pointer.

// inventoryPage is the body of GET /api/{v1..v4}/computers-inventory
// (ComputerInventorySearchResults): {"totalCount": N, "results": [...]}.
type inventoryPage struct {
	// TotalCount is the number of records matching the filter, all pages
	// together. It is required: a body without it is not an inventory page.
	TotalCount *int       `json:"totalCount"`
	Results    []computer `json:"results"`
}

// computer is one ComputerInventory record.
type computer struct {
	ID              flexString       `json:"id"`
	UDID            string           `json:"udid"`
	General         *general         `json:"general"`
	Hardware        *hardware        `json:"hardware"`
	OperatingSystem *operatingSystem `json:"operatingSystem"`
	UserAndLocation *userAndLocation `json:"userAndLocation"`
	Purchasing      *purchasing      `json:"purchasing"`
	// Applications is nil when the APPLICATIONS section was not requested
	// (null) and empty when the computer reported none ([]).
	Applications []application `json:"applications"`
}

// general is the GENERAL section. The /v1–/v3 endpoints report the last
// check-in as lastContactTime; /v4 (Jamf Pro 11.30+) replaced it with
// lastContact (any channel: binary check-in, MDM acknowledgement or DDM
// status report) and lastCheckIn (the binary's check-in).
type general struct {
	Name            string `json:"name"`
	AssetTag        string `json:"assetTag"`
	ReportDate      string `json:"reportDate"`
	LastContactTime string `json:"lastContactTime"`
	LastContact     string `json:"lastContact"`
	LastCheckIn     string `json:"lastCheckIn"`
	Platform        string `json:"platform"`
}

// hardware is the HARDWARE section.
type hardware struct {
	Make            string `json:"make"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
	SerialNumber    string `json:"serialNumber"`
}

// operatingSystem is the OPERATING_SYSTEM section. rapidSecurityResponse is
// Apple's RSR suffix, e.g. "(a)", collected for macOS 13 and later.
type operatingSystem struct {
	Name                  string `json:"name"`
	Version               string `json:"version"`
	Build                 string `json:"build"`
	RapidSecurityResponse string `json:"rapidSecurityResponse"`
}

// userAndLocation is the USER_AND_LOCATION section: username is the
// account name, realname the person's full name.
type userAndLocation struct {
	Username string `json:"username"`
	Realname string `json:"realname"`
	Email    string `json:"email"`
}

// purchasing is the PURCHASING section. poDate and warrantyDate are
// documented as dates ("2019-01-01"); purchasePrice is free text (the
// documented example is "$500").
type purchasing struct {
	Purchased     bool       `json:"purchased"`
	Leased        bool       `json:"leased"`
	PoNumber      string     `json:"poNumber"`
	PoDate        string     `json:"poDate"`
	Vendor        string     `json:"vendor"`
	WarrantyDate  string     `json:"warrantyDate"`
	AppleCareID   string     `json:"appleCareId"`
	PurchasePrice flexString `json:"purchasePrice"`
}

// application is one element of the APPLICATIONS section.
type application struct {
	Name     string `json:"name"`
	Path     string `json:"path"`
	Version  string `json:"version"`
	BundleID string `json:"bundleId"`
}

// flexString is a string a vendor may also send as a number or null.
type flexString = vendorhttp.FlexString
