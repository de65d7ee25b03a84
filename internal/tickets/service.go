package tickets

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
)

// CallTimeout bounds one vendor call made for a GraphQL request.
const CallTimeout = 15 * time.Second

// Store loads what tickets need (internal/postgres.TicketStore).
type Store interface {
	// TicketTarget is asset id as the caller sees it (NOT_FOUND when they
	// do not), their person id, and the organization's ITSM connectors
	// with the asset's links.
	TicketTarget(ctx context.Context, assetID uuid.UUID) (*Target, error)
	// ConnectorSecrets opens a connector's credentials; only a system
	// principal may call it.
	ConnectorSecrets(ctx context.Context, id uuid.UUID) (*itam.ConnectorSecrets, error)
}

// Opener builds the vendor client of a connector: ErrNoTickets when its
// vendor does not open tickets. Production: connectorcheck.TicketOpener.
type Opener interface {
	Open(sc *itam.ConnectorSecrets) (connectors.Ticketer, error)
}

// Service lists and opens tickets under this package's rules.
type Service struct {
	store  Store
	open   Opener
	cache  *Cache
	log    *slog.Logger
	mu     sync.Mutex
	opened map[uuid.UUID]openedVendor
	// limited holds, per connector, until when its vendor asked us to
	// wait (a rate limit): until then it is not asked again, so a page of
	// assets showing tickets costs the limited vendor one call, not one
	// per asset.
	limited map[uuid.UUID]time.Time
}

// maxLimitedWait caps how long a vendor's Retry-After silences it here.
const maxLimitedWait = 5 * time.Minute

// openedVendor is a built vendor client, kept while its connector's
// version is unchanged so an OAuth token is reused across requests.
type openedVendor struct {
	version  int
	ticketer connectors.Ticketer // nil: the vendor has no tickets
	creds    map[string]string   // to redact what the vendor says
}

// maxOpened bounds the kept vendor clients (one per ITSM connector).
const maxOpened = 1000

// NewService returns a Service; cache may be shared by several services.
func NewService(store Store, open Opener, cache *Cache, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, open: open, cache: cache, log: log, opened: map[uuid.UUID]openedVendor{}, limited: map[uuid.UUID]time.Time{}}
}

// vendor returns connector c's client, building it when c changed. The
// credentials open only for the system, acting for the caller's
// organization; the caller never holds them.
func (s *Service) vendor(ctx context.Context, p itam.Principal, c *itam.Connector) (openedVendor, error) {
	s.mu.Lock()
	v, ok := s.opened[c.ID]
	s.mu.Unlock()
	if ok && v.version == c.Version {
		return v, nil
	}
	sys := itam.WithPrincipal(ctx, itam.Principal{OrgID: p.OrgID, Role: itam.RoleAdmin, Subject: "tickets:" + p.Subject, ActorKind: itam.ActorSystem})
	sc, err := s.store.ConnectorSecrets(sys, c.ID)
	if err != nil {
		return openedVendor{}, err
	}
	t, err := s.open.Open(sc)
	if err != nil && !errors.Is(err, ErrNoTickets) {
		return openedVendor{creds: sc.Credentials}, err
	}
	v = openedVendor{version: sc.Connector.Version, ticketer: t, creds: sc.Credentials}
	s.mu.Lock()
	if len(s.opened) >= maxOpened {
		clear(s.opened)
	}
	s.opened[c.ID] = v
	s.mu.Unlock()
	return v, nil
}

// Tickets lists the tickets of asset id from every enabled ITSM connector
// whose vendor opens tickets, newest first. A connector that fails does
// not fail the list: its error is among failures (each an *itam.Error
// naming it), and the others' tickets are returned.
func (s *Service) Tickets(ctx context.Context, assetID uuid.UUID, first *int) (list []Ticket, failures []error, err error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, nil, err
	}
	n, err := First(first)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.TicketTarget(ctx, assetID)
	if err != nil {
		return nil, nil, err
	}
	if err := CanRead(p, t.Asset, t.Self); err != nil {
		return nil, nil, err
	}
	type result struct {
		tickets []Ticket
		err     error
	}
	results := make([]result, len(t.Connectors))
	var wg sync.WaitGroup
	for i, c := range t.Connectors {
		if !c.Connector.Enabled {
			continue
		}
		wg.Go(func() {
			ts, err := s.connectorTickets(ctx, p, t.Asset, c)
			results[i] = result{forCaller(p, c.Connector, ts), err}
		})
	}
	wg.Wait()
	lists := make([][]Ticket, 0, len(results))
	for _, r := range results {
		if r.err != nil {
			failures = append(failures, r.err)
			continue
		}
		lists = append(lists, r.tickets)
	}
	return Merge(n, lists...), failures, nil
}

