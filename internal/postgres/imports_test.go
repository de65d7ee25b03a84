package postgres

import (
	"context"
	"crypto/sha256"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

type importFixture struct {
	*fixture
	store *ImportStore
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	f := newFixture(t)
	// An insert-only River client over the app's pool: the jobs are
	// inserted in the store's transaction, as in production.
	rc, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return &importFixture{fixture: f, store: NewImportStore(f.db, RiverEnqueuer{Client: rc})}
}

func (f *importFixture) jobs(kind string) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.owner.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = $1`, kind).Scan(&n))
	return n
}

// newRun creates an ASSETS run of o with a small file.
func (f *importFixture) newRun(o orgFixture) *imports.Run {
	f.t.Helper()
	r, err := f.store.CreateRun(f.admin(o), &imports.Run{Kind: imports.KindAssets, FileName: "assets.csv",
		Options: imports.Options{DateOrder: imports.DMY, UpsertKey: imports.KeyAssetTag}}, strings.NewReader("Asset Tag,Name\nA-1,One\n"))
	require.NoError(f.t, err)
	return r
}

// importTenantRows gives o a run with a file chunk, a planned row and a
// reference, and a saved mapping (import_runs, import_files, import_rows,
// import_references, import_mappings).
func importTenantRows(f *fixture, o orgFixture) {
	f.t.Helper()
	run := f.id(`INSERT INTO import_runs (org_id, kind, file_name, file_size, created_by) VALUES ($1, 'ASSETS', 'rls.csv', 3, 'rls@test') RETURNING id`, o.id)
	f.exec(`INSERT INTO import_files (org_id, run_id, seq, bytes) VALUES ($1, $2, 1, 'a,b')`, o.id, run)
	f.exec(`INSERT INTO import_rows (org_id, run_id, line, action) VALUES ($1, $2, 2, 'CREATE')`, o.id, run)
	f.exec(`INSERT INTO import_references (org_id, run_id, kind, name_key, payload) VALUES ($1, $2, 'LOCATION', 'rls', '{}')`, o.id, run)
	f.exec(`INSERT INTO import_mappings (org_id, kind, name, created_by) VALUES ($1, 'ASSETS', 'rls', 'rls@test')`, o.id)
}

// patternReader yields n deterministic bytes without holding them.
type patternReader struct{ n, off int64 }

func (r *patternReader) Read(b []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	if int64(len(b)) > r.n-r.off {
		b = b[:r.n-r.off]
	}
	for i := range b {
		x := r.off + int64(i)
		b[i] = byte(x*31 + x>>11)
	}
	r.off += int64(len(b))
	return len(b), nil
}

// TestImportFileRoundTrip: a 50 MB upload is stored in 1 MB chunks and
// streams back byte for byte, a few chunks per round trip.
func TestImportFileRoundTrip(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := f.admin(f.a)
	src := &patternReader{n: imports.MaxFileSize}
	want := sha256.New()
	run, err := f.store.CreateRun(ctx, &imports.Run{Kind: imports.KindAssets, FileName: "big.csv"}, io.TeeReader(src, want))
	require.NoError(t, err)
	require.Equal(t, imports.StatusPlanning, run.Status)
	require.EqualValues(t, imports.MaxFileSize, run.FileSize)
	require.Equal(t, 1, f.jobs("import.plan"), "the dry run is enqueued with the run")

	var chunks, biggest int
	require.NoError(t, f.owner.QueryRow(context.Background(), `SELECT count(*), max(octet_length(bytes)) FROM import_files WHERE run_id = $1`, run.ID).Scan(&chunks, &biggest))
	require.Equal(t, 50, chunks)
	require.LessOrEqual(t, biggest, 1<<20)

	var reads atomic.Int64
	f.db.Queries = func() { reads.Add(1) }
	rc, err := f.store.OpenFile(ctx, run.ID)
	require.NoError(t, err)
	got := sha256.New()
	n, err := io.CopyBuffer(got, rc, make([]byte, 64<<10))
	require.NoError(t, err)
	require.NoError(t, rc.Close())
	require.EqualValues(t, imports.MaxFileSize, n)
	require.Equal(t, want.Sum(nil), got.Sum(nil))
	// 50 chunks, fileChunksPerRead per round trip (plus the run check):
	// the reader never holds more than a few MB.
	require.Equal(t, int64(1+(50+fileChunksPerRead)/fileChunksPerRead), reads.Load())
}

// TestImportOversizeFileRefused: one byte over the limit is BAD_USER_INPUT
// on "file" and leaves no run, no chunk and no job.
func TestImportOversizeFileRefused(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	_, err := f.store.CreateRun(f.admin(f.a), &imports.Run{Kind: imports.KindAssets, FileName: "huge.csv"}, &patternReader{n: imports.MaxFileSize + 1})
	requireCode(t, err, itam.CodeInvalid, "file")
	require.Zero(t, f.count("import_runs", f.a.id))
	require.Zero(t, f.count("import_files", f.a.id))
	require.Zero(t, f.jobs("import.plan"))
}

// TestImportRunRoles: only writers start imports; an auditor reads runs.
func TestImportRunRoles(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	for _, role := range []itam.Role{itam.RoleEmployee, itam.RoleAuditor} {
		_, err := f.store.CreateRun(as(f.a.id, role, "x@test"), &imports.Run{Kind: imports.KindAssets, FileName: "a.csv"}, strings.NewReader("a"))
		requireCode(t, err, itam.CodeForbidden, "")
	}
	run := f.newRun(f.a)
	got, err := f.store.Run(as(f.a.id, itam.RoleAuditor, "auditor@test"), run.ID)
	require.NoError(t, err)
	require.Equal(t, run.ID, got.ID)
	_, err = f.store.Run(as(f.a.id, itam.RoleEmployee, "e@test"), run.ID)
	requireCode(t, err, itam.CodeForbidden, "")
}

// TestImportPlanSaveReadFilterPage: planned rows save in chunks, read back
// in line order, filter by action and page by keyset; FinishPlan makes the
// run READY with its references and totals, after which the plan is fixed.
func TestImportPlanSaveReadFilterPage(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := f.admin(f.a)
	run := f.newRun(f.a)
	m := imports.Mapping{Columns: map[int]string{0: "assetTag", 1: "name"}}
	require.NoError(t, f.store.ResetPlan(ctx, run.ID, []string{"Asset Tag", "Name"}, m))
	target := uuid.New()
	chunk1 := []imports.RowPlan{
		{Line: 2, Action: imports.ActionCreate, Key: "A-1", Values: map[string]string{"assetTag": "A-1", "name": "One"}},
		{Line: 3, Action: imports.ActionError, Key: "A-1", DuplicateOf: 2, Errors: []imports.CellError{{Column: 0, Header: "Asset Tag", Field: "assetTag", Message: "duplicate"}}},
	}
	chunk2 := []imports.RowPlan{
		{Line: 4, Action: imports.ActionUpdate, Key: "A-9", TargetID: &target, TargetVersion: 3, Values: map[string]string{"name": "Nine"},
			Kept: []imports.CellError{{Column: -1, Field: "serialNumber", Message: "JAMF_PRO is trusted more"}}},
		{Line: 5, Action: imports.ActionUnchanged, Key: "A-8", TargetID: &target, TargetVersion: 1},
	}
	require.NoError(t, f.store.SavePlanChunk(ctx, run.ID, chunk1, 2))
	require.NoError(t, f.store.SavePlanChunk(ctx, run.ID, chunk2, 4))
	got, err := f.store.Run(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, 4, got.RowsDone)
	require.Equal(t, []string{"Asset Tag", "Name"}, got.Headers)
	require.Equal(t, m.Columns, got.Mapping.Columns)

	all, err := f.store.Rows(ctx, run.ID, imports.RowFilter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, append(append([]imports.RowPlan{}, chunk1...), chunk2...), all.Items)

	first := 2
	p1, err := f.store.Rows(ctx, run.ID, imports.RowFilter{}, itam.PageArgs{First: &first})
	require.NoError(t, err)
	require.Equal(t, []int{2, 3}, lines(p1.Items))
	require.True(t, p1.HasNextPage)
	p2, err := f.store.Rows(ctx, run.ID, imports.RowFilter{}, itam.PageArgs{First: &first, After: &p1.Cursors[1]})
	require.NoError(t, err)
	require.Equal(t, []int{4, 5}, lines(p2.Items))
	require.False(t, p2.HasNextPage)

	errs, err := f.store.Rows(ctx, run.ID, imports.RowFilter{Actions: []imports.Action{imports.ActionError, imports.ActionUpdate}}, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, []int{3, 4}, lines(errs.Items))
	_, err = f.store.Rows(ctx, run.ID, imports.RowFilter{Actions: []imports.Action{"DELETE"}}, itam.PageArgs{})
	requireCode(t, err, itam.CodeInvalid, "actions")

	refs := []imports.Reference{{Kind: imports.RefLocation, Name: "Lisbon", NameKey: "lisbon", FirstLine: 2, Rows: 1},
		{Kind: imports.RefModel, Name: "X1", NameKey: "x1", Parent: "lenovo", Extra: map[string]string{"category": "Laptops"}, FirstLine: 2, Rows: 1}}
	totals := imports.Totals{Rows: 4, Create: 1, Update: 1, Unchanged: 1, Error: 1, Duplicates: 1, ReferencesCreated: 2}
	require.NoError(t, f.store.FinishPlan(ctx, run.ID, refs, totals))
	got, err = f.store.Run(ctx, run.ID)
	require.NoError(t, err)
	require.Equal(t, imports.StatusReady, got.Status)
	require.Equal(t, totals, got.Totals)
	require.Equal(t, 4, got.RowsTotal)
	require.NotNil(t, got.PlannedAt)
	back, err := f.store.References(ctx, run.ID)
	require.NoError(t, err)
	require.ElementsMatch(t, refs, back)

	requireCode(t, f.store.SavePlanChunk(ctx, run.ID, chunk1, 2), itam.CodeConflict, "status")
	requireCode(t, f.store.ResetPlan(ctx, run.ID, nil, m), itam.CodeConflict, "status")

	// A retried dry run starts over: ResetPlan drops what an earlier attempt saved.
	run2 := f.newRun(f.a)
	require.NoError(t, f.store.SavePlanChunk(ctx, run2.ID, chunk1, 2))
	require.NoError(t, f.store.ResetPlan(ctx, run2.ID, []string{"Asset Tag"}, m))
	empty, err := f.store.Rows(ctx, run2.ID, imports.RowFilter{}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, empty.Items)

	require.NoError(t, f.store.FailRun(ctx, run2.ID, imports.StatusFailed, "the file is not a spreadsheet"))
	got, err = f.store.Run(ctx, run2.ID)
	require.NoError(t, err)
	require.Equal(t, imports.StatusFailed, got.Status)
	require.Equal(t, "the file is not a spreadsheet", *got.Error)
	requireCode(t, f.store.FailRun(ctx, run2.ID, imports.StatusCommitted, "x"), itam.CodeInvalid, "status")

	runs, err := f.store.Runs(ctx, itam.PageArgs{})
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{run2.ID, run.ID}, ids(runs.Items, func(r *imports.Run) uuid.UUID { return r.ID }))
}

func lines(rows []imports.RowPlan) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		out[i] = r.Line
	}
	return out
}

// TestImportCrossOrg: another organization's runs and mappings are
// NOT_FOUND through every method, and its lists are empty.
func TestImportCrossOrg(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	run := f.newRun(f.a)
	m, err := f.store.SaveMapping(f.admin(f.a), &imports.SavedMapping{Kind: imports.KindAssets, Name: "Snipe-IT", Headers: map[string]string{"asset tag": "assetTag"}})
	require.NoError(t, err)
	b := f.admin(f.b)
	_, err = f.store.Run(b, run.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.OpenFile(b, run.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.Rows(b, run.ID, imports.RowFilter{}, itam.PageArgs{})
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.References(b, run.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	requireCode(t, f.store.ResetPlan(b, run.ID, nil, imports.Mapping{}), itam.CodeNotFound, "")
	requireCode(t, f.store.SavePlanChunk(b, run.ID, nil, 0), itam.CodeNotFound, "")
	requireCode(t, f.store.FinishPlan(b, run.ID, nil, imports.Totals{}), itam.CodeNotFound, "")
	requireCode(t, f.store.FailRun(b, run.ID, imports.StatusFailed, "x"), itam.CodeNotFound, "")
	_, err = f.store.StartCommit(b, run.ID, false, nil)
	requireCode(t, err, itam.CodeNotFound, "")
	_, err = f.store.CommitChunk(b, run.ID, 0)
	requireCode(t, err, itam.CodeNotFound, "")
	runs, err := f.store.Runs(b, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, runs.Items)
	_, err = f.store.Mapping(b, m.ID)
	requireCode(t, err, itam.CodeNotFound, "")
	requireCode(t, f.store.DeleteMapping(b, m.ID), itam.CodeNotFound, "")
	ms, err := f.store.Mappings(b, "")
	require.NoError(t, err)
	require.Empty(t, ms)
	// The same name in B is B's own mapping.
	mb, err := f.store.SaveMapping(b, &imports.SavedMapping{Kind: imports.KindAssets, Name: "snipe-it"})
	require.NoError(t, err)
	require.NotEqual(t, m.ID, mb.ID)
}

// TestImportMappings: saving by kind and name (any case) replaces, a stale
// version is a CONFLICT, unknown fields are refused, delete removes.
func TestImportMappings(t *testing.T) {
	t.Parallel()
	f := newImportFixture(t)
	ctx := f.admin(f.a)
	m1, err := f.store.SaveMapping(ctx, &imports.SavedMapping{Kind: imports.KindAssets, Name: "Snipe-IT",
		Headers: map[string]string{"asset tag": "assetTag", "serial": "serialNumber"}, Options: imports.Options{DateOrder: imports.MDY}})
	require.NoError(t, err)
	require.Equal(t, 1, m1.Version)
	require.Equal(t, "admin@test", m1.CreatedBy)
	m2, err := f.store.SaveMapping(ctx, &imports.SavedMapping{Kind: imports.KindAssets, Name: "snipe-it ", Version: 1,
		Headers: map[string]string{"tag": "assetTag"}})
	require.NoError(t, err)
	require.Equal(t, m1.ID, m2.ID)
	require.Equal(t, 2, m2.Version)
	require.Equal(t, map[string]string{"tag": "assetTag"}, m2.Headers)
	_, err = f.store.SaveMapping(ctx, &imports.SavedMapping{Kind: imports.KindAssets, Name: "SNIPE-IT", Version: 1})
	requireCode(t, err, itam.CodeConflict, "version")
	_, err = f.store.SaveMapping(ctx, &imports.SavedMapping{Kind: imports.KindPeople, Name: "HR", Headers: map[string]string{"tag": "assetTag"}})
	requireCode(t, err, itam.CodeInvalid, "headers")
	_, err = f.store.SaveMapping(ctx, &imports.SavedMapping{Kind: imports.KindAssets, Name: " "})
	requireCode(t, err, itam.CodeInvalid, "name")
	_, err = f.store.SaveMapping(as(f.a.id, itam.RoleAuditor, "a@test"), &imports.SavedMapping{Kind: imports.KindAssets, Name: "x"})
	requireCode(t, err, itam.CodeForbidden, "")
	people, err := f.store.SaveMapping(ctx, &imports.SavedMapping{Kind: imports.KindPeople, Name: "Snipe-IT", Headers: map[string]string{"mail": "email"}})
	require.NoError(t, err)

	got, err := f.store.Mapping(ctx, m1.ID)
	require.NoError(t, err)
	require.Equal(t, m2, got)
	list, err := f.store.Mappings(ctx, imports.KindAssets)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{m1.ID}, ids(list, func(m *imports.SavedMapping) uuid.UUID { return m.ID }))
	list, err = f.store.Mappings(ctx, "")
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NoError(t, f.store.DeleteMapping(ctx, people.ID))
	requireCode(t, f.store.DeleteMapping(ctx, people.ID), itam.CodeNotFound, "")
}

// countRows counts rows of an import table for a run, as the owner.
func (f *importFixture) countRows(table string, run uuid.UUID) int {
	f.t.Helper()
	var n int
	require.NoError(f.t, f.owner.QueryRow(context.Background(), "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()+" WHERE run_id = $1", run).Scan(&n))
	return n
}
