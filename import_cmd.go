package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"golang.org/x/term"

	"github.com/itam-dev/itam/internal/config"
	"github.com/itam-dev/itam/internal/importjob"
	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

const importUsage = `Usage: itam import FILE --org SLUG [--kind assets] [--map mapping.json] [--commit] [--skip-invalid]
                   [--sheet S] [--date-order DMY|MDY] [--key ASSET_TAG|SERIAL_NUMBER] [--currency EUR]

Imports a CSV or XLSX file into an organization. The dry run always comes first and writes nothing:
it prints every row it would create, update or leave unchanged as totals, every row with an error
(line, column, message), rows repeating a key, and the records the rows name that would be created or
were matched. --commit then applies exactly that plan; it is refused while rows have errors, unless
--skip-invalid applies the valid rows only. The command works the import itself, so no server needs to
be running. mapping.json maps header text to fields ({"Serial No.": "serialNumber", "Old": ""}: "" ignores
a column); columns it does not name are matched automatically. --kind is assets, people, locations,
models, licenses, license-seats (license name + person email or asset tag) or cost-entries (asset tag,
date, kind, amount, currency; a row equal to an existing entry is unchanged, never booked twice).

Flags:
`

// importOptions are the command's flags.
type importOptions struct {
	file, org, kind, mapFile, sheet, dateOrder, key, currency string
	commit, skipInvalid                                       bool
}

// parseImportFlags reads FILE and the flags in any order.
func parseImportFlags(args []string, stdout, stderr io.Writer) (importOptions, *flag.FlagSet, error) {
	var o importOptions
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.StringVar(&o.org, "org", "", "organization slug (required)")
	fs.StringVar(&o.kind, "kind", "assets", "what the file holds: assets, people, locations, models, licenses, license-seats or cost-entries")
	fs.StringVar(&o.mapFile, "map", "", `JSON file mapping header text to fields, e.g. {"S/N": "serialNumber"}`)
	fs.BoolVar(&o.commit, "commit", false, "apply the plan after the dry run")
	fs.BoolVar(&o.skipInvalid, "skip-invalid", false, "with --commit: apply the valid rows and skip the rows with errors")
	fs.StringVar(&o.sheet, "sheet", "", "XLSX worksheet to read (default: the first)")
	fs.StringVar(&o.dateOrder, "date-order", "", "how to read dates like 01/02/2024: DMY (default) or MDY")
	fs.StringVar(&o.key, "key", "", "column matching rows to existing assets: ASSET_TAG (default) or SERIAL_NUMBER")
	fs.StringVar(&o.currency, "currency", "", "currency of amounts written without one (default: the organization's)")
	fs.SetOutput(io.Discard)
	var files []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, importUsage)
			fs.SetOutput(stdout)
			fs.PrintDefaults()
			return o, fs, errHelpShown
		}
		if err != nil {
			return o, fs, importUsageError(stderr, fs, err)
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(files) != 1:
		return o, fs, importUsageError(stderr, fs, errors.New("import: name one FILE"))
	case o.org == "":
		return o, fs, importUsageError(stderr, fs, errors.New("import: --org is required"))
	case o.skipInvalid && !o.commit:
		return o, fs, importUsageError(stderr, fs, errors.New("import: --skip-invalid goes with --commit"))
	}
	o.file = files[0]
	return o, fs, nil
}

func importUsageError(stderr io.Writer, fs *flag.FlagSet, err error) error {
	fmt.Fprint(stderr, importUsage)
	fs.SetOutput(stderr)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return err
}

// importCmd is `itam import`: it opens the database as the application
// (row-level security applies), acts as the organization's ADMIN, creates
// the run (which queues its dry run) and works the imports queue in this
// process until the run is planned and, with --commit, committed.
func importCmd(ctx context.Context, cfg config.Config, log *slog.Logger, args []string, stdout, stderr io.Writer) error {
	o, _, err := parseImportFlags(args, stdout, stderr)
	if err != nil {
		return err
	}
	kind, err := imports.ParseKind(o.kind)
	if err != nil {
		return errors.New("import: --kind: " + importErrorText(err))
	}
	opts, err := o.options()
	if err != nil {
		return err
	}
	var mapping imports.Mapping
	if o.mapFile != "" {
		if mapping, err = loadMapping(o.mapFile, o.file, kind, opts.Sheet); err != nil {
			return err
		}
	}
	db, _, err := openDatabase(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := db.OrgIDByClaim(ctx, o.org)
	if itam.ErrorCode(err) == itam.CodeNotFound {
		return fmt.Errorf("import: no organization %q", o.org)
	}
	if err != nil {
		return err
	}
	insert, err := river.NewClient(riverpgxv5.New(db.Pool), &river.Config{Logger: log})
	if err != nil {
		return err
	}
	store := postgres.NewImportStore(db, postgres.RiverEnqueuer{Client: insert})
	work, err := importjob.NewClient(db.Pool, &importjob.Runner{Store: store, Orgs: postgres.NewOrganizationStore(db), Log: log})
	if err != nil {
		return err
	}
	if err := work.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = work.Stop(stopCtx)
	}()
	actx := itam.WithPrincipal(ctx, itam.Principal{OrgID: org, Role: itam.RoleAdmin, Subject: "itam import"})
	// The service the API uses: the same checks and the same commit rule.
	return runImport(actx, &imports.Service{Store: store}, o, kind, opts, mapping, stdout)
}

