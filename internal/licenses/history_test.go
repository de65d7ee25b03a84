package licenses

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
)

func TestDiff(t *testing.T) {
	before := &License{ProductID: uuid.New(), Model: PerUser, Seats: ptr(10), BillingPeriod: OneTime, HasKey: true}
	after := *before
	after.Seats = ptr(12)
	after.HasKey = true

	created := Diff(nil, before, true)
	require.JSONEq(t, "10", string(created["seats"]["to"]))
	require.JSONEq(t, `"PER_USER"`, string(created["licenseModel"]["to"]))
	require.NotContains(t, created, "editions", "a creation records only what is set")
	require.JSONEq(t, `null`, string(created[KeyField]["from"]))
	require.JSONEq(t, `"[redacted]"`, string(created[KeyField]["to"]))

	changed := Diff(before, &after, true)
	require.Len(t, changed, 2)
	require.JSONEq(t, `{"from": 10, "to": 12}`, mustJSON(t, changed["seats"]))
	require.JSONEq(t, `{"from": "[redacted]", "to": "[redacted]", "changed": true}`, mustJSON(t, changed[KeyField]))

	require.Empty(t, Diff(before, &after, false)["licenseKey"], "no key change, no key entry")
	deleted := Diff(before, nil, false)
	require.JSONEq(t, `{"from": 10, "to": null}`, mustJSON(t, deleted["seats"]))
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestVisibleChanges(t *testing.T) {
	person := uuid.New()
	changes := []itam.FieldChange{
		{Field: "seatCost", From: json.RawMessage(`null`), To: json.RawMessage(`{"amount":"5","currency":"USD"}`)},
		{Field: "personId", From: json.RawMessage(`null`), To: json.RawMessage(`"` + person.String() + `"`)},
		{Field: "seats", From: json.RawMessage(`1`), To: json.RawMessage(`2`)},
	}
	for _, role := range []itam.Role{itam.RoleAdmin, itam.RoleManager, itam.RoleAuditor} {
		require.Equal(t, changes, VisibleChanges(itam.Principal{Role: role}, changes), role)
	}
	got := VisibleChanges(itam.Principal{Role: itam.RoleEmployee}, changes)
	require.Equal(t, []itam.FieldChange{
		{Field: "personId", From: json.RawMessage(`null`), To: json.RawMessage(itam.RedactedValue)},
		{Field: "seats", From: json.RawMessage(`1`), To: json.RawMessage(`2`)},
	}, got)
}
