package itam

import (
	"golang.org/x/text/currency"
)

// MinorUnits is how many decimal places an ISO 4217 currency's smallest
// unit has (2 for EUR, 0 for JPY, 3 for BHD), from the ISO table
// golang.org/x/text carries, so a split price (a total over its seats) is
// rounded to an amount that can actually be paid. Unknown codes get 2.
func MinorUnits(code string) int32 {
	u, err := currency.ParseISO(code)
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return int32(scale)
}
