package jamf_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jamf"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
)

// split separates computers (plain ids) from mobile devices ("mobile:<id>").
func split(t *testing.T, ds []connectors.Device) (computers, mobiles []string) {
	t.Helper()
	for _, d := range ds {
		if id, ok := strings.CutPrefix(d.ExternalID, "mobile:"); ok {
			mobiles = append(mobiles, id)
		} else {
			computers = append(computers, d.ExternalID)
		}
	}
	return computers, mobiles
}

func strs(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprint(i))
	}
	return out
}

func TestMobilePagingToTheEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		computers, mobiles, pageSize int
		mobileRequests               int
	}{
		{0, 0, 100, 1},   // empty tenant: one empty mobile page
		{5, 0, 100, 1},   // computers only
		{0, 7, 100, 1},   // phones only
		{3, 100, 100, 1}, // totalCount says the full first page is the last
		{3, 101, 100, 2},
		{25, 7, 2, 4}, // 2 2 2 1
	} {
		t.Run(fmt.Sprintf("%d+%d by %d", tc.computers, tc.mobiles, tc.pageSize), func(t *testing.T) {
			t.Parallel()
			s := jamftest.New(t, jamftest.Options{Computers: tc.computers, MobileDevices: tc.mobiles, Apps: -1})
			src := source(t, s, apiClient, withOption(jamf.OptPageSize, tc.pageSize))
			devices, pages := syncAll(t, src, full)
			computers, mobiles := split(t, devices)
			require.Equal(t, strs(1, tc.computers), computers, "computers first")
			require.Equal(t, strs(1, tc.mobiles), mobiles)
			require.Len(t, devices, tc.computers+tc.mobiles, "every mobile device after every computer")
			computerPages := max(1, (tc.computers+tc.pageSize-1)/tc.pageSize)
			require.Equal(t, computerPages+tc.mobileRequests-1, pages, "the first mobile page rides with the last computers page")
			reqs := s.MobileRequests()
			require.Len(t, reqs, tc.mobileRequests, "no request past the end")
			for i, r := range reqs {
				require.Equal(t, "v2", r.Version)
				require.Equal(t, "0", r.Query.Get("page"))
				require.Equal(t, fmt.Sprint(tc.pageSize), r.Query.Get("page-size"))
				require.Equal(t, fmt.Sprintf("mobileDeviceId>%d", i*tc.pageSize), r.Query.Get("filter"))
				require.Equal(t, []string{"mobileDeviceId:asc"}, r.Query["sort"])
				require.Equal(t, []string{"GENERAL", "HARDWARE", "USER_AND_LOCATION", "PURCHASING", "APPLICATIONS"}, r.Query["section"])
			}
		})
	}
}

