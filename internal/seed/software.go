package seed

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/google/uuid"

	"github.com/itam-dev/itam/internal/postgres"
	"github.com/itam-dev/itam/internal/reconcile"
	"github.com/itam-dev/itam/internal/software"
)

// Software defaults: a catalog of one product per 20 assets (5,000 at
// 100,000 assets, never fewer than the well-known titles plus a short tail)
// and about ten installations per asset, spread over the laptops and
// desktops that report software.
const (
	defaultInstallsPerAsset = 10.0
	assetsPerProduct        = 20
	minTailProducts         = 40
)

// softwareProducts is how many products a run with this many assets
// generates when Options.SoftwareProducts is zero.
func softwareProducts(assets int) int {
	return max(len(knownProducts)+minTailProducts, assets/assetsPerProduct)
}

// swProduct is one product of the generated catalog.
type swProduct struct {
	publisher string
	name      string
	edition   string // "" : none
	id        uuid.UUID
	model     string // license model bought for it; "" : free (zero-cost SITE)
	seatPrice float64
	billing   string
	// licensed: the run buys licenses for it (the popular paid products).
	licensed bool
	// own: the run creates it (seeded) unless a product of that name exists.
	// A well-known product the organization's rules already resolve (the
	// starter set's) is not own: id, name and publisher are the resolved
	// product's, and ruleEdition the edition the rules record for it.
	own         bool
	ruleEdition *string
}

// swVariant is one reported form of an entry: title, identifier and the
// app_key the sync would derive from them.
type swVariant struct{ title, ident, key string }

// swEntry is something devices report: a catalog product, or a title no
// product covers (product nil) that stays unmatched.
type swEntry struct {
	product  *swProduct
	versions []string // newest first
	// titles[platform][title][version]; a platform without titles does not
	// have the entry. allMac: every macOS title is installed together (the
	// apps of a suite), otherwise one title is picked per device.
	titles [numPlatforms][][]swVariant
	allMac bool
	// versioned: the Windows title carries the version, so an older
	// version can stay installed next to the newer one.
	versioned bool
	share     [numPlatforms]float64 // well-known and noise entries: fraction of devices
}

func (e *swEntry) on(plat int) bool { return len(e.titles[plat]) > 0 }

// swCatalog is the generated catalog: deterministic from the seed, and the
// first n products are the same whatever the size asked for.
type swCatalog struct {
	publishers []string
	websites   map[string]string // by publisher
	products   []*swProduct
	known      []*swEntry
	noise      [numPlatforms][]*swEntry
	tail       []*swEntry // generated titles, most popular first
	tailPick   weighted[int]
	// sources are the connector sources each platform reports through.
	sources [numPlatforms]string
}

