package catalog

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Sort orders of a search. AliExpress sorts by price and by orders itself; the others are applied
// by aliscout over the products it has scanned.
const (
	SortRelevance  = "relevance"
	SortPriceAsc   = "price_asc"
	SortPriceDesc  = "price_desc"
	SortOrdersDesc = "orders_desc"
	SortOrdersAsc  = "orders_asc"
	SortDiscount   = "discount_desc"
	SortRating     = "rating_desc"
	SortCommission = "commission_desc"
	SortDelivery   = "delivery_asc"
)

// Sorts returns the sort orders in the order a form shows them.
func Sorts() []string {
	return []string{SortRelevance, SortOrdersDesc, SortPriceAsc, SortPriceDesc, SortDiscount, SortRating, SortCommission, SortDelivery}
}

// Currencies returns the target currencies AliExpress converts prices into.
func Currencies() []string {
	return []string{"USD", "EUR", "GBP", "CAD", "AUD", "BRL", "MXN", "JPY", "KRW", "INR", "IDR", "SEK", "TRY", "UAH", "RUB", "ILS", "THB", "CLP", "VND"}
}

// Languages returns the target languages AliExpress translates titles into.
func Languages() []string {
	return []string{"EN", "ES", "FR", "DE", "IT", "PT", "NL", "PL", "RU", "TR", "AR", "HE", "JA", "KO", "TH", "VI", "ID"}
}

// IsCurrency reports whether AliExpress offers prices in currency (an upper-case ISO code).
func IsCurrency(currency string) bool { return slices.Contains(Currencies(), currency) }

// IsLanguage reports whether AliExpress offers titles in language (an upper-case code).
func IsLanguage(language string) bool { return slices.Contains(Languages(), language) }

// IsCountry reports whether s is an officially assigned ISO 3166-1 alpha-2 country code in upper
// case ("US", "GB", "AQ"). User-assigned codes (AA, QM–QZ, XA–XZ, ZZ) and reserved ones such as
// "UK" name no country AliExpress ships to, so they are refused before any call.
func IsCountry(s string) bool {
	return len(s) == 2 && strings.Contains(isoCountries, " "+s+" ")
}

// isoCountries are the 249 officially assigned ISO 3166-1 alpha-2 codes, space-separated with a
// space at both ends.
const isoCountries = " AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ" +
	" BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ" +
	" CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ" +
	" DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR" +
	" GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU" +
	" ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ" +
	" LA LB LC LI LK LR LS LT LU LV LY" +
	" MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ" +
	" NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA" +
	" RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ" +
	" TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ" +
	" VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW "

// countryProblem says why s (upper-cased) is not a country code.
func countryProblem(s, typed string) string {
	switch {
	case s == "UK":
		return fmt.Sprintf("%q is not an ISO 3166 country code; the United Kingdom is GB", typed)
	case len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z':
		return fmt.Sprintf("%q is not an assigned ISO 3166 country code", typed)
	}
	return fmt.Sprintf("%q is not a two-letter country code", typed)
}

// Product IDs: AliExpress's are 8 to 16 decimal digits (legacy 32xxxxxxxxx, 4000xxxxxxxxx, current
// 1005xxxxxxxxxxxx) and below 2^53, so that they survive a JSON number.
const (
	MinProductID int64 = 10_000_000
	MaxProductID int64 = 1<<53 - 1
)

// IsProductID reports whether id is a plausible AliExpress product ID. Anything else is refused
// before it costs an upstream call.
func IsProductID(id int64) bool { return id >= MinProductID && id <= MaxProductID }

// MaxAmount is the largest price or fee, in major units of any currency, that a user may type: a
// billion, above any product price even in VND or IDR, and far below where sums of minor units
// could overflow.
const MaxAmount = 1_000_000_000

