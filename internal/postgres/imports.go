package postgres

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
)

// ImportStore keeps spreadsheet import runs: the uploaded file in chunks,
// the dry run's plan, the references rows name, the commit's cursor, and
// the organization's saved column mappings. Reading runs takes a role that
// reads everything (not EMPLOYEE); starting or committing one takes a
// writer (ADMIN, MANAGER).
type ImportStore struct {
	db  *DB
	enq ImportEnqueuer
}

var _ imports.RunStore = (*ImportStore)(nil)

// NewImportStore returns an ImportStore over db whose runs' jobs enq inserts.
func NewImportStore(db *DB, enq ImportEnqueuer) *ImportStore { return &ImportStore{db: db, enq: enq} }

// fileChunkSize bounds one stored piece of a file (import_files checks it):
// a 50 MB upload is fifty rows, never one value in memory or on the wire.
const fileChunkSize = 1 << 20

// fileChunksPerRead is how many chunks OpenFile fetches per round trip.
const fileChunksPerRead = 4

const importRunColumns = `r.id, r.org_id, r.kind, r.status, r.file_name, r.file_size, r.options, r.mapping, r.headers,
	r.rows_total, r.rows_done, r.totals, r.skip_invalid, r.commit_cursor, r.error, r.created_by, r.created_at,
	r.planned_at, r.committed_at, r.version`

func scanImportRun(row pgx.CollectableRow) (*imports.Run, error) {
	var r imports.Run
	err := row.Scan(&r.ID, &r.OrgID, &r.Kind, &r.Status, &r.FileName, &r.FileSize, &r.Options, &r.Mapping, &r.Headers,
		&r.RowsTotal, &r.RowsDone, &r.Totals, &r.SkipInvalid, &r.CommitCursor, &r.Error, &r.CreatedBy, &r.CreatedAt,
		&r.PlannedAt, &r.CommittedAt, &r.Version)
	return &r, err
}

// CreateRun saves a new PLANNING run with its file, read in chunks as it
// streams in, and enqueues its dry run in the same transaction. A file
// over imports.MaxFileSize is BAD_USER_INPUT on "file" and leaves nothing.
func (s *ImportStore) CreateRun(ctx context.Context, in *imports.Run, file io.Reader) (*imports.Run, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	if !in.Kind.Valid() {
		return nil, itam.Invalid("kind", "%q is not an import kind", in.Kind)
	}
	if strings.TrimSpace(in.FileName) == "" {
		return nil, itam.Invalid("file", "the file has no name")
	}
	var out *imports.Run
	err = s.db.ForJobs().inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		// The size is known only once the stream ends: the run row goes
		// first (the chunks refer to it) and a too-large file rolls it all back.
		var id uuid.UUID
		if err := tx.QueryRow(ctx, `INSERT INTO import_runs (org_id, kind, file_name, file_size, options, mapping, created_by)
			VALUES ($1, $2, $3, 0, $4, $5, $6) RETURNING id`,
			p.OrgID, string(in.Kind), in.FileName, in.Options, in.Mapping, p.Subject).Scan(&id); err != nil {
			return err
		}
		size, err := saveFileChunks(ctx, tx, p.OrgID, id, file)
		if err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `UPDATE import_runs r SET file_size = $2 WHERE r.id = $1 RETURNING `+importRunColumns, id, size)
		if out, err = pgx.CollectExactlyOneRow(rows, scanImportRun); err != nil {
			return err
		}
		return s.enq.EnqueueImportPlanTx(ctx, tx, jobs.ImportPlanArgs{OrgID: p.OrgID, RunID: id})
	})
	return out, err
}

