package itam

import (
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

func TestVisibleChanges(t *testing.T) {
	t.Parallel()
	self, other, supplier := uuid.New(), uuid.New(), uuid.New()
	q := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	null, redacted := json.RawMessage("null"), json.RawMessage(RedactedValue)
	recorded := []FieldChange{
		{Field: "assignedPersonId", From: q(other), To: q(self)},
		{Field: "ownerPersonId", From: null, To: q(other)},
		{Field: "supplierId", From: null, To: q(supplier)},
		{Field: "purchasePrice", From: null, To: q(map[string]string{"amount": "10", "currency": "USD"})},
		{Field: "orderNumber", From: null, To: q("PO-1")},
		{Field: "locationId", From: null, To: q(other)},
	}
	employee := []FieldChange{
		{Field: "assignedPersonId", From: redacted, To: q(self)},
		{Field: "ownerPersonId", From: null, To: redacted},
		{Field: "locationId", From: null, To: q(other)}, // not a person field
	}
	for _, tc := range []struct {
		role Role
		self *uuid.UUID
		want []FieldChange
	}{
		{RoleAdmin, nil, recorded},
		{RoleManager, nil, recorded},
		{RoleAuditor, nil, recorded},
		{RoleEmployee, &self, employee},
		{RoleEmployee, nil, []FieldChange{ // no person record: no id is theirs
			{Field: "assignedPersonId", From: redacted, To: redacted},
			{Field: "ownerPersonId", From: null, To: redacted},
			{Field: "locationId", From: null, To: q(other)},
		}},
	} {
		got := Principal{Role: tc.role}.VisibleChanges(recorded, tc.self)
		require.Equal(t, tc.want, got, "%s", tc.role)
	}
	require.Equal(t, q(self), recorded[0].To, "the recorded changes are not modified")
	require.Equal(t, json.RawMessage(q(other)), recorded[0].From)
}

func TestParseOrgClaim(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	for _, tc := range []struct {
		claim string
		isID  bool
	}{
		{id.String(), true},
		{"ACME", false},
		{"acme", false},
		{id.URN(), false},
		{"{" + id.String() + "}", false},
		{"0123456789abcdef0123456789abcdef", false},
	} {
		got, ok := ParseOrgClaim(tc.claim)
		require.Equal(t, tc.isID, ok, tc.claim)
		if ok {
			require.Equal(t, id, got)
		}
	}
}