// buildSoftwareCatalog generates a catalog of n products (the well-known
// titles first, then a generated long tail) and the unmatched titles that
// come with a real inventory.
func buildSoftwareCatalog(seed int64, n int) *swCatalog {
	r := rand.New(rand.NewPCG(uint64(seed), 0x50f7c47a10c5eed5))
	c := &swCatalog{websites: map[string]string{}}
	pubs := map[string]bool{}
	addPub := func(name, website string) {
		if !pubs[strings.ToLower(name)] {
			pubs[strings.ToLower(name)] = true
			c.publishers = append(c.publishers, name)
			c.websites[name] = website
		}
	}
	keys := map[string]bool{}
	for plat, kind := range [numPlatforms]string{"JAMF_PRO", "INTUNE", "FLEET"} {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80 // a version 4 UUID
		c.sources[plat] = kind + ":" + uuid.UUID(b).String()
	}

	for i := range knownProducts {
		if i >= n {
			break
		}
		kp := &knownProducts[i]
		addPub(kp.publisher, "https://www."+slug(kp.publisher, "")+".com")
		p := &swProduct{publisher: kp.publisher, name: kp.name, edition: kp.edition, model: kp.model,
			seatPrice: kp.seatPrice, billing: kp.billing, licensed: true}
		c.products = append(c.products, p)
		e := &swEntry{product: p, versions: kp.versions, share: kp.share, allMac: len(kp.mac) > 1}
		for _, m := range kp.mac {
			e.titles[platMac] = append(e.titles[platMac], variants(keys, m.title, m.bundle, kp.versions))
		}
		for _, w := range kp.win {
			e.titles[platWin] = append(e.titles[platWin], variants(keys, w, "", kp.versions))
			e.versioned = e.versioned || strings.Contains(w, "{v}")
		}
		if kp.linux != "" {
			e.titles[platLinux] = append(e.titles[platLinux], variants(keys, kp.linux, kp.linux, kp.versions))
		}
		c.known = append(c.known, e)
	}
	for plat, list := range noiseTitles {
		for _, nt := range list {
			e := &swEntry{versions: []string{"1.0"}}
			e.share[plat] = nt.share
			e.titles[plat] = [][]swVariant{variants(keys, nt.title, nt.ident, e.versions)}
			c.noise[plat] = append(c.noise[plat], e)
		}
	}

	// The long tail: small publishers with a few products each, plus titles
	// no rule resolves yet (one in twenty), interleaved by popularity.
	tailProducts := n - len(c.known)
	unmatched := tailProducts / 20
	stems, names := map[string]bool{}, map[string]bool{}
	var stem, pub string
	left := 0
	for made, um := 0, 0; made < tailProducts || um < unmatched; {
		isProduct := made < tailProducts && (um >= unmatched || r.IntN(21) != 0)
		if left == 0 || !isProduct {
			stem = tailStem(r, stems, pubs)
			pub = stem + tailCompany[r.IntN(len(tailCompany))]
			left = 1 + r.IntN(7)
		}
		rest := " " + tailNouns[r.IntN(len(tailNouns))] + tailModifiers[r.IntN(len(tailModifiers))]
		name := stem + rest
		bundle := "com." + slug(stem, "") + "." + slug(rest, "")
		if names[strings.ToLower(name)] || keys[bundle] {
			continue
		}
		names[strings.ToLower(name)] = true
		e := &swEntry{}
		if isProduct {
			addPub(pub, "https://"+slug(stem, "")+".example.com")
			p := &swProduct{publisher: pub, name: name, model: tailModels[r.IntN(len(tailModels))], own: true}
			p.seatPrice, p.billing = tailPrice(r, p.model)
			c.products = append(c.products, p)
			e.product = p
			made++
			left--
		} else {
			um++
		}
		e.versions = tailVersions(r)
		mac, win := r.IntN(10) < 7, r.IntN(4) < 3
		if !mac && !win {
			win = true
		}
		if mac {
			e.titles[platMac] = [][]swVariant{variants(keys, name+".app", bundle, e.versions)}
		}
		if win {
			w := []string{name, name + " {v}", name + " (x64)"}[r.IntN(3)]
			e.versioned = strings.Contains(w, "{v}")
			e.titles[platWin] = [][]swVariant{variants(keys, w, "", e.versions)}
		}
		if r.IntN(100) < 15 {
			pkg := slug(name, "-")
			e.titles[platLinux] = [][]swVariant{variants(keys, pkg, pkg, e.versions)}
		}
		c.tail = append(c.tail, e)
	}
	// Zipf-like popularity: the i-th tail title is about 1/i as common as
	// the first. The most popular paid ones are licensed.
	licensedRanks := max(10, tailProducts/20)
	rank := 0
	for i, e := range c.tail {
		c.tailPick.add(i, int(1e8/float64(i+3)))
		if e.product != nil {
			rank++
			e.product.licensed = rank <= licensedRanks && r.IntN(10) < 7
		}
	}
	return c
}

// variants renders an entry's title and identifier for each version, and
// records the app_keys used so generated titles never collide.
func variants(keys map[string]bool, title, ident string, versions []string) []swVariant {
	out := make([]swVariant, len(versions))
	for i, v := range versions {
		t := strings.ReplaceAll(title, "{v}", v)
		out[i] = swVariant{title: t, ident: ident,
			key: reconcile.SoftwareKey(reconcile.Software{Title: t, Identifier: ident})}
		keys[strings.ToLower(t)] = true
		keys[out[i].key] = true
	}
	return out
}

// tailStem returns a new publisher stem ("Northworks", "Cedar Prism").
func tailStem(r *rand.Rand, stems, pubs map[string]bool) string {
	for {
		var s string
		if r.IntN(2) == 0 {
			s = tailPrefixes[r.IntN(len(tailPrefixes))] + tailSuffixes[r.IntN(len(tailSuffixes))]
		} else {
			s = tailPrefixes[r.IntN(len(tailPrefixes))] + " " + tailPrefixes[r.IntN(len(tailPrefixes))]
		}
		if k := strings.ToLower(s); !stems[k] && !pubs[k] {
			stems[k] = true
			return s
		}
	}
}

// tailVersions returns two to four versions, newest first.
func tailVersions(r *rand.Rand) []string {
	major, minor := 1+r.IntN(12), r.IntN(10)
	n := 2 + r.IntN(3)
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%d.%d.%d", major, minor, r.IntN(20))
		if minor == 0 || r.IntN(3) == 0 {
			major, minor = max(1, major-1), 5+r.IntN(5)
		} else {
			minor--
		}
	}
	return dedupe(out)
}

