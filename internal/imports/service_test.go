package imports

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

// fakeStore is a RunStore in memory: the service's rules are tested
// without a database (internal/postgres tests the real store).
type fakeStore struct {
	runs     map[uuid.UUID]*Run
	mappings map[uuid.UUID]*SavedMapping
	// what the service handed over
	created   *Run
	file      string
	committed *bool
	saved     *SavedMapping
	deleted   uuid.UUID
}

var _ RunStore = (*fakeStore)(nil)

func newFakeStore() *fakeStore {
	return &fakeStore{runs: map[uuid.UUID]*Run{}, mappings: map[uuid.UUID]*SavedMapping{}}
}

func (f *fakeStore) CreateRun(_ context.Context, r *Run, file io.Reader) (*Run, error) {
	b, err := io.ReadAll(file)
	if err != nil {
		return nil, err
	}
	r.ID, f.created, f.file = uuid.New(), r, string(b)
	f.runs[r.ID] = r
	return r, nil
}

func (f *fakeStore) Run(_ context.Context, id uuid.UUID) (*Run, error) {
	if r, ok := f.runs[id]; ok {
		return r, nil
	}
	return nil, itam.NotFound("import run")
}

func (f *fakeStore) Runs(context.Context, itam.PageArgs) (itam.Page[*Run], error) {
	return itam.Page[*Run]{}, nil
}

func (f *fakeStore) CountRuns(context.Context) (int, error) { return len(f.runs), nil }

func (f *fakeStore) CountRows(_ context.Context, id uuid.UUID, _ RowFilter) (int, error) {
	return f.runs[id].RowsDone, nil
}

func (f *fakeStore) OpenFile(context.Context, uuid.UUID) (io.ReadCloser, error) { return nil, nil }
func (f *fakeStore) LoadSnapshot(context.Context, Kind, Lookup) (*Snapshot, error) {
	return &Snapshot{}, nil
}
func (f *fakeStore) ResetPlan(context.Context, uuid.UUID, []string, Mapping) error    { return nil }
func (f *fakeStore) SavePlanChunk(context.Context, uuid.UUID, []RowPlan, int) error   { return nil }
func (f *fakeStore) FinishPlan(context.Context, uuid.UUID, []Reference, Totals) error { return nil }
func (f *fakeStore) FailRun(context.Context, uuid.UUID, RunStatus, string) error      { return nil }

func (f *fakeStore) StartCommit(_ context.Context, id uuid.UUID, skip bool, _ *int) (*Run, error) {
	r := f.runs[id]
	f.committed = &skip
	r.Status, r.SkipInvalid = StatusCommitting, skip
	return r, nil
}

func (f *fakeStore) CommitChunk(context.Context, uuid.UUID, int) (bool, error) { return true, nil }
func (f *fakeStore) Rows(context.Context, uuid.UUID, RowFilter, itam.PageArgs) (itam.Page[RowPlan], error) {
	return itam.Page[RowPlan]{}, nil
}
func (f *fakeStore) References(context.Context, uuid.UUID) ([]Reference, error) { return nil, nil }

func (f *fakeStore) SaveMapping(_ context.Context, m *SavedMapping) (*SavedMapping, error) {
	m.ID, f.saved = uuid.New(), m
	f.mappings[m.ID] = m
	return m, nil
}

func (f *fakeStore) Mapping(_ context.Context, id uuid.UUID) (*SavedMapping, error) {
	if m, ok := f.mappings[id]; ok {
		return m, nil
	}
	return nil, itam.NotFound("import mapping")
}

func (f *fakeStore) Mappings(context.Context, Kind) ([]*SavedMapping, error) { return nil, nil }
func (f *fakeStore) DeleteMapping(_ context.Context, id uuid.UUID) error {
	f.deleted = id
	return nil
}

func as(role itam.Role) context.Context {
	return itam.WithPrincipal(context.Background(), itam.Principal{Subject: "someone@acme.test", OrgID: uuid.New(), Role: role})
}

const csvFile = "Asset Tag,Serial\nA-1,S1\n"

func startInput() StartInput {
	return StartInput{FileName: "assets.csv", File: strings.NewReader(csvFile), Kind: KindAssets}
}

