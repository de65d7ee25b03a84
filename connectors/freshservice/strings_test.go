package freshservice_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/freshservice"
)

// Ids and numbers quoted as strings (as proxies and older accounts send
// them), null references and null type fields map instead of failing the
// page.
func TestStringTypedValuesAndEmptyReferences(t *testing.T) {
	t.Parallel()
	bodies := map[string]string{
		"/api/v2/asset_types": `{"asset_types":[{"id":"21000000001","name":"Hardware","parent_asset_type_id":null},
			{"id":21000000003,"name":"Laptop","parent_asset_type_id":"21000000001"}]}`,
		"/api/v2/locations": `{"locations":[{"id":"7","name":"Lisbon"}]}`,
		"/api/v2/products":  `{"products":[{"id":"9","name":"ThinkPad X1","manufacturer":"Lenovo"}]}`,
		"/api/v2/assets": `{"assets":[
			{"id":"1","display_id":"12","name":"X1","asset_type_id":"21000000003","asset_tag":"LT-12","user_id":null,
			 "location_id":"7","department_id":null,"type_fields":{"serial_number_21000000001":"PF-123","product_21000000001":"9",
			 "cost_21000000001":"12.50","asset_state_21000000001":"in use","acquisition_date_21000000001":null,
			 "custom_ref_99":"kept whole"}},
			{"id":2,"display_id":13,"name":"Bare","asset_type_id":null,"asset_tag":null,"user_id":"","location_id":null,"type_fields":null}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	src, err := connectors.New(connectors.Freshservice, connectors.Config{BaseURL: srv.URL, Egress: connectors.AllowLoopback(),
		Credentials: map[string]string{freshservice.CredAPIKey: "k"}})
	require.NoError(t, err)
	page, err := src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err)
	require.True(t, page.Done, "no Link header: the last page")
	require.Len(t, page.Devices, 2)
	require.Equal(t, connectors.Device{ExternalID: "12", Name: "X1", AssetTag: "LT-12", SerialNumber: "PF-123",
		Manufacturer: "Lenovo", Model: "ThinkPad X1", Location: "Lisbon", Status: "DEPLOYED", Category: "LAPTOP",
		PurchasePrice: "12.50"}, page.Devices[0])
	require.Equal(t, connectors.Device{ExternalID: "13", Name: "Bare"}, page.Devices[1])
}
