package intune

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/reconcile"
)

const (
	// appsPathFmt is the beta-only per-device detected apps list.
	appsPathFmt = "/beta/deviceManagement/managedDevices/%s/detectedApps"
	// appsArea is where detected apps next links must stay.
	appsArea = "/beta/deviceManagement/managedDevices"
	// maxAppPages stops a device whose app list never ends.
	maxAppPages = 200
	appSelect   = "displayName,version"
	// softwareNotRead starts the per-record error of a device whose
	// detected apps could not be read.
	softwareNotRead = "software not read, kept as it was: "
)

// attachSoftware fills each device's Software, a bounded number of devices
// at a time, each request retrying on its own (vendorhttp). A device whose
// apps still cannot be read keeps nil Software (its software stays as it
// was, never emptied) and carries a ReadErrors entry, so the page applies
// and the run reports that device; Graph throttles this beta call per
// device, sometimes without Retry-After, and one device must not cost the
// page. Only failures every other request would share fail the page (see
// failsPage). After Graph asked for a wait longer than a request waits in
// place (or kept throttling through a request's whole backoff without
// saying how long), the page's remaining devices are not asked for their
// apps at all: hammering a throttled tenant would only lengthen the
// throttling, and the next run reads them.
func (s *source) attachSoftware(ctx context.Context, devices []connectors.Device) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.workers)
	var throttled atomic.Pointer[connectors.RateLimitError]
	for i := range devices {
		g.Go(func() error {
			d := &devices[i]
			if rl := throttled.Load(); rl != nil {
				d.ReadErrors = append(d.ReadErrors, softwareNotRead+"skipped while Microsoft Graph throttles detectedApps ("+rl.Error()+")")
				return nil
			}
			sw, err := s.fetchSoftware(gctx, d.ExternalID)
			if err == nil {
				d.Software = sw
				return nil
			}
			if failsPage(err) {
				return err
			}
			var rl *connectors.RateLimitError
			if errors.As(err, &rl) && rl.RetryAfter > s.maxInlineWait {
				throttled.CompareAndSwap(nil, rl)
			}
			s.log.WarnContext(ctx, "intune: detected apps not read", "device", d.ExternalID, "err", err)
			d.ReadErrors = append(d.ReadErrors, softwareNotRead+err.Error())
			return nil
		})
	}
	return g.Wait()
}

// failsPage says whether a detected apps failure is one no other request
// would escape: credentials refused, a permission the app lacks, the
// egress policy, or the sync itself stopping.
func failsPage(err error) bool {
	var fe *connectors.ForbiddenError
	var be *connectors.BlockedAddressError
	return errors.Is(err, connectors.ErrUnauthorized) || errors.As(err, &fe) || errors.As(err, &be) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// fetchSoftware lists the detected apps of one device, following next
// links. It returns a non-nil slice when the list was read (empty: no
// apps) and nil when the device is gone.
func (s *source) fetchSoftware(ctx context.Context, id string) ([]connectors.Software, error) {
	path := fmt.Sprintf(appsPathFmt, url.PathEscape(id))
	list := reconcile.NewSoftwareList(0)
	link := ""
	for pages := 0; ; pages++ {
		if pages == maxAppPages {
			return nil, s.malformed(path, fmt.Errorf("detectedApps still paging after %d pages", maxAppPages))
		}
		var body appCollection
		var err error
		if link == "" {
			err = s.client.GetJSON(ctx, path+"?"+odataQuery("$select", appSelect), nil, &body)
		} else {
			err = s.client.GetJSON(ctx, link, nil, &body)
		}
		if vendorhttp.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if body.Value == nil {
			return nil, s.malformed(path, errors.New(`collection without "value"`))
		}
		for _, a := range *body.Value {
			list.Add(a.DisplayName, a.Version, "")
		}
		if body.NextLink == "" {
			return list.Items(), nil
		}
		if body.NextLink == link {
			return nil, s.malformed(path, errors.New("@odata.nextLink points at the page itself"))
		}
		if err := s.checkLink(body.NextLink, appsArea); err != nil {
			return nil, err
		}
		link = body.NextLink
	}
}
