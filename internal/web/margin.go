package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/pricing"
)

// DefaultRule is the pricing rule the margin calculator and the export start with.
const DefaultRule = "x2.5 .99"

// calc is the margin calculator's input: a selling price or a pricing rule, the fees of one
// order and the shipping rule. The same query parameters drive the page without JavaScript
// (sell, rule, fee_pct, fee_fixed, ad_cost, min_margin, ship_rule) and fill the inputs the
// script reads as the user types; every link and form of a page carries them on (Values), so that
// the next page, and an export, use what the user typed.
type calc struct {
	Currency    string
	Sell        catalog.Money // a fixed selling price; zero when the rule prices
	Rule        *pricing.Rule // nil when Sell is set or no rule was given
	Fees        pricing.Fees
	MinMarginBP int  // hide products below this margin
	HasMin      bool // whether min_margin was given
	// Ship chooses each product's shipping method: ship_rule, required to meet a search's
	// free_shipping and max_delivery_days.
	Ship catalog.ShipRule
	// Form holds what the user typed, to fill the inputs again.
	Form map[string]string
}

// calcFields are the typed query parameters of the calculator.
var calcFields = []string{"sell", "rule", "fee_pct", "fee_fixed", "ad_cost", "min_margin"}

// shipFields are the query parameters of the shipping rule: the rule, and the search filters it
// must meet.
var shipFields = []string{"ship_rule", "free_shipping", "max_delivery_days"}

// parseShipRule reads the shipping rule (ship_rule, and the filters free_shipping and
// max_delivery_days) the way a search reads them, with the same errors.
func parseShipRule(v url.Values) (catalog.ShipRule, error) {
	sub := url.Values{}
	for _, k := range shipFields {
		if vs, ok := v[k]; ok {
			sub[k] = vs
		}
	}
	f, err := catalog.ParseFilters(sub)
	return f.Shipping(), err
}

// calcDefault is the calculator field k's value when the query does not give it: the default
// rule and a card processor's usual fee (its fixed part only in a currency with cents).
func calcDefault(k, currency string) string {
	switch k {
	case "rule":
		return DefaultRule
	case "fee_pct":
		return "2.9"
	case "fee_fixed":
		if catalog.MinorUnits(currency) != 2 || catalog.WholeUnits(currency) {
			return ""
		}
		return "0.30"
	}
	return ""
}

// parseCalc reads the calculator from query values in currency. Absent parameters take the
// defaults (rule x2.5 .99, a 2.9 % + 0.30 payment fee, the cheapest tracked shipping); present
// but empty ones mean "none". Errors name the field.
func parseCalc(v url.Values, currency string) (calc, error) {
	c := calc{Currency: currency, Form: make(map[string]string, len(calcFields))}
	for _, k := range calcFields {
		if vs, ok := v[k]; ok {
			c.Form[k] = strings.TrimSpace(vs[0])
		} else {
			c.Form[k] = calcDefault(k, currency)
		}
	}
	var errs []error
	ship, err := parseShipRule(v)
	errs = append(errs, err)
	c.Ship = ship
	if s := c.Form["sell"]; s != "" {
		m, err := parseAmount("sell", s, currency)
		if err != nil {
			errs = append(errs, err)
		} else if m.Amount <= 0 {
			errs = append(errs, invalid("sell", "the selling price must be above zero"))
		}
		c.Sell = m
	}
	if err := catalog.ValidText("rule", c.Form["rule"]); err != nil {
		errs = append(errs, err)
	} else if s := c.Form["rule"]; s != "" && c.Sell.IsZero() {
		r, err := pricing.ParseRule(s, currency)
		if err != nil {
			errs = append(errs, invalid("rule", "%s", pricingProblem(err)))
		} else {
			c.Rule = &r
		}
	}
	if s := c.Form["fee_pct"]; s != "" {
		bp, err := parsePercentBP(s)
		if err != nil || bp > 10000 {
			errs = append(errs, invalid("fee_pct", "%q is not a percentage from 0 to 100 (write it like 2.9)", s))
		}
		c.Fees.PaymentPercentBP = bp
	}
	for _, f := range []struct {
		name string
		dst  *catalog.Money
	}{{"fee_fixed", &c.Fees.PaymentFixed}, {"ad_cost", &c.Fees.AdCostPerOrder}} {
		if s := c.Form[f.name]; s != "" {
			m, err := parseAmount(f.name, s, currency)
			if err != nil {
				errs = append(errs, err)
			}
			*f.dst = m
		}
	}
	if s := c.Form["min_margin"]; s != "" {
		neg := strings.HasPrefix(s, "-")
		bp, err := parsePercentBP(strings.TrimPrefix(s, "-"))
		if err != nil || bp > 10000 {
			errs = append(errs, invalid("min_margin", "%q is not a margin in percent from -100 to 100", s))
		}
		if neg {
			bp = -bp
		}
		c.MinMarginBP, c.HasMin = bp, true
	}
	return c, errors.Join(errs...)
}

// parseAmount reads a non-negative amount in currency for field, no larger than catalog.MaxAmount.
func parseAmount(field, s, currency string) (catalog.Money, error) {
	return catalog.ParseAmount(field, s, currency)
}

// parsePercentBP reads a percentage with at most two decimals as basis points: "2.9" → 290.
func parsePercentBP(s string) (int, error) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "%")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || len(whole) > 5 {
		return 0, errors.New("bad percentage")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.Atoi(whole)
	f, err2 := strconv.Atoi(frac)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || strings.ContainsAny(whole+frac, "+-") {
		return 0, errors.New("bad percentage")
	}
	return w*100 + f, nil
}

