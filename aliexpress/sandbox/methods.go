package sandbox

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// apiMethods lists every API the Sandbox serves.
func (s *Sandbox) apiMethods() map[string]apiMethod {
	open := func(fn func(*call) (obj, *apiError)) apiMethod { return apiMethod{fn: fn} }
	user := func(fn func(*call) (obj, *apiError)) apiMethod { return apiMethod{fn: fn, user: true} }
	system := func(fn func(*call) (obj, *apiError)) apiMethod { return apiMethod{fn: fn, system: true} }
	return map[string]apiMethod{
		"/auth/token/create":           system(s.tokenCreate(false)),
		"/auth/token/refresh":          system(s.tokenRefresh(false)),
		"/auth/token/security/create":  system(s.tokenCreate(true)),
		"/auth/token/security/refresh": system(s.tokenRefresh(true)),

		"aliexpress.affiliate.product.query":              open(s.affProductQuery(false)),
		"aliexpress.affiliate.hotproduct.query":           open(s.affProductQuery(true)),
		"aliexpress.affiliate.productdetail.get":          open(s.affProductDetail),
		"aliexpress.affiliate.category.get":               open(s.affCategories),
		"aliexpress.affiliate.link.generate":              open(s.affLinkGenerate),
		"aliexpress.affiliate.product.smartmatch":         open(s.affSmartMatch),
		"aliexpress.affiliate.featuredpromo.get":          open(s.affPromos),
		"aliexpress.affiliate.featuredpromo.products.get": open(s.affPromoProducts),
		"aliexpress.affiliate.hotproduct.download":        open(s.affHotDownload),
		"aliexpress.affiliate.order.list":                 open(s.affOrderList),
		"aliexpress.affiliate.order.get":                  open(s.affOrderGet),
		"aliexpress.affiliate.product.shipping.get":       open(s.affShipping),
		"aliexpress.affiliate.product.sku.detail.get":     open(s.affSKUDetail),

		"aliexpress.ds.product.get":             user(s.dsProduct),
		"aliexpress.ds.text.search":             user(s.dsTextSearch),
		"aliexpress.ds.recommend.feed.get":      user(s.dsRecommendFeed),
		"aliexpress.ds.feedname.get":            user(s.dsFeedNames),
		"aliexpress.ds.feed.itemids.get":        user(s.dsFeedItemIDs),
		"aliexpress.ds.category.get":            user(s.dsCategories),
		"aliexpress.ds.freight.query":           user(s.dsFreight),
		"aliexpress.ds.address.get":             user(s.dsAddress),
		"aliexpress.ds.order.create":            user(s.dsOrderCreate),
		"aliexpress.trade.ds.order.get":         user(s.dsOrderGet),
		"aliexpress.ds.order.tracking.get":      user(s.dsOrderTracking),
		"aliexpress.ds.member.orderdata.submit": user(s.dsOrderDataSubmit),
		"aliexpress.ds.add.info":                user(s.dsAddInfo),
		"aliexpress.ds.member.benefit.get":      user(s.dsMemberBenefit),
	}
}

