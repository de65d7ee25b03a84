package seed

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/software"
)

// The catalog a run writes installations against is the organization's
// own: the starter set every organization gets, plus what earlier runs
// added, plus, for whatever the generated titles need that those rules do
// not resolve yet, seeded products and rules appended after the rest.
// Installations are then resolved with the organization's rules exactly as
// a sync would write them, so a re-normalization changes nothing.

// loadMatcher compiles the organization's title rules as stored.
func (g *generator) loadMatcher(ctx context.Context) (*software.Matcher, error) {
	rows, _ := g.tx.Query(ctx, `SELECT id, position, kind::text, pattern, product_id, edition, version_pattern
		FROM software_title_rules WHERE org_id = $1 ORDER BY position`, g.orgID)
	rules, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (software.Rule, error) {
		var x software.Rule
		var kind string
		err := r.Scan(&x.ID, &x.Position, &kind, &x.Pattern, &x.ProductID, &x.Edition, &x.VersionPattern)
		x.Kind = software.MatchKind(kind)
		return x, err
	})
	if err != nil {
		return nil, fmt.Errorf("software_title_rules: %w", err)
	}
	return software.Compile(rules)
}

// resolveKnown points each well-known product whose titles the rules
// already resolve (the starter set covers most) at the product they
// resolve to, so its licenses go there and no duplicate is created; the
// others are created as seeded products (own). When an entry's titles
// resolve to several products (a suite reported app by app), the one most
// of them resolve to wins, Windows titles counted first.
func (g *generator) resolveKnown(ctx context.Context, cat *swCatalog, m *software.Matcher) error {
	names := map[uuid.UUID][2]string{}
	rows, _ := g.tx.Query(ctx, `SELECT p.id, p.name, pub.name FROM software_products p
		JOIN software_publishers pub ON pub.org_id = p.org_id AND pub.id = p.publisher_id WHERE p.org_id = $1`, g.orgID)
	var id uuid.UUID
	var name, pub string
	if _, err := pgx.ForEachRow(rows, []any{&id, &name, &pub}, func() error { names[id] = [2]string{name, pub}; return nil }); err != nil {
		return fmt.Errorf("software_products: %w", err)
	}
	for _, e := range cat.known {
		p := e.product
		hits := map[uuid.UUID]int{}
		var best uuid.UUID
		var edition *string
		for _, plat := range []int{platWin, platMac, platLinux} {
			for _, vs := range e.titles[plat] {
				for _, v := range vs {
					got, ok := m.Match(software.Title{Title: v.title, Identifier: v.ident})
					if !ok {
						continue
					}
					hits[got.ProductID]++
					if hits[got.ProductID] > hits[best] {
						best, edition = got.ProductID, got.Edition
					}
				}
			}
		}
		if best == uuid.Nil {
			p.own = true
			continue
		}
		p.id, p.ruleEdition = best, edition
		if n, ok := names[best]; ok {
			p.name, p.publisher = n[0], n[1]
		}
	}
	return nil
}

// titleRule is a rule a run appends.
type titleRule struct {
	kind    software.MatchKind
	pattern string
	product uuid.UUID
	edition *string
}

// ensureTitleRules appends, after the organization's rules, an EXACT rule
// for every title of a catalog product that m (the rules as they stand)
// does not resolve, and an IDENTIFIER rule for its identifier when it has
// one. A rerun finds them resolved and adds nothing, so rules never
// duplicate. Unmatched entries and noise get no rule: they stay unmatched.
func (g *generator) ensureTitleRules(ctx context.Context, cat *swCatalog, m *software.Matcher, c *Counts) error {
	seen := map[string]bool{}
	var add []titleRule
	want := func(kind software.MatchKind, pattern string, p *swProduct) {
		key := string(kind) + "\x00" + strings.ToLower(pattern)
		if pattern == "" || seen[key] {
			return
		}
		seen[key] = true
		ed := p.ruleEdition
		if p.own && p.edition != "" {
			ed = &p.edition
		}
		add = append(add, titleRule{kind: kind, pattern: pattern, product: p.id, edition: ed})
	}
	for _, list := range [][]*swEntry{cat.known, cat.tail} {
		for _, e := range list {
			if e.product == nil {
				continue
			}
			for plat := range numPlatforms {
				for _, vs := range e.titles[plat] {
					for _, v := range vs {
						if _, ok := m.Match(software.Title{Title: v.title, Identifier: v.ident}); ok {
							continue
						}
						if v.ident != "" {
							want(software.MatchIdentifier, strings.TrimSpace(v.ident), e.product)
						}
						want(software.MatchExact, software.Normalize(v.title), e.product)
					}
				}
			}
		}
	}
	if len(add) == 0 {
		return nil
	}
	if err := postgres.LockSoftwareRules(ctx, g.tx, g.orgID); err != nil {
		return fmt.Errorf("software_title_rules: lock: %w", err)
	}
	var last int
	if err := g.tx.QueryRow(ctx, `SELECT coalesce(max(position), 0) FROM software_title_rules WHERE org_id = $1`, g.orgID).Scan(&last); err != nil {
		return fmt.Errorf("software_title_rules: %w", err)
	}
	n := len(add)
	positions, kinds, patterns := make([]int, n), make([]string, n), make([]string, n)
	products, editions := make([]uuid.UUID, n), make([]*string, n)
	for i, r := range add {
		positions[i], kinds[i], patterns[i], products[i], editions[i] = last+i+1, string(r.kind), r.pattern, r.product, r.edition
	}
	tag, err := g.tx.Exec(ctx, `INSERT INTO software_title_rules (org_id, position, kind, pattern, product_id, edition)
		SELECT $1, x.position, x.kind::software_match_kind, x.pattern, x.product, x.edition
		  FROM unnest($2::int[], $3::text[], $4::text[], $5::uuid[], $6::text[]) AS x(position, kind, pattern, product, edition)`,
		g.orgID, positions, kinds, patterns, products, editions)
	if err != nil {
		return fmt.Errorf("software_title_rules: %w", err)
	}
	c.SoftwareTitleRules += tag.RowsAffected()
	return nil
}

// resolution is what the rules make of one reported (title, identifier,
// version), in installation column form.
type resolution struct {
	product, rule       pgtype.UUID
	edition, normalized any // string or nil
	productID           uuid.UUID
}

// resolver resolves reported titles with the organization's rules, once per
// distinct (title, identifier, version): a big run reports a few thousand
// of them a million times.
type resolver struct {
	m     *software.Matcher
	cache map[software.Title]*resolution
}

// resolve returns what a sync writes for t (see postgres resolveInstallation):
// the first matching rule's product, rule, edition and normalized version;
// unmatched, no product and the reported version, trimmed.
func (rv *resolver) resolve(t software.Title) *resolution {
	if r, ok := rv.cache[t]; ok {
		return r
	}
	r := &resolution{}
	version := strings.TrimSpace(t.Version)
	if got, ok := rv.m.Match(t); ok {
		r.productID = got.ProductID
		r.product, r.rule = pgID(got.ProductID), pgID(got.Rule.ID)
		if got.Edition != nil {
			r.edition = *got.Edition
		}
		version = strings.TrimSpace(got.Version)
	}
	if version != "" {
		r.normalized = version
	}
	rv.cache[t] = r
	return r
}
