package jamf

import (
	"strings"
	"time"
	"unicode"

	"github.com/itam-dev/itam/connectors"
	"github.com/itam-dev/itam/internal/itam"
	"github.com/itam-dev/itam/internal/reconcile"
)

// toDevice maps one ComputerInventory record to the canonical Device.
// Sections that were not requested (null) leave their fields empty.
func toDevice(c computer, withSoftware bool) connectors.Device {
	d := connectors.Device{ExternalID: strings.TrimSpace(string(c.ID))}
	if g := c.General; g != nil {
		d.Name = strings.TrimSpace(g.Name)
		d.AssetTag = strings.TrimSpace(g.AssetTag)
		d.LastCheckIn = latest(parseTime(g.LastContact), parseTime(g.LastContactTime), parseTime(g.LastCheckIn))
	}
	if h := c.Hardware; h != nil {
		d.SerialNumber = strings.TrimSpace(h.SerialNumber)
		d.Manufacturer = strings.TrimSpace(h.Make)
		d.Model = strings.TrimSpace(h.Model)
		d.ModelIdentifier = strings.TrimSpace(h.ModelIdentifier)
	}
	if o := c.OperatingSystem; o != nil {
		d.OSName = strings.TrimSpace(o.Name)
		d.OSVersion = osVersion(o.Version, o.RapidSecurityResponse)
	}
	if u := c.UserAndLocation; u != nil {
		// Kept as the vendor wrote it (case included): the engine normalizes.
		d.UserEmail = strings.TrimSpace(u.Email)
		d.UserName = strings.TrimSpace(u.Realname)
		if d.UserName == "" {
			d.UserName = strings.TrimSpace(u.Username)
		}
	}
	if p := c.Purchasing; p != nil {
		d.PurchaseDate = parseTime(p.PoDate)
		d.WarrantyEnd = parseTime(p.WarrantyDate)
		d.PurchasePrice, d.PurchaseCurrency = parsePrice(string(p.PurchasePrice))
	}
	// Jamf has no VM flag: the hardware strings and serial are the signal.
	d.Virtual = reconcile.LooksVirtual(d.Manufacturer, d.Model, d.ModelIdentifier, d.SerialNumber)
	if withSoftware {
		d.Software = toSoftware(c.Applications)
	}
	return d
}

// osVersion appends Apple's Rapid Security Response suffix the way Apple
// displays it: "13.4.1 (a)".
func osVersion(v, rsr string) string {
	v, rsr = strings.TrimSpace(v), strings.TrimSpace(rsr)
	if v == "" || rsr == "" {
		return v
	}
	return v + " " + rsr
}

// toSoftware maps the APPLICATIONS section, dropping nameless entries and
// exact duplicates. nil when the section was absent (null); an empty,
// non-nil slice when the computer reported no applications, so "no
// software" is distinguishable from "not fetched".
func toSoftware(apps []application) []connectors.Software {
	if apps == nil {
		return nil
	}
	list := reconcile.NewSoftwareList(len(apps))
	for _, a := range apps {
		list.Add(a.Name, a.Version, a.BundleID)
	}
	return list.Items()
}

// timeLayouts are the timestamp shapes Jamf Pro returns. The API documents
// RFC 3339 with a Z ("2018-10-31T18:04:13Z"), servers add fractional
// seconds of varying length ("2021-05-07T21:20:34.35Z",
// "2024-01-02T03:04:05.123Z"), some fields omit the zone (UTC), older
// servers send a numeric offset without a colon ("+0000"), and purchasing
// dates are plain dates ("2019-01-01"). Go accepts fractional seconds when
// parsing even where a layout does not name them.
var timeLayouts = []string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02",
	"2006/01/02",
}

// parseTime reads a Jamf timestamp; nil when empty or unreadable (the vendor
// "did not say", which must never fail a page).
func parseTime(s string) *time.Time {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "null", "none", "n/a", "unknown":
		return nil
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			if t.IsZero() || t.Year() < 1971 {
				return nil // placeholder dates ("1970-01-01T00:00:00Z") mean "never"
			}
			t = t.UTC()
			return &t
		}
	}
	return nil
}

// latest is the most recent of ts, nil when all are nil.
func latest(ts ...*time.Time) *time.Time {
	var out *time.Time
	for _, t := range ts {
		if t != nil && (out == nil || t.After(*out)) {
			out = t
		}
	}
	return out
}

// currencySymbols map unambiguous currency signs to ISO 4217 codes. A bare
// "$" is deliberately absent: USD, CAD, AUD, NZD, MXN... all use it, and an
// empty PurchaseCurrency ("the vendor did not say") is better than a guess.
var currencySymbols = []struct{ sign, code string }{
	{"US$", "USD"}, {"CA$", "CAD"}, {"C$", "CAD"}, {"A$", "AUD"}, {"AU$", "AUD"}, {"NZ$", "NZD"},
	{"€", "EUR"}, {"£", "GBP"}, {"¥", "JPY"}, {"₹", "INR"}, {"₩", "KRW"}, {"₽", "RUB"},
	{"₺", "TRY"}, {"₪", "ILS"}, {"R$", "BRL"}, {"CHF", "CHF"}, {"zł", "PLN"}, {"kr", ""},
}

// parsePrice reads Jamf's free-text purchasePrice ("$500", "1,299.00",
// "€1.499,00", "USD 999.99", "") into a decimal string and, when the text
// names one unambiguously, an ISO currency code. Unreadable prices give "",
// "": the vendor did not say anything usable.
func parsePrice(raw string) (price, currency string) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", ""
	}
	// An ISO code written out ("USD 999", "999 EUR").
	var letters []rune
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters = append(letters, unicode.ToUpper(r))
		}
	}
	if len(letters) == 3 {
		currency = string(letters)
	}
	for _, cs := range currencySymbols {
		if strings.Contains(s, cs.sign) {
			if cs.code != "" {
				currency = cs.code
			}
			break
		}
	}
	// Keep digits and separators; a leading minus is not a price.
	var num strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.', r == ',':
			num.WriteRune(r)
		case r == ' ' || r == '\u00a0' || r == '\'' || r == '’':
			// thousands separators in some locales: "1 299,00", "1'299.00"
		}
	}
	price = normalizeDecimal(num.String())
	if price == "" {
		return "", ""
	}
	if currency != "" {
		currency, _ = itam.ParseCurrency(currency) // three letters that are not a currency are none
	}
	return price, currency
}

// normalizeDecimal turns "1,299.00", "1.299,00", "1299", "12,5" into a
// plain decimal ("1299.00", "1299.00", "1299", "12.5"). When both
// separators occur, the last is the decimal point; a lone separator
// followed by exactly three digits is a thousands separator.
func normalizeDecimal(s string) string {
	s = strings.TrimLeft(strings.TrimRight(s, ".,"), ",")
	if s == "" {
		return ""
	}
	lastDot, lastComma := strings.LastIndex(s, "."), strings.LastIndex(s, ",")
	dec := -1
	switch {
	case lastDot >= 0 && lastComma >= 0:
		dec = max(lastDot, lastComma)
	case lastDot >= 0 || lastComma >= 0:
		sep := byte('.')
		i := lastDot
		if lastComma >= 0 {
			sep, i = ',', lastComma
		}
		// One separator, three digits after it: "1,299" or "1.299" are
		// thousands. Several of the same separator: thousands too.
		if strings.Count(s, string(sep)) == 1 && len(s)-i-1 != 3 {
			dec = i
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
		case i == dec:
			b.WriteByte('.')
		}
	}
	out := b.String()
	if strings.HasPrefix(out, ".") {
		out = "0" + out
	}
	return out
}
