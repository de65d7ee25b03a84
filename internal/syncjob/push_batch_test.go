package syncjob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertest"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/lifecycle"
	"github.com/itam-dev/itam/internal/postgres"
)

// callPusher is a BatchPusher that records its calls and refuses the
// records named in refuse.
type callPusher struct {
	max    int
	refuse map[string]error
	mu     sync.Mutex
	calls  [][]string
}

func (p *callPusher) MaxBatch() int { return p.max }
func (p *callPusher) PushRecord(context.Context, connectors.PushRecord) error {
	return errors.New("PushRecord must not be called: the vendor batches")
}
func (p *callPusher) CreateRecord(context.Context, connectors.PushRecord) (string, error) {
	return "", errors.New("not used")
}
func (p *callPusher) PushRecords(_ context.Context, rs []connectors.PushRecord) []error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	errs := make([]error, len(rs))
	for i, r := range rs {
		ids = append(ids, r.ExternalID)
		errs[i] = p.refuse[r.ExternalID]
	}
	sort.Strings(ids)
	p.calls = append(p.calls, ids)
	return errs
}

// never is a window that does not end: a batch goes when it is full.
func never(time.Duration) <-chan time.Time { return nil }

// TestPushBatcherSendsFullBatchOnce: jobs of one connector joining a batch
// are one PushRecords call when the batch is full, and each gets its own
// record's result; another connector's jobs batch apart.
func TestPushBatcherSendsFullBatchOnce(t *testing.T) {
	t.Parallel()
	refused := &connectors.PushRefusedError{Status: 403, Message: "no"}
	p := &callPusher{max: 100, refuse: map[string]error{"r2": refused}}
	b := newPushBatcher(time.Hour, 4)
	b.after = never
	got := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, id := range []string{"r1", "r2", "r3", "r4", "other-1", "other-2"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			key, lim := "c1", p
			if id[0] == 'o' {
				key, lim = "c2", &callPusher{max: 2}
			}
			err := b.push(context.Background(), key, lim, connectors.PushRecord{ExternalID: id})
			mu.Lock()
			got[id] = err
			mu.Unlock()
		}()
	}
	wg.Wait()
	require.Equal(t, [][]string{{"r1", "r2", "r3", "r4"}}, p.calls, "one call for the four")
	require.Equal(t, map[string]error{"r1": nil, "r2": refused, "r3": nil, "r4": nil, "other-1": nil, "other-2": nil}, got)
}

// TestPushBatcherWindow: a batch that does not fill goes when its window
// ends, with every job that joined meanwhile; the next job opens another.
func TestPushBatcherWindow(t *testing.T) {
	t.Parallel()
	p := &callPusher{max: 100}
	b := newPushBatcher(time.Hour, 50)
	window := make(chan time.Time)
	b.after = func(time.Duration) <-chan time.Time { return window }
	sizes := make(chan int, 10)
	b.joined = func(n int) { sizes <- n }
	errs := make(chan error, 10)
	for _, id := range []string{"a", "b", "c"} {
		go func() { errs <- b.push(context.Background(), "c1", p, connectors.PushRecord{ExternalID: id}) }()
		<-sizes // joined before the next starts
	}
	close(window)
	for range 3 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, [][]string{{"a", "b", "c"}}, p.calls)
	other := &callPusher{max: 100}
	require.NoError(t, b.push(context.Background(), "c1", other, connectors.PushRecord{ExternalID: "d"}))
	require.Equal(t, 1, <-sizes, "a new batch")
	require.Equal(t, [][]string{{"a", "b", "c"}, {"d"}}, p.calls, "through the connector's first pusher (its token)")
	require.Empty(t, other.calls)
}

// batchEnv is a SERVICENOW connector pushing ASSIGNEE to the fake
// instance, n assets linked to its CIs and n people it knows.
type batchEnv struct {
	*env
	sn     *servicenowtest.Server
	c      *itam.Connector
	assets []uuid.UUID
	people []uuid.UUID
	w      *PushWorker
	work   *rivertest.Worker[jobs.PushArgs, pgx.Tx]
}

