package servicenow_test

import (
	"context"
	"testing"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
)

// BenchmarkPull50000 is the connector's share of the pull target:
// 50,000 CIs in pages of 1,000 from the fake (in this process), mapped to
// devices, without the sync engine's database work.
//
//	go test -run '^$' -bench Pull50000 -benchtime 1x ./connectors/servicenow/
func BenchmarkPull50000(b *testing.B) {
	srv := servicenowtest.Start(servicenowtest.Options{Records: 50000, Users: 2000})
	defer srv.Close()
	o := srv.Options()
	src, err := connectors.New(connectors.ServiceNow, connectors.Config{
		Egress: connectors.AllowLoopback(), BaseURL: srv.URL,
		Credentials: map[string]string{"clientId": o.ClientID, "clientSecret": o.ClientSecret},
		Options:     map[string]any{"pageSize": 1000},
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		req := connectors.PageRequest{Mode: connectors.Full}
		for {
			page, err := src.FetchPage(context.Background(), req)
			if err != nil {
				b.Fatal(err)
			}
			n += len(page.Devices)
			if page.Done {
				break
			}
			req.Cursor = page.NextCursor
		}
		if n != 50000 {
			b.Fatalf("pulled %d CIs", n)
		}
	}
}
