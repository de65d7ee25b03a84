// Reading spreadsheet files: this file opens a file of unknown format and
// encoding; csvread.go and xlsxread.go read the two formats as streams, so a
// 50 MB file is never held whole in memory. (The package comment is in
// mapping.go.)

package imports

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/itam-dev/itam/internal/itam"
)

// Row is one data row of the file. Line is the row number a spreadsheet user
// sees when opening the file (the header is usually 1); a quoted CSV cell
// spanning several text lines is still one row, as in Excel. Cells may be
// shorter or longer than the header: the mapper decides what that means.
type Row struct {
	Line  int
	Cells []string
}

// Reader streams the rows of a file after its header. Next advances to the
// next non-blank row and returns false at the end or on an error, which Err
// then reports (nil at a clean end). Close releases temporary files an XLSX
// may have been unpacked into.
type Reader interface {
	Header() []string
	Next() bool
	Row() Row
	Err() error
	Close() error
}

// ReadOptions tunes how a file is read.
type ReadOptions struct {
	// Sheet names the XLSX worksheet to read; empty means the first one.
	// Ignored for CSV.
	Sheet string
}

// sniffSize is how much of the file format, encoding and delimiter detection
// look at: enough for many rows, small enough to cost nothing.
const sniffSize = 64 << 10

var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts legacy .xls (and other OLE2) files, which we do not read.
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Open detects the format of r (XLSX by its zip signature or by name, CSV
// otherwise) and returns a Reader positioned after the header. Every error
// about the file's content is a BAD_USER_INPUT *itam.Error on field "file"
// (or "sheet" for a missing worksheet), so the caller can show it as is.
func Open(r io.Reader, name string, opt ReadOptions) (Reader, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	head, err := br.Peek(sniffSize)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, err // an I/O failure of the upload, not the user's content
	}
	lower := strings.ToLower(name)
	switch {
	case len(head) == 0:
		return nil, fileError("the file is empty")
	case bytes.HasPrefix(head, zipMagic):
		return openXLSX(br, opt)
	case strings.HasSuffix(lower, ".xlsx") || strings.HasSuffix(lower, ".xlsm"):
		return nil, fileError("the file is named %s but is not an XLSX workbook", name)
	case bytes.HasPrefix(head, oleMagic):
		return nil, fileError("legacy .xls workbooks are not supported: save the sheet as .xlsx or CSV")
	}
	dec, err := decodeText(br, head)
	if err != nil {
		return nil, err
	}
	return openCSV(dec)
}

// decodeText picks the encoding Excel (or another tool) wrote the text in and
// returns the text as UTF-8 with any byte-order mark removed.
func decodeText(br *bufio.Reader, head []byte) (*bufio.Reader, error) {
	var t transform.Transformer
	switch {
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		// Excel's "Unicode text": UTF-16 with a BOM (ExpectBOM honours either order).
		t = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		if _, err := br.Discard(3); err != nil {
			return nil, err
		}
		head = head[3:]
		t = utf8Fallback{}
	default:
		if looksBinary(head) {
			return nil, fileError("the file is neither CSV nor XLSX (it holds binary data)")
		}
		if validUTF8Prefix(head) {
			t = utf8Fallback{}
		} else {
			// Not UTF-8: what Excel writes as "CSV" on Western Windows.
			t = charmap.Windows1252.NewDecoder()
		}
	}
	return bufio.NewReaderSize(transform.NewReader(br, t), sniffSize), nil
}

// looksBinary refuses files no spreadsheet tool writes as text: any NUL byte,
// or more than 1% of control characters other than tab, CR, LF, FF and VT.
func looksBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	ctrl := 0
	for _, b := range head {
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != '\v' {
			ctrl++
		}
	}
	return ctrl*100 > len(head)
}

// validUTF8Prefix reports whether head is UTF-8, forgiving a rune cut in two
// at the end of the sniffed window.
func validUTF8Prefix(head []byte) bool {
	if utf8.Valid(head) {
		return true
	}
	for cut := 1; cut < utf8.UTFMax && cut < len(head); cut++ {
		if utf8.Valid(head[:len(head)-cut]) {
			return !utf8.FullRune(head[len(head)-cut:])
		}
	}
	return false
}

// utf8Fallback passes UTF-8 through and reads any byte that is not part of a
// valid UTF-8 sequence as Windows-1252. A file whose first 64 KB are ASCII
// and whose later rows carry "é" as a single 0xE9 byte is thus read right,
// instead of failing or producing U+FFFD deep into a long import.
type utf8Fallback struct{}

func (utf8Fallback) Reset() {}

func (utf8Fallback) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		b := src[nSrc]
		if b < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = b
			nDst++
			nSrc++
			continue
		}
		if !atEOF && !utf8.FullRune(src[nSrc:]) {
			return nDst, nSrc, transform.ErrShortSrc
		}
		r, size := utf8.DecodeRune(src[nSrc:])
		if r == utf8.RuneError && size <= 1 {
			r = charmap.Windows1252.DecodeByte(b)
			size = 1
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc += size
	}
	return nDst, nSrc, nil
}

func fileError(format string, args ...any) *itam.Error {
	return itam.Invalid("file", format, args...)
}