func newBatchEnv(t *testing.T, n int) *batchEnv {
	e := newEnv(t, 0)
	b := &batchEnv{env: e, sn: servicenowtest.New(t, servicenowtest.Options{Records: n, Users: n + 2})}
	e.deps.Pushers = func(kind connectors.Kind, cfg connectors.Config) (connectors.Pusher, error) {
		cfg.MaxInlineWait, cfg.RetryBaseWait = time.Second, time.Millisecond // a 429 of 120 s is the job's
		src, err := connectors.New(kind, cfg)
		if err != nil {
			return nil, err
		}
		return src.(connectors.Pusher), nil
	}
	e.deps.DB.SetPushEnqueuer(postgres.RiverEnqueuer{Client: e.insert})
	o := b.sn.Options()
	var err error
	b.c, _, err = connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "SERVICENOW", Name: "ServiceNow", BaseURL: &b.sn.URL,
		Credentials: map[string]string{"clientId": o.ClientID, "clientSecret": o.ClientSecret},
		PushFields:  []string{"ASSIGNEE"},
	})
	require.NoError(t, err)
	ctx := context.Background()
	var model uuid.UUID
	require.NoError(t, e.owner.QueryRow(ctx, `WITH m AS (INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Dell') RETURNING id),
		c AS (INSERT INTO categories (org_id, name, kind) VALUES ($1, 'Laptops', 'LAPTOP') RETURNING id)
		INSERT INTO models (org_id, name, manufacturer_id, category_id) SELECT $1, 'Latitude', m.id, c.id FROM m, c RETURNING id`, e.org).Scan(&model))
	store := postgres.NewAssetStore(e.deps.DB)
	for i := range n + 1 {
		var id uuid.UUID
		require.NoError(t, e.owner.QueryRow(ctx, `INSERT INTO people (org_id, name, email) VALUES ($1, $2, $3) RETURNING id`,
			e.org, fmt.Sprintf("User %d", i+1), servicenowtest.UserEmail(i+1)).Scan(&id))
		b.people = append(b.people, id)
	}
	for i := range n {
		a, err := store.CreateAsset(e.admin, itam.AssetInput{ModelID: model}, nil)
		require.NoError(t, err)
		_, err = e.owner.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id) VALUES ($1, $2, $3, $4, $5)`,
			e.org, a.ID, b.c.Source(), servicenowtest.RecordID(i), b.c.ID)
		require.NoError(t, err)
		b.assets = append(b.assets, a.ID)
	}
	b.w = &PushWorker{d: e.deps, store: postgres.NewPushStore(e.deps.DB), batches: newPushBatcher(time.Hour, n)}
	b.w.batches.after = never
	b.work = rivertest.NewWorker(t, riverpgxv5.New(e.deps.DB.Pool), &river.Config{}, river.Worker[jobs.PushArgs](b.w))
	return b
}

// assign hands asset i to person p in itam, which queues its push.
func (b *batchEnv) assign(i, p int) {
	b.t.Helper()
	pid := b.people[p]
	_, err := postgres.NewAssetStore(b.deps.DB).CheckOutAsset(b.admin, b.assets[i], lifecycle.AssignRequest{To: itam.Assignee{PersonID: &pid}, Reassign: true}, nil)
	require.NoError(b.t, err)
}

// runAll works the push jobs of assets at once, each in its own
// transaction, and returns what each ended as.
func (b *batchEnv) runAll(assets ...int) map[int]river.EventKind {
	b.t.Helper()
	out := map[int]river.EventKind{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, i := range assets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.Background()
			tx, err := b.deps.DB.Pool.Begin(ctx)
			if !assert(b.t, err) {
				return
			}
			defer tx.Rollback(ctx) //nolint:errcheck
			res, err := b.work.Work(ctx, b.t, tx, jobs.PushArgs{OrgID: b.org, ConnectorID: b.c.ID, AssetID: b.assets[i]}, nil)
			if !assert(b.t, err) || !assert(b.t, tx.Commit(ctx)) {
				return
			}
			mu.Lock()
			out[i] = res.EventKind
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// assert reports err from a goroutine, where require cannot stop the test.
func assert(t *testing.T, err error) bool {
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}

// TestPushJobsShareOneBatchRequest: three push jobs of one ServiceNow
// connector running together are one Batch API request; each job ends by
// its own record's answer: a 403 on one call is recorded on that asset
// only, with ServiceNow's message, and nothing in itam is rolled back. A
// 429 on the whole batch snoozes every job in it.
func TestPushJobsShareOneBatchRequest(t *testing.T) {
	t.Parallel()
	b := newBatchEnv(t, 3)
	for i := range 3 {
		b.assign(i, i)
	}
	b.sn.Fail(http.MethodPatch, "/api/now/table/cmdb_ci_computer/"+servicenowtest.RecordID(2), 1, http.StatusForbidden,
		"Operation Failed", "ACL Exception Update Failed due to security constraints")

	got := b.runAll(0, 1, 2)
	require.Equal(t, map[int]river.EventKind{0: river.EventKindJobCompleted, 1: river.EventKindJobCompleted, 2: river.EventKindJobCancelled}, got)
	st := b.sn.Stats()
	require.Equal(t, 1, st.Batches, "one request for the three")
	require.Equal(t, 3, st.BatchCalls)
	for i := range 2 {
		patches := b.sn.RequestsTo(http.MethodPatch, "/api/now/table/cmdb_ci_computer/"+servicenowtest.RecordID(i))
		require.Len(t, patches, 1)
		require.JSONEq(t, `{"assigned_to":"`+servicenowtest.UserID(i+1)+`"}`, patches[0].Body)
	}
	errs, err := postgres.NewPushStore(b.deps.DB).AssetPushErrors(b.admin, b.assets)
	require.NoError(t, err)
	require.Empty(t, errs[b.assets[0]], "only the refused record's asset")
	require.Empty(t, errs[b.assets[1]])
	require.Len(t, errs[b.assets[2]], 1)
	require.Equal(t, http.StatusForbidden, errs[b.assets[2]][0].HTTPStatus)
	require.Contains(t, errs[b.assets[2]][0].Message, "ACL Exception Update Failed due to security constraints")
	a, err := postgres.NewAssetStore(b.deps.DB).Asset(b.admin, b.assets[2])
	require.NoError(t, err)
	require.Equal(t, &b.people[2], a.AssignedPersonID, "nothing in itam is rolled back")

	// Run again: the written records are up to date, nothing is sent.
	require.Equal(t, map[int]river.EventKind{0: river.EventKindJobCompleted, 1: river.EventKindJobCompleted}, b.runAll(0, 1))
	require.Equal(t, 1, b.sn.Stats().Batches)

	// A 429 on the batch: every job in it waits as told.
	b.assign(0, 3)
	b.assign(1, 3)
	b.w.batches.limit = 2
	b.sn.Throttle(servicenowtest.BatchPath, 1, "120")
	require.Equal(t, map[int]river.EventKind{0: river.EventKindJobSnoozed, 1: river.EventKindJobSnoozed}, b.runAll(0, 1))
	require.Equal(t, 1, b.sn.Stats().Batches, "the throttled batch was not served")
	require.Equal(t, map[int]river.EventKind{0: river.EventKindJobCompleted, 1: river.EventKindJobCompleted}, b.runAll(0, 1))
	require.Equal(t, 2, b.sn.Stats().Batches)
	require.Equal(t, servicenowtest.UserID(4), b.sn.Get("cmdb_ci_computer", servicenowtest.RecordID(0))["assigned_to"])
}

// TestUnbatchedPushesAtMostThreeAtOnce: vendors without a batch API (and
// record creations) keep at most singlePushes requests under way per
// process, however many push workers run.
func TestUnbatchedPushesAtMostThreeAtOnce(t *testing.T) {
	t.Parallel()
	w := &PushWorker{}
	var releases []func()
	for range singlePushes {
		release, err := w.oneAtATime(context.Background())
		require.NoError(t, err)
		releases = append(releases, release)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := w.oneAtATime(ctx)
	require.ErrorIs(t, err, context.Canceled, "a fourth waits for a slot")
	releases[0]()
	release, err := w.oneAtATime(context.Background())
	require.NoError(t, err)
	release()
}