// Every operation under every role: ADMIN and MANAGER import and manage
// mappings; AUDITOR reads runs, reports and mappings; EMPLOYEE nothing.
func TestServiceRoles(t *testing.T) {
	t.Parallel()
	type op struct {
		name  string
		write bool // an import or a mapping change (ADMIN, MANAGER)
		call  func(s *Service, st *fakeStore, ctx context.Context) error
	}
	ready := func(st *fakeStore) uuid.UUID {
		r := &Run{ID: uuid.New(), Kind: KindAssets, Status: StatusReady, Version: 1}
		st.runs[r.ID] = r
		return r.ID
	}
	ops := []op{
		{"startImport", true, func(s *Service, _ *fakeStore, ctx context.Context) error {
			_, err := s.StartImport(ctx, startInput())
			return err
		}},
		{"commitImport", true, func(s *Service, st *fakeStore, ctx context.Context) error {
			_, err := s.CommitImport(ctx, CommitInput{ID: ready(st)})
			return err
		}},
		{"saveImportMapping", true, func(s *Service, _ *fakeStore, ctx context.Context) error {
			_, err := s.SaveMapping(ctx, SaveMappingInput{Kind: KindAssets, Name: "Snipe", Columns: []HeaderField{{"Tag", "assetTag"}}})
			return err
		}},
		{"deleteImportMapping", true, func(s *Service, _ *fakeStore, ctx context.Context) error {
			return s.DeleteMapping(ctx, uuid.New())
		}},
		{"importRun", false, func(s *Service, st *fakeStore, ctx context.Context) error {
			_, err := s.Run(ctx, ready(st))
			return err
		}},
		{"importRuns", false, func(s *Service, _ *fakeStore, ctx context.Context) error {
			_, err := s.Runs(ctx, itam.PageArgs{})
			return err
		}},
		{"rows", false, func(s *Service, st *fakeStore, ctx context.Context) error {
			_, err := s.Rows(ctx, ready(st), RowFilter{}, itam.PageArgs{})
			return err
		}},
		{"references", false, func(s *Service, st *fakeStore, ctx context.Context) error {
			_, err := s.References(ctx, ready(st))
			return err
		}},
		{"importMappings", false, func(s *Service, _ *fakeStore, ctx context.Context) error {
			_, err := s.Mappings(ctx, "")
			return err
		}},
		{"importMapping", false, func(s *Service, st *fakeStore, ctx context.Context) error {
			m := &SavedMapping{ID: uuid.New(), Kind: KindAssets, Name: "x"}
			st.mappings[m.ID] = m
			_, err := s.Mapping(ctx, m.ID)
			return err
		}},
	}
	for _, role := range itam.Roles {
		for _, o := range ops {
			t.Run(string(role)+"/"+o.name, func(t *testing.T) {
				t.Parallel()
				st := newFakeStore()
				err := o.call(&Service{Store: st}, st, as(role))
				allowed := role == itam.RoleAdmin || role == itam.RoleManager || (!o.write && role == itam.RoleAuditor)
				if allowed {
					require.NoError(t, err)
					return
				}
				require.Equal(t, itam.CodeForbidden, itam.ErrorCode(err), "%v", err)
				require.Nil(t, st.created, "a refused start saves nothing")
				require.Nil(t, st.committed)
				require.Nil(t, st.saved)
			})
		}
	}
	_, err := (&Service{Store: newFakeStore()}).Run(context.Background(), uuid.New())
	require.Equal(t, itam.CodeUnauthenticated, itam.ErrorCode(err))
}

