package exports

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

func TestAssetAndPeopleColumnsAreTheImportFields(t *testing.T) {
	t.Parallel()
	require.Equal(t, imports.Fields(imports.KindAssets), Names(Columns(KindAssets)))
	require.Equal(t, imports.Fields(imports.KindPeople), Names(Columns(KindPeople)))
	// Each header maps back onto its own field when the file is imported.
	for kind, ik := range map[Kind]imports.Kind{KindAssets: imports.KindAssets, KindPeople: imports.KindPeople} {
		names := Names(Columns(kind))
		m := imports.AutoMap(ik, names)
		for i, n := range names {
			require.Equal(t, n, m.Columns[i], "%s column %q", kind, n)
		}
	}
}

func principal(role itam.Role) itam.Principal {
	return itam.Principal{Subject: "ada@example.com", OrgID: uuid.MustParse("00000000-0000-0000-0000-00000000000a"), Role: role}
}

func TestAuthorize(t *testing.T) {
	t.Parallel()
	for _, kind := range []Kind{KindAssets, KindPeople, KindLicenses} {
		for _, c := range []struct {
			role itam.Role
			code itam.Code
		}{{itam.RoleAdmin, ""}, {itam.RoleManager, ""}, {itam.RoleAuditor, ""}, {itam.RoleEmployee, itam.CodeForbidden}} {
			err := Authorize(principal(c.role), kind)
			if c.code == "" {
				require.NoError(t, err, "%s %s", kind, c.role)
				continue
			}
			require.Equal(t, c.code, itam.ErrorCode(err), "%s %s", kind, c.role)
		}
	}
	require.Equal(t, itam.CodeInvalid, itam.ErrorCode(Authorize(principal(itam.RoleAdmin), "SEATS")))
}

func TestSelect(t *testing.T) {
	t.Parallel()
	auditor, employee := principal(itam.RoleAuditor), principal(itam.RoleEmployee)
	cases := []struct {
		name  string
		p     itam.Principal
		kind  Kind
		names []string
		want  []string
		code  itam.Code
	}{
		{"default is every column", auditor, KindAssets, nil, imports.Fields(imports.KindAssets), ""},
		{"named, in their order", auditor, KindAssets, []string{"serialNumber", "assetTag", "purchasePrice"}, []string{"serialNumber", "assetTag", "purchasePrice"}, ""},
		{"default leaves costs out for who may not read them", employee, KindAssets, nil,
			[]string{"assetTag", "serialNumber", "name", "model", "modelNumber", "manufacturer", "category", "status", "condition", "assignee",
				"location", "ownerTeam", "purchaseDate", "supplier", "warrantyEnd", "notes"}, ""},
		{"a cost column named by who may not read costs", employee, KindAssets, []string{"assetTag", "invoiceNumber"}, nil, itam.CodeForbidden},
		{"license costs too", employee, KindLicenses, []string{"seatCost"}, nil, itam.CodeForbidden},
		{"unknown column", auditor, KindAssets, []string{"assetTag", "colour"}, nil, itam.CodeInvalid},
		{"a column twice", auditor, KindPeople, []string{"email", "email"}, nil, itam.CodeInvalid},
		{"a column of another kind", auditor, KindPeople, []string{"assetTag"}, nil, itam.CodeInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cols, err := Select(c.p, c.kind, c.names)
			if c.code != "" {
				require.Equal(t, c.code, itam.ErrorCode(err))
				require.Equal(t, "columns", err.(*itam.Error).Field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, c.want, Names(cols))
		})
	}
}

func TestAmount(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"1299.0000": "1299.00", "1299.5000": "1299.50", "0.0125": "0.0125", "12.3450": "12.345", "7": "7.00", "0.0000": "0.00"} {
		require.Equal(t, want, Amount(in), in)
	}
}

