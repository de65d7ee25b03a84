package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/itam-dev/itam/internal/exports"
	"github.com/itam-dev/itam/internal/itam"
)

// WithExportLinks sets the signer of export download links (its key and
// their lifetime, ITAM_EXPORT_LINK_TTL). Without it the server signs with
// a random key of its own: links then work only on this process.
func WithExportLinks(s *exports.Signer) ServerOption {
	return func(o *serverOptions) { o.exportLinks = s }
}

// exportSigner is the configured signer, or one with a random key.
func exportSigner(o *serverOptions) *exports.Signer {
	if o.exportLinks != nil {
		return o.exportLinks
	}
	s, _ := exports.NewSigner(exports.RandomKey(), exports.DefaultLinkTTL) // cannot fail: a 32-byte key, the default TTL
	return s
}

// exportWriteWindow is how long the connection may take to take one page
// of an export: the server's write timeout bounds a whole response, which a
// million rows outlast, so each page extends the deadline instead.
const exportWriteWindow = 2 * time.Minute

// handleExportDownload serves GET /exports/download?token=…: the file an
// exportAssets / exportPeople / exportLicenses link names. The request
// needs the bearer token of the user the link was made for, in the same
// organization and role, who may still export it. A link that is not one
// of ours (or was altered) is 401, an expired one 410, someone else's (or
// a role that changed or may no longer export it) 403, each with a plain
// text body; nothing is read or streamed for them. Then the first page is
// read before the status is sent, and the rows stream page by page.
func handleExportDownload(store exports.Store, signer *exports.Signer, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		p, err := itam.RequirePrincipal(ctx)
		if err != nil {
			http.Error(w, "a bearer token is required", http.StatusUnauthorized)
			return
		}
		c, err := signer.Verify(r.URL.Query().Get("token"), p)
		if err != nil {
			http.Error(w, linkRefusal(err), linkStatus(err))
			return
		}
		cols, _ := exports.Select(p, c.Kind, c.Columns) // Verify checked them
		src, err := store.Open(ctx, c.Kind, c.Filter, exports.Names(cols))
		if err != nil {
			writeDomainError(w, r, log, err)
			return
		}
		first, err := src(ctx, "")
		if err != nil {
			writeDomainError(w, r, log, err)
			return
		}
		rc := http.NewResponseController(w)
		extend := func() { _ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow)) }
		extend()
		h := w.Header()
		h.Set("Content-Disposition", `attachment; filename="`+exports.FileName(c.Kind, c.Format, time.Now().UTC().Format(time.DateOnly))+`"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		if c.Format == exports.FormatCSV {
			h.Set("Content-Type", "text/csv; charset=utf-8")
		} else {
			h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		}
		w.WriteHeader(http.StatusOK)
		flush := func() { extend(); _ = rc.Flush() }
		if rows, err := exports.Write(ctx, w, c.Format, cols, first, src, flush); err != nil {
			// Headers are gone: cut the connection so the client sees a
			// failed transfer, not a complete-looking short file.
			log.ErrorContext(ctx, "export failed", "err", err, "kind", c.Kind, "format", c.Format, "rows", rows)
			panic(http.ErrAbortHandler)
		}
	})
}

func linkStatus(err error) int {
	switch {
	case errors.Is(err, exports.ErrLinkInvalid):
		return http.StatusUnauthorized
	case errors.Is(err, exports.ErrLinkExpired):
		return http.StatusGone
	}
	return http.StatusForbidden
}

func linkRefusal(err error) string {
	var de *itam.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}
