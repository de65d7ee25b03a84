package jamf

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
	"github.com/itam-dev/itam/internal/reconcile"
)

// Mobile devices come from GET /api/v2/mobile-devices/detail ("Return
// paginated Mobile Device Inventory records"), not from GET
// /api/v2/mobile-devices: the latter documents only page, page-size and
// sort (no filter, so no key paging and no incremental bound) and returns
// a summary without user, purchasing or inventory date, which would cost
// one /api/v2/mobile-devices/{id}/detail request per device. The detail
// list takes the same section/page/page-size/sort/filter parameters as
// the computer inventory, documents mobileDeviceId and
// lastInventoryUpdateDate as filterable and mobileDeviceId as sortable,
// so it pages by key like the computers.

// mobilePrefix marks a mobile device's external id ("mobile:5"), so
// computer 5 and mobile device 5 never collide and computer links made
// before mobile devices were synced keep their plain ids.
const mobilePrefix = "mobile:"

// mobilePath is the mobile device inventory list.
const mobilePath = "/api/v2/mobile-devices/detail"

// mobileSections are the MobileDeviceSection values read.
var mobileSections = []string{"GENERAL", "HARDWARE", "USER_AND_LOCATION", "PURCHASING"}

// mobilePageBody is MobileDeviceInventorySearchResults.
type mobilePageBody struct {
	TotalCount *int           `json:"totalCount"`
	Results    []mobileDevice `json:"results"`
}

// mobileDevice is one MobileDeviceResponse: deviceType is "iOS" (iPhone
// and iPad), "tvOS" or "watchOS"; sections not requested are null.
type mobileDevice struct {
	MobileDeviceID  flexString       `json:"mobileDeviceId"`
	DeviceType      string           `json:"deviceType"`
	General         *mobileGeneral   `json:"general"`
	Hardware        *mobileHardware  `json:"hardware"`
	UserAndLocation *mobileUser      `json:"userAndLocation"`
	Purchasing      *mobilePurchase  `json:"purchasing"`
	Applications    []mobileAppEntry `json:"applications"`
}

// mobileGeneral is MobileDeviceIosGeneral (the fields mapped).
type mobileGeneral struct {
	DisplayName             string `json:"displayName"`
	AssetTag                string `json:"assetTag"`
	LastInventoryUpdateDate string `json:"lastInventoryUpdateDate"`
	OSVersion               string `json:"osVersion"`
	OSRapidSecurityResponse string `json:"osRapidSecurityResponse"`
}

// mobileHardware is MobileDeviceHardware.
type mobileHardware struct {
	SerialNumber    string `json:"serialNumber"`
	Model           string `json:"model"`
	ModelIdentifier string `json:"modelIdentifier"`
}

// mobileUser is MobileDeviceUserAndLocation: realName and emailAddress,
// where the computer section says realname and email.
type mobileUser struct {
	Username     string `json:"username"`
	RealName     string `json:"realName"`
	EmailAddress string `json:"emailAddress"`
}

// mobilePurchase is MobileDevicePurchasing: warrantyExpiresDate where
// computers say warrantyDate.
type mobilePurchase struct {
	PoDate              string     `json:"poDate"`
	WarrantyExpiresDate string     `json:"warrantyExpiresDate"`
	PurchasePrice       flexString `json:"purchasePrice"`
}

// mobileAppEntry is MobileDeviceApplicationInventoryDetail.
type mobileAppEntry struct {
	Identifier   string `json:"identifier"`
	Name         string `json:"name"`
	Version      string `json:"version"`
	ShortVersion string `json:"shortVersion"`
}

// mobilePage reads the mobile devices after cur.After, like computerPage.
// A server without the endpoint (404: a Jamf Pro older than the v2 mobile
// inventory) has no mobile devices to offer: the phase ends empty rather
// than failing the computers already read.
func (s *Source) mobilePage(ctx context.Context, cur cursor) ([]connectors.Device, int, bool, error) {
	filter := "mobileDeviceId>" + strconv.Itoa(cur.After)
	if cur.Since != nil {
		filter += ";lastInventoryUpdateDate>=" + rsqlTime(*cur.Since)
	}
	body, err := s.mobileList(ctx, filter, cur.Size)
	if vendorhttp.IsNotFound(err) {
		s.log.Info("jamf: no mobile device inventory on this server (GET " + mobilePath + " answered 404)")
		return nil, cur.After, true, nil
	}
	if err != nil {
		return nil, 0, false, err
	}
	devices, err := s.mobileDevices(body)
	if err != nil {
		return nil, 0, false, err
	}
	last, err := lastID(devices, mobilePrefix, cur.After, s.baseURL+mobilePath)
	if err != nil {
		return nil, 0, false, err
	}
	n := len(body.Results)
	return devices, last, n == 0 || n >= *body.TotalCount, nil
}

