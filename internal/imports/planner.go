package imports

// CONTRACT STUB: the importplan helper replaces this file with the planner.
// The signatures are the contract the store and the job code against.

// Planner plans an import's rows chunk by chunk. It remembers what earlier
// chunks held (keys, for duplicates within the file; references), so one
// Planner plans one file, in order.
type Planner struct{}

// NewPlanner checks m against kind and headers and returns a planner.
func NewPlanner(kind Kind, headers []string, m Mapping, opt Options) (*Planner, error) {
	panic("imports: planner not built yet")
}

// Needs returns what rows refer to, for the store to load.
func (p *Planner) Needs(rows []Row) Lookup { panic("imports: planner not built yet") }

// Plan decides every row of a chunk against the snapshot loaded for it.
func (p *Planner) Plan(rows []Row, s *Snapshot) []RowPlan { panic("imports: planner not built yet") }

// References returns every reference the rows planned so far name.
func (p *Planner) References() []Reference { panic("imports: planner not built yet") }

// Totals counts the rows planned so far.
func (p *Planner) Totals() Totals { panic("imports: planner not built yet") }

// ApplySaved maps headers by a saved mapping's header → field pairs;
// headers it does not name are mapped automatically.
func ApplySaved(kind Kind, headers []string, saved map[string]string) Mapping {
	panic("imports: planner not built yet")
}

// NormalizeName is the key a name or email matches by, exactly as the
// database's unique indexes compare them: lower(trimmed text). The store
// queries lower(name) = ANY(keys) with these.
func NormalizeName(s string) string { panic("imports: planner not built yet") }

// NormalizeTag is an asset tag's key (assets.asset_tag_key: lower).
func NormalizeTag(s string) string { panic("imports: planner not built yet") }

// NormalizeSerial is a serial number's key (assets.serial_key: upper).
func NormalizeSerial(s string) string { panic("imports: planner not built yet") }
