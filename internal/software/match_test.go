package software_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/software"
)

// Products of the hand-written rule lists below, named for readable failures.
var (
	prodA = uuid.MustParse("00000000-0000-0000-0000-00000000000a")
	prodB = uuid.MustParse("00000000-0000-0000-0000-00000000000b")
	prodC = uuid.MustParse("00000000-0000-0000-0000-00000000000c")
	prodD = uuid.MustParse("00000000-0000-0000-0000-00000000000d")
)

func rule(pos int, kind software.MatchKind, pattern string, product uuid.UUID) software.Rule {
	return software.Rule{ID: uuid.New(), Position: pos, Kind: kind, Pattern: pattern, ProductID: product}
}

func compile(t testing.TB, rules ...software.Rule) *software.Matcher {
	t.Helper()
	m, err := software.Compile(rules)
	require.NoError(t, err)
	return m
}

// matched is the product a title maps to, uuid.Nil for none.
func matched(m *software.Matcher, title, identifier string) uuid.UUID {
	got, ok := m.Match(software.Title{Title: title, Identifier: identifier})
	if !ok {
		return uuid.Nil
	}
	return got.ProductID
}

// TestFirstRuleInOrderWinsAcrossKinds: whichever kind a rule is, the one
// with the lowest position decides, although EXACT and IDENTIFIER rules are
// looked up in maps and PREFIX/REGEX rules scanned.
func TestFirstRuleInOrderWinsAcrossKinds(t *testing.T) {
	t.Parallel()
	title, id := "Microsoft Excel", "com.microsoft.Excel"
	kinds := map[uuid.UUID]software.Rule{
		prodA: {Kind: software.MatchPrefix, Pattern: "Micro"},
		prodB: {Kind: software.MatchExact, Pattern: "Microsoft Excel"},
		prodC: {Kind: software.MatchIdentifier, Pattern: "com.microsoft.excel"},
		prodD: {Kind: software.MatchRegex, Pattern: `Excel$`},
	}
	orders := [][]uuid.UUID{
		{prodA, prodB, prodC, prodD},
		{prodB, prodA, prodC, prodD},
		{prodC, prodB, prodA, prodD},
		{prodD, prodC, prodB, prodA},
		{prodC, prodD, prodA, prodB},
		{prodB, prodD, prodC, prodA},
	}
	for _, order := range orders {
		var rules []software.Rule
		// Listed last-first, so the result depends on Position, not on the
		// order of the input slice.
		for i := len(order) - 1; i >= 0; i-- {
			r := kinds[order[i]]
			rules = append(rules, rule(10*(i+1), r.Kind, r.Pattern, order[i]))
		}
		m := compile(t, rules...)
		require.Equal(t, order[0], matched(m, title, id), "order %v", order)
		// Without the identifier, the first title rule decides.
		want := order[0]
		if want == prodC {
			want = order[1]
		}
		require.Equal(t, want, matched(m, title, ""), "order %v without identifier", order)
	}
}

func TestEqualPositionsAreOrderedByID(t *testing.T) {
	t.Parallel()
	low := rule(1, software.MatchPrefix, "Slack", prodA)
	low.ID = uuid.MustParse("10000000-0000-0000-0000-000000000000")
	high := rule(1, software.MatchExact, "Slack", prodB)
	high.ID = uuid.MustParse("20000000-0000-0000-0000-000000000000")
	require.Equal(t, prodA, matched(compile(t, high, low), "Slack", ""))
	low.ID, high.ID = high.ID, low.ID
	require.Equal(t, prodB, matched(compile(t, high, low), "Slack", ""))
}