func TestMobileMapping(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{MobileDevices: 2, Apps: -1})
	s.UpdateMobile(1, func(m *jamftest.MobileDevice) {
		m.General = jamftest.MobileGeneral{DisplayName: "Ava’s iPad", AssetTag: "MB-1", LastInventoryUpdateDate: "2026-02-03T04:05:06.789Z",
			OSVersion: "18.1", OSRapidSecurityResponse: "(a)"}
		m.Hardware = jamftest.MobileHardware{SerialNumber: "DMPXK1Q2W3E4", Model: "iPad Pro (11-inch) (4th generation)", ModelIdentifier: "iPad14,3"}
		m.UserAndLocation = jamftest.MobileUserAndLocation{Username: "aanderson", RealName: "Ava Anderson", EmailAddress: "Ava.Anderson@Example.com"}
		m.Purchasing = jamftest.MobilePurchasing{PoDate: "2025-03-01T00:00:00Z", WarrantyExpiresDate: "2027-03-01T00:00:00Z", PurchasePrice: "€1.099,00"}
		m.Applications = []jamftest.MobileApplication{{Identifier: "com.tinyspeck.chatlyio", Name: "Slack", Version: "24031", ShortVersion: "24.03"}}
	})
	s.UpdateMobile(2, func(m *jamftest.MobileDevice) {
		m.Hardware.Model, m.Hardware.ModelIdentifier = "iPhone 15 Pro", "iPhone16,1"
		m.UserAndLocation = jamftest.MobileUserAndLocation{Username: "bbecker"} // no real name
	})
	devices, _ := syncAll(t, source(t, s, userAccount), full)
	require.Len(t, devices, 2)
	at := func(v string) *time.Time {
		tm, err := time.Parse(time.RFC3339, v)
		require.NoError(t, err)
		return &tm
	}
	require.Equal(t, connectors.Device{
		ExternalID: "mobile:1", SerialNumber: "DMPXK1Q2W3E4", Name: "Ava’s iPad", Manufacturer: "Apple",
		Model: "iPad Pro (11-inch) (4th generation)", ModelIdentifier: "iPad14,3", OSName: "iPadOS", OSVersion: "18.1 (a)",
		UserEmail: "Ava.Anderson@Example.com", UserName: "Ava Anderson", LastCheckIn: at("2026-02-03T04:05:06.789Z"), AssetTag: "MB-1",
		PurchaseDate: at("2025-03-01T00:00:00Z"), PurchasePrice: "1099.00", PurchaseCurrency: "EUR", WarrantyEnd: at("2027-03-01T00:00:00Z"),
		Software: []connectors.Software{{Title: "Slack", Version: "24.03", Identifier: "com.tinyspeck.chatlyio"}},
		Category: "TABLET",
	}, devices[0])
	require.Equal(t, "PHONE", devices[1].Category)
	require.Equal(t, "iOS", devices[1].OSName)
	require.Equal(t, "bbecker", devices[1].UserName)

	// Without software, the APPLICATIONS section is not asked and software is unknown.
	s.ResetStats()
	devices, _ = syncAll(t, source(t, s, apiClient, withOption(jamf.OptIncludeSoftware, false)), full)
	require.Nil(t, devices[0].Software)
	require.NotContains(t, s.MobileRequests()[0].Query["section"], "APPLICATIONS")
}

// TestMobileChangesMidRunSkipNothing is TestChangesMidRunSkipNothing for
// the mobile phase.
func TestMobileChangesMidRunSkipNothing(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{MobileDevices: 12, Apps: -1})
	src := source(t, s, apiClient, withOption(jamf.OptPageSize, 4))
	req := full
	seen := map[string]bool{}
	for pages := 0; ; pages++ {
		require.Less(t, pages, 20, "runaway paging")
		p, err := src.FetchPage(context.Background(), req)
		require.NoError(t, err)
		for _, d := range p.Devices {
			seen[d.ExternalID] = true
		}
		if p.Done {
			break
		}
		if pages == 0 {
			require.True(t, s.RemoveMobile(1))
			require.True(t, s.RemoveMobile(2))
			require.True(t, s.RemoveMobile(10))
			require.Equal(t, 13, s.AddMobile(jamftest.MobileDevice{}))
		}
		req.Cursor = p.NextCursor
	}
	for id := 1; id <= 13; id++ {
		_, exists := s.Mobile(id)
		if exists {
			require.True(t, seen[fmt.Sprint("mobile:", id)], "mobile device %d exists and was not seen", id)
		}
	}
	require.False(t, seen["mobile:10"])
}

// TestResumeInTheMobilePhase: a run interrupted after a mobile page
// resumes with the mobile devices, not with the computers.
func TestResumeInTheMobilePhase(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 5, MobileDevices: 9, Apps: -1})
	src := source(t, s, apiClient, withOption(jamf.OptPageSize, 5))
	p0, err := src.FetchPage(context.Background(), full)
	require.NoError(t, err)
	computers, mobiles := split(t, p0.Devices)
	require.Equal(t, strs(1, 5), computers)
	require.Equal(t, strs(1, 5), mobiles, "the last computers page carries the first mobile page")
	require.False(t, p0.Done)

	s.ResetStats()
	other := source(t, s, userAccount, withOption(jamf.OptPageSize, 50)) // another worker
	rest, _ := syncAll(t, other, connectors.PageRequest{Mode: connectors.Full, Cursor: p0.NextCursor})
	computers, mobiles = split(t, rest)
	require.Empty(t, computers)
	require.Equal(t, strs(6, 9), mobiles)
	require.Empty(t, s.Requests(), "no computer asked again")
	require.Equal(t, "mobileDeviceId>5", s.MobileRequests()[0].Query.Get("filter"))
	require.Equal(t, "5", s.MobileRequests()[0].Query.Get("page-size"), "the page size of the run, not of the new worker")
}

