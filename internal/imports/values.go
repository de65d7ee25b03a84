package imports

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"

	"github.com/itam-dev/itam/internal/itam"
)

// DateOrder says how to read a date whose day and month are both numbers:
// 01/02/2024 is 1 February under DMY and 2 January under MDY. It is an
// import option because the file cannot tell.
type DateOrder string

// The date orders an import accepts.
const (
	DMY DateOrder = "DMY"
	MDY DateOrder = "MDY"
)

// Valid reports whether o is a known order.
func (o DateOrder) Valid() bool { return o == DMY || o == MDY }

func (o DateOrder) words() string {
	if o == MDY {
		return "month/day/year"
	}
	return "day/month/year"
}

// Excel's 1900 date system: serial 1 is 1900-01-01, and serial 60 is the
// 29 February 1900 that Lotus 1-2-3 invented and Excel kept. Serials from 61
// on therefore count from 1899-12-30, those below from 1899-12-31; 2958465 is
// 9999-12-31, Excel's last date.
const (
	excelMaxSerial  = 2958465
	excelLeapSerial = 60
)

var (
	excelEpoch      = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	excelEarlyEpoch = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
)

// isoLayouts are the year-first forms, unambiguous whatever the order.
var isoLayouts = []string{
	"2006-01-02", time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04",
	"2006-01-02 15:04", "2006-01-02 15:04:05Z07:00", "2006/01/02", "2006/1/2", "2006-1-2",
}

// clockLayouts are the times of day that may follow a numeric date.
var clockLayouts = []string{"15:04", "15:04:05", "3:04 PM", "3:04:05 PM", "3:04PM"}

// wordLayouts are dates with a month name, unambiguous too.
var wordLayouts = []string{
	"2 Jan 2006", "2-Jan-2006", "2 January 2006", "Jan 2, 2006", "January 2, 2006", "Jan 2 2006", "January 2 2006",
}

// ParseDate reads a date the way spreadsheets hold it: ISO (with or without a
// time), day and month as numbers in the given order (31/12/2024, 12/31/2024,
// 31.12.2024, 31-12-2024), a month name (31 Dec 2024) or an Excel serial
// number (45657, with a fraction for the time of day). Times are returned in
// UTC; a time with an offset is converted.
//
// Two-digit years are refused rather than windowed: whether "24" is 1924 or
// 2024 is a guess, and an import must not guess at dates it then writes.
// A day or month out of range is an error, never re-read in the other order.
func ParseDate(s string, order DateOrder) (time.Time, error) {
	if !order.Valid() {
		// Checked first so a bad option fails on every row, not only on the
		// ambiguous ones.
		return time.Time{}, itam.Invalid("options.dateOrder", "%q is not a date order (DMY or MDY)", order)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, itam.Invalid("", "a date is required here")
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	for _, layout := range wordLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	if t, ok, err := parseExcelSerial(s); ok {
		return t, err
	}
	datePart, clock, hasClock := strings.Cut(s, " ")
	if parts := splitDate(datePart); parts != nil {
		t, err := parseNumericDate(s, parts, order)
		if err != nil || !hasClock {
			return t, err
		}
		// Excel writes date-times as "31/12/2024 10:30" in CSV.
		for _, layout := range clockLayouts {
			if c, cerr := time.Parse(layout, strings.TrimSpace(clock)); cerr == nil {
				return t.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute +
					time.Duration(c.Second())*time.Second), nil
			}
		}
		return time.Time{}, itam.Invalid("", "%q is not a date: %q is not a time of day", s, strings.TrimSpace(clock))
	}
	return time.Time{}, itam.Invalid("", "%q is not a date (use %s, YYYY-MM-DD or an Excel date)", s, orderLayout(order))
}

func orderLayout(o DateOrder) string {
	if o == MDY {
		return "MM/DD/YYYY"
	}
	return "DD/MM/YYYY"
}

