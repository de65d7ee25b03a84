package software

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLeadingLiterals(t *testing.T) {
	t.Parallel()
	for p, want := range map[string][]string{
		`^Adobe Photoshop(?: CC)?(?: 20\d\d)?$`:          {"adobe photoshop"},
		`^Microsoft Power ?BI Desktop\b`:                 {"microsoft power bi desktop", "microsoft powerbi desktop"},
		`^Zoom(?: Workplace)?$`:                          {"zoom"},
		`^(?:JetBrains )?Rider(?: 20\d\d\.\d+)?$`:        {"jetbrains rider", "rider"},
		`^(?:Microsoft )?Visual Studio Community 20\d\d`: {"microsoft visual studio community 20", "visual studio community 20"},
		`^(Slack|Zoom) `:                                 {"slack ", "zoom "},
		`^(?:TechSmith )*Snagit`:                         {"techsmith ", "snagit"},
		`^\bSlack`:                                       {"slack"},
		`(?-i)^Slack`:                                    {"slack"}, // folded anyway: it only filters
		`Acrobat$`:                                       nil,       // not anchored
		`^[Ss]lack`:                                      nil,       // a class, not a literal
		`^(?:Slack)?`:                                    nil,       // may match the empty string
		`^(?:Slack|.)`:                                   nil,       // one way starts with anything
		`^.*Slack`:                                       nil,
		`(?m)^Slack`:                                     nil, // line anchor: may match after a newline
		`^Éditeur`:                                       nil, // non-ASCII folding is left to the regexp
		`^Zoom|^Slack`:                                   nil, // alternation of anchors is not recognised
		`^(a|b|c|d|e|f|g|h|i)x`:                          nil, // too many ways to start
	} {
		require.Equal(t, want, leadingLiterals(p), p)
	}
}

// TestStarterRegexesHaveLeadingLiterals keeps the starter set fast: each of
// its REGEX rules is skipped by prefix tests for titles it cannot match.
func TestStarterRegexesHaveLeadingLiterals(t *testing.T) {
	t.Parallel()
	_, _, rules := Starter()
	for _, r := range rules {
		if r.Kind == MatchRegex {
			require.NotEmpty(t, leadingLiterals(r.Pattern), r.Pattern)
		}
	}
}

func TestCollapse(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":                    "",
		"Slack":               "Slack",
		" Slack":              "Slack",
		"Slack ":              "Slack",
		"Zoom  Workplace":     "Zoom Workplace",
		"Zoom\tWorkplace":     "Zoom Workplace",
		"Zoom\u00a0Workplace": "Zoom Workplace",
		"Zoom\u3000Workplace": "Zoom Workplace",
		"  \t ":               "",
		"Éditeur":             "Éditeur",
	} {
		require.Equal(t, want, collapse(in), "%q", in)
	}
}

func TestCollapseDoesNotAllocateForCleanTitles(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _ = collapse("Microsoft Office Professional Plus 2019") })
	require.Zero(t, allocs)
}

func TestFoldKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"slack":         "slack",
		"Slack":         "slack",
		"COM.Microsoft": "com.microsoft",
		"\u212Aelvin":   "kelvin", // Kelvin sign
		"Cla\u017Fs":    "class",  // long s
		"ÉDITEUR":       "éditeur",
	} {
		require.Equal(t, want, foldKey(in), "%q", in)
	}
}

// FuzzPrefilterNeverHidesAMatch: the prefix test before a REGEX runs only
// ever skips titles the expression would not match.
func FuzzPrefilterNeverHidesAMatch(f *testing.F) {
	for _, seed := range [][2]string{
		{`^(?:JetBrains )?Rider(?: 20\d\d\.\d+)?$`, "JetBrains Rider 2024.1"},
		{`^Adobe Photoshop(?: CC)?$`, "ADOBE PHOTOSHOP CC"},
		{`^\bSlack`, "slack"},
		{`^ſlack`, "SLACK"},
		{`^Kandji`, "\u212Aandji"},
		{`^(?:TechSmith )*Snagit`, "TechSmith TechSmith Snagit"},
		{`^Zoom(?: ?\((?:64|32)-?bit\))?$`, "Zoom(64bit)"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, title string) {
		r := Rule{Kind: MatchRegex, Pattern: pattern, ProductID: [16]byte{1}}
		if r.Validate() != nil {
			return
		}
		m, err := Compile([]Rule{r})
		if err != nil {
			t.Fatal(err)
		}
		c := &m.rules[0]
		name := Normalize(title)
		if name != "" && !c.mayMatch(foldKey(name)) && c.re.MatchString(name) {
			t.Fatalf("prefilter %q skips %q, which %q matches", c.leads, name, pattern)
		}
	})
}
