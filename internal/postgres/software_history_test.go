package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/software"
)

// historyRow is one software_history row as stored, changes as
// field → [from, to] JSON.
type historyRow struct {
	entity  string
	id      uuid.UUID
	action  string
	kind    string
	actor   string
	changes map[string][2]string
}

// newHistory returns the software_history rows of org written after row
// last (read as the owner), and the new last id.
func (f *ruleFixture) newHistory(org uuid.UUID, last int64) ([]historyRow, int64) {
	f.t.Helper()
	var out []historyRow
	rows, _ := f.owner.Query(context.Background(), `SELECT id, entity_type, entity_id, action, actor_kind::text, actor, changes
		FROM software_history WHERE org_id = $1 AND id > $2 ORDER BY id`, org, last)
	for rows.Next() {
		var r historyRow
		var raw map[string]map[string]json.RawMessage
		require.NoError(f.t, rows.Scan(&last, &r.entity, &r.id, &r.action, &r.kind, &r.actor, &raw))
		r.changes = map[string][2]string{}
		for k, c := range raw {
			r.changes[k] = [2]string{string(c["from"]), string(c["to"])}
		}
		out = append(out, r)
	}
	require.NoError(f.t, rows.Err())
	return out, last
}

// TestSoftwareHistoryWrites: every change to a publisher, product or title
// rule writes exactly one history row, with its field-level diff, in its
// own transaction; a refused change (bad input, stale version, referenced
// row, wrong role) and a change that changes nothing write none.
func TestSoftwareHistoryWrites(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	cat := NewSoftwareCatalogStore(f.db)
	admin := f.admin(f.a)
	var last int64
	var pub *software.Publisher
	var prod *software.Product
	var rule *software.Rule
	q := func(s string) string { return `"` + s + `"` }
	steps := []struct {
		name   string
		change func() (uuid.UUID, error)
		entity software.HistoryEntity
		action software.HistoryAction
		want   map[string][2]string // nil: refused, no row
		code   itam.Code
	}{
		{"create publisher", func() (uuid.UUID, error) {
			var err error
			pub, err = cat.CreatePublisher(admin, software.PublisherInput{Name: "Jetbrains", Website: ptr("https://jetbrains.example")})
			return pub.ID, err
		}, software.HistoryPublisher, software.HistoryCreate,
			map[string][2]string{"name": {"null", q("Jetbrains")}, "website": {"null", q("https://jetbrains.example")}}, ""},
		{"duplicate publisher refused", func() (uuid.UUID, error) {
			_, err := cat.CreatePublisher(admin, software.PublisherInput{Name: "JETBRAINS"})
			return uuid.Nil, err
		}, "", "", nil, itam.CodeConflict},
		{"update publisher", func() (uuid.UUID, error) {
			var err error
			pub, err = cat.UpdatePublisher(admin, software.PublisherPatch{ID: pub.ID, Version: pub.Version, Name: itam.Some("JetBrains")})
			return pub.ID, err
		}, software.HistoryPublisher, software.HistoryUpdate, map[string][2]string{"name": {q("Jetbrains"), q("JetBrains")}}, ""},
		{"unchanged publisher writes nothing", func() (uuid.UUID, error) {
			_, err := cat.UpdatePublisher(admin, software.PublisherPatch{ID: pub.ID, Version: pub.Version, Name: itam.Some("JetBrains")})
			return uuid.Nil, err
		}, "", "", nil, ""},
		{"stale publisher version refused", func() (uuid.UUID, error) {
			_, err := cat.UpdatePublisher(admin, software.PublisherPatch{ID: pub.ID, Version: pub.Version - 1, Name: itam.Some("X")})
			return uuid.Nil, err
		}, "", "", nil, itam.CodeConflict},
		{"auditor cannot create", func() (uuid.UUID, error) {
			_, err := cat.CreatePublisher(as(f.a.id, itam.RoleAuditor, "audit@test"), software.PublisherInput{Name: "Nope"})
			return uuid.Nil, err
		}, "", "", nil, itam.CodeForbidden},
		{"create product", func() (uuid.UUID, error) {
			var err error
			prod, err = cat.CreateProduct(admin, software.ProductInput{PublisherID: pub.ID, Name: "IDEA", Editions: []string{"Ultimate"}})
			return prod.ID, err
		}, software.HistoryProduct, software.HistoryCreate, map[string][2]string{"publisherId": {"null", q("$PUB")},
			"name": {"null", q("IDEA")}, "editions": {"null", `["Ultimate"]`}}, ""},
		{"update product", func() (uuid.UUID, error) {
			var err error
			prod, err = cat.UpdateProduct(admin, software.ProductPatch{ID: prod.ID, Version: prod.Version, Notes: itam.Some("site license")})
			return prod.ID, err
		}, software.HistoryProduct, software.HistoryUpdate, map[string][2]string{"notes": {"null", q("site license")}}, ""},
		{"invalid product refused", func() (uuid.UUID, error) {
			_, err := cat.UpdateProduct(admin, software.ProductPatch{ID: prod.ID, Version: prod.Version, Name: itam.Some(" ")})
			return uuid.Nil, err
		}, "", "", nil, itam.CodeInvalid},
		{"create rule", func() (uuid.UUID, error) {
			var err error
			rule, _, err = f.rules.CreateRule(admin, software.RuleInput{Kind: software.MatchPrefix, Pattern: "IntelliJ IDEA", ProductID: prod.ID})
			return rule.ID, err
		}, software.HistoryRule, software.HistoryCreate, map[string][2]string{"position": {"null", "1"}, "kind": {"null", q("PREFIX")},
			"pattern": {"null", q("IntelliJ IDEA")}, "productId": {"null", q("$PROD")}}, ""},
		{"update rule", func() (uuid.UUID, error) {
			var err error
			rule, _, err = f.rules.UpdateRule(admin, software.RulePatch{ID: rule.ID, Version: rule.Version, Edition: itam.Some("Ultimate")})
			return rule.ID, err
		}, software.HistoryRule, software.HistoryUpdate, map[string][2]string{"edition": {"null", q("Ultimate")}}, ""},
		{"manager cannot change rules", func() (uuid.UUID, error) {
			_, _, err := f.rules.UpdateRule(as(f.a.id, itam.RoleManager, "m@test"), software.RulePatch{ID: rule.ID, Version: rule.Version, Pattern: itam.Some("X")})
			return uuid.Nil, err
		}, "", "", nil, itam.CodeForbidden},
		{"second rule first: no row for the shifted rule", func() (uuid.UUID, error) {
			r, _, err := f.rules.CreateRule(admin, software.RuleInput{Kind: software.MatchExact, Pattern: "Slack", ProductID: f.slack, Position: ptr(1)})
			return r.ID, err
		}, software.HistoryRule, software.HistoryCreate, map[string][2]string{"position": {"null", "1"}, "kind": {"null", q("EXACT")},
			"pattern": {"null", q("Slack")}, "productId": {"null", q(f.slack.String())}}, ""},
		{"move rule", func() (uuid.UUID, error) {
			var err error
			rule, _, err = f.rules.MoveRule(admin, rule.ID, 1)
			return rule.ID, err
		}, software.HistoryRule, software.HistoryMove, map[string][2]string{"position": {"2", "1"}}, ""},
		{"move in place writes nothing", func() (uuid.UUID, error) {
			_, _, err := f.rules.MoveRule(admin, rule.ID, 1)
			return uuid.Nil, err
		}, "", "", nil, ""},
		{"move out of range refused", func() (uuid.UUID, error) {
			_, _, err := f.rules.MoveRule(admin, rule.ID, 9)
			return uuid.Nil, err
		}, "", "", nil, itam.CodeInvalid},
		{"referenced product delete refused", func() (uuid.UUID, error) {
			_, err := cat.DeleteProduct(admin, prod.ID, nil)
			return uuid.Nil, err
		}, "", "", nil, itam.CodeConflict},
		{"delete rule", func() (uuid.UUID, error) {
			_, _, err := f.rules.DeleteRule(admin, rule.ID, &rule.Version)
			return rule.ID, err
		}, software.HistoryRule, software.HistoryDelete, map[string][2]string{"position": {"1", "null"}, "kind": {q("PREFIX"), "null"},
			"pattern": {q("IntelliJ IDEA"), "null"}, "productId": {q("$PROD"), "null"}, "edition": {q("Ultimate"), "null"}}, ""},
		{"delete product", func() (uuid.UUID, error) {
			_, err := cat.DeleteProduct(admin, prod.ID, &prod.Version)
			return prod.ID, err
		}, software.HistoryProduct, software.HistoryDelete, map[string][2]string{"publisherId": {q("$PUB"), "null"},
			"name": {q("IDEA"), "null"}, "editions": {`["Ultimate"]`, "null"}, "notes": {q("site license"), "null"}}, ""},
		{"delete publisher", func() (uuid.UUID, error) {
			_, err := cat.DeletePublisher(admin, pub.ID, &pub.Version)
			return pub.ID, err
		}, software.HistoryPublisher, software.HistoryDelete, map[string][2]string{"name": {q("JetBrains"), "null"},
			"website": {q("https://jetbrains.example"), "null"}}, ""},
	}
	for _, s := range steps {
		id, err := s.change()
		if s.code != "" {
			var e *itam.Error
			require.ErrorAs(t, err, &e, s.name)
			require.Equal(t, s.code, e.Code, s.name)
		} else {
			require.NoError(t, err, s.name)
		}
		var rows []historyRow
		rows, last = f.newHistory(f.a.id, last)
		if s.want == nil {
			require.Empty(t, rows, s.name)
			continue
		}
		require.Len(t, rows, 1, s.name)
		// The ids of what the steps created stand as $PUB and $PROD.
		var ids []string
		if pub != nil {
			ids = append(ids, "$PUB", pub.ID.String())
		}
		if prod != nil {
			ids = append(ids, "$PROD", prod.ID.String())
		}
		want := map[string][2]string{}
		for k, c := range s.want {
			for i := range c {
				c[i] = strings.NewReplacer(ids...).Replace(c[i])
			}
			want[k] = c
		}
		require.Equal(t, historyRow{entity: string(s.entity), id: id, action: string(s.action), kind: "USER", actor: "admin@test", changes: want}, rows[0], s.name)
	}
	rows, _ := f.newHistory(f.b.id, 0)
	require.Empty(t, rows, "nothing lands in the other organization")
}