// ParseAmount reads an amount a user typed for field (a price filter, a selling price, a fee) in
// currency: a non-negative decimal of at most MaxAmount major units, rounded to the currency's
// minor units like ParseMoney. It takes the amount as people write it: with the currency's sign
// or code ("$14.99", "14.99 USD") and with a decimal comma where that cannot be a thousands
// separator ("14,99", "1.299,99"). Errors are EInvalid naming field.
func ParseAmount(field, s, currency string) (Money, error) {
	s = strings.TrimSpace(s)
	t := normalizeAmount(s, currency)
	if strings.HasPrefix(t, "-") || strings.HasPrefix(s, "-") {
		return Money{}, invalid(field, "%q is negative", s)
	}
	whole, _, _ := strings.Cut(t, ".")
	whole = strings.TrimLeft(strings.ReplaceAll(whole, ",", ""), "0")
	if len(whole) > len(strconv.Itoa(MaxAmount)) && allDigits(whole) {
		return Money{}, invalid(field, "%s is more than %s, the largest amount aliscout takes", shorten(s), "1,000,000,000")
	}
	m, err := ParseMoney(t, currency)
	if err != nil {
		return Money{}, invalid(field, "%q is not an amount in %s (write it like 12.50)", shorten(s), strings.ToUpper(currency))
	}
	limit := int64(MaxAmount)
	for range MinorUnits(m.Currency) {
		limit *= 10
	}
	if m.Amount > limit {
		return Money{}, invalid(field, "%s is more than %s, the largest amount aliscout takes", shorten(s), "1,000,000,000")
	}
	return m, nil
}