// parseExcelSerial reads s as an Excel serial when it is a plain number; ok is
// false when it is not one, so other forms are tried.
func parseExcelSerial(s string) (time.Time, bool, error) {
	for _, r := range s {
		if !unicode.IsDigit(r) && r != '.' {
			return time.Time{}, false, nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return time.Time{}, false, nil
	}
	if len(s) == 8 && !strings.Contains(s, ".") && f > excelMaxSerial {
		// 20241231: a compact ISO date, too large to be a serial.
		if t, err := time.Parse("20060102", s); err == nil {
			return t, true, nil
		}
	}
	day := math.Floor(f)
	switch {
	case day < 1 || day > excelMaxSerial:
		return time.Time{}, true, itam.Invalid("", "%q is not a date: Excel date numbers run from 1 (1900-01-01) to %d (9999-12-31)", s, excelMaxSerial)
	case day == excelLeapSerial:
		return time.Time{}, true, itam.Invalid("", "%q is not a date: Excel's 29 February 1900 never existed", s)
	}
	epoch := excelEpoch
	if day < excelLeapSerial {
		epoch = excelEarlyEpoch
	}
	// Round the time of day to the second: spreadsheets store it as a binary
	// fraction that is never exact.
	secs := math.Round((f - day) * 86400)
	return epoch.AddDate(0, 0, int(day)).Add(time.Duration(secs) * time.Second), true, nil
}

// splitDate splits "31/12/2024", "31.12.2024" or "31-12-2024" into its three
// numbers; nil when s is not of that form.
func splitDate(s string) []string {
	sep := strings.IndexAny(s, "/.-")
	if sep < 0 {
		return nil
	}
	parts := strings.Split(s, s[sep:sep+1])
	if len(parts) != 3 {
		return nil
	}
	for _, p := range parts {
		if p == "" || len(p) > 4 || strings.IndexFunc(p, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			return nil
		}
	}
	return parts
}

func parseNumericDate(s string, parts []string, order DateOrder) (time.Time, error) {
	n := [3]int{}
	for i, p := range parts {
		n[i], _ = strconv.Atoi(p) // splitDate let digits only through
	}
	var y, m, d int
	switch {
	case len(parts[0]) == 4:
		y, m, d = n[0], n[1], n[2]
	case len(parts[2]) != 4:
		return time.Time{}, itam.Invalid("", "%q is not a date: write the year in full (%s)", s, orderLayout(order))
	case order == MDY:
		m, d, y = n[0], n[1], n[2]
	default:
		d, m, y = n[0], n[1], n[2]
	}
	if m < 1 || m > 12 {
		return time.Time{}, itam.Invalid("", "%q is not a date (%s): there is no month %d", s, order.words(), m)
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		return time.Time{}, itam.Invalid("", "%q is not a date (%s): %s %d has no day %d", s, order.words(), time.Month(m), y, d)
	}
	return t, nil
}

// currencySymbols maps the symbols spreadsheets carry to ISO codes. "$" and
// "¥" are shared by several currencies: they mean the default currency when
// it uses that symbol, else USD and JPY.
var currencySymbols = map[string]struct {
	code   string
	shared []string
}{
	"US$": {code: "USD"},
	"$":   {code: "USD", shared: []string{"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN"}},
	"€":   {code: "EUR"},
	"£":   {code: "GBP"},
	"¥":   {code: "JPY", shared: []string{"JPY", "CNY"}},
}

// symbolOrder tries "US$" before "$".
var symbolOrder = []string{"US$", "$", "€", "£", "¥"}

// ParseMoney reads a price as spreadsheets hold it: a currency symbol ($ € £ ¥)
// or ISO code before or after the amount, and thousands separators in either
// style ("1,299.00", "1.299,00", "1 299,00", "1'299.00"). Without a currency
// in s, defaultCurrency applies. Negative amounts (a minus or accounting
// parentheses) are refused: a purchase price is never negative.
//
// A single "," or "." followed by exactly three digits ("1,299", "1.299") is
// read as a thousands separator, since prices rarely carry three decimals;
// "0.125" stays a decimal, because no thousands group starts with 0.
func ParseMoney(s, defaultCurrency string) (itam.Money, error) {
	orig := s
	s = strings.TrimSpace(s)
	if s == "" {
		return itam.Money{}, itam.Invalid("", "an amount is required here")
	}
	if strings.ContainsAny(s, "-−()") {
		return itam.Money{}, itam.Invalid("", "%q is negative: a price cannot be", orig)
	}
	code, rest, err := takeCurrency(s, defaultCurrency)
	if err != nil {
		return itam.Money{}, err
	}
	num, err := normalizeAmount(rest)
	if err != nil {
		return itam.Money{}, itam.Invalid("", "%q is not an amount: %s", orig, err.Error())
	}
	if code == "" {
		if defaultCurrency == "" {
			return itam.Money{}, itam.Invalid("", "%q has no currency: add one or set a default currency", orig)
		}
		if code, err = itam.ParseCurrency(defaultCurrency); err != nil {
			return itam.Money{}, itam.Invalid("", "default currency %q is not an ISO 4217 code", defaultCurrency)
		}
	}
	amount, err := decimal.NewFromString(num)
	if err != nil {
		return itam.Money{}, itam.Invalid("", "%q is not an amount", orig)
	}
	m := itam.Money{Amount: amount, Currency: code}
	if err := itam.ValidateMoney(m, "amount"); err != nil {
		if e, ok := err.(*itam.Error); ok {
			return itam.Money{}, itam.Invalid("", "%q: %s", orig, e.Message)
		}
		return itam.Money{}, err
	}
	return m, nil
}

// takeCurrency removes a symbol and/or ISO code from either end of s and
// returns the code ("" when s names none) and what is left.
func takeCurrency(s, defaultCurrency string) (code, rest string, err error) {
	rest = s
	def := strings.ToUpper(strings.TrimSpace(defaultCurrency))
	for _, sym := range symbolOrder {
		var found bool
		if after, ok := strings.CutPrefix(rest, sym); ok {
			rest, found = after, true
		} else if before, ok := strings.CutSuffix(rest, sym); ok {
			rest, found = before, true
		}
		if found {
			info := currencySymbols[sym]
			code = info.code
			for _, c := range info.shared {
				if c == def {
					code = def
				}
			}
			break
		}
	}
	rest = strings.TrimSpace(rest)
	// An ISO code: three letters at the start or the end.
	letters := func(t string) bool {
		return len(t) == 3 && strings.IndexFunc(t, func(r rune) bool { return !unicode.IsLetter(r) || r > unicode.MaxASCII }) < 0
	}
	var iso string
	if len(rest) >= 3 && letters(rest[:3]) {
		iso, rest = rest[:3], rest[3:]
	} else if len(rest) >= 3 && letters(rest[len(rest)-3:]) {
		iso, rest = rest[len(rest)-3:], rest[:len(rest)-3]
	}
	rest = strings.TrimSpace(rest)
	if iso != "" {
		c, perr := itam.ParseCurrency(iso)
		if perr != nil {
			return "", "", itam.Invalid("", "%q: %q is not an ISO 4217 currency code", s, iso)
		}
		if code != "" && c != code && !symbolShared(c, s) {
			return "", "", itam.Invalid("", "%q names two currencies (%s and %s)", s, code, c)
		}
		code = c
	}
	return code, rest, nil
}

// symbolShared reports whether c is one of the currencies the symbol in s
// stands for, so "$100 CAD" is CAD, not a clash between USD and CAD.
func symbolShared(c, s string) bool {
	for _, sym := range symbolOrder {
		if strings.Contains(s, sym) {
			for _, sh := range currencySymbols[sym].shared {
				if sh == c {
					return true
				}
			}
			return false
		}
	}
	return false
}

// normalizeAmount turns "1.299,00" or "1'299.00" into "1299.00".
func normalizeAmount(s string) (string, error) {
	if s == "" {
		return "", errString("there is no number")
	}
	// Spaces (plain, no-break, narrow no-break) and apostrophes only ever
	// group thousands.
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\u00a0', '\u202f', '\'', '’':
			return '_'
		}
		return r
	}, s)
	for _, r := range s {
		if !unicode.IsDigit(r) && r != '.' && r != ',' && r != '_' || r > unicode.MaxASCII {
			return "", errString("it holds " + strconv.QuoteRune(r))
		}
	}
	dec := byte(0)
	lastDot, lastComma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case lastDot >= 0 && lastComma >= 0:
		dec = '.'
		if lastComma > lastDot {
			dec = ','
		}
	case lastDot >= 0 || lastComma >= 0:
		sep := byte('.')
		if lastComma >= 0 {
			sep = ','
		}
		i := strings.IndexByte(s, sep)
		intPart := strings.Trim(s[:i], "_")
		if strings.Count(s, string(sep)) == 1 && (len(s)-i-1 != 3 || intPart == "0" || intPart == "" || strings.Contains(s, "_")) {
			dec = sep
		}
	}
	intPart, frac := s, ""
	if dec != 0 {
		i := strings.LastIndexByte(s, dec)
		intPart, frac = s[:i], s[i+1:]
		if frac == "" || strings.IndexFunc(frac, func(r rune) bool { return !unicode.IsDigit(r) }) >= 0 {
			return "", errString("the decimals are not digits")
		}
	}
	groups := strings.FieldsFunc(intPart, func(r rune) bool { return r == '.' || r == ',' || r == '_' })
	if len(groups) == 0 {
		groups = []string{"0"}
	}
	if len(groups) > 1 {
		// Thousands separators must fall every three digits.
		if len(groups[0]) > 3 || strings.Join(groups, "") != strings.Map(keepDigits, intPart) {
			return "", errString("the thousands separators are misplaced")
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return "", errString("the thousands separators are misplaced")
			}
		}
		// Mixed thousands separators ("1,299.000,00") are no style at all.
		seps := strings.Map(func(r rune) rune {
			if unicode.IsDigit(r) {
				return -1
			}
			return r
		}, intPart)
		if strings.Trim(seps, seps[:1]) != "" {
			return "", errString("the thousands separators are mixed")
		}
	}
	out := strings.Join(groups, "")
	if frac != "" {
		out += "." + frac
	}
	return out, nil
}

func keepDigits(r rune) rune {
	if unicode.IsDigit(r) {
		return r
	}
	return -1
}

type errString string

func (e errString) Error() string { return string(e) }
