package kandji

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/reconcile"
)

// Software comes from the Visibility (Prism) "Applications" category,
// GET /api/v1/prism/apps: one row per app per device, up to 300 rows a
// request, instead of one GET /api/v1/devices/{id}/apps per device, which
// on its own exceeds Kandji's 10,000 requests per hour above ~9,900
// devices. Documented parameters (Kandji's API reference, Prism
// "Applications"; Kandji's support repository, prism pagination example):
//
//   - filter: a JSON object of response keys to operators ("in", "not_in");
//     the connector asks for {"device_id":{"in":[...]}} with the ids of the
//     devices page, a chunk at a time so the URL stays short.
//   - limit (hard maximum 300) and cursor: the opaque "cursor" of the last
//     answer, valid for the same parameters; no cursor means the last page.
//   - The answer is {"offset","limit","total","data":[...],"cursor"}; each
//     row carries device_id next to the app's name, bundle_id and version.

const (
	prismAppsPath = "/api/v1/prism/apps"
	// prismChunk is how many device ids one filter names: 50 UUIDs keep the
	// URL near 2.5 kB, well under the 8 kB common proxies accept.
	prismChunk = 50
	// prismMaxPages bounds the pages of one chunk: a server that hands out
	// cursors forever must not hold the sync.
	prismMaxPages = 10_000
)

// prismApps is one answer of GET /api/v1/prism/apps.
type prismApps struct {
	Data   *[]prismApp `json:"data"`
	Cursor *string     `json:"cursor"`
}

// prismApp is one row: the device column and the app's own.
type prismApp struct {
	DeviceID     string `json:"device_id"`
	Name         string `json:"name"`
	BundleID     string `json:"bundle_id"`
	Version      string `json:"version"`
	ShortVersion string `json:"short_version"`
}

// softwareFromPrism fills devices' Software from Prism, chunk by chunk, at
// most s.concurrency chunks at a time. A device without rows gets an empty
// list ("no apps"), as the per-device endpoint would say. Any error fails
// the page: nothing of a page is applied unless all of it is.
func (s *Source) softwareFromPrism(ctx context.Context, devices []connectors.Device) error {
	lists := make(map[string]*reconcile.SoftwareList, len(devices))
	for i := range devices {
		lists[devices[i].ExternalID] = reconcile.NewSoftwareList(0)
	}
	results := make([][]prismApp, (len(devices)+prismChunk-1)/prismChunk)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.concurrency)
	for c := range results {
		ids := make([]string, 0, prismChunk)
		for _, d := range devices[c*prismChunk : min((c+1)*prismChunk, len(devices))] {
			ids = append(ids, d.ExternalID)
		}
		g.Go(func() (err error) {
			results[c], err = s.prismChunk(gctx, ids)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, rows := range results {
		for _, r := range rows {
			// Rows of devices not asked for are the vendor's mistake, not ours
			// to attribute: skip them.
			if l := lists[strings.TrimSpace(r.DeviceID)]; l != nil {
				v := r.Version
				if strings.TrimSpace(v) == "" {
					v = r.ShortVersion
				}
				l.Add(r.Name, v, r.BundleID)
			}
		}
	}
	for i := range devices {
		devices[i].Software = lists[devices[i].ExternalID].Items()
	}
	return nil
}

// prismChunk reads every Prism apps row of the given devices, following the
// cursor to the last page.
func (s *Source) prismChunk(ctx context.Context, ids []string) ([]prismApp, error) {
	filter, err := json.Marshal(map[string]map[string][]string{"device_id": {"in": ids}})
	if err != nil {
		return nil, err
	}
	var rows []prismApp
	cursor := ""
	for page := 0; ; page++ {
		if page == prismMaxPages {
			return nil, &connectors.MalformedError{URL: prismAppsPath, Err: fmt.Errorf("still a cursor after %d pages", page)}
		}
		q := url.Values{}
		q.Set("filter", string(filter))
		q.Set("limit", strconv.Itoa(MaxPageSize))
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var resp prismApps
		if err := s.client.GetJSON(ctx, prismAppsPath, q, &resp); err != nil {
			return nil, fmt.Errorf("kandji: prism apps: %w", err)
		}
		if resp.Data == nil {
			// Not an empty page: an answer without "data" is not one we
			// understand, and reading it as "no apps" would wipe software.
			return nil, &connectors.MalformedError{URL: prismAppsPath, Err: fmt.Errorf(`no "data" in the answer`)}
		}
		rows = append(rows, *resp.Data...)
		if resp.Cursor == nil || *resp.Cursor == "" || len(*resp.Data) == 0 {
			return rows, nil
		}
		if *resp.Cursor == cursor {
			return nil, &connectors.MalformedError{URL: prismAppsPath, Err: fmt.Errorf("the same cursor twice")}
		}
		cursor = *resp.Cursor
	}
}
