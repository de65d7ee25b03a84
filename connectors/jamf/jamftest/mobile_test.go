package jamftest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestKeyPagingFilters: id>N with sort=id:asc at page 0 is the next page;
// totalCount counts what remains; the OR of reportDate and the last
// contact, distributed over the key bound, selects either.
func TestKeyPagingFilters(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newClient(t, Options{Computers: 30, Apps: -1, Epoch: epoch})
	var p rawPage
	c.get("/api/v1/computers-inventory", url.Values{"filter": {"id>12"}, "sort": {"id:asc"}, "page": {"0"}, "page-size": {"5"}}, http.StatusOK, &p)
	require.Equal(t, 18, p.TotalCount)
	var first string
	require.NoError(t, json.Unmarshal(p.Results[0]["id"], &first))
	require.Equal(t, "13", first)

	bound := epoch.Add(time.Hour)
	c.s.Touch(5, bound.Add(time.Minute))    // reported
	c.s.CheckIn(20, bound.Add(time.Minute)) // only checked in
	c.s.CheckIn(2, bound.Add(time.Minute))  // behind the key bound
	f := `id>3;general.reportDate>="2026-01-01T01:00:00.000Z",id>3;general.lastContactTime>="2026-01-01T01:00:00.000Z"`
	c.get("/api/v1/computers-inventory", url.Values{"filter": {f}, "sort": {"id:asc"}}, http.StatusOK, &p)
	require.Equal(t, 2, p.TotalCount)
	c.get("/api/v4/computers-inventory", url.Values{"filter": {`id>0;general.lastContact>="2026-01-01T01:00:00Z"`}}, http.StatusOK, &p)
	require.Equal(t, 3, p.TotalCount, "computers 2, 5 and 20")

	// Mobile fields are not computer fields.
	c.get("/api/v1/computers-inventory", url.Values{"filter": {"mobileDeviceId>0"}}, http.StatusBadRequest, nil)
}

// TestCheckInMovesOnlyTheLastContact: reports and check-ins are separate
// events in Jamf (weekly inventory, ~15-minute check-ins).
func TestCheckInMovesOnlyTheLastContact(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Computers: 2})
	before, _ := s.Computer(1)
	at := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	require.True(t, s.CheckIn(1, at))
	after, _ := s.Computer(1)
	require.Equal(t, before.General.ReportDate, after.General.ReportDate)
	require.Equal(t, "2026-05-06T07:08:09.000Z", after.General.LastContactTime)
	require.Equal(t, "2026-05-06T07:08:09.000Z", after.General.LastCheckIn)
	require.True(t, s.Touch(2, at))
	both, _ := s.Computer(2)
	require.Equal(t, both.General.ReportDate, both.General.LastContactTime, "a report is also a contact")
	require.False(t, s.CheckIn(3, at))
}

type mobilePage struct {
	TotalCount int `json:"totalCount"`
	Results    []struct {
		MobileDeviceID  string          `json:"mobileDeviceId"`
		DeviceType      string          `json:"deviceType"`
		General         json.RawMessage `json:"general"`
		Hardware        json.RawMessage `json:"hardware"`
		UserAndLocation json.RawMessage `json:"userAndLocation"`
		Applications    json.RawMessage `json:"applications"`
		Security        json.RawMessage `json:"security"`
	} `json:"results"`
}

func TestMobileInventory(t *testing.T) {
	t.Parallel()
	epoch := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := newClient(t, Options{MobileDevices: 12, Epoch: epoch})
	var p mobilePage
	c.get("/api/v2/mobile-devices/detail", url.Values{"sort": {"mobileDeviceId:asc"}, "filter": {"mobileDeviceId>4"}, "page-size": {"3"}}, http.StatusOK, &p)
	require.Equal(t, 8, p.TotalCount)
	require.Len(t, p.Results, 3)
	require.Equal(t, "5", p.Results[0].MobileDeviceID)
	require.Equal(t, "iOS", p.Results[0].DeviceType)
	require.NotEqual(t, "null", string(p.Results[0].General), "GENERAL is the default section")
	require.Equal(t, "null", string(p.Results[0].Hardware))
	require.Equal(t, "null", string(p.Results[0].Security))

	c.get("/api/v2/mobile-devices/detail", url.Values{"section": {"HARDWARE", "USER_AND_LOCATION", "APPLICATIONS"}, "sort": {"mobileDeviceId:desc"}}, http.StatusOK, &p)
	require.Equal(t, "12", p.Results[0].MobileDeviceID)
	require.Contains(t, string(p.Results[0].Hardware), `"serialNumber"`)
	require.Contains(t, string(p.Results[0].Applications), `"identifier"`)
	require.Equal(t, "null", string(p.Results[0].General))

	// The documented default order is displayName:asc.
	c.s.UpdateMobile(9, func(m *MobileDevice) { m.General.DisplayName = "AAA first by name" })
	c.get("/api/v2/mobile-devices/detail", url.Values{}, http.StatusOK, &p)
	require.Equal(t, "9", p.Results[0].MobileDeviceID)

	c.s.UpdateMobile(7, func(m *MobileDevice) { m.General.LastInventoryUpdateDate = "2026-01-02T00:00:00.000Z" })
	c.get("/api/v2/mobile-devices/detail", url.Values{"filter": {`mobileDeviceId>0;lastInventoryUpdateDate>="2026-01-01T12:00:00.000Z"`}}, http.StatusOK, &p)
	require.Equal(t, 1, p.TotalCount)
	require.Equal(t, "7", p.Results[0].MobileDeviceID)

	for _, q := range []url.Values{
		{"filter": {"id>0"}}, // computers' field, not documented here
		{"filter": {"lastContactTime>=2026-01-01"}},
		{"sort": {"id:asc"}},
		{"section": {"OPERATING_SYSTEM"}}, // a computer section
		{"page-size": {"0"}},
	} {
		c.get("/api/v2/mobile-devices/detail", q, http.StatusBadRequest, nil)
	}
	c.get("/api/v1/mobile-devices/detail", url.Values{}, http.StatusNotFound, nil)
	c.s.RemoveMobile(3)
	c.get("/api/v2/mobile-devices/3/detail", nil, http.StatusNotFound, nil)
	var one map[string]json.RawMessage
	c.get("/api/v2/mobile-devices/4/detail", nil, http.StatusOK, &one)
	require.NotEqual(t, "null", string(one["purchasing"]))

	anon := &client{t: t, s: c.s}
	anon.get("/api/v2/mobile-devices/detail", url.Values{}, http.StatusUnauthorized, nil)
	require.Equal(t, 11, c.s.Stats().MobileRequests, "every list request, refused ones included")
	require.Equal(t, 11, c.s.MobileLen())
}

// TestMalformPageWithKeyPaging: page n of a full listing is also the
// answer to id>N when N records precede it.
func TestMalformPageWithKeyPaging(t *testing.T) {
	t.Parallel()
	c := newClient(t, Options{Computers: 30, Apps: -1})
	c.s.MalformPage(1, HTML)
	c.get("/api/v1/computers-inventory", url.Values{"filter": {"id>0"}, "page-size": {"10"}}, http.StatusOK, &rawPage{})
	req, _ := http.NewRequest(http.MethodGet, c.s.URL+"/api/v1/computers-inventory?filter=id%3E10&page-size=10", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, "text/html", resp.Header.Get("Content-Type"))
	require.Equal(t, 1, c.s.Stats().Malformed)
}
