package syncjob

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
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
	"github.com/itam-dev/itam/internal/connector"
	"github.com/itam-dev/itam/internal/connectorcheck"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/jobs"
	"github.com/itam-dev/itam/internal/postgres"
)

// pushReq is one request the fake ITSM received.
type pushReq struct {
	Method, Path string
	Body         map[string]any
}

// fakeITSM records writes and answers them as told: the next statuses in
// fail (with a vendor message), and before answering it runs during (a
// change made while the push is in flight).
type fakeITSM struct {
	mu     sync.Mutex
	got    []pushReq
	fail   []int
	during func()
	srv    *httptest.Server
}

func newFakeITSM(t *testing.T) *fakeITSM {
	f := &fakeITSM{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		f.mu.Lock()
		f.got = append(f.got, pushReq{r.Method, r.URL.Path, body})
		status := http.StatusOK
		if len(f.fail) > 0 {
			status, f.fail = f.fail[0], f.fail[1:]
		}
		during := f.during
		f.during = nil
		f.mu.Unlock()
		if during != nil {
			during()
		}
		switch status {
		case http.StatusOK:
			_ = json.NewEncoder(w).Encode(map[string]string{"id": "created-1"})
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(status)
		default:
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "Location Atlantis is not a valid choice (request by svc:" + pushPassword + ")"})
		}
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeITSM) take() []pushReq {
	f.mu.Lock()
	defer f.mu.Unlock()
	got := f.got
	f.got = nil
	return got
}

// recordPusher is a connectors.Pusher over fakeITSM's small API: PATCH
// /records/{id} with the fields' values, POST /records to create.
type recordPusher struct{ base string }

func (p recordPusher) send(ctx context.Context, method, path string, r connectors.PushRecord) (string, error) {
	body := map[string]any{}
	for _, f := range r.Fields {
		switch f {
		case connectors.PushStatus:
			body["status"] = r.Status
		case connectors.PushLocation:
			body["location"] = r.Location
		case connectors.PushAssignee:
			body["assignee"] = r.AssigneeEmail
		case connectors.PushAssetTag:
			body["asset_tag"] = r.AssetTag
		case connectors.PushPurchase:
			body["order_number"] = r.OrderNumber
		}
	}
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, method, p.base+path, jsonReader(b))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	var out map[string]string
	_ = json.NewDecoder(res.Body).Decode(&out)
	switch {
	case res.StatusCode == http.StatusTooManyRequests:
		secs, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		return "", &connectors.RateLimitError{RetryAfter: time.Duration(secs) * time.Second}
	case res.StatusCode == http.StatusBadRequest:
		return "", &connectors.PushRefusedError{Status: res.StatusCode, URL: path, Message: out["error"]}
	case res.StatusCode == http.StatusForbidden:
		return "", &connectors.ForbiddenError{Endpoint: method + " " + path, Privilege: "itil", Message: out["error"]}
	case res.StatusCode >= 300:
		return "", &connectors.StatusError{Status: res.StatusCode}
	}
	return out["id"], nil
}

func (p recordPusher) PushRecord(ctx context.Context, r connectors.PushRecord) error {
	_, err := p.send(ctx, http.MethodPatch, "/records/"+r.ExternalID, r)
	return err
}

func (p recordPusher) CreateRecord(ctx context.Context, r connectors.PushRecord) (string, error) {
	return p.send(ctx, http.MethodPost, "/records", r)
}

// pushEnv is a ServiceNow connector pushing STATUS and LOCATION to a fake
// ITSM, with a linked asset, and a test worker for push jobs.
type pushEnv struct {
	*env
	itsm   *fakeITSM
	c      *itam.Connector
	assets *postgres.AssetStore
	asset  *itam.Asset
	loc    uuid.UUID
	work   *rivertest.Worker[jobs.PushArgs, pgx.Tx]
}