func TestMatchKinds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name              string
		kind              software.MatchKind
		pattern           string
		title, identifier string
		want              bool
	}{
		{"exact", software.MatchExact, "Microsoft Excel", "Microsoft Excel", "", true},
		{"exact ignores case", software.MatchExact, "Microsoft Excel", "MICROSOFT excel", "", true},
		{"exact is not a prefix", software.MatchExact, "Microsoft Excel", "Microsoft Excel 2016", "", false},
		{"exact ignores a trailing .app", software.MatchExact, "Microsoft Excel", "Microsoft Excel.app", "", true},
		{"exact pattern with .app matches without", software.MatchExact, "Microsoft Excel.app", "Microsoft Excel", "", true},
		{"exact collapses whitespace", software.MatchExact, "Microsoft Excel", "  Microsoft\t \u00a0Excel \n", "", true},
		{"exact pattern whitespace collapsed too", software.MatchExact, "Microsoft   Excel", "Microsoft Excel", "", true},
		{"exact ignores case beyond ASCII", software.MatchExact, "Éditeur Ünicode", "éDITEUR üNICODE", "", true},
		{"exact folds the Kelvin sign like k", software.MatchExact, "Kandji", "\u212Aandji", "", true},
		{"exact does not look at the identifier", software.MatchExact, "com.slack", "Slack", "com.slack", false},
		{"prefix", software.MatchPrefix, "Adobe Acrobat", "Adobe Acrobat Reader DC", "", true},
		{"prefix ignores case", software.MatchPrefix, "adobe acrobat", "ADOBE ACROBAT DC (64-bit)", "", true},
		{"prefix only at the start", software.MatchPrefix, "Acrobat", "Adobe Acrobat", "", false},
		{"prefix may include .app", software.MatchPrefix, "Zoom.app", "zoom.app", "", true},
		{"prefix of the collapsed title", software.MatchPrefix, "Adobe  Acrobat", "Adobe \t Acrobat Pro", "", true},
		{"regex is unanchored", software.MatchRegex, `Acro`, "Adobe Acrobat", "", true},
		{"regex ignores case", software.MatchRegex, `^adobe acrobat (dc|xi)$`, "Adobe Acrobat DC", "", true},
		{"regex anchored", software.MatchRegex, `^Acrobat`, "Adobe Acrobat", "", false},
		{"regex sees the title without .app", software.MatchRegex, `^Microsoft Word$`, "Microsoft Word.app", "", true},
		{"regex sees collapsed whitespace", software.MatchRegex, `^Zoom \(64-bit\)$`, "Zoom  (64-bit)", "", true},
		{"regex alternation ignores case on every branch", software.MatchRegex, `^slack$|^teams$`, "TEAMS", "", true},
		{"regex with a literal lead that differs", software.MatchRegex, `^Adobe Photoshop( 20\d\d)?$`, "Adobe Illustrator 2024", "", false},
		{"regex literal lead ignores case", software.MatchRegex, `^Adobe Photoshop( 20\d\d)?$`, "ADOBE PHOTOSHOP 2024", "", true},
		{"regex literal lead honours case when the pattern asks", software.MatchRegex, `(?-i)^Adobe Photoshop`, "ADOBE PHOTOSHOP 2024", "", false},
		{"identifier", software.MatchIdentifier, "com.tinyspeck.slackmacgap", "Slack", "com.tinyspeck.slackmacgap", true},
		{"identifier ignores case and space", software.MatchIdentifier, "com.microsoft.Powerpoint", "", "  COM.MICROSOFT.POWERPOINT ", true},
		{"identifier is exact", software.MatchIdentifier, "com.microsoft", "Microsoft Word", "com.microsoft.Word", false},
		{"identifier does not look at the title", software.MatchIdentifier, "Slack", "Slack", "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := compile(t, rule(1, tc.kind, tc.pattern, prodA))
			_, ok := m.Match(software.Title{Title: tc.title, Identifier: tc.identifier})
			require.Equal(t, tc.want, ok)
		})
	}
}

// TestRegexMatchingNothingIsSkipped: a REGEX rule that never matches (its
// literal lead rules it out before the expression runs) does not stop the
// rules after it.
func TestRegexMatchingNothingIsSkipped(t *testing.T) {
	t.Parallel()
	m := compile(t,
		rule(1, software.MatchRegex, `^Nothing Installed Is Called This$`, prodA),
		rule(2, software.MatchRegex, `^\d{40}$`, prodB),
		rule(3, software.MatchRegex, `^Slack$`, prodC),
	)
	require.Equal(t, prodC, matched(m, "Slack", ""))
	require.Equal(t, uuid.Nil, matched(m, "Nothing Installed", ""))
	require.Equal(t, prodA, matched(m, "nothing installed is called this", ""))
}

// TestBlankTitleMatchesOnlyIdentifierRules: an entry without a title says
// nothing a title rule could match, even one whose regex accepts "".
func TestBlankTitleMatchesOnlyIdentifierRules(t *testing.T) {
	t.Parallel()
	m := compile(t,
		rule(1, software.MatchRegex, `.*`, prodA),
		rule(2, software.MatchIdentifier, "com.example.app", prodB),
	)
	require.Equal(t, prodB, matched(m, "  ", "com.example.app"))
	require.Equal(t, uuid.Nil, matched(m, "", ""))
	require.Equal(t, prodA, matched(m, ".app", ""), "a title that is only .app is kept, not emptied")
}

func TestNoRulesMatchNothing(t *testing.T) {
	t.Parallel()
	m := compile(t)
	require.Zero(t, m.Len())
	_, ok := m.Match(software.Title{Title: "Slack", Identifier: "com.tinyspeck.slackmacgap"})
	require.False(t, ok)
}

