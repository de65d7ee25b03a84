package postgres

import (
	"context"
	"encoding/json"
	"regexp"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/itam-dev/itam/internal/itam"
)

// importHistory is a slice's asset history, labelled here rather than by
// the history trigger: the trigger (itam.labelled_changes) looks every
// reference of every row up, about five per created asset, when a slice
// names a few hundred distinct records. The labels are the same, read by
// the same function (itam.node_label) once per distinct record, in the
// same transaction, and set as labelled_changes sets them;
// TestImportHistoryLabelsAreTheTriggers holds the two equal.
type importHistory struct {
	p                    itam.Principal
	assets               []uuid.UUID
	actions              []string
	changes              []map[string]map[string]json.RawMessage
	fromStatus, toStatus []*string
}

func (h *importHistory) add(action itam.HistoryAction, before, after *itam.Asset) {
	args := historyArgs(h.p, action, before, after, itam.DiffAssets(before, after))
	h.assets = append(h.assets, args[1].(uuid.UUID))
	h.actions = append(h.actions, args[2].(string))
	h.changes = append(h.changes, args[6].(map[string]map[string]json.RawMessage))
	h.fromStatus = append(h.fromStatus, args[7].(*string))
	h.toStatus = append(h.toStatus, args[8].(*string))
}

// labelledSide matches a side labelled_changes labels: its value as text
// is a UUID (the regular expression is the function's).
var labelledSide = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// historySides are a change's sides and the label each gets.
var historySides = [2][2]string{{"from", "fromLabel"}, {"to", "toLabel"}}

// sideRef is what a change's side names, if labelled_changes would label it.
func sideRef(typ string, v json.RawMessage) (itam.Ref, bool) {
	var s string
	if len(v) == 0 || json.Unmarshal(v, &s) != nil || !labelledSide.MatchString(s) {
		return itam.Ref{}, false
	}
	return itam.Ref{Type: typ, ID: uuid.MustParse(s)}, true
}

// queue labels the rows (one query for the distinct records they name)
// and queues their INSERT with the trigger told to stand aside. A row
// naming an asset falls back to the trigger: its label may be an asset
// this batch inserts, not yet there when the labels are read.
func (h *importHistory) queue(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if len(h.assets) == 0 {
		return nil
	}
	seen := map[itam.Ref]bool{}
	var types []string
	var ids []uuid.UUID
	for _, ch := range h.changes {
		for field, c := range ch {
			typ, ok := itam.RefTypes[field]
			if !ok {
				continue
			}
			for _, side := range historySides {
				r, ok := sideRef(typ, c[side[0]])
				if !ok || seen[r] {
					continue
				}
				if typ == "Asset" {
					return h.queueUnlabelled(b)
				}
				seen[r] = true
				types, ids = append(types, r.Type), append(ids, r.ID)
			}
		}
	}
	labels := make(map[itam.Ref]json.RawMessage, len(ids))
	rows, _ := tx.Query(ctx, `SELECT x.typ, x.id, to_jsonb(itam.node_label(x.typ, x.id)) FROM unnest($1::text[], $2::uuid[]) AS x(typ, id)`, types, ids)
	var r itam.Ref
	var label json.RawMessage
	if _, err := pgx.ForEachRow(rows, []any{&r.Type, &r.ID, &label}, func() error {
		if len(label) > 0 { // NULL: no such record (labelled_changes leaves the side as it is)
			labels[r] = append(json.RawMessage(nil), label...)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, ch := range h.changes {
		for field, c := range ch {
			typ, ok := itam.RefTypes[field]
			if !ok {
				continue
			}
			for _, side := range historySides {
				if ref, ok := sideRef(typ, c[side[0]]); ok {
					if l, ok := labels[ref]; ok {
						c[side[1]] = l
					}
				}
			}
		}
	}
	b.Queue(`SELECT set_config('itam.history_labelled', 'on', true)`)
	if err := h.queueUnlabelled(b); err != nil {
		return err
	}
	b.Queue(`SELECT set_config('itam.history_labelled', 'off', true)`)
	return nil
}

// queueUnlabelled queues the rows' INSERT as they are.
func (h *importHistory) queueUnlabelled(b *pgx.Batch) error {
	rows := historyRows{p: h.p, assets: h.assets, actions: h.actions, fromStatus: h.fromStatus, toStatus: h.toStatus}
	for _, ch := range h.changes {
		j, err := json.Marshal(ch)
		if err != nil {
			return err
		}
		rows.changes = append(rows.changes, string(j))
	}
	rows.queue(b)
	return nil
}
