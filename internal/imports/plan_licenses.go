package imports

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/licenses"
)

// The LICENSES import upserts licenses by name within the organization
// (licenses.name has no unique index: a name two licenses share is an
// ERROR, never a guess). A license covers a software product, matched by
// publisher and name or created with its publisher (a new product needs
// one). Every row is checked by licenses.License.Validate on the license
// it would leave (the existing one with the row's cells over it), so the
// import refuses exactly what createLicense and updateLicense refuse.

// ledgerNeeds adds what a LICENSES, LICENSE_SEATS or COST_ENTRIES row
// refers to.
func (p *Planner) ledgerNeeds(get func(string) string, n *needs) {
	switch p.kind {
	case KindLicenses:
		n.add(&n.l.Licenses, NormalizeName(get("name")))
		pub := NormalizeName(get("publisher"))
		n.add(&n.l.Publishers, pub)
		if prod := NormalizeName(get("product")); prod != "" {
			n.product(ProductKey{Publisher: pub, Name: prod})
		}
		n.add(&n.l.Suppliers, NormalizeName(get("supplier")))
	case KindLicenseSeats:
		n.add(&n.l.Licenses, NormalizeName(get("license")))
		n.person(get("person"))
		n.add(&n.l.AssetTags, NormalizeTag(get("assetTag")))
	case KindCostEntries:
		n.add(&n.l.AssetTags, NormalizeTag(get("assetTag")))
		n.add(&n.l.Suppliers, NormalizeName(get("supplier")))
	}
}

func (n *needs) product(k ProductKey) {
	if n.prods == nil {
		n.prods = map[ProductKey]bool{}
	}
	if !n.prods[k] {
		n.prods[k] = true
		n.l.Products = append(n.l.Products, k)
	}
}

// placeholderID stands for a product or asset a row names when the domain
// rules only need to know there is one (the commit resolves the real id).
var placeholderID = uuid.UUID{0: 1}

// planLicense plans one row of a LICENSES import.
func (p *Planner) planLicense(c *rowCtx) {
	c.parseCells()
	s := c.s
	name := c.vals["name"]
	c.plan.Key = name
	if name == "" {
		if !c.bad["name"] {
			c.fail("", "the name is blank: licenses are matched by it")
		}
		return
	}
	key := NormalizeName(name)
	c.dup("license:"+key, "name", "license", name)
	if s.AmbiguousLicenses[key] {
		c.fail("name", "two or more licenses are named %q: rename one, then import again", name)
		return
	}
	t := s.Licenses[key]
	values := c.rowValues()
	if t == nil {
		if c.vals["licenseModel"] == "" && !c.bad["licenseModel"] {
			c.fail(mappedOr(c, "licenseModel"), "a new license needs a license model: no license is named %q", name)
		}
		if c.vals["product"] == "" && !c.bad["product"] {
			c.fail(mappedOr(c, "product"), "a new license needs a product: no license is named %q", name)
		}
	}
	c.licenseProduct(t)
	if t == nil || !sameName(values["supplier"], t.Values["supplier"]) {
		c.named("supplier", RefSupplier, s.Suppliers, nil, "supplier")
	}
	if len(c.plan.Errors) > 0 {
		return
	}
	// Check the license the row leaves with the domain's rules, and take
	// their normalized lists (repeats dropped) as the row's values.
	merged := map[string]string{}
	if t != nil {
		for f, v := range t.Values {
			merged[f] = v
		}
	}
	for f, v := range values {
		merged[f] = v
	}
	l := licenseOf(merged)
	if err := l.Validate(); err != nil {
		c.failErr(licenseErrField(c, err), err)
		return
	}
	for f, list := range map[string][]string{"editions": l.Editions, "versions": l.Versions} {
		if _, ok := values[f]; ok {
			values[f] = strings.Join(list, "; ")
		}
	}
	if t != nil {
		// The publisher belongs to the product: it is compared through it.
		if sameName(values["product"], t.Values["product"]) && (values["publisher"] == "" || sameName(values["publisher"], t.Values["publisher"])) {
			delete(values, "product")
			delete(values, "publisher")
		}
	}
	c.upsert(t, KindLicenses, values, func(f string) bool {
		v, ex := values[f], t.Values[f]
		switch f {
		case "product", "publisher", "supplier":
			return sameName(v, ex)
		case "seatCost", "totalCost":
			return sameAmount(v, ex)
		case "editions", "versions":
			return strings.EqualFold(v, ex)
		}
		return v == ex
	})
}