// TestSoftwareHistoryRollsBack: a rule change whose re-normalization
// cannot be queued rolls back with its history row.
func TestSoftwareHistoryRollsBack(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	f.queue.fail = true
	_, _, err := f.rules.CreateRule(f.admin(f.a), software.RuleInput{Kind: software.MatchExact, Pattern: "Slack", ProductID: f.slack})
	require.Error(t, err)
	rows, _ := f.newHistory(f.a.id, 0)
	require.Empty(t, rows)
}

// TestSoftwareHistoryStarter: the starter install records one SYSTEM
// CREATE row per publisher, product and rule it created, none for a
// publisher it reused.
func TestSoftwareHistoryStarter(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	ctx := context.Background()
	f.exec(`INSERT INTO software_publishers (org_id, name) VALUES ($1, 'MICROSOFT')`, f.a.id)
	pubs, products, rules := software.Starter()
	_, err := InstallSoftwareStarters(ctx, f.owner, f.queue)
	require.NoError(t, err)
	rows, _ := f.newHistory(f.a.id, 0)
	by := map[string]int{}
	for _, r := range rows {
		require.Equal(t, "CREATE", r.action)
		require.Equal(t, "SYSTEM", r.kind)
		require.Equal(t, "itam", r.actor)
		by[r.entity]++
	}
	require.Equal(t, map[string]int{"SoftwarePublisher": len(pubs) - 1, "SoftwareProduct": len(products), "SoftwareTitleRule": len(rules)}, by)
	var pattern json.RawMessage
	require.NoError(t, f.owner.QueryRow(ctx, `SELECT h.changes->'pattern'->'to' FROM software_history h
		JOIN software_title_rules r ON r.id = h.entity_id WHERE r.org_id = $1 AND r.position = 1`, f.a.id).Scan(&pattern))
	require.JSONEq(t, `"`+rules[0].Pattern+`"`, string(pattern))

	// Append-only, even for the owner.
	_, err = f.owner.Exec(ctx, `UPDATE software_history SET actor = 'someone else'`)
	require.Error(t, err)
	_, err = f.owner.Exec(ctx, `DELETE FROM software_history`)
	require.Error(t, err)
	after, _ := f.newHistory(f.a.id, 0)
	require.Equal(t, rows, after)
}