// saveFileChunks copies file into import_files, one chunk per statement,
// refusing it as soon as it passes imports.MaxFileSize.
func saveFileChunks(ctx context.Context, tx pgx.Tx, org, run uuid.UUID, file io.Reader) (int64, error) {
	buf := make([]byte, fileChunkSize)
	var size int64
	for seq := 1; ; seq++ {
		n, err := io.ReadFull(file, buf)
		if n > 0 {
			size += int64(n)
			if size > imports.MaxFileSize {
				return 0, itam.Invalid("file", "the file is larger than %d MB", imports.MaxFileSize>>20)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO import_files (org_id, run_id, seq, bytes) VALUES ($1, $2, $3, $4)`, org, run, seq, buf[:n]); err != nil {
				return 0, err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return size, nil
		}
		if err != nil {
			return 0, itam.Invalid("file", "the upload could not be read: %v", err)
		}
	}
}

// Run returns one run (NOT_FOUND in another organization).
func (s *ImportStore) Run(ctx context.Context, id uuid.UUID) (*imports.Run, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "import run", "SELECT "+importRunColumns+" FROM import_runs r WHERE r.id = $1", []any{id}, scanImportRun)
}

// Runs lists the organization's runs, newest first.
func (s *ImportStore) Runs(ctx context.Context, page itam.PageArgs) (itam.Page[*imports.Run], error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return itam.Page[*imports.Run]{}, err
	}
	return list(ctx, s.db, p.OrgID, listSpec[*imports.Run]{
		columns: importRunColumns, from: "import_runs r", idExpr: "r.id", args: &sqlArgs{}, dir: itam.Desc, scan: scanImportRun,
		sort: sortKey[*imports.Run]{"r.created_at", "timestamptz", func(r *imports.Run) string { return r.CreatedAt.Format(time.RFC3339Nano) }},
		id:   func(r *imports.Run) string { return r.ID.String() },
	}, page)
}

// OpenFile streams the run's file, fileChunksPerRead chunks per round
// trip, so reading a 50 MB file holds a few MB at a time.
func (s *ImportStore) OpenFile(ctx context.Context, id uuid.UUID) (io.ReadCloser, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := s.Run(ctx, id); err != nil {
		return nil, err
	}
	return &fileReader{ctx: ctx, db: s.db.ForJobs(), org: p.OrgID, run: id}, nil
}

// fileReader reads import_files in seq order.
type fileReader struct {
	ctx     context.Context
	db      *DB
	org     uuid.UUID
	run     uuid.UUID
	seq     int // last chunk fetched
	pending [][]byte
	done    bool
}

func (r *fileReader) Read(b []byte) (int, error) {
	for len(r.pending) == 0 {
		if r.done {
			return 0, io.EOF
		}
		if err := r.fetch(); err != nil {
			return 0, err
		}
	}
	n := copy(b, r.pending[0])
	if r.pending[0] = r.pending[0][n:]; len(r.pending[0]) == 0 {
		r.pending = r.pending[1:]
	}
	return n, nil
}

func (r *fileReader) fetch() error {
	type chunk struct {
		seq   int
		bytes []byte
	}
	got, err := query(r.ctx, r.db, r.org, `SELECT seq, bytes FROM import_files WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
		[]any{r.run, r.seq, fileChunksPerRead}, func(row pgx.CollectableRow) (chunk, error) {
			var c chunk
			return c, row.Scan(&c.seq, &c.bytes)
		})
	if err != nil {
		return err
	}
	r.done = len(got) < fileChunksPerRead
	for _, c := range got {
		r.seq = c.seq
		r.pending = append(r.pending, c.bytes)
	}
	return nil
}

func (r *fileReader) Close() error { r.pending, r.done = nil, true; return nil }

const importMappingColumns = `m.id, m.org_id, m.kind, m.name, m.headers, m.options, m.created_by, m.updated_at, m.version`

func scanImportMapping(row pgx.CollectableRow) (*imports.SavedMapping, error) {
	var m imports.SavedMapping
	err := row.Scan(&m.ID, &m.OrgID, &m.Kind, &m.Name, &m.Headers, &m.Options, &m.CreatedBy, &m.UpdatedAt, &m.Version)
	return &m, err
}

// SaveMapping creates a saved mapping or replaces the one of the same kind
// and name (regardless of case). m.Version, when set, must be the stored
// one's (CONFLICT otherwise).
func (s *ImportStore) SaveMapping(ctx context.Context, m *imports.SavedMapping) (*imports.SavedMapping, error) {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return nil, err
	}
	if !m.Kind.Valid() {
		return nil, itam.Invalid("kind", "%q is not an import kind", m.Kind)
	}
	name := strings.TrimSpace(m.Name)
	if name == "" {
		return nil, itam.Invalid("name", "a mapping needs a name")
	}
	fields := imports.Fields(m.Kind)
	for h, f := range m.Headers {
		if !slices.Contains(fields, f) {
			return nil, itam.Invalid("headers", "%q (for %q) is not a field of %s", f, h, strings.ToLower(string(m.Kind)))
		}
	}
	headers := m.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	var out *imports.SavedMapping
	err = s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `INSERT INTO import_mappings AS m (org_id, kind, name, headers, options, created_by)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (org_id, kind, lower(name)) DO UPDATE SET name = excluded.name, headers = excluded.headers,
				options = excluded.options, updated_at = now(), version = m.version + 1
			WHERE $7 = 0 OR m.version = $7
			RETURNING `+importMappingColumns, p.OrgID, string(m.Kind), name, headers, m.Options, p.Subject, m.Version)
		out, err = pgx.CollectExactlyOneRow(rows, scanImportMapping)
		if errors.Is(err, pgx.ErrNoRows) {
			return itam.Conflict("version", "mapping %q was changed by someone else; reload and retry", name)
		}
		return err
	})
	return out, err
}

// Mapping returns one saved mapping.
func (s *ImportStore) Mapping(ctx context.Context, id uuid.UUID) (*imports.SavedMapping, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return queryOne(ctx, s.db, p.OrgID, "import mapping", "SELECT "+importMappingColumns+" FROM import_mappings m WHERE m.id = $1", []any{id}, scanImportMapping)
}

// Mappings lists the organization's saved mappings of a kind ("": all), by name.
func (s *ImportStore) Mappings(ctx context.Context, kind imports.Kind) ([]*imports.SavedMapping, error) {
	p, err := itam.RequireReadAll(ctx)
	if err != nil {
		return nil, err
	}
	return query(ctx, s.db, p.OrgID, "SELECT "+importMappingColumns+` FROM import_mappings m
		WHERE $1 = '' OR m.kind = $1 ORDER BY lower(m.name), m.id`, []any{string(kind)}, scanImportMapping)
}

// DeleteMapping removes one saved mapping.
func (s *ImportStore) DeleteMapping(ctx context.Context, id uuid.UUID) error {
	p, err := itam.RequireWrite(ctx)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, p.OrgID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM import_mappings WHERE id = $1`, id)
		if err == nil && tag.RowsAffected() == 0 {
			return itam.NotFound("import mapping")
		}
		return err
	})
}