// licenseProduct resolves the row's product (by publisher and name, or by
// name alone when only one product has it) unless it is the existing
// license's; a product nobody has is created with its publisher.
func (c *rowCtx) licenseProduct(t *ExistingRecord) {
	prod, pub := c.vals["product"], c.vals["publisher"]
	if prod == "" {
		if pub != "" && !c.bad["publisher"] && !c.bad["product"] {
			c.fail("publisher", "a publisher without a product names nothing: add the product")
		}
		return
	}
	if t != nil && sameName(prod, t.Values["product"]) && (pub == "" || sameName(pub, t.Values["publisher"])) {
		return
	}
	k := ProductKey{Publisher: NormalizeName(pub), Name: NormalizeName(prod)}
	if id, ok := c.s.Products[k]; ok {
		c.use("product", refUse{id: refID{kind: RefProduct, parent: k.Publisher, nameKey: k.Name}, name: prod, match: &id})
		return
	}
	if pub == "" {
		if !c.bad["publisher"] {
			c.fail("product", "no single product is named %q: add a publisher column, and the import creates it", prod)
		}
		return
	}
	pu := refUse{id: refID{kind: RefPublisher, nameKey: k.Publisher}, name: pub}
	if id, ok := c.s.Publishers[k.Publisher]; ok {
		pu.match = &id
	}
	c.use("product", pu)
	c.use("product", refUse{id: refID{kind: RefProduct, parent: k.Publisher, nameKey: k.Name}, name: prod,
		extra: map[string]string{"publisher": pub}})
}

// licenseOf reads a license from canonical values (cells already parsed,
// so a value that does not read is absent). The product is a placeholder:
// the row resolved it.
func licenseOf(v map[string]string) licenses.License {
	l := licenses.License{ProductID: placeholderID, Model: licenses.Model(v["licenseModel"]),
		BillingPeriod: licenses.BillingPeriod(v["billingPeriod"]), AutoRenew: v["autoRenew"] == "true",
		Name: optText(v["name"]), PurchaseOrder: optText(v["purchaseOrder"]), ContractReference: optText(v["contractReference"]),
		Notes: optText(v["notes"]), Editions: splitList(v["editions"]), Versions: splitList(v["versions"])}
	if n, err := strconv.Atoi(v["seats"]); err == nil {
		l.Seats = &n
	}
	for _, d := range []struct {
		f string
		t **time.Time
	}{{"termStart", &l.TermStart}, {"termEnd", &l.TermEnd}, {"renewalDate", &l.RenewalDate}} {
		if t, err := time.Parse(time.DateOnly, v[d.f]); err == nil {
			*d.t = &t
		}
	}
	for _, m := range []struct {
		f string
		m **itam.Money
	}{{"seatCost", &l.SeatCost}, {"totalCost", &l.TotalCost}} {
		if a, err := decimal.NewFromString(v[m.f]); err == nil {
			*m.m = &itam.Money{Amount: a, Currency: v["costCurrency"]}
		}
	}
	return l
}

func optText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// licenseErrField is the column a licenses error names: its field
// without index or sub-field ("editions[2]", "seatCost.amount"), and the
// product for productId.
func licenseErrField(c *rowCtx, err error) string {
	e, ok := err.(*itam.Error)
	if !ok {
		return ""
	}
	f, _, _ := strings.Cut(e.Field, ".")
	f, _, _ = strings.Cut(f, "[")
	if f == "productId" {
		f = "product"
	}
	if strings.HasSuffix(e.Field, ".currency") && c.p.mapped("costCurrency") {
		f = "costCurrency"
	}
	if c.p.mapped(f) {
		return f
	}
	return ""
}

// mappedOr is field when a column feeds it, else "" (the row's problem).
func mappedOr(c *rowCtx, field string) string {
	if c.p.mapped(field) {
		return field
	}
	return ""
}

func sameName(a, b string) bool { return NormalizeName(a) == NormalizeName(b) }