func TestLinks(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := NewSigner(RandomKey(), 5*time.Minute)
	require.NoError(t, err)
	s = s.WithClock(clock)
	auditor := principal(itam.RoleAuditor)
	claims := Claims{Kind: KindAssets, Filter: []byte(`{"Search":"dell"}`), Columns: []string{"assetTag", "purchasePrice"}, Format: FormatCSV}
	tok, c, err := s.Sign(auditor, claims)
	require.NoError(t, err)
	require.Equal(t, now.Add(5*time.Minute), c.ExpiresAt())

	got, err := s.Verify(tok, auditor)
	require.NoError(t, err)
	require.Equal(t, c, got)

	body, sig, _ := strings.Cut(tok, ".")
	other, _, err := s.Sign(principal(itam.RoleAdmin), claims)
	require.NoError(t, err)
	otherBody, _, _ := strings.Cut(other, ".")
	foreignKey, err := NewSigner(RandomKey(), time.Minute)
	require.NoError(t, err)
	foreign, _, err := foreignKey.Sign(auditor, claims)
	require.NoError(t, err)
	otherOrg := auditor
	otherOrg.OrgID = uuid.New()
	otherUser := auditor
	otherUser.Subject = "grace@example.com"
	employee := principal(itam.RoleEmployee)
	employeeTok, _, err := s.Sign(employee, claims)
	require.NoError(t, err)
	late := s.WithClock(func() time.Time { return now.Add(5 * time.Minute) })

	for _, c := range []struct {
		name   string
		signer *Signer
		token  string
		p      itam.Principal
		want   error
		code   itam.Code
	}{
		{"no token", s, "", auditor, ErrLinkInvalid, ""},
		{"garbage", s, "not-a-link", auditor, ErrLinkInvalid, ""},
		{"another claim under this signature", s, otherBody + "." + sig, auditor, ErrLinkInvalid, ""},
		{"a flipped signature byte", s, body + "." + flip(sig), auditor, ErrLinkInvalid, ""},
		{"another server's key", s, foreign, auditor, ErrLinkInvalid, ""},
		{"expired", late, tok, auditor, ErrLinkExpired, ""},
		{"another user", s, tok, otherUser, ErrLinkNotYours, ""},
		{"another organization", s, tok, otherOrg, ErrLinkNotYours, ""},
		{"the role changed", s, tok, principal(itam.RoleManager), ErrRoleChanged, ""},
		{"a role that may not export", s, employeeTok, employee, nil, itam.CodeForbidden},
	} {
		_, err := c.signer.Verify(c.token, c.p)
		if c.want != nil {
			require.ErrorIs(t, err, c.want, c.name)
		} else {
			require.Equal(t, c.code, itam.ErrorCode(err), c.name)
		}
	}
}

// flip changes the first character of a base64url string to another
// valid one.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

func TestDeriveKey(t *testing.T) {
	t.Parallel()
	secret := bytes.Repeat([]byte{7}, 32)
	k1, err := DeriveKey(secret)
	require.NoError(t, err)
	k2, err := DeriveKey(secret)
	require.NoError(t, err)
	require.Equal(t, k1, k2, "the same secret gives the same key: links survive restarts and work on every process")
	require.NotEqual(t, secret, k1, "the secret itself never signs links")
	_, err = DeriveKey([]byte("short"))
	require.Error(t, err)
}

// pager serves n rows of two columns in pages of size, counting reads.
func pager(n, size int) (Page, Source, *int) {
	reads := 0
	page := func(from int) Page {
		var p Page
		for i := from; i < min(from+size, n); i++ {
			p.Rows = append(p.Rows, []string{fmt.Sprintf("T-%05d", i), "1299.5000"})
		}
		if from+size < n {
			p.After = fmt.Sprint(from + size)
		}
		return p
	}
	src := func(_ context.Context, after string) (Page, error) {
		reads++
		var from int
		_, err := fmt.Sscan(after, &from)
		return page(from), err
	}
	return page(0), src, &reads
}

var testCols = []Column{{Name: "assetTag"}, {Name: "purchasePrice", Cost: true, canon: Amount}}

// flushLog records what had been written at each flush.
type flushLog struct {
	bytes.Buffer
	at []int
}

func (f *flushLog) flush() { f.at = append(f.at, f.Len()) }

func TestWriteCSVStreamsPageByPage(t *testing.T) {
	t.Parallel()
	first, src, reads := pager(12, 5)
	var out flushLog
	n, err := Write(context.Background(), &out, FormatCSV, testCols, first, src, out.flush)
	require.NoError(t, err)
	require.Equal(t, 12, n)
	require.Equal(t, 2, *reads)
	require.Len(t, out.at, 3, "a flush per page")
	require.Less(t, out.at[0], out.at[1], "each page is flushed on its own")
	recs, err := csv.NewReader(strings.NewReader(out.String())).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 13)
	require.Equal(t, []string{"assetTag", "purchasePrice"}, recs[0])
	require.Equal(t, []string{"T-00011", "1299.50"}, recs[12])
}

func TestWriteCSVDefusesFormulas(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	rows := [][]string{{"=1+1"}, {"fine"}, {"+33 1"}, {"-5"}, {"@me"}, {"\tx"}, {"'=own quote"}, {"''-two"}, {"'plain"}, {"O'Brien"}, {"'"}}
	_, err := Write(context.Background(), &out, FormatCSV, []Column{{Name: "notes"}}, Page{Rows: rows}, nil, nil)
	require.NoError(t, err)
	// A value that starts with a quote and a formula character gets a
	// second quote: the import removes exactly one, so it reads back as is.
	require.Equal(t, "notes\n'=1+1\nfine\n'+33 1\n'-5\n'@me\n'\tx\n''=own quote\n'''-two\n'plain\nO'Brien\n'\n", out.String())
}

