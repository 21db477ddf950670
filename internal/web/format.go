package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

// currencySymbols are the prefixes prices are shown with; other currencies show their code.
var currencySymbols = map[string]string{
	"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "BRL": "R$", "MXN": "MX$",
	"JPY": "¥", "KRW": "₩", "INR": "₹", "ILS": "₪", "TRY": "₺", "UAH": "₴", "RUB": "₽", "THB": "฿",
	"VND": "₫",
}

// formatMoney shows m for people: "$1,234.50", "€9.99", "SEK 120.00". The digits come from
// Money.Decimal, so they are exact.
func formatMoney(m catalog.Money) string {
	d := m.Decimal()
	neg := strings.HasPrefix(d, "-")
	d = strings.TrimPrefix(d, "-")
	whole, frac, hasFrac := strings.Cut(d, ".")
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	if sym, ok := currencySymbols[m.Currency]; ok {
		b.WriteString(sym)
	} else if m.Currency != "" {
		b.WriteString(m.Currency + " ")
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// formatCount shows a count of orders the way shoppers read them: 950, 1.2K, 12K, 1.2M. It rounds
// down, so that it never claims more orders than there were.
func formatCount(n int) string {
	switch {
	case n < 0:
		return "0"
	case n < 1000:
		return strconv.Itoa(n)
	case n < 10_000:
		return oneDecimal(n, 1000) + "K"
	case n < 1_000_000:
		return strconv.Itoa(n/1000) + "K"
	case n < 10_000_000:
		return oneDecimal(n, 1_000_000) + "M"
	default:
		return strconv.Itoa(n/1_000_000) + "M"
	}
}

func oneDecimal(n, unit int) string {
	whole, tenth := n/unit, n%unit*10/unit
	if tenth == 0 {
		return strconv.Itoa(whole)
	}
	return fmt.Sprintf("%d.%d", whole, tenth)
}

// formatBP shows basis points as a percentage with one decimal: 2345 → "23.5%".
func formatBP(bp int) string {
	neg := bp < 0
	if neg {
		bp = -bp
	}
	tenths := (bp + 5) / 10
	s := fmt.Sprintf("%d.%d%%", tenths/10, tenths%10)
	if neg && tenths != 0 {
		s = "−" + s
	}
	return s
}

// formatRating shows a 0–5 score with one decimal; "–" when unknown.
func formatRating(r float64) string {
	if r <= 0 {
		return "–"
	}
	return strconv.FormatFloat(r, 'f', 1, 64)
}

// formatPercent shows a percentage given as a float (commission rates) without trailing zeros.
func formatPercent(p float64) string {
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// formatTime shows when data was fetched, in UTC so that every user reads the same.
func formatTime(t time.Time) string {
	if t.IsZero() {
		return "unknown time"
	}
	return t.UTC().Format("2 Jan 2006, 15:04 UTC")
}

// cleanText makes untrusted text safe to lay out: it drops control and bidirectional-override
// characters (which can reverse the text around them) and invalid UTF-8. Escaping is the
// template's job; this only keeps the text from garbling the page.
func cleanText(s string) string {
	if !strings.ContainsFunc(s, isUnwantedRune) && utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r == utf8.RuneError || isUnwantedRune(r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isUnwantedRune(r rune) bool {
	switch {
	case r == '\n' || r == ' ':
		return false
	case r == '\t' || r == '\r':
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return unicode.IsControl(r)
}

// titleOf is a product's title for display: cleaned, and never empty.
func titleOf(p *catalog.Product) string {
	t := strings.TrimSpace(cleanText(p.Title))
	if t == "" {
		return fmt.Sprintf("Untitled product %d", p.ID)
	}
	return t
}

// httpURL returns s when it is an absolute http(s) URL with a host, "" otherwise. Every link and
// image from AliExpress passes through it, so that no javascript:, data: or relative URL reaches a
// page.
func httpURL(s string) string { return sanitize.URL(s) }

// sourceLink is the link that sends a user to AliExpress: the affiliate link when there is one.
func sourceLink(p *catalog.Product) string {
	if u := httpURL(p.AffiliateURL); u != "" {
		return u
	}
	return httpURL(p.URL)
}

// minorUnits is the number of decimals of currency, for the margin script.
func minorUnits(currency string) int { return catalog.MinorUnits(currency) }

// wholeUnit is the minor units of one whole unit in a currency whose prices have no cents (100 for
// IDR), 1 otherwise: the margin script rounds rule prices to it, as pricing does.
func wholeUnit(currency string) int {
	if !catalog.WholeUnits(currency) {
		return 1
	}
	u := 1
	for range catalog.MinorUnits(currency) {
		u *= 10
	}
	return u
}

// imageOf is the first image of a product that the image policy allows, "" when it has none.
func imageOf(image func(string) string, p *catalog.Product) string {
	for _, img := range p.Images {
		if u := image(img); u != "" {
			return u
		}
	}
	for _, v := range p.Variants {
		if u := image(v.Image); u != "" {
			return u
		}
	}
	return ""
}
