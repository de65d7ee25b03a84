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
	// Set by prepare: the changes as sent, and whether they are labelled.
	encoded  []string
	labelled bool
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
	// The usual side, a UUID as DiffAssets writes it, without the decoder
	// and the regular expression: this runs twice per side of every
	// change of every imported row. uuid.Parse given 36 characters
	// accepts exactly the form labelledSide matches.
	if len(v) == 38 && v[0] == '"' && v[37] == '"' {
		if id, err := uuid.Parse(string(v[1:37])); err == nil {
			return itam.Ref{Type: typ, ID: id}, true
		}
	}
	var s string
	if len(v) == 0 || json.Unmarshal(v, &s) != nil || !labelledSide.MatchString(s) {
		return itam.Ref{}, false
	}
	return itam.Ref{Type: typ, ID: uuid.MustParse(s)}, true
}

// historyLabels are the labels itam.node_label gave the records a commit's
// history named, read once per record and commit; nil for a record it
// found no label for (labelled_changes leaves such a side as it is).
type historyLabels map[itam.Ref]json.RawMessage

// refs are the distinct records the rows' changes name, and whether one
// of them is an asset.
func (h *importHistory) refs() (refs []itam.Ref, namesAsset bool) {
	seen := map[itam.Ref]bool{}
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
					return nil, true
				}
				seen[r] = true
				refs = append(refs, r)
			}
		}
	}
	return refs, false
}

// prepare labels the rows from labels and encodes them, unless a change
// names an asset (then the trigger labels them: its label may be an asset
// this batch inserts, not yet there when the labels are read) or a record
// is not in labels yet, which it returns. It touches nothing but h, and
// only reads labels: it runs beside the transaction's statements.
func (h *importHistory) prepare(labels historyLabels) (missing []itam.Ref, err error) {
	refs, namesAsset := h.refs()
	if namesAsset {
		h.labelled = false
		return nil, h.encode()
	}
	for _, r := range refs {
		if _, ok := labels[r]; !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		return missing, nil
	}
	h.labelled = true
	for _, ch := range h.changes {
		for field, c := range ch {
			typ, ok := itam.RefTypes[field]
			if !ok {
				continue
			}
			for _, side := range historySides {
				if ref, ok := sideRef(typ, c[side[0]]); ok {
					if l := labels[ref]; len(l) > 0 {
						c[side[1]] = l
					}
				}
			}
		}
	}
	return nil, h.encode()
}

// load reads the labels of refs into labels: one query for them all.
func (labels historyLabels) load(ctx context.Context, tx pgx.Tx, refs []itam.Ref) error {
	types, ids := make([]string, len(refs)), make([]uuid.UUID, len(refs))
	for i, r := range refs {
		types[i], ids[i] = r.Type, r.ID
		labels[r] = nil
	}
	rows, _ := tx.Query(ctx, `SELECT x.typ, x.id, to_jsonb(itam.node_label(x.typ, x.id)) FROM unnest($1::text[], $2::uuid[]) AS x(typ, id)`, types, ids)
	var r itam.Ref
	var label json.RawMessage
	_, err := pgx.ForEachRow(rows, []any{&r.Type, &r.ID, &label}, func() error {
		if len(label) > 0 { // NULL: no such record
			labels[r] = append(json.RawMessage(nil), label...)
		}
		return nil
	})
	return err
}

// encode writes the rows' changes as the JSON the INSERT sends.
func (h *importHistory) encode() error {
	h.encoded = make([]string, len(h.changes))
	for i, ch := range h.changes {
		j, err := json.Marshal(ch)
		if err != nil {
			return err
		}
		h.encoded[i] = string(j)
	}
	return nil
}

// finish reads, in the transaction, the labels prepare found missing,
// prepares the rows with them and queues their INSERT.
func (h *importHistory) finish(ctx context.Context, tx pgx.Tx, labels historyLabels, missing []itam.Ref, b *pgx.Batch) error {
	if len(missing) > 0 {
		if err := labels.load(ctx, tx, missing); err != nil {
			return err
		}
		if _, err := h.prepare(labels); err != nil {
			return err
		}
	}
	h.queue(b)
	return nil
}

// queue queues the prepared rows' INSERT; labelled, with the trigger
// told to stand aside.
func (h *importHistory) queue(b *pgx.Batch) {
	if len(h.assets) == 0 {
		return
	}
	rows := historyRows{p: h.p, assets: h.assets, actions: h.actions, changes: h.encoded, fromStatus: h.fromStatus, toStatus: h.toStatus}
	if !h.labelled {
		rows.queue(b)
		return
	}
	b.Queue(`SELECT set_config('itam.history_labelled', 'on', true)`)
	rows.queue(b)
	b.Queue(`SELECT set_config('itam.history_labelled', 'off', true)`)
}
