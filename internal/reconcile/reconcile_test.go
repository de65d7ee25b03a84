package reconcile

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestNormalizeSerial(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" c02abc123 ": "C02ABC123", "To be filled by O.E.M.": "", "Default string": "", "0": "", "": "",
		"System Serial Number": "", "  ": "", "VMware-56 4d 9a": "VMWARE-56 4D 9A", "n/a": "",
	} {
		require.Equal(t, want, NormalizeSerial(in), in)
	}
	require.Equal(t, "ada@example.com", NormalizeEmail(" Ada@Example.COM "))
	require.Equal(t, "", NormalizeEmail("not-an-email"))
}

func TestLinkSerial(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		" VMware-56 4d 1a ": "VMware-56 4d 1a", "C02abc": "C02abc", "": "", "   ": "",
		"To be filled by O.E.M.": "", "0": "", "Not Specified": "",
	} {
		require.Equal(t, want, LinkSerial(in), "%q", in)
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	one, two, three := 1, 2, 3
	cases := []struct {
		name    string
		c       Candidates[int]
		mfr     string
		virtual bool
		want    int
		rule    MatchRule
	}{
		{"link wins over serial and tag", Candidates[int]{Link: &one, BySerial: []SerialCandidate[int]{{2, "Apple"}}, ByTag: &three}, "Apple", false, 1, MatchLink},
		{"serial", Candidates[int]{BySerial: []SerialCandidate[int]{{2, "Apple"}}, ByTag: &three}, "Apple", false, 2, MatchSerial},
		{"serial shared by two manufacturers picks the record's", Candidates[int]{BySerial: []SerialCandidate[int]{{2, "Dell"}, {3, "apple "}}}, "Apple", false, 3, MatchSerial},
		{"serial shared, no manufacturer match falls to tag", Candidates[int]{BySerial: []SerialCandidate[int]{{2, "Dell"}, {3, "HP"}}, ByTag: &one}, "Apple", false, 1, MatchTag},
		{"virtual machines never match by serial", Candidates[int]{BySerial: []SerialCandidate[int]{{2, "VMware"}}}, "VMware", true, 0, MatchNone},
		{"tag", Candidates[int]{ByTag: &two}, "", false, 2, MatchTag},
		{"nothing", Candidates[int]{}, "", false, 0, MatchNone},
	}
	for _, tc := range cases {
		id, rule := Match(tc.c, tc.mfr, tc.virtual)
		require.Equal(t, tc.want, id, tc.name)
		require.Equal(t, tc.rule, rule, tc.name)
	}
}

