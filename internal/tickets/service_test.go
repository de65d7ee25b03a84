package tickets

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// memStore is a Store over one target; it checks that credentials open
// only for a system principal.
type memStore struct {
	t     *testing.T
	tg    *Target
	creds map[uuid.UUID]map[string]string
}

func (m *memStore) TicketTarget(_ context.Context, id uuid.UUID) (*Target, error) {
	if id != m.tg.Asset.ID {
		return nil, itam.NotFound("asset")
	}
	return m.tg, nil
}

func (m *memStore) ConnectorSecrets(ctx context.Context, id uuid.UUID) (*itam.ConnectorSecrets, error) {
	p, _ := itam.PrincipalFrom(ctx)
	require.Equal(m.t, itam.ActorSystem, p.ActorKind, "credentials open for the system only")
	for _, c := range m.tg.Connectors {
		if c.Connector.ID == id {
			return &itam.ConnectorSecrets{Connector: c.Connector, Credentials: m.creds[id]}, nil
		}
	}
	return nil, itam.NotFound("connector")
}

// memVendor is a Ticketer answering from memory or failing with err.
type memVendor struct {
	mu      sync.Mutex
	tickets []connectors.Ticket
	err     error
	calls   int
	created []connectors.NewTicket
}

func (v *memVendor) Tickets(context.Context, connectors.TicketRef, int) ([]connectors.Ticket, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	return v.tickets, v.err
}

func (v *memVendor) CreateTicket(_ context.Context, t connectors.NewTicket) (connectors.Ticket, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.err != nil {
		return connectors.Ticket{}, v.err
	}
	v.created = append(v.created, t)
	return connectors.Ticket{Number: "NEW"}, nil
}

// memOpener opens memVendors by connector id, counting builds.
type memOpener struct {
	mu     sync.Mutex
	byID   map[uuid.UUID]*memVendor
	builds int
}

func (o *memOpener) Open(sc *itam.ConnectorSecrets) (connectors.Ticketer, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.builds++
	v, ok := o.byID[sc.Connector.ID]
	if !ok {
		return nil, ErrNoTickets
	}
	return v, nil
}

// TestService: enabled connectors with tickets are asked, one failing
// connector is a failure beside the others' tickets, vendor clients are
// reused until their connector changes, and a ticket opened drops the
// asset's cached lists.
func TestService(t *testing.T) {
	at := func(d int) *time.Time { v := time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC); return &v }
	sn := conn("Desk", itam.ConnectorServiceNow, true, "sys-1")
	fs := conn("Fresh", itam.ConnectorFreshservice, true, "")
	off := conn("Off", itam.ConnectorJSMAssets, false, "")
	none := conn("None", itam.ConnectorJSMAssets, true, "")
	asset := &itam.Asset{ID: uuid.New(), AssetTag: "LAP-1"}
	store := &memStore{t: t, tg: &Target{Asset: asset, Connectors: []Connector{sn, fs, off, none}},
		creds: map[uuid.UUID]map[string]string{fs.Connector.ID: {"apiKey": "KEY-123456"}}}
	desk := &memVendor{tickets: []connectors.Ticket{{Number: "INC1", OpenedAt: at(1)}, {Number: "INC2", OpenedAt: at(3)}}}
	fresh := &memVendor{tickets: []connectors.Ticket{{Number: "#7", OpenedAt: at(2)}}}
	offV := &memVendor{}
	open := &memOpener{byID: map[uuid.UUID]*memVendor{sn.Connector.ID: desk, fs.Connector.ID: fresh, off.Connector.ID: offV}}
	svc := NewService(store, open, NewCache(time.Minute, nil), nil)
	ctx := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: uuid.New(), Role: itam.RoleAdmin, Subject: "admin@acme.test"})

	list, failures, err := svc.Tickets(ctx, asset.ID, nil)
	require.NoError(t, err)
	require.Empty(t, failures)
	var got []string
	for _, tk := range list {
		got = append(got, tk.Number)
		require.NotNil(t, tk.Connector, "ADMIN sees the connector")
	}
	require.Equal(t, []string{"INC2", "#7", "INC1"}, got)
	require.Zero(t, offV.calls, "a disabled connector is not asked")
	require.Equal(t, 3, open.builds) // desk, fresh, none (no tickets)

	// A failing vendor: the other's tickets, and its failure named.
	fresh.err = &connectors.StatusError{Status: 500}
	store.tg.Connectors[1].Connector = &itam.Connector{ID: fs.Connector.ID, Name: "Fresh", Kind: fs.Connector.Kind, Enabled: true, Version: 2}
	svc.cache.DropAsset(asset.ID)
	list, failures, err = svc.Tickets(ctx, asset.ID, nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Len(t, failures, 1)
	require.Equal(t, CodeUpstreamUnavailable, itam.ErrorCode(failures[0]))
	require.Contains(t, failures[0].Error(), `"Fresh"`)
	require.Equal(t, 4, open.builds, "only the changed connector is built again")

	// A MANAGER does not see the connector; an EMPLOYEE not their asset.
	mctx := itam.WithPrincipal(ctx, itam.Principal{OrgID: uuid.New(), Role: itam.RoleManager, Subject: "it@acme.test"})
	list, _, err = svc.Tickets(mctx, asset.ID, nil)
	require.NoError(t, err)
	require.Nil(t, list[0].Connector)
	ectx := itam.WithPrincipal(ctx, itam.Principal{OrgID: uuid.New(), Role: itam.RoleEmployee, Subject: "ada@acme.test"})
	_, _, err = svc.Tickets(ectx, asset.ID, nil)
	require.Equal(t, itam.CodeNotFound, itam.ErrorCode(err))

	// Creating goes to the linked connector, the caller as requester, and
	// the next list asks the vendors again.
	calls := desk.calls
	made, _, err := svc.Create(ctx, NewTicketInput{AssetID: asset.ID, Summary: " Fan "})
	require.NoError(t, err)
	require.Equal(t, "NEW", made.Number)
	require.Equal(t, sn.Connector.ID, made.ConnectorID)
	require.Equal(t, []connectors.NewTicket{{Ref: connectors.TicketRef{ExternalID: "sys-1", AssetTag: "LAP-1"}, Summary: "Fan",
		RequesterEmail: "admin@acme.test"}}, desk.created)
	_, _, err = svc.Tickets(ctx, asset.ID, nil)
	require.NoError(t, err)
	require.Equal(t, calls+1, desk.calls)

	// A refusal on create is the caller's: BAD_USER_INPUT, with the vendor's words.
	desk.err = &connectors.PushRefusedError{Status: 400, Message: "caller_id is mandatory"}
	_, _, err = svc.Create(ctx, NewTicketInput{AssetID: asset.ID, Summary: "x"})
	require.Equal(t, itam.CodeInvalid, itam.ErrorCode(err))
	require.ErrorContains(t, err, "caller_id is mandatory")
	require.False(t, errors.Is(err, context.Canceled))
}