// A good start saves a PLANNING run with the defaults filled in and the
// file as uploaded.
func TestStartImportSavesRun(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	in := startInput()
	in.Columns = []ColumnField{{Column: 1, Field: "serialNumber"}, {Column: 0, Field: "assetTag"}}
	in.Options = Options{DefaultCurrency: "eur"}
	r, err := (&Service{Store: st}).StartImport(as(itam.RoleManager), in)
	require.NoError(t, err)
	require.Equal(t, StatusPlanning, r.Status)
	require.Equal(t, Options{DateOrder: DMY, UpsertKey: KeyAssetTag, DefaultCurrency: "EUR"}, r.Options)
	require.Equal(t, map[int]string{0: "assetTag", 1: "serialNumber"}, r.Mapping.Columns)
	require.Equal(t, "someone@acme.test", r.CreatedBy)
	require.Equal(t, csvFile, st.file)

	// Without a mapping the dry run maps the headers itself; people have no upsert key.
	in = startInput()
	in.Kind = KindPeople
	r, err = (&Service{Store: st}).StartImport(as(itam.RoleAdmin), in)
	require.NoError(t, err)
	require.Empty(t, r.Mapping.Columns)
	require.Equal(t, Options{DateOrder: DMY}, r.Options)
}

// Bad input is BAD_USER_INPUT naming the field, and nothing is saved.
func TestStartImportRefusesBadInput(t *testing.T) {
	t.Parallel()
	mid := uuid.New()
	cases := []struct {
		name  string
		edit  func(*StartInput)
		field string
	}{
		{"no file", func(in *StartInput) { in.File = nil }, "file"},
		{"no file name", func(in *StartInput) { in.FileName = "  " }, "file"},
		{"file name too long", func(in *StartInput) { in.FileName = strings.Repeat("x", 256) + ".csv" }, "file"},
		{"too large", func(in *StartInput) { in.Size = MaxFileSize + 1 }, "file"},
		{"unknown kind", func(in *StartInput) { in.Kind = "CARS" }, "kind"},
		{"both mappings", func(in *StartInput) {
			in.Columns, in.MappingID = []ColumnField{{0, "assetTag"}}, &mid
		}, "mappingId"},
		{"unknown saved mapping", func(in *StartInput) { in.MappingID = &mid }, "mappingId"},
		{"negative column", func(in *StartInput) { in.Columns = []ColumnField{{-1, "assetTag"}} }, "mapping[0].column"},
		{"column past Excel's last", func(in *StartInput) { in.Columns = []ColumnField{{16384, "assetTag"}} }, "mapping[0].column"},
		{"column twice", func(in *StartInput) {
			in.Columns = []ColumnField{{0, "assetTag"}, {0, "serialNumber"}}
		}, "mapping[1].column"},
		{"unknown field", func(in *StartInput) {
			in.Columns = []ColumnField{{0, "assetTag"}, {3, "colour"}}
		}, "mapping.columns[3]"},
		{"field twice", func(in *StartInput) {
			in.Columns = []ColumnField{{0, "assetTag"}, {1, "assetTag"}}
		}, "mapping.columns[1]"},
		{"no key field", func(in *StartInput) { in.Columns = []ColumnField{{0, "name"}} }, "mapping"},
		{"field of another kind", func(in *StartInput) {
			in.Kind, in.Columns = KindPeople, []ColumnField{{0, "name"}, {1, "assetTag"}}
		}, "mapping.columns[1]"},
		{"date order", func(in *StartInput) { in.Options.DateOrder = "YMD" }, "options.dateOrder"},
		{"upsert key", func(in *StartInput) { in.Options.UpsertKey = "NAME" }, "options.upsertKey"},
		{"upsert key of people", func(in *StartInput) {
			in.Kind, in.Options.UpsertKey = KindPeople, KeyAssetTag
		}, "options.upsertKey"},
		{"serial key not mapped", func(in *StartInput) {
			in.Columns, in.Options.UpsertKey = []ColumnField{{0, "assetTag"}}, KeySerialNumber
		}, "options.upsertKey"},
		{"currency", func(in *StartInput) { in.Options.DefaultCurrency = "EURO" }, "options.defaultCurrency"},
		{"sheet name", func(in *StartInput) { in.Options.Sheet = strings.Repeat("s", 32) }, "options.sheet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := newFakeStore()
			in := startInput()
			c.edit(&in)
			_, err := (&Service{Store: st}).StartImport(as(itam.RoleAdmin), in)
			var e *itam.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, c.field, e.Field, e.Message)
			if c.name != "unknown saved mapping" {
				require.Equal(t, itam.CodeInvalid, e.Code, e.Message)
			}
			require.Nil(t, st.created)
		})
	}
}