func newPushEnv(t *testing.T, create bool) *pushEnv {
	e := newEnv(t, 0)
	p := &pushEnv{env: e, itsm: newFakeITSM(t), assets: postgres.NewAssetStore(e.deps.DB)}
	e.deps.Pushers = func(kind connectors.Kind, cfg connectors.Config) (connectors.Pusher, error) {
		require.Equal(t, connectors.Kind("SERVICENOW"), kind)
		return recordPusher{base: cfg.BaseURL}, nil
	}
	e.deps.DB.SetPushEnqueuer(postgres.RiverEnqueuer{Client: e.insert})
	var err error
	p.c, _, err = connector.NewService(e.deps.Connectors, connectorcheck.Config).Create(e.admin, connector.Input{
		Kind: "SERVICENOW", Name: "ServiceNow", BaseURL: &p.itsm.srv.URL,
		Credentials: map[string]string{"username": "svc", "password": pushPassword},
		PushFields:  []string{"STATUS", "LOCATION"}, PushCreate: create,
	})
	require.NoError(t, err)
	ctx := context.Background()
	var model uuid.UUID
	require.NoError(t, e.owner.QueryRow(ctx, `WITH m AS (INSERT INTO manufacturers (org_id, name) VALUES ($1, 'Dell') RETURNING id),
		c AS (INSERT INTO categories (org_id, name, kind) VALUES ($1, 'Laptops', 'LAPTOP') RETURNING id)
		INSERT INTO models (org_id, name, manufacturer_id, category_id) SELECT $1, 'Latitude', m.id, c.id FROM m, c RETURNING id`, e.org).Scan(&model))
	require.NoError(t, e.owner.QueryRow(ctx, `INSERT INTO locations (org_id, kind, name) VALUES ($1, 'SITE', 'Paris') RETURNING id`, e.org).Scan(&p.loc))
	p.asset, err = p.assets.CreateAsset(e.admin, itam.AssetInput{ModelID: model, SerialNumber: ptrTo("SN-PUSH-1")}, nil)
	require.NoError(t, err)
	if !create {
		_, err = e.owner.Exec(ctx, `INSERT INTO asset_external_ids (org_id, asset_id, source, external_id, connector_id) VALUES ($1, $2, $3, 'ci-1', $4)`,
			e.org, p.asset.ID, p.c.Source(), p.c.ID)
		require.NoError(t, err)
	}
	w := &PushWorker{d: e.deps, store: postgres.NewPushStore(e.deps.DB)}
	p.work = rivertest.NewWorker(t, riverpgxv5.New(e.deps.DB.Pool), &river.Config{}, river.Worker[jobs.PushArgs](w))
	return p
}

// pushPassword is the connector's password, which a vendor message echoes.
const pushPassword = "pw-SECRET-push-91c2"

func ptrTo[T any](v T) *T { return &v }

// pushJobs counts the push jobs waiting for the asset.
func (p *pushEnv) pushJobs() int {
	return p.count(`SELECT count(*) FROM river_job WHERE kind = 'connector.push' AND state = 'available' AND args->>'asset_id' = $1`, p.asset.ID.String())
}

// run works one push job of the asset in its own transaction.
func (p *pushEnv) run() river.EventKind {
	p.t.Helper()
	ctx := context.Background()
	tx, err := p.deps.DB.Pool.Begin(ctx)
	require.NoError(p.t, err)
	defer tx.Rollback(ctx) //nolint:errcheck
	res, err := p.work.Work(ctx, p.t, tx, jobs.PushArgs{OrgID: p.org, ConnectorID: p.c.ID, AssetID: p.asset.ID}, nil)
	require.NoError(p.t, err)
	require.NoError(p.t, tx.Commit(ctx))
	return res.EventKind
}

func (p *pushEnv) transition(s itam.AssetStatus) {
	p.t.Helper()
	var err error
	p.asset, err = p.assets.TransitionAsset(p.admin, p.asset.ID, s, nil)
	require.NoError(p.t, err)
}

func (p *pushEnv) locate(loc uuid.UUID) {
	p.t.Helper()
	var err error
	p.asset, err = p.assets.UpdateAsset(p.admin, itam.AssetPatch{ID: p.asset.ID, Version: p.asset.Version, LocationID: itam.Some(loc)})
	require.NoError(p.t, err)
}

// TestPushOncePerCoalescedChange: two changes before the push runs are one
// job and one PATCH with both fields; running the job again (a retry)
// sends nothing.
func TestPushOncePerCoalescedChange(t *testing.T) {
	t.Parallel()
	p := newPushEnv(t, false)
	p.transition(itam.StatusInRepair)
	p.locate(p.loc)
	require.Equal(t, 1, p.pushJobs(), "the second change folded into the pending push")

	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Equal(t, []pushReq{{"PATCH", "/records/ci-1", map[string]any{"status": "IN_REPAIR", "location": "Paris"}}}, p.itsm.take())

	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Empty(t, p.itsm.take(), "a retried push finds the record up to date")

	p.transition(itam.StatusInStock)
	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Equal(t, []pushReq{{"PATCH", "/records/ci-1", map[string]any{"status": "IN_STOCK"}}}, p.itsm.take(), "only what changed")
}