// TestSoftwareHistoryRead: histories of many entries in one call, each its
// own, oldest first; EMPLOYEE is refused; another organization's ids read
// as empty.
func TestSoftwareHistoryRead(t *testing.T) {
	t.Parallel()
	f := newRuleFixture(t)
	cat := NewSoftwareCatalogStore(f.db)
	admin := f.admin(f.a)
	p1, err := cat.CreatePublisher(admin, software.PublisherInput{Name: "One"})
	require.NoError(t, err)
	p2, err := cat.CreatePublisher(admin, software.PublisherInput{Name: "Two"})
	require.NoError(t, err)
	_, err = cat.UpdatePublisher(admin, software.PublisherPatch{ID: p1.ID, Version: p1.Version, Website: itam.Some("https://one.example")})
	require.NoError(t, err)
	bPub, err := cat.CreatePublisher(f.admin(f.b), software.PublisherInput{Name: "B"})
	require.NoError(t, err)
	r := f.create(admin, software.MatchExact, "Slack", f.slack, nil)

	auditor := as(f.a.id, itam.RoleAuditor, "audit@test")
	pages, err := cat.PublisherHistoriesOf(auditor, []uuid.UUID{p1.ID, p2.ID, bPub.ID}, itam.PageArgs{})
	require.NoError(t, err)
	var actions []software.HistoryAction
	for _, h := range pages[p1.ID].Items {
		actions = append(actions, h.Action)
	}
	require.Equal(t, []software.HistoryAction{software.HistoryCreate, software.HistoryUpdate}, actions)
	require.Len(t, pages[p2.ID].Items, 1)
	require.Empty(t, pages[bPub.ID].Items, "another organization's history reads as empty")
	counts, err := cat.CountPublisherHistoriesOf(auditor, []uuid.UUID{p1.ID, p2.ID, bPub.ID})
	require.NoError(t, err)
	require.Equal(t, map[uuid.UUID]int{p1.ID: 2, p2.ID: 1, bPub.ID: 0}, counts)
	rp, err := f.rules.RuleHistoriesOf(auditor, []uuid.UUID{r.ID}, itam.PageArgs{})
	require.NoError(t, err)
	require.Len(t, rp[r.ID].Items, 1)
	pp, err := cat.PublisherHistoriesOf(auditor, []uuid.UUID{r.ID}, itam.PageArgs{})
	require.NoError(t, err)
	require.Empty(t, pp[r.ID].Items, "a rule's entries are not a publisher's")

	employee := as(f.a.id, itam.RoleEmployee, "e@test")
	_, err = cat.PublisherHistoriesOf(employee, []uuid.UUID{p1.ID}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = cat.ProductHistoriesOf(employee, []uuid.UUID{f.slack}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
	_, err = f.rules.RuleHistoriesOf(employee, []uuid.UUID{r.ID}, itam.PageArgs{})
	requireCode(t, err, itam.CodeForbidden, "")
}