// shorten cuts text a user typed to a length an error message can repeat.
func shorten(s string) string {
	if len(s) > 40 {
		s = strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// ValidText reports a problem with free text a user typed for field: invalid UTF-8, or control
// characters other than tab and newline (which no form sends and no upstream search needs).
func ValidText(field, s string) error {
	if !utf8.ValidString(s) {
		return invalid(field, "is not valid UTF-8 text")
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) {
		return invalid(field, "contains control characters")
	}
	return nil
}

// Defaults of a search.
const (
	DefaultShipTo    = "US"
	DefaultCurrency  = "USD"
	DefaultLanguage  = "EN"
	DefaultPageSize  = 20
	MaxPageSize      = 50
	DefaultMinOrders = 10 // products with fewer orders in 30 days are usually untested
	MaxPage          = 100
)

// Filters is a product search. The zero value is not valid; use ParseFilters or set the defaults.
type Filters struct {
	Query           string
	CategoryID      int64
	MinPrice        Money // zero = none
	MaxPrice        Money // zero = none
	MinRating       float64
	MinOrders       int
	MinDiscount     int // percent
	FreeShipping    bool
	MaxDeliveryDays int
	ShipTo          string
	Currency        string
	Language        string
	Sort            string
	Page            int
	PageSize        int
	// ShipRule is how each product's shipping method is chosen (ship_rule); its requirements
	// are left zero here: Shipping adds FreeShipping and MaxDeliveryDays.
	ShipRule ShipRule
	// InStock hides products known to be sold out (in_stock, on by default).
	InStock bool
}

// Shipping returns the rule that chooses each product's shipping method for this search: the
// ship_rule, required to meet the free-shipping and delivery-days filters.
func (f Filters) Shipping() ShipRule {
	r := f.ShipRule
	if r.By == "" {
		r.By = DefaultShipRule
	}
	r.FreeOnly, r.MaxDays = f.FreeShipping, f.MaxDeliveryDays
	return r
}

// DefaultFilters returns the filters of an empty search form.
func DefaultFilters() Filters {
	return Filters{MinOrders: DefaultMinOrders, ShipTo: DefaultShipTo, Currency: DefaultCurrency,
		Language: DefaultLanguage, Sort: SortRelevance, Page: 1, PageSize: DefaultPageSize,
		ShipRule: ShipRule{By: DefaultShipRule}, InStock: true}
}

// ParseFilters reads a search from URL query values, the same for the page and the JSON API:
// q, category, min_price, max_price, min_rating, min_orders, min_discount, free_shipping,
// max_delivery_days, ship_to, currency, language, sort, page, page_size, ship_rule, in_stock.
// Absent values take the
// defaults. Every problem is reported as an *Error with Code EInvalid naming the field; the first
// is returned, joined with the rest.
func ParseFilters(v url.Values) (Filters, error) {
	f := DefaultFilters()
	var errs []error
	str := func(name string) string { return strings.TrimSpace(v.Get(name)) }
	intField := func(name string, dst *int, min, max int) {
		s := str(name)
		if s == "" {
			return
		}
		n, err := strconv.Atoi(s)
		if err != nil {
			errs = append(errs, invalid(name, "%q is not a whole number", s))
			return
		}
		if n < min || n > max {
			errs = append(errs, invalid(name, "%d is out of range (%d to %d)", n, min, max))
			return
		}
		*dst = n
	}
	f.Query = str("q")
	if err := ValidText("q", f.Query); err != nil {
		errs = append(errs, err)
	} else if n := utf8.RuneCountInString(f.Query); n > 200 {
		errs = append(errs, invalid("q", "is %d characters long; at most 200", n))
	}
	if s := str("ship_to"); s != "" {
		f.ShipTo = strings.ToUpper(s)
		if !IsCountry(f.ShipTo) {
			errs = append(errs, invalid("ship_to", "%s", countryProblem(f.ShipTo, shorten(s))))
		}
	}
	if s := str("currency"); s != "" {
		f.Currency = strings.ToUpper(s)
		if !IsCurrency(f.Currency) {
			errs = append(errs, invalid("currency", "%q is not a currency AliExpress offers", s))
		}
	}
	if s := str("language"); s != "" {
		f.Language = strings.ToUpper(s)
		if !IsLanguage(f.Language) {
			errs = append(errs, invalid("language", "%q is not a language AliExpress offers", s))
		}
	}
	if s := str("sort"); s != "" {
		if !slices.Contains(Sorts(), s) {
			errs = append(errs, invalid("sort", "%q is not one of %s", s, strings.Join(Sorts(), ", ")))
		} else {
			f.Sort = s
		}
	}
	if s := str("category"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id < 0 {
			errs = append(errs, invalid("category", "%q is not a category ID", s))
		}
		f.CategoryID = id
	}
	// A function rather than a loop over (name, field) pairs: there, escape analysis would let the
	// names' flow into errors move f, and so every search, to the heap.
	amount := func(name string, dst *Money) {
		s := str(name)
		if s == "" {
			return
		}
		m, err := ParseAmount(name, s, f.Currency)
		if err != nil {
			errs = append(errs, err)
			return
		}
		*dst = m
	}
	amount("min_price", &f.MinPrice)
	amount("max_price", &f.MaxPrice)
	if !f.MinPrice.IsZero() && !f.MaxPrice.IsZero() && f.MaxPrice.Amount < f.MinPrice.Amount {
		errs = append(errs, invalid("max_price", "%s is below the minimum price, %s", f.MaxPrice.Decimal(), f.MinPrice.Decimal()))
	}
	if s := str("min_rating"); s != "" {
		r, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(r) || r < 0 || r > 5 { // NaN compares false with everything
			r = 0
			errs = append(errs, invalid("min_rating", "%q is not a rating from 0 to 5", s))
		}
		f.MinRating = r
	}
	intField("min_orders", &f.MinOrders, 0, 10_000_000)
	intField("min_discount", &f.MinDiscount, 0, 99)
	intField("max_delivery_days", &f.MaxDeliveryDays, 0, 120)
	intField("page", &f.Page, 1, MaxPage)
	intField("page_size", &f.PageSize, 1, MaxPageSize)
	if s := str("free_shipping"); s != "" {
		b, err := parseBool(s)
		if err != nil {
			errs = append(errs, invalid("free_shipping", "%q is not true or false", s))
		}
		f.FreeShipping = b
	}
	// A form writes in_stock as a hidden "false" followed by a checkbox's "true": the last value
	// is the one the user chose.
	if vs := v["in_stock"]; len(vs) > 0 && strings.TrimSpace(vs[len(vs)-1]) != "" {
		s := strings.TrimSpace(vs[len(vs)-1])
		b, err := parseBool(s)
		if err != nil {
			errs = append(errs, invalid("in_stock", "%q is not true or false", s))
		}
		f.InStock = b
	}
	if v.Has("ship_rule") {
		r, err := ParseShipRule(v.Get("ship_rule"))
		if err != nil {
			errs = append(errs, err)
		} else {
			f.ShipRule = r
		}
	}
	return f, errors.Join(errs...)
}

// Key is f's normalized encoding, the same as Values().Encode(): filters that search the same
// have the same Key, whatever way they were given. It is made on every search, so it is written
// straight out rather than through a url.Values.
func (f Filters) Key() string {
	var b strings.Builder
	b.Grow(len(f.Query) + 16)
	f.each(func(k, v string) {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k) // every name is plain ASCII
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	})
	return b.String()
}

// Values writes f back as URL query values (defaults left out), for links to other pages of the
// same search.
func (f Filters) Values() url.Values {
	v := url.Values{}
	f.each(func(k, s string) { v.Set(k, s) })
	return v
}

// each calls yield with the name and value of every field of f that is not its default, in the
// order of the names (as url.Values.Encode writes them).
func (f Filters) each(yield func(k, v string)) {
	d := DefaultFilters()
	set := func(k, s string) {
		if s != "" {
			yield(k, s)
		}
	}
	if f.CategoryID != 0 {
		set("category", strconv.FormatInt(f.CategoryID, 10))
	}
	if f.Currency != d.Currency {
		set("currency", f.Currency)
	}
	if f.FreeShipping {
		set("free_shipping", "true")
	}
	if !f.InStock {
		set("in_stock", "false")
	}
	if f.Language != d.Language {
		set("language", f.Language)
	}
	if f.MaxDeliveryDays != 0 {
		set("max_delivery_days", strconv.Itoa(f.MaxDeliveryDays))
	}
	if !f.MaxPrice.IsZero() {
		set("max_price", f.MaxPrice.Decimal())
	}
	if f.MinDiscount != 0 {
		set("min_discount", strconv.Itoa(f.MinDiscount))
	}
	if f.MinOrders != d.MinOrders {
		set("min_orders", strconv.Itoa(f.MinOrders))
	}
	if !f.MinPrice.IsZero() {
		set("min_price", f.MinPrice.Decimal())
	}
	if f.MinRating != 0 {
		set("min_rating", strconv.FormatFloat(f.MinRating, 'f', -1, 64))
	}
	if f.Page != 1 {
		set("page", strconv.Itoa(f.Page))
	}
	if f.PageSize != d.PageSize {
		set("page_size", strconv.Itoa(f.PageSize))
	}
	set("q", f.Query)
	if r := f.ShipRule.String(); r != d.ShipRule.String() {
		set("ship_rule", r)
	}
	if f.ShipTo != d.ShipTo {
		set("ship_to", f.ShipTo)
	}
	if f.Sort != d.Sort {
		set("sort", f.Sort)
	}
}

// SearchResult is one page of a search.
type SearchResult struct {
	Products []Product
	// Total is how many products match. When aliscout applied filters AliExpress cannot apply
	// itself, it counts the matches among the products it scanned and TotalIsEstimate is true;
	// the estimate stays the same for every page and sort of the query. It may be more than
	// the pages aliscout can serve (see LastPage).
	Total           int
	TotalIsEstimate bool
	// Page is the page served: the one asked for, or the last page when that was past the end
	// (PastEnd).
	Page     int
	PageSize int
	PastEnd  bool
	// LastPage is the last page there is, when known; 0 while the end is not known.
	LastPage int
	// Served is how many products the pages hold, when LastPage is known: fewer than Total when
	// the search could scan only part of the matches.
	Served int
	// More says there is a page after this one.
	More bool
	// SoldOutHidden is how many products of this page were left out because they turned out
	// to be sold out (Filters.InStock).
	SoldOutHidden int
	Stale         bool // some data was served from cache because AliExpress failed
	StaleReason   string
	// Revision names this result's data: a catalog that serves the same result again gives the
	// same Revision, and any change to what it holds gives a new one, never used before in this
	// process. 0 says nothing (each result is to be taken as new). A caller that changes a
	// result must set it to 0.
	Revision uint64
}

// Pages returns the number of pages known to exist: LastPage when the end is known, else the
// pages up to the next one.
func (r *SearchResult) Pages() int {
	if r.LastPage > 0 {
		return r.LastPage
	}
	if r.More {
		return r.Page + 1
	}
	return r.Page
}

// ProductOptions says how to fetch one product.
type ProductOptions struct {
	ShipTo   string
	Currency string
	Language string
}

// Link is an affiliate link made from a URL.
type Link struct {
	Source    string // what the user gave
	ProductID int64  // 0 when the source is not a product page
	URL       string // the tracked promotion link; "" when it failed
	Error     string // why it failed, for the user
}

// Found is one product of a lookup by ID, or why it could not be had.
type Found struct {
	ID      int64
	Product Product // when Err is nil
	Err     error   // a *Error: ENotFound for a product AliExpress does not list, ...
}

// ImportResult is one line of an import: what was given, and the product or why not.
type ImportResult struct {
	Input   string
	Product *Product
	Error   string // why it was not found, for the user
	Code    string // the error code (ENotFound, EInvalid, ...)
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "true", "on", "yes":
		return true, nil
	case "0", "false", "off", "no", "":
		return false, nil
	}
	return false, fmt.Errorf("not a boolean")
}
