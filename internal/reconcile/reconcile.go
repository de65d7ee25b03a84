// Package reconcile holds the rules that decide how a device a source
// reports lands in the inventory: how it is matched to an asset, which
// source is believed for each field, and what never overwrites what. The
// rules are data and pure functions so they can be tested exhaustively; the
// postgres package applies their decisions a page at a time.
package reconcile

import (
	"strings"
)

// junkSerials are placeholders firmware and hypervisors report instead of a
// serial number. Matching on them would merge unrelated machines.
var junkSerials = map[string]bool{
	"": true, "0": true, "00000000": true, "000000000000": true, "0123456789": true, "123456789": true, "1234567890": true,
	"DEFAULT STRING": true, "TO BE FILLED BY O.E.M.": true, "TO BE FILLED BY OEM": true, "SYSTEM SERIAL NUMBER": true,
	"CHASSIS SERIAL NUMBER": true, "SERIAL NUMBER": true, "NONE": true, "N/A": true, "NA": true, "NULL": true,
	"NOT APPLICABLE": true, "NOT SPECIFIED": true, "UNKNOWN": true, "INVALID": true, "O.E.M.": true, "OEM": true,
	"XXXXXXXXXXXX": true, "SERIAL": true, "DEFAULT": true, "EMPTY": true,
}

// NormalizeSerial trims and upper-cases a serial; junk placeholders become "".
func NormalizeSerial(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if junkSerials[s] {
		return ""
	}
	return s
}

// LinkSerial is the serial kept on a source's link to an asset: the
// reported serial trimmed (as on assets), or "" for none or a firmware
// placeholder. It is kept for every record, virtual machines included,
// whose serial never goes on the asset: so a VM is found by its serial.
// Link serials are not identity and need not be unique.
func LinkSerial(reported string) string {
	if NormalizeSerial(reported) == "" {
		return ""
	}
	return strings.TrimSpace(reported)
}

// hardwareNamePlaceholders are SMBIOS defaults white-box boards leave in
// the manufacturer and product name fields (besides the junk serials).
var hardwareNamePlaceholders = map[string]bool{
	"SYSTEM MANUFACTURER": true, "SYSTEM PRODUCT NAME": true,
}

// CleanHardwareName trims a manufacturer or model name a source reports;
// firmware placeholders ("System manufacturer", "To be filled by O.E.M.",
// "Default string") become "", so they never name a manufacturer or model
// in the inventory.
func CleanHardwareName(s string) string {
	s = strings.TrimSpace(s)
	key := strings.ToUpper(strings.Join(strings.Fields(s), " "))
	if junkSerials[key] || hardwareNamePlaceholders[key] {
		return ""
	}
	return s
}

// NormalizeEmail lower-cases and trims an email: sources disagree on case.
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// MatchRule is how a record was matched to an asset.
type MatchRule string

const (
	MatchLink   MatchRule = "LINK"   // the source's own id was linked before
	MatchSerial MatchRule = "SERIAL" // same normalized serial number
	MatchTag    MatchRule = "TAG"    // same asset tag
	MatchNone   MatchRule = "NONE"   // a new asset
)

// Candidates are the existing assets a record could be: by link, by serial
// (possibly several, from different manufacturers) and by tag.
type Candidates[ID comparable] struct {
	Link     *ID
	BySerial []SerialCandidate[ID]
	ByTag    *ID
}

// SerialCandidate is an asset with the record's serial and its manufacturer name.
type SerialCandidate[ID comparable] struct {
	ID           ID
	Manufacturer string
}

// Match picks the asset a record belongs to, in order of trust: its own
// link, then its serial (unless virtual: VM serials are not unique hardware
// ids; among several assets with that serial, the one from the record's
// manufacturer), then its asset tag.
func Match[ID comparable](c Candidates[ID], manufacturer string, virtual bool) (ID, MatchRule) {
	var zero ID
	if c.Link != nil {
		return *c.Link, MatchLink
	}
	if !virtual && len(c.BySerial) > 0 {
		if len(c.BySerial) == 1 {
			return c.BySerial[0].ID, MatchSerial
		}
		for _, s := range c.BySerial {
			if strings.EqualFold(strings.TrimSpace(s.Manufacturer), strings.TrimSpace(manufacturer)) {
				return s.ID, MatchSerial
			}
		}
	}
	if c.ByTag != nil {
		return *c.ByTag, MatchTag
	}
	return zero, MatchNone
}

// Synced fields: the asset fields sources may set.
const (
	FieldSerialNumber  = "serialNumber"
	FieldName          = "name"
	FieldModel         = "modelId"
	FieldAssignee      = "assignee"
	FieldPurchaseDate  = "purchaseDate"
	FieldPurchasePrice = "purchasePrice"
	FieldWarrantyEnd   = "warrantyEnd"
	// FieldStatus and FieldLocation come from ITSM records (MDMs do not
	// report them).
	FieldStatus   = "status"
	FieldLocation = "locationId"
)