func (o importOptions) options() (imports.Options, error) {
	opts := imports.Options{Sheet: o.sheet, DateOrder: imports.DateOrder(strings.ToUpper(o.dateOrder)),
		UpsertKey: imports.UpsertKey(strings.ToUpper(o.key)), DefaultCurrency: strings.ToUpper(o.currency)}
	if opts.DateOrder != "" && !opts.DateOrder.Valid() {
		return opts, fmt.Errorf("import: --date-order is DMY or MDY, not %q", o.dateOrder)
	}
	if opts.UpsertKey != "" && opts.UpsertKey != imports.KeyAssetTag && opts.UpsertKey != imports.KeySerialNumber {
		return opts, fmt.Errorf("import: --key is ASSET_TAG or SERIAL_NUMBER, not %q", o.key)
	}
	return opts, nil
}

// loadMapping reads mapping.json ({"header text": "field"}) against the
// file's header row: the columns it names take their field ("" leaves the
// column out), the others keep the automatic match. A header the file
// lacks is refused rather than ignored: it is usually a typo.
func loadMapping(path, file string, kind imports.Kind, sheet string) (imports.Mapping, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return imports.Mapping{}, fmt.Errorf("import: --map: %w", err)
	}
	var byHeader map[string]string
	if err := json.Unmarshal(b, &byHeader); err != nil {
		return imports.Mapping{}, fmt.Errorf(`import: --map: %s is not a JSON object of "header": "field" (%v)`, path, err)
	}
	f, err := os.Open(file)
	if err != nil {
		return imports.Mapping{}, fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	rd, err := imports.Open(f, filepath.Base(file), imports.ReadOptions{Sheet: sheet})
	if err != nil {
		return imports.Mapping{}, errors.New("import: " + importErrorText(err))
	}
	headers := rd.Header()
	_ = rd.Close()
	return overrideMapping(kind, headers, byHeader)
}

// overrideMapping applies a header → field override on the automatic match.
func overrideMapping(kind imports.Kind, headers []string, byHeader map[string]string) (imports.Mapping, error) {
	m := imports.AutoMap(kind, headers)
	names := slices.Sorted(func(yield func(string) bool) {
		for h := range byHeader {
			if !yield(h) {
				return
			}
		}
	})
	for _, h := range names {
		col := slices.IndexFunc(headers, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(h)) })
		if col < 0 {
			return m, fmt.Errorf("import: --map names %q, which is not a column of the file (its columns: %s)", h, quotedHeaders(headers))
		}
		field := strings.TrimSpace(byHeader[h])
		for c, f := range m.Columns {
			if f == field && c != col {
				delete(m.Columns, c) // the override takes the field from the automatic match
			}
		}
		delete(m.Columns, col)
		if field != "" {
			m.Columns[col] = field
		}
	}
	m.Unmapped, m.Conflicts = nil, nil
	for c := range headers {
		if _, ok := m.Columns[c]; !ok {
			m.Unmapped = append(m.Unmapped, c)
		}
	}
	if err := m.Validate(kind, len(headers)); err != nil {
		return m, errors.New("import: --map: " + importErrorText(err))
	}
	return m, nil
}

