package software_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

func ptr[T any](v T) *T { return &v }

func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	var e *itam.Error
	require.True(t, errors.As(err, &e), "want *itam.Error, got %v", err)
	require.Equal(t, itam.CodeInvalid, e.Code, e.Message)
	require.Equal(t, field, e.Field, e.Message)
}

// validRule is a rule every case starts from and changes one thing of.
func validRule() software.Rule {
	return software.Rule{ID: uuid.New(), Position: 1, Kind: software.MatchExact, Pattern: "Slack", ProductID: uuid.New()}
}

func TestValidateRefusesBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		edit  func(r *software.Rule)
		field string
	}{
		{"unknown kind", func(r *software.Rule) { r.Kind = "FUZZY" }, "kind"},
		{"empty kind", func(r *software.Rule) { r.Kind = "" }, "kind"},
		{"lower-case kind", func(r *software.Rule) { r.Kind = "exact" }, "kind"},
		{"empty pattern", func(r *software.Rule) { r.Pattern = "" }, "pattern"},
		{"blank pattern", func(r *software.Rule) { r.Pattern = " \t " }, "pattern"},
		{"pattern of 513 characters", func(r *software.Rule) { r.Pattern = strings.Repeat("a", 513) }, "pattern"},
		{"REGEX pattern of 513 characters", func(r *software.Rule) {
			r.Kind, r.Pattern = software.MatchRegex, "^"+strings.Repeat("a", 512)
		}, "pattern"},
		{"NUL in pattern", func(r *software.Rule) { r.Pattern = "Sl\x00ack" }, "pattern"},
		{"invalid UTF-8 in pattern", func(r *software.Rule) { r.Pattern = "Sl\xffack" }, "pattern"},
		{"invalid regex", func(r *software.Rule) { r.Kind, r.Pattern = software.MatchRegex, "^Adobe (Acrobat" }, "pattern"},
		// Would compile if the pattern were wrapped in a group as "(?i:" + p + ")".
		{"regex closing a group it did not open", func(r *software.Rule) { r.Kind, r.Pattern = software.MatchRegex, "a)(b" }, "pattern"},
		{"Perl-only regex syntax", func(r *software.Rule) { r.Kind, r.Pattern = software.MatchRegex, `^Zoom(?!\s*Rooms)` }, "pattern"},
		{"version pattern without a group", func(r *software.Rule) { r.VersionPattern = ptr(`20\d\d`) }, "versionPattern"},
		{"version pattern with two groups", func(r *software.Rule) { r.VersionPattern = ptr(`(\d+)\.(\d+)`) }, "versionPattern"},
		{"version pattern that does not compile", func(r *software.Rule) { r.VersionPattern = ptr(`(\d+`) }, "versionPattern"},
		{"version pattern too long", func(r *software.Rule) { r.VersionPattern = ptr("(" + strings.Repeat("a", 512) + ")") }, "versionPattern"},
		{"edition too long", func(r *software.Rule) { r.Edition = ptr(strings.Repeat("e", software.MaxEditionLength+1)) }, "edition"},
		{"NUL in edition", func(r *software.Rule) { r.Edition = ptr("Pro\x00") }, "edition"},
		{"no product", func(r *software.Rule) { r.ProductID = uuid.Nil }, "productId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := validRule()
			tc.edit(&r)
			requireInvalid(t, r.Validate(), tc.field)
		})
	}
}

func TestValidateAccepts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(r *software.Rule)
	}{
		{"every kind", func(r *software.Rule) {}},
		{"prefix", func(r *software.Rule) { r.Kind = software.MatchPrefix }},
		{"identifier", func(r *software.Rule) { r.Kind, r.Pattern = software.MatchIdentifier, "com.tinyspeck.slackmacgap" }},
		{"regex", func(r *software.Rule) { r.Kind, r.Pattern = software.MatchRegex, `^Slack(?: \d+)?$` }},
		// The limit counts characters, not bytes.
		{"512 two-byte characters", func(r *software.Rule) { r.Pattern = strings.Repeat("é", 512) }},
		{"version pattern with one capture among non-capturing groups", func(r *software.Rule) {
			r.VersionPattern = ptr(`(?:Plus|Standard) (20\d\d)(?: - \w+)?`)
		}},
		{"version pattern with a named group", func(r *software.Rule) { r.VersionPattern = ptr(`(?P<year>20\d\d)`) }},
		{"edition of MaxEditionLength characters", func(r *software.Rule) { r.Edition = ptr(strings.Repeat("e", software.MaxEditionLength)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := validRule()
			tc.edit(&r)
			require.NoError(t, r.Validate())
		})
	}
}

func TestValidateTrims(t *testing.T) {
	t.Parallel()
	r := validRule()
	r.Pattern = "  Microsoft Excel \n"
	r.Edition = ptr("  Professional Plus ")
	r.VersionPattern = ptr(" (20\\d\\d) ")
	require.NoError(t, r.Validate())
	require.Equal(t, "Microsoft Excel", r.Pattern)
	require.Equal(t, "Professional Plus", *r.Edition)
	require.Equal(t, `(20\d\d)`, *r.VersionPattern)

	// Blank optional text is no value at all, never "".
	r.Edition, r.VersionPattern = ptr("   "), ptr("")
	require.NoError(t, r.Validate())
	require.Nil(t, r.Edition)
	require.Nil(t, r.VersionPattern)
}

func TestKindsAreValid(t *testing.T) {
	t.Parallel()
	require.Equal(t, []software.MatchKind{"EXACT", "PREFIX", "REGEX", "IDENTIFIER"}, software.Kinds)
	for _, k := range software.Kinds {
		require.True(t, k.Valid(), k)
	}
	require.False(t, software.MatchKind("SUFFIX").Valid())
}