// Active reports whether the calculator has a selling price or a rule to work with.
func (c calc) Active() bool { return !c.Sell.IsZero() || c.Rule != nil }

// Values returns the calculator's query parameters as the user typed them, and the shipping
// rule with the filters it meets (defaults left out), for links and forms.
func (c calc) Values() url.Values {
	v := url.Values{}
	for _, k := range calcFields {
		v.Set(k, c.Form[k])
	}
	if r := c.Ship.String(); r != catalog.DefaultShipRule {
		v.Set("ship_rule", r)
	}
	if c.Ship.FreeOnly {
		v.Set("free_shipping", "true")
	}
	if c.Ship.MaxDays > 0 {
		v.Set("max_delivery_days", strconv.Itoa(c.Ship.MaxDays))
	}
	return v
}

// ShipRules are the choices of the shipping rule select, with the one in use selected; services
// are the product's own shipping options, offered by name.
func (c calc) ShipRules(services []catalog.ShippingOption) []option {
	cur := c.Ship.String()
	out := []option{
		{Value: catalog.ShipTracked, Label: "Cheapest tracked"},
		{Value: catalog.ShipCheapest, Label: "Cheapest"},
		{Value: catalog.ShipFastest, Label: "Fastest"},
	}
	seen := map[string]bool{}
	for _, o := range services {
		if o.Code == "" || seen[o.Code] {
			continue
		}
		seen[o.Code] = true
		label := cleanText(o.Company)
		if label == "" {
			label = o.Code
		}
		out = append(out, option{Value: catalog.ShipService + ":" + o.Code, Label: "Only " + label})
	}
	found := false
	for i := range out {
		out[i].Selected = out[i].Value == cur
		found = found || out[i].Selected
	}
	if !found {
		out = append(out, option{Value: cur, Label: "Only " + c.Ship.Service, Selected: true})
	}
	return out
}

// quote is the economics of selling one unit of a product, as the calculator shows them.
type quote struct {
	OK        bool            // a margin could be computed
	Why       string          // why not, when !OK
	Variant   catalog.Variant // the variant priced
	Ships     bool
	Shipping  catalog.ShippingOption // the method the shipping rule chose
	Landed    pricing.LandedCost
	Price     catalog.Money // the selling price
	CompareAt catalog.Money
	pricing.Result
	Hidden bool // below the calculator's minimum margin
	// NoImport says the landed cost and margin leave import charges out because the data does
	// not say what they are (affiliate data: a search's).
	NoImport bool
}

// quoteVariant prices one variant shipped by the method c's shipping rule chooses from options.
func (c calc) quoteVariant(v catalog.Variant, options []catalog.ShippingOption, shipTo string) quote {
	ship, ok := c.Ship.Choose(options)
	q := quote{Ships: ok, Shipping: ship, Variant: v}
	if !ok {
		q.Why = "Does not ship to " + shipTo
		if len(options) > 0 {
			q.Why = "No shipping to " + shipTo + " by the rule: " + c.Ship.Label()
		}
		return q
	}
	lc, err := pricing.Landed(v, ship, 1)
	if err != nil {
		q.Why = "No landed cost: " + pricingProblem(err)
		return q
	}
	q.Landed = lc
	if !c.Active() {
		q.Why = "Enter a selling price or a rule"
		return q
	}
	q.Price = c.Sell
	if c.Rule != nil {
		cost := lc.Item
		if c.Rule.IncludeShipping {
			cost = lc.Total
		}
		if q.Price, q.CompareAt, err = c.Rule.Apply(cost); err != nil {
			q.Why = pricingProblem(err)
			return q
		}
	}
	if q.Result, err = pricing.Margin(q.Price, lc, c.Fees); err != nil {
		q.Why = pricingProblem(err)
		return q
	}
	q.OK = true
	q.Hidden = c.HasMin && q.MarginBP < c.MinMarginBP
	return q
}

// cheapestVariant is the variant a product's headline price is for: the cheapest in stock, else
// the cheapest.
func cheapestVariant(p *catalog.Product) catalog.Variant {
	var best catalog.Variant
	found := false
	for _, inStock := range []bool{true, false} {
		for _, v := range p.Variants {
			if inStock && v.Stock == 0 {
				continue
			}
			if !found || v.Price.Amount < best.Price.Amount {
				best, found = v, true
			}
		}
		if found {
			return best
		}
	}
	return catalog.Variant{Price: p.Price, ListPrice: p.OriginalPrice, Stock: -1}
}

// quoteProduct prices a product's headline variant, shipped from its own warehouse.
func (c calc) quoteProduct(p *catalog.Product) quote {
	v := cheapestVariant(p)
	if p.ShippingUnknown {
		return quote{Variant: v, Why: "Shipping unknown: no landed cost or margin yet", NoImport: !p.KnowsImportCharges()}
	}
	if p.ShippingPending {
		return quote{Variant: v, Why: "Shipping not loaded yet", NoImport: !p.KnowsImportCharges()}
	}
	q := c.quoteVariant(v, p.ShippingFor(&v), p.ShipTo)
	q.NoImport = !p.KnowsImportCharges()
	return q
}

// pricingProblem is what a user is told of a pricing error: the rule's problem as they wrote it,
// or what kept the figures from being computed.
func pricingProblem(err error) string {
	var re *pricing.RuleError
	switch {
	case errors.As(err, &re):
		return re.Message()
	case errors.Is(err, pricing.ErrCurrencyMismatch):
		return "the amounts are in different currencies"
	case errors.Is(err, pricing.ErrOverflow):
		return "an amount is out of range"
	case errors.Is(err, pricing.ErrNoShipping):
		return "no shipping to this destination"
	}
	return "the figures cannot be computed for this product"
}
