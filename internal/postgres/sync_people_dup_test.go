package postgres

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
)

// TestApplyPeoplePageDuplicateEmails: a directory with two active
// accounts sharing an email (common in service desks) creates one person
// and reports the other record, instead of failing the page on the unique
// email at every sync.
func TestApplyPeoplePageDuplicateEmails(t *testing.T) {
	t.Parallel()
	f := newSyncFixture(t)
	sn := f.connector(f.a, "SERVICENOW", "ServiceNow", true)
	before := f.count("people", f.a.id)
	res := f.applyPeople(f.a, sn,
		connectors.Person{ExternalID: "u-1", Email: "dup@alpha.test", Name: "Dup One", Active: true},
		connectors.Person{ExternalID: "u-2", Email: "DUP@alpha.test", Name: "Dup Two", Active: true},
	)
	require.Equal(t, 1, res.Created)
	require.Len(t, res.Errors, 1)
	require.Equal(t, "u-2", res.Errors[0].ExternalID)
	require.Equal(t, before+1, f.count("people", f.a.id))
	require.Equal(t, "Dup One", f.person(f.a, f.personID(f.a, "dup@alpha.test")).Name)
}