// A saved mapping of another kind does not apply.
func TestStartImportSavedMappingOfAnotherKind(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	m, _ := st.SaveMapping(context.Background(), &SavedMapping{Kind: KindPeople, Name: "HR", Headers: map[string]string{"fullname": "name"}})
	in := startInput()
	in.MappingID = &m.ID
	_, err := (&Service{Store: st}).StartImport(as(itam.RoleAdmin), in)
	require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
	require.ErrorContains(t, err, `the mapping "HR" is for PEOPLE files, not ASSETS`)
	require.Nil(t, st.created)
}

func TestCommitImport(t *testing.T) {
	t.Parallel()
	two := 2
	cases := []struct {
		name    string
		run     Run
		in      CommitInput
		code    itam.Code
		field   string
		message string
	}{
		{name: "ready without errors", run: Run{Status: StatusReady, Version: 1}},
		{name: "errors skipped", run: Run{Status: StatusReady, Totals: Totals{Rows: 3, Error: 2}}, in: CommitInput{SkipInvalid: true}},
		{name: "errors not skipped", run: Run{Status: StatusReady, Totals: Totals{Rows: 3, Error: 2}}, code: itam.CodeInvalid, field: "skipInvalid",
			message: "the dry run found 2 rows with errors: fix the file and import again, or commit with skipInvalid: true"},
		{name: "one error", run: Run{Status: StatusReady, Totals: Totals{Rows: 3, Error: 1}}, code: itam.CodeInvalid, field: "skipInvalid",
			message: "the dry run found 1 row with errors: fix the file and import again, or commit with skipInvalid: true"},
		{name: "still planning", run: Run{Status: StatusPlanning}, code: itam.CodeConflict, field: "id",
			message: "the import is PLANNING: only a READY dry run can be committed"},
		{name: "committed already", run: Run{Status: StatusCommitted}, code: itam.CodeConflict, field: "id"},
		{name: "stale", run: Run{Status: StatusStale}, code: itam.CodeConflict, field: "id"},
		{name: "version moved", run: Run{Status: StatusReady, Version: 3}, in: CommitInput{Version: &two}, code: itam.CodeConflict, field: "version"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st := newFakeStore()
			run := c.run
			run.ID = uuid.New()
			st.runs[run.ID] = &run
			in := c.in
			in.ID = run.ID
			got, err := (&Service{Store: st}).CommitImport(as(itam.RoleManager), in)
			if c.code == "" {
				require.NoError(t, err)
				require.Equal(t, StatusCommitting, got.Status)
				require.Equal(t, c.in.SkipInvalid, *st.committed)
				return
			}
			var e *itam.Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, c.code, e.Code)
			require.Equal(t, c.field, e.Field)
			if c.message != "" {
				require.Equal(t, c.message, e.Message)
			}
			require.Nil(t, st.committed, "a refused commit starts nothing")
		})
	}
	_, err := (&Service{Store: newFakeStore()}).CommitImport(as(itam.RoleAdmin), CommitInput{ID: uuid.New()})
	require.Equal(t, itam.CodeNotFound, itam.ErrorCode(err))
}

func TestReadsRefuseBadPagesAndActions(t *testing.T) {
	t.Parallel()
	s := &Service{Store: newFakeStore()}
	ctx := as(itam.RoleAuditor)
	big, neg := MaxRowsPage+1, -1
	_, err := s.Runs(ctx, itam.PageArgs{First: &big})
	require.Equal(t, "first", err.(*itam.Error).Field)
	_, err = s.Rows(ctx, uuid.New(), RowFilter{}, itam.PageArgs{Last: &neg})
	require.Equal(t, "last", err.(*itam.Error).Field)
	_, err = s.Rows(ctx, uuid.New(), RowFilter{Actions: []Action{ActionError, "DELETE"}}, itam.PageArgs{})
	require.Equal(t, "actions[1]", err.(*itam.Error).Field)
	_, err = s.Mappings(ctx, "CARS")
	require.Equal(t, "kind", err.(*itam.Error).Field)
}