// Methods returns the API names the Sandbox serves, sorted.
func (s *Sandbox) Methods() []string {
	names := make([]string, 0, len(s.methods))
	for k := range s.methods {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// --- parameters --------------------------------------------------------------------------------

// intParam reads an optional integer parameter within [lo, hi].
func (c *call) intParam(name string, def, lo, hi int) (int, *apiError) {
	v := c.param(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, invalidParam(name, "not an integer")
	}
	if n < lo || n > hi {
		return 0, invalidParam(name, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
	return n, nil
}

// idParam reads a required positive numeric ID.
func (c *call) idParam(name string) (int64, *apiError) {
	v := c.param(name)
	if v == "" {
		return 0, missingParam(name)
	}
	return parseID(name, v)
}

func parseID(name, v string) (int64, *apiError) {
	if !allDigits(v) || len(v) > 18 {
		return 0, invalidParam(name, "not a numeric ID")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return 0, invalidParam(name, "not a numeric ID")
	}
	return n, nil
}

// idList reads an optional comma-separated list of IDs.
func (c *call) idList(name string) ([]int64, *apiError) {
	var ids []int64
	for _, f := range strings.Split(c.param(name), ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		id, e := parseID(name, f)
		if e != nil {
			return nil, e
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// currencyParam reads a currency code the platform offers; def when absent.
func (c *call) currencyParam(name, def string) (string, *apiError) {
	cur := strings.ToUpper(c.param(name))
	if cur == "" {
		cur = def
	}
	if _, ok := world.Convert(100, cur); !ok {
		return "", invalidParam(name, "unsupported currency")
	}
	return cur, nil
}

// countryParam reads an ISO 3166 alpha-2 country code; required says whether it may be absent.
func (c *call) countryParam(name string, required bool) (string, *apiError) {
	v := strings.ToUpper(c.param(name))
	if v == "" {
		if required {
			return "", missingParam(name)
		}
		return "", nil
	}
	if !isCountry(v) {
		return "", invalidParam(name, "not a two-letter country code")
	}
	return v, nil
}

func isCountry(v string) bool {
	return len(v) == 2 && v[0] >= 'A' && v[0] <= 'Z' && v[1] >= 'A' && v[1] <= 'Z'
}

// affiliateLanguages is the affiliate target_language enum.
var affiliateLanguages = []string{"EN", "RU", "PT", "ES", "FR", "ID", "IT", "TH", "JA", "AR", "VI", "TR", "DE", "HE", "KO", "NL", "PL", "MX", "CL", "IW", "IN"}

func (c *call) affLanguage() *apiError {
	v := strings.ToUpper(c.param("target_language"))
	if v != "" && !slices.Contains(affiliateLanguages, v) {
		return invalidParam("target_language", "unsupported language")
	}
	return nil
}

// dsLanguage accepts the DS forms: a lowercase language ("en") or a locale ("en_US").
func (c *call) dsLanguage(name string) *apiError {
	v := c.param(name)
	if v == "" {
		return nil
	}
	ok := len(v) == 2 || (len(v) == 5 && (v[2] == '_' || v[2] == '-'))
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r == '-') {
			ok = false
		}
	}
	if !ok {
		return invalidParam(name, "not a language or locale")
	}
	return nil
}

// --- money and numbers --------------------------------------------------------------------------

// money renders USD cents as a decimal string in currency, as every price on the platform is.
func money(usdCents int64, currency string) string {
	amount, ok := world.Convert(usdCents, currency)
	if !ok {
		amount, currency = usdCents, "USD"
	}
	return formatMinor(amount, world.MinorUnits(currency))
}

// formatMinor writes an amount in minor units with d decimals.
func formatMinor(v int64, d int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	s := strconv.FormatInt(v, 10)
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

// toUSDCents turns minor units of currency into USD cents (for price filters given in the target
// currency), rounding down.
func toUSDCents(minor int64, currency string) int64 {
	const probe = 1_000_000
	per, ok := world.Convert(probe, currency)
	if !ok || per <= 0 {
		return minor
	}
	return int64(math.Floor(float64(minor) * probe / float64(per)))
}

// priceFormat is the shop-window form of a price, e.g. "US $9.40" or "EUR 8.65".
func priceFormat(usdCents int64, currency string) string {
	if currency == "USD" {
		return "US $" + money(usdCents, currency)
	}
	return currency + " " + money(usdCents, currency)
}

// pct writes a percentage the platform's way: "7.0%".
func pct(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) + "%" }

func oneDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// skuNumber is a SKU ID as the Number some APIs document it as (17 digits fit in int64).
func skuNumber(id string) any {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return n
	}
	return id
}

// --- URLs ---------------------------------------------------------------------------------------

func productURL(id int64) string {
	return "https://www.aliexpress.com/item/" + strconv.FormatInt(id, 10) + ".html"
}

func shopURL(id int64) string { return "https://www.aliexpress.com/store/" + strconv.FormatInt(id, 10) }

// abs turns a catalog picture path into an absolute URL on the Sandbox itself.
func (c *call) abs(path string) string {
	if path == "" || strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return c.base + path
}

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
