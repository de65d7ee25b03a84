// Package exports renders compliance exports (CSV) from pages a store
// reads, shared by the REST routes and their GraphQL twins.
package exports

import (
	"context"
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/relay"
)

// DisposalHeader names the disposal certificate export's columns.
var DisposalHeader = []string{"asset_tag", "serial_number", "model", "disposal_date", "disposal_method", "disposal_certificate",
	"sanitization_method", "sanitization_performed_at", "sanitization_verified_by", "sanitization_tool",
	"sanitization_certificate_reference", "asset_id"}

// DisposalPager reads the page of disposals after a cursor (nil: the first).
type DisposalPager func(ctx context.Context, after *string) (itam.Page[*itam.DisposalRecord], error)

// DisposalBatch is how many disposals an export reads at a time.
const DisposalBatch = 500

// WriteDisposals writes the header and every disposal first and the pages
// after it give, flushing after each page (flush may be nil). maxRows > 0
// refuses a longer export with BAD_USER_INPUT on "to" before the rows past
// it are written; the caller that buffers discards what was written.
func WriteDisposals(ctx context.Context, w io.Writer, first itam.Page[*itam.DisposalRecord], next DisposalPager, maxRows int, flush func()) (int, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(DisposalHeader); err != nil {
		return 0, err
	}
	rows, page := 0, first
	for {
		if maxRows > 0 && rows+len(page.Items) > maxRows {
			return rows, itam.Invalid("to", "more than %d disposals in the period: narrow it or use GET /exports/disposals.csv", maxRows)
		}
		for _, d := range page.Items {
			if err := cw.Write(DisposalRecord(d)); err != nil {
				return rows, err
			}
		}
		rows += len(page.Items)
		cw.Flush()
		if err := cw.Error(); err != nil {
			return rows, err
		}
		if flush != nil {
			flush()
		}
		if !page.HasNextPage || len(page.Cursors) == 0 {
			return rows, nil
		}
		var err error
		if page, err = next(ctx, &page.Cursors[len(page.Cursors)-1]); err != nil {
			return rows, err
		}
	}
}

// DisposalRecord is one CSV row.
func DisposalRecord(d *itam.DisposalRecord) []string {
	rec := []string{d.AssetTag, str(d.SerialNumber), d.ModelName, d.Date.Format(time.DateOnly), string(d.Method), str(d.Certificate),
		"", "", "", "", "", relay.ID(relay.TypeAsset, d.AssetID)}
	if s := d.Sanitization; s != nil {
		rec[6], rec[7], rec[8], rec[9], rec[10] = string(s.Method), s.PerformedAt.UTC().Format(time.RFC3339), s.VerifiedBy, str(s.Tool), str(s.CertificateReference)
	}
	for i, v := range rec {
		rec[i] = defuseFormula(v)
	}
	return rec
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// defuseFormula keeps a spreadsheet from running a cell as a formula: tags,
// names and references are typed by people, and a value starting with
// = + - @ (or a tab or carriage return) is prefixed with a quote. The
// import removes exactly one quote from a cell of quotes then one of those
// characters (imports.undoFormulaGuard), so a value that already starts
// with quotes then one of them gets one more quote: it is read back as it
// was, not stripped of its own quote.
func defuseFormula(s string) string {
	if rest := strings.TrimLeft(s, "'"); rest != "" && strings.ContainsRune(formulaStarts, rune(rest[0])) {
		return "'" + s
	}
	return s
}

// formulaStarts are the first characters that make a spreadsheet read a
// cell as a formula.
const formulaStarts = "=+-@\t\r"
