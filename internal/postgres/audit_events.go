package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// auditSource is one history table the audit feed reads. Rank orders
// events of the same instant across tables (and is part of the cursor),
// so it must never change for a table.
type auditSource struct {
	rank int
	// sql selects rank, id, at, actor_kind, actor, action, entity type,
	// entity id, changes from the table under alias h.
	sql   string
	types []string // the GraphQL type names it records
	// typed: the table has an entity_type column to filter on.
	typed bool
}

var auditSources = []auditSource{
	{1, `SELECT 1, h.id, h.at, h.actor_kind::text, h.actor, h.action::text, 'Asset', h.asset_id, h.changes FROM asset_history h`,
		[]string{"Asset"}, false},
	{2, `SELECT 2, h.id, h.at, h.actor_kind::text, h.actor, h.action::text, 'License', h.license_id, h.changes FROM license_history h`,
		[]string{"License"}, false},
	{3, `SELECT 3, h.id, h.at, h.actor_kind::text, h.actor, h.action, h.entity_type, h.entity_id, h.changes FROM software_history h`,
		[]string{"SoftwarePublisher", "SoftwareProduct", "SoftwareTitleRule"}, true},
	{4, `SELECT 4, h.id, h.at, h.actor_kind::text, h.actor, h.action, h.entity_type, h.entity_id, h.changes FROM cost_history h`,
		[]string{"CostEntry", "Contract", "DepreciationProfile", "ExchangeRate"}, true},
	{5, `SELECT 5, h.id, h.at, h.actor_kind::text, h.actor, h.action, 'PurchaseOrder', h.purchase_order_id, h.changes FROM purchase_order_history h`,
		[]string{"PurchaseOrder"}, false},
	{6, `SELECT 6, h.id, h.at, h.actor_kind::text, h.actor, h.action, 'OffboardingChecklist', h.checklist_id, h.changes FROM offboarding_history h`,
		[]string{"OffboardingChecklist"}, false},
}

// auditCursor is the feed's keyset position: (at, rank, id), newest first.
type auditCursor struct {
	at   time.Time
	rank int
	id   int64
}

func (c auditCursor) encode() string {
	return encodeCursor(c.at.UTC().Format(time.RFC3339Nano)+"/"+strconv.Itoa(c.rank), strconv.FormatInt(c.id, 10))
}

func decodeAuditCursor(s string) (auditCursor, error) {
	bad := itam.Invalid("after", "invalid cursor")
	c, err := decodeCursor("after", s)
	if err != nil {
		return auditCursor{}, err
	}
	key, _ := c.Key.(string)
	at, rank, ok := strings.Cut(key, "/")
	var out auditCursor
	if !ok {
		return out, bad
	}
	if out.at, err = time.Parse(time.RFC3339Nano, at); err != nil {
		return out, bad
	}
	if out.rank, err = strconv.Atoi(rank); err != nil {
		return out, bad
	}
	if out.id, err = strconv.ParseInt(c.ID, 10, 64); err != nil {
		return out, bad
	}
	return out, nil
}

// AuditEvents is the organization-wide audit feed (ADMIN and AUDITOR):
// every history table's entries newest first, keyset-paginated on
// (at, table rank, id) so pages stay stable while entries are written.
// Each table contributes its own newest first+1 rows of the page (an index
// range on (org_id, at, id), or (org_id, actor, at, id) for one actor);
// the union is ordered and cut once. Forward paging only.
func (s *HistoryStore) AuditEvents(ctx context.Context, f itam.AuditFilter, page itam.PageArgs) (itam.Page[itam.AuditEvent], error) {
	var out itam.Page[itam.AuditEvent]
	p, err := itam.RequirePrincipal(ctx)
	if err != nil {
		return out, err
	}
	if err := itam.RequireAuditRead(p); err != nil {
		return out, err
	}
	from, to, err := f.Window(time.Now())
	if err != nil {
		return out, err
	}
	if page.Last != nil || page.Before != nil {
		return out, itam.Invalid("last", "the audit feed pages forward only (first, after)")
	}
	w, err := newPageWindow(page)
	if err != nil {
		return out, err
	}
	limit := w.limit
	var after *auditCursor
	if page.After != nil {
		c, err := decodeAuditCursor(*page.After)
		if err != nil {
			return out, err
		}
		after = &c
	}
	if limit == 0 {
		return out, nil
	}
	args := &sqlArgs{}
	org, fromArg, toArg := args.add(p.OrgID), args.add(from), args.add(to)
	var actor, typ string
	if f.ActorSubject != nil {
		actor = args.add(*f.ActorSubject)
	}
	var parts []string
	for _, src := range auditSources {
		if f.EntityType != nil && !slices.Contains(src.types, f.EntityType.NodeType()) {
			continue
		}
		where := []string{"h.org_id = " + org + "::uuid", "h.at >= " + fromArg + "::timestamptz", "h.at < " + toArg + "::timestamptz"}
		if actor != "" {
			where = append(where, "h.actor = "+actor)
		}
		if f.EntityType != nil && src.typed {
			if typ == "" { // added once, where used (an unused parameter has no type)
				typ = args.add(f.EntityType.NodeType())
			}
			where = append(where, "h.entity_type = "+typ)
		}
		if after != nil {
			// (at, rank, id) < the cursor's, with this table's rank fixed.
			// (Parameters are added only where used: PostgreSQL cannot
			// type an unused one.)
			switch {
			case src.rank < after.rank:
				where = append(where, "h.at <= "+args.add(after.at)+"::timestamptz")
			case src.rank == after.rank:
				where = append(where, fmt.Sprintf("(h.at, h.id) < (%s::timestamptz, %s::bigint)", args.add(after.at), args.add(after.id)))
			default:
				where = append(where, "h.at < "+args.add(after.at)+"::timestamptz")
			}
		}
		parts = append(parts, fmt.Sprintf("(%s WHERE %s ORDER BY h.at DESC, h.id DESC LIMIT %d)", src.sql, strings.Join(where, " AND "), limit+1))
	}
	// Labels are computed for the page's rows only, after the cut.
	sql := fmt.Sprintf(`SELECT p.rank, p.id, p.at, p.actor_kind, p.actor, p.action, p.entity_type, p.entity_id,
		itam.labelled_changes(p.changes), itam.node_label(p.entity_type, p.entity_id)
		FROM (SELECT * FROM (%s) e(rank, id, at, actor_kind, actor, action, entity_type, entity_id, changes)
		ORDER BY at DESC, rank DESC, id DESC LIMIT %d) p ORDER BY p.at DESC, p.rank DESC, p.id DESC`, strings.Join(parts, " UNION ALL "), limit+1)
	events, err := query(ctx, s.db, p.OrgID, sql, args.list, scanAuditEvent)
	if err != nil {
		return out, err
	}
	if len(events) > limit {
		events, out.HasNextPage = events[:limit], true
	}
	out.HasPreviousPage = after != nil
	out.Items = events
	out.Cursors = make([]string, len(events))
	for i, e := range events {
		out.Cursors[i] = auditCursor{at: e.At, rank: e.Rank, id: e.ID}.encode()
	}
	return out, nil
}

func scanAuditEvent(r pgx.CollectableRow) (itam.AuditEvent, error) {
	var e itam.AuditEvent
	var changes map[string]map[string]json.RawMessage
	var typ string
	err := r.Scan(&e.Rank, &e.ID, &e.At, &e.ActorKind, &e.Actor, &e.Action, &typ, &e.EntityID, &changes, &e.Label)
	e.EntityType, e.Changes = itam.AuditEntityTypeOf(typ), fieldChanges(changes)
	return e, err
}
