package imports

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
)

// Service starts, commits and reports imports under their rules: who may
// import (ADMIN, MANAGER), who may read the reports (AUDITOR too), and
// what a start or a commit must carry. The GraphQL API and the command
// line both go through it; Store does the loading and saving.
type Service struct {
	Store RunStore
}

// MaxRowsPage bounds a page of a run's rows or of the runs: a row carries
// its values and errors, so a page of them is kept to the size of the
// other detailed lists.
const MaxRowsPage = 100

// maxColumn is the last column a mapping may name: Excel's XFD, the widest
// sheet any spreadsheet tool writes.
const maxColumn = 16383

// Limits of the texts a caller names things with.
const (
	maxFileName    = 255
	maxSheetName   = 31 // Excel's limit on a worksheet name
	maxMappingName = 100
	maxHeaderLen   = 255
)

// ColumnField maps one column of the file (0-based) to a field.
type ColumnField struct {
	Column int
	Field  string
}

// StartInput is what a caller uploads: the file, its kind, how its columns
// map (explicit Columns, a saved mapping by MappingID, or neither: the
// headers are matched automatically) and the options.
type StartInput struct {
	FileName string
	// File is read once, by the store. When MappingID is set it must also
	// be an io.Seeker: the service reads the header row to apply the saved
	// mapping, then rewinds.
	File io.Reader
	// Size is the file's size when known (-1 or 0: unknown); a larger one
	// than MaxFileSize is refused before anything is read.
	Size      int64
	Kind      Kind
	Columns   []ColumnField
	MappingID *uuid.UUID
	Options   Options
}

// requireImport is the import's role rule: ADMIN and MANAGER change
// inventory, so they import; AUDITOR and EMPLOYEE do not.
func requireImport(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanWriteInventory() {
		return p, itam.Forbidden("role %s cannot import: imports are for ADMIN and MANAGER", p.Role)
	}
	return p, nil
}

// requireRead lets ADMIN, MANAGER and AUDITOR (who audits what was
// imported) read runs, reports and mappings; EMPLOYEE reads none.
func requireRead(ctx context.Context) (itam.Principal, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return p, err
	}
	if !p.CanReadAll() {
		return p, itam.Forbidden("role %s cannot read imports", p.Role)
	}
	return p, nil
}

// StartImport checks in and saves a PLANNING run with its file; the store
// enqueues the dry run. Nothing is written to the inventory until a commit.
func (s *Service) StartImport(ctx context.Context, in StartInput) (*Run, error) {
	p, err := requireImport(ctx)
	if err != nil {
		return nil, err
	}
	if err := checkFile(in); err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, itam.Invalid("kind", "%q is not an import kind (ASSETS, PEOPLE, LOCATIONS, MODELS)", in.Kind)
	}
	if len(in.Columns) > 0 && in.MappingID != nil {
		return nil, itam.Invalid("mappingId", "give mapping or mappingId, not both")
	}
	opt := in.Options
	var m Mapping
	switch {
	case len(in.Columns) > 0:
		if m, err = explicitMapping(in.Kind, in.Columns); err != nil {
			return nil, err
		}
	case in.MappingID != nil:
		saved, err := s.savedMapping(ctx, in.Kind, *in.MappingID)
		if err != nil {
			return nil, err
		}
		opt = mergeOptions(opt, saved.Options)
		if m, err = mapBySaved(in, opt.Sheet, saved); err != nil {
			return nil, err
		}
	}
	if opt, err = checkOptions(in.Kind, opt, "options"); err != nil {
		return nil, err
	}
	if err := checkKeyMapped(in.Kind, opt, m); err != nil {
		return nil, err
	}
	r := &Run{OrgID: p.OrgID, Kind: in.Kind, Status: StatusPlanning, FileName: strings.TrimSpace(in.FileName),
		Options: opt, Mapping: m, CreatedBy: p.Subject}
	return s.Store.CreateRun(ctx, r, in.File)
}

func checkFile(in StartInput) error {
	name := strings.TrimSpace(in.FileName)
	switch {
	case in.File == nil:
		return itam.Invalid("file", "upload a CSV or XLSX file")
	case name == "":
		return itam.Invalid("file", "the upload has no file name: send the file with its name")
	case utf8.RuneCountInString(name) > maxFileName || !utf8.ValidString(name):
		return itam.Invalid("file", "the file name must be valid text of at most %d characters", maxFileName)
	case in.Size > MaxFileSize:
		return tooLarge(in.Size)
	}
	return nil
}

// tooLarge refuses a file over MaxFileSize.
func tooLarge(size int64) *itam.Error {
	return itam.Invalid("file", "the file is %.1f MB: at most %d MB can be imported at once (split it)", float64(size)/(1<<20), MaxFileSize>>20)
}

// TooLarge is the refusal of an upload larger than MaxFileSize, for a
// transport that stops reading it early.
func TooLarge(size int64) error { return tooLarge(size) }

