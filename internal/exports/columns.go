package exports

import (
	"slices"
	"strings"

	"github.com/itam-dev/itam/internal/imports"
	"github.com/itam-dev/itam/internal/itam"
)

// Kind is what a list export holds.
type Kind string

// The kinds of list an export can hold.
const (
	KindAssets   Kind = "ASSETS"
	KindPeople   Kind = "PEOPLE"
	KindLicenses Kind = "LICENSES"
)

// Format is the file an export is written as.
type Format string

// The formats an export can be written in.
const (
	FormatCSV  Format = "CSV"
	FormatXLSX Format = "XLSX"
)

// Valid reports whether f is a known format.
func (f Format) Valid() bool { return f == FormatCSV || f == FormatXLSX }

// Ext is the file name extension of f, without the dot.
func (f Format) Ext() string { return strings.ToLower(string(f)) }

// ParseFormat reads a format as the command line spells it ("csv").
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToUpper(strings.TrimSpace(s)))
	if !f.Valid() {
		return "", itam.Invalid("format", "%q is not an export format (csv, xlsx)", s)
	}
	return f, nil
}

// ParseKind reads a kind as the command line spells it ("assets").
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToUpper(strings.TrimSpace(s)))
	if _, ok := kindColumns[k]; !ok {
		return "", itam.Invalid("kind", "%q is not an export kind (assets, people, licenses)", s)
	}
	return k, nil
}

// FileName is the download's name: itam-assets-20260105.csv.
func FileName(kind Kind, format Format, day string) string {
	return "itam-" + strings.ToLower(string(kind)) + "-" + strings.ReplaceAll(day, "-", "") + "." + format.Ext()
}

// Column is one column of an export. Its Name is its header and, for
// assets, people and licenses, exactly the import's field name: an exported file
// maps itself when it is imported again.
type Column struct {
	Name string
	// Cost columns are written only for callers who may read costs
	// (itam.Principal.CanReadCosts).
	Cost bool
	// canon turns the stored text into the import's canonical text; nil
	// keeps it.
	canon func(string) string
}

// Canon returns v in the canonical text of the column.
func (c Column) Canon(v string) string {
	if c.canon == nil || v == "" {
		return v
	}
	return c.canon(v)
}

// assetCost are the asset fields only a caller who reads costs sees (the
// API's cost fields: purchase price and its currency, order and invoice).
var assetCost = map[string]bool{"purchasePrice": true, "purchaseCurrency": true, "orderNumber": true, "invoiceNumber": true}

// licenseCost are the license fields only a caller who reads costs sees.
var licenseCost = map[string]bool{"seatCost": true, "totalCost": true, "costCurrency": true}

var kindColumns = map[Kind][]Column{
	KindAssets:   importColumns(imports.KindAssets, assetCost),
	KindPeople:   importColumns(imports.KindPeople, nil),
	KindLicenses: importColumns(imports.KindLicenses, licenseCost),
}

// importColumns are the columns of an import kind's fields, in its order.
func importColumns(kind imports.Kind, cost map[string]bool) []Column {
	var out []Column
	for _, f := range imports.Fields(kind) {
		c := Column{Name: f, Cost: cost[f]}
		if f == "purchasePrice" || f == "seatCost" || f == "totalCost" {
			c.canon = Amount
		}
		out = append(out, c)
	}
	return out
}

// Columns returns every column of kind, in their default order.
func Columns(kind Kind) []Column { return slices.Clone(kindColumns[kind]) }

// Select returns the columns of kind p may export: the ones named, in the
// order named, or every column p may read when names is empty. A name
// that is no column, a repeated one, or a cost column for a caller who
// may not read costs is BAD_USER_INPUT / FORBIDDEN on "columns".
func Select(p itam.Principal, kind Kind, names []string) ([]Column, error) {
	all, ok := kindColumns[kind]
	if !ok {
		return nil, itam.Invalid("kind", "%q is not an export kind", kind)
	}
	if len(names) == 0 {
		var out []Column
		for _, c := range all {
			if !c.Cost || p.CanReadCosts() {
				out = append(out, c)
			}
		}
		return out, nil
	}
	out := make([]Column, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		i := slices.IndexFunc(all, func(c Column) bool { return c.Name == n })
		switch {
		case i < 0:
			return nil, itam.Invalid("columns", "%q is not a column of a %s export", n, strings.ToLower(string(kind)))
		case seen[n]:
			return nil, itam.Invalid("columns", "column %q is named twice", n)
		case all[i].Cost && !p.CanReadCosts():
			return nil, &itam.Error{Code: itam.CodeForbidden, Field: "columns", Message: "role " + string(p.Role) + " cannot read costs: leave out column " + n}
		}
		seen[n] = true
		out = append(out, all[i])
	}
	return out, nil
}

// Names returns the names of cols.
func Names(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
	}
	return out
}

// Authorize says whether p may export lists of kind. An export is the
// whole organization's list, so it needs a role that reads every record:
// ADMIN, MANAGER and AUDITOR; an EMPLOYEE, who reads only their own
// records, is refused.
func Authorize(p itam.Principal, kind Kind) error {
	if _, ok := kindColumns[kind]; !ok {
		return itam.Invalid("kind", "%q is not an export kind", kind)
	}
	if !p.CanReadAll() {
		return itam.Forbidden("role %s cannot export %s", p.Role, strings.ToLower(string(kind)))
	}
	return nil
}

// Amount writes a stored amount (numeric text such as "1299.5000") the way
// the import's canonical text holds it: at least two decimals, no trailing
// zeros beyond them ("1299.50", "0.0125").
func Amount(s string) string {
	intPart, frac, ok := strings.Cut(s, ".")
	if !ok {
		return s + ".00"
	}
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	return intPart + "." + frac
}