// fetchMobile reads one mobile device through the list filtered on its id.
func (s *Source) fetchMobile(ctx context.Context, id string) (*connectors.Device, error) {
	body, err := s.mobileList(ctx, `mobileDeviceId=="`+id+`"`, 1)
	if err != nil {
		return nil, err
	}
	devices, err := s.mobileDevices(body)
	if err != nil {
		return nil, err
	}
	for i := range devices {
		if devices[i].ExternalID == mobilePrefix+id {
			return &devices[i], nil
		}
	}
	return nil, nil
}

func (s *Source) mobileList(ctx context.Context, filter string, size int) (*mobilePageBody, error) {
	q := url.Values{}
	for _, sec := range s.mobSecs {
		q.Add("section", sec)
	}
	q.Set("page", "0")
	q.Set("page-size", strconv.Itoa(size))
	// The documented default is displayName:asc; key paging needs the id.
	q.Set("sort", "mobileDeviceId:asc")
	q.Set("filter", filter)
	var body mobilePageBody
	if err := s.api.GetJSON(ctx, mobilePath, q, &body); err != nil {
		return nil, err
	}
	if body.TotalCount == nil {
		return nil, &connectors.MalformedError{URL: s.baseURL + mobilePath, Err: errors.New("no totalCount: not a mobile device inventory page")}
	}
	return &body, nil
}

func (s *Source) mobileDevices(body *mobilePageBody) ([]connectors.Device, error) {
	out := make([]connectors.Device, 0, len(body.Results))
	for i, m := range body.Results {
		if strings.TrimSpace(string(m.MobileDeviceID)) == "" {
			return nil, &connectors.MalformedError{URL: s.baseURL + mobilePath, Err: fmt.Errorf("result %d has no mobileDeviceId", i)}
		}
		out = append(out, toMobileDevice(m, s.software))
	}
	return out, nil
}

// toMobileDevice maps one MobileDeviceResponse. The category is the
// model's (iPhone: PHONE, iPad: TABLET); other Apple devices leave it to
// the engine's guess. The last check-in is lastInventoryUpdateDate, the
// one timestamp the mobile inventory reports for the device's contact.
func toMobileDevice(m mobileDevice, withSoftware bool) connectors.Device {
	d := connectors.Device{ExternalID: mobilePrefix + strings.TrimSpace(string(m.MobileDeviceID)), Manufacturer: "Apple"}
	if h := m.Hardware; h != nil {
		d.SerialNumber = strings.TrimSpace(h.SerialNumber)
		d.Model = strings.TrimSpace(h.Model)
		d.ModelIdentifier = strings.TrimSpace(h.ModelIdentifier)
	}
	kind := strings.ToLower(d.Model + " " + d.ModelIdentifier)
	switch {
	case strings.Contains(kind, "iphone"):
		d.Category = "PHONE"
	case strings.Contains(kind, "ipad"):
		d.Category = "TABLET"
	}
	d.OSName = strings.TrimSpace(m.DeviceType)
	if d.Category == "TABLET" && strings.EqualFold(d.OSName, "iOS") {
		d.OSName = "iPadOS" // Apple's name for the iPad's iOS since 13
	}
	if g := m.General; g != nil {
		d.Name = strings.TrimSpace(g.DisplayName)
		d.AssetTag = strings.TrimSpace(g.AssetTag)
		d.LastCheckIn = parseTime(g.LastInventoryUpdateDate)
		d.OSVersion = osVersion(g.OSVersion, g.OSRapidSecurityResponse)
	}
	if u := m.UserAndLocation; u != nil {
		d.UserEmail = strings.TrimSpace(u.EmailAddress)
		d.UserName = strings.TrimSpace(u.RealName)
		if d.UserName == "" {
			d.UserName = strings.TrimSpace(u.Username)
		}
	}
	if p := m.Purchasing; p != nil {
		d.PurchaseDate = parseTime(p.PoDate)
		d.WarrantyEnd = parseTime(p.WarrantyExpiresDate)
		d.PurchasePrice, d.PurchaseCurrency = parsePrice(string(p.PurchasePrice))
	}
	if withSoftware && m.Applications != nil {
		list := reconcile.NewSoftwareList(len(m.Applications))
		for _, a := range m.Applications {
			v := a.ShortVersion // the marketing version ("17.2"); version is the build
			if strings.TrimSpace(v) == "" {
				v = a.Version
			}
			list.Add(a.Name, v, a.Identifier)
		}
		d.Software = list.Items()
	}
	return d
}