// runImport creates the run, waits for its dry run, prints the report and,
// when asked, commits.
func runImport(ctx context.Context, svc *imports.Service, o importOptions, kind imports.Kind, opts imports.Options,
	mapping imports.Mapping, stdout io.Writer) error {
	f, err := os.Open(o.file)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	run, err := svc.StartImport(ctx, imports.StartInput{FileName: filepath.Base(o.file), File: f, Size: st.Size(), Kind: kind,
		Columns: columnFields(mapping), Options: opts})
	if err != nil {
		return errors.New("import: " + importErrorText(err))
	}
	fmt.Fprintf(stdout, "import run %s: dry run of %s (%s, %s)\n", run.ID, run.FileName, strings.ToLower(string(kind)), importSize(st.Size()))
	bar := newProgress(stdout)
	if run, err = waitWhile(ctx, svc, run.ID, imports.StatusPlanning, bar); err != nil {
		return err
	}
	if run.Status == imports.StatusFailed {
		return fmt.Errorf("import: the dry run failed: %s", runError(run.Error))
	}
	errorRows, err := printReport(ctx, svc, run, stdout)
	if err != nil {
		return err
	}
	if !o.commit {
		fmt.Fprintln(stdout, "dry run only: nothing was written; run again with --commit to apply this plan")
		return nil
	}
	run, err = svc.CommitImport(ctx, imports.CommitInput{ID: run.ID, SkipInvalid: o.skipInvalid, Version: &run.Version})
	var refused *itam.Error
	if errors.As(err, &refused) && refused.Field == "skipInvalid" {
		return fmt.Errorf("import: commit refused: the dry run found %d rows with errors (lines %s): fix the file and import again, or commit with --skip-invalid",
			len(errorRows), lineList(errorRows))
	}
	if err != nil {
		return errors.New("import: " + importErrorText(err))
	}
	fmt.Fprintf(stdout, "committing %d rows\n", run.Totals.Rows-run.Totals.Error)
	if run, err = waitWhile(ctx, svc, run.ID, imports.StatusCommitting, bar); err != nil {
		return err
	}
	switch run.Status {
	case imports.StatusCommitted:
		t := run.Totals
		fmt.Fprintf(stdout, "committed: %d created, %d updated, %d unchanged", t.Create, t.Update, t.Unchanged)
		if o.skipInvalid && len(errorRows) > 0 {
			fmt.Fprintf(stdout, "; skipped %d rows with errors (lines %s)", len(errorRows), lineList(errorRows))
		}
		fmt.Fprintln(stdout)
		return nil
	case imports.StatusStale:
		return fmt.Errorf("import: nothing was committed: %s", runError(run.Error))
	default:
		return fmt.Errorf("import: the commit ended %s: %s", run.Status, runError(run.Error))
	}
}

// columnFields is a mapping as the service takes it (nil: automatic).
func columnFields(m imports.Mapping) []imports.ColumnField {
	cols := make([]imports.ColumnField, 0, len(m.Columns))
	for c, f := range m.Columns {
		cols = append(cols, imports.ColumnField{Column: c, Field: f})
	}
	slices.SortFunc(cols, func(a, b imports.ColumnField) int { return a.Column - b.Column })
	return cols
}

// waitWhile polls the run until it leaves status, showing its progress. An
// interrupted wait leaves the run to whichever worker has it.
func waitWhile(ctx context.Context, svc *imports.Service, id uuid.UUID, status imports.RunStatus, bar *importProgress) (*imports.Run, error) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		run, err := svc.Run(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("import: interrupted; run %s goes on with the next worker (itam serve or itam worker)", id)
			}
			return nil, err
		}
		if run.Status != status {
			bar.done()
			return run, nil
		}
		bar.show(status, run.RowsDone, run.RowsTotal)
		select {
		case <-ctx.Done():
			bar.done()
			return nil, fmt.Errorf("import: interrupted; run %s goes on with the next worker (itam serve or itam worker)", id)
		case <-tick.C:
		}
	}
}

// importProgress shows rows done as a bar redrawn in place on a terminal, and as
// a line per change otherwise (logs, pipes, CI).
type importProgress struct {
	w     io.Writer
	tty   bool
	last  string
	drawn bool
}

func newProgress(w io.Writer) *importProgress {
	f, ok := w.(*os.File)
	return &importProgress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *importProgress) show(status imports.RunStatus, done, total int) {
	phase := "dry run"
	if status == imports.StatusCommitting {
		phase = "commit"
	}
	text := fmt.Sprintf("%s: %d rows", phase, done)
	if total > 0 {
		text = fmt.Sprintf("%s: %d / %d rows", phase, done, total)
	}
	if text == p.last {
		return
	}
	p.last = text
	if !p.tty {
		fmt.Fprintln(p.w, text)
		return
	}
	const width = 30
	bar := strings.Repeat("·", width)
	if total > 0 {
		n := min(width, done*width/total)
		bar = strings.Repeat("█", n) + strings.Repeat("·", width-n)
	}
	fmt.Fprintf(p.w, "\r[%s] %s\033[K", bar, text)
	p.drawn = true
}

func (p *importProgress) done() {
	if p.tty && p.drawn {
		fmt.Fprintln(p.w)
	}
	p.last, p.drawn = "", false
}

// importErrorText is an error's message without its code: what a person reads.
func importErrorText(err error) string {
	var e *itam.Error
	if errors.As(err, &e) {
		if e.Field != "" && e.Field != "file" {
			return e.Field + ": " + e.Message
		}
		return e.Message
	}
	return err.Error()
}

// runError is why a run ended FAILED or STALE.
func runError(s *string) string {
	if s == nil {
		return "(no reason recorded)"
	}
	return *s
}

// importSize is a file's size as people read it.
func importSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// quotedHeaders lists headers as they would be typed in mapping.json.
func quotedHeaders(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}