func TestMatchVersion(t *testing.T) {
	t.Parallel()
	withVersion := func(pattern string) software.Rule {
		r := rule(1, software.MatchPrefix, "Microsoft Office", prodA)
		r.VersionPattern = &pattern
		return r
	}
	cases := []struct {
		name          string
		rule          software.Rule
		title, report string
		want          string
	}{
		{"no version pattern keeps the reported version, trimmed", rule(1, software.MatchPrefix, "Microsoft Office", prodA),
			"Microsoft Office Professional Plus 2019", " 16.0.10827.20181 ", "16.0.10827.20181"},
		{"captured from the title", withVersion(`\b(20\d\d)\b`),
			"Microsoft Office Professional Plus 2019", "16.0.10827.20181", "2019"},
		{"captured from the title before .app is kept out", withVersion(`Office (\w+)`),
			"Microsoft Office Test.app", "1.0", "Test"},
		{"title first, even when the version matches too", withVersion(`(\d+)`),
			"Microsoft Office 2016", "16.0", "2016"},
		{"falls back to a capture on the reported version", withVersion(`^(\d+\.\d+)`),
			"Microsoft Office Standard", "16.0.4266.1001", "16.0"},
		{"falls back to the reported version", withVersion(`\b(20\d\d)\b`),
			"Microsoft Office Standard", "16.0.4266.1001", "16.0.4266.1001"},
		{"an empty capture falls through", withVersion(`Office (\d*)`),
			"Microsoft Office Standard", "16.0", "16.0"},
		{"the capture is trimmed", withVersion(`Plus( 20\d\d )`),
			"Microsoft Office Professional Plus 2019 - en-us", "16.0", "2019"},
		{"no version at all", withVersion(`\b(20\d\d)\b`),
			"Microsoft Office Standard", "", ""},
		{"version pattern ignores case", withVersion(`build (\d+)`),
			"Microsoft Office BUILD 42", "", "42"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := compile(t, tc.rule)
			got, ok := m.Match(software.Title{Title: tc.title, Version: tc.report})
			require.True(t, ok)
			require.Equal(t, tc.want, got.Version)
		})
	}
}

func TestMatchCarriesRuleAndEdition(t *testing.T) {
	t.Parallel()
	r := rule(3, software.MatchPrefix, "  Microsoft Office Professional Plus ", prodA)
	r.Edition = ptr(" Professional Plus ")
	m := compile(t, r)
	got, ok := m.Match(software.Title{Title: "Microsoft Office Professional Plus 2019"})
	require.True(t, ok)
	require.Equal(t, prodA, got.ProductID)
	require.Equal(t, "Professional Plus", *got.Edition)
	require.Equal(t, r.ID, got.Rule.ID)
	require.Equal(t, "Microsoft Office Professional Plus", got.Rule.Pattern, "the matcher holds the validated copy")
	require.Equal(t, "  Microsoft Office Professional Plus ", r.Pattern, "the caller's rule is left as it was")
}

func TestCompileRefusesAnInvalidRule(t *testing.T) {
	t.Parallel()
	_, err := software.Compile([]software.Rule{
		rule(1, software.MatchExact, "Slack", prodA),
		rule(7, software.MatchRegex, `^Zoom (`, prodB),
	})
	requireInvalid(t, err, "pattern")
	require.Contains(t, err.Error(), "position 7")
}

func TestMatcherIsSafeForConcurrentUse(t *testing.T) {
	t.Parallel()
	m := compile(t,
		rule(1, software.MatchRegex, `^Zoom(?: Workplace)?$`, prodA),
		rule(2, software.MatchExact, "Slack", prodB),
		rule(3, software.MatchIdentifier, "com.google.Chrome", prodC),
	)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				title := fmt.Sprintf("zoom workplace %d", i%2)
				want := uuid.Nil
				if i%2 == 0 {
					title, want = "Zoom Workplace", prodA
				}
				if got := matched(m, title, ""); got != want {
					errs <- fmt.Errorf("goroutine %d, %q: got %v", g, title, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Microsoft Excel.app":        "Microsoft Excel",
		"  Zoom \t Workplace  ":      "Zoom Workplace",
		"zoom.us.APP":                "zoom.us",
		"Adobe\u00a0Acrobat DC":      "Adobe Acrobat DC",
		".app":                       ".app",
		"Slack":                      "Slack",
		"Foo .app":                   "Foo",
		"Microsoft Office 2019 - en": "Microsoft Office 2019 - en",
	} {
		require.Equal(t, want, software.Normalize(in), in)
	}
}