// explicitMapping checks a caller's column list against kind. Column
// bounds against the file's width are the dry run's to check: the headers
// are not read yet.
func explicitMapping(kind Kind, cols []ColumnField) (Mapping, error) {
	m := Mapping{Columns: make(map[int]string, len(cols))}
	widest := 0
	for i, c := range cols {
		path := fmt.Sprintf("mapping[%d].column", i)
		if c.Column < 0 || c.Column > maxColumn {
			return Mapping{}, itam.Invalid(path, "column %d does not exist: columns count from 0 to %d", c.Column, maxColumn)
		}
		if _, dup := m.Columns[c.Column]; dup {
			return Mapping{}, itam.Invalid(path, "column %d is mapped twice", c.Column)
		}
		m.Columns[c.Column] = c.Field
		widest = max(widest, c.Column+1)
	}
	// Validate names fields by column ("mapping.columns[3]"): the widest
	// column bounds it so only field, duplicate and key rules apply here.
	if err := m.Validate(kind, widest); err != nil {
		return Mapping{}, err
	}
	return m, nil
}

func (s *Service) savedMapping(ctx context.Context, kind Kind, id uuid.UUID) (*SavedMapping, error) {
	saved, err := s.Store.Mapping(ctx, id)
	if err != nil {
		if itam.ErrorCode(err) == itam.CodeNotFound {
			return nil, &itam.Error{Code: itam.CodeNotFound, Field: "mappingId", Message: "import mapping not found"}
		}
		return nil, err
	}
	if saved.Kind != kind {
		return nil, itam.Invalid("mappingId", "the mapping %q is for %s files, not %s", saved.Name, saved.Kind, kind)
	}
	return saved, nil
}

// mapBySaved reads the file's header row and maps it by saved, then
// rewinds the file for the store.
func mapBySaved(in StartInput, sheet string, saved *SavedMapping) (Mapping, error) {
	seeker, ok := in.File.(io.Seeker)
	if !ok {
		return Mapping{}, fmt.Errorf("imports: a saved mapping needs a seekable file, got %T", in.File)
	}
	rd, err := Open(in.File, in.FileName, ReadOptions{Sheet: sheet})
	if err != nil {
		return Mapping{}, err
	}
	headers := rd.Header()
	if err := rd.Close(); err != nil {
		return Mapping{}, err
	}
	if _, err := seeker.Seek(0, io.SeekStart); err != nil {
		return Mapping{}, fmt.Errorf("imports: rewind upload: %w", err)
	}
	m := ApplySaved(saved.Kind, headers, saved.Headers)
	if err := m.Validate(saved.Kind, len(headers)); err != nil {
		return Mapping{}, itam.Invalid("mappingId", "the mapping %q does not fit this file: %s", saved.Name, message(err))
	}
	return m, nil
}

// mergeOptions fills what the caller left out with a saved mapping's options.
func mergeOptions(caller, saved Options) Options {
	if caller.Sheet == "" {
		caller.Sheet = saved.Sheet
	}
	if caller.DateOrder == "" {
		caller.DateOrder = saved.DateOrder
	}
	if caller.UpsertKey == "" {
		caller.UpsertKey = saved.UpsertKey
	}
	if caller.DefaultCurrency == "" {
		caller.DefaultCurrency = saved.DefaultCurrency
	}
	return caller
}

// checkOptions validates o for kind and fills the defaults: DMY dates and,
// for assets, rows matched by asset tag. field prefixes error paths.
func checkOptions(kind Kind, o Options, field string) (Options, error) {
	o.Sheet = strings.TrimSpace(o.Sheet)
	if utf8.RuneCountInString(o.Sheet) > maxSheetName || !utf8.ValidString(o.Sheet) {
		return o, itam.Invalid(field+".sheet", "a sheet name has at most %d characters", maxSheetName)
	}
	if o.DateOrder == "" {
		o.DateOrder = DMY
	}
	if !o.DateOrder.Valid() {
		return o, itam.Invalid(field+".dateOrder", "%q is not a date order (DMY, MDY)", o.DateOrder)
	}
	switch {
	case kind != KindAssets && o.UpsertKey != "":
		return o, itam.Invalid(field+".upsertKey", "upsertKey applies to asset imports only: %s rows are matched by name", strings.ToLower(string(kind)))
	case kind == KindAssets && o.UpsertKey == "":
		o.UpsertKey = KeyAssetTag
	case kind == KindAssets && o.UpsertKey != KeyAssetTag && o.UpsertKey != KeySerialNumber:
		return o, itam.Invalid(field+".upsertKey", "%q is not an upsert key (ASSET_TAG, SERIAL_NUMBER)", o.UpsertKey)
	}
	if o.DefaultCurrency != "" {
		code, err := itam.ParseCurrency(o.DefaultCurrency)
		if err != nil {
			return o, itam.Invalid(field+".defaultCurrency", "%q is not an ISO 4217 currency code", o.DefaultCurrency)
		}
		o.DefaultCurrency = code
	}
	return o, nil
}

