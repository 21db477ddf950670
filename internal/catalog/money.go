package catalog

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Money is an amount in the minor units of a currency (cents for USD, yen for JPY), never a float.
// It is the domain's own type, so that nothing that handles prices links the AliExpress SDK.
type Money struct {
	Amount   int64  // minor units
	Currency string // ISO 4217 code, e.g. "USD"
}

// MinorUnits returns the number of decimals of an ISO 4217 currency: 0 for the zero-decimal
// currencies the platform offers (JPY, KRW, CLP, VND and a few others), 3 for the dinars, 2 otherwise.
func MinorUnits(currency string) int {
	switch strings.ToUpper(currency) {
	case "JPY", "KRW", "CLP", "VND", "ISK", "UGX", "XAF", "XOF", "PYG", "KMF", "RWF", "GNF", "DJF", "VUV", "XPF", "BIF":
		return 0
	case "BHD", "KWD", "OMR", "JOD", "IQD", "LYD", "TND":
		return 3
	}
	return 2
}

// WholeUnits reports whether prices in currency have no cents in everyday use: the zero-decimal
// currencies, and IDR, whose ISO minor unit (the sen) no shop price uses. Rounding rules and
// default fees follow it, so that a price reads "Rp 130.499", never "IDR 130,400.99".
func WholeUnits(currency string) bool {
	return MinorUnits(currency) == 0 || strings.EqualFold(currency, "IDR")
}

// errPrice is wrapped by every price-parsing error.
var errPrice = errors.New("not a price")

// ParseMoney parses a decimal price as AliExpress and the store files write it ("12.73", "1,299.00", "8") into minor
// units of currency, exactly: it never goes through a float. Digits beyond the currency's minor
// units are rounded half up. Negative amounts, exponents and anything but digits, one decimal point
// and thousands commas are refused with an error naming the text.
func ParseMoney(amount, currency string) (Money, error) {
	cur := strings.ToUpper(strings.TrimSpace(currency))
	minor, err := parseMinor(amount, MinorUnits(cur))
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: minor, Currency: cur}, nil
}

func parseMinor(s string, decimals int) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("price %q: %w", s, errPrice)
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if hasDot && frac == "" && intPart == "" {
		return 0, fmt.Errorf("price %q: %w", s, errPrice)
	}
	// Thousands separators are allowed only in the integer part, in groups of three.
	if strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, fmt.Errorf("price %q: %w", s, errPrice)
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" {
		intPart = "0"
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, fmt.Errorf("price %q: %w", s, errPrice)
	}
	whole, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("price %q: out of range: %w", s, errPrice)
	}
	var f int64
	roundUp := false
	for i := 0; i < decimals; i++ {
		f *= 10
		if i < len(frac) {
			f += int64(frac[i] - '0')
		}
	}
	if len(frac) > decimals && frac[decimals] >= '5' {
		roundUp = true
	}
	scale := int64(1)
	for i := 0; i < decimals; i++ {
		scale *= 10
	}
	const maxInt64 = 1<<63 - 1
	if whole > (maxInt64-f-1)/scale {
		return 0, fmt.Errorf("price %q: out of range: %w", s, errPrice)
	}
	v := whole*scale + f
	if roundUp {
		v++
	}
	return v, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Decimal formats the amount as a plain decimal string in major units ("12.30", "1500" for JPY),
// the form the platform and store CSV files use.
func (m Money) Decimal() string {
	d := MinorUnits(m.Currency)
	neg := m.Amount < 0
	a := m.Amount
	if neg {
		a = -a
	}
	s := strconv.FormatInt(a, 10)
	if d > 0 {
		if len(s) <= d {
			s = strings.Repeat("0", d-len(s)+1) + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// String formats m as "12.30 USD".
func (m Money) String() string {
	if m.Currency == "" {
		return m.Decimal()
	}
	return m.Decimal() + " " + m.Currency
}

// IsZero reports whether m is the zero Money (no amount and no currency).
func (m Money) IsZero() bool { return m == Money{} }
