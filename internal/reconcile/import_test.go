package reconcile

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestImportPrecedence: a spreadsheet import ranks right after a person's
// edit in every default list, so a person's correction survives a re-import
// and the import beats exactly what manual entry beats.
func TestImportPrecedence(t *testing.T) {
	t.Parallel()
	for _, f := range SyncedFields {
		list := DefaultPrecedence[f]
		i := slices.Index(list, SourceManual)
		require.GreaterOrEqual(t, i, 0, f)
		require.Less(t, i+1, len(list), f)
		require.Equal(t, SourceImport, list[i+1], f)
		require.Equal(t, 1, countOf(list, SourceImport), f)
	}
	imp := Incoming{Source: SourceImport}
	p := Precedence{}
	cases := []struct {
		name  string
		field string
		cur   Current
		want  Decision
	}{
		{"a person's edit beats a spreadsheet", FieldName, Current{Source: SourceManual}, Conflict},
		{"a value set before provenance counts as a person's", FieldPurchaseDate, Current{}, Conflict},
		{"a locked field is kept", FieldLocation, Current{Source: SourceImport, Locked: true}, Conflict},
		{"the import updates its own value", FieldName, Current{Source: SourceImport}, Apply},
		{"the import fills an empty field", FieldSerialNumber, Current{Empty: true, Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}, Apply},
		{"an MDM's hardware identity beats a spreadsheet", FieldSerialNumber, Current{Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}, Conflict},
		{"a spreadsheet's purchase date beats an MDM's", FieldPurchaseDate, Current{Source: "JAMF_PRO:1", Kind: "JAMF_PRO"}, Apply},
		{"procurement beats a spreadsheet", FieldPurchasePrice, Current{Source: SourceProcurement}, Conflict},
		{"a service desk's status beats a spreadsheet", FieldStatus, Current{Source: "SERVICENOW:1", Kind: "SERVICENOW"}, Conflict},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, p.Decide(tc.field, tc.cur, imp), tc.name)
	}
}

func countOf(list []string, s string) int {
	n := 0
	for _, v := range list {
		if v == s {
			n++
		}
	}
	return n
}