func TestMobileFaults(t *testing.T) {
	t.Parallel()
	t.Run("429 with Retry-After", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{MobileDevices: 3, Apps: -1})
		src := source(t, s, apiClient, withOption(jamf.OptMobileDevices, "true"))
		_, err := src.FetchDevice(context.Background(), "mobile:1") // token settled first
		require.NoError(t, err)
		s.RateLimitNext(2, "0.05")
		devices, _ := syncAll(t, src, full)
		_, mobiles := split(t, devices)
		require.Equal(t, strs(1, 3), mobiles)
		require.Equal(t, 2, s.Stats().RateLimited)
	})
	t.Run("token expired mid-run", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{MobileDevices: 6, Apps: -1})
		src := source(t, s, apiClient, withOption(jamf.OptPageSize, 3))
		p0, err := src.FetchPage(context.Background(), full)
		require.NoError(t, err)
		s.ExpireTokens()
		rest, _ := syncAll(t, src, connectors.PageRequest{Mode: connectors.Full, Cursor: p0.NextCursor})
		_, mobiles := split(t, append(p0.Devices, rest...))
		require.Equal(t, strs(1, 6), mobiles)
		require.Equal(t, 1, s.Stats().Unauthorized)
	})
	t.Run("credentials revoked: 401", func(t *testing.T) {
		t.Parallel()
		s := jamftest.New(t, jamftest.Options{MobileDevices: 6, Apps: -1})
		src := source(t, s, apiClient, withOption(jamf.OptPageSize, 3))
		p0, err := src.FetchPage(context.Background(), full)
		require.NoError(t, err)
		s.RevokeCredentials()
		_, err = src.FetchPage(context.Background(), connectors.PageRequest{Mode: connectors.Full, Cursor: p0.NextCursor})
		require.True(t, errors.Is(err, connectors.ErrUnauthorized), "%v", err)
		require.NotContains(t, err.Error(), s.ClientSecret)
	})
}

func TestMobileDevicesOption(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 3, MobileDevices: 3, Apps: -1})
	devices, pages := syncAll(t, source(t, s, apiClient, withOption(jamf.OptMobileDevices, false)), full)
	require.Equal(t, []int{1, 2, 3}, ids(devices))
	require.Equal(t, 1, pages)
	require.Empty(t, s.MobileRequests(), "turned off: never asked")

	_, err := jamf.New(connectors.Config{BaseURL: s.URL, Credentials: credentials(s, apiClient),
		Options: map[string]any{jamf.OptMobileDevices: "sometimes"}})
	var ce *connectors.ConfigError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "options.mobileDevices", ce.Field)
}

func TestFetchMobileDevice(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 5, MobileDevices: 5, Apps: -1})
	s.RemoveMobile(4)
	src := source(t, s, apiClient)

	d, err := src.FetchDevice(context.Background(), "mobile:3")
	require.NoError(t, err)
	require.NotNil(t, d)
	m, _ := s.Mobile(3)
	require.Equal(t, "mobile:3", d.ExternalID)
	require.Equal(t, m.Hardware.SerialNumber, d.SerialNumber)
	require.Equal(t, `mobileDeviceId=="3"`, s.MobileRequests()[0].Query.Get("filter"))

	// Computer 3 and mobile device 3 are different devices.
	c, err := src.FetchDevice(context.Background(), "3")
	require.NoError(t, err)
	cc, _ := s.Computer(3)
	require.Equal(t, "3", c.ExternalID)
	require.Equal(t, cc.Hardware.SerialNumber, c.SerialNumber)
	require.NotEqual(t, d.SerialNumber, c.SerialNumber)

	for _, gone := range []string{"mobile:4", "mobile:99", "mobile:", "mobile:x", "mobile:3;id>0", "mobile:mobile:3"} {
		d, err := src.FetchDevice(context.Background(), gone)
		require.NoError(t, err, gone)
		require.Nil(t, d, gone)
	}
}

// TestNoMobileInventoryOnTheServer: a Jamf Pro without the v2 mobile
// inventory (404) ends the run after the computers instead of failing it.
func TestNoMobileInventoryOnTheServer(t *testing.T) {
	t.Parallel()
	srv := serveFile(t, "/api/v1/computers-inventory", "computers-inventory-v1.json")
	p, err := staticSource(t, srv.URL, "v1").FetchPage(context.Background(), full)
	require.NoError(t, err)
	require.True(t, p.Done)
	require.Len(t, p.Devices, 1)
}