// SyncedFields lists them in a stable order.
var SyncedFields = []string{FieldSerialNumber, FieldName, FieldModel, FieldAssignee, FieldPurchaseDate, FieldPurchasePrice, FieldWarrantyEnd,
	FieldStatus, FieldLocation}

// Source names used in precedence lists besides connector kinds.
const (
	SourceManual        = "manual"
	SourceProcurement   = "procurement"
	SourceAuthoritative = "authoritative" // the connector marked authoritative for people
	// SourceImport is a spreadsheet import (internal/imports): it ranks
	// right after a person's own edit in every default list, so a person's
	// correction beats a spreadsheet while the spreadsheet stands where
	// manual entry always stood against the connectors.
	SourceImport = "import"
)

var (
	mdms  = []string{"JAMF_PRO", "KANDJI", "INTUNE", "FLEET"}
	itsms = []string{"SERVICENOW", "JSM_ASSETS", "FRESHSERVICE"}
)

// after joins precedence groups in order.
func after(groups ...[]string) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// DefaultPrecedence is who is believed for each field, most trusted first:
// hardware identity from the MDMs (which read it off the device), then the
// service desks; purchase data from procurement or a person, then the
// service desk's records; people from the connector marked authoritative
// for them. Status and location are the service desk's: where one is
// connected, that is where IT staff keep them, and itam's own changes
// reach it through pushFields (an admin who wants itam to win reorders
// the list or locks the field).
var DefaultPrecedence = map[string][]string{
	FieldSerialNumber:  after(mdms, itsms, []string{SourceManual, SourceImport}),
	FieldName:          after(mdms, itsms, []string{SourceManual, SourceImport}),
	FieldModel:         after(mdms, itsms, []string{SourceManual, SourceImport}),
	FieldAssignee:      after([]string{SourceAuthoritative, SourceManual, SourceImport}, mdms, itsms),
	FieldPurchaseDate:  after([]string{SourceProcurement, SourceManual, SourceImport}, itsms, mdms),
	FieldPurchasePrice: after([]string{SourceProcurement, SourceManual, SourceImport}, itsms, mdms),
	FieldWarrantyEnd:   after([]string{SourceProcurement, SourceManual, SourceImport}, itsms, mdms),
	FieldStatus:        after(itsms, []string{SourceManual, SourceImport}),
	FieldLocation:      after(itsms, []string{SourceManual, SourceImport}),
}

// Precedence is an organization's precedence lists, falling back to the defaults.
type Precedence map[string][]string

// Rank is where source stands for field: lower is more trusted; unknown
// sources rank last. kind is the connector kind of a connector source, and
// authoritative says whether that connector is authoritative for people.
func (p Precedence) Rank(field, source, kind string, authoritative bool) int {
	list := p[field]
	if list == nil {
		list = DefaultPrecedence[field]
	}
	best := len(list)
	for i, s := range list {
		if s == source || (kind != "" && s == kind) || (authoritative && s == SourceAuthoritative) {
			best = min(best, i)
		}
	}
	return best
}

// Current is what the inventory holds for one field: who set it and whether
// a person locked it.
type Current struct {
	Source        string // "" when nobody recorded setting it
	Kind          string // connector kind of Source, "" for people
	Authoritative bool
	Locked        bool
	Empty         bool // the field has no value
}

// Incoming is what a source reports for one field.
type Incoming struct {
	Source        string
	Kind          string
	Authoritative bool
	Empty         bool
	Equal         bool // same value as the current one
}

// Decision is what to do with one reported field.
type Decision int

const (
	Keep     Decision = iota // leave the field alone (nothing to record)
	Apply                    // write the reported value
	Conflict                 // keep the current value and record the disagreement
	Confirm                  // same value: refresh provenance observation only
)

// Decide applies the rules to one field: an empty report never overwrites
// anything; a locked field is only ever a conflict; an empty field takes
// any value; otherwise the more trusted source wins, and a less trusted one
// that disagrees is recorded as a conflict. Equal trust keeps the value the
// inventory has, so two equally trusted sources never flip a field back and
// forth on every sync.
func (p Precedence) Decide(field string, cur Current, in Incoming) Decision {
	switch {
	case in.Empty:
		return Keep
	case in.Equal:
		if cur.Locked || cur.Source == in.Source {
			return Keep
		}
		return Confirm
	case cur.Locked:
		return Conflict
	case cur.Empty:
		return Apply
	case cur.Source == in.Source:
		return Apply
	}
	if cur.Source == "" {
		cur.Source = SourceManual // a value set before provenance was recorded was set by a person
	}
	if p.Rank(field, in.Source, in.Kind, in.Authoritative) < p.Rank(field, cur.Source, cur.Kind, cur.Authoritative) {
		return Apply
	}
	return Conflict
}