func dedupe(vs []string) []string {
	seen := map[string]bool{}
	out := vs[:0]
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// tailPrice is a plausible seat price and billing period for a model.
func tailPrice(r *rand.Rand, model string) (float64, string) {
	round := func(v float64) float64 { return math.Round(v*100) / 100 }
	switch model {
	case "SUBSCRIPTION":
		return round(2 + r.Float64()*38), "MONTHLY"
	case "PER_DEVICE":
		return round(30 + r.Float64()*870), "ONE_TIME"
	case "CONCURRENT":
		return round(500 + r.Float64()*4500), "ANNUAL"
	case "SITE":
		return round(5 + r.Float64()*25), "ANNUAL"
	}
	return round(20 + r.Float64()*580), "ANNUAL"
}

// slug lowercases s, keeping letters and digits and joining words with sep.
func slug(s, sep string) string {
	var b strings.Builder
	pending := false
	for _, ch := range strings.ToLower(s) {
		switch {
		case ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9':
			if pending && b.Len() > 0 {
				b.WriteString(sep)
			}
			pending = false
			b.WriteRune(ch)
		default:
			pending = true
		}
	}
	return b.String()
}

// ensureSoftwareCatalog inserts the publishers and products the run
// creates (own: the long tail, and the well-known products the rules do
// not resolve) that the organization does not have yet, matched by name
// case-insensitively so a rerun with the same seed (or a starter product
// of the same name) is reused, and loads their ids.
func (g *generator) ensureSoftwareCatalog(ctx context.Context, cat *swCatalog, c *Counts) error {
	var own []*swProduct
	var names, sites []string
	seen := map[string]bool{}
	for _, p := range cat.products {
		if !p.own {
			continue
		}
		own = append(own, p)
		if k := strings.ToLower(p.publisher); !seen[k] {
			seen[k] = true
			names, sites = append(names, p.publisher), append(sites, cat.websites[p.publisher])
		}
	}
	tag, err := g.tx.Exec(ctx, `
		INSERT INTO software_publishers (org_id, name, website, seeded)
		SELECT $1, p.name, p.website, true FROM unnest($2::text[], $3::text[]) AS p(name, website)
		ON CONFLICT (org_id, lower(name)) DO NOTHING`, g.orgID, names, sites)
	if err != nil {
		return fmt.Errorf("software_publishers: %w", err)
	}
	c.SoftwarePublishers += tag.RowsAffected()
	pubIDs, err := g.idsByName(ctx, `SELECT lower(name), id FROM software_publishers WHERE org_id = $1`)
	if err != nil {
		return err
	}

	n := len(own)
	pids := make([]uuid.UUID, n)
	pnames, editions := make([]string, n), make([]string, n)
	for i, p := range own {
		pids[i], pnames[i], editions[i] = pubIDs[strings.ToLower(p.publisher)], p.name, p.edition
	}
	tag, err = g.tx.Exec(ctx, `
		INSERT INTO software_products (org_id, publisher_id, name, editions, seeded)
		SELECT $1, p.pub, p.name, CASE WHEN p.edition = '' THEN '{}'::text[] ELSE ARRAY[p.edition] END, true
		  FROM unnest($2::uuid[], $3::text[], $4::text[]) AS p(pub, name, edition)
		ON CONFLICT (org_id, publisher_id, lower(name)) DO NOTHING`, g.orgID, pids, pnames, editions)
	if err != nil {
		return fmt.Errorf("software_products: %w", err)
	}
	c.SoftwareProducts += tag.RowsAffected()
	prodIDs, err := g.idsByName(ctx, `SELECT publisher_id::text || '/' || lower(name), id FROM software_products WHERE org_id = $1`)
	if err != nil {
		return err
	}
	for i, p := range own {
		p.id = prodIDs[pids[i].String()+"/"+strings.ToLower(p.name)]
	}
	return nil
}

// insertSoftware adds the software side of a run that added assets: the
// starter set when the organization never had it, the catalog products and
// title rules the generated titles need beyond the organization's rules,
// the installations of the new laptops and desktops resolved by those
// rules, and licenses with seats sized against them.
func (g *generator) insertSoftware(ctx context.Context, assets int, c *Counts) error {
	if g.swProducts < 0 || g.installsPerAsset < 0 || assets == 0 {
		return nil
	}
	n := g.swProducts
	if n == 0 {
		n = softwareProducts(assets)
	}
	perAsset := g.installsPerAsset
	if perAsset == 0 {
		perAsset = defaultInstallsPerAsset
	}
	// Inside the run's transaction, so a refused or failed run leaves the
	// organization as it was. No re-normalization is queued: the
	// organization has no installations but generated ones, and those are
	// written resolved below.
	installed, err := postgres.InstallSoftwareStarter(ctx, g.tx, g.orgID, nil)
	if err != nil {
		return fmt.Errorf("software starter: %w", err)
	}
	g.starterInstalled = installed
	cat := buildSoftwareCatalog(g.seed, n)
	before, err := g.loadMatcher(ctx)
	if err != nil {
		return err
	}
	if err := g.resolveKnown(ctx, cat, before); err != nil {
		return err
	}
	if err := g.ensureSoftwareCatalog(ctx, cat, c); err != nil {
		return err
	}
	if err := g.ensureTitleRules(ctx, cat, before, c); err != nil {
		return err
	}
	rules, err := g.loadMatcher(ctx)
	if err != nil {
		return err
	}
	devices, err := g.loadSoftwareDevices(ctx)
	if err != nil {
		return err
	}
	// Its own stream, so adding software leaves the assets as they were.
	rng := rand.New(rand.NewPCG(uint64(g.seed), uint64(g.startSeq)^0x5eed50f7a7e00001))
	rv := &resolver{m: rules, cache: map[software.Title]*resolution{}}
	src := newInstallSource(cat, devices, int(math.Round(perAsset*float64(assets))), rng, g.orgID, rv)
	if err := g.insertInstallations(ctx, src, c); err != nil {
		return err
	}
	return g.insertLicenses(ctx, cat, src, c)
}
