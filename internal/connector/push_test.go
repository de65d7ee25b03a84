package connector_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/itam"
)

// TestPushFieldsMatchConnectors: the API's push fields are exactly the
// vendor contract's, in the same order.
func TestPushFieldsMatchConnectors(t *testing.T) {
	var vendor []string
	for _, f := range connectors.PushFields {
		vendor = append(vendor, string(f))
	}
	require.Equal(t, vendor, itam.PushFields)
}

func serviceNow() connector.Input {
	return connector.Input{Kind: "SERVICENOW", Name: "ServiceNow", BaseURL: ptr("https://acme.service-now.com"),
		Credentials: map[string]string{"username": "u", "password": "p"}}
}

// TestInputPush: only ITSM kinds write back, each field once, known
// fields only; the stored order is the API's.
func TestInputPush(t *testing.T) {
	cases := []struct {
		name   string
		kind   string
		fields []string
		create bool
		field  string // refused on this field
		want   []string
	}{
		{"none", "SERVICENOW", nil, false, "", []string{}},
		{"ordered", "SERVICENOW", []string{"PURCHASE", "ASSIGNEE", "STATUS"}, false, "", []string{"ASSIGNEE", "STATUS", "PURCHASE"}},
		{"all", "SERVICENOW", []string{"ASSIGNEE", "STATUS", "LOCATION", "ASSET_TAG", "PURCHASE"}, true, "", itam.PushFields},
		{"create only creates nothing: refused", "SERVICENOW", nil, true, "pushCreate", nil},
		{"duplicate", "SERVICENOW", []string{"STATUS", "STATUS"}, false, "pushFields", nil},
		{"unknown", "SERVICENOW", []string{"NOTES"}, false, "pushFields", nil},
		{"too many", "SERVICENOW", []string{"ASSIGNEE", "STATUS", "LOCATION", "ASSET_TAG", "PURCHASE", "STATUS"}, false, "pushFields", nil},
		{"mdm fields", "KANDJI", []string{"STATUS"}, false, "pushFields", nil},
		{"mdm create", "KANDJI", nil, true, "pushCreate", nil},
		{"mdm nothing", "KANDJI", nil, false, "", []string{}},
	}
	for _, tc := range cases {
		in := serviceNow()
		if tc.kind == "KANDJI" {
			in = kandji()
		}
		in.PushFields, in.PushCreate = tc.fields, tc.create
		d, err := in.Draft()
		if tc.field != "" {
			requireInvalid(t, err, tc.field, tc.name)
			continue
		}
		require.NoError(t, err, tc.name)
		require.Equal(t, tc.want, d.Connector.PushFields, tc.name)
		require.Equal(t, tc.create, d.Connector.PushCreate, tc.name)
	}
}

// TestPatchPush: a patch replaces the push fields (null: none), refuses a
// null pushCreate and write-back on an MDM kind, and an equal value is no
// change.
func TestPatchPush(t *testing.T) {
	itsm := func() connector.Stored {
		s := stored()
		c := *s.Connector
		c.Kind, c.PushFields = "SERVICENOW", []string{"STATUS"}
		s.Connector = &c
		return s
	}
	cases := []struct {
		name    string
		cur     func() connector.Stored
		patch   connector.Patch
		field   string
		nothing bool
		want    []string
		create  bool
	}{
		{"same", itsm, connector.Patch{PushFields: itam.Some([]string{"STATUS"})}, "", true, nil, false},
		{"replace", itsm, connector.Patch{PushFields: itam.Some([]string{"LOCATION", "ASSIGNEE"})}, "", false, []string{"ASSIGNEE", "LOCATION"}, false},
		{"null clears", itsm, connector.Patch{PushFields: itam.Optional[[]string]{Set: true}}, "", false, []string{}, false},
		{"create", itsm, connector.Patch{PushCreate: itam.Some(true)}, "", false, []string{"STATUS"}, true},
		{"null create", itsm, connector.Patch{PushCreate: itam.Optional[bool]{Set: true}}, "pushCreate", false, nil, false},
		{"duplicate", itsm, connector.Patch{PushFields: itam.Some([]string{"STATUS", "STATUS"})}, "pushFields", false, nil, false},
		{"mdm", stored, connector.Patch{PushFields: itam.Some([]string{"STATUS"})}, "pushFields", false, nil, false},
		{"mdm create", stored, connector.Patch{PushCreate: itam.Some(true)}, "pushCreate", false, nil, false},
	}
	for _, tc := range cases {
		ch, err := tc.patch.Apply(tc.cur())
		switch {
		case tc.field != "":
			requireInvalid(t, err, tc.field, tc.name)
		case tc.nothing:
			require.NoError(t, err, tc.name)
			require.Nil(t, ch, tc.name)
		default:
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.want, ch.Connector.PushFields, tc.name)
			require.Equal(t, tc.create, ch.Connector.PushCreate, tc.name)
		}
	}
}
