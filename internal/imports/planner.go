package imports

import (
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Planner plans an import's rows chunk by chunk. It remembers what earlier
// chunks held (keys, for duplicates within the file; references), so one
// Planner plans one file, in order.
//
// What a plan decides, for every kind:
//   - Every mapped cell is parsed; each cell that fails is one CellError of
//     the row (all of them, not only the first), and the row is an ERROR.
//   - A blank cell never clears a value: it means "the file says nothing",
//     so a sparse spreadsheet cannot wipe the inventory. Clearing a field is
//     an edit, not an import.
//   - A row whose key an earlier row of the file already used is an ERROR
//     with DuplicateOf the first row's line: which of the two is right is
//     the person's call, not the import's.
//   - References (model, location, person, …) are matched by name (people
//     by email, or by a name only one person has) or, when unknown, listed
//     as references the commit creates. A name two records share is an
//     ERROR naming it. A person is only ever created from an email (the
//     people table requires one); a name nobody has is an ERROR.
//
// What it expects of a Snapshot beyond its field comments: PeopleByEmail
// also holds the email of every person PeopleByName matched, so a row
// naming a person compares with a record's assignee or manager (held by
// email); and ExistingPeople holds each person under their email's key
// and, when no one else has their name, their name's key, since a row
// without an email is matched by name. A person the snapshot has no email
// for is compared by name.
type Planner struct {
	kind    Kind
	headers []string
	cols    map[string]int // field → column
	opt     Options
	// seen maps a key of the file ("tag:…", "serial:…", "key:…") to the
	// first line that used it.
	seen map[string]int
	// pending are records an earlier row of the file creates, by kind and
	// key, so a later row may refer to them (a person's manager, a
	// location's parent).
	pending  map[string]bool
	refs     map[refID]*Reference
	refOrder []refID
	totals   Totals
	// emails indexes emailsFor.PeopleByEmail by person (emailOf).
	emailsFor *Snapshot
	emails    map[uuid.UUID]string
}

// NewPlanner checks m against kind and headers and returns a planner.
// Options are defaulted (DateOrder DMY, UpsertKey ASSET_TAG) and checked:
// errors are BAD_USER_INPUT on "options.<name>".
func NewPlanner(kind Kind, headers []string, m Mapping, opt Options) (*Planner, error) {
	if err := m.Validate(kind, len(headers)); err != nil {
		return nil, err
	}
	p := &Planner{kind: kind, headers: slices.Clone(headers), cols: map[string]int{}, seen: map[string]int{},
		pending: map[string]bool{}, refs: map[refID]*Reference{}}
	for c, f := range m.Columns {
		p.cols[f] = c
	}
	var err error
	if p.opt, err = p.checkOptions(opt); err != nil {
		return nil, err
	}
	return p, nil
}

// checkOptions applies the service's checks and defaults (checkOptions),
// then what only the file's mapping can tell: the key column is mapped, and
// a price column has a currency.
func (p *Planner) checkOptions(opt Options) (Options, error) {
	opt, err := checkOptions(p.kind, opt, "options")
	if err != nil {
		return opt, err
	}
	if p.kind == KindAssets {
		if f := opt.keyField(); !p.mapped(f) {
			return opt, itam.Invalid("options.upsertKey", "rows are matched by %s, but no column is mapped to %s", opt.UpsertKey, f)
		}
	}
	if opt.DefaultCurrency == "" {
		// A price without a currency is a guess the import refuses to
		// make; a currency column names it per row.
		for _, f := range moneyFields[p.kind] {
			if p.mapped(f) && !p.mapped(currencyField[p.kind]) {
				return opt, itam.Invalid("options.defaultCurrency", "%s column is mapped: give the currency its amounts are in", moneyWords[f])
			}
		}
	}
	return opt, nil
}

// keyField is the asset field rows are matched by.
func (o Options) keyField() string {
	if o.UpsertKey == KeySerialNumber {
		return "serialNumber"
	}
	return "assetTag"
}

// mapped reports whether a column feeds field.
func (p *Planner) mapped(field string) bool { _, ok := p.cols[field]; return ok }

// Needs returns what rows refer to, for the store to load.
func (p *Planner) Needs(rows []Row) Lookup {
	n := newNeeds()
	for _, r := range rows {
		get := func(f string) string { return p.raw(r, f) }
		switch p.kind {
		case KindAssets:
			p.assetNeeds(get, n)
		case KindPeople:
			n.add(&n.l.PersonEmails, NormalizeName(get("email")))
			n.add(&n.l.PersonNames, NormalizeName(get("name")))
			n.person(get("manager"))
			n.add(&n.l.Teams, NormalizeName(get("team")))
			n.add(&n.l.Locations, NormalizeName(get("location")))
		case KindLocations:
			n.add(&n.l.Locations, NormalizeName(get("name")))
			n.add(&n.l.Locations, NormalizeName(get("parent")))
		case KindLicenses, KindLicenseSeats, KindCostEntries:
			p.ledgerNeeds(get, n)
		case KindModels:
			mfr := NormalizeName(get("manufacturer"))
			n.add(&n.l.Manufacturers, mfr)
			n.add(&n.l.Categories, NormalizeName(get("category")))
			if name := NormalizeName(get("name")); name != "" {
				n.model(ModelKey{Manufacturer: mfr, Name: name})
			}
		}
	}
	return n.l
}

func (p *Planner) assetNeeds(get func(string) string, n *needs) {
	n.add(&n.l.AssetTags, NormalizeTag(get("assetTag")))
	n.add(&n.l.Serials, NormalizeSerial(cleanSerial(get("serialNumber"))))
	mfr := NormalizeName(get("manufacturer"))
	n.add(&n.l.Manufacturers, mfr)
	n.add(&n.l.Categories, NormalizeName(get("category")))
	if name := NormalizeName(get("model")); name != "" {
		n.model(ModelKey{Manufacturer: mfr, Name: name})
	}
	n.add(&n.l.ModelNumbers, NormalizeName(get("modelNumber")))
	n.add(&n.l.Locations, NormalizeName(get("location")))
	n.person(get("assignee"))
	n.add(&n.l.Teams, NormalizeName(get("ownerTeam")))
	n.add(&n.l.Suppliers, NormalizeName(get("supplier")))
}

// needs builds a Lookup without repeating a key.
type needs struct {
	l    Lookup
	seen map[*[]string]map[string]bool
	mods map[ModelKey]bool
	// prods are the products already listed (LICENSES).
	prods map[ProductKey]bool
}

func newNeeds() *needs {
	return &needs{seen: map[*[]string]map[string]bool{}, mods: map[ModelKey]bool{}}
}

func (n *needs) add(list *[]string, key string) {
	if key == "" {
		return
	}
	s := n.seen[list]
	if s == nil {
		s = map[string]bool{}
		n.seen[list] = s
	}
	if !s[key] {
		s[key] = true
		*list = append(*list, key)
	}
}

func (n *needs) model(k ModelKey) {
	if !n.mods[k] {
		n.mods[k] = true
		n.l.Models = append(n.l.Models, k)
	}
}

// person adds a cell naming a person: an email when it holds an '@'.
func (n *needs) person(cell string) {
	if isEmail(cell) {
		n.add(&n.l.PersonEmails, NormalizeName(cell))
	} else {
		n.add(&n.l.PersonNames, NormalizeName(cell))
	}
}

func isEmail(s string) bool { return strings.Contains(s, "@") }

// Plan decides every row of a chunk against the snapshot loaded for it,
// one RowPlan per row, in order.
func (p *Planner) Plan(rows []Row, s *Snapshot) []RowPlan {
	if s == nil {
		s = &Snapshot{}
	}
	out := make([]RowPlan, 0, len(rows))
	for _, r := range rows {
		rp := p.planRow(r, s)
		p.totals.Add(rp)
		out = append(out, rp)
	}
	return out
}

func (p *Planner) planRow(r Row, s *Snapshot) RowPlan {
	c := &rowCtx{p: p, row: r, s: s, plan: RowPlan{Line: r.Line}}
	switch p.kind {
	case KindAssets:
		p.planAsset(c)
	case KindPeople:
		p.planPerson(c)
	case KindLocations:
		p.planLocation(c)
	case KindModels:
		p.planModel(c)
	case KindLicenses:
		p.planLicense(c)
	case KindLicenseSeats:
		p.planSeat(c)
	case KindCostEntries:
		p.planCostEntry(c)
	}
	return c.finish()
}

// References returns every reference the rows planned so far name, in the
// order they were first named.
func (p *Planner) References() []Reference {
	out := make([]Reference, 0, len(p.refOrder))
	for _, id := range p.refOrder {
		r := *p.refs[id]
		r.Extra = copyMap(r.Extra)
		out = append(out, r)
	}
	return out
}

// Totals counts the rows planned so far and the references they name.
func (p *Planner) Totals() Totals {
	t := p.totals
	for _, r := range p.refs {
		if r.Created() {
			t.ReferencesCreated++
		} else {
			t.ReferencesMatched++
		}
	}
	return t
}

// ApplySaved maps headers by a saved mapping's header → field pairs;
// headers it does not name are mapped automatically. A saved pair with
// field "" leaves that header unmapped on purpose; a pair naming a field
// kind does not have is ignored. A field the saved mapping gives one
// header is never also taken by another header automatically.
func ApplySaved(kind Kind, headers []string, saved map[string]string) Mapping {
	fields := kindFields[kind]
	m := Mapping{Columns: map[int]string{}}
	taken := map[string]int{}
	decided := make([]bool, len(headers))
	for i, h := range headers {
		f, ok := saved[normalizeHeader(h)]
		switch {
		case !ok || (f != "" && !slices.Contains(fields, f)):
			continue
		case f == "":
			decided[i] = true
			m.Unmapped = append(m.Unmapped, i)
		case hasKey(taken, f):
			decided[i] = true
			m.Conflicts = append(m.Conflicts, Conflict{Column: i, Field: f, TakenBy: taken[f]})
		default:
			decided[i] = true
			taken[f] = i
			m.Columns[i] = f
		}
	}
	for i, h := range headers {
		if decided[i] {
			continue
		}
		f, ok := headerIndex[kind][normalizeHeader(h)]
		switch {
		case !ok:
			m.Unmapped = append(m.Unmapped, i)
		case hasKey(taken, f):
			m.Conflicts = append(m.Conflicts, Conflict{Column: i, Field: f, TakenBy: taken[f]})
		default:
			taken[f] = i
			m.Columns[i] = f
		}
	}
	slices.Sort(m.Unmapped)
	slices.SortFunc(m.Conflicts, func(a, b Conflict) int { return a.Column - b.Column })
	return m
}

func hasKey[K comparable, V any](m map[K]V, k K) bool { _, ok := m[k]; return ok }

// NormalizeHeader is a header as SavedMapping.Headers keys it: case, spaces
// and punctuation folded, so "Serial No." and "serial_no" are one header.
func NormalizeHeader(h string) string { return normalizeHeader(h) }

// NormalizeName is the key a name or email matches by, exactly as the
// database's unique indexes compare them: lower(trimmed text). The store
// queries lower(name) = ANY(keys) with these.
func NormalizeName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeTag is an asset tag's key (assets.asset_tag_key: lower; tags
// are stored trimmed).
func NormalizeTag(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// NormalizeSerial is a serial number's key (assets.serial_key: upper;
// serials are stored trimmed).
func NormalizeSerial(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