// connectorTickets is one connector's tickets of asset a, through the cache.
func (s *Service) connectorTickets(ctx context.Context, p itam.Principal, a *itam.Asset, c Connector) ([]connectors.Ticket, error) {
	v, err := s.vendor(ctx, p, c.Connector)
	if err != nil {
		return nil, s.failed(ctx, p, c.Connector, v.creds, err, false)
	}
	if v.ticketer == nil {
		return nil, nil
	}
	if wait := s.limitedFor(c.Connector.ID); wait > 0 {
		// Logged once, when the vendor said so; not again per asset.
		return nil, vendorError(p, c.Connector, v.creds, &connectors.RateLimitError{RetryAfter: wait}, false)
	}
	ref := c.Ref(a)
	ts, err := s.cache.Get(ctx, CacheKey{Connector: c.Connector.ID, Asset: a.ID}, ref, func(ctx context.Context) ([]connectors.Ticket, error) {
		ctx, cancel := context.WithTimeout(ctx, CallTimeout)
		defer cancel()
		return v.ticketer.Tickets(ctx, ref, MaxFirst)
	})
	if err != nil {
		s.noteLimit(c.Connector.ID, err)
		return nil, s.failed(ctx, p, c.Connector, v.creds, err, false)
	}
	return ts, nil
}

// limitedFor is how long connector id's vendor still asked us to wait.
func (s *Service) limitedFor(id uuid.UUID) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	until, ok := s.limited[id]
	if !ok {
		return 0
	}
	wait := until.Sub(s.cache.now())
	if wait <= 0 {
		delete(s.limited, id)
		return 0
	}
	return wait
}

// noteLimit remembers a vendor's rate limit (err a *RateLimitError).
func (s *Service) noteLimit(id uuid.UUID, err error) {
	var rl *connectors.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.limited) >= maxOpened {
		clear(s.limited)
	}
	s.limited[id] = s.cache.now().Add(min(rl.RetryAfter, maxLimitedWait))
}

// failed logs a vendor failure (redacted) and returns what the caller sees.
func (s *Service) failed(ctx context.Context, p itam.Principal, c *itam.Connector, creds map[string]string, err error, creating bool) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return ctx.Err()
	}
	e := vendorError(p, c, creds, err, creating)
	s.log.WarnContext(ctx, "tickets: vendor call failed", "connector", c.ID, "kind", c.Kind, "creating", creating,
		"code", string(e.Code), "err", e.Message)
	return e
}

// Create opens a ticket about in.AssetID at the chosen connector (see
// Choose), the caller's email as the requester, and forgets the asset's
// cached tickets so the next list shows it.
func (s *Service) Create(ctx context.Context, in NewTicketInput) (*Ticket, *itam.Asset, error) {
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return nil, nil, err
	}
	t, err := s.store.TicketTarget(ctx, in.AssetID)
	if err != nil {
		return nil, nil, err
	}
	if err := CanCreate(p, t.Asset, t.Self); err != nil {
		return nil, nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, nil, err
	}
	// Which connectors open tickets is known once their vendor is built;
	// building one is local (no request), so every enabled one is.
	vendors := map[uuid.UUID]openedVendor{}
	var openErr error
	var openFailed *itam.Connector
	for _, c := range t.Connectors {
		if !c.Connector.Enabled {
			continue
		}
		v, err := s.vendor(ctx, p, c.Connector)
		if err != nil {
			if in.ConnectorID != nil && *in.ConnectorID == c.Connector.ID {
				return nil, nil, s.failed(ctx, p, c.Connector, v.creds, err, true)
			}
			openErr, openFailed = err, c.Connector
			continue
		}
		vendors[c.Connector.ID] = v
	}
	c, err := Choose(p, t, in.ConnectorID, func(c Connector) bool { return vendors[c.Connector.ID].ticketer != nil })
	if err != nil {
		if openErr != nil {
			// A connector that could not be built may be the one meant.
			s.log.WarnContext(ctx, "tickets: a connector could not be built", "connector", openFailed.ID, "kind", openFailed.Kind)
		}
		return nil, nil, err
	}
	v := vendors[c.Connector.ID]
	cctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	made, err := v.ticketer.CreateTicket(cctx, connectors.NewTicket{Ref: c.Ref(t.Asset), Summary: in.Summary,
		Description: in.Description, RequesterEmail: requester(p)})
	if err != nil {
		return nil, nil, s.failed(ctx, p, c.Connector, v.creds, err, true)
	}
	s.cache.DropAsset(t.Asset.ID)
	// asset_history has no action for "a ticket was opened" (its actions
	// are the asset's own changes), so the log records it.
	s.log.InfoContext(ctx, "tickets: ticket opened", "asset", t.Asset.ID, "connector", c.Connector.ID, "kind", c.Connector.Kind,
		"ticket", made.Number, "by", p.Subject)
	out := forCaller(p, c.Connector, []connectors.Ticket{made})[0]
	return &out, t.Asset, nil
}

// requester is who asks for a ticket: the caller's email (a token's
// subject is one for people); "" lets the vendor use the API account.
func requester(p itam.Principal) string {
	if p.ActorKind != "" && p.ActorKind != itam.ActorUser {
		return ""
	}
	if strings.Contains(strings.Trim(p.Subject, "@"), "@") {
		return p.Subject
	}
	return ""
}
