package servicenow_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
)

func batchPusher(t *testing.T, srv *servicenowtest.Server, mutate ...func(*connectors.Config)) connectors.BatchPusher {
	t.Helper()
	return newSource(t, srv, clientCreds, mutate...).(connectors.BatchPusher)
}

func assign(i int, email string) connectors.PushRecord {
	return connectors.PushRecord{ExternalID: servicenowtest.RecordID(i), Fields: []connectors.PushField{connectors.PushAssignee}, AssigneeEmail: email}
}

// TestPushRecordsInOneBatch: five assignee changes are one Batch API
// request (and one sys_user lookup for every email), counted once by the
// instance's rate limit; each record gets its own answer: written, refused
// for an unknown user (without a lookup of its own), refused by an ACL
// with ServiceNow's message, which changes only that record.
func TestPushRecordsInOneBatch(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 5, Users: 5})
	p := batchPusher(t, srv)
	srv.Fail(http.MethodPatch, ciPath+servicenowtest.RecordID(4), 1, http.StatusForbidden,
		"Operation Failed", "ACL Exception Update Failed due to security constraints")
	// Two requests a second: the token comes first, then a lookup and one
	// batch; five calls counted one by one would be throttled.
	_, err := p.(connectors.PeopleSource).FetchPeoplePage(context.Background(), connectors.PageRequest{Mode: connectors.Full})
	require.NoError(t, err) // the token, before the limit
	srv.LimitRate(2)
	before := srv.Stats()
	rs := []connectors.PushRecord{assign(0, "user00001@example.com"), assign(1, "USER00002@example.com"),
		assign(2, "user00001@example.com"), assign(3, "nobody@example.com"), assign(4, "user00003@example.com")}
	errs := p.PushRecords(context.Background(), rs)
	require.Len(t, errs, 5)
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.NoError(t, errs[2])
	var refused *connectors.PushRefusedError
	require.ErrorAs(t, errs[3], &refused)
	require.Equal(t, http.StatusNotFound, refused.Status)
	require.Contains(t, refused.Message, `no user with the email "nobody@example.com"`)
	require.ErrorAs(t, errs[4], &refused)
	require.Equal(t, http.StatusForbidden, refused.Status)
	require.Contains(t, refused.Message, "ACL Exception Update Failed due to security constraints")

	after := srv.Stats()
	require.Equal(t, 1, after.Batches-before.Batches)
	require.Equal(t, 4, after.BatchCalls-before.BatchCalls, "the unknown user is not sent")
	require.Zero(t, after.Throttled-before.Throttled, "a batch is one request for the rate limit")
	require.Len(t, srv.RequestsTo(http.MethodGet, "/api/now/table/sys_user"), 2, "the people page, then one lookup for the batch")
	for i, user := range map[int]int{0: 1, 1: 2, 2: 1} {
		patches := srv.RequestsTo(http.MethodPatch, ciPath+servicenowtest.RecordID(i))
		require.Len(t, patches, 1)
		require.Equal(t, map[string]string{"assigned_to": servicenowtest.UserID(user)}, body(t, patches[0]))
		require.Equal(t, servicenowtest.UserID(user), srv.Get("cmdb_ci_computer", servicenowtest.RecordID(i))["assigned_to"])
	}
	require.NotEqual(t, servicenowtest.UserID(3), srv.Get("cmdb_ci_computer", servicenowtest.RecordID(4))["assigned_to"], "refused: unchanged")

	// Cached now: the same changes again ask no lookup.
	errs = p.PushRecords(context.Background(), rs[:3])
	require.Equal(t, []error{nil, nil, nil}, errs)
	require.Len(t, srv.RequestsTo(http.MethodGet, "/api/now/table/sys_user"), 2)
}

// TestPushRecordsBatchFailures: a 429 on the batch beyond the inline wait
// is every record's rate limit; calls the batch left unserviced (a size or
// processing limit) come back as retryable errors, the serviced ones
// written.
func TestPushRecordsBatchFailures(t *testing.T) {
	t.Parallel()
	srv := servicenowtest.New(t, servicenowtest.Options{Records: 3, Users: 5})
	p := batchPusher(t, srv, func(c *connectors.Config) { c.MaxInlineWait = time.Second })
	rs := []connectors.PushRecord{assign(0, "user00001@example.com"), assign(1, "user00002@example.com"), assign(2, "")}

	srv.Throttle(servicenowtest.BatchPath, 1, "120")
	errs := p.PushRecords(context.Background(), rs)
	for _, err := range errs {
		var rl *connectors.RateLimitError
		require.ErrorAs(t, err, &rl)
		require.Equal(t, 120*time.Second, rl.RetryAfter)
	}
	require.Empty(t, srv.RequestsTo(http.MethodPatch, ciPath+servicenowtest.RecordID(0)))

	srv.ServeAtMost(2)
	errs = p.PushRecords(context.Background(), rs)
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])
	require.Error(t, errs[2])
	require.Contains(t, errs[2].Error(), "unserviced")
	var refused *connectors.PushRefusedError
	var rl *connectors.RateLimitError
	require.False(t, errors.As(errs[2], &refused) || errors.As(errs[2], &rl), "retried, not refused")
	require.Empty(t, srv.RequestsTo(http.MethodPatch, ciPath+servicenowtest.RecordID(2)), "unserviced: never ran")
}

// TestPushRecordsWithoutBatchAPI: an instance that refuses the Batch API
// itself (403 to the account, or 400/404 from a proxy) gets one PATCH per
// record, each with its own answer.
func TestPushRecordsWithoutBatchAPI(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusForbidden, http.StatusNotFound, http.StatusBadRequest} {
		srv := servicenowtest.New(t, servicenowtest.Options{Records: 2, Users: 5})
		p := batchPusher(t, srv)
		srv.Fail(http.MethodPost, servicenowtest.BatchPath, 1, status, "Operation Failed", "the batch was refused")
		srv.Fail(http.MethodPatch, ciPath+servicenowtest.RecordID(1), 1, http.StatusBadRequest, "Invalid value", "no")
		errs := p.PushRecords(context.Background(), []connectors.PushRecord{assign(0, "user00001@example.com"), assign(1, "user00002@example.com")})
		require.NoError(t, errs[0], status)
		var refused *connectors.PushRefusedError
		require.ErrorAs(t, errs[1], &refused)
		require.Contains(t, refused.Message, "Invalid value")
		require.Equal(t, servicenowtest.UserID(1), srv.Get("cmdb_ci_computer", servicenowtest.RecordID(0))["assigned_to"])
		require.Len(t, srv.RequestsTo(http.MethodPatch, ciPath+servicenowtest.RecordID(0)), 1)
	}
}
