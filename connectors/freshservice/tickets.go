package freshservice

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/connectors/vendorhttp"
)

// Tickets lists the tickets associated with the asset, newest first: GET
// /api/v2/assets/{display_id}/requests (which lists every associated
// request: tickets, problems, changes, releases, projects) keeping the
// tickets. An asset not linked here is looked up by its tag with the
// documented search (search="asset_tag:'…'").
func (s *Source) Tickets(ctx context.Context, ref connectors.TicketRef, limit int) ([]connectors.Ticket, error) {
	id, err := s.displayID(ctx, ref)
	if err != nil || id == "" {
		return nil, err
	}
	var body struct {
		Requests []apiAssetRequest `json:"requests"`
	}
	err = s.client.GetJSON(ctx, assetPath(id)+"/requests", nil, &body)
	if vendorhttp.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("freshservice: requests of asset %s: %w", id, err)
	}
	type numbered struct {
		n int64
		t connectors.Ticket
	}
	var out []numbered
	for _, r := range body.Requests {
		if !strings.EqualFold(strings.TrimSpace(r.RequestType), "ticket") || r.RequestID == "" {
			continue
		}
		n, _ := strconv.ParseInt(string(r.RequestID), 10, 64)
		out = append(out, numbered{n: n, t: connectors.Ticket{
			ExternalID: string(r.RequestID),
			Number:     "#" + string(r.RequestID),
			Summary:    strings.TrimSpace(r.RequestDetails),
			Status:     strings.TrimSpace(r.RequestStatus),
			URL:        s.ticketURL(string(r.RequestID)),
		}})
	}
	// Ticket ids grow with time: the highest is the newest.
	sort.SliceStable(out, func(i, j int) bool { return out[i].n > out[j].n })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	tickets := make([]connectors.Ticket, len(out))
	for i, o := range out {
		tickets[i] = o.t
	}
	return tickets, nil
}

// CreateTicket opens an incident (POST /api/v2/tickets: status Open,
// priority Low) from t.RequesterEmail, associated with the asset when it
// is known here.
func (s *Source) CreateTicket(ctx context.Context, t connectors.NewTicket) (connectors.Ticket, error) {
	email := strings.TrimSpace(t.RequesterEmail)
	if email == "" {
		// Freshservice needs a requester (email, requester_id or phone);
		// the API key's own user is not something the API names.
		return connectors.Ticket{}, &connectors.PushRefusedError{Status: http.StatusBadRequest, URL: "POST " + apiPrefix + "/tickets",
			Message: "a requester email is needed to open a Freshservice ticket"}
	}
	id, err := s.displayID(ctx, t.Ref)
	if err != nil {
		return connectors.Ticket{}, err
	}
	body := map[string]any{
		"email":       email,
		"subject":     t.Summary,
		"description": t.Description,
		"status":      2, // Open
		"priority":    1, // Low
	}
	if id != "" {
		body["assets"] = []map[string]any{{"display_id": json.Number(id)}}
	}
	var out struct {
		Ticket apiTicket `json:"ticket"`
	}
	if err := s.send(ctx, http.MethodPost, apiPrefix+"/tickets", body, &out); err != nil {
		return connectors.Ticket{}, err
	}
	if out.Ticket.ID == "" {
		return connectors.Ticket{}, &connectors.MalformedError{URL: apiPrefix + "/tickets", Err: fmt.Errorf("the created ticket has no id")}
	}
	tk := out.Ticket
	return connectors.Ticket{
		ExternalID: string(tk.ID),
		Number:     "#" + string(tk.ID),
		Summary:    tk.Subject,
		Status:     ticketStatuses[string(tk.Status)],
		Priority:   ticketPriorities[string(tk.Priority)],
		URL:        s.ticketURL(string(tk.ID)),
		OpenedAt:   parseTime(tk.CreatedAt),
		UpdatedAt:  parseTime(tk.UpdatedAt),
	}, nil
}

// displayID is ref's linked record, else the asset whose tag is ref's
// (exact match, case-insensitively), else "".
func (s *Source) displayID(ctx context.Context, ref connectors.TicketRef) (string, error) {
	if id := strings.TrimSpace(ref.ExternalID); id != "" {
		return id, nil
	}
	tag := strings.TrimSpace(ref.AssetTag)
	if tag == "" || strings.ContainsAny(tag, `'"\`) {
		return "", nil // not expressible in the search syntax: no match
	}
	q := url.Values{"search": {fmt.Sprintf(`"asset_tag:'%s'"`, tag)}}
	assets, _, err := listPage[apiAsset](ctx, s, assetsPath, "assets", q, 1, 0)
	if err != nil {
		return "", err
	}
	for _, a := range assets {
		if strings.EqualFold(strings.TrimSpace(string(a.AssetTag)), tag) {
			return string(a.DisplayID), nil
		}
	}
	return "", nil
}

// ticketURL opens a ticket in the agent portal.
func (s *Source) ticketURL(id string) string {
	return s.base + "/helpdesk/tickets/" + url.PathEscape(id)
}
