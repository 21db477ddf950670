package catalog

import (
	"sort"
	"strings"
)

// currencySigns are the symbols people write before or after an amount of each currency the
// platform offers, besides its ISO code; "$" is any dollar's or peso's.
var currencySigns = map[string][]string{
	"USD": {"US$", "$"}, "EUR": {"€"}, "GBP": {"£"}, "CAD": {"CA$", "C$", "$"}, "AUD": {"AU$", "A$", "$"},
	"BRL": {"R$"}, "MXN": {"MX$", "$"}, "JPY": {"¥", "￥", "円"}, "KRW": {"₩", "원"}, "INR": {"₹", "Rs.", "Rs"},
	"IDR": {"Rp"}, "SEK": {"kr"}, "TRY": {"₺", "TL"}, "UAH": {"₴", "грн"}, "RUB": {"₽", "руб.", "руб"},
	"ILS": {"₪"}, "THB": {"฿"}, "CLP": {"CLP$", "$"}, "VND": {"₫", "đ"},
}

// CurrencySigns returns what may stand before or after an amount typed in currency: its ISO code
// and its symbols, longest first, so that "US$" is matched before "$".
func CurrencySigns(currency string) []string {
	cur := strings.ToUpper(currency)
	signs := append([]string{cur}, currencySigns[cur]...)
	sort.SliceStable(signs, func(i, j int) bool { return len(signs[i]) > len(signs[j]) })
	return signs
}

// normalizeAmount turns an amount as people type it into the form ParseMoney reads. A currency
// sign of currency before or after it goes ("$14.99", "14,99 €", "USD 12"); a sign of another
// currency is left, for ParseMoney to refuse. A comma is the decimal separator where it cannot be
// a thousands separator: alone and followed by other than three digits ("14,99", "0,5"), or after
// dots that group thousands ("1.299,99"). "1,299" stays a thousand two hundred and ninety-nine.
func normalizeAmount(s, currency string) string {
	t := strings.TrimSpace(s)
	for _, sign := range CurrencySigns(currency) {
		if len(t) > len(sign) && strings.EqualFold(t[:len(sign)], sign) {
			t = strings.TrimSpace(t[len(sign):])
			break
		}
		if len(t) > len(sign) && strings.EqualFold(t[len(t)-len(sign):], sign) {
			t = strings.TrimSpace(t[:len(t)-len(sign)])
			break
		}
	}
	comma, dot := strings.LastIndexByte(t, ','), strings.LastIndexByte(t, '.')
	switch {
	case comma >= 0 && dot >= 0 && comma > dot:
		whole := t[:comma]
		groups := strings.Split(whole, ".")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) || !allDigits(g) {
				return t
			}
		}
		return strings.Join(groups, "") + "." + t[comma+1:]
	case comma >= 0 && dot < 0 && strings.IndexByte(t, ',') == comma && len(t)-comma-1 != 3:
		return t[:comma] + "." + t[comma+1:]
	}
	return t
}