// checkKeyMapped refuses an explicit mapping without the column rows are
// matched by: an asset import by serial needs the serial mapped.
func checkKeyMapped(kind Kind, o Options, m Mapping) error {
	if kind != KindAssets || len(m.Columns) == 0 {
		return nil
	}
	need := map[UpsertKey]string{KeyAssetTag: "assetTag", KeySerialNumber: "serialNumber"}[o.UpsertKey]
	if _, ok := m.Column(need); !ok {
		return itam.Invalid("options.upsertKey", "rows are matched by %s, but no column is mapped to %s", o.UpsertKey, need)
	}
	return nil
}

// CommitInput is commitImport's input.
type CommitInput struct {
	ID uuid.UUID
	// SkipInvalid applies the valid rows when the dry run found errors.
	SkipInvalid bool
	// Version, when set, must be the run's.
	Version *int
}

// CommitImport starts applying a READY run's plan. A run whose dry run
// found errors commits only when the caller skips them explicitly.
func (s *Service) CommitImport(ctx context.Context, in CommitInput) (*Run, error) {
	if _, err := requireImport(ctx); err != nil {
		return nil, err
	}
	r, err := s.Store.Run(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if in.Version != nil && *in.Version != r.Version {
		return nil, itam.Conflict("version", "the import changed (version %d, you sent %d): read it again", r.Version, *in.Version)
	}
	if r.Status != StatusReady {
		return nil, itam.Conflict("id", "the import is %s: only a READY dry run can be committed", r.Status)
	}
	if n := r.Totals.Error; n > 0 && !in.SkipInvalid {
		return nil, itam.Invalid("skipInvalid", "the dry run found %d %s with errors: fix the file and import again, or commit with skipInvalid: true",
			n, plural(n, "row", "rows"))
	}
	return s.Store.StartCommit(ctx, in.ID, in.SkipInvalid, in.Version)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Run returns one run of the caller's organization.
func (s *Service) Run(ctx context.Context, id uuid.UUID) (*Run, error) {
	if _, err := requireRead(ctx); err != nil {
		return nil, err
	}
	return s.Store.Run(ctx, id)
}

// Runs lists the organization's runs, newest first.
func (s *Service) Runs(ctx context.Context, page itam.PageArgs) (itam.Page[*Run], error) {
	if _, err := requireRead(ctx); err != nil {
		return itam.Page[*Run]{}, err
	}
	if err := checkPage(page); err != nil {
		return itam.Page[*Run]{}, err
	}
	return s.Store.Runs(ctx, page)
}

// CountRuns counts the organization's runs, for a connection's totalCount.
func (s *Service) CountRuns(ctx context.Context) (int, error) {
	if _, err := requireRead(ctx); err != nil {
		return 0, err
	}
	return s.Store.CountRuns(ctx)
}

// Rows pages a run's report in line order, optionally by action.
func (s *Service) Rows(ctx context.Context, id uuid.UUID, f RowFilter, page itam.PageArgs) (itam.Page[RowPlan], error) {
	if _, err := requireRead(ctx); err != nil {
		return itam.Page[RowPlan]{}, err
	}
	if err := checkPage(page); err != nil {
		return itam.Page[RowPlan]{}, err
	}
	for i, a := range f.Actions {
		if !slices.Contains([]Action{ActionCreate, ActionUpdate, ActionUnchanged, ActionError}, a) {
			return itam.Page[RowPlan]{}, itam.Invalid(fmt.Sprintf("actions[%d]", i), "%q is not an import action", a)
		}
	}
	return s.Store.Rows(ctx, id, f, page)
}

// CountRows counts a run's rows matching f, for a connection's totalCount.
// Once the dry run is READY its totals hold the counts; before that (or when
// it failed partway) only the rows saved so far exist, so they are counted.
func (s *Service) CountRows(ctx context.Context, run *Run, f RowFilter) (int, error) {
	if _, err := requireRead(ctx); err != nil {
		return 0, err
	}
	if run.Status == StatusPlanning || run.Status == StatusFailed {
		return s.Store.CountRows(ctx, run.ID, f)
	}
	return countFromTotals(run.Totals, f.Actions), nil
}

func countFromTotals(t Totals, actions []Action) int {
	if len(actions) == 0 {
		return t.Rows
	}
	n := 0
	for _, a := range slices.Compact(slices.Sorted(slices.Values(actions))) {
		switch a {
		case ActionCreate:
			n += t.Create
		case ActionUpdate:
			n += t.Update
		case ActionUnchanged:
			n += t.Unchanged
		case ActionError:
			n += t.Error
		}
	}
	return n
}

// References lists what a run's rows name: matched or to be created.
func (s *Service) References(ctx context.Context, id uuid.UUID) ([]Reference, error) {
	if _, err := requireRead(ctx); err != nil {
		return nil, err
	}
	return s.Store.References(ctx, id)
}

func checkPage(p itam.PageArgs) error {
	if p.First != nil && (*p.First < 0 || *p.First > MaxRowsPage) {
		return itam.Invalid("first", "first must be between 0 and %d", MaxRowsPage)
	}
	if p.Last != nil && (*p.Last < 0 || *p.Last > MaxRowsPage) {
		return itam.Invalid("last", "last must be between 0 and %d", MaxRowsPage)
	}
	return nil
}

// message is err's text for a person: an *itam.Error's message alone.
func message(err error) string {
	var e *itam.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}