func TestDecide(t *testing.T) {
	t.Parallel()
	jamf := Incoming{Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}
	intune := Incoming{Source: "INTUNE:2", Kind: "INTUNE"}
	fromJamf := Current{Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}
	fromIntune := Current{Source: "INTUNE:2", Kind: "INTUNE"}
	manual := Current{Source: SourceManual}
	legacy := Current{} // set before provenance was recorded: counts as manual
	p := Precedence{}
	cases := []struct {
		name  string
		field string
		cur   Current
		in    Incoming
		want  Decision
	}{
		{"empty report never overwrites", FieldName, fromJamf, Incoming{Source: "INTUNE:2", Kind: "INTUNE", Empty: true}, Keep},
		{"empty field takes any value", FieldName, Current{Empty: true}, intune, Apply},
		{"same source updates its value", FieldName, fromIntune, intune, Apply},
		{"higher precedence wins", FieldName, fromIntune, jamf, Apply},
		{"lower precedence is a conflict", FieldName, fromJamf, intune, Conflict},
		{"MDM beats an unlocked manual identity value", FieldName, manual, intune, Apply},
		{"MDM beats a legacy identity value", FieldSerialNumber, legacy, jamf, Apply},
		{"a locked field is a conflict for everyone", FieldName, Current{Source: SourceManual, Locked: true}, jamf, Conflict},
		{"locked and equal is nothing", FieldName, Current{Source: SourceManual, Locked: true}, Incoming{Source: "JAMF_PRO:1", Kind: "JAMF_PRO", Equal: true}, Keep},
		{"equal from another source confirms", FieldName, fromJamf, Incoming{Source: "INTUNE:2", Kind: "INTUNE", Equal: true}, Confirm},
		{"equal from the same source is nothing", FieldName, fromJamf, Incoming{Source: "JAMF_PRO:1", Kind: "JAMF_PRO", Equal: true}, Keep},
		{"purchase data: manual beats MDM", FieldPurchaseDate, manual, jamf, Conflict},
		{"purchase data: MDM fills a gap", FieldPurchaseDate, Current{Empty: true}, jamf, Apply},
		{"purchase data: procurement beats manual", FieldPurchasePrice, manual, Incoming{Source: SourceProcurement}, Apply},
		{"assignee: authoritative beats manual", FieldAssignee, manual, Incoming{Source: "INTUNE:2", Kind: "INTUNE", Authoritative: true}, Apply},
		{"assignee: other MDMs lose to manual", FieldAssignee, manual, jamf, Conflict},
		{"assignee: other MDMs lose to the authoritative one", FieldAssignee, Current{Source: "INTUNE:2", Kind: "INTUNE", Authoritative: true}, jamf, Conflict},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, p.Decide(tc.field, tc.cur, tc.in), tc.name)
	}
	// An organization can reorder: trust Intune over Jamf for names.
	custom := Precedence{FieldName: {"INTUNE", "JAMF_PRO", SourceManual}}
	require.Equal(t, Apply, custom.Decide(FieldName, fromJamf, intune))
	require.Equal(t, Conflict, custom.Decide(FieldName, fromIntune, jamf))
}

// TestDecideEmptyNeverOverwrites: an empty report keeps the value whoever
// set it and however the reporter ranks, including the very source that set
// it (a Jamf name survives Jamf reporting none) and a source that outranks
// the unlocked manual value (an MDM beats manual for names, but not with
// nothing).
func TestDecideEmptyNeverOverwrites(t *testing.T) {
	t.Parallel()
	empty := func(source, kind string) Incoming { return Incoming{Source: source, Kind: kind, Empty: true} }
	p := Precedence{}
	cases := []struct {
		name  string
		field string
		cur   Current
		in    Incoming
	}{
		{"Jamf-set name, Jamf reports none", FieldName, Current{Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}, empty("JAMF_PRO:1", "JAMF_PRO")},
		{"Jamf-set serial, Jamf reports none", FieldSerialNumber, Current{Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}, empty("JAMF_PRO:1", "JAMF_PRO")},
		{"manual unlocked name, higher-ranked Jamf reports none", FieldName, Current{Source: SourceManual}, empty("JAMF_PRO:1", "JAMF_PRO")},
		{"legacy name, higher-ranked Jamf reports none", FieldName, Current{}, empty("JAMF_PRO:1", "JAMF_PRO")},
		{"Intune-set name, higher-ranked Jamf reports none", FieldName, Current{Source: "INTUNE:2", Kind: "INTUNE"}, empty("JAMF_PRO:1", "JAMF_PRO")},
		{"manual purchase date, higher-ranked procurement reports none", FieldPurchaseDate, Current{Source: SourceManual}, empty(SourceProcurement, "")},
		{"manual assignee, authoritative connector reports none", FieldAssignee, Current{Source: SourceManual}, Incoming{Source: "INTUNE:2", Kind: "INTUNE", Authoritative: true, Empty: true}},
		{"authoritative assignee, itself reports none", FieldAssignee, Current{Source: "INTUNE:2", Kind: "INTUNE", Authoritative: true}, Incoming{Source: "INTUNE:2", Kind: "INTUNE", Authoritative: true, Empty: true}},
		{"locked manual name, Jamf reports none", FieldName, Current{Source: SourceManual, Locked: true}, empty("JAMF_PRO:1", "JAMF_PRO")},
	}
	for _, tc := range cases {
		require.Equal(t, Keep, p.Decide(tc.field, tc.cur, tc.in), tc.name)
	}
}
