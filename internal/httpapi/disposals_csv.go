package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/postgres"
)

// handleDisposalsCSV serves GET /exports/disposals.csv?from=YYYY-MM-DD&to=YYYY-MM-DD:
// the disposal certificate export of a period (inclusive, at most
// itam.MaxExportDays) as CSV, newest disposal first. The first page is
// read before anything is written, so a bad period (400), a role without
// access (403) answers with the API's JSON error; then the rows stream
// page by page.
func handleDisposalsCSV(store *postgres.SanitizationStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := exportPeriod(r)
		if err != nil {
			writeFieldError(w, r, log, err)
			return
		}
		batch := exports.DisposalBatch
		next := func(ctx context.Context, after *string) (itam.Page[*itam.DisposalRecord], error) {
			return store.Disposals(ctx, f, itam.PageArgs{First: &batch, After: after})
		}
		first, err := next(r.Context(), nil)
		if err != nil {
			writeDomainError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="disposals-`+f.From.Format(time.DateOnly)+`-`+f.To.Format(time.DateOnly)+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		flusher, _ := w.(http.Flusher)
		flush := func() {
			if flusher != nil {
				flusher.Flush()
			}
		}
		if rows, err := exports.WriteDisposals(r.Context(), w, first, next, 0, flush); err != nil {
			// Headers are gone: cut the connection so the client sees a
			// failed transfer, not a complete-looking short file.
			log.ErrorContext(r.Context(), "disposal export failed", "err", err, "rows_written", rows)
			panic(http.ErrAbortHandler)
		}
	})
}

// writeFieldError is writeDomainError for a bad parameter: the JSON error
// also names it (extensions.field), as GraphQL errors do.
func writeFieldError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var de *itam.Error
	if !errors.As(err, &de) || de.Code != itam.CodeInvalid || de.Field == "" {
		writeDomainError(w, r, log, err)
		return
	}
	writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{map[string]any{
		"message": de.Message, "extensions": map[string]any{"code": string(de.Code), "field": de.Field}}}})
}

// exportPeriod reads and checks the from and to query parameters.
func exportPeriod(r *http.Request) (itam.DisposalFilter, error) {
	q := r.URL.Query()
	from, err := exportDate("from", q.Get("from"))
	if err != nil {
		return itam.DisposalFilter{}, err
	}
	to, err := exportDate("to", q.Get("to"))
	if err != nil {
		return itam.DisposalFilter{}, err
	}
	return itam.DisposalFilter{From: &from, To: &to}, itam.CheckExportPeriod(from, to)
}

// exportDate reads a YYYY-MM-DD query parameter.
func exportDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, itam.Invalid(field, "%s is required (YYYY-MM-DD)", field)
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, itam.Invalid(field, "%s must be a date, YYYY-MM-DD", field)
	}
	return d, nil
}