func TestSaveMapping(t *testing.T) {
	t.Parallel()
	st := newFakeStore()
	s := &Service{Store: st}
	v := 2
	m, err := s.SaveMapping(as(itam.RoleAdmin), SaveMappingInput{Kind: KindAssets, Name: "  Snipe-IT  ",
		Columns: []HeaderField{{"Serial No.", "serialNumber"}, {"Inventory #", "assetTag"}, {"Notes", ""}}, Options: Options{DateOrder: MDY}, Version: &v})
	require.NoError(t, err)
	require.Equal(t, "Snipe-IT", m.Name)
	require.Equal(t, map[string]string{normalizeHeader("serial_no"): "serialNumber", normalizeHeader("inventory number"): "assetTag",
		normalizeHeader("notes"): ""}, m.Headers, "an empty field leaves the column out")
	require.Equal(t, Options{DateOrder: MDY, UpsertKey: KeyAssetTag}, m.Options)
	require.Equal(t, 2, m.Version)

	cases := []struct {
		name  string
		in    SaveMappingInput
		field string
	}{
		{"kind", SaveMappingInput{Kind: "CARS", Name: "x", Columns: []HeaderField{{"Tag", "assetTag"}}}, "kind"},
		{"no name", SaveMappingInput{Kind: KindAssets, Name: " ", Columns: []HeaderField{{"Tag", "assetTag"}}}, "name"},
		{"no columns", SaveMappingInput{Kind: KindAssets, Name: "x"}, "columns"},
		{"blank header", SaveMappingInput{Kind: KindAssets, Name: "x", Columns: []HeaderField{{" - ", "assetTag"}}}, "columns[0].header"},
		{"header twice", SaveMappingInput{Kind: KindAssets, Name: "x", Columns: []HeaderField{{"S/N", "serialNumber"}, {"s n", "assetTag"}}}, "columns[1].header"},
		{"unknown field", SaveMappingInput{Kind: KindModels, Name: "x", Columns: []HeaderField{{"Tag", "assetTag"}}}, "columns[0].field"},
		{"field twice", SaveMappingInput{Kind: KindAssets, Name: "x", Columns: []HeaderField{{"Tag", "assetTag"}, {"Asset", "assetTag"}}}, "columns[1].field"},
		{"options", SaveMappingInput{Kind: KindAssets, Name: "x", Columns: []HeaderField{{"Tag", "assetTag"}}, Options: Options{DateOrder: "x"}}, "options.dateOrder"},
	}
	for _, c := range cases {
		st.saved = nil
		_, err := s.SaveMapping(as(itam.RoleManager), c.in)
		var e *itam.Error
		require.ErrorAs(t, err, &e, c.name)
		require.Equal(t, itam.CodeInvalid, e.Code, c.name)
		require.Equal(t, c.field, e.Field, c.name)
		require.Nil(t, st.saved, c.name)
	}
}

// A run's rows are counted from its totals once the dry run is READY; while
// it plans (or when it failed partway) the totals are still zero, so the
// rows saved so far are counted.
func TestServiceCountRows(t *testing.T) {
	totals := Totals{Rows: 10, Create: 4, Update: 3, Unchanged: 1, Error: 2}
	for _, tc := range []struct {
		name    string
		status  RunStatus
		totals  Totals
		actions []Action
		want    int
	}{
		{"ready: every row", StatusReady, totals, nil, 10},
		{"ready: by action, each once", StatusReady, totals, []Action{ActionError, ActionCreate, ActionError}, 6},
		{"committed", StatusCommitted, totals, []Action{ActionUpdate}, 3},
		{"planning: the rows saved so far", StatusPlanning, Totals{}, nil, 7},
		{"failed partway", StatusFailed, Totals{}, nil, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := newFakeStore()
			run := &Run{ID: uuid.New(), Status: tc.status, Totals: tc.totals, RowsDone: 7}
			store.runs[run.ID] = run
			s := &Service{Store: store}
			n, err := s.CountRows(as(itam.RoleAuditor), run, RowFilter{Actions: tc.actions})
			require.NoError(t, err)
			require.Equal(t, tc.want, n)
		})
	}
	_, err := (&Service{Store: newFakeStore()}).CountRows(as(itam.RoleEmployee), &Run{Status: StatusReady}, RowFilter{})
	require.Equal(t, itam.CodeForbidden, itam.ErrorCode(err))
}
