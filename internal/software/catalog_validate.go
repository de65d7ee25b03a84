package software

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/itam-dev/itam/internal/itam"
)

// Limits of the catalog's text fields, in characters. Names are shown in
// lists and compliance reports; editions are labels rules and licenses
// repeat, so both stay short.
const (
	MaxNameLength    = 200
	MaxEditionLength = 100
	MaxEditions      = 50
	MaxWebsiteLength = 2048
)

// RequireCatalogWrite returns the caller when they may change publishers
// and products (ADMIN and MANAGER, like every other catalog), else FORBIDDEN.
func RequireCatalogWrite(ctx context.Context) (itam.Principal, error) { return itam.RequireWrite(ctx) }

// RequireCatalogRead returns the caller when they may read publishers and
// products: every role. An EMPLOYEE sees the products of the software on
// their own devices (Asset.software), so the names are no secret to them;
// a product's notes (contract remarks) are hidden from them (VisibleTo).
func RequireCatalogRead(ctx context.Context) (itam.Principal, error) {
	return itam.RequirePrincipal(ctx)
}

// VisibleTo returns the product as p may read it: notes are internal and
// only callers who read every record see them.
func (x *Product) VisibleTo(p itam.Principal) *Product {
	if p.CanReadAll() || x.Notes == nil {
		return x
	}
	y := *x
	y.Notes = nil
	return &y
}

// Validate normalizes a new publisher's input (trimmed, blank website
// cleared) and checks it; errors name the input field.
func (in *PublisherInput) Validate() error {
	x := Publisher{Name: in.Name, Website: in.Website}
	if err := x.Validate(); err != nil {
		return err
	}
	in.Name, in.Website = x.Name, x.Website
	return nil
}

// Validate normalizes a publisher about to be stored and checks it: a
// required name of at most MaxNameLength characters, and a website that
// is an absolute http(s) URL when given.
func (x *Publisher) Validate() error {
	name, err := validName(x.Name)
	if err != nil {
		return err
	}
	x.Name = name
	x.Website = itam.Trimmed(x.Website)
	if x.Website != nil {
		if err := validWebsite(*x.Website); err != nil {
			return err
		}
	}
	return nil
}

// Validate normalizes a new product's input and checks it (see
// Product.Validate).
func (in *ProductInput) Validate() error {
	x := Product{PublisherID: in.PublisherID, Name: in.Name, Editions: in.Editions, Notes: in.Notes}
	if err := x.Validate(); err != nil {
		return err
	}
	in.Name, in.Editions, in.Notes = x.Name, x.Editions, x.Notes
	return nil
}

// Validate normalizes a product about to be stored and checks it: a
// required name of at most MaxNameLength characters; editions trimmed,
// none blank, each at most MaxEditionLength characters, at most
// MaxEditions of them, duplicates (regardless of case) dropped keeping the
// first spelling, since rules and licenses match editions case-insensitively;
// blank notes cleared.
func (x *Product) Validate() error {
	name, err := validName(x.Name)
	if err != nil {
		return err
	}
	x.Name = name
	editions, err := validEditions(x.Editions)
	if err != nil {
		return err
	}
	x.Editions = editions
	x.Notes = itam.Trimmed(x.Notes)
	return nil
}

func validName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", itam.Invalid("name", "name cannot be blank")
	}
	if n := utf8.RuneCountInString(name); n > MaxNameLength {
		return "", itam.Invalid("name", "name is %d characters long; at most %d are allowed", n, MaxNameLength)
	}
	return name, nil
}

func validWebsite(site string) error {
	if len(site) > MaxWebsiteLength {
		return itam.Invalid("website", "website is longer than %d characters", MaxWebsiteLength)
	}
	u, err := url.Parse(site)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return itam.Invalid("website", "%q is not an http(s) URL such as https://example.com", site)
	}
	return nil
}

func validEditions(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for i, e := range in {
		field := fmt.Sprintf("editions[%d]", i)
		e = strings.TrimSpace(e)
		if e == "" {
			return nil, itam.Invalid(field, "an edition cannot be blank")
		}
		if n := utf8.RuneCountInString(e); n > MaxEditionLength {
			return nil, itam.Invalid(field, "edition is %d characters long; at most %d are allowed", n, MaxEditionLength)
		}
		if key := strings.ToLower(e); !seen[key] {
			seen[key] = true
			out = append(out, e)
		}
	}
	if len(out) > MaxEditions {
		return nil, itam.Invalid("editions", "at most %d editions are allowed, got %d", MaxEditions, len(out))
	}
	return out, nil
}

// Apply returns cur changed by p, validated.
func (p PublisherPatch) Apply(cur Publisher) (Publisher, error) {
	x := cur
	if err := required(&x.Name, "name", p.Name); err != nil {
		return Publisher{}, err
	}
	itam.Patch(&x.Website, p.Website)
	if err := x.Validate(); err != nil {
		return Publisher{}, err
	}
	return x, nil
}

// Apply returns cur changed by p, validated.
func (p ProductPatch) Apply(cur Product) (Product, error) {
	x := cur
	if err := required(&x.PublisherID, "publisherId", p.PublisherID); err != nil {
		return Product{}, err
	}
	if err := required(&x.Name, "name", p.Name); err != nil {
		return Product{}, err
	}
	if p.Editions.Set {
		x.Editions = nil
		if p.Editions.Value != nil {
			x.Editions = *p.Editions.Value
		}
	}
	itam.Patch(&x.Notes, p.Notes)
	if err := x.Validate(); err != nil {
		return Product{}, err
	}
	return x, nil
}
