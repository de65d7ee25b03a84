package jamf_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/jamf"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
)

// TestChangesMidRunSkipNothing: computers enrolled and deleted between two
// pages of one full sync, before and after the position reached, make the
// sync skip no computer that exists: offset paging would shift the later
// pages by the deletions behind it and never see the computers that moved
// into the pages already read, which the full sync would then mark
// missing.
func TestChangesMidRunSkipNothing(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 30, Apps: -1})
	src := source(t, s, apiClient, withOption(jamf.OptPageSize, 10))

	req := connectors.PageRequest{Mode: connectors.Full}
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
		if pages == 0 { // between the first and second page
			require.True(t, s.Remove(2))
			require.True(t, s.Remove(3))  // two records behind the position
			require.True(t, s.Remove(25)) // one ahead
			s.Add(jamftest.Computer{General: jamftest.General{Name: "Enrolled mid-run"}})
		}
		req.Cursor = p.NextCursor
	}
	var missed []int
	for id := 1; id <= 31; id++ {
		if _, exists := s.Computer(id); exists && !seen[strconv.Itoa(id)] {
			missed = append(missed, id)
		}
	}
	require.Empty(t, missed, "every computer that exists at the end was seen: a full sync marks none of them missing")
	require.False(t, seen["25"], "deleted before its page was read")
	require.True(t, seen["31"], "enrolled mid-run, after the position")
}

// TestNotOffsetPaged: both phases page by key, so one full sync that did
// not see a device is enough to mark it missing; the source must not
// claim connectors.OffsetPaging, which would delay that to two.
func TestNotOffsetPaged(t *testing.T) {
	t.Parallel()
	s := jamftest.New(t, jamftest.Options{Computers: 1})
	_, offset := source(t, s, apiClient).(connectors.OffsetPaging)
	require.False(t, offset)
}
