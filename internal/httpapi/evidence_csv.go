package httpapi

import (
	"encoding/csv"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/relay"
)

// evidenceCSVHeader names the CSV export's columns.
var evidenceCSVHeader = []string{"row", "asset_id", "asset_tag", "serial_number", "asset_status", "person_id", "person_name",
	"person_email", "person_status", "installations", "seat_id", "license_id", "license_name", "license_model", "covered", "note"}

// handleEvidenceCSV serves GET /exports/license-evidence/{productId}.csv:
// a product's audit evidence (licenseEvidence) as CSV. The first page is
// read before anything is written, so a bad id (400), another
// organization's product (404) or a role without access (403) answers with
// the API's JSON error; then the rows stream page by page (keyset, at most
// licenses.EvidenceBatch in memory), flushed as they go.
func handleEvidenceCSV(store *postgres.LicenseComplianceStore, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file := r.PathValue("file")
		global, ok := strings.CutSuffix(file, ".csv")
		if !ok {
			writeCodeError(w, http.StatusNotFound, itam.CodeNotFound, "the export is at /exports/license-evidence/{productId}.csv")
			return
		}
		product, err := relay.DecodeAs("productId", global, relay.TypeSoftwareProduct)
		if err != nil {
			writeDomainError(w, r, log, err)
			return
		}
		ctx := r.Context()
		batch := licenses.EvidenceBatch
		page, err := store.LicenseEvidence(ctx, product, itam.PageArgs{First: &batch})
		if err != nil {
			writeDomainError(w, r, log, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="license-evidence-`+global+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		cw := csv.NewWriter(w)
		flusher, _ := w.(http.Flusher)
		_ = cw.Write(evidenceCSVHeader)
		rows := 0
		for {
			for _, e := range page.Items {
				_ = cw.Write(evidenceRecord(e))
			}
			rows += len(page.Items)
			cw.Flush()
			if err := cw.Error(); err != nil {
				return // the client went away
			}
			if flusher != nil {
				flusher.Flush()
			}
			if !page.HasNextPage || len(page.Cursors) == 0 {
				return
			}
			after := page.Cursors[len(page.Cursors)-1]
			if page, err = store.LicenseEvidence(ctx, product, itam.PageArgs{First: &batch, After: &after}); err != nil {
				// Headers are gone: cut the connection so the client sees a
				// failed transfer, not a complete-looking short file.
				log.ErrorContext(ctx, "license evidence export failed", "err", err, "rows_written", rows)
				panic(http.ErrAbortHandler)
			}
		}
	})
}

// evidenceRecord is one CSV row.
func evidenceRecord(e *licenses.Evidence) []string {
	kind := "device"
	if e.AssetID == nil {
		kind = "person"
	}
	var installs []string
	for _, x := range e.Installations {
		s := x.Title
		if x.Version != nil && *x.Version != "" {
			s += " " + *x.Version
		}
		installs = append(installs, s+" ("+x.Source+")")
	}
	rec := []string{kind, globalID(relay.TypeAsset, e.AssetID), str(e.AssetTag), str(e.SerialNumber), str(e.AssetStatus),
		globalID(relay.TypePerson, e.PersonID), str(e.PersonName), str(e.PersonEmail), str(e.PersonStatus), strings.Join(installs, "; "),
		globalID(relay.TypeLicenseSeat, e.SeatID), globalID(relay.TypeLicense, e.LicenseID), str(e.LicenseName), str((*string)(e.LicenseModel)),
		strconv.FormatBool(e.Covered), e.Note}
	for i, v := range rec {
		rec[i] = defuseFormula(v)
	}
	return rec
}

func globalID(typ string, id *uuid.UUID) string {
	if id == nil {
		return ""
	}
	return relay.ID(typ, *id)
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// defuseFormula keeps a spreadsheet from running a cell as a formula:
// titles and names come from MDM vendors and people, and a value starting
// with = + - @ (or a tab or carriage return) is prefixed with a quote.
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// writeDomainError answers a plain-HTTP route's error with the status its
// code means and the API's JSON error shape; unexpected errors are logged
// and answered as INTERNAL without detail.
func writeDomainError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := itam.ErrorCode(err)
	status := map[itam.Code]int{itam.CodeInvalid: http.StatusBadRequest, itam.CodeUnauthenticated: http.StatusUnauthorized,
		itam.CodeForbidden: http.StatusForbidden, itam.CodeNotFound: http.StatusNotFound, itam.CodeTimeout: http.StatusServiceUnavailable}[code]
	var de *itam.Error
	if status == 0 || !errors.As(err, &de) {
		log.ErrorContext(r.Context(), "internal error", "err", err)
		writeCodeError(w, http.StatusInternalServerError, itam.CodeInternal, "internal error")
		return
	}
	writeCodeError(w, status, code, de.Message)
}