func TestRequester(t *testing.T) {
	cases := []struct {
		p    itam.Principal
		want string
	}{
		{itam.Principal{Subject: "ada@example.com"}, "ada@example.com"},
		{itam.Principal{Subject: "ada@example.com", ActorKind: itam.ActorUser}, "ada@example.com"},
		{itam.Principal{Subject: "service-account"}, ""},
		{itam.Principal{Subject: "@example.com"}, ""},
		{itam.Principal{Subject: "ada@example.com", ActorKind: itam.ActorSystem}, ""},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, requester(tc.p), tc.p.Subject)
	}
}

// TestServiceRateLimit: once a vendor answers with a rate limit, it is not
// asked again until its Retry-After has passed (injected clock): the
// callers meanwhile get UPSTREAM_UNAVAILABLE with the time left, and the
// other connectors keep answering.
func TestServiceRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)}
	sn := conn("Desk", itam.ConnectorServiceNow, true, "sys-1")
	fs := conn("Fresh", itam.ConnectorFreshservice, true, "")
	asset := &itam.Asset{ID: uuid.New(), AssetTag: "LAP-1"}
	store := &memStore{t: t, tg: &Target{Asset: asset, Connectors: []Connector{sn, fs}}}
	desk := &memVendor{err: &connectors.RateLimitError{RetryAfter: 30 * time.Second}}
	fresh := &memVendor{tickets: []connectors.Ticket{{Number: "#7"}}}
	open := &memOpener{byID: map[uuid.UUID]*memVendor{sn.Connector.ID: desk, fs.Connector.ID: fresh}}
	// No cache: every lookup would reach the vendors.
	svc := NewService(store, open, NewCache(0, clk.now), nil)
	ctx := itam.WithPrincipal(context.Background(), itam.Principal{OrgID: uuid.New(), Role: itam.RoleManager, Subject: "it@acme.test"})

	steps := []struct {
		advance   time.Duration
		deskCalls int
		retry     time.Duration
	}{
		{0, 1, 30 * time.Second},
		{10 * time.Second, 1, 20 * time.Second},
		{19 * time.Second, 1, time.Second},
		{time.Second, 2, 30 * time.Second}, // waited out: asked again
	}
	for i, st := range steps {
		clk.add(st.advance)
		list, failures, err := svc.Tickets(ctx, asset.ID, nil)
		require.NoError(t, err, i)
		require.Len(t, list, 1, i)
		require.Len(t, failures, 1, i)
		var e *itam.Error
		require.ErrorAs(t, failures[0], &e)
		require.Equal(t, CodeUpstreamUnavailable, e.Code, i)
		require.Equal(t, st.retry, e.RetryAfter, i)
		require.Equal(t, st.deskCalls, desk.calls, i)
		require.Equal(t, i+1, fresh.calls, i)
	}
}
