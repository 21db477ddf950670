package world

import (
	"math"
	"math/bits"
	"strings"
)

// currency is one of the platform's target currencies at the simulator's fixed rate.
type currency struct {
	code  string
	perE4 uint64 // units of the currency per US dollar, in ten-thousandths
	minor int    // ISO 4217 decimals
}

// currencies are the affiliate API's target_currency values with believable fixed rates.
var currencies = []currency{
	{"USD", 10000, 2}, {"GBP", 7500, 2}, {"CAD", 13700, 2}, {"EUR", 8600, 2}, {"UAH", 415000, 2},
	{"MXN", 188000, 2}, {"TRY", 395000, 2}, {"RUB", 800000, 2}, {"BRL", 55000, 2}, {"AUD", 15300, 2},
	{"INR", 860000, 2}, {"JPY", 1480000, 0}, {"IDR", 163000000, 2}, {"SEK", 96000, 2},
	{"KRW", 13900000, 0}, {"ILS", 35000, 2}, {"THB", 327000, 2}, {"CLP", 9500000, 0},
	{"VND", 260000000, 0}, {"CNY", 71800, 2},
}

func findCurrency(code string) (currency, bool) {
	code = strings.ToUpper(code)
	for _, c := range currencies {
		if c.code == code {
			return c, true
		}
	}
	return currency{}, false
}

// Currencies lists the currency codes Convert knows.
func Currencies() []string {
	out := make([]string, len(currencies))
	for i, c := range currencies {
		out[i] = c.code
	}
	return out
}

// Convert turns USD cents into the minor units of currency at the simulator's fixed rates,
// rounding half away from zero; ok is false for a currency the platform does not offer. The
// arithmetic is exact integer arithmetic; results beyond int64 saturate.
func Convert(usdCents int64, currency string) (amount int64, ok bool) {
	cur, ok := findCurrency(currency)
	if !ok {
		return 0, false
	}
	neg := usdCents < 0
	u := uint64(usdCents)
	if neg {
		u = -u
	}
	// amount = cents * rate/1e4 * 10^minor / 100
	mul := cur.perE4
	if cur.minor == 2 {
		mul *= 100
	}
	const div = 1000000
	hi, lo := bits.Mul64(u, mul)
	lo, carry := bits.Add64(lo, div/2, 0)
	hi += carry
	if hi >= div {
		if neg {
			return math.MinInt64, true
		}
		return math.MaxInt64, true
	}
	q, _ := bits.Div64(hi, lo, div)
	if q > math.MaxInt64 {
		q = math.MaxInt64
	}
	if neg {
		return -int64(q), true
	}
	return int64(q), true
}

// MinorUnits is the number of decimals of currency per ISO 4217: 0 for JPY, KRW, CLP and VND,
// 2 for the platform's other currencies (IDR included) and for any currency it does not know.
func MinorUnits(currency string) int {
	if c, ok := findCurrency(currency); ok {
		return c.minor
	}
	return 2
}
