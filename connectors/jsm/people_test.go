package jsm_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jsm"
	"github.com/itam-dev/itam/connectors/jsm/jsmtest"
)

func TestPeopleFromObjectType(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	srv.Add(jsmtest.TypeLocations, jsmtest.Record{"Name": "Berlin"})
	boss := srv.Add(jsmtest.TypePeople, jsmtest.Record{"Name": "Grace Hopper", "Email": "grace@example.com", "Status": "Active"})
	srv.Add(jsmtest.TypePeople, jsmtest.Record{"Name": "Ada Lovelace", "Email": "ada@example.com", "Employee Number": "E-1",
		"Department": "Engineering", "Job Title": "Engineer", "Location": "Berlin", "Manager": "Grace Hopper", "Status": "Active"})
	srv.Add(jsmtest.TypePeople, jsmtest.Record{"Name": "Old Timer", "Email": "old@example.com", "Manager": "Ada Lovelace", "Status": "Inactive"})
	src := newSource(t, srv, withOptions(jsm.OptPeopleObjectType, "Employees", jsm.OptPageSize, 2))

	var people []connectors.Person
	req := connectors.PageRequest{Mode: connectors.Full}
	for {
		page, err := src.FetchPeoplePage(context.Background(), req)
		require.NoError(t, err)
		people = append(people, page.People...)
		if page.Done {
			break
		}
		req.Cursor = page.NextCursor
	}
	require.Len(t, people, 3)
	require.Equal(t, connectors.Person{ExternalID: boss, Email: "grace@example.com", Name: "Grace Hopper", Active: true}, people[0])
	ada := people[1]
	require.Equal(t, "ada@example.com", ada.Email)
	require.Equal(t, "E-1", ada.EmployeeNumber)
	require.Equal(t, "Engineering", ada.Department)
	require.Equal(t, "Engineer", ada.Title)
	require.Equal(t, "Berlin", ada.Location)
	require.Equal(t, "grace@example.com", ada.ManagerEmail, "manager within the page")
	require.True(t, ada.Active)
	require.False(t, people[2].Active, "an inactive status deactivates")
	require.Equal(t, "ada@example.com", people[2].ManagerEmail, "manager on another page: one Key IN query")

	aql := srv.RequestsTo(http.MethodPost, "/object/aql")
	require.Len(t, aql, 3, "two pages and one batched manager lookup")
	require.JSONEq(t, `{"qlQuery": "objectType = \"Employees\" AND Key IN (\"IT-1003\")"}`, aql[2].Body)
}

func TestNoPeopleWithoutTheOption(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	page, err := newSource(t, srv).FetchPeoplePage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Empty(t, page.People)
	require.Empty(t, srv.Requests(), "nothing asked")
}

// People whose email is a Jira user attribute: account ids resolve in one
// user/bulk request per page; a hidden email stays empty.
func TestPeopleEmailFromUserAttribute(t *testing.T) {
	t.Parallel()
	srv := jsmtest.New(t, jsmtest.Options{})
	srv.AddUser(jsmtest.User{AccountID: "acc-1", Email: "one@example.com", Name: "One"})
	srv.AddUser(jsmtest.User{AccountID: "acc-2", Email: "two@example.com", Name: "Two", HideEmail: true})
	srv.Add(jsmtest.TypePeople, jsmtest.Record{"Name": "One", "Account": "acc-1"})
	srv.Add(jsmtest.TypePeople, jsmtest.Record{"Name": "Two", "Account": "acc-2", "Status": "Inactive"})
	src := newSource(t, srv, withOptions(jsm.OptPeopleObjectType, "Employees", jsm.OptPeopleAttributes, map[string]any{"email": "Account"}))
	page, err := src.FetchPeoplePage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done)
	require.Len(t, page.People, 2)
	require.Equal(t, "one@example.com", page.People[0].Email)
	require.True(t, page.People[0].Active)
	require.Empty(t, page.People[1].Email)
	require.False(t, page.People[1].Active)
	require.Len(t, srv.RequestsTo(http.MethodGet, "/rest/api/3/user/bulk"), 1)
}
