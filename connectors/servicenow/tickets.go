package servicenow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/itam-dev/itam/connectors"
)

const (
	incidentTable  = "incident"
	incidentFields = "sys_id,number,short_description,state,priority,opened_at,sys_updated_on"
)

// Tickets lists the incidents about ref, newest first: those whose
// configuration item (incident.cmdb_ci) is the linked record — for an
// asset table, the CI whose asset is that record (cmdb_ci.asset) — else
// those whose CI carries the asset tag (a dot-walked condition,
// cmdb_ci.asset_tag). State and priority are their display values
// (sysparm_display_value=all keeps the dates' stored UTC values alongside).
func (s *source) Tickets(ctx context.Context, ref connectors.TicketRef, limit int) ([]connectors.Ticket, error) {
	var cond string
	switch {
	case sysID.MatchString(ref.ExternalID) && s.profile.asset:
		cond = "cmdb_ci.asset=" + ref.ExternalID
	case sysID.MatchString(ref.ExternalID):
		cond = "cmdb_ci=" + ref.ExternalID
	case ref.AssetTag != "":
		cond = "cmdb_ci.asset_tag=" + quote(ref.AssetTag)
	default:
		return nil, nil
	}
	if limit <= 0 {
		limit = 10
	}
	q := url.Values{
		"sysparm_query":         {cond + "^ORDERBYDESCopened_at"},
		"sysparm_fields":        {incidentFields},
		"sysparm_limit":         {strconv.Itoa(min(limit, maxPageSize))},
		"sysparm_display_value": {"all"},
	}
	var resp listResponse
	if err := s.client.GetJSON(ctx, tablePath+incidentTable, q, &resp); err != nil {
		return nil, err
	}
	if resp.Result == nil {
		return nil, s.malformed(tablePath+incidentTable, errors.New(`no "result" in the answer`))
	}
	out := make([]connectors.Ticket, 0, len(*resp.Result))
	for _, r := range *resp.Result {
		out = append(out, s.toTicket(r))
	}
	return out, nil
}

func (s *source) toTicket(r record) connectors.Ticket {
	id := r.get("sys_id")
	return connectors.Ticket{
		ExternalID: id,
		Number:     r.display("number"),
		Summary:    r.display("short_description"),
		Status:     r.display("state"),
		Priority:   r.display("priority"),
		URL:        s.base + "/" + incidentTable + ".do?sys_id=" + url.QueryEscape(id),
		OpenedAt:   parseTime(r.get("opened_at")),
		UpdatedAt:  parseTime(r.get("sys_updated_on")),
	}
}

// CreateTicket opens an incident (POST /api/now/table/incident) with the
// summary as short_description, the record as its configuration item and
// the requester, when ServiceNow knows the email, as caller_id.
func (s *source) CreateTicket(ctx context.Context, t connectors.NewTicket) (connectors.Ticket, error) {
	body := map[string]string{"short_description": t.Summary, "description": t.Description}
	ci, err := s.configurationItem(ctx, t.Ref)
	if err != nil {
		return connectors.Ticket{}, err
	}
	if ci != "" {
		body["cmdb_ci"] = ci
	}
	caller, err := s.resolve(ctx, userTable, "email", t.RequesterEmail, "user with the email")
	switch {
	case isRefused(err):
		// An unknown requester must not stop the ticket: the API
		// account is its caller then.
		s.logger.InfoContext(ctx, "servicenow: the requester is not a ServiceNow user; the incident is opened without caller_id")
	case err != nil:
		return connectors.Ticket{}, err
	case caller != "":
		body["caller_id"] = caller
	}
	q := url.Values{"sysparm_fields": {incidentFields}, "sysparm_display_value": {"all"}}
	var resp oneResponse
	if err := s.send(ctx, http.MethodPost, tablePath+incidentTable, q, body, &resp); err != nil {
		return connectors.Ticket{}, err
	}
	if resp.Result == nil || resp.Result.get("sys_id") == "" {
		return connectors.Ticket{}, s.malformed(tablePath+incidentTable, errors.New(`no "result" with a sys_id in the answer`))
	}
	return s.toTicket(*resp.Result), nil
}

// configurationItem is the CI an incident about ref points at: the linked
// record itself for a CMDB table, the asset's ci for alm_*; else the CI
// with the asset tag; "" when there is none.
func (s *source) configurationItem(ctx context.Context, ref connectors.TicketRef) (string, error) {
	if sysID.MatchString(ref.ExternalID) && !s.profile.asset {
		return ref.ExternalID, nil
	}
	var path string
	q := url.Values{"sysparm_fields": {"sys_id,ci"}, "sysparm_exclude_reference_link": {"true"}, "sysparm_limit": {"1"}}
	switch {
	case sysID.MatchString(ref.ExternalID):
		path = tablePath + s.table + "/" + ref.ExternalID
		var resp oneResponse
		if err := s.client.GetJSON(ctx, path, q, &resp); err != nil {
			return "", notFound(err)
		}
		if resp.Result == nil {
			return "", nil
		}
		return resp.Result.get("ci"), nil
	case ref.AssetTag != "":
		q.Set("sysparm_query", "asset_tag="+quote(ref.AssetTag)+"^ORDERBYsys_id")
		q.Set("sysparm_fields", "sys_id")
		var resp listResponse
		if err := s.client.GetJSON(ctx, tablePath+"cmdb_ci", q, &resp); err != nil {
			return "", err
		}
		if resp.Result == nil || len(*resp.Result) == 0 {
			return "", nil
		}
		return (*resp.Result)[0].get("sys_id"), nil
	}
	return "", nil
}

func notFound(err error) error {
	var se *connectors.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return nil
	}
	return fmt.Errorf("servicenow: %w", err)
}