// TestPushRefusedIsRecorded: a push the vendor refuses is not retried, shows
// on the asset and the connector with the vendor's message, and itam keeps
// its value; the next successful push clears it.
func TestPushRefusedIsRecorded(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusForbidden} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			p := newPushEnv(t, false)
			p.locate(p.loc)
			p.itsm.fail = []int{status}
			require.Equal(t, river.EventKindJobCancelled, p.run())
			require.Len(t, p.itsm.take(), 1)

			errs, err := postgres.NewPushStore(p.deps.DB).AssetPushErrors(p.admin, []uuid.UUID{p.asset.ID})
			require.NoError(t, err)
			require.Len(t, errs[p.asset.ID], 1)
			e := errs[p.asset.ID][0]
			require.Equal(t, status, e.HTTPStatus)
			require.Contains(t, e.Message, "Location Atlantis is not a valid choice")
			require.NotContains(t, e.Message, pushPassword, "a credential the vendor echoed is redacted")
			require.NotContains(t, p.logs.String(), pushPassword)
			require.Equal(t, []string{"STATUS", "LOCATION"}, e.Fields, "nothing was known of the record yet")
			got, err := p.assets.Asset(p.admin, p.asset.ID)
			require.NoError(t, err)
			require.Equal(t, &p.loc, got.LocationID, "nothing in itam is rolled back")
			require.Equal(t, p.asset.Version, got.Version)
			n, err := postgres.NewPushStore(p.deps.DB).CountConnectorPushErrors(p.admin, p.c.ID)
			require.NoError(t, err)
			require.Equal(t, 1, n)

			// Fixed at the vendor, the next change goes through and clears it.
			p.transition(itam.StatusInRepair)
			require.Equal(t, river.EventKindJobCompleted, p.run())
			require.Equal(t, map[string]any{"status": "IN_REPAIR", "location": "Paris"}, p.itsm.take()[0].Body, "the refused field is still owed")
			n, err = postgres.NewPushStore(p.deps.DB).CountConnectorPushErrors(p.admin, p.c.ID)
			require.NoError(t, err)
			require.Zero(t, n)
		})
	}
}

// TestPushRateLimitedSnoozes: a 429 snoozes the job as long as the vendor
// asks, and the push is still owed.
func TestPushRateLimitedSnoozes(t *testing.T) {
	t.Parallel()
	p := newPushEnv(t, false)
	p.transition(itam.StatusInRepair)
	p.itsm.fail = []int{http.StatusTooManyRequests}
	require.Equal(t, river.EventKindJobSnoozed, p.run())
	var at time.Time
	require.NoError(t, p.owner.QueryRow(context.Background(), `SELECT scheduled_at FROM river_job WHERE kind = 'connector.push' ORDER BY id DESC LIMIT 1`).Scan(&at))
	require.WithinDuration(t, time.Now().Add(30*time.Second), at, 10*time.Second)
	p.itsm.take()
	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Len(t, p.itsm.take(), 1)
}

// TestPushChangedWhileRunning: a change landing while the push is in
// flight (its job folded into the running one) makes the job run again.
func TestPushChangedWhileRunning(t *testing.T) {
	t.Parallel()
	p := newPushEnv(t, false)
	p.transition(itam.StatusInRepair)
	p.itsm.during = func() { p.locate(p.loc) }
	require.Equal(t, river.EventKindJobSnoozed, p.run())
	p.itsm.take()
	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Equal(t, []pushReq{{"PATCH", "/records/ci-1", map[string]any{"location": "Paris"}}}, p.itsm.take())
}

// TestPushCreatesRecord: with pushCreate an unlinked asset is created at
// the ITSM with every opted field and linked; the link then receives
// updates.
func TestPushCreatesRecord(t *testing.T) {
	t.Parallel()
	p := newPushEnv(t, true)
	p.transition(itam.StatusInRepair)
	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Equal(t, []pushReq{{"POST", "/records", map[string]any{"status": "IN_REPAIR", "location": ""}}}, p.itsm.take())
	require.Equal(t, 1, p.count(`SELECT count(*) FROM asset_external_ids WHERE connector_id = $1 AND external_id = 'created-1'`, p.c.ID))
	p.locate(p.loc)
	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Equal(t, []pushReq{{"PATCH", "/records/created-1", map[string]any{"location": "Paris"}}}, p.itsm.take())
}

func jsonReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// TestPulledValuesAreNotPushedBack: values pulled from the ITSM are what
// its record is believed to hold, so when itam comes to hold the same (a
// person sets it, or the pull applied it), nothing is pushed back.
func TestPulledValuesAreNotPushedBack(t *testing.T) {
	t.Parallel()
	p := newPushEnv(t, false)
	p.transition(itam.StatusInRepair)
	var run uuid.UUID
	require.NoError(t, p.owner.QueryRow(context.Background(), `INSERT INTO sync_runs (org_id, connector_id, mode, status)
		VALUES ($1, $2, 'FULL', 'RUNNING') RETURNING id`, p.org, p.c.ID).Scan(&run))
	sctx := worker(p.org, p.c.Name, itam.ActorConnector)
	_, err := p.deps.Sync.ApplyPage(sctx, postgres.SyncTarget{Connector: p.c, RunID: run},
		[]connectors.Device{{ExternalID: "ci-1", SerialNumber: "SN-PUSH-1", Status: "IN_REPAIR", Location: "Paris"}}, "")
	require.NoError(t, err)

	// The pull applied ServiceNow's location (the service desk ranks first
	// for it): itam now agrees with what ServiceNow said.
	p.asset, err = p.assets.Asset(p.admin, p.asset.ID)
	require.NoError(t, err)
	require.Equal(t, &p.loc, p.asset.LocationID)
	require.Equal(t, river.EventKindJobCompleted, p.run())
	require.Empty(t, p.itsm.take(), "nothing to push back")
}
