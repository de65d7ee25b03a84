package jsm

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/itam-dev/itam/connectors"
)

// Tickets lists the Jira issues connected to the asset's object (Assets'
// GET objectconnectedtickets/{objectId}/tickets), newest first. Without a
// link the object is found by its asset tag (one AQL query).
func (s *Source) Tickets(ctx context.Context, ref connectors.TicketRef, limit int) ([]connectors.Ticket, error) {
	id, err := s.refObject(ctx, ref)
	if err != nil || id == "" {
		return nil, err
	}
	u, err := s.assetsURL(ctx, "/objectconnectedtickets/"+url.PathEscape(id)+"/tickets")
	if err != nil {
		return nil, err
	}
	var page apiTickets
	if err := s.api.do(ctx, http.MethodGet, u, nil, nil, retrySafe, &page); err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("jsm: tickets of object %s: %w", id, err)
	}
	out := make([]connectors.Ticket, 0, len(page.Tickets))
	for _, t := range page.Tickets {
		tk := connectors.Ticket{ExternalID: string(t.ID), Number: t.Key, Summary: t.Title, OpenedAt: parseTime(t.Created), UpdatedAt: parseTime(t.Updated)}
		if t.Status != nil {
			tk.Status = t.Status.Name
		}
		if t.Priority != nil {
			tk.Priority = t.Priority.Name
		}
		if t.Key != "" {
			tk.URL = s.site + "/browse/" + url.PathEscape(t.Key)
		}
		out = append(out, tk)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].OpenedAt, out[j].OpenedAt
		return a != nil && (b == nil || a.After(*b))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// CreateTicket opens a request in the configured service desk and request
// type (POST /rest/servicedeskapi/request) with the summary and
// description, linking the asset's object through OptTicketField when set,
// on behalf of the requester when Jira knows their email.
func (s *Source) CreateTicket(ctx context.Context, t connectors.NewTicket) (connectors.Ticket, error) {
	if s.serviceDesk == "" {
		return connectors.Ticket{}, &connectors.ConfigError{Field: "options." + OptServiceDeskID, Message: "set serviceDeskId and requestTypeId on the connector to open requests"}
	}
	fields := map[string]any{"summary": t.Summary, "description": t.Description}
	if s.ticketField != "" {
		id, err := s.refObject(ctx, t.Ref)
		if err != nil {
			return connectors.Ticket{}, err
		}
		if id != "" {
			ws, err := s.workspace(ctx)
			if err != nil {
				return connectors.Ticket{}, err
			}
			// An Assets field takes [{"workspaceId", "id": "<ws>:<objectId>", "objectId"}].
			fields[s.ticketField] = []map[string]string{{"workspaceId": ws, "id": ws + ":" + id, "objectId": id}}
		}
	}
	body := map[string]any{"serviceDeskId": s.serviceDesk, "requestTypeId": s.requestType, "requestFieldValues": fields}
	if e := strings.TrimSpace(t.RequesterEmail); e != "" {
		if acc, err := s.accountFor(ctx, e); err == nil {
			body["raiseOnBehalfOf"] = acc
		}
	}
	var out apiRequest
	if err := s.api.do(ctx, http.MethodPost, s.site+"/rest/servicedeskapi/request", nil, body, retryThrottled, &out); err != nil {
		return connectors.Ticket{}, fmt.Errorf("jsm: opening a request: %w", refused(err))
	}
	return connectors.Ticket{
		ExternalID: string(out.IssueID), Number: out.IssueKey, Summary: t.Summary, Status: out.CurrentStatus.Status,
		URL: out.Links.Web, OpenedAt: parseTime(out.CreatedDate.ISO8601),
	}, nil
}

// refObject is the asset's object id: its link, else the object carrying
// its asset tag; "" when neither finds one.
func (s *Source) refObject(ctx context.Context, ref connectors.TicketRef) (string, error) {
	if id := strings.TrimSpace(ref.ExternalID); id != "" {
		return id, nil
	}
	tag, attr := strings.TrimSpace(ref.AssetTag), s.attrs[AttrAssetTag]
	if tag == "" || attr == "" {
		return "", nil
	}
	base, _ := splitOrder(s.aql)
	if base == "" {
		base = `objectType = "` + s.objectType + `"`
	}
	objs, _, err := s.aqlPage(ctx, "("+base+") AND "+strconv.Quote(attr)+" = "+strconv.Quote(tag), 0, 1)
	if err != nil {
		return "", fmt.Errorf("jsm: finding the object tagged %s: %w", tag, err)
	}
	if len(objs) == 0 {
		return "", nil
	}
	return string(objs[0].ID), nil
}

// parseTime reads Atlassian's timestamps ("2021-02-16T18:04:31.284Z",
// "2015-10-08T14:05:53+0300").
func parseTime(s string) *time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05-0700"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			u := t.UTC()
			return &u
		}
	}
	return nil
}