func TestWriteXLSX(t *testing.T) {
	t.Parallel()
	first, src, _ := pager(12, 5)
	var out flushLog
	n, err := Write(context.Background(), &out, FormatXLSX, testCols, first, src, out.flush)
	require.NoError(t, err)
	require.Equal(t, 12, n)
	require.Len(t, out.at, 3, "a flush per page")
	require.Positive(t, out.at[0], "the first page went out before the last was read")
	require.Less(t, out.at[2], out.Len(), "the zip's directory comes after the last page")
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Export")
	require.NoError(t, err)
	require.Len(t, rows, 13)
	require.Equal(t, []string{"assetTag", "purchasePrice"}, rows[0])
	require.Equal(t, []string{"T-00000", "1299.50"}, rows[1])
	// Text cells, never formulas, so nothing is defused and nothing runs.
	var formula bytes.Buffer
	_, err = Write(context.Background(), &formula, FormatXLSX, []Column{{Name: "notes"}}, Page{Rows: [][]string{{"=1+1"}}}, nil, nil)
	require.NoError(t, err)
	g, err := excelize.OpenReader(bytes.NewReader(formula.Bytes()))
	require.NoError(t, err)
	defer g.Close()
	v, err := g.GetCellValue("Export", "A2")
	require.NoError(t, err)
	require.Equal(t, "=1+1", v)
	fx, err := g.GetCellFormula("Export", "A2")
	require.NoError(t, err)
	require.Empty(t, fx)
}

func TestWriteFailureMidway(t *testing.T) {
	t.Parallel()
	for _, f := range []Format{FormatCSV, FormatXLSX} {
		first := Page{Rows: [][]string{{"T-1", ""}}, After: "x"}
		boom := func(context.Context, string) (Page, error) { return Page{}, fmt.Errorf("database went away") }
		var out bytes.Buffer
		n, err := Write(context.Background(), &out, f, testCols, first, boom, nil)
		require.ErrorContains(t, err, "database went away", f)
		require.Equal(t, 1, n, f)
	}
}

func TestColumnLetters(t *testing.T) {
	t.Parallel()
	l := columnLetters(28)
	require.Equal(t, []string{"A", "B", "Z", "AA", "AB"}, []string{l[0], l[1], l[25], l[26], l[27]})
}

// TestWriteXLSXText: newlines, markup characters and leading spaces
// survive; an empty cell reads back empty.
func TestWriteXLSXText(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	vals := []string{"line 1\nline 2", "<b>&amp;</b> \"q\"", "  padded  ", "", "é€"}
	cols := []Column{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}, {Name: "e"}}
	_, err := Write(context.Background(), &out, FormatXLSX, cols, Page{Rows: [][]string{vals}}, nil, nil)
	require.NoError(t, err)
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Export")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a", "b", "c", "d", "e"}, vals}, rows)
}

func TestParse(t *testing.T) {
	t.Parallel()
	k, err := ParseKind(" Assets")
	require.NoError(t, err)
	require.Equal(t, KindAssets, k)
	_, err = ParseKind("seats")
	require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
	f, err := ParseFormat("xlsx")
	require.NoError(t, err)
	require.Equal(t, FormatXLSX, f)
	_, err = ParseFormat("pdf")
	require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
	require.Equal(t, "itam-assets-20260105.csv", FileName(KindAssets, FormatCSV, "2026-01-05"))
}

// TestWriteXLSXKeepsEscapesAndControlCharacters: a spreadsheet reads
// _xHHHH_ in a cell's text as the character HHHH, and XML cannot hold most
// control characters, so text holding either must be escaped the way
// Excel writes it (ECMA-376 ST_Xstring) to read back exactly as stored.
func TestWriteXLSXKeepsEscapesAndControlCharacters(t *testing.T) {
	t.Parallel()
	vals := []string{
		"_x0041_",                  // read as "A" when written raw
		"a_x000D_b_x005F_c",        // two escapes in one cell
		"bell\x07 and tab\tend",    // BEL is not an XML character
		"nul\x00esc\x1b",           // neither are NUL and ESC
		"_x12_ _xZZZZ_ snake_case", // look-alikes that are no escape
		"\ufffe\uffff",             // non-characters XML forbids
	}
	cols := make([]Column, len(vals))
	for i := range cols {
		cols[i] = Column{Name: fmt.Sprintf("c%d", i)}
	}
	var out bytes.Buffer
	_, err := Write(context.Background(), &out, FormatXLSX, cols, Page{Rows: [][]string{vals}}, nil, nil)
	require.NoError(t, err)
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("Export")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	require.Equal(t, vals, rows[1])
}
